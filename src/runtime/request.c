/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "request.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/hash.h"
#include "basic/quote.h"
#include "cdi/names.h"
#include "oci/oci.h"
#include "policy/specfilter.h"

int nvct_runtime_decide(const nvct_config *config, const char *data, size_t len, const char *path,
                        nvct_request *ret_request, nvct_error **err) {
        nvct_spec spec = { 0 };
        /* The hook's filter: only what the decision reads is kept, so memory
         * does not grow with the image's environment. */
        nvct_spec_filter filter = nvct_decision_spec_filter(config);
        if (nvct_spec_parse(data, len, path, &filter, &spec, err) < 0)
                return -1;
        bool privileged = false;
        int r = nvct_spec_is_privileged(&spec, path, &privileged, err);
        if (r == 0) {
                nvct_decision_input in = {
                        .config = config,
                        .env = &spec.env,
                        .dev_null_mounts = spec.dev_null_mounts,
                        .dev_null_mount_lens = spec.dev_null_mount_lens,
                        .n_dev_null_mounts = spec.n_dev_null_mounts,
                        .privileged = privileged,
                };
                r = nvct_decide(&in, ret_request, err);
        }
        nvct_spec_clear(&spec);
        return r;
}

/* Security: the names already requested, as a set keyed by the process's
 * hash (basic/hash.h) over indexes into names->v, so that each entry of a
 * list costs one probe. The list is the image's: a linear scan of the names
 * for every entry made 60 MiB of one short name repeated (config.json may
 * hold 64 MiB) take 41 s, since repeats are skipped, not counted. One set
 * serves every list of one call, so many annotations do not rebuild it. */
typedef struct name_set {
        uint64_t *hashes;
        uint32_t *slots; /* 1 + index into names->v; 0: empty */
        size_t mask;
} name_set;

static void name_set_clear(name_set *set) {
        free(set->hashes);
        free(set->slots);
}

/* The slot holding name[0..len), or the empty slot where it would go. */
static size_t name_set_probe(const name_set *set, const nvct_strv *names, const char *name,
                             size_t len, uint64_t h) {
        size_t i = (size_t)h & set->mask;
        for (; set->slots[i] != 0; i = (i + 1) & set->mask) {
                const char *s = names->v[set->slots[i] - 1];
                if (set->hashes[i] == h && strncmp(s, name, len) == 0 && s[len] == '\0')
                        return i;
        }
        return i;
}

static void name_set_put(name_set *set, const nvct_strv *names, size_t index) {
        const char *s = names->v[index];
        uint64_t h = nvct_hash(s, strlen(s));
        size_t i = name_set_probe(set, names, s, strlen(s), h);
        set->hashes[i] = h;
        set->slots[i] = (uint32_t)index + 1;
}

/* Room for every name there and NVCT_RUNTIME_MAX_DEVICES more (add_name's
 * bound), at most half full. */
static int name_set_init(name_set *set, const nvct_strv *names) {
        size_t size = 16;
        while (size < 2 * (names->n + NVCT_RUNTIME_MAX_DEVICES + 1))
                size *= 2;
        *set = (name_set){ .hashes = calloc(size, sizeof(uint64_t)),
                           .slots = calloc(size, sizeof(uint32_t)),
                           .mask = size - 1 };
        if (set->hashes == NULL || set->slots == NULL) {
                name_set_clear(set);
                return -1;
        }
        for (size_t i = 0; i < names->n; i++)
                name_set_put(set, names, i);
        return 0;
}

/* An annotation's entry must be a qualified CDI name, as the CDI
 * reference's ParseAnnotations and NVIDIA's runtime require: an empty
 * entry, "none" or a bare "0" is an error there, and is not to be taken for
 * a device of the default kind here. */
static int check_qualified(const char *name, size_t len, const char *origin, nvct_error **err) {
        _cleanup_free_ char *copy = strndup(name, len);
        if (copy == NULL)
                return nvct_error_make(err, ENOMEM, "%s", origin);
        if (nvct_runtime_is_qualified(copy))
                return 0;
        _cleanup_free_ char *q = nvct_quote(name, len);
        return nvct_error_make(err, 0,
                               "%s: invalid CDI device name %s (vendor/class=name expected)",
                               origin, nvct_quoted(q));
}

static int add_name(nvct_strv *names, name_set *set, const char *name, size_t len,
                    const char *origin, bool qualified, nvct_error **err) {
        if (memchr(name, '\0', len) != NULL || len > NVCT_RUNTIME_MAX_DEVICE_NAME) {
                _cleanup_free_ char *q = nvct_quote(name, len);
                return nvct_error_make(err, 0, "%s: invalid device name %s%s", origin,
                                       nvct_quoted(q),
                                       len > NVCT_RUNTIME_MAX_DEVICE_NAME ? " (too long)" : "");
        }
        if (qualified && check_qualified(name, len, origin, err) < 0)
                return -1;
        uint64_t h = nvct_hash(name, len);
        size_t slot = name_set_probe(set, names, name, len, h);
        if (set->slots[slot] != 0)
                return 0;
        if (names->n >= NVCT_RUNTIME_MAX_DEVICES)
                return nvct_error_make(err, 0, "%s: more than %u devices requested", origin,
                                       NVCT_RUNTIME_MAX_DEVICES);
        if (nvct_strv_push(names, strndup(name, len)) < 0)
                return nvct_error_make(err, ENOMEM, "%s", origin);
        set->hashes[slot] = h;
        set->slots[slot] = (uint32_t)names->n;
        return 0;
}

