/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/gocompat.h"
#include "basic/quote.h"
#include "formats/toml.h"

/* Longest segment of a key's path in the table. */
#define SEGMENT_MAX 64

static int set_default(nvct_config *c, const nvct_config_key *key, nvct_config_profile profile) {
        const nvct_config_default *d = &key->defaults[profile];
        void *field = nvct_config_field(c, key);
        switch (key->type) {
        case NVCT_CONFIG_BOOL:
                *(bool *)field = d->b;
                return 0;
        case NVCT_CONFIG_STRING:
                if (d->s == NULL)
                        return 0;
                *(char **)field = strdup(d->s);
                return *(char **)field != NULL ? 0 : -ENOMEM;
        case NVCT_CONFIG_STRV:
                for (size_t i = 0; d->v != NULL && d->v[i] != NULL; i++)
                        if (nvct_strv_add(field, d->v[i]) < 0)
                                return -ENOMEM;
                return 0;
        }
        return 0;
}

int nvct_config_init_defaults(nvct_config *config, nvct_config_profile profile, nvct_error **err) {
        *config = (nvct_config){};
        for (size_t i = 0; i < nvct_config_n_keys; i++) {
                if (set_default(config, &nvct_config_keys[i], profile) < 0) {
                        nvct_config_clear(config);
                        return nvct_error_make(err, ENOMEM, "cannot set the config's defaults");
                }
        }
        return 0;
}

void nvct_config_clear(nvct_config *config) {
        if (config == NULL)
                return;
        for (size_t i = 0; i < nvct_config_n_keys; i++) {
                const nvct_config_key *key = &nvct_config_keys[i];
                void *field = nvct_config_field(config, key);
                if (key->type == NVCT_CONFIG_STRING)
                        free(*(char **)field);
                else if (key->type == NVCT_CONFIG_STRV)
                        nvct_strv_clear(field);
        }
        free(config->source);
        *config = (nvct_config){};
}

/* Whether `key` (len bytes, may hold NUL) is `name` in upper case, as
 * go-toml v1's unmarshal also tries strings.ToTitle of a field's tag. */
static bool is_upper_form(const char *key, size_t len, const char *name, size_t name_len) {
        if (len != name_len)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = name[i];
                char upper = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
                if (key[i] != upper)
                        return false;
        }
        return true;
}

/* The value of `name` in `table`: an exact key first, else the profile's
 * looser match (see config.h). */
static const nvct_toml_value *lookup(const nvct_toml_value *table, const char *name,
                                     nvct_config_profile profile) {
        const nvct_toml_value *v = nvct_toml_table_get(table, name);
        if (v != NULL)
                return v;
        size_t name_len = strlen(name);
        size_t n = nvct_toml_table_size(table);
        for (size_t i = 0; i < n; i++) {
                size_t len = 0;
                const char *key = nvct_toml_table_key(table, i, &len);
                bool match = profile == NVCT_CONFIG_PROFILE_HOOK
                                     ? nvct_go_key_matches(key, len, name)
                                     : is_upper_form(key, len, name, name_len);
                if (match)
                        return nvct_toml_table_value(table, i);
        }
        return NULL;
}

static int wrong_type(const char *name, const char *path, const char *want,
                      const nvct_toml_value *v, nvct_error **err) {
        return nvct_error_make(err, 0, "%s: %s must be %s, not %s", name, path, want,
                               nvct_toml_type_name(nvct_toml_type_of(v)));
}

/* A copy of a TOML string. These strings become arguments, paths and
 * environment entries; a NUL would silently cut them. */
static int copy_string(const nvct_toml_value *v, const char *name, const char *path, char **ret,
                       nvct_error **err) {
        size_t len = 0;
        const char *s = nvct_toml_string(v, &len);
        if (memchr(s, '\0', len) != NULL)
                return nvct_error_make(err, 0, "%s: %s contains a NUL character", name, path);
        char *copy = strdup(s);
        if (copy == NULL)
                return nvct_error_make(err, ENOMEM, "%s: %s", name, path);
        *ret = copy;
        return 0;
}

static int apply_strv(const nvct_toml_value *v, const char *name, const char *path,
                      nvct_strv *field, nvct_error **err) {
        if (nvct_toml_type_of(v) != NVCT_TOML_ARRAY)
                return wrong_type(name, path, "an array of strings", v, err);
        /* The reference's decoder replaces a slice: the default goes. */
        nvct_strv list = {};
        for (size_t i = 0; i < nvct_toml_array_size(v); i++) {
                const nvct_toml_value *item = nvct_toml_array_get(v, i);
                char *s = NULL;
                if (nvct_toml_type_of(item) != NVCT_TOML_STRING) {
                        nvct_error_make(err, 0, "%s: %s[%zu] must be a string, not %s", name, path,
                                        i, nvct_toml_type_name(nvct_toml_type_of(item)));
                        nvct_strv_clear(&list);
                        return -1;
                }
                if (copy_string(item, name, path, &s, err) < 0) {
                        nvct_strv_clear(&list);
                        return -1;
                }
                if (nvct_strv_push(&list, s) < 0) {
                        nvct_strv_clear(&list);
                        return nvct_error_make(err, ENOMEM, "%s: %s", name, path);
                }
        }
        nvct_strv_clear(field);
        *field = list;
        return 0;
}

