/* SPDX-License-Identifier: Apache-2.0 */
/* containerEdits → config.json (apply.h), step for step as the CDI
 * reference's ContainerEdits.Apply over runtime-tools' generator. */
#define _GNU_SOURCE
#include "apply.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "basic/cleanup.h"
#include "basic/quote.h"

static int hook_kind(const char *name) {
        for (int k = 0; k < NVCT_OCI_HOOK_KIND_COUNT; k++)
                if (strcmp(nvct_oci_hook_kind_name((nvct_oci_hook_kind)k), name) == 0)
                        return k;
        return -1;
}

static bool env_ok(const char *entry) {
        const char *eq = strchr(entry, '=');
        return eq != NULL && eq != entry;
}

/* "CDI WHAT \"NAME\": DETAIL \"VALUE\"", name and value untrusted: quoted. */
static int named_error(nvct_error **err, const char *what, const char *name, const char *detail,
                       const char *value) {
        _cleanup_free_ char *q = nvct_quote_path(name);
        _cleanup_free_ char *v = value != NULL ? nvct_quote(value, strlen(value)) : NULL;
        return nvct_error_make(err, 0, "CDI %s %s: %s%s", what, nvct_quoted(q), detail,
                               value != NULL ? nvct_quoted(v) : "");
}

static int check_device_node(const nvct_cdi_device_node *d, nvct_error **err) {
        if (d->path == NULL || d->path[0] == '\0')
                return nvct_error_make(err, 0, "CDI device node: an empty path");
        const char *t = d->type;
        if (t != NULL && t[0] != '\0' && (strchr("bcup", t[0]) == NULL || t[1] != '\0'))
                return named_error(err, "device node", d->path, "invalid type ", t);
        if (d->has_major_minor && (d->major < 0 || d->minor < 0))
                return named_error(err, "device node", d->path, "a negative major or minor", NULL);
        const char *p = d->permissions;
        if (p != NULL && strcmp(p, "none") != 0 && p[strspn(p, "rwm")] != '\0')
                return named_error(err, "device node", d->path,
                                   "invalid permissions (r, w and m, or none) ", p);
        return 0;
}

static int check_hook(const nvct_cdi_hook *h, nvct_error **err) {
        if (h->hook_name == NULL || hook_kind(h->hook_name) < 0) {
                const char *n = h->hook_name != NULL ? h->hook_name : "";
                _cleanup_free_ char *q = nvct_quote(n, strlen(n));
                return nvct_error_make(err, 0, "CDI hook: invalid hook name %s", nvct_quoted(q));
        }
        if (h->path == NULL || h->path[0] == '\0')
                return nvct_error_make(err, 0, "CDI hook %s: an empty path", h->hook_name);
        for (size_t i = 0; i < h->n_env; i++)
                if (!env_ok(h->env[i]))
                        return named_error(err, "hook", h->path, "invalid environment variable ",
                                           h->env[i]);
        if (h->has_timeout && (h->timeout < 0 || h->timeout > INT32_MAX))
                return named_error(err, "hook", h->path, "a timeout out of range", NULL);
        return 0;
}

/* Everything Validate checks, before anything changes. */
static int check_edits(const nvct_cdi_edits *e, nvct_error **err) {
        for (size_t i = 0; i < e->n_env; i++)
                if (!env_ok(e->env[i])) {
                        _cleanup_free_ char *q = nvct_quote(e->env[i], strlen(e->env[i]));
                        return nvct_error_make(err, 0, "CDI env: invalid environment variable %s",
                                               nvct_quoted(q));
                }
        for (size_t i = 0; i < e->n_device_nodes; i++)
                if (check_device_node(&e->device_nodes[i], err) < 0)
                        return -1;
        for (size_t i = 0; i < e->n_hooks; i++)
                if (check_hook(&e->hooks[i], err) < 0)
                        return -1;
        for (size_t i = 0; i < e->n_mounts; i++) {
                const nvct_cdi_mount *m = &e->mounts[i];
                if (m->container_path == NULL || m->container_path[0] == '\0')
                        return nvct_error_make(err, 0, "CDI mount: an empty container path");
                if (m->host_path == NULL || m->host_path[0] == '\0')
                        return named_error(err, "mount", m->container_path, "an empty host path",
                                           NULL);
        }
        return 0;
}

