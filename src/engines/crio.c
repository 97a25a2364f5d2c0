/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "crio.h"
#include "formats/toml.h"
#include "formats/tomledit.h"
#include "tomltext.h"

/* crio.conf's table for the runtime the new one starts from: the default
 * runtime, else runc, else crun (never the new runtime itself). */
static const nvct_toml_value *source_runtime(nvct_toml_edit *conf, const char *name) {
        const char *dpath[] = { "crio", "runtime", "default_runtime" };
        const nvct_toml_value *d = nvct_toml_edit_get(conf, dpath, 3);
        const char *candidates[] = {
                d && nvct_toml_type_of(d) == NVCT_TOML_STRING ? nvct_toml_string(d, NULL) : NULL,
                "runc",
                "crun",
        };
        for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
                if (candidates[i] == NULL || strcmp(candidates[i], name) == 0)
                        continue;
                const char *path[] = { "crio", "runtime", "runtimes", candidates[i] };
                const nvct_toml_value *t = nvct_toml_edit_get(conf, path, 4);
                if (t != NULL && nvct_toml_type_of(t) == NVCT_TOML_TABLE)
                        return t;
        }
        return NULL;
}

static int set_string(nvct_toml_edit *e, const char *const *path, size_t n, const char *s,
                      nvct_error **err) {
        _cleanup_free_ char *text = nvct_toml_string_text(s, strlen(s));
        if (text == NULL)
                return nvct_error_make(err, ENOMEM, "cannot write a TOML string");
        return nvct_toml_edit_set(e, path, n, text, err);
}

int nvct_crio_configure(const char *conf_data, size_t conf_len, const char *conf_name,
                        const char *drop_data, size_t drop_len, const char *drop_name,
                        const nvct_crio_options *opts, char **ret_data, size_t *ret_len,
                        nvct_error **err) {
        _cleanup_toml_edit_ nvct_toml_edit *conf = NULL, *d = NULL;
        if (opts->source_data != NULL) {
                conf_data = opts->source_data;
                conf_len = opts->source_len;
                conf_name = opts->source_name ? opts->source_name : "crio status config";
        }
        if (nvct_toml_edit_parse(conf_data ? conf_data : "", conf_data ? conf_len : 0, conf_name,
                                 &conf, err) < 0 ||
            nvct_toml_edit_parse(drop_data ? drop_data : "", drop_data ? drop_len : 0, drop_name,
                                 &d, err) < 0)
                return -1;
        /* The default first: a new drop-in then lists [crio.runtime] before
         * its runtimes. */
        const char *def[] = { "crio", "runtime", "default_runtime" };
        if (opts->set_as_default && set_string(d, def, 3, opts->runtime_name, err) < 0)
                return -1;
        const char *rt[] = { "crio", "runtime", "runtimes", opts->runtime_name, "runtime_path" };
        const nvct_toml_value *from = source_runtime(conf, opts->runtime_name);
        if (nvct_toml_edit_get(d, rt, 4) == NULL && from != NULL &&
            nvct_toml_copy_into(d, rt, 4, from, err) < 0)
                return -1;
        if (set_string(d, rt, 5, opts->runtime_path, err) < 0)
                return -1;
        rt[4] = "runtime_type";
        if (nvct_toml_edit_set(d, rt, 5, "\"oci\"", err) < 0)
                return -1;
        size_t len = 0;
        const char *text = nvct_toml_edit_text(d, &len);
        char *copy = strndup(text, len);
        if (copy == NULL)
                return nvct_error_make(err, ENOMEM, "cannot copy the edited text");
        *ret_data = copy;
        *ret_len = len;
        return 0;
}
