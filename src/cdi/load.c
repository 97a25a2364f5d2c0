/* SPDX-License-Identifier: Apache-2.0 */
/* The loader: a spec file's document tree (tree.c) filled into the model,
 * strictly (unknown fields, wrong types, integers out of range are errors,
 * as in the CDI reference's strict decoding), then validated (validate.c).
 * intelRdt and netDevices are checked, count for the minimum version, and
 * are dropped. */
#define _GNU_SOURCE
#include "load.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tree.h"
#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "basic/strv.h"

static bool word_in(const char *s, size_t len, const char *const *words, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (strlen(words[i]) == len && memcmp(s, words[i], len) == 0)
                        return true;
        return false;
}

/* YAML 1.2 core schema: the plain scalars that are null. */
static bool is_null(const node *n) {
        static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
        return n->type == NODE_NULL ||
               (n->type == NODE_PLAIN && word_in(n->text, n->len, nulls, ARRAY_SIZE(nulls)));
}

/* How a value is named in a type error: its text for scalars. */
static char *describe(const node *n) {
        switch (n->type) {
        case NODE_NULL:
                return strdup("null");
        case NODE_BOOL:
                return strdup(n->boolean ? "true" : "false");
        case NODE_MAP:
                return strdup("a map");
        case NODE_LIST:
                return strdup("a list");
        default:
                return is_null(n) ? strdup("null") : nvct_quote(n->text, n->len);
        }
}

static int type_error(nvct_error **err, const field_path *p, const char *want, const node *n) {
        _cleanup_free_ char *got = describe(n);
        return cdi_field_error(err, p, "expected %s, got %s", want, got ? got : "?");
}

/* Matches a map's members to the field names of an object: an unknown
 * field is an error (as in the reference's strict decoding); a member that
 * is null counts as absent (as Go's decoder leaves the field unset). */
static int match_fields(nvct_error **err, const field_path *p, const node *n,
                        const char *const *names, const node **slots, size_t n_names) {
        if (n->type != NODE_MAP)
                return type_error(err, p, "a map", n);
        for (size_t i = 0; i < n_names; i++)
                slots[i] = NULL;
        for (size_t k = 0; k < n->n_kids; k++) {
                const node *kid = &n->kids[k];
                size_t i = 0;
                while (i < n_names && !(strlen(names[i]) == kid->key_len &&
                                        memcmp(names[i], kid->key, kid->key_len) == 0))
                        i++;
                if (i == n_names) {
                        _cleanup_free_ char *q = nvct_quote(kid->key, kid->key_len);
                        return cdi_field_error(err, p, "unknown field %s", q ? q : "?");
                }
                slots[i] = is_null(kid) ? NULL : kid;
        }
        return 0;
}

static int require(nvct_error **err, const field_path *p, const node *slot, const char *name) {
        if (slot != NULL)
                return 0;
        return cdi_field_error(err, p, "missing field \"%s\"", name);
}

static bool is_string_node(const node *n) {
        return n->type == NODE_STRING || (n->type == NODE_PLAIN && !is_null(n));
}

/* A string; a plain YAML scalar is one whatever it looks like ("0",
 * "true"), as the reference's YAML decoding into a string field does. */
static int get_string(nvct_error **err, const field_path *p, const node *n, char **ret) {
        if (!is_string_node(n))
                return type_error(err, p, "a string", n);
        char *s = nvct_memdup0(n->text, n->len);
        if (s == NULL)
                return cdi_oom(err);
        free(*ret);
        *ret = s;
        return 0;
}

static int get_strings(nvct_error **err, const field_path *p, const node *n, char ***ret,
                       size_t *ret_n) {
        if (n->type != NODE_LIST)
                return type_error(err, p, "a list of strings", n);
        if (n->n_kids == 0)
                return 0;
        char **v = calloc(n->n_kids, sizeof(*v));
        if (v == NULL)
                return cdi_oom(err);
        *ret = v;
        *ret_n = n->n_kids;
        for (size_t i = 0; i < n->n_kids; i++) {
                field_path at = INDEX(p, i);
                if (get_string(err, &at, &n->kids[i], &v[i]) < 0)
                        return -1;
        }
        return 0;
}

