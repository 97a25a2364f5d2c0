/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a document: yajl's callback parser (fed the whole bounded buffer
 * at once: every byte is lexed once) or libyaml's event parser, both
 * building the tree through the same few steps (add a value, read a key,
 * open, close) that enforce the bounds and the mode's rules. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>
#include <yaml.h>

#include "basic/cleanup.h"
#include "basic/hash.h"
#include "basic/quote.h"
#include "basic/utf8.h"
#include "document.h"
#include "internal.h"

#define ARENA_CHUNK_SIZE (64u << 10)
/* Keys kept once each (key_copy): the table's size (a power of two) and the
 * longest key kept. */
#define KEYS_KEPT 4096
#define KEY_KEPT_MAX 64
/* Longest path shown in a message before it is cut. */
#define PATH_SHOWN_MAX 512

typedef struct frame {
        nvct_document_node *node; /* the open object or array */
        /* Where its value being read goes: the key (objects), the index
         * (arrays). */
        const char *key;
        uint32_t key_len;
        bool has_key;    /* objects: a key was read, its value not yet */
        ssize_t replace; /* Go mode: the member whose value the key's replaces, or -1 */
} frame;

typedef struct parser {
        const nvct_document_options *opts;
        root_shell *root;
        bool has_root;
        frame *stack;
        size_t depth, stack_cap, max_depth;
        size_t n_nodes, max_nodes;
        bool density;      /* max_nodes comes from bytes_per_node */
        const char **keys; /* key_copy's table */
        size_t n_keys;
        char *problem;
} parser;

/* ---- the arena ---- */

/* `size` bytes in the root's arena, aligned to `align` (a power of two).
 * A block over a quarter of a chunk gets a chunk of its own, behind the one
 * being filled: at most a quarter of each chunk goes unused. */
static void *arena_alloc(parser *p, size_t size, size_t align) {
        arena_chunk *c = p->root->chunks;
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
                        p->root->chunks = fresh;
                }
                c = fresh;
                at = 0;
        }
        c->used = at + size;
        return c->data + at;
}

/* `len` bytes and a NUL in the root's arena. */
static const char *arena_copy(parser *p, const char *s, size_t len) {
        char *copy = arena_alloc(p, len + 1, 1);
        if (copy == NULL)
                return NULL;
        if (len > 0)
                memcpy(copy, s, len);
        copy[len] = '\0';
        return copy;
}

/* A key's copy: the same one for each of its occurrences. Real documents
 * repeat a few names ("name", "containerEdits", "env") thousands of times;
 * keeping each once saves a good part of what a parsed document costs.
 * Bounded: short keys, and at most KEYS_KEPT/2 of them (a document of
 * distinct keys copies the others); the table is keyed (basic/hash.h), so
 * an input cannot make its keys collide. */
static const char *key_copy(parser *p, const char *s, size_t len) {
        if (len > KEY_KEPT_MAX)
                return arena_copy(p, s, len);
        if (p->keys == NULL) {
                p->keys = calloc(KEYS_KEPT, sizeof(*p->keys));
                if (p->keys == NULL)
                        return arena_copy(p, s, len);
        }
        size_t i = (size_t)(nvct_hash(s, len) & (KEYS_KEPT - 1));
        for (; p->keys[i] != NULL; i = (i + 1) & (KEYS_KEPT - 1)) {
                const char *k = p->keys[i];
                if ((unsigned char)k[0] == len && memcmp(k + 1, s, len) == 0)
                        return k + 1;
        }
        if (p->n_keys >= KEYS_KEPT / 2)
                return arena_copy(p, s, len);
        /* Its length first, then its bytes and a NUL. */
        char *copy = arena_alloc(p, len + 2, 1);
        if (copy == NULL)
                return NULL;
        copy[0] = (char)len;
        if (len > 0)
                memcpy(copy + 1, s, len);
        copy[len + 1] = '\0';
        p->keys[i] = copy;
        p->n_keys++;
        return copy + 1;
}

/* ---- errors ---- */

