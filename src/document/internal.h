/* SPDX-License-Identifier: Apache-2.0 */
/* The document tree's layout, shared by the node API (node.c), the readers
 * (read.c) and the writers (write.c). */
#ifndef NVCT_DOCUMENT_INTERNAL_H
#define NVCT_DOCUMENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "document.h"

/* Node flags. */
enum {
        NODE_PLAIN = 1u << 0,      /* a YAML plain scalar */
        NODE_OWN_TEXT = 1u << 1,   /* text is malloc'ed (else: static or the arena) */
        NODE_STANDALONE = 1u << 2, /* a malloc'ed shell no container holds */
        NODE_ROOT = 1u << 3,       /* a standalone shell that also owns an arena */
        NODE_BOOL_TRUE = 1u << 4,
};

/* 16 bytes: a hostile document of tiny values makes one node per two
 * bytes, so the node's size is what bounds the memory a document costs.
 * Containers hold their members' nodes inline (no pointer, no malloc per
 * node); texts parsed from a document live in its root's arena. */
struct nvct_document_node {
        uint8_t kind;  /* nvct_document_kind */
        uint8_t flags; /* NODE_* */
        uint16_t unused;
        uint32_t len; /* scalars: the text's length */
        union {
                const char *text;    /* scalars: NUL-terminated */
                struct block *block; /* objects and arrays: NULL when empty */
        };
};

typedef struct member {
        const char *key; /* NUL-terminated */
        uint32_t key_len;
        bool own_key; /* malloc'ed (else: the arena) */
        nvct_document_node value;
} member;

/* An object's or array's members: malloc'ed and grown geometrically, or,
 * once a parse has closed the container, exactly its members in the root's
 * arena (cap 0: copied out to the heap when it grows). A large
 * object gets a hash index of its keys (open addressing; a slot holds a
 * member's position + 1, 0 is empty), built when first needed and dropped
 * when a member is removed. */
typedef struct block {
        uint32_t n, cap;
        uint32_t *index;
        uint32_t index_size; /* a power of two; 0: no index */
        uint32_t unused;
        _Alignas(8) unsigned char data[]; /* member[cap] or nvct_document_node[cap] */
} block;

static inline member *block_members(const block *b) {
        return (member *)(uintptr_t)b->data;
}

static inline nvct_document_node *block_items(const block *b) {
        return (nvct_document_node *)(uintptr_t)b->data;
}

/* Objects with at most this many members are scanned, not indexed. */
#define SMALL_OBJECT 8

/* Where a parse copies its texts: chunks freed with the root. */
typedef struct arena_chunk {
        struct arena_chunk *next;
        size_t used, size;
        char data[];
} arena_chunk;

/* A parsed root: the node and the arena its texts are in. */
typedef struct root_shell {
        nvct_document_node node;
        arena_chunk *chunks;
} root_shell;

static inline bool is_container(const nvct_document_node *n) {
        return n->kind == NVCT_DOCUMENT_OBJECT || n->kind == NVCT_DOCUMENT_ARRAY;
}

static inline size_t container_size(const nvct_document_node *n) {
        return is_container(n) && n->block != NULL ? n->block->n : 0;
}

/* Frees what a node holds (texts, members), not the node itself. */
void node_clear(nvct_document_node *n);

/* Room for one more member/item; false on OOM or past UINT32_MAX. */
bool block_reserve(nvct_document_node *n);

/* The position of key in an object, or -1. Builds the index of a large
 * object when it has none. */
ssize_t object_find(const nvct_document_node *object, const char *key, size_t len);

/* Adds member n-1 (just appended) to the object's index, when it has one
 * (or should have, past SMALL_OBJECT). False on OOM. */
bool object_index_add(nvct_document_node *object);

/* YAML 1.2 core schema resolution of a plain scalar's text. */
nvct_document_kind resolve_plain(const char *s, size_t len, bool *ret_bool);

#endif