/* fillMissingInfo: the type, major and minor the spec leaves out, from the
 * host node (lstat: as runc, a symlink to a device is not a device). */
static int fill_device(const nvct_cdi_device_node *d, char *type, int64_t *major, int64_t *minor,
                       nvct_error **err) {
        if (*type != '\0' && (*major != 0 || *type == 'p'))
                return 0;
        const char *host = d->host_path != NULL && d->host_path[0] != '\0' ? d->host_path : d->path;
        struct stat st;
        if (lstat(host, &st) < 0) {
                int e = errno;
                _cleanup_free_ char *q = nvct_quote_path(d->path), *h = nvct_quote_path(host);
                return nvct_error_make(err, e, "CDI device node %s: failed to stat host device %s",
                                       nvct_quoted(q), nvct_quoted(h));
        }
        char host_type = S_ISBLK(st.st_mode)    ? 'b'
                         : S_ISCHR(st.st_mode)  ? 'c'
                         : S_ISFIFO(st.st_mode) ? 'p'
                                                : '\0';
        if (host_type == '\0') {
                _cleanup_free_ char *q = nvct_quote_path(d->path), *h = nvct_quote_path(host);
                return nvct_error_make(err, 0,
                                       "CDI device node %s: host device %s: not a device node",
                                       nvct_quoted(q), nvct_quoted(h));
        }
        if (*type == '\0')
                *type = host_type;
        else if (*type != host_type) {
                _cleanup_free_ char *q = nvct_quote_path(d->path), *h = nvct_quote_path(host);
                return nvct_error_make(err, 0,
                                       "CDI device node %s: type %c, but host device %s is %c",
                                       nvct_quoted(q), *type, nvct_quoted(h), host_type);
        }
        if (*major == 0 && *type != 'p') {
                *major = (int64_t)major(st.st_rdev);
                *minor = (int64_t)minor(st.st_rdev);
        }
        return 0;
}

typedef struct user_ids {
        bool read;
        uint32_t uid, gid;
} user_ids;

static int apply_device_node(nvct_oci_edit *edit, const nvct_cdi_device_node *d, user_ids *user,
                             nvct_error **err) {
        char type = d->type != NULL ? d->type[0] : '\0';
        int64_t major = d->has_major_minor ? d->major : 0;
        int64_t minor = d->has_major_minor ? d->minor : 0;
        if (fill_device(d, &type, &major, &minor, err) < 0)
                return -1;
        if ((!d->has_uid || !d->has_gid) && !user->read) {
                if (nvct_oci_edit_user_ids(edit, &user->uid, &user->gid, err) < 0)
                        goto fail;
                user->read = true;
        }
        /* As the reference: a device without its own uid/gid gets the
         * container user's, unless that is root. */
        nvct_oci_device dev = {
                .path = d->path,
                .type = type,
                .major = major,
                .minor = minor,
                .file_mode = d->has_file_mode ? (int64_t)d->file_mode : -1,
                .uid = d->has_uid      ? (int64_t)d->uid
                       : user->uid > 0 ? (int64_t)user->uid
                                       : -1,
                .gid = d->has_gid      ? (int64_t)d->gid
                       : user->gid > 0 ? (int64_t)user->gid
                                       : -1,
        };
        if (nvct_oci_edit_put_device(edit, &dev, err) < 0)
                goto fail;
        if (type != 'b' && type != 'c')
                return 0;
        const char *access = d->permissions == NULL                ? "rwm"
                             : strcmp(d->permissions, "none") == 0 ? NULL
                                                                   : d->permissions;
        char rule_type[2] = { type, '\0' };
        nvct_oci_device_rule rule = {
                .allow = true,
                .type = rule_type,
                .major = major,
                .minor = minor,
                .access = access,
        };
        if (nvct_oci_edit_add_device_rule(edit, &rule, err) < 0)
                goto fail;
        return 0;
fail:;
        _cleanup_free_ char *q = nvct_quote_path(d->path);
        return nvct_error_prefix(err, "CDI device node %s", nvct_quoted(q));
}

