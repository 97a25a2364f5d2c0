/* SPDX-License-Identifier: Apache-2.0 */
/* The document tree's nodes: accessors, constructors, mutators, copy,
 * equality and freeing. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/hash.h"
#include "document.h"
#include "internal.h"

static const char *const kind_names[] = {
        [NVCT_DOCUMENT_NULL] = "null",     [NVCT_DOCUMENT_BOOL] = "boolean",
        [NVCT_DOCUMENT_NUMBER] = "number", [NVCT_DOCUMENT_STRING] = "string",
        [NVCT_DOCUMENT_OBJECT] = "object", [NVCT_DOCUMENT_ARRAY] = "array",
};

const char *nvct_document_kind_name(nvct_document_kind kind) {
        return (unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "?";
}

nvct_document_kind nvct_document_kind_of(const nvct_document_node *node) {
        return (nvct_document_kind)node->kind;
}

const char *nvct_document_text(const nvct_document_node *node, size_t *ret_len) {
        if (node == NULL || is_container(node))
                return NULL;
        if (ret_len != NULL)
                *ret_len = node->len;
        return node->text;
}

bool nvct_document_bool(const nvct_document_node *node) {
        return node != NULL && node->kind == NVCT_DOCUMENT_BOOL &&
               (node->flags & NODE_BOOL_TRUE) != 0;
}

bool nvct_document_is_plain(const nvct_document_node *node) {
        return node != NULL && (node->flags & NODE_PLAIN) != 0;
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

bool nvct_document_is_number(const char *s, size_t len) {
        size_t i = 0;
        if (i < len && s[i] == '-')
                i++;
        if (i >= len || !is_digit(s[i]))
                return false;
        if (s[i] == '0')
                i++;
        else
                while (i < len && is_digit(s[i]))
                        i++;
        if (i < len && s[i] == '.') {
                i++;
                if (i >= len || !is_digit(s[i]))
                        return false;
                while (i < len && is_digit(s[i]))
                        i++;
        }
        if (i < len && (s[i] == 'e' || s[i] == 'E')) {
                i++;
                if (i < len && (s[i] == '+' || s[i] == '-'))
                        i++;
                if (i >= len || !is_digit(s[i]))
                        return false;
                while (i < len && is_digit(s[i]))
                        i++;
        }
        return i == len;
}

static bool word_is(const char *s, size_t len, const char *word) {
        return strlen(word) == len && memcmp(s, word, len) == 0;
}

nvct_document_kind resolve_plain(const char *s, size_t len, bool *ret_bool) {
        static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
        static const char *const trues[] = { "true", "True", "TRUE" };
        static const char *const falses[] = { "false", "False", "FALSE" };
        for (size_t i = 0; i < 5; i++)
                if (word_is(s, len, nulls[i]))
                        return NVCT_DOCUMENT_NULL;
        for (size_t i = 0; i < 3; i++) {
                if (word_is(s, len, trues[i]) || word_is(s, len, falses[i])) {
                        if (ret_bool != NULL)
                                *ret_bool = word_is(s, len, trues[i]);
                        return NVCT_DOCUMENT_BOOL;
                }
        }
        return nvct_document_is_number(s, len) ? NVCT_DOCUMENT_NUMBER : NVCT_DOCUMENT_STRING;
}

/* ---- freeing ---- */

void node_clear(nvct_document_node *n) {
        if (is_container(n)) {
                block *b = n->block;
                if (b != NULL) {
                        for (uint32_t i = 0; i < b->n; i++) {
                                if (n->kind == NVCT_DOCUMENT_OBJECT) {
                                        member *m = &block_members(b)[i];
                                        if (m->own_key)
                                                free((char *)m->key);
                                        node_clear(&m->value);
                                } else {
                                        node_clear(&block_items(b)[i]);
                                }
                        }
                        free(b->index);
                        if (b->cap != 0) /* else: in the root's arena */
                                free(b);
                }
        } else if (n->flags & NODE_OWN_TEXT) {
                free((char *)n->text);
        }
        n->block = NULL;
        n->len = 0;
        n->flags &= (uint8_t)(NODE_STANDALONE | NODE_ROOT);
}