/* An integer in [min, max]: a JSON number or a plain YAML scalar in
 * decimal, without leading zeros (YAML 1.1 would read "0644" as octal: no
 * guessing). */
static int get_int(nvct_error **err, const field_path *p, const node *n, int64_t min, int64_t max,
                   int64_t *ret) {
        if (n->type != NODE_NUMBER && (n->type != NODE_PLAIN || is_null(n)))
                return type_error(err, p, "an integer", n);
        const char *s = n->text;
        size_t len = n->len, i = 0;
        bool negative = len > 0 && s[0] == '-';
        if (negative)
                i++;
        bool ok = i < len && (s[i] != '0' || i + 1 == len);
        uint64_t mag = 0;
        bool overflow = false;
        for (size_t k = i; ok && k < len; k++) {
                if (!cdi_is_digit(s[k])) {
                        ok = false;
                        break;
                }
                unsigned d = (unsigned)(s[k] - '0');
                if (mag > (UINT64_MAX - d) / 10)
                        overflow = true;
                else
                        mag = mag * 10 + d;
        }
        if (!ok)
                return type_error(err, p, "an integer", n);
        int64_t v = 0;
        if (!overflow && negative && mag <= (uint64_t)INT64_MAX + 1)
                v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
        else if (!overflow && !negative && mag <= (uint64_t)INT64_MAX)
                v = (int64_t)mag;
        else
                overflow = true;
        if (overflow || v < min || v > max || (negative && min >= 0)) {
                _cleanup_free_ char *q = nvct_quote(s, len);
                return cdi_field_error(err, p, "%s is out of range: %" PRId64 " to %" PRId64,
                                       q ? q : "?", min, max);
        }
        *ret = v;
        return 0;
}

static int get_uint32(nvct_error **err, const field_path *p, const node *n, uint32_t *ret) {
        int64_t v;
        if (get_int(err, p, n, 0, UINT32_MAX, &v) < 0)
                return -1;
        *ret = (uint32_t)v;
        return 0;
}

static int get_bool(nvct_error **err, const field_path *p, const node *n, bool *ret) {
        static const char *const trues[] = { "true", "True", "TRUE" };
        static const char *const falses[] = { "false", "False", "FALSE" };
        if (n->type == NODE_BOOL) {
                *ret = n->boolean;
                return 0;
        }
        if (n->type == NODE_PLAIN && word_in(n->text, n->len, trues, ARRAY_SIZE(trues))) {
                *ret = true;
                return 0;
        }
        if (n->type == NODE_PLAIN && word_in(n->text, n->len, falses, ARRAY_SIZE(falses))) {
                *ret = false;
                return 0;
        }
        return type_error(err, p, "a boolean", n);
}

/* A list whose items are filled into a calloc'ed array of `size` each. */
static int get_list(nvct_error **err, const field_path *p, const node *n, const char *want,
                    void **ret, size_t *ret_n, size_t size) {
        if (n->type != NODE_LIST)
                return type_error(err, p, want, n);
        if (n->n_kids == 0)
                return 0;
        void *v = calloc(n->n_kids, size);
        if (v == NULL)
                return cdi_oom(err);
        *ret = v;
        *ret_n = n->n_kids;
        return 0;
}

static int fill_annotations(nvct_error **err, const field_path *p, const node *n,
                            nvct_cdi_annotation **ret, size_t *ret_n) {
        if (n->type != NODE_MAP)
                return type_error(err, p, "a map of strings", n);
        if (n->n_kids == 0)
                return 0;
        nvct_cdi_annotation *v = calloc(n->n_kids, sizeof(*v));
        if (v == NULL)
                return cdi_oom(err);
        *ret = v;
        *ret_n = n->n_kids;
        for (size_t i = 0; i < n->n_kids; i++) {
                const node *kid = &n->kids[i];
                /* The key is the document's: quoted, never a path segment. */
                if (!is_string_node(kid)) {
                        _cleanup_free_ char *q = nvct_quote(kid->key, kid->key_len);
                        _cleanup_free_ char *got = describe(kid);
                        return cdi_field_error(err, p, "the value of %s: expected a string, got %s",
                                               q ? q : "?", got ? got : "?");
                }
                v[i].key = nvct_memdup0(kid->key, kid->key_len);
                if (v[i].key == NULL || get_string(err, p, kid, &v[i].value) < 0)
                        return v[i].key == NULL ? cdi_oom(err) : -1;
        }
        return 0;
}

