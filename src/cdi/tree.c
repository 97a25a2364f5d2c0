/* SPDX-License-Identifier: Apache-2.0 */
/* The loader's private document tree, built from yajl's callback parser or
 * libyaml's event parser. Security: bounded in depth (NVCT_CDI_MAX_DEPTH),
 * in values (MAX_NODES, and one per BYTES_PER_NODE bytes) and in size; NUL
 * bytes, invalid UTF-8, duplicate keys, YAML anchors, aliases and tags are
 * refused while it is built. */
#define _GNU_SOURCE
#include "tree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>
#include <yaml.h>

#include "internal.h"
#include "basic/cleanup.h"
#include "basic/quote.h"
#include "basic/utf8.h"

/* Values (scalars, maps, lists) a loaded document may hold: with the depth
 * bound, this caps the memory a hostile spec can make us use. */
#define MAX_NODES (1u << 20)

/* Security: a value costs a 32-byte node, and "0," is one in two bytes: a
 * spec of tiny values would cost 16 times its size before any check. A
 * document may hold one value per BYTES_PER_NODE bytes (beyond the first
 * MIN_NODES), so that what it costs stays a small multiple of its size.
 * Real specs have about 25 bytes per value, compact JSON included. */
#define BYTES_PER_NODE 8
#define MIN_NODES (1u << 16)

static bool is_container(const node *n) {
        return n->type == NODE_MAP || n->type == NODE_LIST;
}

/* Only the open maps and lists (a parse that failed) own a malloc'ed array;
 * closed ones' are in the arena. */
static void node_free(node *n) {
        if (!is_container(n) || n->cap_kids == 0)
                return;
        for (size_t i = 0; i < n->n_kids; i++)
                node_free(&n->kids[i]);
        free(n->kids);
}

void cdi_tree_free(tree *t) {
        if (t->has_root)
                node_free(&t->root);
        while (t->chunks != NULL) {
                arena_chunk *next = t->chunks->next;
                free(t->chunks);
                t->chunks = next;
        }
        free(t->problem);
        *t = (tree){ 0 };
}

/* `size` bytes in the arena, aligned to `align` (a power of two). A block over a quarter of
 * a chunk gets a chunk of its own, behind the one being filled: at most a
 * quarter of each chunk is left unused. */
static void *arena_alloc(tree *t, size_t size, size_t align) {
        arena_chunk *c = t->chunks;
        size_t at = c != NULL ? (c->used + align - 1) & ~(align - 1) : 0;
        if (c == NULL || at > c->size || c->size - at < size) {
                bool own = size > ARENA_CHUNK_SIZE / 4;
                size_t chunk_size = own ? size : ARENA_CHUNK_SIZE;
                arena_chunk *fresh = malloc(sizeof(*fresh) + chunk_size);
                if (fresh == NULL)
                        return NULL;
                fresh->used = 0;
                fresh->size = chunk_size;
                if (own && c != NULL) {
                        fresh->next = c->next;
                        c->next = fresh;
                } else {
                        fresh->next = c;
                        t->chunks = fresh;
                }
                c = fresh;
                at = 0;
        }
        c->used = at + size;
        return c->data + at;
}

/* A NUL-terminated copy of `len` bytes in the arena. */
static const char *arena_copy(tree *t, const char *s, size_t len) {
        char *copy = arena_alloc(t, len + 1, 1);
        if (copy == NULL)
                return NULL;
        memcpy(copy, s, len);
        copy[len] = '\0';
        return copy;
}

