/* SPDX-License-Identifier: Apache-2.0 */
/* JSON text streamed into a yajl callback parser in whole tokens.
 *
 * yajl lexes a token that a chunk boundary cuts from its start again with
 * every new chunk, so one long string read in 64 KiB chunks costs time
 * quadratic in its length. The feed finds token boundaries itself (a string
 * ends at the first quote after an even run of backslashes, found with
 * memchr) and hands yajl only whole tokens, so that every byte is lexed once.
 *
 * A token is held in memory only up to a bound: a string whose raw text
 * exceeds 6 × max_string + 16 bytes decodes to more than max_string bytes
 * whatever it holds (no escape is longer than six times what it decodes
 * to), so yajl gets its first part, closed, and the rest is checked for JSON
 * validity and skipped unstored. The client sees a string longer than its
 * limit and refuses it if it would keep it; a string it ignores costs one
 * pass and bounded memory. A number longer than NVCT_JSON_MAX_NUMBER_TEXT
 * bytes is treated the same way (no number field accepts one that long).
 *
 * It also makes yajl decode as Go's encoding/json does where the two differ
 * and the reference's behaviour depends on it:
 * - form feed and vertical tab are not white space (yajl takes them);
 * - an unpaired UTF-16 surrogate escape decodes to U+FFFD (it is rewritten
 *   to \ufffd, same length, before yajl sees it);
 * - invalid UTF-8 is not an error (strings are not validated);
 * - only the first value is read: once the client says it is complete,
 *   nothing after it is looked at. */
#ifndef NVCT_JSONFEED_H
#define NVCT_JSONFEED_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_parse.h>

#include "basic/error.h"

/* Longest number text handed to yajl whole; a longer one is cut, closed, and
 * the rest validated and skipped. A 64-bit integer needs 20 characters. */
#define NVCT_JSON_MAX_NUMBER_TEXT 4096

typedef struct nvct_json_feed nvct_json_feed;

/* A feed into a new yajl parser with these callbacks. `name` (quoted, for
 * messages) and `done` (set by the callbacks when the first value is
 * complete) must outlive the feed. Errors go to *err, which the callbacks
 * share, so that the first error wins. */
nvct_json_feed *nvct_json_feed_new(const yajl_callbacks *callbacks, void *ctx, const char *name,
                                   size_t max_string, const bool *done, nvct_error **err);
void nvct_json_feed_free(nvct_json_feed *f);

/* The next bytes of the text. They may be rewritten in place. */
int nvct_json_feed_push(nvct_json_feed *f, char *data, size_t len);
/* The end of the text: an incomplete value is an error. */
int nvct_json_feed_finish(nvct_json_feed *f);

/* True while yajl delivers a string or number that was cut: its text is a
 * prefix of the real one, which is longer than any limit. */
bool nvct_json_feed_truncated(const nvct_json_feed *f);

/* The raw length past which a string is cut, for a client that refuses
 * decoded strings over max_string bytes. */
size_t nvct_json_feed_max_raw_string(size_t max_string);

#endif
