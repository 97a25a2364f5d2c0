/* SPDX-License-Identifier: Apache-2.0 */
/* One document tree for JSON and YAML (CDI specs, config.json): mutable,
 * ordered, and lossless: numbers keep their text exactly as written, every
 * member stays, in its order, and strings carry explicit lengths (a JSON
 * string may hold \u0000). Read with yajl's callback parser or libyaml's
 * event parser, written with yajl_gen or libyaml's emitter.
 *
 * Input is untrusted: its size, nesting depth and number of values are
 * bounded (nvct_document_options), parsing is linear in the input, and every
 * error names the input (quoted), the line and column, and the path of the
 * value at fault: "\"spec.yaml\": line 4, column 7: devices[3].containerEdits:
 * duplicate key \"env\"".
 *
 * Two modes. Strict (CDI): a key twice in one object is an error, and
 * strings and keys must be well-formed UTF-8. Go (config.json, as Go's
 * encoding/json reads it): a key twice keeps the later value (see
 * nvct_document_parse for where), and bytes are kept as they are, so that
 * writing the tree back changes nothing.
 *
 * Nodes are opaque. A parsed tree is one allocation tree owned by its root;
 * nodes made by the constructors are "standalone" until they are put into a
 * container (which takes them over). Pointers to the nodes inside a container
 * stay valid until that container itself is changed (set, insert, append,
 * remove) or freed: changing a member's own content (a nested object's
 * members, a scalar's value) does not move it. Not thread-safe: even a
 * lookup may build an object's key index. */
#ifndef NVCT_DOCUMENT_H
#define NVCT_DOCUMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"

typedef enum nvct_document_kind {
        NVCT_DOCUMENT_NULL,
        NVCT_DOCUMENT_BOOL,
        NVCT_DOCUMENT_NUMBER, /* its text as written: "1e400", "-0", "1.50" */
        NVCT_DOCUMENT_STRING,
        NVCT_DOCUMENT_OBJECT, /* members in order, each key once */
        NVCT_DOCUMENT_ARRAY,
} nvct_document_kind;

typedef enum nvct_document_format {
        NVCT_DOCUMENT_JSON,
        NVCT_DOCUMENT_YAML,
} nvct_document_format;

typedef enum nvct_document_mode {
        NVCT_DOCUMENT_STRICT, /* a key twice is an error; text must be UTF-8 */
        NVCT_DOCUMENT_GO,     /* a key twice: the later value wins; bytes as they are */
} nvct_document_mode;

typedef struct nvct_document_node nvct_document_node;

/* The largest input any parse accepts (options may set a lower one): the
 * lengths inside the tree are 32-bit. */
#define NVCT_DOCUMENT_MAX_SIZE (256u << 20)
/* The depth bound when options give none: the CDI loader's. Go's
 * encoding/json stops at 10000 (NVCT_DOCUMENT_GO_MAX_DEPTH). */
#define NVCT_DOCUMENT_MAX_DEPTH 64
#define NVCT_DOCUMENT_GO_MAX_DEPTH 10000
/* The value count bound when options give none. */
#define NVCT_DOCUMENT_MAX_NODES (1u << 20)
/* yajl_gen nests at most this deep: a deeper tree is not written as JSON. */
#define NVCT_DOCUMENT_MAX_WRITE_DEPTH 128

typedef struct nvct_document_options {
        nvct_document_mode mode;
        /* 0: NVCT_DOCUMENT_MAX_SIZE. A larger input: "larger than N bytes". */
        size_t max_size;
        /* 0: NVCT_DOCUMENT_MAX_DEPTH. Objects and arrays nested more deeply:
         * "nested deeper than N levels". */
        size_t max_depth;
        /* 0: NVCT_DOCUMENT_MAX_NODES. More values (scalars, objects and
         * arrays; keys do not count): "more than N values". */
        size_t max_nodes;
        /* Security: a document of tiny values ("0,0,...") costs far more in
         * nodes than in bytes. When not 0, an input of LEN bytes may hold at
         * most max(min_nodes, LEN / bytes_per_node) values (never more than
         * max_nodes): "more than N values: a document may hold one per B
         * bytes (at least M)". */
        size_t bytes_per_node;
        size_t min_nodes;
        /* A NUL byte in a string or key is an error ("a NUL byte in a
         * string"): where every string becomes a path or an argument. */
        bool refuse_nul;
} nvct_document_options;