static int fill_device_node(nvct_error **err, const field_path *p, const node *n,
                            nvct_cdi_device_node *d) {
        enum { PATH, HOST_PATH, TYPE, MAJOR, MINOR, FILE_MODE, PERMISSIONS, UID, GID, N };
        static const char *const names[N] = { "path",     "hostPath",    "type", "major", "minor",
                                              "fileMode", "permissions", "uid",  "gid" };
        const node *f[N];
        if (match_fields(err, p, n, names, f, N) < 0 || require(err, p, f[PATH], "path") < 0)
                return -1;
        field_path at = FIELD(p, names[PATH]);
        if (get_string(err, &at, f[PATH], &d->path) < 0)
                return -1;
        at = FIELD(p, names[HOST_PATH]);
        if (f[HOST_PATH] != NULL && get_string(err, &at, f[HOST_PATH], &d->host_path) < 0)
                return -1;
        at = FIELD(p, names[TYPE]);
        if (f[TYPE] != NULL && get_string(err, &at, f[TYPE], &d->type) < 0)
                return -1;
        d->has_major_minor = f[MAJOR] != NULL || f[MINOR] != NULL;
        at = FIELD(p, names[MAJOR]);
        if (f[MAJOR] != NULL && get_int(err, &at, f[MAJOR], INT64_MIN, INT64_MAX, &d->major) < 0)
                return -1;
        at = FIELD(p, names[MINOR]);
        if (f[MINOR] != NULL && get_int(err, &at, f[MINOR], INT64_MIN, INT64_MAX, &d->minor) < 0)
                return -1;
        at = FIELD(p, names[FILE_MODE]);
        d->has_file_mode = f[FILE_MODE] != NULL;
        if (f[FILE_MODE] != NULL && get_uint32(err, &at, f[FILE_MODE], &d->file_mode) < 0)
                return -1;
        at = FIELD(p, names[PERMISSIONS]);
        if (f[PERMISSIONS] != NULL && get_string(err, &at, f[PERMISSIONS], &d->permissions) < 0)
                return -1;
        at = FIELD(p, names[UID]);
        d->has_uid = f[UID] != NULL;
        if (f[UID] != NULL && get_uint32(err, &at, f[UID], &d->uid) < 0)
                return -1;
        at = FIELD(p, names[GID]);
        d->has_gid = f[GID] != NULL;
        if (f[GID] != NULL && get_uint32(err, &at, f[GID], &d->gid) < 0)
                return -1;
        return 0;
}

static int fill_mount(nvct_error **err, const field_path *p, const node *n, nvct_cdi_mount *m) {
        enum { HOST_PATH, CONTAINER_PATH, TYPE, OPTIONS, N };
        static const char *const names[N] = { "hostPath", "containerPath", "type", "options" };
        const node *f[N];
        if (match_fields(err, p, n, names, f, N) < 0 ||
            require(err, p, f[HOST_PATH], "hostPath") < 0 ||
            require(err, p, f[CONTAINER_PATH], "containerPath") < 0)
                return -1;
        field_path at = FIELD(p, names[HOST_PATH]);
        if (get_string(err, &at, f[HOST_PATH], &m->host_path) < 0)
                return -1;
        at = FIELD(p, names[CONTAINER_PATH]);
        if (get_string(err, &at, f[CONTAINER_PATH], &m->container_path) < 0)
                return -1;
        at = FIELD(p, names[TYPE]);
        if (f[TYPE] != NULL && get_string(err, &at, f[TYPE], &m->type) < 0)
                return -1;
        at = FIELD(p, names[OPTIONS]);
        if (f[OPTIONS] != NULL && get_strings(err, &at, f[OPTIONS], &m->options, &m->n_options) < 0)
                return -1;
        return 0;
}