void nvct_document_free(nvct_document_node *node) {
        if (node == NULL || !(node->flags & NODE_STANDALONE))
                return;
        node_clear(node);
        if (node->flags & NODE_ROOT) {
                arena_chunk *c = ((root_shell *)node)->chunks;
                while (c != NULL) {
                        arena_chunk *next = c->next;
                        free(c);
                        c = next;
                }
        }
        free(node);
}

/* ---- constructors ---- */

static nvct_document_node *new_node(nvct_document_kind kind) {
        nvct_document_node *n = calloc(1, sizeof(*n));
        if (n != NULL) {
                n->kind = (uint8_t)kind;
                n->flags = NODE_STANDALONE;
        }
        return n;
}

nvct_document_node *nvct_document_new_null(void) {
        nvct_document_node *n = new_node(NVCT_DOCUMENT_NULL);
        if (n != NULL)
                (void)nvct_document_set_null(n, NULL);
        return n;
}

nvct_document_node *nvct_document_new_bool(bool value) {
        nvct_document_node *n = new_node(NVCT_DOCUMENT_NULL);
        if (n != NULL)
                (void)nvct_document_set_bool(n, value, NULL);
        return n;
}

nvct_document_node *nvct_document_new_number(const char *text, size_t len) {
        _cleanup_(nvct_document_freep) nvct_document_node *n = new_node(NVCT_DOCUMENT_NULL);
        if (n == NULL || nvct_document_set_number(n, text, len, NULL) < 0)
                return NULL;
        return TAKE_PTR(n);
}

nvct_document_node *nvct_document_new_string(const char *s, size_t len) {
        _cleanup_(nvct_document_freep) nvct_document_node *n = new_node(NVCT_DOCUMENT_NULL);
        if (n == NULL || nvct_document_set_string(n, s, len, NULL) < 0)
                return NULL;
        return TAKE_PTR(n);
}

nvct_document_node *nvct_document_new_object(void) {
        return new_node(NVCT_DOCUMENT_OBJECT);
}

nvct_document_node *nvct_document_new_array(void) {
        return new_node(NVCT_DOCUMENT_ARRAY);
}

/* ---- scalar mutators ---- */

static void set_static(nvct_document_node *n, nvct_document_kind kind, const char *text,
                       uint8_t flags) {
        node_clear(n);
        n->kind = (uint8_t)kind;
        n->flags |= flags;
        n->text = text;
        n->len = (uint32_t)strlen(text);
}

int nvct_document_set_null(nvct_document_node *node, nvct_error **err) {
        (void)err;
        set_static(node, NVCT_DOCUMENT_NULL, "null", 0);
        return 0;
}

int nvct_document_set_bool(nvct_document_node *node, bool value, nvct_error **err) {
        (void)err;
        set_static(node, NVCT_DOCUMENT_BOOL, value ? "true" : "false", value ? NODE_BOOL_TRUE : 0);
        return 0;
}

static int set_text(nvct_document_node *n, nvct_document_kind kind, const char *s, size_t len,
                    nvct_error **err) {
        if (len > UINT32_MAX)
                return nvct_error_make(err, 0, "a %s of %zu bytes: at most %u",
                                       nvct_document_kind_name(kind), len, UINT32_MAX);
        char *copy = malloc(len + 1);
        if (copy == NULL)
                return nvct_error_make(err, 0, "out of memory");
        if (len > 0)
                memcpy(copy, s, len);
        copy[len] = '\0';
        node_clear(n);
        n->kind = (uint8_t)kind;
        n->flags |= NODE_OWN_TEXT;
        n->text = copy;
        n->len = (uint32_t)len;
        return 0;
}