/* Parses `len` bytes (need not be NUL-terminated) of `format` into a tree.
 * opts NULL: strict mode and the default bounds. `name` (a file name; NULL
 * for <input>) prefixes every error, quoted with nvct_quote_path; then
 * "line L, column C: ", the path of the value at fault (when not the root),
 * and what is wrong.
 *
 * JSON: one value, no comments, nothing after it. YAML: at most one
 * document; anchors, aliases and tags are refused ("YAML anchors are not
 * supported", as the CDI loader always did: a "billion laughs" needs them),
 * keys must be scalars. A YAML plain scalar is resolved by the YAML 1.2 core
 * schema: "", "~", "null", "Null", "NULL" are null, "true", "True", "TRUE",
 * "false", "False", "FALSE" booleans, a JSON number a number (its text kept),
 * anything else ("0x1F", ".inf", "0644", "yes") a string; all keep their
 * text and are marked plain (nvct_document_is_plain), so that a reader that
 * wants a string where the document wrote "true" can still have it.
 *
 * A key twice in one object: strict mode refuses it ("PATH: duplicate key
 * \"K\""). Go mode keeps one member, at the position of the FIRST
 * occurrence, holding the value of the LAST (as Go's encoding/json, the later
 * value is the one kept; Go re-marshals in its own order, so no position is
 * Go's; the first one is where a reader of the file sees the key first, and
 * keeping it leaves the other members' order as written). Go merges a
 * repeated key into an existing struct or map field; the tree does not.
 *
 * The tree is the caller's: nvct_document_free. *ret_root untouched on
 * failure. */
int nvct_document_parse(const char *data, size_t len, nvct_document_format format, const char *name,
                        const nvct_document_options *opts, nvct_document_node **ret_root,
                        nvct_error **err);

/* Write flags. */
#define NVCT_DOCUMENT_INDENT                                                                       \
        1u /* JSON: 4 spaces a level, a newline at the end; YAML is always block */
/* JSON: strings escaped as Go's encoding/json escapes them (json.Marshal's
 * HTML escapes of <, > and &, U+2028 and U+2029 as \u escapes, lower-case
 * hex), so that a config.json a Go engine wrote comes back byte for byte
 * wherever it was not changed. Without it: yajl_gen's escapes. */
#define NVCT_DOCUMENT_GO_ESCAPES 2u

/* Writes a tree as `format` into a malloc'ed, NUL-terminated buffer
 * (*ret_len excludes the NUL). JSON: numbers from their kept text
 * as they are), strings and keys byte for byte (bytes that are not UTF-8
 * too: Go mode kept them) with only the escapes JSON needs (\", \\, \b,
 * \f, \n, \r, \t, \u00XX), compact unless NVCT_DOCUMENT_INDENT (laid out
 * as nvct_document_write_json_indent with 4 spaces, then a newline). YAML: block style, indent 2,
 * one document; a string is written plain when every common resolver (YAML 1.1 and 1.2) reads it
 * back as that string (the CDI writer's rule), or when it was plain and libyaml surely writes it
 * plain, else double-quoted (so that writing what was read back gives the same bytes); numbers,
 * booleans and null plain, from their text. Fails on a tree deeper than
 * NVCT_DOCUMENT_MAX_WRITE_DEPTH (JSON), and on text that is not UTF-8
 * (YAML). */
int nvct_document_write(const nvct_document_node *root, nvct_document_format format, unsigned flags,
                        char **ret_data, size_t *ret_len, nvct_error **err);

/* Writes a tree as JSON laid out as Go's json.MarshalIndent(v, "", indent)
 * does: each member and item on its own line, indented by `indent` per
 * level ("\t", "  "), "key": value, empty containers as {} and [], no
 * newline at the end. indent NULL: compact, as nvct_document_write. Numbers
 * from their kept text, strings byte for byte with the escapes JSON needs
 * (\u00XX in lower-case hex). Fails on a tree deeper than NVCT_DOCUMENT_MAX_WRITE_DEPTH. */
int nvct_document_write_json_indent(const nvct_document_node *root, const char *indent,
                                    char **ret_data, size_t *ret_len, nvct_error **err);

/* Frees a standalone node (a parsed root, or one from a constructor or
 * nvct_document_copy that no container has taken) and all under it. NULL
 * and nodes inside a container are left alone. */
void nvct_document_free(nvct_document_node *node);
static inline void nvct_document_freep(nvct_document_node **node) {
        nvct_document_free(*node);
}
#define _cleanup_document_ __attribute__((cleanup(nvct_document_freep)))

/* A standalone deep copy; NULL on OOM. */
nvct_document_node *nvct_document_copy(const nvct_document_node *node);

/* Whether two trees hold the same: kinds; strings and numbers byte for byte
 * (number text included: 1.0 is not 1); booleans by value (YAML's "True"
 * is true); members in the same order with the same keys. The plain mark is
 * not compared. */
bool nvct_document_equal(const nvct_document_node *a, const nvct_document_node *b);

nvct_document_kind nvct_document_kind_of(const nvct_document_node *node);
/* "null", "boolean", "number", "string", "object", "array". */
const char *nvct_document_kind_name(nvct_document_kind kind);