static int fill_hook(nvct_error **err, const field_path *p, const node *n, nvct_cdi_hook *h) {
        enum { HOOK_NAME, PATH, ARGS, ENV, TIMEOUT, N };
        static const char *const names[N] = { "hookName", "path", "args", "env", "timeout" };
        const node *f[N];
        if (match_fields(err, p, n, names, f, N) < 0 ||
            require(err, p, f[HOOK_NAME], "hookName") < 0 || require(err, p, f[PATH], "path") < 0)
                return -1;
        field_path at = FIELD(p, names[HOOK_NAME]);
        if (get_string(err, &at, f[HOOK_NAME], &h->hook_name) < 0)
                return -1;
        at = FIELD(p, names[PATH]);
        if (get_string(err, &at, f[PATH], &h->path) < 0)
                return -1;
        at = FIELD(p, names[ARGS]);
        if (f[ARGS] != NULL && get_strings(err, &at, f[ARGS], &h->args, &h->n_args) < 0)
                return -1;
        at = FIELD(p, names[ENV]);
        if (f[ENV] != NULL && get_strings(err, &at, f[ENV], &h->env, &h->n_env) < 0)
                return -1;
        at = FIELD(p, names[TIMEOUT]);
        h->has_timeout = f[TIMEOUT] != NULL;
        if (f[TIMEOUT] != NULL && get_int(err, &at, f[TIMEOUT], 1, UINT32_MAX, &h->timeout) < 0)
                return -1;
        return 0;
}

/* Checks a string (or list of strings) that is then dropped. */
static int check_string_node(nvct_error **err, const field_path *p, const node *n) {
        _cleanup_free_ char *s = NULL;
        return n == NULL ? 0 : get_string(err, p, n, &s);
}

static int fill_intel_rdt(nvct_error **err, const field_path *p, const node *n,
                          version_need *need) {
        enum { CLOS_ID, L3_CACHE_SCHEMA, MEM_BW_SCHEMA, SCHEMATA, ENABLE_MONITORING, N };
        static const char *const names[N] = { "closID", "l3CacheSchema", "memBwSchema", "schemata",
                                              "enableMonitoring" };
        const node *f[N];
        if (match_fields(err, p, n, names, f, N) < 0)
                return -1;
        cdi_need_at_least(need, V070, "intelRdt");
        for (size_t i = CLOS_ID; i <= MEM_BW_SCHEMA; i++) {
                field_path at = FIELD(p, names[i]);
                if (check_string_node(err, &at, f[i]) < 0)
                        return -1;
        }
        if (f[CLOS_ID] != NULL) {
                /* The reference: a CLOS name is a plain directory name. */
                const node *c = f[CLOS_ID];
                if ((c->len == 1 && c->text[0] == '.') ||
                    (c->len == 2 && memcmp(c->text, "..", 2) == 0) ||
                    memchr(c->text, '/', c->len)) {
                        field_path at = FIELD(p, names[CLOS_ID]);
                        _cleanup_free_ char *q = nvct_quote(c->text, c->len);
                        return cdi_field_error(err, &at, "invalid CLOS name %s", q ? q : "?");
                }
        }
        if (f[SCHEMATA] != NULL) {
                field_path at = FIELD(p, names[SCHEMATA]);
                char **v = NULL;
                size_t nv = 0;
                int r = get_strings(err, &at, f[SCHEMATA], &v, &nv);
                nvct_strv_free_array(v, nv);
                if (r < 0)
                        return -1;
                if (nv > 0)
                        cdi_need_at_least(need, V110, "intelRdt schemata");
        }
        if (f[ENABLE_MONITORING] != NULL) {
                field_path at = FIELD(p, names[ENABLE_MONITORING]);
                bool on = false;
                if (get_bool(err, &at, f[ENABLE_MONITORING], &on) < 0)
                        return -1;
                if (on)
                        cdi_need_at_least(need, V110, "intelRdt enableMonitoring");
        }
        return 0;
}

