/* SPDX-License-Identifier: Apache-2.0 */
/* Quoting untrusted bytes for messages a person reads: runc relays the hook's
 * stderr to whoever ran `docker run`, so an image's bytes must not reach a
 * terminal raw (escape sequences) nor flood it (length). */
#ifndef NVCT_QUOTE_H
#define NVCT_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Longest input shown before the quote is cut with "...". */
#define NVCT_QUOTE_MAX 96

/* A double-quoted, escaped copy: printable ASCII as is, \" \\ \n \t \r, other
 * bytes as \xHH; cut after NVCT_QUOTE_MAX input bytes. NULL on OOM. */
char *nvct_quote(const char *s, size_t len);

/* The same, never cut: for output that must be exact (dry-run argv). */
char *nvct_quote_full(const char *s, size_t len);

/* nvct_quote_full's text written to f, in constant memory. 0, or -1 when
 * the write failed. */
int nvct_quote_write(FILE *f, const char *s, size_t len);

/* Longest path shown before its quote is cut: no name the kernel resolves is
 * longer, and NVCT_QUOTE_MAX would cut real ones (a containerd bundle's
 * config.json is over 120 bytes). */
#define NVCT_QUOTE_PATH_MAX 4096

/* nvct_quote for a NUL-terminated path, cut after NVCT_QUOTE_PATH_MAX bytes.
 * Paths and names from the state, config.json, config.toml, a CDI spec
 * directory or a command line are shown this way in every message: a bundle
 * named "/x\n\e[31m" must not print a line or a colour of its own. Library
 * functions take raw paths and quote them where they build a message; callers
 * never pass a quoted one. NULL on OOM. */
char *nvct_quote_path(const char *path);

/* What a message shows in place of a quote that could not be allocated. */
static inline const char *nvct_quoted(const char *quoted) {
        return quoted != NULL ? quoted : "\"(out of memory)\"";
}

/* Whether s is printable ASCII without quotes, backslashes or spaces, so it
 * can be shown without quoting. */
bool nvct_is_plain(const char *s, size_t len);

/* Whether s is non-empty printable ASCII (spaces allowed). */
bool nvct_is_printable(const char *s, size_t len);

#endif
