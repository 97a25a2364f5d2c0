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
        const char *rpath[] = { "crio", "runtime", "runtimes" };
        return nvct_engine_source_runtime(conf, dpath, ARRAY_SIZE(dpath), rpath, ARRAY_SIZE(rpath),
                                          name, NULL);
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
        if (opts->set_as_default &&
            nvct_toml_edit_set_string(d, def, 3, opts->runtime_name, err) < 0)
                return -1;
        const char *rt[] = { "crio", "runtime", "runtimes", opts->runtime_name, "runtime_path" };
        const nvct_toml_value *from = source_runtime(conf, opts->runtime_name);
        if (nvct_toml_edit_get(d, rt, 4) == NULL && from != NULL &&
            nvct_toml_copy_into(d, rt, 4, from, err) < 0)
                return -1;
        if (nvct_toml_edit_set_string(d, rt, 5, opts->runtime_path, err) < 0)
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