/* A network interface name as the kernel takes it. */
static int check_interface_name(nvct_error **err, const field_path *p, const node *n) {
        if (!is_string_node(n))
                return type_error(err, p, "a string", n);
        bool ok = n->len >= 1 && n->len <= 15 && !(n->len == 1 && n->text[0] == '.') &&
                  !(n->len == 2 && memcmp(n->text, "..", 2) == 0);
        for (size_t i = 0; ok && i < n->len; i++)
                ok = n->text[i] != '/' && n->text[i] != ':' &&
                     strchr(" \t\n\v\f\r", n->text[i]) == NULL;
        if (ok)
                return 0;
        _cleanup_free_ char *q = nvct_quote(n->text, n->len);
        return cdi_field_error(err, p, "invalid network interface name %s", q ? q : "?");
}

static int fill_net_devices(nvct_error **err, const field_path *p, const node *n,
                            version_need *need) {
        enum { HOST_INTERFACE_NAME, NAME, N };
        static const char *const names[N] = { "hostInterfaceName", "name" };
        if (n->type != NODE_LIST)
                return type_error(err, p, "a list", n);
        for (size_t i = 0; i < n->n_kids; i++) {
                field_path item = INDEX(p, i);
                const node *f[N];
                if (match_fields(err, &item, &n->kids[i], names, f, N) < 0 ||
                    require(err, &item, f[HOST_INTERFACE_NAME], "hostInterfaceName") < 0 ||
                    require(err, &item, f[NAME], "name") < 0)
                        return -1;
                for (size_t k = 0; k < N; k++) {
                        field_path at = FIELD(&item, names[k]);
                        if (check_interface_name(err, &at, f[k]) < 0)
                                return -1;
                }
        }
        if (n->n_kids > 0)
                cdi_need_at_least(need, V110, "netDevices");
        return 0;
}

static int fill_edits(nvct_error **err, const field_path *p, const node *n, nvct_cdi_edits *e,
                      version_need *need, bool *ret_dropped) {
        enum { ENV, DEVICE_NODES, MOUNTS, HOOKS, ADDITIONAL_GIDS, INTEL_RDT, NET_DEVICES, N };
        static const char *const names[N] = { "env",       "deviceNodes",    "mounts",
                                              "hooks",     "additionalGids", "intelRdt",
                                              "netDevices" };
        const node *f[N];
        if (match_fields(err, p, n, names, f, N) < 0)
                return -1;
        field_path at = FIELD(p, names[ENV]);
        if (f[ENV] != NULL && get_strings(err, &at, f[ENV], &e->env, &e->n_env) < 0)
                return -1;
        at = FIELD(p, names[DEVICE_NODES]);
        if (f[DEVICE_NODES] != NULL) {
                if (get_list(err, &at, f[DEVICE_NODES], "a list of device nodes",
                             (void **)&e->device_nodes, &e->n_device_nodes,
                             sizeof(*e->device_nodes)) < 0)
                        return -1;
                for (size_t i = 0; i < e->n_device_nodes; i++) {
                        field_path item = INDEX(&at, i);
                        if (fill_device_node(err, &item, &f[DEVICE_NODES]->kids[i],
                                             &e->device_nodes[i]) < 0)
                                return -1;
                }
        }
        at = FIELD(p, names[MOUNTS]);
        if (f[MOUNTS] != NULL) {
                if (get_list(err, &at, f[MOUNTS], "a list of mounts", (void **)&e->mounts,
                             &e->n_mounts, sizeof(*e->mounts)) < 0)
                        return -1;
                for (size_t i = 0; i < e->n_mounts; i++) {
                        field_path item = INDEX(&at, i);
                        if (fill_mount(err, &item, &f[MOUNTS]->kids[i], &e->mounts[i]) < 0)
                                return -1;
                }
        }
        at = FIELD(p, names[HOOKS]);
        if (f[HOOKS] != NULL) {
                if (get_list(err, &at, f[HOOKS], "a list of hooks", (void **)&e->hooks, &e->n_hooks,
                             sizeof(*e->hooks)) < 0)
                        return -1;
                for (size_t i = 0; i < e->n_hooks; i++) {
                        field_path item = INDEX(&at, i);
                        if (fill_hook(err, &item, &f[HOOKS]->kids[i], &e->hooks[i]) < 0)
                                return -1;
                }
        }
        at = FIELD(p, names[ADDITIONAL_GIDS]);
        if (f[ADDITIONAL_GIDS] != NULL) {
                if (get_list(err, &at, f[ADDITIONAL_GIDS], "a list of integers",
                             (void **)&e->additional_gids, &e->n_additional_gids,
                             sizeof(*e->additional_gids)) < 0)
                        return -1;
                for (size_t i = 0; i < e->n_additional_gids; i++) {
                        field_path item = INDEX(&at, i);
                        if (get_uint32(err, &item, &f[ADDITIONAL_GIDS]->kids[i],
                                       &e->additional_gids[i]) < 0)
                                return -1;
                }
        }
        *ret_dropped = false;
        at = FIELD(p, names[INTEL_RDT]);
        if (f[INTEL_RDT] != NULL) {
                if (fill_intel_rdt(err, &at, f[INTEL_RDT], need) < 0)
                        return -1;
                *ret_dropped = true;
        }
        at = FIELD(p, names[NET_DEVICES]);
        if (f[NET_DEVICES] != NULL) {
                if (fill_net_devices(err, &at, f[NET_DEVICES], need) < 0)
                        return -1;
                *ret_dropped |= f[NET_DEVICES]->n_kids > 0;
        }
        return 0;
}

