/* SPDX-License-Identifier: Apache-2.0 */
/* What the CDI reference checks of a spec, on the model: run by the writer
 * (so that what is written loads back) and by the loader. Errors name the
 * field ("devices[0].containerEdits.hooks[1].path") and quote the value. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "internal.h"
#include "names.h"
#include "basic/cleanup.h"
#include "basic/quote.h"
#include "basic/utf8.h"

/* k8s' limit on the annotations of one object, which the CDI reference
 * applies to a spec's and a device's annotations. */
#define MAX_ANNOTATIONS_SIZE (256u << 10)

static size_t path_render(const field_path *p, char *buf, size_t size) {
        if (p == NULL)
                return 0;
        size_t at = path_render(p->up, buf, size);
        if (at >= size)
                return at;
        int n;
        if (p->key != NULL)
                n = snprintf(buf + at, size - at, "%s%s", at > 0 ? "." : "", p->key);
        else
                n = snprintf(buf + at, size - at, "[%zu]", p->index);
        return n < 0 ? size : at + (size_t)n;
}

int cdi_field_error(nvct_error **err, const field_path *p, const char *fmt, ...) {
        char where[256] = "";
        path_render(p, where, sizeof(where));
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *msg = NULL;
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (n < 0) {
                msg = NULL;
                return cdi_oom(err);
        }
        if (where[0] == '\0')
                return nvct_error_make(err, 0, "%s", msg);
        return nvct_error_make(err, 0, "%s: %s", where, msg);
}

/* An error of a public check (kind, device name), placed at a field. */
static int field_error_from(nvct_error **err, const field_path *p, nvct_error *inner) {
        return cdi_field_error(err, p, "%s", inner != NULL && inner->msg ? inner->msg : "invalid");
}

static int check_string(nvct_error **err, const field_path *p, const char *s, bool required) {
        if (s == NULL)
                return required ? cdi_field_error(err, p, "missing") : 0;
        if (required && s[0] == '\0')
                return cdi_field_error(err, p, "must not be empty");
        if (!nvct_utf8_valid(s, strlen(s)))
                return cdi_field_error(err, p, "invalid UTF-8");
        return 0;
}

static int check_env_entry(nvct_error **err, const field_path *p, const char *s) {
        if (check_string(err, p, s, true) < 0)
                return -1;
        /* As the reference: "NAME=VALUE" with a non-empty NAME. */
        const char *eq = strchr(s, '=');
        if (eq == NULL || eq == s) {
                _cleanup_free_ char *q = nvct_quote(s, strlen(s));
                return cdi_field_error(err, p, "%s is not NAME=VALUE", q ? q : "?");
        }
        return 0;
}

static int check_env(nvct_error **err, const field_path *p, char *const *env, size_t n) {
        for (size_t i = 0; i < n; i++) {
                field_path at = INDEX(p, i);
                if (check_env_entry(err, &at, env[i]) < 0)
                        return -1;
        }
        return 0;
}

static int check_strings(nvct_error **err, const field_path *p, char *const *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                field_path at = INDEX(p, i);
                if (check_string(err, &at, v[i], false) < 0 ||
                    (v[i] == NULL && cdi_field_error(err, &at, "missing") < 0))
                        return -1;
        }
        return 0;
}

static int check_device_node(nvct_error **err, const field_path *p, const nvct_cdi_device_node *d) {
        field_path f = FIELD(p, "path");
        if (check_string(err, &f, d->path, true) < 0)
                return -1;
        f = FIELD(p, "hostPath");
        if (check_string(err, &f, d->host_path, false) < 0)
                return -1;
        f = FIELD(p, "type");
        if (d->type != NULL && strcmp(d->type, "") != 0 && strcmp(d->type, "b") != 0 &&
            strcmp(d->type, "c") != 0 && strcmp(d->type, "u") != 0 && strcmp(d->type, "p") != 0) {
                _cleanup_free_ char *q = nvct_quote(d->type, strlen(d->type));
                return cdi_field_error(err, &f, "invalid device type %s: b, c, u or p",
                                       q ? q : "?");
        }
        f = FIELD(p, "permissions");
        if (d->permissions != NULL && d->permissions[strspn(d->permissions, "rwm")] != '\0') {
                _cleanup_free_ char *q = nvct_quote(d->permissions, strlen(d->permissions));
                return cdi_field_error(err, &f, "invalid permissions %s: r, w and m", q ? q : "?");
        }
        return 0;
}

static int check_mount(nvct_error **err, const field_path *p, const nvct_cdi_mount *m) {
        field_path f = FIELD(p, "hostPath");
        if (check_string(err, &f, m->host_path, true) < 0)
                return -1;
        f = FIELD(p, "containerPath");
        if (check_string(err, &f, m->container_path, true) < 0)
                return -1;
        f = FIELD(p, "type");
        if (check_string(err, &f, m->type, false) < 0)
                return -1;
        f = FIELD(p, "options");
        return check_strings(err, &f, m->options, m->n_options);
}