int nvct_document_set_number(nvct_document_node *node, const char *text, size_t len,
                             nvct_error **err) {
        if (!nvct_document_is_number(text, len))
                return nvct_error_make(err, 0, "not a JSON number");
        return set_text(node, NVCT_DOCUMENT_NUMBER, text, len, err);
}

int nvct_document_set_string(nvct_document_node *node, const char *s, size_t len,
                             nvct_error **err) {
        return set_text(node, NVCT_DOCUMENT_STRING, s, len, err);
}

/* ---- containers ---- */

bool block_reserve(nvct_document_node *n) {
        block *b = n->block;
        size_t size = n->kind == NVCT_DOCUMENT_OBJECT ? sizeof(member) : sizeof(nvct_document_node);
        if (b != NULL && b->n < b->cap)
                return true;
        size_t cap = b != NULL && b->n > 2 ? (size_t)b->n * 2 : 4;
        if (cap > UINT32_MAX)
                return false;
        block *bigger;
        if (b != NULL && b->cap == 0) {
                /* In the root's arena: copied out, the arena keeps the old. */
                bigger = malloc(offsetof(block, data) + cap * size);
                if (bigger == NULL)
                        return false;
                memcpy(bigger, b, offsetof(block, data) + b->n * size);
        } else {
                bigger = realloc(b, offsetof(block, data) + cap * size);
                if (bigger == NULL)
                        return false;
                if (b == NULL)
                        *bigger = (block){ 0 };
        }
        bigger->cap = (uint32_t)cap;
        n->block = bigger;
        return true;
}

static size_t index_slot(const block *b, const char *key, size_t len) {
        return (size_t)(nvct_hash(key, len) & (b->index_size - 1));
}

static void index_put(block *b, uint32_t pos) {
        const member *m = &block_members(b)[pos];
        size_t i = index_slot(b, m->key, m->key_len);
        while (b->index[i] != 0)
                i = (i + 1) & (b->index_size - 1);
        b->index[i] = pos + 1;
}

/* Security: the index is rebuilt at twice the members (load at most one
 * half), with the process's keyed hash: an input cannot make its keys
 * collide, so a lookup costs O(1) however many keys an object has. */
static bool index_rebuild(block *b, size_t want) {
        size_t size = 16;
        while (size < want * 2)
                size *= 2;
        if (size > UINT32_MAX)
                return false;
        uint32_t *index = calloc(size, sizeof(*index));
        if (index == NULL)
                return false;
        free(b->index);
        b->index = index;
        b->index_size = (uint32_t)size;
        for (uint32_t i = 0; i < b->n; i++)
                index_put(b, i);
        return true;
}

bool object_index_add(nvct_document_node *object) {
        block *b = object->block;
        if (b == NULL || b->n <= SMALL_OBJECT)
                return true;
        if (b->index == NULL || (size_t)b->n * 2 > b->index_size)
                return index_rebuild(b, b->n);
        index_put(b, b->n - 1);
        return true;
}

static bool key_is(const member *m, const char *key, size_t len) {
        return m->key_len == len && memcmp(m->key, key, len) == 0;
}

ssize_t object_find(const nvct_document_node *object, const char *key, size_t len) {
        if (object == NULL || object->kind != NVCT_DOCUMENT_OBJECT || object->block == NULL)
                return -1;
        block *b = object->block;
        const member *m = block_members(b);
        if (b->n > SMALL_OBJECT && (b->index != NULL || index_rebuild(b, b->n))) {
                for (size_t i = index_slot(b, key, len); b->index[i] != 0;
                     i = (i + 1) & (b->index_size - 1))
                        if (key_is(&m[b->index[i] - 1], key, len))
                                return (ssize_t)(b->index[i] - 1);
                return -1;
        }
        /* Small, or no memory for an index: scanned. */
        for (uint32_t i = 0; i < b->n; i++)
                if (key_is(&m[i], key, len))
                        return (ssize_t)i;
        return -1;
}

size_t nvct_document_object_size(const nvct_document_node *object) {
        return object != NULL && object->kind == NVCT_DOCUMENT_OBJECT ? container_size(object) : 0;
}