static bool tree_fail(tree *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool tree_fail(tree *t, const char *fmt, ...) {
        if (t->problem == NULL) {
                va_list ap;
                va_start(ap, fmt);
                if (vasprintf(&t->problem, fmt, ap) < 0)
                        t->problem = NULL;
                va_end(ap);
        }
        return false;
}

/* Text from the document: NUL bytes are refused (a string here becomes a
 * path or an argument), and so is what is not UTF-8. */
static bool tree_check_text(tree *t, const char *s, size_t len) {
        if (memchr(s, '\0', len) != NULL)
                return tree_fail(t, "a NUL byte in a string");
        if (!nvct_utf8_valid(s, len))
                return tree_fail(t, "invalid UTF-8 in a string");
        return true;
}

static node *tree_add(tree *t, node_type type, const char *text, size_t len) {
        if (t->n_nodes >= t->max_nodes) {
                if (t->max_nodes == MAX_NODES)
                        tree_fail(t, "more than %zu values", t->max_nodes);
                else
                        tree_fail(t,
                                  "more than %zu values: a spec may hold one per %d bytes "
                                  "(at least %u)",
                                  t->max_nodes, BYTES_PER_NODE, MIN_NODES);
                return NULL;
        }
        if (text != NULL && !tree_check_text(t, text, len))
                return NULL;
        const char *copy = text != NULL ? arena_copy(t, text, len) : NULL;
        if (text != NULL && copy == NULL) {
                tree_fail(t, "out of memory");
                return NULL;
        }
        node *n;
        if (t->depth == 0) {
                if (t->has_root) {
                        tree_fail(t, "more than one document");
                        return NULL;
                }
                n = &t->root;
                t->has_root = true;
        } else {
                node *parent = t->stack[t->depth - 1];
                if (parent->type == NODE_MAP && t->key == NULL) {
                        tree_fail(t, "a map value without a key");
                        return NULL;
                }
                if (parent->n_kids == parent->cap_kids) {
                        uint32_t cap = parent->cap_kids ? parent->cap_kids * 2 : 4;
                        node *kids = reallocarray(parent->kids, cap, sizeof(*kids));
                        if (kids == NULL) {
                                tree_fail(t, "out of memory");
                                return NULL;
                        }
                        parent->kids = kids;
                        parent->cap_kids = cap;
                }
                n = &parent->kids[parent->n_kids++];
        }
        *n = (node){ .type = (uint8_t)type };
        if (copy != NULL) {
                n->text = copy;
                n->len = (uint32_t)len;
        }
        if (t->depth > 0 && t->stack[t->depth - 1]->type == NODE_MAP) {
                n->key = t->key;
                n->key_len = (uint32_t)t->key_len;
                t->key = NULL;
                t->expect_key[t->depth - 1] = true;
        }
        t->n_nodes++;
        return n;
}

static bool tree_key(tree *t, const char *key, size_t len) {
        if (!tree_check_text(t, key, len))
                return false;
        t->key = arena_copy(t, key, len);
        if (t->key == NULL)
                return tree_fail(t, "out of memory");
        t->key_len = len;
        t->expect_key[t->depth - 1] = false;
        return true;
}

static bool tree_open(tree *t, node_type type) {
        if (t->depth >= NVCT_CDI_MAX_DEPTH)
                return tree_fail(t, "nested deeper than %d levels", NVCT_CDI_MAX_DEPTH);
        node *n = tree_add(t, type, NULL, 0);
        if (n == NULL)
                return false;
        t->expect_key[t->depth] = type == NODE_MAP;
        t->stack[t->depth++] = n;
        return true;
}

static int cmp_key_ptr(const void *a, const void *b) {
        const node *x = *(const node *const *)a, *y = *(const node *const *)b;
        int c = memcmp(x->key, y->key, x->key_len < y->key_len ? x->key_len : y->key_len);
        return c != 0 ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* As the CDI reference's strict YAML decoding: a key twice is an error
 * (not "the last one wins"). Sorting keeps a huge map O(n log n). */
static bool check_duplicate_keys(tree *t, const node *map) {
        size_t n = map->n_kids;
        if (n < 2)
                return true;
        _cleanup_free_ const node **v = calloc(n, sizeof(*v));
        if (v == NULL)
                return tree_fail(t, "out of memory");
        for (size_t i = 0; i < n; i++)
                v[i] = &map->kids[i];
        qsort(v, n, sizeof(*v), cmp_key_ptr);
        for (size_t i = 1; i < n; i++) {
                if (cmp_key_ptr(&v[i - 1], &v[i]) == 0) {
                        _cleanup_free_ char *q = nvct_quote(v[i]->key, v[i]->key_len);
                        return tree_fail(t, "duplicate key %s", q ? q : "?");
                }
        }
        return true;
}

static bool tree_close(tree *t) {
        node *n = t->stack[t->depth - 1];
        if (n->type == NODE_MAP && !check_duplicate_keys(t, n))
                return false;
        /* A closed node's members move to the arena, exactly: no slack from
         * doubling, no malloc header per small map (nothing points into its
         * array, its members being closed too). cap_kids 0 marks it. */
        if (n->n_kids > 0) {
                node *kids = arena_alloc(t, n->n_kids * sizeof(*kids), _Alignof(node));
                if (kids == NULL)
                        return tree_fail(t, "out of memory");
                memcpy(kids, n->kids, n->n_kids * sizeof(*kids));
                free(n->kids);
                n->kids = kids;
        }
        n->cap_kids = 0;
        t->depth--;
        return true;
}

/* ---- JSON, through yajl's callback parser ---- */

static int json_null(void *ctx) {
        return tree_add(ctx, NODE_NULL, NULL, 0) != NULL;
}

static int json_boolean(void *ctx, int value) {
        node *n = tree_add(ctx, NODE_BOOL, NULL, 0);
        if (n != NULL)
                n->boolean = value != 0;
        return n != NULL;
}

static int json_number(void *ctx, const char *s, size_t len) {
        return tree_add(ctx, NODE_NUMBER, s, len) != NULL;
}

static int json_string(void *ctx, const unsigned char *s, size_t len) {
        return tree_add(ctx, NODE_STRING, len > 0 ? (const char *)s : "", len) != NULL;
}

static int json_start_map(void *ctx) {
        return tree_open(ctx, NODE_MAP);
}

static int json_map_key(void *ctx, const unsigned char *s, size_t len) {
        return tree_key(ctx, len > 0 ? (const char *)s : "", len);
}

static int json_end(void *ctx) {
        return tree_close(ctx);
}

static int json_start_array(void *ctx) {
        return tree_open(ctx, NODE_LIST);
}

static const yajl_callbacks json_callbacks = {
        .yajl_null = json_null,
        .yajl_boolean = json_boolean,
        .yajl_number = json_number,
        .yajl_string = json_string,
        .yajl_start_map = json_start_map,
        .yajl_map_key = json_map_key,
        .yajl_end_map = json_end,
        .yajl_start_array = json_start_array,
        .yajl_end_array = json_end,
};

static void line_column(const char *data, size_t len, size_t offset, size_t *line, size_t *col) {
        *line = 1;
        *col = 1;
        for (size_t i = 0; i < offset && i < len; i++) {
                if (data[i] == '\n') {
                        (*line)++;
                        *col = 1;
                } else {
                        (*col)++;
                }
        }
}

static int parse_json(const char *data, size_t len, tree *t, nvct_error **err) {
        yajl_handle h = yajl_alloc(&json_callbacks, NULL, t);
        if (h == NULL)
                return cdi_oom(err);
        size_t offset = 0;
        yajl_status s = yajl_parse(h, (const unsigned char *)data, len);
        if (s != yajl_status_ok) {
                offset = yajl_get_bytes_consumed(h);
        } else {
                s = yajl_complete_parse(h);
                offset = len;
        }
        int r = 0;
        if (s != yajl_status_ok) {
                size_t line, col;
                line_column(data, len, offset, &line, &col);
                if (s == yajl_status_client_canceled) {
                        r = nvct_error_make(err, 0, "line %zu, column %zu: %s", line, col,
                                            t->problem ? t->problem : "out of memory");
                } else {
                        unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
                        /* "parse error: premature EOF\n" */
                        const char *m = msg ? (const char *)msg : "invalid JSON";
                        if (strncmp(m, "parse error: ", 13) == 0)
                                m += 13;
                        size_t mlen = strcspn(m, "\n");
                        r = nvct_error_make(err, 0, "line %zu, column %zu: invalid JSON: %.*s",
                                            line, col, (int)mlen, m);
                        if (msg != NULL)
                                yajl_free_error(h, msg);
                }
        } else if (!t->has_root) {
                r = nvct_error_make(err, 0, "empty document");
        }
        yajl_free(h);
        return r;
}

/* ---- YAML, through libyaml's event parser ---- */

static bool yaml_refuse_extras(tree *t, const yaml_char_t *anchor, const yaml_char_t *tag) {
        /* Anchors and aliases (a "billion laughs" bomb needs them) and tags
         * (no CDI field needs one) are refused outright. */
        if (anchor != NULL)
                return tree_fail(t, "YAML anchors are not supported");
        if (tag != NULL)
                return tree_fail(t, "YAML tags are not supported");
        return true;
}

static bool yaml_event(tree *t, const yaml_event_t *ev, int *documents, bool *done) {
        bool key_next = t->depth > 0 && t->stack[t->depth - 1]->type == NODE_MAP &&
                        t->expect_key[t->depth - 1];
        switch (ev->type) {
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_END_EVENT:
        case YAML_NO_EVENT:
                return true;
        case YAML_STREAM_END_EVENT:
                *done = true;
                return true;
        case YAML_DOCUMENT_START_EVENT:
                if (++*documents > 1)
                        return tree_fail(t, "more than one YAML document");
                return true;
        case YAML_ALIAS_EVENT:
                return tree_fail(t, "YAML aliases are not supported");
        case YAML_SCALAR_EVENT: {
                const char *text = (const char *)ev->data.scalar.value;
                size_t len = ev->data.scalar.length;
                if (!yaml_refuse_extras(t, ev->data.scalar.anchor, ev->data.scalar.tag))
                        return false;
                if (key_next)
                        return tree_key(t, text, len);
                node_type type =
                        ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? NODE_PLAIN : NODE_STRING;
                return tree_add(t, type, text, len) != NULL;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
                bool map = ev->type == YAML_MAPPING_START_EVENT;
                if (!yaml_refuse_extras(
                            t, map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor,
                            map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag))
                        return false;
                if (key_next)
                        return tree_fail(t, "a map key that is not a scalar");
                return tree_open(t, map ? NODE_MAP : NODE_LIST);
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                return tree_close(t);
        }
        return true;
}

static int parse_yaml(const char *data, size_t len, tree *t, nvct_error **err) {
        yaml_parser_t p;
        if (!yaml_parser_initialize(&p))
                return cdi_oom(err);
        yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
        int documents = 0, r = 0;
        bool done = false;
        while (!done) {
                yaml_event_t ev;
                if (!yaml_parser_parse(&p, &ev)) {
                        if (p.error == YAML_MEMORY_ERROR)
                                r = cdi_oom(err);
                        else
                                r = nvct_error_make(
                                        err, 0, "line %zu, column %zu: invalid YAML: %s%s%s",
                                        p.problem_mark.line + 1, p.problem_mark.column + 1,
                                        p.problem ? p.problem : "syntax error",
                                        p.context ? " " : "", p.context ? p.context : "");
                        break;
                }
                bool ok = yaml_event(t, &ev, &documents, &done);
                size_t line = ev.start_mark.line + 1, col = ev.start_mark.column + 1;
                yaml_event_delete(&ev);
                if (!ok) {
                        r = nvct_error_make(err, 0, "line %zu, column %zu: %s", line, col,
                                            t->problem ? t->problem : "out of memory");
                        break;
                }
        }
        yaml_parser_delete(&p);
        if (r == 0 && !t->has_root)
                r = nvct_error_make(err, 0, "empty document");
        return r;
}

int cdi_tree_parse(const char *data, size_t len, nvct_cdi_format format, tree *ret_tree,
                   nvct_error **err) {
        if (len > NVCT_CDI_MAX_FILE_SIZE)
                return nvct_error_make(err, 0, "larger than %u bytes", NVCT_CDI_MAX_FILE_SIZE);
        size_t max_nodes = len / BYTES_PER_NODE;
        if (max_nodes < MIN_NODES)
                max_nodes = MIN_NODES;
        if (max_nodes > MAX_NODES)
                max_nodes = MAX_NODES;
        *ret_tree = (tree){ .max_nodes = max_nodes };
        int r = format == NVCT_CDI_JSON ? parse_json(data ? data : "", len, ret_tree, err)
                                        : parse_yaml(data ? data : "", len, ret_tree, err);
        if (r < 0)
                cdi_tree_free(ret_tree);
        return r;
}