static int fill_spec(nvct_error **err, const node *root, nvct_cdi_spec *spec, dropped *drop) {
        enum { CDI_VERSION, KIND, ANNOTATIONS, DEVICES, CONTAINER_EDITS, N };
        static const char *const names[N] = { "cdiVersion", "kind", "annotations", "devices",
                                              "containerEdits" };
        const node *f[N];
        if (root->type != NODE_MAP)
                return type_error(err, NULL, "a map (the spec)", root);
        if (match_fields(err, NULL, root, names, f, N) < 0 ||
            require(err, NULL, f[CDI_VERSION], "cdiVersion") < 0 ||
            require(err, NULL, f[KIND], "kind") < 0 ||
            require(err, NULL, f[DEVICES], "devices") < 0)
                return -1;
        field_path at = FIELD(NULL, names[CDI_VERSION]);
        if (get_string(err, &at, f[CDI_VERSION], &spec->version) < 0)
                return -1;
        at = FIELD(NULL, names[KIND]);
        if (get_string(err, &at, f[KIND], &spec->kind) < 0)
                return -1;
        at = FIELD(NULL, names[ANNOTATIONS]);
        if (f[ANNOTATIONS] != NULL && fill_annotations(err, &at, f[ANNOTATIONS], &spec->annotations,
                                                       &spec->n_annotations) < 0)
                return -1;
        bool ignored;
        at = FIELD(NULL, names[CONTAINER_EDITS]);
        if (f[CONTAINER_EDITS] != NULL &&
            fill_edits(err, &at, f[CONTAINER_EDITS], &spec->edits, &drop->need, &ignored) < 0)
                return -1;

        at = FIELD(NULL, names[DEVICES]);
        if (get_list(err, &at, f[DEVICES], "a list of devices", (void **)&spec->devices,
                     &spec->n_devices, sizeof(*spec->devices)) < 0)
                return -1;
        if (spec->n_devices > 0) {
                drop->device_has_dropped = calloc(spec->n_devices, sizeof(bool));
                if (drop->device_has_dropped == NULL)
                        return cdi_oom(err);
        }
        enum { D_NAME, D_ANNOTATIONS, D_CONTAINER_EDITS, D_N };
        static const char *const device_names[D_N] = { "name", "annotations", "containerEdits" };
        for (size_t i = 0; i < spec->n_devices; i++) {
                nvct_cdi_device *d = &spec->devices[i];
                field_path item = INDEX(&at, i);
                const node *df[D_N];
                if (match_fields(err, &item, &f[DEVICES]->kids[i], device_names, df, D_N) < 0 ||
                    require(err, &item, df[D_NAME], "name") < 0 ||
                    require(err, &item, df[D_CONTAINER_EDITS], "containerEdits") < 0)
                        return -1;
                field_path field = FIELD(&item, device_names[D_NAME]);
                if (get_string(err, &field, df[D_NAME], &d->name) < 0)
                        return -1;
                field = FIELD(&item, device_names[D_ANNOTATIONS]);
                if (df[D_ANNOTATIONS] != NULL &&
                    fill_annotations(err, &field, df[D_ANNOTATIONS], &d->annotations,
                                     &d->n_annotations) < 0)
                        return -1;
                field = FIELD(&item, device_names[D_CONTAINER_EDITS]);
                if (fill_edits(err, &field, df[D_CONTAINER_EDITS], &d->edits, &drop->need,
                               &drop->device_has_dropped[i]) < 0)
                        return -1;
        }
        return 0;
}