static bool fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool is_name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
}

static bool is_name(const char *s, size_t len) {
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!is_name_char(s[i]))
                        return false;
        return true;
}

/* The path of the value being read in the first `levels` open containers:
 * "devices[3].containerEdits.env[0]"; a key that is not a plain name is
 * shown quoted in brackets: a["x.y"]. Cut at PATH_SHOWN_MAX bytes. */
static void render_path(const parser *p, size_t levels, char *buf, size_t size) {
        size_t at = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < levels && at < size; i++) {
                const frame *f = &p->stack[i];
                int n;
                if (f->node->kind == NVCT_DOCUMENT_ARRAY) {
                        size_t index = container_size(f->node);
                        /* An open container is the last item. */
                        if (i + 1 < p->depth)
                                index--;
                        n = snprintf(buf + at, size - at, "[%zu]", index);
                } else if (i + 1 == p->depth && !f->has_key) {
                        break; /* the key is not read yet */
                } else if (is_name(f->key, f->key_len)) {
                        n = snprintf(buf + at, size - at, "%s%.*s", at > 0 ? "." : "",
                                     (int)f->key_len, f->key);
                } else {
                        _cleanup_free_ char *q = nvct_quote(f->key, f->key_len);
                        n = snprintf(buf + at, size - at, "[%s]", nvct_quoted(q));
                }
                at = n < 0 ? size : at + (size_t)n;
        }
        if (at >= size && size > 4)
                memcpy(buf + size - 4, "...", 4);
}

/* The first problem wins; it is prefixed with the path of `levels`. */
static bool vfail_at(parser *p, size_t levels, const char *fmt, va_list ap) {
        if (p->problem != NULL)
                return false;
        char where[PATH_SHOWN_MAX];
        render_path(p, levels, where, sizeof(where));
        _cleanup_free_ char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                return false;
        if (asprintf(&p->problem, "%s%s%s", where, where[0] ? ": " : "", msg) < 0)
                p->problem = NULL;
        return false;
}

/* A problem with the value being read. */
static bool fail(parser *p, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vfail_at(p, p->depth, fmt, ap);
        va_end(ap);
        return false;
}