static int apply_value(const nvct_config_key *key, const nvct_toml_value *v, const char *name,
                       nvct_config *c, nvct_error **err) {
        void *field = nvct_config_field(c, key);
        char *s = NULL;
        switch (key->type) {
        case NVCT_CONFIG_BOOL:
                if (nvct_toml_type_of(v) != NVCT_TOML_BOOL)
                        return wrong_type(name, key->path, "a boolean", v, err);
                *(bool *)field = nvct_toml_bool(v);
                return 0;
        case NVCT_CONFIG_STRING:
                if (nvct_toml_type_of(v) != NVCT_TOML_STRING)
                        return wrong_type(name, key->path, "a string", v, err);
                if (copy_string(v, name, key->path, &s, err) < 0)
                        return -1;
                free(*(char **)field);
                *(char **)field = s;
                return 0;
        case NVCT_CONFIG_STRV:
                return apply_strv(v, name, key->path, field, err);
        }
        return 0;
}

/* The table that holds `key`'s value: its path walked from the root up to
 * its last dot. *ret_table is NULL when a section along the path is absent
 * (the default stays). A section along it that is not a table is an error,
 * named by the path up to it. */
static int find_parent(const nvct_toml_value *root, const nvct_config_key *key, const char *name,
                       nvct_config_profile profile, const nvct_toml_value **ret_table,
                       nvct_error **err) {
        const nvct_toml_value *v = root;
        const char *p = key->path;
        for (const char *dot; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
                size_t n = (size_t)(dot - p);
                char segment[SEGMENT_MAX];
                if (n >= sizeof(segment))
                        return nvct_error_make(err, 0, "%s: key %s is too long", name, key->path);
                memcpy(segment, p, n);
                segment[n] = '\0';
                v = lookup(v, segment, profile);
                if (v == NULL)
                        break;
                if (nvct_toml_type_of(v) != NVCT_TOML_TABLE)
                        return nvct_error_make(err, 0, "%s: %.*s must be a table, not %s", name,
                                               (int)(dot - key->path), key->path,
                                               nvct_toml_type_name(nvct_toml_type_of(v)));
        }
        *ret_table = v;
        return 0;
}

/* The last key's parent table. The key table lists its keys section by
 * section, so consecutive keys share a parent: the walk from the root is
 * done once a section, not once a key (a pass-through call of the wrapper
 * loads the config on every runc call). */
typedef struct parent_cache {
        const char *path;             /* the path whose parent is cached; NULL: none yet */
        size_t len;                   /* the parent's length in it (before the last dot) */
        const nvct_toml_value *table; /* NULL: the section is absent */
} parent_cache;

/* Finds the value at `key`'s path and stores it. Absent anywhere along the
 * path: the default stays. */
static int apply_key(const nvct_toml_value *root, const nvct_config_key *key, const char *name,
                     nvct_config_profile profile, parent_cache *cache, nvct_config *c,
                     nvct_error **err) {
        const char *leaf = strrchr(key->path, '.');
        leaf = leaf != NULL ? leaf + 1 : key->path;
        size_t len = leaf > key->path ? (size_t)(leaf - 1 - key->path) : 0;
        if (cache->path == NULL || cache->len != len || memcmp(cache->path, key->path, len) != 0) {
                const nvct_toml_value *table = NULL;
                if (find_parent(root, key, name, profile, &table, err) < 0)
                        return -1;
                *cache = (parent_cache){ .path = key->path, .len = len, .table = table };
        }
        if (cache->table == NULL)
                return 0;
        if (strlen(leaf) >= SEGMENT_MAX)
                return nvct_error_make(err, 0, "%s: key %s is too long", name, key->path);
        const nvct_toml_value *v = lookup(cache->table, leaf, profile);
        return v != NULL ? apply_value(key, v, name, c, err) : 0;
}

/* How `path` (a dotted path of the file's keys) stands to the table: a
 * key's own path, a table above keys, or neither. Case-insensitive: the
 * toolkit also takes a key's upper-case form, and a warning must not name a
 * key that was read. */
typedef enum key_standing { KEY_UNKNOWN, KEY_KNOWN, KEY_TABLE } key_standing;

static key_standing standing(const char *path, size_t len) {
        for (size_t i = 0; i < nvct_config_n_keys; i++) {
                const char *k = nvct_config_keys[i].path;
                if (strncasecmp(k, path, len) != 0)
                        continue;
                if (k[len] == '\0')
                        return KEY_KNOWN;
                if (k[len] == '.')
                        return KEY_TABLE;
        }
        return KEY_UNKNOWN;
}

/* Collects the keys below `table` (at `prefix`) that the table does not
 * know. Bounded: known tables are at most four deep, and at most
 * NVCT_CONFIG_MAX_UNKNOWN paths are kept. */
