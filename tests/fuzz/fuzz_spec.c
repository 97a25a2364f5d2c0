/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the config.json decoder and the privilege test: nvct_spec_parse
 * over arbitrary bytes, then nvct_spec_is_privileged on what it returns.
 * Besides memory safety and leaks, checks that the decoded spec is well
 * formed: every string NUL-terminated at its length, the environment a
 * consistent map, the /dev/null mount destinations already clean. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "error.h"
#include "gocompat.h"
#include "oci.h"

#define CHECK(cond)                                                                                \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
                                #cond);                                                            \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

#define SPEC_NAME "/run/bundle/config.json"

static void check_env(const nvct_env *env) {
        CHECK(env->n_vars <= NVCT_ENV_MAX_ENTRIES);
        CHECK(env->n_vars <= env->cap_vars || env->n_vars == 0);
        for (size_t i = 0; i < env->n_vars; i++) {
                const nvct_env_var *v = &env->vars[i];
                CHECK(v->name != NULL && v->value != NULL);
                CHECK(v->name[v->name_len] == '\0');
                CHECK(v->value[v->value_len] == '\0');
                /* Split at the first '=': the name holds none. */
                CHECK(memchr(v->name, '=', v->name_len) == NULL);
                /* A map: every name finds its own entry, so names are
                 * unique. */
                CHECK(nvct_env_lookup(env, v->name, v->name_len) == v);
                if (memchr(v->name, '\0', v->name_len) == NULL)
                        CHECK(nvct_env_get(env, v->name) == v);
        }
}

static void check_spec(const nvct_spec *spec) {
        CHECK(spec->version != NULL);
        CHECK(spec->version[spec->version_len] == '\0');
        CHECK(spec->root_path != NULL);
        CHECK(spec->root_path[spec->root_path_len] == '\0');
        check_env(&spec->env);
        CHECK(spec->n_dev_null_mounts == 0 ||
              (spec->dev_null_mounts != NULL && spec->dev_null_mount_lens != NULL));
        for (size_t i = 0; i < spec->n_dev_null_mounts; i++) {
                const char *d = spec->dev_null_mounts[i];
                size_t len = spec->dev_null_mount_lens[i];
                CHECK(d != NULL);
                CHECK(d[len] == '\0');
                /* filepath.Clean is idempotent: a cleaned path is a fixed
                 * point. */
                size_t clean_len = 0;
                char *clean = nvct_go_clean_path(d, len, &clean_len);
                CHECK(clean != NULL);
                CHECK(clean_len == len && memcmp(clean, d, len) == 0);
                free(clean);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* An exact-size copy: reading one byte too far is an ASan report. */
        char *buf = malloc(size ? size : 1);
        if (buf == NULL)
                return 0;
        if (size > 0)
                memcpy(buf, data, size);

        nvct_spec spec = { 0 };
        nvct_error *err = NULL;
        int r = nvct_spec_parse(buf, size, SPEC_NAME, NULL, &spec, &err);
        if (r < 0) {
                CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
                /* Errors name the file. */
                CHECK(strstr(err->msg, SPEC_NAME) != NULL);
                nvct_error_free(&err);
                CHECK(err == NULL);
                free(buf);
                return 0;
        }
        CHECK(r == 0 && err == NULL);
        check_spec(&spec);

        bool privileged = true;
        r = nvct_spec_is_privileged(&spec, SPEC_NAME, &privileged, &err);
        if (r < 0) {
                CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
                CHECK(spec.has_capabilities);
                nvct_error_free(&err);
        } else {
                CHECK(r == 0 && err == NULL);
                if (!spec.has_capabilities)
                        CHECK(!privileged);
                /* CAP_SYS_ADMIN was seen in one reading or the other. */
                if (privileged)
                        CHECK(spec.caps_list_sys_admin || spec.caps_object_sys_admin);
        }
        nvct_spec_clear(&spec);
        CHECK(spec.version == NULL && spec.root_path == NULL && spec.n_dev_null_mounts == 0);
        free(buf);
        return 0;
}
