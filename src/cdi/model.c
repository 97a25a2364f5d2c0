/* SPDX-License-Identifier: Apache-2.0 */
/* The CDI spec model: builders that copy what they are given, deep copies,
 * clearing, and equality (tests, the fuzzer's round trip). */
#define _GNU_SOURCE
#include "model.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "basic/cleanup.h"
#include "basic/strv.h"

/* Makes room for `extra` more elements after the n there are. The arrays
 * carry no capacity: the allocation's own size tells whether there is room,
 * and growth doubles. Growing by `extra` each time made listing a spec of
 * many devices (one element each) copy its arrays quadratically: 8 MiB of
 * them took 6 minutes under valgrind, whose realloc always moves. */
bool cdi_reserve(void **array, size_t n, size_t extra, size_t size) {
        if (extra == 0)
                return true;
        if (n > SIZE_MAX / size / 2 - extra)
                return false;
        size_t need = (n + extra) * size;
        if (*array != NULL && malloc_usable_size(*array) >= need)
                return true;
        size_t want = n * size * 2 > need ? n * size * 2 : need;
        void *bigger = realloc(*array, want);
        if (bigger == NULL)
                return false;
        *array = bigger;
        return true;
}

/* A copy of an optional string: false only when out of memory. */
static bool dup_opt(const char *s, char **ret) {
        *ret = s != NULL ? strdup(s) : NULL;
        return s == NULL || *ret != NULL;
}

static int strv_copy_n(char *const *src, size_t n, char ***ret) {
        *ret = NULL;
        if (n == 0)
                return 0;
        char **v = calloc(n, sizeof(*v));
        if (v == NULL)
                return -1;
        for (size_t i = 0; i < n; i++) {
                if (!dup_opt(src[i], &v[i])) {
                        nvct_strv_free_array(v, n);
                        return -1;
                }
        }
        *ret = v;
        return 0;
}

/* From a NULL-terminated array (NULL: none), which holds no NULL entry. */
static int strv_copy_nt(const char *const *src, char ***ret, size_t *ret_n) {
        nvct_strv v = { 0 };
        for (size_t i = 0; src != NULL && src[i] != NULL; i++)
                nvct_strv_add(&v, src[i]);
        if (v.failed) {
                nvct_strv_clear(&v);
                return -1;
        }
        *ret = v.v;
        *ret_n = v.n;
        return 0;
}

/* ---- builders ---- */

static void device_node_clear(nvct_cdi_device_node *n) {
        free(n->path);
        free(n->host_path);
        free(n->type);
        free(n->permissions);
        *n = (nvct_cdi_device_node){ 0 };
}

static void mount_clear(nvct_cdi_mount *m) {
        free(m->host_path);
        free(m->container_path);
        free(m->type);
        nvct_strv_free_array(m->options, m->n_options);
        *m = (nvct_cdi_mount){ 0 };
}

static void hook_clear(nvct_cdi_hook *h) {
        free(h->hook_name);
        free(h->path);
        nvct_strv_free_array(h->args, h->n_args);
        nvct_strv_free_array(h->env, h->n_env);
        *h = (nvct_cdi_hook){ 0 };
}

static void annotations_clear(nvct_cdi_annotation **annotations, size_t *n) {
        for (size_t i = 0; i < *n; i++) {
                free((*annotations)[i].key);
                free((*annotations)[i].value);
        }
        free(*annotations);
        *annotations = NULL;
        *n = 0;
}

void nvct_cdi_edits_clear(nvct_cdi_edits *edits) {
        nvct_strv_free_array(edits->env, edits->n_env);
        for (size_t i = 0; i < edits->n_device_nodes; i++)
                device_node_clear(&edits->device_nodes[i]);
        free(edits->device_nodes);
        for (size_t i = 0; i < edits->n_mounts; i++)
                mount_clear(&edits->mounts[i]);
        free(edits->mounts);
        for (size_t i = 0; i < edits->n_hooks; i++)
                hook_clear(&edits->hooks[i]);
        free(edits->hooks);
        free(edits->additional_gids);
        *edits = (nvct_cdi_edits){ 0 };
}

void nvct_cdi_spec_clear(nvct_cdi_spec *spec) {
        free(spec->version);
        free(spec->kind);
        for (size_t i = 0; i < spec->n_devices; i++) {
                nvct_cdi_device *d = &spec->devices[i];
                free(d->name);
                nvct_cdi_edits_clear(&d->edits);
                annotations_clear(&d->annotations, &d->n_annotations);
        }
        free(spec->devices);
        nvct_cdi_edits_clear(&spec->edits);
        annotations_clear(&spec->annotations, &spec->n_annotations);
        *spec = (nvct_cdi_spec){ 0 };
}

