/* SPDX-License-Identifier: Apache-2.0 */
/* A container's environment (process.env of config.json), as the reference
 * reads it into a Go map: entries split at the first '=', an entry without
 * '=' is an error, and a later duplicate replaces the value of an earlier
 * one. Unlike a Go map it remembers the order in which names first appear,
 * so requirements come out in a stable order. Names and values are untrusted
 * and may hold any byte, NUL included: every lookup takes lengths. */
#ifndef NVCT_ENV_H
#define NVCT_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"

typedef struct nvct_env_var {
        char *name; /* NUL-terminated, but may also hold NUL bytes: use name_len */
        size_t name_len;
        char *value;
        size_t value_len;
} nvct_env_var;

/* The name index: private to env.c. */
typedef struct nvct_env_index nvct_env_index;

/* Read vars[0 .. n_vars) in order; change it only through these functions. */
typedef struct nvct_env {
        nvct_env_var *vars; /* in order of first appearance */
        size_t n_vars;
        nvct_env_index *index; /* NULL while empty */
} nvct_env;

/* Most entries accepted: far above any real image, low enough that a hostile
 * spec cannot make the hook allocate without bound. */
#define NVCT_ENV_MAX_ENTRIES (1u << 20)

void nvct_env_init(nvct_env *env);
void nvct_env_clear(nvct_env *env);

/* Adds one "NAME=VALUE" entry. `index` (its position in process.env) is used
 * only to name the entry in an error. */
int nvct_env_add_entry(nvct_env *env, const char *entry, size_t len, size_t index,
                       nvct_error **err);

const nvct_env_var *nvct_env_lookup(const nvct_env *env, const char *name, size_t name_len);
/* NUL-terminated name. */
const nvct_env_var *nvct_env_get(const nvct_env *env, const char *name);

#endif