const char *nvct_document_object_key(const nvct_document_node *object, size_t i, size_t *ret_len) {
        if (i >= nvct_document_object_size(object))
                return NULL;
        const member *m = &block_members(object->block)[i];
        if (ret_len != NULL)
                *ret_len = m->key_len;
        return m->key;
}

nvct_document_node *nvct_document_object_value(const nvct_document_node *object, size_t i) {
        if (i >= nvct_document_object_size(object))
                return NULL;
        return &block_members(object->block)[i].value;
}

nvct_document_node *nvct_document_object_get_n(const nvct_document_node *object, const char *key,
                                               size_t len) {
        ssize_t i = object_find(object, key, len);
        return i < 0 ? NULL : &block_members(object->block)[i].value;
}

nvct_document_node *nvct_document_object_get(const nvct_document_node *object, const char *key) {
        return nvct_document_object_get_n(object, key, strlen(key));
}

/* Moves a standalone value into a slot of a container: the slot gets its
 * content; a parsed root's arena texts are first copied (the arena goes with
 * the shell). The shell is freed. */
static int adopt(nvct_document_node *value, nvct_document_node *slot, nvct_error **err) {
        if (value->flags & NODE_ROOT) {
                nvct_document_node *copy = nvct_document_copy(value);
                nvct_document_free(value);
                if (copy == NULL)
                        return nvct_error_make(err, 0, "out of memory");
                value = copy;
        }
        *slot = *value;
        slot->flags &= (uint8_t) ~(NODE_STANDALONE | NODE_ROOT);
        free(value);
        return 0;
}

static int check_value(nvct_document_node *container, nvct_document_kind kind,
                       nvct_document_node *value, nvct_error **err) {
        if (container == NULL || container->kind != kind) {
                nvct_document_free(value);
                return nvct_error_make(err, 0, "not an %s", nvct_document_kind_name(kind));
        }
        if (value == NULL || !(value->flags & NODE_STANDALONE))
                return nvct_error_make(err, 0, "the value is not a standalone node");
        return 0;
}

/* object_set and object_insert: a key already there keeps its place; a new
 * one goes at pos (at the end when pos is past it). */
static int object_put(nvct_document_node *object, size_t pos, const char *key, size_t len,
                      nvct_document_node *value, nvct_document_node **ret_value, nvct_error **err) {
        if (check_value(object, NVCT_DOCUMENT_OBJECT, value, err) < 0)
                return -1;
        ssize_t at = object_find(object, key, len);
        if (at >= 0) {
                nvct_document_node *slot = &block_members(object->block)[at].value;
                nvct_document_node old = *slot;
                if (adopt(value, slot, err) < 0)
                        return -1;
                node_clear(&old);
                if (ret_value != NULL)
                        *ret_value = slot;
                return 0;
        }
        char *copy = len <= UINT32_MAX ? malloc(len + 1) : NULL;
        if (copy == NULL || !block_reserve(object)) {
                free(copy);
                nvct_document_free(value);
                return nvct_error_make(err, 0, "out of memory");
        }
        if (len > 0)
                memcpy(copy, key, len);
        copy[len] = '\0';
        member fresh = { .key = copy, .key_len = (uint32_t)len, .own_key = true };
        if (adopt(value, &fresh.value, err) < 0) {
                free(copy);
                return -1;
        }
        /* Nothing can fail from here: the object changes only now. */
        block *b = object->block;
        member *m = block_members(b);
        bool inside = pos < b->n;
        if (!inside)
                pos = b->n;
        else
                memmove(&m[pos + 1], &m[pos], (b->n - pos) * sizeof(*m));
        m[pos] = fresh;
        b->n++;
        if (inside || !object_index_add(object)) {
                /* Positions moved (or no memory for the index): lookups scan
                 * until it is rebuilt, at the next one. */
                free(b->index);
                b->index = NULL;
                b->index_size = 0;
        }
        if (ret_value != NULL)
                *ret_value = &m[pos].value;
        return 0;
}