static int device_node_copy(nvct_cdi_device_node *dst, const nvct_cdi_device_node *src) {
        nvct_cdi_device_node n = *src;
        n.path = n.host_path = n.type = n.permissions = NULL;
        if (!dup_opt(src->path, &n.path) || !dup_opt(src->host_path, &n.host_path) ||
            !dup_opt(src->type, &n.type) || !dup_opt(src->permissions, &n.permissions)) {
                device_node_clear(&n);
                return -1;
        }
        *dst = n;
        return 0;
}

static int mount_copy(nvct_cdi_mount *dst, const nvct_cdi_mount *src) {
        nvct_cdi_mount m = { .n_options = src->n_options };
        if (!dup_opt(src->host_path, &m.host_path) ||
            !dup_opt(src->container_path, &m.container_path) || !dup_opt(src->type, &m.type) ||
            strv_copy_n(src->options, src->n_options, &m.options) < 0) {
                m.n_options = 0;
                mount_clear(&m);
                return -1;
        }
        *dst = m;
        return 0;
}

static int hook_copy(nvct_cdi_hook *dst, const nvct_cdi_hook *src) {
        nvct_cdi_hook h = { .has_timeout = src->has_timeout, .timeout = src->timeout };
        if (!dup_opt(src->hook_name, &h.hook_name) || !dup_opt(src->path, &h.path) ||
            strv_copy_n(src->args, src->n_args, &h.args) < 0) {
                hook_clear(&h);
                return -1;
        }
        h.n_args = src->n_args;
        if (strv_copy_n(src->env, src->n_env, &h.env) < 0) {
                hook_clear(&h);
                return -1;
        }
        h.n_env = src->n_env;
        *dst = h;
        return 0;
}

/* A deep copy; on failure (allocation) *dst is left empty. */
static int edits_copy(nvct_cdi_edits *dst, const nvct_cdi_edits *src) {
        nvct_cdi_edits e = { 0 };
        if (strv_copy_n(src->env, src->n_env, &e.env) < 0)
                goto fail;
        e.n_env = src->n_env;
        if (src->n_device_nodes > 0) {
                e.device_nodes = calloc(src->n_device_nodes, sizeof(*e.device_nodes));
                if (e.device_nodes == NULL)
                        goto fail;
                for (; e.n_device_nodes < src->n_device_nodes; e.n_device_nodes++)
                        if (device_node_copy(&e.device_nodes[e.n_device_nodes],
                                             &src->device_nodes[e.n_device_nodes]) < 0)
                                goto fail;
        }
        if (src->n_mounts > 0) {
                e.mounts = calloc(src->n_mounts, sizeof(*e.mounts));
                if (e.mounts == NULL)
                        goto fail;
                for (; e.n_mounts < src->n_mounts; e.n_mounts++)
                        if (mount_copy(&e.mounts[e.n_mounts], &src->mounts[e.n_mounts]) < 0)
                                goto fail;
        }
        if (src->n_hooks > 0) {
                e.hooks = calloc(src->n_hooks, sizeof(*e.hooks));
                if (e.hooks == NULL)
                        goto fail;
                for (; e.n_hooks < src->n_hooks; e.n_hooks++)
                        if (hook_copy(&e.hooks[e.n_hooks], &src->hooks[e.n_hooks]) < 0)
                                goto fail;
        }
        if (src->n_additional_gids > 0) {
                e.additional_gids = malloc(src->n_additional_gids * sizeof(*e.additional_gids));
                if (e.additional_gids == NULL)
                        goto fail;
                memcpy(e.additional_gids, src->additional_gids,
                       src->n_additional_gids * sizeof(*e.additional_gids));
                e.n_additional_gids = src->n_additional_gids;
        }
        *dst = e;
        return 0;
fail:
        nvct_cdi_edits_clear(&e);
        *dst = (nvct_cdi_edits){ 0 };
        return -1;
}

int nvct_cdi_edits_add_env(nvct_cdi_edits *edits, const char *entry, nvct_error **err) {
        _cleanup_free_ char *copy = strdup(entry);
        if (copy == NULL || !RESERVE(edits->env, edits->n_env, 1))
                return cdi_oom(err);
        edits->env[edits->n_env++] = TAKE_PTR(copy);
        return 0;
}

