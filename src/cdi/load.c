/* SPDX-License-Identifier: Apache-2.0 */
/* The loader: a spec file's document tree (src/document, strict mode) filled into the model,
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
#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "basic/strv.h"
#include "document/document.h"

/* The loader's view of the shared document tree (src/document). */
typedef nvct_document_node node;

/* Security: a value costs a node, and "0," is one in two bytes: a document
 * may hold one value per BYTES_PER_NODE bytes (beyond the first MIN_NODES),
 * so that what it costs stays a small multiple of its size, and MAX_NODES in
 * all. Real specs have about 25 bytes per value, compact JSON included. */
#define MAX_NODES (1u << 20)
#define BYTES_PER_NODE 8
#define MIN_NODES (1u << 16)

/* Strict (CDI): a key twice and text that is not UTF-8 are errors; a NUL
 * byte too (a string here becomes a path or an argument). */
static const nvct_document_options document_options = {
        .mode = NVCT_DOCUMENT_STRICT,
        .max_size = NVCT_CDI_MAX_FILE_SIZE,
        .max_depth = NVCT_CDI_MAX_DEPTH,
        .max_nodes = MAX_NODES,
        .bytes_per_node = BYTES_PER_NODE,
        .min_nodes = MIN_NODES,
        .refuse_nul = true,
};

static nvct_document_kind kind(const node *n) {
        return nvct_document_kind_of(n);
}

/* The members of a map or the items of a list. */
static size_t n_items(const node *n) {
        return kind(n) == NVCT_DOCUMENT_OBJECT ? nvct_document_object_size(n)
                                               : nvct_document_array_size(n);
}

static const node *list_item(const node *list, size_t i) {
        return nvct_document_array_get(list, i);
}

/* The document resolves YAML plain scalars by the 1.2 core schema: "",
 * "~", "null", "Null" and "NULL" are null, as JSON's null. */
static bool is_null(const node *n) {
        return kind(n) == NVCT_DOCUMENT_NULL;
}

/* How a value is named in a type error: its text for scalars (quoted; a
 * YAML plain "true" too), JSON's true, false and null as they are. */
static char *describe(const node *n) {
        switch (kind(n)) {
        case NVCT_DOCUMENT_NULL:
                return strdup("null");
        case NVCT_DOCUMENT_OBJECT:
                return strdup("a map");
        case NVCT_DOCUMENT_ARRAY:
                return strdup("a list");
        case NVCT_DOCUMENT_BOOL:
                if (!nvct_document_is_plain(n))
                        return strdup(nvct_document_bool(n) ? "true" : "false");
                break;
        default:
                break;
        }
        size_t len;
        const char *text = nvct_document_text(n, &len);
        return nvct_quote(text, len);
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
        if (kind(n) != NVCT_DOCUMENT_OBJECT)
                return type_error(err, p, "a map", n);
        for (size_t i = 0; i < n_names; i++)
                slots[i] = NULL;
        for (size_t k = 0; k < nvct_document_object_size(n); k++) {
                size_t key_len;
                const char *key = nvct_document_object_key(n, k, &key_len);
                const node *value = nvct_document_object_value(n, k);
                size_t i = 0;
                while (i < n_names &&
                       !(strlen(names[i]) == key_len && memcmp(names[i], key, key_len) == 0))
                        i++;
                if (i == n_names) {
                        _cleanup_free_ char *q = nvct_quote(key, key_len);
                        return cdi_field_error(err, p, "unknown field %s", q ? q : "?");
                }
                slots[i] = is_null(value) ? NULL : value;
        }
        return 0;
}

static int require(nvct_error **err, const field_path *p, const node *slot, const char *name) {
        if (slot != NULL)
                return 0;
        return cdi_field_error(err, p, "missing field \"%s\"", name);
}

/* A JSON string, a quoted YAML scalar, or any plain YAML scalar but null. */
static bool is_string_node(const node *n) {
        return kind(n) == NVCT_DOCUMENT_STRING || (nvct_document_is_plain(n) && !is_null(n));
}

/* A string; a plain YAML scalar is one whatever it looks like ("0",
 * "true"), as the reference's YAML decoding into a string field does. */
static int get_string(nvct_error **err, const field_path *p, const node *n, char **ret) {
        if (!is_string_node(n))
                return type_error(err, p, "a string", n);
        size_t len;
        const char *text = nvct_document_text(n, &len);
        char *s = nvct_memdup0(text, len);
        if (s == NULL)
                return cdi_oom(err);
        free(*ret);
        *ret = s;
        return 0;
}