/* Fills and validates the spec from a tree, which it frees. */
static int tree_to_spec(tree *t, nvct_cdi_spec *ret_spec, nvct_error **err) {
        nvct_cdi_spec spec = { 0 };
        dropped drop = { .need = { V030, NULL } };
        int r = fill_spec(err, &t->root, &spec, &drop);
        cdi_tree_free(t);
        if (r == 0)
                r = cdi_validate(&spec, spec.version, &drop, err);
        free(drop.device_has_dropped);
        if (r < 0) {
                nvct_cdi_spec_clear(&spec);
                return -1;
        }
        *ret_spec = spec;
        return 0;
}

/* Parses and validates; errors carry no file name (callers add it). */
static int parse(const char *data, size_t len, nvct_cdi_format format, nvct_cdi_spec *ret_spec,
                 nvct_error **err) {
        tree t;
        if (cdi_tree_parse(data, len, format, &t, err) < 0)
                return -1;
        return tree_to_spec(&t, ret_spec, err);
}

/* Security: a spec's file name is chosen by whoever can write a spec
 * directory: quoted wherever a message names it, as every path is. */
static int bad_name(const char *name, nvct_error **err) {
        _cleanup_free_ char *q = nvct_quote_path(name);
        return nvct_error_make(err, 0,
                               "%s: not a CDI spec name: it must end in .json, .yaml or .yml",
                               nvct_quoted(q));
}

static int prefix_name(const char *name, nvct_error **err) {
        _cleanup_free_ char *q = nvct_quote_path(name);
        return nvct_error_prefix(err, "%s", nvct_quoted(q));
}

int nvct_cdi_spec_parse(const char *data, size_t len, const char *name, nvct_cdi_spec *ret_spec,
                        nvct_error **err) {
        nvct_cdi_format format = cdi_format_of_name(name);
        if (format == 0)
                return bad_name(name, err);
        if (parse(data, len, format, ret_spec, err) < 0)
                return prefix_name(name, err);
        return 0;
}

/* Reads a spec file into memory; errors name the file. */
static int read_spec_file(const char *path, char **ret_data, size_t *ret_len, nvct_error **err) {
        return nvct_read_regular(path, "CDI spec", NVCT_CDI_MAX_FILE_SIZE, false, ret_data, ret_len,
                                 err);
}

int cdi_load_unnamed(const char *path, nvct_cdi_spec *ret_spec, bool *ret_parsed,
                     nvct_error **err) {
        *ret_parsed = false;
        nvct_cdi_format format = cdi_format_of_name(path);
        if (format == 0)
                return bad_name(path, err);
        _cleanup_free_ char *data = NULL;
        size_t len;
        if (read_spec_file(path, &data, &len, err) < 0)
                return -1;
        *ret_parsed = true;
        tree t;
        int r = cdi_tree_parse(data, len, format, &t, err);
        /* The tree holds copies: the file's bytes need not stay while the
         * spec is filled. */
        free(TAKE_PTR(data));
        if (r < 0)
                return -1;
        return tree_to_spec(&t, ret_spec, err);
}

int nvct_cdi_spec_load(const char *path, nvct_cdi_spec *ret_spec, nvct_error **err) {
        bool parsed;
        if (cdi_load_unnamed(path, ret_spec, &parsed, err) < 0)
                return parsed ? prefix_name(path, err) : -1;
        return 0;
}