int nvct_cdi_edits_add_device_node(nvct_cdi_edits *edits, const nvct_cdi_device_node *node,
                                   nvct_error **err) {
        if (!RESERVE(edits->device_nodes, edits->n_device_nodes, 1) ||
            device_node_copy(&edits->device_nodes[edits->n_device_nodes], node) < 0)
                return cdi_oom(err);
        edits->n_device_nodes++;
        return 0;
}

int nvct_cdi_edits_add_mount(nvct_cdi_edits *edits, const char *host_path,
                             const char *container_path, const char *const *options,
                             nvct_error **err) {
        nvct_cdi_mount m = { 0 };
        if (!dup_opt(host_path, &m.host_path) || !dup_opt(container_path, &m.container_path) ||
            strv_copy_nt(options, &m.options, &m.n_options) < 0 ||
            !RESERVE(edits->mounts, edits->n_mounts, 1)) {
                mount_clear(&m);
                return cdi_oom(err);
        }
        edits->mounts[edits->n_mounts++] = m;
        return 0;
}

int nvct_cdi_edits_add_hook(nvct_cdi_edits *edits, const char *hook_name, const char *path,
                            const char *const *args, const char *const *env, nvct_error **err) {
        nvct_cdi_hook h = { 0 };
        if (!dup_opt(hook_name, &h.hook_name) || !dup_opt(path, &h.path) ||
            strv_copy_nt(args, &h.args, &h.n_args) < 0 || strv_copy_nt(env, &h.env, &h.n_env) < 0 ||
            !RESERVE(edits->hooks, edits->n_hooks, 1)) {
                hook_clear(&h);
                return cdi_oom(err);
        }
        edits->hooks[edits->n_hooks++] = h;
        return 0;
}

/* Appends n elements, moved from `from`. */
#define MOVE_APPEND(to, n_to, from, n_from)                                                        \
        do {                                                                                       \
                if ((n_from) > 0)                                                                  \
                        memcpy((to) + (n_to), (from), (n_from) * sizeof(*(from)));                 \
                (n_to) += (n_from);                                                                \
        } while (0)

int nvct_cdi_edits_append(nvct_cdi_edits *to, const nvct_cdi_edits *from, nvct_error **err) {
        /* Copy first, then make room everywhere, then move: a failure at
         * any step leaves `to` as it was (and `from` may be `to`). */
        nvct_cdi_edits add;
        if (edits_copy(&add, from) < 0)
                return cdi_oom(err);
        if (!RESERVE(to->env, to->n_env, add.n_env) ||
            !RESERVE(to->device_nodes, to->n_device_nodes, add.n_device_nodes) ||
            !RESERVE(to->mounts, to->n_mounts, add.n_mounts) ||
            !RESERVE(to->hooks, to->n_hooks, add.n_hooks) ||
            !RESERVE(to->additional_gids, to->n_additional_gids, add.n_additional_gids)) {
                nvct_cdi_edits_clear(&add);
                return cdi_oom(err);
        }
        MOVE_APPEND(to->env, to->n_env, add.env, add.n_env);
        MOVE_APPEND(to->device_nodes, to->n_device_nodes, add.device_nodes, add.n_device_nodes);
        MOVE_APPEND(to->mounts, to->n_mounts, add.mounts, add.n_mounts);
        MOVE_APPEND(to->hooks, to->n_hooks, add.hooks, add.n_hooks);
        MOVE_APPEND(to->additional_gids, to->n_additional_gids, add.additional_gids,
                    add.n_additional_gids);
        free(add.env);
        free(add.device_nodes);
        free(add.mounts);
        free(add.hooks);
        free(add.additional_gids);
        return 0;
}

int nvct_cdi_spec_add_device(nvct_cdi_spec *spec, const char *name, nvct_cdi_device **ret_device,
                             nvct_error **err) {
        _cleanup_free_ char *copy = strdup(name);
        if (copy == NULL || !RESERVE(spec->devices, spec->n_devices, 1))
                return cdi_oom(err);
        nvct_cdi_device *d = &spec->devices[spec->n_devices++];
        *d = (nvct_cdi_device){ .name = TAKE_PTR(copy) };
        if (ret_device != NULL)
                *ret_device = d;
        return 0;
}