int nvct_document_object_set(nvct_document_node *object, const char *key, size_t len,
                             nvct_document_node *value, nvct_document_node **ret_value,
                             nvct_error **err) {
        return object_put(object, SIZE_MAX, key, len, value, ret_value, err);
}

int nvct_document_object_insert(nvct_document_node *object, size_t pos, const char *key, size_t len,
                                nvct_document_node *value, nvct_document_node **ret_value,
                                nvct_error **err) {
        return object_put(object, pos, key, len, value, ret_value, err);
}

bool nvct_document_object_remove(nvct_document_node *object, const char *key, size_t len) {
        ssize_t at = object_find(object, key, len);
        if (at < 0)
                return false;
        block *b = object->block;
        member *m = block_members(b);
        if (m[at].own_key)
                free((char *)m[at].key);
        node_clear(&m[at].value);
        memmove(&m[at], &m[at + 1], (b->n - (size_t)at - 1) * sizeof(*m));
        b->n--;
        free(b->index);
        b->index = NULL;
        b->index_size = 0;
        return true;
}

size_t nvct_document_array_size(const nvct_document_node *array) {
        return array != NULL && array->kind == NVCT_DOCUMENT_ARRAY ? container_size(array) : 0;
}

nvct_document_node *nvct_document_array_get(const nvct_document_node *array, size_t i) {
        if (i >= nvct_document_array_size(array))
                return NULL;
        return &block_items(array->block)[i];
}

int nvct_document_array_insert(nvct_document_node *array, size_t i, nvct_document_node *value,
                               nvct_document_node **ret_value, nvct_error **err) {
        if (check_value(array, NVCT_DOCUMENT_ARRAY, value, err) < 0)
                return -1;
        size_t n = container_size(array);
        if (i > n) {
                nvct_document_free(value);
                return nvct_error_make(err, 0, "index %zu past the end (%zu items)", i, n);
        }
        if (!block_reserve(array)) {
                nvct_document_free(value);
                return nvct_error_make(err, 0, "out of memory");
        }
        nvct_document_node *items = block_items(array->block);
        memmove(&items[i + 1], &items[i], (n - i) * sizeof(*items));
        if (adopt(value, &items[i], err) < 0) {
                memmove(&items[i], &items[i + 1], (n - i) * sizeof(*items));
                return -1;
        }
        array->block->n++;
        if (ret_value != NULL)
                *ret_value = &items[i];
        return 0;
}

int nvct_document_array_append(nvct_document_node *array, nvct_document_node *value,
                               nvct_document_node **ret_value, nvct_error **err) {
        return nvct_document_array_insert(array, nvct_document_array_size(array), value, ret_value,
                                          err);
}

bool nvct_document_array_remove(nvct_document_node *array, size_t i) {
        size_t n = nvct_document_array_size(array);
        if (i >= n)
                return false;
        nvct_document_node *items = block_items(array->block);
        node_clear(&items[i]);
        memmove(&items[i], &items[i + 1], (n - i - 1) * sizeof(*items));
        array->block->n--;
        return true;
}

int nvct_document_array_permute(nvct_document_node *array, const size_t *order, size_t n,
                                nvct_error **err) {
        if (n != nvct_document_array_size(array))
                return nvct_error_make(err, 0, "a permutation of %zu items for an array of %zu", n,
                                       nvct_document_array_size(array));
        if (n < 2)
                return 0;
        /* Nodes are values (no node points at another), so moving the
         * 16-byte shells moves the items with everything under them. */
        nvct_document_node *moved = calloc(n, sizeof(*moved));
        bool *seen = calloc(n, sizeof(*seen));
        if (moved == NULL || seen == NULL) {
                free(moved);
                free(seen);
                return nvct_error_make(err, ENOMEM, "cannot reorder an array");
        }
        nvct_document_node *items = block_items(array->block);
        for (size_t i = 0; i < n; i++) {
                if (order[i] >= n || seen[order[i]]) {
                        free(moved);
                        free(seen);
                        return nvct_error_make(err, 0, "not a permutation of %zu items", n);
                }
                seen[order[i]] = true;
                moved[i] = items[order[i]];
        }
        memcpy(items, moved, n * sizeof(*items));
        free(moved);
        free(seen);
        return 0;
}