/* A NULL-terminated copy of the pointers of a counted list, or NULL for
 * an empty one (json.Marshal's omitempty leaves an empty list out). */
static int strv_view(char *const *v, size_t n, const char ***ret, nvct_error **err) {
        *ret = NULL;
        if (n == 0)
                return 0;
        const char **a = calloc(n + 1, sizeof(*a));
        if (a == NULL)
                return nvct_error_make(err, ENOMEM, "CDI edits");
        for (size_t i = 0; i < n; i++)
                a[i] = v[i];
        *ret = a;
        return 0;
}

static int apply_mounts(nvct_oci_edit *edit, const nvct_cdi_edits *e, nvct_error **err) {
        if (e->n_mounts == 0)
                return 0;
        for (size_t i = 0; i < e->n_mounts; i++) {
                const nvct_cdi_mount *m = &e->mounts[i];
                _cleanup_free_ const char **options = NULL;
                if (strv_view(m->options, m->n_options, &options, err) < 0)
                        return -1;
                nvct_oci_mount mount = {
                        .destination = m->container_path,
                        .type = m->type != NULL && m->type[0] != '\0' ? m->type : NULL,
                        .source = m->host_path,
                        .options = options,
                };
                if (nvct_oci_edit_put_mount(edit, &mount, err) < 0) {
                        _cleanup_free_ char *q = nvct_quote_path(m->container_path);
                        return nvct_error_prefix(err, "CDI mount %s", nvct_quoted(q));
                }
        }
        return nvct_oci_edit_sort_mounts(edit, err);
}

static int apply_hook(nvct_oci_edit *edit, const nvct_cdi_hook *h, nvct_error **err) {
        _cleanup_free_ const char **args = NULL, **env = NULL;
        if (strv_view(h->args, h->n_args, &args, err) < 0 ||
            strv_view(h->env, h->n_env, &env, err) < 0)
                return -1;
        nvct_oci_hook hook = {
                .path = h->path,
                .args = args,
                .env = env,
                .timeout = h->has_timeout ? h->timeout : -1,
        };
        if (nvct_oci_edit_add_hook(edit, (nvct_oci_hook_kind)hook_kind(h->hook_name), &hook, err) <
            0) {
                _cleanup_free_ char *q = nvct_quote_path(h->path);
                return nvct_error_prefix(err, "CDI %s hook %s", h->hook_name, nvct_quoted(q));
        }
        return 0;
}

int nvct_cdi_apply(nvct_oci_edit *edit, const nvct_cdi_edits *edits, nvct_error **err) {
        if (check_edits(edits, err) < 0)
                return -1;
        for (size_t i = 0; i < edits->n_env; i++)
                if (nvct_oci_edit_set_env(edit, edits->env[i], err) < 0)
                        return nvct_error_prefix(err, "CDI env");
        user_ids user = { 0 };
        for (size_t i = 0; i < edits->n_device_nodes; i++)
                if (apply_device_node(edit, &edits->device_nodes[i], &user, err) < 0)
                        return -1;
        if (apply_mounts(edit, edits, err) < 0)
                return -1;
        for (size_t i = 0; i < edits->n_hooks; i++)
                if (apply_hook(edit, &edits->hooks[i], err) < 0)
                        return -1;
        for (size_t i = 0; i < edits->n_additional_gids; i++) {
                if (edits->additional_gids[i] == 0)
                        continue;
                if (nvct_oci_edit_add_gid(edit, edits->additional_gids[i], err) < 0)
                        return nvct_error_prefix(err, "CDI additionalGids");
        }
        return 0;
}
