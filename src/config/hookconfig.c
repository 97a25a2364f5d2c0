/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "hookconfig.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/gocompat.h"
#include "basic/quote.h"
#include "basic/strv.h"
#include "formats/toml.h"

const char *const nvct_default_config_paths[] = { NVCT_DRIVER_CONFIG_PATH, NVCT_CONFIG_PATH, NULL };

void nvct_hook_config_init_defaults(nvct_hook_config *config) {
        *config = (nvct_hook_config){
                .accept_envvar_unprivileged = true,
                .cli = { .load_kmods = true },
        };
}

void nvct_hook_config_clear(nvct_hook_config *config) {
        nvct_cli_config *cli = &config->cli;
        free(cli->root);
        free(cli->path);
        free(cli->debug);
        free(cli->ldcache);
        free(cli->user);
        free(cli->ldconfig);
        nvct_strv_free_array(cli->environment, cli->n_environment);
        free(config->swarm_resource);
        free(config->source);
        nvct_hook_config_init_defaults(config);
}

/* The value of `name` in `table`: an exact key first, else one that matches
 * under case folding, as the reference's decoder finds struct fields. */
static const nvct_toml_value *lookup(const nvct_toml_value *table, const char *name) {
        const nvct_toml_value *v = nvct_toml_table_get(table, name);
        if (v != NULL)
                return v;
        for (size_t i = 0; i < nvct_toml_table_size(table); i++) {
                size_t len = 0;
                const char *key = nvct_toml_table_key(table, i, &len);
                if (nvct_go_key_matches(key, len, name))
                        return nvct_toml_table_value(table, i);
        }
        return NULL;
}

static int wrong_type(const char *name, const char *table, const char *key, const char *want,
                      const nvct_toml_value *v, nvct_error **err) {
        return nvct_error_make(err, 0, "%s: %s%s%s must be %s, not %s", name, table ? table : "",
                               table ? "." : "", key, want,
                               nvct_toml_type_name(nvct_toml_type_of(v)));
}

static int get_bool(const nvct_toml_value *table, const char *name, const char *table_name,
                    const char *key, bool *ret, nvct_error **err) {
        const nvct_toml_value *v = lookup(table, key);
        if (v == NULL)
                return 0;
        if (nvct_toml_type_of(v) != NVCT_TOML_BOOL)
                return wrong_type(name, table_name, key, "a boolean", v, err);
        *ret = nvct_toml_bool(v);
        return 0;
}

static int copy_string(const nvct_toml_value *v, const char *name, const char *table_name,
                       const char *key, char **ret, nvct_error **err) {
        size_t len = 0;
        const char *s = nvct_toml_string(v, &len);
        /* These strings become arguments, paths and environment entries;
         * a NUL would silently cut them. */
        if (memchr(s, '\0', len) != NULL)
                return nvct_error_make(err, 0, "%s: %s%s%s contains a NUL character", name,
                                       table_name ? table_name : "", table_name ? "." : "", key);
        char *copy = strdup(s);
        if (copy == NULL)
                return nvct_error_make(err, 0, "out of memory");
        free(*ret);
        *ret = copy;
        return 0;
}

static int get_string(const nvct_toml_value *table, const char *name, const char *table_name,
                      const char *key, char **ret, nvct_error **err) {
        const nvct_toml_value *v = lookup(table, key);
        if (v == NULL)
                return 0;
        if (nvct_toml_type_of(v) != NVCT_TOML_STRING)
                return wrong_type(name, table_name, key, "a string", v, err);
        return copy_string(v, name, table_name, key, ret, err);
}

static int get_environment(const nvct_toml_value *table, const char *name, nvct_cli_config *cli,
                           nvct_error **err) {
        const char *key = "environment";
        const nvct_toml_value *v = lookup(table, key);
        if (v == NULL)
                return 0;
        if (nvct_toml_type_of(v) != NVCT_TOML_ARRAY)
                return wrong_type(name, "nvidia-container-cli", key, "an array of strings", v, err);
        size_t n = nvct_toml_array_size(v);
        char **env = calloc(n + 1, sizeof(*env));
        if (env == NULL)
                return nvct_error_make(err, 0, "out of memory");
        for (size_t i = 0; i < n; i++) {
                const nvct_toml_value *item = nvct_toml_array_get(v, i);
                if (nvct_toml_type_of(item) != NVCT_TOML_STRING) {
                        nvct_strv_free_array(env, i);
                        return nvct_error_make(err, 0,
                                               "%s: nvidia-container-cli.environment[%zu] must "
                                               "be a string, not %s",
                                               name, i,
                                               nvct_toml_type_name(nvct_toml_type_of(item)));
                }
                if (copy_string(item, name, "nvidia-container-cli", "environment", &env[i], err) <
                    0) {
                        nvct_strv_free_array(env, i);
                        return -1;
                }
        }
        nvct_strv_free_array(cli->environment, cli->n_environment);
        cli->environment = env;
        cli->n_environment = n;
        return 0;
}

