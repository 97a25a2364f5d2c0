/* SPDX-License-Identifier: Apache-2.0 */
/* What tomledit.c (the edits) and tomledit-scan.c (the structure of valid
 * text) share. Not for other modules. */
#ifndef NVCT_TOMLEDIT_INTERNAL_H
#define NVCT_TOMLEDIT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"
#include "toml.h"

typedef struct tkey {
        char *name;
        size_t len;
} tkey;

typedef struct keypath {
        tkey *parts;
        size_t n;
} keypath;

/* A [header] (or the root, index 0: empty path) and what follows it. */
typedef struct section {
        keypath path;
        bool is_array;
        size_t line_start; /* the header line's first byte */
        size_t indent;     /* bytes of whitespace before '[' */
        size_t body_start; /* after the header line */
        size_t key_end;    /* after the last key line, else body_start */
        size_t first_entry, n_entries;
} section;

/* A key/value: in a section a whole line (line_start..line_end, the newline
 * included), in an inline table just `key = value`. */
typedef struct entry {
        keypath key;
        size_t line_start, value_start, value_end, line_end;
} entry;

typedef struct doc {
        char *text; /* NUL-terminated */
        size_t len;
        nvct_toml_value *tree;
        section *sections;
        size_t n_sections, n_sections_allocated;
        entry *entries;
        size_t n_entries, n_entries_allocated;
} doc;

void te_keypath_clear(keypath *k);
void te_entries_free(entry *entries, size_t n);
void te_doc_clear(doc *d);

size_t te_skip_ws(const char *s, size_t len, size_t pos);
/* Past the next '\n' (comments and whitespace before it), or len. */
size_t te_skip_line(const char *s, size_t len, size_t pos);
/* At a value in valid text: past it. */
size_t te_skip_value(const char *s, size_t len, size_t pos);

/* The entries of the inline table whose '{' is at `open`; *ret_close is the
 * position of its '}'. */
int te_scan_inline(const char *s, size_t len, size_t open, entry **ret, size_t *ret_n,
                   size_t *ret_close);

/* Takes `text` (NUL-terminated, len bytes), always: decodes it with
 * nvct_toml_parse (errors name NAME:LINE:COL), then reads its structure. */
int te_doc_load(char *text, size_t len, const char *name, doc *ret, nvct_error **err);

#endif
