/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
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

static int add_name(nvct_strv *names, const char *name, size_t len, const char *origin,
                    nvct_error **err) {
        if (memchr(name, '\0', len) != NULL || len > NVCT_RUNTIME_MAX_DEVICE_NAME) {
                _cleanup_free_ char *q = nvct_quote(name, len);
                return nvct_error_make(err, 0, "%s: invalid device name %s%s", origin,
                                       nvct_quoted(q),
                                       len > NVCT_RUNTIME_MAX_DEVICE_NAME ? " (too long)" : "");
        }
        _cleanup_free_ char *copy = strndup(name, len);
        if (copy == NULL)
                return nvct_error_make(err, ENOMEM, "%s", origin);
        if (nvct_strv_contains(names, copy))
                return 0;
        if (names->n >= NVCT_RUNTIME_MAX_DEVICES)
                return nvct_error_make(err, 0, "%s: more than %u devices requested", origin,
                                       NVCT_RUNTIME_MAX_DEVICES);
        if (nvct_strv_push(names, TAKE_PTR(copy)) < 0)
                return nvct_error_make(err, ENOMEM, "%s", origin);
        return 0;
}

int nvct_runtime_add_device_list(nvct_strv *names, const char *list, size_t len, const char *origin,
                                 nvct_error **err) {
        /* Linear: each byte is looked at once by memchr. */
        const char *p = list, *end = list + len;
        while (p < end) {
                const char *comma = memchr(p, ',', (size_t)(end - p));
                const char *stop = comma ? comma : end;
                size_t n = (size_t)(stop - p);
                bool nothing = n == 0 ||
                               (n == 4 && (memcmp(p, "none", 4) == 0 || memcmp(p, "void", 4) == 0));
                if (!nothing && add_name(names, p, n, origin, err) < 0)
                        return -1;
                p = comma ? comma + 1 : end;
        }
        return 0;
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
                if (nvct_runtime_add_device_list(names, value, value_len, origin, err) < 0)
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
