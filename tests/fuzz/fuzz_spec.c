/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the config.json decoder and the privilege test: nvct_spec_parse
 * over arbitrary bytes, then nvct_spec_is_privileged on what it returns.
 * Besides memory safety and leaks, checks that the decoded spec is well
 * formed: every string NUL-terminated at its length, the environment a
 * consistent map, the /dev/null mount destinations already clean.
 *
 * The same bytes are decoded a second time with the hook's filter (keep
 * only what the decision reads: policy/specfilter.h), and the two results
 * must agree on all of that: same success, same version, root and
 * capabilities (isPrivileged's answer both ways they may be read), the same kept
 * variables with the same values in the same order, the same /dev/null
 * mounts under the device-list root (none at all when the filter drops
 * mounts, as the hook's does when volume mounts are not accepted: inputs of
 * odd length run that way). */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/hookconfig.h"
#include "policy/decision.h"
#include "policy/specfilter.h"
#include "oci/env.h"
#include "basic/error.h"
#include "basic/gocompat.h"
#include "oci/oci.h"
#include "fuzz.h"

#define SPEC_NAME "/run/bundle/config.json"
/* The swarm resource variable the filter keeps besides NVIDIA_* and
 * CUDA_VERSION (the hook passes the config's swarm-resource). */
#define EXTRA_ENV "DOCKER_RESOURCE_GPU"

static void check_env(const nvct_env *env) {
        CHECK(env->n_vars <= NVCT_ENV_MAX_ENTRIES);
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

static bool bytes_eq(const char *a, size_t alen, const char *b, size_t blen) {
        return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* The variables the decision reads, written out here independently of
 * policy/specfilter.c, whose filter the hook passes. */
static bool kept_name(const char *name, size_t len) {
        return (len >= 7 && memcmp(name, "NVIDIA_", 7) == 0) ||
               bytes_eq(name, len, "CUDA_VERSION", 12) ||
               bytes_eq(name, len, EXTRA_ENV, strlen(EXTRA_ENV));
}

static bool under_prefix(const char *d, size_t len) {
        size_t n = strlen(NVCT_DEVICE_LIST_MOUNT_ROOT);
        return len >= n && memcmp(d, NVCT_DEVICE_LIST_MOUNT_ROOT, n) == 0;
}

/* isPrivileged of the spec's capabilities read as `version` would read
 * them: 1, 0, or -1 when they do not have that shape. */
static int privileged_as(const nvct_spec *spec, const char *version) {
        nvct_spec s = *spec;
        s.version = (char *)version;
        s.version_len = strlen(version);
        bool priv = false;
        nvct_error *err = NULL;
        int r = nvct_spec_is_privileged(&s, SPEC_NAME, &priv, &err);
        CHECK((r < 0) == (err != NULL));
        nvct_error_free(&err);
        return r < 0 ? -1 : priv;
}

/* The filtered decoding keeps what the decision reads, unchanged. */
static void check_filtered(const nvct_spec *all, const nvct_spec *kept, bool drop_mounts) {
        CHECK(bytes_eq(all->version, all->version_len, kept->version, kept->version_len));
        CHECK(bytes_eq(all->root_path, all->root_path_len, kept->root_path, kept->root_path_len));
        /* The capabilities, both ways they may be read. */
        CHECK((all->caps == NULL) == (kept->caps == NULL));
        CHECK(privileged_as(all, "1.0.0-rc2") == privileged_as(kept, "1.0.0-rc2"));
        CHECK(privileged_as(all, "1.0.0") == privileged_as(kept, "1.0.0"));

        size_t k = 0;
        for (size_t i = 0; i < all->env.n_vars; i++) {
                const nvct_env_var *v = &all->env.vars[i];
                if (!kept_name(v->name, v->name_len))
                        continue;
                CHECK(k < kept->env.n_vars);
                const nvct_env_var *w = &kept->env.vars[k++];
                CHECK(bytes_eq(v->name, v->name_len, w->name, w->name_len));
                CHECK(bytes_eq(v->value, v->value_len, w->value, w->value_len));
        }
        /* Nothing else. */
        CHECK(k == kept->env.n_vars);

        if (drop_mounts) {
                CHECK(kept->n_dev_null_mounts == 0);
                return;
        }
        k = 0;
        for (size_t i = 0; i < all->n_dev_null_mounts; i++) {
                const char *d = all->dev_null_mounts[i];
                size_t len = all->dev_null_mount_lens[i];
                if (!under_prefix(d, len))
                        continue;
                while (k < kept->n_dev_null_mounts &&
                       !under_prefix(kept->dev_null_mounts[k], kept->dev_null_mount_lens[k]))
                        k++;
                CHECK(k < kept->n_dev_null_mounts);
                CHECK(bytes_eq(d, len, kept->dev_null_mounts[k], kept->dev_null_mount_lens[k]));
                k++;
        }
        for (; k < kept->n_dev_null_mounts; k++)
                CHECK(!under_prefix(kept->dev_null_mounts[k], kept->dev_null_mount_lens[k]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *buf = fuzz_copy_input(data, size);
        if (buf == NULL)
                return 0;

        /* The hook's filter, from a config as the hook loads it. */
        nvct_hook_config config = { .swarm_resource = (char *)EXTRA_ENV,
                                    .accept_volume_mounts = (size & 1) == 0 };
        nvct_spec_filter filter = nvct_decision_spec_filter(&config);
        nvct_spec kept = { 0 };
        nvct_error *kept_err = NULL;
        int kept_r = nvct_spec_parse(buf, size, SPEC_NAME, &filter, &kept, &kept_err);

        /* The CDI hooks' reading: root only. It accepts every spec the
         * full reading accepts, with the same root.path, and holds nothing
         * else. */
        const nvct_spec_filter root_filter = { .root_only = true };
        nvct_spec root_spec = { 0 };
        nvct_error *root_err = NULL;
        int root_r = nvct_spec_parse(buf, size, SPEC_NAME, &root_filter, &root_spec, &root_err);
        CHECK((root_r < 0) == (root_err != NULL));
        if (root_r == 0) {
                CHECK(root_spec.root_path != NULL);
                CHECK(root_spec.env.n_vars == 0 && root_spec.n_dev_null_mounts == 0);
                CHECK(root_spec.caps == NULL);
                CHECK(root_spec.version != NULL && root_spec.version_len == 0);
        }

        nvct_spec spec = { 0 };
        nvct_error *err = NULL;
        int r = nvct_spec_parse(buf, size, SPEC_NAME, NULL, &spec, &err);
        /* Without an error to fill (error.h allows it): the same outcome. */
        nvct_spec quiet = { 0 };
        CHECK(nvct_spec_parse(buf, size, SPEC_NAME, &filter, &quiet, NULL) == kept_r);
        nvct_spec_clear(&quiet);
        if (r == 0) {
                CHECK(root_r == 0);
                CHECK(root_spec.root_path_len == spec.root_path_len &&
                      memcmp(root_spec.root_path, spec.root_path, spec.root_path_len) == 0);
        }
        nvct_spec_clear(&root_spec);
        nvct_error_free(&root_err);
        /* The filter changes what is kept, never whether the spec is
         * valid. */
        CHECK((r < 0) == (kept_r < 0));
        if (r < 0) {
                CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
                CHECK(kept_err != NULL && kept_err->msg != NULL && kept_err->msg[0] != '\0');
                /* Errors name the file. */
                CHECK(strstr(err->msg, SPEC_NAME) != NULL);
                nvct_error_free(&err);
                nvct_error_free(&kept_err);
                CHECK(err == NULL);
                free(buf);
                return 0;
        }
        CHECK(r == 0 && err == NULL);
        CHECK(kept_r == 0 && kept_err == NULL);
        check_spec(&spec);
        check_spec(&kept);
        check_filtered(&spec, &kept, filter.drop_mounts);
        nvct_spec_clear(&kept);

        bool privileged = true;
        r = nvct_spec_is_privileged(&spec, SPEC_NAME, &privileged, &err);
        if (r < 0) {
                CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
                CHECK(spec.caps != NULL);
                nvct_error_free(&err);
        } else {
                CHECK(r == 0 && err == NULL);
                if (spec.caps == NULL)
                        CHECK(!privileged);
                /* CAP_SYS_ADMIN is in the input, as is or escaped. */
                if (privileged)
                        CHECK(memmem(buf, size, "CAP_SYS_", 8) != NULL ||
                              memchr(buf, '\\', size) != NULL);
        }
        nvct_spec_clear(&spec);
        CHECK(spec.version == NULL && spec.root_path == NULL && spec.n_dev_null_mounts == 0);
        free(buf);
        return 0;
}