/* `qualified`: every entry must be a qualified name (annotations); else
 * empty entries, "none" and "void" request nothing (the environment).
 * Entries as Go's strings.Split gives them: "" is one empty entry. */
static int add_list(nvct_strv *names, name_set *set, const char *list, size_t len,
                    const char *origin, bool qualified, nvct_error **err) {
        /* Linear: each byte is looked at once by memchr, and hashed once. */
        if (list == NULL)
                list = ""; /* an empty list may come as NULL */
        const char *p = list, *end = list + len;
        for (;;) {
                const char *comma = memchr(p, ',', (size_t)(end - p));
                size_t n = (size_t)((comma ? comma : end) - p);
                bool nothing = n == 0 ||
                               (n == 4 && (memcmp(p, "none", 4) == 0 || memcmp(p, "void", 4) == 0));
                if ((qualified || !nothing) &&
                    add_name(names, set, p, n, origin, qualified, err) < 0)
                        return -1;
                if (comma == NULL)
                        return 0;
                p = comma + 1;
        }
}

int nvct_runtime_add_device_list(nvct_strv *names, const char *list, size_t len, const char *origin,
                                 nvct_error **err) {
        name_set set;
        if (name_set_init(&set, names) < 0)
                return nvct_error_make(err, ENOMEM, "%s", origin);
        int r = add_list(names, &set, list, len, origin, false, err);
        name_set_clear(&set);
        return r;
}

static bool has_prefix(const char *key, size_t len, const nvct_strv *prefixes) {
        for (size_t i = 0; i < prefixes->n; i++) {
                size_t n = strlen(prefixes->v[i]);
                if (n > 0 && len >= n && memcmp(key, prefixes->v[i], n) == 0)
                        return true;
        }
        return false;
}

int nvct_runtime_add_annotation_devices(nvct_strv *names, const nvct_oci_edit *edit,
                                        const nvct_strv *prefixes, nvct_error **err) {
        const nvct_document_node *annotations = NULL;
        if (prefixes->n == 0)
                return 0;
        if (nvct_oci_edit_annotations(edit, &annotations, err) < 0)
                return -1;
        size_t n = annotations ? nvct_document_object_size(annotations) : 0;
        _cleanup_(name_set_clear) name_set set = { 0 };
        if (n > 0 && name_set_init(&set, names) < 0)
                return nvct_error_make(err, ENOMEM, "annotations");
        for (size_t i = 0; i < n; i++) {
                size_t key_len = 0, value_len = 0;
                const char *key = nvct_document_object_key(annotations, i, &key_len);
                if (!has_prefix(key, key_len, prefixes))
                        continue;
                const nvct_document_node *v = nvct_document_object_value(annotations, i);
                _cleanup_free_ char *key_q = nvct_quote(key, key_len);
                if (nvct_document_kind_of(v) != NVCT_DOCUMENT_STRING) {
                        _cleanup_free_ char *path_q = nvct_quote_path(nvct_oci_edit_path(edit));
                        return nvct_error_make(err, 0, "%s: annotations[%s]: a string expected",
                                               nvct_quoted(path_q), nvct_quoted(key_q));
                }
                const char *value = nvct_document_text(v, &value_len);
                _cleanup_free_ char *origin = NULL;
                if (asprintf(&origin, "annotation %s", nvct_quoted(key_q)) < 0)
                        return nvct_error_make(err, ENOMEM, "annotations");
                if (add_list(names, &set, value, value_len, origin, true, err) < 0)
                        return -1;
        }
        return 0;
}

bool nvct_runtime_is_qualified(const char *name) {
        _cleanup_free_ char *kind = NULL, *device = NULL;
        if (strchr(name, '=') == NULL)
                return false;
        return nvct_cdi_parse_qualified_name(name, &kind, &device, NULL) == 0;
}

char *nvct_runtime_qualify(const char *name, const char *default_kind) {
        if (nvct_runtime_is_qualified(name))
                return strdup(name);
        char *s = NULL;
        if (asprintf(&s, "%s=%s", default_kind, name) < 0)
                return NULL;
        return s;
}

bool nvct_runtime_may_have_annotations(const nvct_strv *prefixes, const char *data, size_t len) {
        for (size_t i = 0; i < prefixes->n; i++)
                if (prefixes->v[i][0] != '\0' &&
                    memmem(data, len, prefixes->v[i], strlen(prefixes->v[i])) != NULL)
                        return true;
        return false;
}

int nvct_runtime_requested_devices(const nvct_request *req, const nvct_oci_edit *edit,
                                   const nvct_strv *prefixes, nvct_strv *names,
                                   bool *ret_from_annotations, nvct_error **err) {
        size_t before = names->n;
        if (edit != NULL && nvct_runtime_add_annotation_devices(names, edit, prefixes, err) < 0)
                return -1;
        bool from_annotations = names->n > before;
        if (!from_annotations && req->gpu_container &&
            nvct_runtime_add_device_list(
                    names, req->devices, req->devices_len,
                    req->devices_origin ? req->devices_origin : "NVIDIA_VISIBLE_DEVICES", err) < 0)
                return -1;
        if (ret_from_annotations != NULL)
                *ret_from_annotations = from_annotations;
        return 0;
}
