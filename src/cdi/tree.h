/* SPDX-License-Identifier: Apache-2.0 */
/* The loader's private document tree: what a JSON or YAML spec holds, as
 * generic values (null, booleans, numbers, strings, maps, lists), bounded in
 * depth, in values per byte and in size, before it is filled into the model
 * (load.c). Until the shared document tree (src/document) replaces it. */
#ifndef NVCT_CDI_TREE_H
#define NVCT_CDI_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"
#include "load.h"
#include "basic/error.h"

typedef enum node_type {
        NODE_NULL,
        NODE_BOOL,
        NODE_NUMBER, /* a JSON number, its text as written */
        NODE_STRING, /* a JSON string or a quoted YAML scalar */
        NODE_PLAIN,  /* a plain YAML scalar: its type is decided by the field */
        NODE_MAP,
        NODE_LIST,
} node_type;

/* 32 bytes: a hostile spec of tiny values ("0,0,0,...") makes one node per
 * two bytes, so a node's size is what bounds the memory a spec can cost
 * (MAX_NODES, max_nodes). Texts live in the tree's arena, not in a
 * malloc'ed block each (whose header and rounding would be most of the cost
 * of a short one). Lengths fit in 32 bits: the document is at most
 * NVCT_CDI_MAX_FILE_SIZE bytes. */
typedef struct node {
        union {
                struct {                  /* scalars */
                        const char *text; /* NUL-terminated (and free of NUL) */
                        uint32_t len;
                };
                struct { /* maps and lists */
                        struct node *kids;
                        uint32_t n_kids, cap_kids; /* cap_kids 0: closed, kids in the arena */
                };
        };
        const char *key; /* a map's member: its key */
        uint32_t key_len;
        uint8_t type; /* node_type */
        bool boolean;
} node;

/* Where texts are copied: chunks freed together with the tree. */
typedef struct arena_chunk {
        struct arena_chunk *next;
        size_t used, size;
        char data[];
} arena_chunk;

#define ARENA_CHUNK_SIZE (64u << 10)

typedef struct tree {
        node root;
        bool has_root;
        /* The open maps and lists. An open one is always the last member of
         * its parent, whose array therefore does not move meanwhile. */
        node *stack[NVCT_CDI_MAX_DEPTH];
        size_t depth;
        bool expect_key[NVCT_CDI_MAX_DEPTH]; /* YAML: a map's next scalar is a key */
        const char *key;
        size_t key_len;
        size_t n_nodes, max_nodes;
        arena_chunk *chunks; /* the first one is the one being filled */
        char *problem;       /* why building stopped */
} tree;

/* The document's tree (which copies what it keeps); on failure, none. The
 * error carries no file name. */
int cdi_tree_parse(const char *data, size_t len, nvct_cdi_format format, tree *ret_tree,
                   nvct_error **err);
void cdi_tree_free(tree *t);

#endif