/* A problem with a key: the path is its object's. */
static bool fail_key(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail_key(parser *p, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vfail_at(p, p->depth - 1, fmt, ap);
        va_end(ap);
        return false;
}

static bool check_text(parser *p, const char *s, size_t len, bool key) {
        const char *what = NULL;
        if (p->opts->refuse_nul && memchr(s, '\0', len) != NULL)
                what = "a NUL byte";
        else if (p->opts->mode == NVCT_DOCUMENT_STRICT && !nvct_utf8_valid(s, len))
                what = "invalid UTF-8";
        if (what == NULL)
                return true;
        if (key)
                return fail_key(p, "%s in a key", what);
        return fail(p, "%s in a string", what);
}

/* ---- building ---- */

/* Where the next value goes: a fresh node for it (zeroed), or NULL. */
static nvct_document_node *add(parser *p, nvct_document_kind kind) {
        if (p->n_nodes >= p->max_nodes) {
                if (p->density)
                        fail(p,
                             "more than %zu values: a document may hold one per %zu bytes "
                             "(at least %zu)",
                             p->max_nodes, p->opts->bytes_per_node, p->opts->min_nodes);
                else
                        fail(p, "more than %zu values", p->max_nodes);
                return NULL;
        }
        nvct_document_node *n;
        if (p->depth == 0) {
                if (p->has_root) {
                        fail(p, "more than one document");
                        return NULL;
                }
                n = &p->root->node;
                p->has_root = true;
        } else {
                frame *f = &p->stack[p->depth - 1];
                nvct_document_node *c = f->node;
                if (c->kind == NVCT_DOCUMENT_OBJECT && !f->has_key) {
                        fail(p, "a map value without a key");
                        return NULL;
                }
                if (c->kind == NVCT_DOCUMENT_OBJECT && f->replace >= 0) {
                        /* Go mode, a key again: its first member gets this value. */
                        n = &block_members(c->block)[f->replace].value;
                        node_clear(n);
                } else if (!block_reserve(c)) {
                        fail(p, "out of memory");
                        return NULL;
                } else if (c->kind == NVCT_DOCUMENT_OBJECT) {
                        member *m = &block_members(c->block)[c->block->n++];
                        *m = (member){ .key = f->key, .key_len = f->key_len };
                        n = &m->value;
                        if (!object_index_add(c)) {
                                fail(p, "out of memory");
                                return NULL;
                        }
                } else {
                        n = &block_items(c->block)[c->block->n++];
                }
                f->has_key = false;
        }
        uint8_t keep = n->flags & (NODE_STANDALONE | NODE_ROOT);
        *n = (nvct_document_node){ .kind = (uint8_t)kind, .flags = keep };
        p->n_nodes++;
        return n;
}

static bool add_scalar(parser *p, nvct_document_kind kind, const char *s, size_t len,
                       uint8_t flags) {
        if (kind == NVCT_DOCUMENT_STRING && !check_text(p, s, len, false))
                return false;
        const char *copy = arena_copy(p, s, len);
        if (copy == NULL)
                return fail(p, "out of memory");
        nvct_document_node *n = add(p, kind);
        if (n == NULL)
                return false;
        n->flags |= flags;
        n->text = copy;
        n->len = (uint32_t)len;
        return true;
}

static bool read_key(parser *p, const char *s, size_t len) {
        frame *f = &p->stack[p->depth - 1];
        if (!check_text(p, s, len, true))
                return false;
        ssize_t at = object_find(f->node, s, len);
        if (at >= 0 && p->opts->mode == NVCT_DOCUMENT_STRICT) {
                _cleanup_free_ char *q = nvct_quote(s, len);
                return fail_key(p, "duplicate key %s", nvct_quoted(q));
        }
        f->replace = at;
        if (at >= 0) {
                f->key = block_members(f->node->block)[at].key;
        } else {
                f->key = key_copy(p, s, len);
                if (f->key == NULL)
                        return fail_key(p, "out of memory");
        }
        f->key_len = (uint32_t)len;
        f->has_key = true;
        return true;
}

static bool open_container(parser *p, nvct_document_kind kind) {
        if (p->depth >= p->max_depth)
                return fail(p, "nested deeper than %zu levels", p->max_depth);
        if (p->depth == p->stack_cap) {
                size_t cap = p->stack_cap ? p->stack_cap * 2 : 16;
                frame *bigger = reallocarray(p->stack, cap, sizeof(*bigger));
                if (bigger == NULL)
                        return fail(p, "out of memory");
                p->stack = bigger;
                p->stack_cap = cap;
        }
        nvct_document_node *n = add(p, kind);
        if (n == NULL)
                return false;
        p->stack[p->depth++] = (frame){ .node = n, .replace = -1 };
        return true;
}

/* A closed container's members move to the root's arena, exactly: no
 * slack from doubling, no malloc header per small object (nothing points
 * into the heap array, the members being closed too). The index of a large
 * object goes (a lookup rebuilds it): what a document costs stays close to
 * what it holds. */
static bool close_container(parser *p) {
        nvct_document_node *n = p->stack[--p->depth].node;
        block *b = n->block;
        if (b == NULL)
                return true;
        free(b->index);
        b->index = NULL;
        b->index_size = 0;
        size_t size = n->kind == NVCT_DOCUMENT_OBJECT ? sizeof(member) : sizeof(nvct_document_node);
        size_t bytes = offsetof(block, data) + b->n * size;
        block *exact = arena_alloc(p, bytes, _Alignof(block));
        if (exact == NULL)
                return fail(p, "out of memory");
        memcpy(exact, b, bytes);
        exact->cap = 0;
        free(b);
        n->block = exact;
        return true;
}

/* ---- JSON ---- */

static int json_null(void *ctx) {
        nvct_document_node *n = add(ctx, NVCT_DOCUMENT_NULL);
        if (n != NULL) {
                n->text = "null";
                n->len = 4;
        }
        return n != NULL;
}

static int json_boolean(void *ctx, int value) {
        nvct_document_node *n = add(ctx, NVCT_DOCUMENT_BOOL);
        if (n != NULL) {
                n->text = value ? "true" : "false";
                n->len = value ? 4 : 5;
                n->flags |= value ? NODE_BOOL_TRUE : 0;
        }
        return n != NULL;
}

static int json_number(void *ctx, const char *s, size_t len) {
        return add_scalar(ctx, NVCT_DOCUMENT_NUMBER, s, len, 0);
}

static int json_string(void *ctx, const unsigned char *s, size_t len) {
        return add_scalar(ctx, NVCT_DOCUMENT_STRING, len > 0 ? (const char *)s : "", len, 0);
}

static int json_start_map(void *ctx) {
        return open_container(ctx, NVCT_DOCUMENT_OBJECT);
}

static int json_map_key(void *ctx, const unsigned char *s, size_t len) {
        return read_key(ctx, len > 0 ? (const char *)s : "", len);
}

static int json_start_array(void *ctx) {
        return open_container(ctx, NVCT_DOCUMENT_ARRAY);
}

static int json_end(void *ctx) {
        return close_container(ctx);
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

static int parse_json(const char *data, size_t len, parser *p, nvct_error **err) {
        yajl_handle h = yajl_alloc(&json_callbacks, NULL, p);
        if (h == NULL)
                return nvct_error_make(err, 0, "out of memory");
        /* UTF-8 is checked here (strict mode), where the message can say
         * where; Go mode keeps the bytes. */
        yajl_config(h, yajl_dont_validate_strings, 1);
        size_t offset;
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
                                            p->problem ? p->problem : "out of memory");
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
        } else if (!p->has_root) {
                r = nvct_error_make(err, 0, "empty document");
        }
        yajl_free(h);
        return r;
}