static int check_hook(nvct_error **err, const field_path *p, const nvct_cdi_hook *h) {
        static const char *const hook_names[] = {
                "prestart",       "createRuntime", "createContainer",
                "startContainer", "poststart",     "poststop",
        };
        field_path f = FIELD(p, "hookName");
        if (check_string(err, &f, h->hook_name, true) < 0)
                return -1;
        bool known = false;
        for (size_t i = 0; i < ARRAY_SIZE(hook_names); i++)
                known |= strcmp(h->hook_name, hook_names[i]) == 0;
        if (!known) {
                _cleanup_free_ char *q = nvct_quote(h->hook_name, strlen(h->hook_name));
                return cdi_field_error(err, &f,
                                       "unknown hook %s: prestart, createRuntime, createContainer, "
                                       "startContainer, poststart or poststop",
                                       q ? q : "?");
        }
        f = FIELD(p, "path");
        if (check_string(err, &f, h->path, true) < 0)
                return -1;
        if (h->path[0] != '/') {
                _cleanup_free_ char *q = nvct_quote(h->path, strlen(h->path));
                return cdi_field_error(err, &f, "%s is not an absolute path", q ? q : "?");
        }
        f = FIELD(p, "args");
        if (check_strings(err, &f, h->args, h->n_args) < 0)
                return -1;
        f = FIELD(p, "env");
        if (check_env(err, &f, h->env, h->n_env) < 0)
                return -1;
        f = FIELD(p, "timeout");
        if (h->has_timeout && (h->timeout <= 0 || h->timeout > UINT32_MAX))
                return cdi_field_error(err, &f, "%" PRId64 " is out of range: 1 to %" PRIu32,
                                       h->timeout, UINT32_MAX);
        return 0;
}

static int check_edits(nvct_error **err, const field_path *p, const nvct_cdi_edits *e) {
        field_path f = FIELD(p, "env");
        if (check_env(err, &f, e->env, e->n_env) < 0)
                return -1;
        f = FIELD(p, "deviceNodes");
        for (size_t i = 0; i < e->n_device_nodes; i++) {
                field_path at = INDEX(&f, i);
                if (check_device_node(err, &at, &e->device_nodes[i]) < 0)
                        return -1;
        }
        f = FIELD(p, "mounts");
        for (size_t i = 0; i < e->n_mounts; i++) {
                field_path at = INDEX(&f, i);
                if (check_mount(err, &at, &e->mounts[i]) < 0)
                        return -1;
        }
        f = FIELD(p, "hooks");
        for (size_t i = 0; i < e->n_hooks; i++) {
                field_path at = INDEX(&f, i);
                if (check_hook(err, &at, &e->hooks[i]) < 0)
                        return -1;
        }
        return 0;
}

static int cmp_annotation_ptr(const void *a, const void *b) {
        return strcmp((*(const nvct_cdi_annotation *const *)a)->key,
                      (*(const nvct_cdi_annotation *const *)b)->key);
}

static int check_annotations(nvct_error **err, const field_path *p, const nvct_cdi_annotation *a,
                             size_t n) {
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
                if (a[i].key == NULL || !nvct_utf8_valid(a[i].key, strlen(a[i].key)) ||
                    !cdi_is_annotation_key(a[i].key)) {
                        _cleanup_free_ char *q =
                                a[i].key ? nvct_quote(a[i].key, strlen(a[i].key)) : NULL;
                        return cdi_field_error(err, p,
                                               "invalid key %s: [DNS-SUBDOMAIN/]NAME, NAME at most "
                                               "63 letters, digits, '-', '_' or '.'",
                                               q ? q : "(none)");
                }
                /* A valid key is plain: it can name the field. */
                field_path v = FIELD(p, a[i].key);
                if (check_string(err, &v, a[i].value, false) < 0 ||
                    (a[i].value == NULL && cdi_field_error(err, &v, "missing") < 0))
                        return -1;
                total += strlen(a[i].key) + strlen(a[i].value);
                if (total > MAX_ANNOTATIONS_SIZE)
                        return cdi_field_error(err, p, "larger than %u bytes in all",
                                               MAX_ANNOTATIONS_SIZE);
        }
        /* Unique keys (the loader and nvct_cdi_annotations_set ensure it;
         * a model built by hand may not). Sorted: O(n log n). */
        if (n < 2)
                return 0;
        _cleanup_free_ const nvct_cdi_annotation **v = calloc(n, sizeof(*v));
        if (v == NULL)
                return cdi_oom(err);
        for (size_t i = 0; i < n; i++)
                v[i] = &a[i];
        qsort(v, n, sizeof(*v), cmp_annotation_ptr);
        for (size_t i = 1; i < n; i++) {
                if (strcmp(v[i - 1]->key, v[i]->key) == 0) {
                        _cleanup_free_ char *q = nvct_quote(v[i]->key, strlen(v[i]->key));
                        return cdi_field_error(err, p, "duplicate key %s", q ? q : "?");
                }
        }
        return 0;
}