/* `name` is the file's name, already quoted for messages. */
static int apply(const nvct_toml_value *root, const char *name, nvct_hook_config *c,
                 nvct_error **err) {
        if (get_bool(root, name, NULL, "disable-require", &c->disable_require, err) < 0 ||
            get_string(root, name, NULL, "swarm-resource", &c->swarm_resource, err) < 0 ||
            get_bool(root, name, NULL, "accept-nvidia-visible-devices-envvar-when-unprivileged",
                     &c->accept_envvar_unprivileged, err) < 0 ||
            get_bool(root, name, NULL, "accept-nvidia-visible-devices-as-volume-mounts",
                     &c->accept_volume_mounts, err) < 0)
                return -1;

        const char *t = "nvidia-container-cli";
        const nvct_toml_value *cli = lookup(root, t);
        if (cli == NULL)
                return 0;
        if (nvct_toml_type_of(cli) != NVCT_TOML_TABLE)
                return nvct_error_make(err, 0, "%s: %s must be a table, not %s", name, t,
                                       nvct_toml_type_name(nvct_toml_type_of(cli)));
        nvct_cli_config *cc = &c->cli;
        if (get_string(cli, name, t, "root", &cc->root, err) < 0 ||
            get_string(cli, name, t, "path", &cc->path, err) < 0 ||
            get_environment(cli, name, cc, err) < 0 ||
            get_string(cli, name, t, "debug", &cc->debug, err) < 0 ||
            get_string(cli, name, t, "ldcache", &cc->ldcache, err) < 0 ||
            get_bool(cli, name, t, "load-kmods", &cc->load_kmods, err) < 0 ||
            get_bool(cli, name, t, "no-pivot", &cc->no_pivot, err) < 0 ||
            get_bool(cli, name, t, "no-cgroups", &cc->no_cgroups, err) < 0 ||
            get_string(cli, name, t, "user", &cc->user, err) < 0 ||
            get_string(cli, name, t, "ldconfig", &cc->ldconfig, err) < 0)
                return -1;
        return 0;
}

int nvct_hook_config_parse(const char *data, size_t len, const char *name,
                           nvct_hook_config *ret_config, nvct_error **err) {
        _cleanup_toml_ nvct_toml_value *root = NULL;
        if (nvct_toml_parse(data, len, name, &root, err) < 0)
                return -1;
        /* Security: the file's name (-config) prefixes every message below;
         * quoted, so that a newline or an escape sequence in it shows as
         * such. nvct_toml_parse quotes it itself. */
        _cleanup_free_ char *quoted_name = nvct_quote_path(name);
        if (quoted_name == NULL)
                return nvct_error_make(err, 0, "out of memory");
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        if (apply(root, quoted_name, &c, err) < 0) {
                nvct_hook_config_clear(&c);
                return -1;
        }
        c.source = strdup(name);
        if (c.source == NULL) {
                nvct_hook_config_clear(&c);
                return nvct_error_make(err, 0, "out of memory");
        }
        *ret_config = c;
        return 0;
}

/* Reads a config file. Returns -ENOENT (without an error) when it does not
 * exist, so that the search can go on. */
static int load_file(const char *path, nvct_hook_config *ret_config, nvct_error **err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = nvct_read_regular(path, "config file", NVCT_CONFIG_MAX_SIZE, true, &data, &len,
                                  err);
        if (r < 0)
                return r;
        return nvct_hook_config_parse(data, len, path, ret_config, err);
}

int nvct_hook_config_load(const char *explicit_path, const char *const *search_paths,
                          nvct_hook_config *ret_config, nvct_error **err) {
        if (explicit_path != NULL && explicit_path[0] != '\0') {
                int r = load_file(explicit_path, ret_config, err);
                if (r == -ENOENT) {
                        _cleanup_free_ char *q = nvct_quote_path(explicit_path);
                        return nvct_error_make(err, ENOENT, "could not open config file %s",
                                               nvct_quoted(q));
                }
                return r < 0 ? -1 : 0;
        }
        for (size_t i = 0; search_paths != NULL && search_paths[i] != NULL; i++) {
                int r = load_file(search_paths[i], ret_config, err);
                if (r == -ENOENT)
                        continue;
                return r < 0 ? -1 : 0;
        }
        nvct_hook_config_init_defaults(ret_config);
        return 0;
}