/* ---- YAML ---- */

static bool yaml_refuse_extras(parser *p, const yaml_char_t *anchor, const yaml_char_t *tag) {
        /* Security: anchors and aliases (a "billion laughs" bomb needs them)
         * and tags (which would make a value something its text is not) are
         * refused outright, as the CDI loader always did. */
        if (anchor != NULL)
                return fail(p, "YAML anchors are not supported");
        if (tag != NULL)
                return fail(p, "YAML tags are not supported");
        return true;
}

static bool key_next(const parser *p) {
        if (p->depth == 0)
                return false;
        const frame *f = &p->stack[p->depth - 1];
        return f->node->kind == NVCT_DOCUMENT_OBJECT && !f->has_key;
}

static bool yaml_scalar(parser *p, const yaml_event_t *ev) {
        const char *text = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        if (!yaml_refuse_extras(p, ev->data.scalar.anchor, ev->data.scalar.tag))
                return false;
        if (key_next(p))
                return read_key(p, text, len);
        if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                return add_scalar(p, NVCT_DOCUMENT_STRING, text, len, 0);
        bool value = false;
        nvct_document_kind kind = resolve_plain(text, len, &value);
        return add_scalar(p, kind, text, len, (uint8_t)(NODE_PLAIN | (value ? NODE_BOOL_TRUE : 0)));
}

static bool yaml_event(parser *p, const yaml_event_t *ev, int *documents, bool *done) {
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
                        return fail(p, "more than one YAML document");
                return true;
        case YAML_ALIAS_EVENT:
                return fail(p, "YAML aliases are not supported");
        case YAML_SCALAR_EVENT:
                return yaml_scalar(p, ev);
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
                bool map = ev->type == YAML_MAPPING_START_EVENT;
                if (!yaml_refuse_extras(
                            p, map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor,
                            map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag))
                        return false;
                if (key_next(p))
                        return fail_key(p, "a map key that is not a scalar");
                return open_container(p, map ? NVCT_DOCUMENT_OBJECT : NVCT_DOCUMENT_ARRAY);
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                return close_container(p);
        }
        return true;
}

