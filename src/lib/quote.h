/* SPDX-License-Identifier: Apache-2.0 */
/* Quoting untrusted bytes for messages a person reads: runc relays the hook's
 * stderr to whoever ran `docker run`, so an image's bytes must not reach a
 * terminal raw (escape sequences) nor flood it (length). */
#ifndef NVCT_QUOTE_H
#define NVCT_QUOTE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest input shown before the quote is cut with "...". */
#define NVCT_QUOTE_MAX 96

/* A double-quoted, escaped copy: printable ASCII as is, \" \\ \n \t \r, other
 * bytes as \xHH; cut after NVCT_QUOTE_MAX input bytes. NULL on OOM. */
char *nvct_quote(const char *s, size_t len);

/* The same, never cut: for output that must be exact (dry-run argv). */
char *nvct_quote_full(const char *s, size_t len);

/* Whether s is printable ASCII without quotes, backslashes or spaces, so it
 * can be shown without quoting. */
bool nvct_is_plain(const char *s, size_t len);

/* Whether s is non-empty printable ASCII (spaces allowed). */
bool nvct_is_printable(const char *s, size_t len);

#endif
