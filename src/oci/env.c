/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "env.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/hash.h"
#include "basic/quote.h"

/* Open addressing over vars: each bucket holds an index + 1 into vars, 0
 * when empty; at most half full. */
struct nvct_env_index {
        size_t cap_vars;  /* allocated in vars */
        size_t n_buckets; /* a power of two */
        size_t buckets[];
};

void nvct_env_init(nvct_env *env) {
        *env = (nvct_env){ 0 };
}

void nvct_env_clear(nvct_env *env) {
        for (size_t i = 0; i < env->n_vars; i++) {
                free(env->vars[i].name);
                free(env->vars[i].value);
        }
        free(env->vars);
        free(env->index);
        nvct_env_init(env);
}

/* Security: keyed (hash.h). With FNV-1a an image could name its variables
 * so that they all collide: 100000 of them took the hook 19 s, and
 * NVCT_ENV_MAX_ENTRIES of them would take hours, quadratic in their number. */
static size_t hash_name(const char *name, size_t len) {
        return (size_t)nvct_hash(name, len);
}

static size_t *find_bucket(nvct_env_index *index, const nvct_env_var *vars, const char *name,
                           size_t len) {
        size_t mask = index->n_buckets - 1;
        for (size_t i = hash_name(name, len) & mask;; i = (i + 1) & mask) {
                size_t slot = index->buckets[i];
                if (slot == 0)
                        return &index->buckets[i];
                const nvct_env_var *v = &vars[slot - 1];
                if (v->name_len == len && memcmp(v->name, name, len) == 0)
                        return &index->buckets[i];
        }
}

/* Room for one more variable. */
static int grow(nvct_env *env, nvct_error **err) {
        nvct_env_index *index = env->index;
        size_t cap_vars = index ? index->cap_vars : 0;
        if (env->n_vars + 1 > cap_vars) {
                size_t cap = cap_vars ? cap_vars * 2 : 16;
                nvct_env_var *vars = reallocarray(env->vars, cap, sizeof(*vars));
                if (vars == NULL)
                        return nvct_error_make(err, 0, "out of memory");
                env->vars = vars;
                cap_vars = cap;
                if (index != NULL)
                        index->cap_vars = cap;
        }
        /* Keep the table at most half full. */
        size_t n_buckets = index ? index->n_buckets : 0;
        if ((env->n_vars + 1) * 2 > n_buckets) {
                size_t n = n_buckets ? n_buckets * 2 : 32;
                nvct_env_index *bigger = calloc(1, sizeof(*bigger) + n * sizeof(size_t));
                if (bigger == NULL)
                        return nvct_error_make(err, 0, "out of memory");
                bigger->cap_vars = cap_vars;
                bigger->n_buckets = n;
                for (size_t i = 0; i < env->n_vars; i++)
                        *find_bucket(bigger, env->vars, env->vars[i].name, env->vars[i].name_len) =
                                i + 1;
                free(env->index);
                env->index = bigger;
        }
        return 0;
}

int nvct_env_add_entry(nvct_env *env, const char *entry, size_t len, size_t index,
                       nvct_error **err) {
        const char *eq = memchr(entry, '=', len);
        if (eq == NULL) {
                _cleanup_free_ char *q = nvct_quote(entry, len);
                return nvct_error_make(err, 0, "process.env[%zu]: %s is not of the form NAME=VALUE",
                                       index, q ? q : "");
        }
        size_t name_len = (size_t)(eq - entry);
        const char *value = eq + 1;
        size_t value_len = len - name_len - 1;

        if (env->index != NULL) {
                size_t *bucket = find_bucket(env->index, env->vars, entry, name_len);
                if (*bucket != 0) {
                        nvct_env_var *v = &env->vars[*bucket - 1];
                        char *copy = nvct_memdup0(value, value_len);
                        if (copy == NULL)
                                return nvct_error_make(err, 0, "out of memory");
                        free(v->value);
                        v->value = copy;
                        v->value_len = value_len;
                        return 0;
                }
        }

        if (env->n_vars >= NVCT_ENV_MAX_ENTRIES)
                return nvct_error_make(err, 0, "process.env has more than %u entries",
                                       NVCT_ENV_MAX_ENTRIES);
        if (grow(env, err) < 0)
                return -1;

        _cleanup_free_ char *name_copy = nvct_memdup0(entry, name_len);
        _cleanup_free_ char *value_copy = nvct_memdup0(value, value_len);
        if (name_copy == NULL || value_copy == NULL)
                return nvct_error_make(err, 0, "out of memory");

        env->vars[env->n_vars] = (nvct_env_var){
                .name = TAKE_PTR(name_copy),
                .name_len = name_len,
                .value = TAKE_PTR(value_copy),
                .value_len = value_len,
        };
        env->n_vars++;
        *find_bucket(env->index, env->vars, entry, name_len) = env->n_vars;
        return 0;
}

const nvct_env_var *nvct_env_lookup(const nvct_env *env, const char *name, size_t name_len) {
        if (env->index == NULL)
                return NULL;
        size_t slot = *find_bucket(env->index, env->vars, name, name_len);
        return slot ? &env->vars[slot - 1] : NULL;
}

const nvct_env_var *nvct_env_get(const nvct_env *env, const char *name) {
        return nvct_env_lookup(env, name, strlen(name));
}