/* ---- copy and equality ---- */

/* Copies src's content into dst (a zeroed node): texts and keys malloc'ed. */
static bool copy_into(nvct_document_node *dst, const nvct_document_node *src) {
        dst->kind = src->kind;
        dst->flags = (uint8_t)((dst->flags & NODE_STANDALONE) |
                               (src->flags & (NODE_PLAIN | NODE_BOOL_TRUE)));
        if (!is_container(src)) {
                static const char *const words[] = { "null", "true", "false" };
                for (size_t i = 0; i < 3; i++) {
                        if (word_is(src->text, src->len, words[i])) {
                                dst->text = words[i]; /* static, not the source's arena */
                                dst->len = src->len;
                                return true;
                        }
                }
                uint8_t flags = dst->flags;
                if (set_text(dst, (nvct_document_kind)src->kind, src->text, src->len, NULL) < 0)
                        return false;
                dst->flags |= flags;
                return true;
        }
        size_t n = container_size(src);
        for (size_t i = 0; i < n; i++) {
                if (!block_reserve(dst))
                        return false;
                block *b = dst->block;
                if (src->kind == NVCT_DOCUMENT_OBJECT) {
                        const member *sm = &block_members(src->block)[i];
                        member *m = &block_members(b)[b->n];
                        *m = (member){ .key = NULL };
                        char *key = malloc((size_t)sm->key_len + 1);
                        if (key == NULL)
                                return false;
                        memcpy(key, sm->key, (size_t)sm->key_len + 1);
                        m->key = key;
                        m->key_len = sm->key_len;
                        m->own_key = true;
                        b->n++;
                        if (!copy_into(&m->value, &sm->value))
                                return false;
                } else {
                        nvct_document_node *item = &block_items(b)[b->n];
                        *item = (nvct_document_node){ .kind = NVCT_DOCUMENT_NULL };
                        b->n++;
                        if (!copy_into(item, &block_items(src->block)[i]))
                                return false;
                }
        }
        return true;
}

nvct_document_node *nvct_document_copy(const nvct_document_node *node) {
        if (node == NULL)
                return NULL;
        _cleanup_(nvct_document_freep) nvct_document_node *n = new_node(NVCT_DOCUMENT_NULL);
        if (n == NULL)
                return NULL;
        if (!copy_into(n, node))
                return NULL;
        n->flags |= NODE_STANDALONE;
        return TAKE_PTR(n);
}

bool nvct_document_equal(const nvct_document_node *a, const nvct_document_node *b) {
        if (a == NULL || b == NULL)
                return a == b;
        if (a->kind != b->kind)
                return false;
        switch ((nvct_document_kind)a->kind) {
        case NVCT_DOCUMENT_NULL:
                return true;
        case NVCT_DOCUMENT_BOOL:
                return nvct_document_bool(a) == nvct_document_bool(b);
        case NVCT_DOCUMENT_NUMBER:
        case NVCT_DOCUMENT_STRING:
                return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
        case NVCT_DOCUMENT_OBJECT:
        case NVCT_DOCUMENT_ARRAY:
                break;
        }
        size_t n = container_size(a);
        if (n != container_size(b))
                return false;
        for (size_t i = 0; i < n; i++) {
                if (a->kind == NVCT_DOCUMENT_OBJECT) {
                        const member *x = &block_members(a->block)[i];
                        const member *y = &block_members(b->block)[i];
                        if (!key_is(x, y->key, y->key_len) ||
                            !nvct_document_equal(&x->value, &y->value))
                                return false;
                } else if (!nvct_document_equal(&block_items(a->block)[i],
                                                &block_items(b->block)[i])) {
                        return false;
                }
        }
        return true;
}