static int parse_yaml(const char *data, size_t len, parser *p, nvct_error **err) {
        yaml_parser_t yp;
        if (!yaml_parser_initialize(&yp))
                return nvct_error_make(err, 0, "out of memory");
        yaml_parser_set_input_string(&yp, (const unsigned char *)data, len);
        int documents = 0, r = 0;
        bool done = false;
        while (!done) {
                yaml_event_t ev;
                if (!yaml_parser_parse(&yp, &ev)) {
                        if (yp.error == YAML_MEMORY_ERROR)
                                r = nvct_error_make(err, 0, "out of memory");
                        else
                                r = nvct_error_make(
                                        err, 0, "line %zu, column %zu: invalid YAML: %s%s%s",
                                        yp.problem_mark.line + 1, yp.problem_mark.column + 1,
                                        yp.problem ? yp.problem : "syntax error",
                                        yp.context ? " " : "", yp.context ? yp.context : "");
                        break;
                }
                bool ok = yaml_event(p, &ev, &documents, &done);
                size_t line = ev.start_mark.line + 1, col = ev.start_mark.column + 1;
                yaml_event_delete(&ev);
                if (!ok) {
                        r = nvct_error_make(err, 0, "line %zu, column %zu: %s", line, col,
                                            p->problem ? p->problem : "out of memory");
                        break;
                }
        }
        yaml_parser_delete(&yp);
        if (r == 0 && !p->has_root)
                r = nvct_error_make(err, 0, "empty document");
        return r;
}

/* ---- the entry point ---- */

static void set_bounds(parser *p, size_t len) {
        const nvct_document_options *o = p->opts;
        p->max_depth = o->max_depth ? o->max_depth : NVCT_DOCUMENT_MAX_DEPTH;
        p->max_nodes = o->max_nodes ? o->max_nodes : NVCT_DOCUMENT_MAX_NODES;
        if (o->bytes_per_node > 0) {
                size_t by_size = len / o->bytes_per_node;
                if (by_size < o->min_nodes)
                        by_size = o->min_nodes;
                if (by_size < p->max_nodes) {
                        p->max_nodes = by_size;
                        p->density = true;
                }
        }
}

static int prefix_name(const char *name, nvct_error **err) {
        _cleanup_free_ char *q = nvct_quote_path(name != NULL ? name : "<input>");
        return nvct_error_prefix(err, "%s", nvct_quoted(q));
}

int nvct_document_parse(const char *data, size_t len, nvct_document_format format, const char *name,
                        const nvct_document_options *opts, nvct_document_node **ret_root,
                        nvct_error **err) {
        static const nvct_document_options defaults = { .mode = NVCT_DOCUMENT_STRICT };
        if (opts == NULL)
                opts = &defaults;
        size_t max_size = opts->max_size && opts->max_size < NVCT_DOCUMENT_MAX_SIZE
                                  ? opts->max_size
                                  : NVCT_DOCUMENT_MAX_SIZE;
        if (len > max_size) {
                nvct_error_make(err, 0, "larger than %zu bytes", max_size);
                return prefix_name(name, err);
        }
        parser p = { .opts = opts };
        set_bounds(&p, len);
        p.root = calloc(1, sizeof(*p.root));
        if (p.root == NULL) {
                nvct_error_make(err, 0, "out of memory");
                return prefix_name(name, err);
        }
        p.root->node.flags = NODE_STANDALONE | NODE_ROOT;
        int r = format == NVCT_DOCUMENT_YAML ? parse_yaml(data ? data : "", len, &p, err)
                                             : parse_json(data ? data : "", len, &p, err);
        /* A failed parse leaves containers open: their arrays are the
         * root's, freed with it. */
        free(p.stack);
        free(p.keys);
        free(p.problem);
        if (r < 0) {
                nvct_document_free(&p.root->node);
                return prefix_name(name, err);
        }
        *ret_root = &p.root->node;
        return 0;
}
