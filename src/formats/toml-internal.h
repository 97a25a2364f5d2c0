/* SPDX-License-Identifier: Apache-2.0 */
/* What toml.c (the parser), toml-value.c (the tree and its accessors) and
 * toml-scalar.c (strings, numbers, dates) share. Not for other modules. */
#ifndef NVCT_TOML_INTERNAL_H
#define NVCT_TOML_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

enum {
        TABLE_IMPLICIT = 1u << 0,  /* intermediate of a [header]: may still be defined later */
        TABLE_DEFINED = 1u << 1,   /* defined by a [header] or as a [[header]] element */
        TABLE_DOTTED = 1u << 2,    /* created by a dotted key */
        TABLE_INLINE = 1u << 3,    /* inline table: nothing may be added once parsed */
        ARRAY_OF_TABLES = 1u << 4, /* created by [[header]]: further headers append */
};

typedef struct table_entry {
        char *key; /* NUL-terminated for convenience, but may hold NULs: see key_len */
        size_t key_len;
        nvct_toml_value *value;
} table_entry;

/* Up to this many keys a linear scan beats hashing; beyond it, a table gets an
 * open-addressing index so that big tables stay linear to build. */
#define TABLE_INDEX_THRESHOLD 8

struct nvct_toml_value {
        nvct_toml_type type;
        unsigned flags;
        unsigned depth; /* containers only: root is 0, each nesting adds 1 */
        union {
                struct {
                        table_entry *entries;
                        size_t n_entries;
                        size_t n_allocated;
                        size_t *slots; /* entry index + 1, 0 when empty; NULL while small */
                        size_t n_slots;
                } table;
                struct {
                        nvct_toml_value **items;
                        size_t n_items;
                        size_t n_allocated;
                } array;
                struct {
                        char *text;
                        size_t len;
                } string; /* strings, and date/times as normalised text */
                int64_t integer;
                double number;
                bool boolean;
        };
};

/* ---- the tree (toml-value.c) ---- */

nvct_toml_value *toml_value_new(nvct_toml_type type);
void *toml_grow_array(void *array, size_t *n_allocated, size_t need, size_t elem_size);
nvct_toml_value *toml_table_find(const nvct_toml_value *t, const char *key, size_t len);
int toml_table_add(nvct_toml_value *t, char *key, size_t key_len, nvct_toml_value *value);
int toml_array_append(nvct_toml_value *a, nvct_toml_value *item);

/* ---- growable text ---- */

typedef struct text_buf {
        char *data;
        size_t len;
        size_t n_allocated;
} text_buf;

static inline void text_buf_clear(text_buf *b) {
        free(b->data);
        *b = (text_buf){};
}

static inline int text_buf_append(text_buf *b, const void *s, size_t n) {
        if (n > SIZE_MAX - b->len - 1)
                return -ENOMEM;
        char *data = toml_grow_array(b->data, &b->n_allocated, b->len + n + 1, 1);
        if (data == NULL)
                return -ENOMEM;
        b->data = data;
        memcpy(data + b->len, s, n);
        b->len += n;
        data[b->len] = '\0';
        return 0;
}

static inline int text_buf_putc(text_buf *b, char c) {
        return text_buf_append(b, &c, 1);
}

/* Hands out the text, never NULL even when empty. */
static inline int text_buf_take(text_buf *b, char **ret, size_t *ret_len) {
        if (b->data == NULL) {
                b->data = strdup("");
                if (b->data == NULL)
                        return -ENOMEM;
        }
        *ret_len = b->len;
        *ret = b->data;
        *b = (text_buf){};
        return 0;
}

/* ---- parser ---- */

typedef struct parser {
        const char *data;
        size_t len;
        size_t pos;
        const char *name;
        nvct_error **err;
} parser;

static inline int peek_at(const parser *p, size_t offset) {
        if (offset >= p->len - p->pos || p->pos >= p->len)
                return -1;
        return (unsigned char)p->data[p->pos + offset];
}

static inline int peek(const parser *p) {
        return peek_at(p, 0);
}

static inline bool is_digit(int c) {
        return c >= '0' && c <= '9';
}

static inline bool is_hex_digit(int c) {
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline bool is_bare_key_char(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
               c == '-';
}

static inline bool is_control(int c) {
        /* Tab is the one control character allowed in strings and comments. */
        return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

/* ---- the parser's shared pieces (toml.c) ---- */

int toml_parser_fail(parser *p, size_t pos, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int toml_parser_oom(parser *p);
const char *toml_describe_at(const parser *p, size_t pos, char buf[static 32]);
void toml_skip_whitespace(parser *p);
bool toml_consume_newline(parser *p);

/* ---- scalars (toml-scalar.c) ---- */

int toml_parse_string(parser *p, bool allow_multiline, char **ret, size_t *ret_len);
int toml_parse_datetime(parser *p, nvct_toml_value **ret);
int toml_parse_number(parser *p, nvct_toml_value **ret);

#endif
