/* SPDX-License-Identifier: Apache-2.0 */
/* A complete TOML 1.0.0 decoder. It builds a tree of values; the hook config
 * and the toml-decode test utility read that tree. Input is untrusted: sizes
 * and nesting depth are bounded, and every error names line and column. */
#ifndef NVCT_TOML_H
#define NVCT_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"

typedef enum nvct_toml_type {
        NVCT_TOML_TABLE,
        NVCT_TOML_ARRAY,
        NVCT_TOML_STRING,
        NVCT_TOML_INTEGER,
        NVCT_TOML_FLOAT,
        NVCT_TOML_BOOL,
        NVCT_TOML_DATETIME,       /* offset date-time */
        NVCT_TOML_DATETIME_LOCAL, /* local date-time */
        NVCT_TOML_DATE_LOCAL,
        NVCT_TOML_TIME_LOCAL,
} nvct_toml_type;

typedef struct nvct_toml_value nvct_toml_value;

/* Most nested arrays/inline tables/table headers accepted. */
#define NVCT_TOML_MAX_DEPTH 128

/* Parses a whole document (need not be NUL-terminated; a NUL byte in it is an
 * error). `name` (a file name; NULL for <input>) prefixes every error
 * message, quoted, which names line and column: "\"NAME\":LINE:COL: what is
 * wrong". */
int nvct_toml_parse(const char *data, size_t len, const char *name, nvct_toml_value **ret_root,
                    nvct_error **err);

void nvct_toml_free(nvct_toml_value *v);
static inline void nvct_toml_freep(nvct_toml_value **v) {
        nvct_toml_free(*v);
}
#define _cleanup_toml_ __attribute__((cleanup(nvct_toml_freep)))

nvct_toml_type nvct_toml_type_of(const nvct_toml_value *v);
const char *nvct_toml_type_name(nvct_toml_type t); /* "table", "string", ... */

/* Tables keep keys in document order. Keys may hold any UTF-8, even U+0000,
 * hence the explicit lengths. */
size_t nvct_toml_table_size(const nvct_toml_value *table);
const char *nvct_toml_table_key(const nvct_toml_value *table, size_t i, size_t *ret_len);
const nvct_toml_value *nvct_toml_table_value(const nvct_toml_value *table, size_t i);
/* Exact lookup of a NUL-terminated key; NULL when absent. */
const nvct_toml_value *nvct_toml_table_get(const nvct_toml_value *table, const char *key);

size_t nvct_toml_array_size(const nvct_toml_value *array);
const nvct_toml_value *nvct_toml_array_get(const nvct_toml_value *array, size_t i);

/* Decoded string; always NUL-terminated, *ret_len excludes the terminator. */
const char *nvct_toml_string(const nvct_toml_value *v, size_t *ret_len);
int64_t nvct_toml_integer(const nvct_toml_value *v);
double nvct_toml_float(const nvct_toml_value *v);
bool nvct_toml_bool(const nvct_toml_value *v);
/* Date/time values as RFC 3339 text, normalised: 'T' separator, upper-case
 * 'T' and 'Z', fractional seconds kept as written. */
const char *nvct_toml_datetime(const nvct_toml_value *v);

#endif