int nvct_cdi_annotations_set(nvct_cdi_annotation **annotations, size_t *n_annotations,
                             const char *key, const char *value, nvct_error **err) {
        _cleanup_free_ char *v = strdup(value);
        if (v == NULL)
                return cdi_oom(err);
        for (size_t i = 0; i < *n_annotations; i++) {
                if (strcmp((*annotations)[i].key, key) == 0) {
                        free((*annotations)[i].value);
                        (*annotations)[i].value = TAKE_PTR(v);
                        return 0;
                }
        }
        _cleanup_free_ char *k = strdup(key);
        if (k == NULL || !RESERVE(*annotations, *n_annotations, 1))
                return cdi_oom(err);
        (*annotations)[(*n_annotations)++] =
                (nvct_cdi_annotation){ .key = TAKE_PTR(k), .value = TAKE_PTR(v) };
        return 0;
}

/* ---- equality ---- */

static bool str_equal(const char *a, const char *b) {
        return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool strv_equal(char *const *a, size_t na, char *const *b, size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!str_equal(a[i], b[i]))
                        return false;
        return true;
}

static bool annotations_equal(const nvct_cdi_annotation *a, size_t na, const nvct_cdi_annotation *b,
                              size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!str_equal(a[i].key, b[i].key) || !str_equal(a[i].value, b[i].value))
                        return false;
        return true;
}

static bool edits_equal(const nvct_cdi_edits *a, const nvct_cdi_edits *b) {
        if (!strv_equal(a->env, a->n_env, b->env, b->n_env) ||
            a->n_device_nodes != b->n_device_nodes || a->n_mounts != b->n_mounts ||
            a->n_hooks != b->n_hooks || a->n_additional_gids != b->n_additional_gids)
                return false;
        for (size_t i = 0; i < a->n_device_nodes; i++) {
                const nvct_cdi_device_node *x = &a->device_nodes[i], *y = &b->device_nodes[i];
                if (!str_equal(x->path, y->path) || !str_equal(x->host_path, y->host_path) ||
                    !str_equal(x->type, y->type) || x->has_major_minor != y->has_major_minor ||
                    (x->has_major_minor && (x->major != y->major || x->minor != y->minor)) ||
                    x->has_file_mode != y->has_file_mode ||
                    (x->has_file_mode && x->file_mode != y->file_mode) ||
                    !str_equal(x->permissions, y->permissions) || x->has_uid != y->has_uid ||
                    (x->has_uid && x->uid != y->uid) || x->has_gid != y->has_gid ||
                    (x->has_gid && x->gid != y->gid))
                        return false;
        }
        for (size_t i = 0; i < a->n_mounts; i++) {
                const nvct_cdi_mount *x = &a->mounts[i], *y = &b->mounts[i];
                if (!str_equal(x->host_path, y->host_path) ||
                    !str_equal(x->container_path, y->container_path) ||
                    !str_equal(x->type, y->type) ||
                    !strv_equal(x->options, x->n_options, y->options, y->n_options))
                        return false;
        }
        for (size_t i = 0; i < a->n_hooks; i++) {
                const nvct_cdi_hook *x = &a->hooks[i], *y = &b->hooks[i];
                if (!str_equal(x->hook_name, y->hook_name) || !str_equal(x->path, y->path) ||
                    !strv_equal(x->args, x->n_args, y->args, y->n_args) ||
                    !strv_equal(x->env, x->n_env, y->env, y->n_env) ||
                    x->has_timeout != y->has_timeout ||
                    (x->has_timeout && x->timeout != y->timeout))
                        return false;
        }
        for (size_t i = 0; i < a->n_additional_gids; i++)
                if (a->additional_gids[i] != b->additional_gids[i])
                        return false;
        return true;
}

bool nvct_cdi_spec_equal(const nvct_cdi_spec *a, const nvct_cdi_spec *b) {
        if (!str_equal(a->version, b->version) || !str_equal(a->kind, b->kind) ||
            a->n_devices != b->n_devices || !edits_equal(&a->edits, &b->edits) ||
            !annotations_equal(a->annotations, a->n_annotations, b->annotations, b->n_annotations))
                return false;
        for (size_t i = 0; i < a->n_devices; i++) {
                const nvct_cdi_device *x = &a->devices[i], *y = &b->devices[i];
                if (!str_equal(x->name, y->name) || !edits_equal(&x->edits, &y->edits) ||
                    !annotations_equal(x->annotations, x->n_annotations, y->annotations,
                                       y->n_annotations))
                        return false;
        }
        return true;
}