/* ---- scalars ---- */

/* A scalar's text, NUL-terminated; *ret_len (may be NULL) excludes the
 * terminator, and a string may hold NUL bytes. Strings: their bytes;
 * numbers: as written; booleans and null: "true", "false", "null", or the
 * YAML plain scalar as written ("True", "~", ""). NULL for objects and
 * arrays. */
const char *nvct_document_text(const nvct_document_node *node, size_t *ret_len);
/* A boolean's value; false for any other kind. */
bool nvct_document_bool(const nvct_document_node *node);
/* Whether the node was a YAML plain (unquoted) scalar. */
bool nvct_document_is_plain(const nvct_document_node *node);

/* Whether text is a JSON number (RFC 8259's grammar). */
bool nvct_document_is_number(const char *text, size_t len);

/* Constructors: standalone nodes, or NULL on OOM (and for a number, on text
 * that is not a JSON number; for a string, over 4 GiB). */
nvct_document_node *nvct_document_new_null(void);
nvct_document_node *nvct_document_new_bool(bool value);
nvct_document_node *nvct_document_new_number(const char *text, size_t len);
nvct_document_node *nvct_document_new_string(const char *s, size_t len);
nvct_document_node *nvct_document_new_object(void);
nvct_document_node *nvct_document_new_array(void);

/* Replace a node's content in place (whatever its kind was; what it held is
 * freed), wherever it is. A number's text must be a JSON number. */
int nvct_document_set_null(nvct_document_node *node, nvct_error **err);
int nvct_document_set_bool(nvct_document_node *node, bool value, nvct_error **err);
int nvct_document_set_number(nvct_document_node *node, const char *text, size_t len,
                             nvct_error **err);
int nvct_document_set_string(nvct_document_node *node, const char *s, size_t len, nvct_error **err);

/* ---- objects ---- */

size_t nvct_document_object_size(const nvct_document_node *object);
/* Member i (in document order): its key (NUL-terminated; *ret_len may be
 * NULL) and its value. NULL when i is out of range or not an object. */
const char *nvct_document_object_key(const nvct_document_node *object, size_t i, size_t *ret_len);
nvct_document_node *nvct_document_object_value(const nvct_document_node *object, size_t i);
/* The value of a key; NULL when absent (or not an object). Small objects are
 * scanned; a large one gets a keyed hash index (basic/hash.h) on first use,
 * so that n lookups cost O(n). */
nvct_document_node *nvct_document_object_get(const nvct_document_node *object, const char *key);
nvct_document_node *nvct_document_object_get_n(const nvct_document_node *object, const char *key,
                                               size_t len);
/* Sets key to value, a standalone node the object takes over (freed on
 * failure too): an existing key keeps its position and gets the new value;
 * a new one is appended. *ret_value (may be NULL): the value where it now
 * is. */
int nvct_document_object_set(nvct_document_node *object, const char *key, size_t len,
                             nvct_document_node *value, nvct_document_node **ret_value,
                             nvct_error **err);
/* nvct_document_object_set, a new key put at position pos (the members from
 * there on move up one; past the end: appended) instead of at the end: for
 * writers that keep a schema's field order. O(members), no copy of any
 * value. */
int nvct_document_object_insert(nvct_document_node *object, size_t pos, const char *key, size_t len,
                                nvct_document_node *value, nvct_document_node **ret_value,
                                nvct_error **err);
/* Removes a key and frees its value; whether it was there. The members
 * after it keep their order. */
bool nvct_document_object_remove(nvct_document_node *object, const char *key, size_t len);

/* ---- arrays ---- */

size_t nvct_document_array_size(const nvct_document_node *array);
/* Item i; NULL when out of range (or not an array). */
nvct_document_node *nvct_document_array_get(const nvct_document_node *array, size_t i);
/* Inserts value (standalone, taken over, freed on failure too) before item
 * i (i == size appends). *ret_value (may be NULL): where it now is. */
int nvct_document_array_insert(nvct_document_node *array, size_t i, nvct_document_node *value,
                               nvct_document_node **ret_value, nvct_error **err);
int nvct_document_array_append(nvct_document_node *array, nvct_document_node *value,
                               nvct_document_node **ret_value, nvct_error **err);
/* Removes item i and frees it; false when out of range. */
bool nvct_document_array_remove(nvct_document_node *array, size_t i);
/* Reorders the items in place: item order[i] goes to position i. `order`
 * must be a permutation of 0..n-1, n the array's size (an error otherwise,
 * and nothing moves). Items are moved, not copied. */
int nvct_document_array_permute(nvct_document_node *array, const size_t *order, size_t n,
                                nvct_error **err);

#endif
