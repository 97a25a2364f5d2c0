/* SPDX-License-Identifier: Apache-2.0 */
/* Reading the TOML a test's subject wrote: a value by its table path. */
#ifndef NVCT_TEST_TOML_LOOKUP_H
#define NVCT_TEST_TOML_LOOKUP_H

#include <stddef.h>

#include "formats/toml.h"

/* The value at path[0..n) under v, or NULL when a step is absent or not a
 * table. */
static inline const nvct_toml_value *toml_lookup(const nvct_toml_value *v, const char *const *path,
                                                 size_t n) {
        for (size_t i = 0; v != NULL && i < n; i++)
                v = nvct_toml_type_of(v) == NVCT_TOML_TABLE ? nvct_toml_table_get(v, path[i])
                                                            : NULL;
        return v;
}

/* The string at that path, or NULL when it is absent or not a string. */
static inline const char *toml_string_at(const nvct_toml_value *root, const char *const *path,
                                         size_t n) {
        const nvct_toml_value *v = toml_lookup(root, path, n);
        return v && nvct_toml_type_of(v) == NVCT_TOML_STRING ? nvct_toml_string(v, NULL) : NULL;
}

#endif