static int collect_unknown(const nvct_toml_value *table, const char *prefix, unsigned depth,
                           nvct_strv *unknown) {
        size_t n = nvct_toml_table_size(table);
        for (size_t i = 0; i < n && unknown->n < NVCT_CONFIG_MAX_UNKNOWN; i++) {
                size_t key_len = 0;
                const char *key = nvct_toml_table_key(table, i, &key_len);
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s%s%.*s", prefix, prefix[0] ? "." : "", (int)key_len, key) <
                    0)
                        return -ENOMEM;
                const nvct_toml_value *v = nvct_toml_table_value(table, i);
                key_standing st = standing(path, strlen(path));
                if (st == KEY_UNKNOWN) {
                        if (nvct_strv_push(unknown, TAKE_PTR(path)) < 0)
                                return -ENOMEM;
                } else if (st == KEY_TABLE && depth < 8 &&
                           nvct_toml_type_of(v) == NVCT_TOML_TABLE) {
                        int r = collect_unknown(v, path, depth + 1, unknown);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int nvct_config_parse(const char *data, size_t len, const char *name, nvct_config_profile profile,
                      nvct_config *ret_config, nvct_error **err) {
        _cleanup_toml_ nvct_toml_value *root = NULL;
        if (nvct_toml_parse(data, len, name, &root, err) < 0)
                return -1;
        /* Security: the file's name (-config) prefixes every message below;
         * quoted, so that a newline or an escape sequence in it shows as
         * such. nvct_toml_parse quotes it itself. */
        _cleanup_free_ char *quoted_name = nvct_quote_path(name);
        if (quoted_name == NULL)
                return nvct_error_make(err, ENOMEM, "cannot read the config");
        nvct_config c;
        if (nvct_config_init_defaults(&c, profile, err) < 0)
                return -1;
        /* Linear: a bounded number of keys, each one walk of the tables
         * along its path. */
        parent_cache cache = { 0 };
        for (size_t i = 0; i < nvct_config_n_keys; i++) {
                const nvct_config_key *key = &nvct_config_keys[i];
                if (!nvct_config_key_read_by(key, profile))
                        continue;
                if (apply_key(root, key, quoted_name, profile, &cache, &c, err) < 0) {
                        nvct_config_clear(&c);
                        return -1;
                }
        }
        c.source = strdup(name);
        if (c.source == NULL) {
                nvct_config_clear(&c);
                return nvct_error_make(err, ENOMEM, "cannot read the config");
        }
        *ret_config = c;
        return 0;
}

/* Reads a config file. Returns -ENOENT (without an error) when it does not
 * exist, so that the search can go on. */
static int load_file(const char *path, nvct_config_profile profile, nvct_config *ret_config,
                     nvct_error **err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = nvct_read_regular(path, "config file", NVCT_CONFIG_MAX_SIZE, true, &data, &len,
                                  err);
        if (r < 0)
                return r;
        return nvct_config_parse(data, len, path, profile, ret_config, err);
}

int nvct_config_load(const char *explicit_path, const char *const *search_paths,
                     nvct_config_profile profile, nvct_config *ret_config, nvct_error **err) {
        if (explicit_path != NULL && explicit_path[0] != '\0') {
                int r = load_file(explicit_path, profile, ret_config, err);
                if (r == -ENOENT) {
                        _cleanup_free_ char *q = nvct_quote_path(explicit_path);
                        return nvct_error_make(err, ENOENT, "could not open config file %s",
                                               nvct_quoted(q));
                }
                return r < 0 ? -1 : 0;
        }
        for (size_t i = 0; search_paths != NULL && search_paths[i] != NULL; i++) {
                int r = load_file(search_paths[i], profile, ret_config, err);
                if (r == -ENOENT)
                        continue;
                return r < 0 ? -1 : 0;
        }
        nvct_config c;
        if (nvct_config_init_defaults(&c, profile, err) < 0)
                return -1;
        *ret_config = c;
        return 0;
}

int nvct_config_unknown_keys(const char *data, size_t len, const char *name, nvct_strv *ret_keys,
                             nvct_error **err) {
        _cleanup_toml_ nvct_toml_value *root = NULL;
        if (nvct_toml_parse(data, len, name, &root, err) < 0)
                return -1;
        nvct_strv keys = { 0 };
        if (collect_unknown(root, "", 0, &keys) < 0) {
                nvct_strv_clear(&keys);
                return nvct_error_make(err, ENOMEM, "cannot read the config");
        }
        *ret_keys = keys;
        return 0;
}

char *nvct_config_toolkit_path(void) {
        const char *path = getenv("NVIDIA_CTK_CONFIG_FILE_PATH");
        if (path != NULL && path[0] != '\0')
                return strdup(path);
        const char *xdg = getenv("XDG_CONFIG_HOME");
        char *s = NULL;
        if (asprintf(&s, "%s/nvidia-container-runtime/config.toml",
                     xdg != NULL && xdg[0] != '\0' ? xdg : "/etc") < 0)
                return NULL;
        return s;
}