static int get_strings(nvct_error **err, const field_path *p, const node *n, char ***ret,
                       size_t *ret_n) {
        if (kind(n) != NVCT_DOCUMENT_ARRAY)
                return type_error(err, p, "a list of strings", n);
        if (n_items(n) == 0)
                return 0;
        char **v = calloc(n_items(n), sizeof(*v));
        if (v == NULL)
                return cdi_oom(err);
        *ret = v;
        *ret_n = n_items(n);
        for (size_t i = 0; i < n_items(n); i++) {
                field_path at = INDEX(p, i);
                if (get_string(err, &at, list_item(n, i), &v[i]) < 0)
                        return -1;
        }
        return 0;
}

/* An integer in [min, max]: a JSON number or a plain YAML scalar in
 * decimal, without leading zeros (YAML 1.1 would read "0644" as octal: no
 * guessing). */
static int get_int(nvct_error **err, const field_path *p, const node *n, int64_t min, int64_t max,
                   int64_t *ret) {
        if (kind(n) != NVCT_DOCUMENT_NUMBER && !(nvct_document_is_plain(n) && !is_null(n)))
                return type_error(err, p, "an integer", n);
        size_t len, i = 0;
        const char *s = nvct_document_text(n, &len);
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

/* A boolean: JSON's, or a YAML plain true, True, TRUE, false, False or
 * FALSE (the core schema's, which the document resolves). */
static int get_bool(nvct_error **err, const field_path *p, const node *n, bool *ret) {
        if (kind(n) == NVCT_DOCUMENT_BOOL) {
                *ret = nvct_document_bool(n);
                return 0;
        }
        return type_error(err, p, "a boolean", n);
}

/* A list whose items are filled into a calloc'ed array of `size` each. */
static int get_list(nvct_error **err, const field_path *p, const node *n, const char *want,
                    void **ret, size_t *ret_n, size_t size) {
        if (kind(n) != NVCT_DOCUMENT_ARRAY)
                return type_error(err, p, want, n);
        if (n_items(n) == 0)
                return 0;
        void *v = calloc(n_items(n), size);
        if (v == NULL)
                return cdi_oom(err);
        *ret = v;
        *ret_n = n_items(n);
        return 0;
}

static int fill_annotations(nvct_error **err, const field_path *p, const node *n,
                            nvct_cdi_annotation **ret, size_t *ret_n) {
        if (kind(n) != NVCT_DOCUMENT_OBJECT)
                return type_error(err, p, "a map of strings", n);
        if (n_items(n) == 0)
                return 0;
        nvct_cdi_annotation *v = calloc(n_items(n), sizeof(*v));
        if (v == NULL)
                return cdi_oom(err);
        *ret = v;
        *ret_n = n_items(n);
        for (size_t i = 0; i < n_items(n); i++) {
                size_t key_len;
                const char *key = nvct_document_object_key(n, i, &key_len);
                const node *kid = nvct_document_object_value(n, i);
                /* The key is the document's: quoted, never a path segment. */
                if (!is_string_node(kid)) {
                        _cleanup_free_ char *q = nvct_quote(key, key_len);
                        _cleanup_free_ char *got = describe(kid);
                        return cdi_field_error(err, p, "the value of %s: expected a string, got %s",
                                               q ? q : "?", got ? got : "?");
                }
                v[i].key = nvct_memdup0(key, key_len);
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
                size_t c_len;
                const char *c_text = nvct_document_text(f[CLOS_ID], &c_len);
                if ((c_len == 1 && c_text[0] == '.') ||
                    (c_len == 2 && memcmp(c_text, "..", 2) == 0) || memchr(c_text, '/', c_len)) {
                        field_path at = FIELD(p, names[CLOS_ID]);
                        _cleanup_free_ char *q = nvct_quote(c_text, c_len);
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
        size_t len;
        const char *text = nvct_document_text(n, &len);
        bool ok = len >= 1 && len <= 15 && !(len == 1 && text[0] == '.') &&
                  !(len == 2 && memcmp(text, "..", 2) == 0);
        for (size_t i = 0; ok && i < len; i++)
                ok = text[i] != '/' && text[i] != ':' && strchr(" \t\n\v\f\r", text[i]) == NULL;
        if (ok)
                return 0;
        _cleanup_free_ char *q = nvct_quote(text, len);
        return cdi_field_error(err, p, "invalid network interface name %s", q ? q : "?");
}

static int fill_net_devices(nvct_error **err, const field_path *p, const node *n,
                            version_need *need) {
        enum { HOST_INTERFACE_NAME, NAME, N };
        static const char *const names[N] = { "hostInterfaceName", "name" };
        if (kind(n) != NVCT_DOCUMENT_ARRAY)
                return type_error(err, p, "a list", n);
        for (size_t i = 0; i < n_items(n); i++) {
                field_path item = INDEX(p, i);
                const node *f[N];
                if (match_fields(err, &item, list_item(n, i), names, f, N) < 0 ||
                    require(err, &item, f[HOST_INTERFACE_NAME], "hostInterfaceName") < 0 ||
                    require(err, &item, f[NAME], "name") < 0)
                        return -1;
                for (size_t k = 0; k < N; k++) {
                        field_path at = FIELD(&item, names[k]);
                        if (check_interface_name(err, &at, f[k]) < 0)
                                return -1;
                }
        }
        if (n_items(n) > 0)
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
                        if (fill_device_node(err, &item, list_item(f[DEVICE_NODES], i),
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
                        if (fill_mount(err, &item, list_item(f[MOUNTS], i), &e->mounts[i]) < 0)
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
                        if (fill_hook(err, &item, list_item(f[HOOKS], i), &e->hooks[i]) < 0)
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
                        if (get_uint32(err, &item, list_item(f[ADDITIONAL_GIDS], i),
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
                *ret_dropped |= n_items(f[NET_DEVICES]) > 0;
        }
        return 0;
}

static int fill_spec(nvct_error **err, const node *root, nvct_cdi_spec *spec, dropped *drop) {
        enum { CDI_VERSION, KIND, ANNOTATIONS, DEVICES, CONTAINER_EDITS, N };
        static const char *const names[N] = { "cdiVersion", "kind", "annotations", "devices",
                                              "containerEdits" };
        const node *f[N];
        if (kind(root) != NVCT_DOCUMENT_OBJECT)
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
                if (match_fields(err, &item, list_item(f[DEVICES], i), device_names, df, D_N) < 0 ||
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

/* The document's tree (which copies what it keeps). Its errors carry no
 * file name, as the loader's own: callers add it. The document names its
 * input first, quoted as nvct_quote_path does; that prefix is taken off. */
static int parse_document(const char *data, size_t len, nvct_cdi_format format, const char *name,
                          node **ret_root, nvct_error **err) {
        nvct_document_format df = format == NVCT_CDI_JSON ? NVCT_DOCUMENT_JSON : NVCT_DOCUMENT_YAML;
        _cleanup_error_ nvct_error *local = NULL;
        if (nvct_document_parse(data, len, df, name, &document_options, ret_root, &local) == 0)
                return 0;
        _cleanup_free_ char *q = nvct_quote_path(name);
        if (local == NULL || q == NULL)
                return cdi_oom(err);
        const char *msg = local->msg;
        size_t qlen = strlen(q);
        if (strncmp(msg, q, qlen) == 0 && strncmp(msg + qlen, ": ", 2) == 0)
                msg += qlen + 2;
        return nvct_error_make(err, 0, "%s", msg);
}

/* Fills and validates the spec from a document, which it frees. */
static int document_to_spec(node *root, nvct_cdi_spec *ret_spec, nvct_error **err) {
        nvct_cdi_spec spec = { 0 };
        dropped drop = { .need = { V030, NULL } };
        int r = fill_spec(err, root, &spec, &drop);
        nvct_document_free(root);
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
        node *root = NULL;
        if (parse_document(data, len, format, name, &root, err) < 0 ||
            document_to_spec(root, ret_spec, err) < 0)
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
        node *root = NULL;
        int r = parse_document(data, len, format, path, &root, err);
        /* The tree holds copies: the file's bytes need not stay while the
         * spec is filled. */
        free(TAKE_PTR(data));
        if (r < 0)
                return -1;
        return document_to_spec(root, ret_spec, err);
}

int nvct_cdi_spec_load(const char *path, nvct_cdi_spec *ret_spec, nvct_error **err) {
        bool parsed;
        if (cdi_load_unnamed(path, ret_spec, &parsed, err) < 0)
                return parsed ? prefix_name(path, err) : -1;
        return 0;
}