static int cmp_device_ptr(const void *a, const void *b) {
        const nvct_cdi_device *x = *(const nvct_cdi_device *const *)a;
        const nvct_cdi_device *y = *(const nvct_cdi_device *const *)b;
        int c = strcmp(x->name, y->name);
        return c != 0 ? c : (x < y ? -1 : x > y);
}

/* The first device (by index) whose name an earlier device has: -1 when
 * none, -2 when out of memory. Sorting keeps this O(n log n). */
static ssize_t find_duplicate_device(const nvct_cdi_spec *spec, size_t *ret_first) {
        if (spec->n_devices < 2)
                return -1;
        _cleanup_free_ const nvct_cdi_device **v = calloc(spec->n_devices, sizeof(*v));
        if (v == NULL)
                return -2;
        for (size_t i = 0; i < spec->n_devices; i++)
                v[i] = &spec->devices[i];
        qsort(v, spec->n_devices, sizeof(*v), cmp_device_ptr);
        ssize_t found = -1;
        for (size_t i = 1; i < spec->n_devices; i++) {
                if (strcmp(v[i - 1]->name, v[i]->name) != 0)
                        continue;
                size_t later = (size_t)(v[i] - spec->devices);
                if (found < 0 || later < (size_t)found) {
                        found = (ssize_t)later;
                        /* v is sorted by address within a name: the first
                         * of this name is earlier in the run. */
                        size_t k = i;
                        while (k > 0 && strcmp(v[k - 1]->name, v[i]->name) == 0)
                                k--;
                        *ret_first = (size_t)(v[k] - spec->devices);
                }
        }
        return found;
}

int cdi_validate(const nvct_cdi_spec *spec, const char *version, const dropped *drop,
                 nvct_error **err) {
        field_path f = FIELD(NULL, "cdiVersion");
        int vi = version != NULL ? cdi_version_index(version) : -1;
        if (vi < 0) {
                _cleanup_free_ char *q = version ? nvct_quote(version, strlen(version)) : NULL;
                return cdi_field_error(err, &f,
                                       "unknown version %s: one of 0.3.0 0.4.0 0.5.0 0.6.0 "
                                       "0.7.0 0.8.0 1.0.0 1.1.0",
                                       q ? q : "(none)");
        }
        version_need n = cdi_spec_need(spec);
        if (drop != NULL)
                cdi_need_at_least(&n, drop->need.version, drop->need.reason);
        if (vi < n.version)
                return cdi_field_error(err, &f, "version %s is too low: %s needs %s or later",
                                       version, n.reason, cdi_versions[n.version]);

        _cleanup_error_ nvct_error *inner = NULL;
        f = FIELD(NULL, "kind");
        if (spec->kind == NULL)
                return cdi_field_error(err, &f, "missing");
        if (!nvct_utf8_valid(spec->kind, strlen(spec->kind)))
                return cdi_field_error(err, &f, "invalid UTF-8");
        if (nvct_cdi_validate_kind(spec->kind, &inner) < 0)
                return field_error_from(err, &f, inner);

        f = FIELD(NULL, "annotations");
        if (check_annotations(err, &f, spec->annotations, spec->n_annotations) < 0)
                return -1;
        f = FIELD(NULL, "containerEdits");
        if (check_edits(err, &f, &spec->edits) < 0)
                return -1;

        field_path devices = FIELD(NULL, "devices");
        if (spec->n_devices == 0)
                return cdi_field_error(err, &devices, "a spec must define at least one device");
        for (size_t i = 0; i < spec->n_devices; i++) {
                const nvct_cdi_device *d = &spec->devices[i];
                field_path dev = INDEX(&devices, i);
                f = FIELD(&dev, "name");
                if (d->name == NULL)
                        return cdi_field_error(err, &f, "missing");
                if (nvct_cdi_validate_device_name(d->name, &inner) < 0)
                        return field_error_from(err, &f, inner);
                f = FIELD(&dev, "annotations");
                if (check_annotations(err, &f, d->annotations, d->n_annotations) < 0)
                        return -1;
                f = FIELD(&dev, "containerEdits");
                bool had_dropped = drop != NULL && drop->device_has_dropped != NULL &&
                                   drop->device_has_dropped[i];
                if (cdi_edits_empty(&d->edits) && !had_dropped)
                        return cdi_field_error(err, &f, "a device must have edits");
                if (check_edits(err, &f, &d->edits) < 0)
                        return -1;
        }
        size_t first = 0;
        ssize_t dup = find_duplicate_device(spec, &first);
        if (dup == -2)
                return cdi_oom(err);
        if (dup >= 0) {
                field_path dev = INDEX(&devices, (size_t)dup);
                f = FIELD(&dev, "name");
                const char *name = spec->devices[dup].name;
                _cleanup_free_ char *q = nvct_quote(name, strlen(name));
                return cdi_field_error(err, &f,
                                       "duplicate device name %s (devices[%zu] has it too)",
                                       q ? q : "?", first);
        }
        return 0;
}
