/* SPDX-License-Identifier: Apache-2.0 */
/* CDI specs: the model and its builders, the minimum-version rules, the
 * writer (one walk of the model driving either yajl's generator or
 * libyaml's emitter), the loader (yajl's callback parser or libyaml's event
 * parser building one small generic tree, bounded in depth and size, then
 * filled into the model and validated), and the directory listing. */
#define _GNU_SOURCE
#include "cdi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include <yaml.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/hash.h"
#include "basic/quote.h"
#include "basic/strv.h"

/* The released versions of SPEC.md's table, oldest first. */
enum { V030, V040, V050, V060, V070, V080, V100, V110, N_VERSIONS };
static const char *const versions[N_VERSIONS] = {
        "0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0", "0.8.0", "1.0.0", "1.1.0",
};

/* Values (scalars, maps, lists) a loaded document may hold: with the depth
 * bound, this caps the memory a hostile spec can make us use. */
#define MAX_NODES (1u << 20)

/* Security: a value costs a 32-byte node, and "0," is one in two bytes: a
 * spec of tiny values would cost 16 times its size before any check. A
 * document may hold one value per BYTES_PER_NODE bytes (beyond the first
 * MIN_NODES), so that what it costs stays a small multiple of its size.
 * Real specs have about 25 bytes per value, compact JSON included. */
#define BYTES_PER_NODE 8
#define MIN_NODES (1u << 16)

/* k8s' limit on the annotations of one object, which the CDI reference
 * applies to a spec's and a device's annotations. */
#define MAX_ANNOTATIONS_SIZE (256u << 10)

static int version_index(const char *v) {
        for (int i = 0; i < N_VERSIONS; i++)
                if (strcmp(v, versions[i]) == 0)
                        return i;
        return -1;
}

static int oom(nvct_error **err) {
        return nvct_error_make(err, 0, "out of memory");
}

/* ---- memory helpers ---- */

/* Makes room for `extra` more elements after the n there are. The arrays
 * carry no capacity: the allocation's own size tells whether there is room,
 * and growth doubles. Growing by `extra` each time made listing a spec of
 * many devices (one element each) copy its arrays quadratically: 8 MiB of
 * them took 6 minutes under valgrind, whose realloc always moves. */
static bool reserve(void **array, size_t n, size_t extra, size_t size) {
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
#define RESERVE(array, n, extra) reserve((void **)&(array), (n), (extra), sizeof(*(array)))

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

/* From a NULL-terminated array (NULL: none). */
static int strv_copy_nt(const char *const *src, char ***ret, size_t *ret_n) {
        size_t n = 0;
        while (src != NULL && src[n] != NULL)
                n++;
        if (strv_copy_n((char *const *)src, n, ret) < 0)
                return -1;
        *ret_n = n;
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
                return oom(err);
        edits->env[edits->n_env++] = TAKE_PTR(copy);
        return 0;
}

int nvct_cdi_edits_add_device_node(nvct_cdi_edits *edits, const nvct_cdi_device_node *node,
                                   nvct_error **err) {
        if (!RESERVE(edits->device_nodes, edits->n_device_nodes, 1) ||
            device_node_copy(&edits->device_nodes[edits->n_device_nodes], node) < 0)
                return oom(err);
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
                return oom(err);
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
                return oom(err);
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
                return oom(err);
        if (!RESERVE(to->env, to->n_env, add.n_env) ||
            !RESERVE(to->device_nodes, to->n_device_nodes, add.n_device_nodes) ||
            !RESERVE(to->mounts, to->n_mounts, add.n_mounts) ||
            !RESERVE(to->hooks, to->n_hooks, add.n_hooks) ||
            !RESERVE(to->additional_gids, to->n_additional_gids, add.n_additional_gids)) {
                nvct_cdi_edits_clear(&add);
                return oom(err);
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
                return oom(err);
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
                return oom(err);
        for (size_t i = 0; i < *n_annotations; i++) {
                if (strcmp((*annotations)[i].key, key) == 0) {
                        free((*annotations)[i].value);
                        (*annotations)[i].value = TAKE_PTR(v);
                        return 0;
                }
        }
        _cleanup_free_ char *k = strdup(key);
        if (k == NULL || !RESERVE(*annotations, *n_annotations, 1))
                return oom(err);
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

/* ---- names ---- */

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c) {
        return is_alpha(c) || is_digit(c);
}

/* A DNS subdomain (RFC 1123, either case: DNS names are case-insensitive):
 * dot-separated labels of alphanumerics and '-', each starting and ending
 * alphanumeric and at most 63 bytes, 253 bytes in all. */
static bool is_dns_subdomain(const char *s, size_t len) {
        if (len == 0 || len > 253)
                return false;
        size_t label = 0;
        for (size_t i = 0; i <= len; i++) {
                if (i == len || s[i] == '.') {
                        if (label == 0 || label > 63 || !is_alnum(s[i - 1]))
                                return false;
                        label = 0;
                        continue;
                }
                if (label == 0 && !is_alnum(s[i]))
                        return false;
                if (!is_alnum(s[i]) && s[i] != '-')
                        return false;
                label++;
        }
        return true;
}

/* A kind's class, or an annotation key's name part: at most 63 bytes of
 * alphanumerics, '-', '_' and '.', starting and ending alphanumeric. */
static bool is_class_name(const char *s, size_t len) {
        if (len == 0 || len > 63 || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
                return false;
        for (size_t i = 1; i + 1 < len; i++)
                if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
                        return false;
        return true;
}

int nvct_cdi_validate_kind(const char *kind, nvct_error **err) {
        if (kind == NULL || kind[0] == '\0')
                return nvct_error_make(err, 0, "the kind is empty: it must be VENDOR/CLASS");
        const char *slash = strchr(kind, '/');
        size_t len = strlen(kind);
        _cleanup_free_ char *q = nvct_quote(kind, len);
        if (slash == NULL)
                return nvct_error_make(err, 0, "invalid kind %s: it must be VENDOR/CLASS",
                                       q ? q : "?");
        if (!is_dns_subdomain(kind, (size_t)(slash - kind)))
                return nvct_error_make(err, 0,
                                       "invalid kind %s: the vendor must be a DNS subdomain "
                                       "(labels of letters, digits and '-', separated by '.')",
                                       q ? q : "?");
        const char *class = slash + 1;
        if (!is_class_name(class, strlen(class)))
                return nvct_error_make(err, 0,
                                       "invalid kind %s: the class must be at most 63 letters, "
                                       "digits, '-', '_' or '.', starting and ending with a "
                                       "letter or digit",
                                       q ? q : "?");
        return 0;
}

int nvct_cdi_validate_device_name(const char *name, nvct_error **err) {
        size_t len = name != NULL ? strlen(name) : 0;
        if (len == 0)
                return nvct_error_make(err, 0, "the device name is empty");
        /* As the CDI reference's parser: ':' is allowed inside, for the
         * MIG devices' "GPU:MIG" names. */
        bool ok = is_alnum(name[0]) && is_alnum(name[len - 1]);
        for (size_t i = 1; ok && i + 1 < len; i++)
                ok = is_alnum(name[i]) || name[i] == '-' || name[i] == '_' || name[i] == '.' ||
                     name[i] == ':';
        if (ok)
                return 0;
        _cleanup_free_ char *q = nvct_quote(name, len);
        return nvct_error_make(err, 0,
                               "invalid device name %s: letters, digits, '-', '_', '.' and ':', "
                               "starting and ending with a letter or digit",
                               q ? q : "?");
}

/* A k8s qualified name, as the reference checks annotation keys:
 * [DNS-subdomain "/"] name. */
static bool is_annotation_key(const char *key) {
        const char *slash = strchr(key, '/');
        if (slash == NULL)
                return is_class_name(key, strlen(key));
        return is_dns_subdomain(key, (size_t)(slash - key)) &&
               is_class_name(slash + 1, strlen(slash + 1));
}

/* Well-formed UTF-8 (no overlong forms, no surrogates, nothing past
 * U+10FFFF), which both yajl and libyaml can write. */
static bool is_utf8(const char *str, size_t len) {
        const unsigned char *s = (const unsigned char *)str;
        size_t i = 0;
        while (i < len) {
                unsigned c = s[i];
                size_t n;
                uint32_t cp, min;
                if (c < 0x80) {
                        i++;
                        continue;
                } else if ((c & 0xe0) == 0xc0) {
                        n = 1, cp = c & 0x1f, min = 0x80;
                } else if ((c & 0xf0) == 0xe0) {
                        n = 2, cp = c & 0x0f, min = 0x800;
                } else if ((c & 0xf8) == 0xf0) {
                        n = 3, cp = c & 0x07, min = 0x10000;
                } else {
                        return false;
                }
                if (len - i - 1 < n)
                        return false;
                for (size_t k = 1; k <= n; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i + k] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += n + 1;
        }
        return true;
}

/* ---- minimum version ---- */

typedef struct need {
        int version;        /* index into versions[] */
        const char *reason; /* what needs it */
} version_need;

static void need_at_least(version_need *n, int version, const char *reason) {
        if (version > n->version) {
                n->version = version;
                n->reason = reason;
        }
}

static void edits_need(const nvct_cdi_edits *e, version_need *n) {
        for (size_t i = 0; i < e->n_mounts; i++)
                if (e->mounts[i].type != NULL && e->mounts[i].type[0] != '\0')
                        need_at_least(n, V040, "a mount type");
        for (size_t i = 0; i < e->n_device_nodes; i++)
                if (e->device_nodes[i].host_path != NULL && e->device_nodes[i].host_path[0] != '\0')
                        need_at_least(n, V050, "a device node hostPath");
        if (e->n_additional_gids > 0)
                need_at_least(n, V070, "additionalGids");
}

static version_need spec_need(const nvct_cdi_spec *spec) {
        version_need n = { V030, NULL };
        edits_need(&spec->edits, &n);
        if (spec->n_annotations > 0)
                need_at_least(&n, V060, "annotations");
        const char *slash = spec->kind != NULL ? strchr(spec->kind, '/') : NULL;
        if (slash != NULL && strchr(slash + 1, '.') != NULL)
                need_at_least(&n, V060, "a '.' in the kind's class");
        for (size_t i = 0; i < spec->n_devices; i++) {
                const nvct_cdi_device *d = &spec->devices[i];
                if (d->name != NULL && is_digit(d->name[0]))
                        need_at_least(&n, V050, "a device name starting with a digit");
                if (d->n_annotations > 0)
                        need_at_least(&n, V060, "annotations");
                edits_need(&d->edits, &n);
        }
        return n;
}

const char *nvct_cdi_minimum_version(const nvct_cdi_spec *spec) {
        return versions[spec_need(spec).version];
}

/* ---- formats ---- */

int nvct_cdi_format_parse(const char *name, nvct_cdi_format *ret_format, nvct_error **err) {
        if (name != NULL && strcasecmp(name, "json") == 0) {
                *ret_format = NVCT_CDI_JSON;
                return 0;
        }
        if (name != NULL && (strcasecmp(name, "yaml") == 0 || strcasecmp(name, "yml") == 0)) {
                *ret_format = NVCT_CDI_YAML;
                return 0;
        }
        _cleanup_free_ char *q = name != NULL ? nvct_quote(name, strlen(name)) : NULL;
        return nvct_error_make(err, 0, "unknown CDI spec format %s: json, yaml or yml",
                               q ? q : "(none)");
}

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* The format a spec file's name says: 0 when none. */
static nvct_cdi_format format_of_name(const char *name) {
        if (ends_with(name, ".json"))
                return NVCT_CDI_JSON;
        if (ends_with(name, ".yaml") || ends_with(name, ".yml"))
                return NVCT_CDI_YAML;
        return 0;
}

/* ---- field paths, for errors ---- */

/* Where a value is: a chain of field names and list indices, rendered as
 * "devices[0].containerEdits.mounts[1].hostPath". Names are ours (static),
 * never the document's. */
typedef struct field_path {
        const struct field_path *up;
        const char *key; /* NULL: an index */
        size_t index;
} field_path;

#define FIELD(up_, key_) ((field_path){ .up = (up_), .key = (key_) })
#define INDEX(up_, i_) ((field_path){ .up = (up_), .index = (i_) })

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

static int field_error(nvct_error **err, const field_path *p, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int field_error(nvct_error **err, const field_path *p, const char *fmt, ...) {
        char where[256] = "";
        path_render(p, where, sizeof(where));
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *msg = NULL;
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (n < 0) {
                msg = NULL;
                return oom(err);
        }
        if (where[0] == '\0')
                return nvct_error_make(err, 0, "%s", msg);
        return nvct_error_make(err, 0, "%s: %s", where, msg);
}

/* An error of a public check (kind, device name), placed at a field. */
static int field_error_from(nvct_error **err, const field_path *p, nvct_error *inner) {
        return field_error(err, p, "%s", inner != NULL && inner->msg ? inner->msg : "invalid");
}

/* ---- validation, shared by the writer and the loader ---- */

/* What the loader read and dropped (intelRdt, netDevices): it counts for
 * the minimum version and for whether a device has edits. */
typedef struct dropped {
        version_need need;
        bool *device_has_dropped; /* per device; NULL: nothing dropped */
} dropped;

static int check_string(nvct_error **err, const field_path *p, const char *s, bool required) {
        if (s == NULL)
                return required ? field_error(err, p, "missing") : 0;
        if (required && s[0] == '\0')
                return field_error(err, p, "must not be empty");
        if (!is_utf8(s, strlen(s)))
                return field_error(err, p, "invalid UTF-8");
        return 0;
}

static int check_env_entry(nvct_error **err, const field_path *p, const char *s) {
        if (check_string(err, p, s, true) < 0)
                return -1;
        /* As the reference: "NAME=VALUE" with a non-empty NAME. */
        const char *eq = strchr(s, '=');
        if (eq == NULL || eq == s) {
                _cleanup_free_ char *q = nvct_quote(s, strlen(s));
                return field_error(err, p, "%s is not NAME=VALUE", q ? q : "?");
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
                    (v[i] == NULL && field_error(err, &at, "missing") < 0))
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
                return field_error(err, &f, "invalid device type %s: b, c, u or p", q ? q : "?");
        }
        f = FIELD(p, "permissions");
        if (d->permissions != NULL && d->permissions[strspn(d->permissions, "rwm")] != '\0') {
                _cleanup_free_ char *q = nvct_quote(d->permissions, strlen(d->permissions));
                return field_error(err, &f, "invalid permissions %s: r, w and m", q ? q : "?");
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
                return field_error(err, &f,
                                   "unknown hook %s: prestart, createRuntime, createContainer, "
                                   "startContainer, poststart or poststop",
                                   q ? q : "?");
        }
        f = FIELD(p, "path");
        if (check_string(err, &f, h->path, true) < 0)
                return -1;
        if (h->path[0] != '/') {
                _cleanup_free_ char *q = nvct_quote(h->path, strlen(h->path));
                return field_error(err, &f, "%s is not an absolute path", q ? q : "?");
        }
        f = FIELD(p, "args");
        if (check_strings(err, &f, h->args, h->n_args) < 0)
                return -1;
        f = FIELD(p, "env");
        if (check_env(err, &f, h->env, h->n_env) < 0)
                return -1;
        f = FIELD(p, "timeout");
        if (h->has_timeout && (h->timeout <= 0 || h->timeout > UINT32_MAX))
                return field_error(err, &f, "%" PRId64 " is out of range: 1 to %" PRIu32,
                                   h->timeout, UINT32_MAX);
        return 0;
}

static bool edits_empty(const nvct_cdi_edits *e) {
        return e->n_env == 0 && e->n_device_nodes == 0 && e->n_mounts == 0 && e->n_hooks == 0 &&
               e->n_additional_gids == 0;
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
                if (a[i].key == NULL || !is_utf8(a[i].key, strlen(a[i].key)) ||
                    !is_annotation_key(a[i].key)) {
                        _cleanup_free_ char *q =
                                a[i].key ? nvct_quote(a[i].key, strlen(a[i].key)) : NULL;
                        return field_error(err, p,
                                           "invalid key %s: [DNS-SUBDOMAIN/]NAME, NAME at most "
                                           "63 letters, digits, '-', '_' or '.'",
                                           q ? q : "(none)");
                }
                /* A valid key is plain: it can name the field. */
                field_path v = FIELD(p, a[i].key);
                if (check_string(err, &v, a[i].value, false) < 0 ||
                    (a[i].value == NULL && field_error(err, &v, "missing") < 0))
                        return -1;
                total += strlen(a[i].key) + strlen(a[i].value);
                if (total > MAX_ANNOTATIONS_SIZE)
                        return field_error(err, p, "larger than %u bytes in all",
                                           MAX_ANNOTATIONS_SIZE);
        }
        /* Unique keys (the loader and nvct_cdi_annotations_set ensure it;
         * a model built by hand may not). Sorted: O(n log n). */
        if (n < 2)
                return 0;
        _cleanup_free_ const nvct_cdi_annotation **v = calloc(n, sizeof(*v));
        if (v == NULL)
                return oom(err);
        for (size_t i = 0; i < n; i++)
                v[i] = &a[i];
        qsort(v, n, sizeof(*v), cmp_annotation_ptr);
        for (size_t i = 1; i < n; i++) {
                if (strcmp(v[i - 1]->key, v[i]->key) == 0) {
                        _cleanup_free_ char *q = nvct_quote(v[i]->key, strlen(v[i]->key));
                        return field_error(err, p, "duplicate key %s", q ? q : "?");
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

/* Everything the CDI reference checks of a spec, on the model: `version`
 * is the cdiVersion it is (or will be written) with. */
static int validate(const nvct_cdi_spec *spec, const char *version, const dropped *drop,
                    nvct_error **err) {
        field_path f = FIELD(NULL, "cdiVersion");
        int vi = version != NULL ? version_index(version) : -1;
        if (vi < 0) {
                _cleanup_free_ char *q = version ? nvct_quote(version, strlen(version)) : NULL;
                return field_error(err, &f,
                                   "unknown version %s: one of 0.3.0 0.4.0 0.5.0 0.6.0 "
                                   "0.7.0 0.8.0 1.0.0 1.1.0",
                                   q ? q : "(none)");
        }
        version_need n = spec_need(spec);
        if (drop != NULL)
                need_at_least(&n, drop->need.version, drop->need.reason);
        if (vi < n.version)
                return field_error(err, &f, "version %s is too low: %s needs %s or later", version,
                                   n.reason, versions[n.version]);

        _cleanup_error_ nvct_error *inner = NULL;
        f = FIELD(NULL, "kind");
        if (spec->kind == NULL)
                return field_error(err, &f, "missing");
        if (!is_utf8(spec->kind, strlen(spec->kind)))
                return field_error(err, &f, "invalid UTF-8");
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
                return field_error(err, &devices, "a spec must define at least one device");
        for (size_t i = 0; i < spec->n_devices; i++) {
                const nvct_cdi_device *d = &spec->devices[i];
                field_path dev = INDEX(&devices, i);
                f = FIELD(&dev, "name");
                if (d->name == NULL)
                        return field_error(err, &f, "missing");
                if (nvct_cdi_validate_device_name(d->name, &inner) < 0)
                        return field_error_from(err, &f, inner);
                f = FIELD(&dev, "annotations");
                if (check_annotations(err, &f, d->annotations, d->n_annotations) < 0)
                        return -1;
                f = FIELD(&dev, "containerEdits");
                bool had_dropped = drop != NULL && drop->device_has_dropped != NULL &&
                                   drop->device_has_dropped[i];
                if (edits_empty(&d->edits) && !had_dropped)
                        return field_error(err, &f, "a device must have edits");
                if (check_edits(err, &f, &d->edits) < 0)
                        return -1;
        }
        size_t first = 0;
        ssize_t dup = find_duplicate_device(spec, &first);
        if (dup == -2)
                return oom(err);
        if (dup >= 0) {
                field_path dev = INDEX(&devices, (size_t)dup);
                f = FIELD(&dev, "name");
                const char *name = spec->devices[dup].name;
                _cleanup_free_ char *q = nvct_quote(name, strlen(name));
                return field_error(err, &f, "duplicate device name %s (devices[%zu] has it too)",
                                   q ? q : "?", first);
        }
        return 0;
}

/* ---- writing ---- */

/* One walk of the model drives either back end; the first failure stops
 * the rest (every call is then a no-op). */
typedef struct emitter {
        nvct_cdi_format format;
        bool failed;
        const char *problem;
        yajl_gen gen;
        yaml_emitter_t yaml;
        char *buf; /* YAML output */
        size_t len, cap;
} emitter;

static int yaml_output(void *data, unsigned char *buffer, size_t size) {
        emitter *e = data;
        if (size > SIZE_MAX / 2 - e->len)
                return 0;
        if (e->len + size > e->cap) {
                size_t cap = e->cap ? e->cap : 4096;
                while (cap < e->len + size)
                        cap *= 2;
                char *bigger = realloc(e->buf, cap);
                if (bigger == NULL)
                        return 0;
                e->buf = bigger;
                e->cap = cap;
        }
        memcpy(e->buf + e->len, buffer, size);
        e->len += size;
        return 1;
}

static void yaml_emit(emitter *e, yaml_event_t *ev, int initialized) {
        if (!initialized) {
                e->failed = true;
                e->problem = "cannot make a YAML event";
                return;
        }
        /* yaml_emitter_emit takes the event, also when it fails. */
        if (!yaml_emitter_emit(&e->yaml, ev)) {
                e->failed = true;
                e->problem = e->yaml.problem ? e->yaml.problem : "YAML emitter error";
        }
}

static void gen_check(emitter *e, yajl_gen_status s) {
        if (s != yajl_gen_status_ok) {
                e->failed = true;
                e->problem =
                        s == yajl_gen_invalid_string ? "invalid UTF-8" : "JSON generator error";
        }
}

static void emit_map_open(emitter *e) {
        if (e->failed)
                return;
        if (e->format == NVCT_CDI_JSON) {
                gen_check(e, yajl_gen_map_open(e->gen));
                return;
        }
        yaml_event_t ev;
        yaml_emit(
                e, &ev,
                yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void emit_map_close(emitter *e) {
        if (e->failed)
                return;
        if (e->format == NVCT_CDI_JSON) {
                gen_check(e, yajl_gen_map_close(e->gen));
                return;
        }
        yaml_event_t ev;
        yaml_emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void emit_list_open(emitter *e) {
        if (e->failed)
                return;
        if (e->format == NVCT_CDI_JSON) {
                gen_check(e, yajl_gen_array_open(e->gen));
                return;
        }
        yaml_event_t ev;
        yaml_emit(e, &ev,
                  yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                       YAML_BLOCK_SEQUENCE_STYLE));
}

static void emit_list_close(emitter *e) {
        if (e->failed)
                return;
        if (e->format == NVCT_CDI_JSON) {
                gen_check(e, yajl_gen_array_close(e->gen));
                return;
        }
        yaml_event_t ev;
        yaml_emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

static bool ascii_equal_fold(const char *s, size_t len, const char *word) {
        return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* Whether a string can be a plain YAML scalar and still read back as that
 * string under every common resolver (YAML 1.1 and 1.2): it starts with a
 * letter, '_' or '/' (or "-" then a letter or '-': "--folder"), so that it
 * is no number, date, null or indicator; it holds only characters that are
 * never syntax inside a plain scalar; it is no YAML 1.1 boolean or null
 * word. Anything else is double-quoted: a device named "0" stays a string. */
static bool yaml_plain_ok(const char *s, size_t len) {
        static const char *const words[] = { "y",   "n",    "yes",   "no",  "on",
                                             "off", "true", "false", "null" };
        if (len == 0)
                return false;
        size_t i = 0;
        if (s[0] == '-') {
                if (len < 2 || !(is_alpha(s[1]) || (s[1] == '-' && len > 2 && is_alpha(s[2]))))
                        return false;
        } else if (!is_alpha(s[0]) && s[0] != '_' && s[0] != '/') {
                return false;
        }
        for (; i < len; i++) {
                char c = s[i];
                if (!is_alnum(c) && strchr("_/.=:+@%-", c) == NULL)
                        return false;
        }
        if (s[len - 1] == ':')
                return false;
        for (size_t k = 0; k < ARRAY_SIZE(words); k++)
                if (ascii_equal_fold(s, len, words[k]))
                        return false;
        return true;
}

static void emit_scalar(emitter *e, const char *s, size_t len, bool is_string) {
        if (e->failed)
                return;
        if (e->format == NVCT_CDI_JSON) {
                if (is_string)
                        gen_check(e, yajl_gen_string(e->gen, (const unsigned char *)s, len));
                else
                        gen_check(e, yajl_gen_number(e->gen, s, len));
                return;
        }
        if (len > INT_MAX) {
                e->failed = true;
                e->problem = "a string too long for libyaml";
                return;
        }
        yaml_scalar_style_t style = !is_string || yaml_plain_ok(s, len)
                                            ? YAML_PLAIN_SCALAR_STYLE
                                            : YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        yaml_event_t ev;
        yaml_emit(e, &ev,
                  yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s, (int)len, 1,
                                               1, style));
}

static void emit_string(emitter *e, const char *s) {
        emit_scalar(e, s, strlen(s), true);
}

static void emit_int(emitter *e, int64_t v) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%" PRId64, v);
        emit_scalar(e, buf, (size_t)n, false);
}

static void emit_string_field(emitter *e, const char *key, const char *value) {
        emit_string(e, key);
        emit_string(e, value);
}

static void emit_strings(emitter *e, const char *key, char *const *v, size_t n, bool always) {
        if (n == 0 && !always)
                return;
        emit_string(e, key);
        emit_list_open(e);
        for (size_t i = 0; i < n; i++)
                emit_string(e, v[i]);
        emit_list_close(e);
}

static void emit_annotations(emitter *e, const nvct_cdi_annotation *a, size_t n) {
        if (n == 0)
                return;
        emit_string(e, "annotations");
        emit_map_open(e);
        for (size_t i = 0; i < n; i++)
                emit_string_field(e, a[i].key, a[i].value);
        emit_map_close(e);
}

static void emit_edits(emitter *e, const nvct_cdi_edits *ed) {
        emit_map_open(e);
        emit_strings(e, "env", ed->env, ed->n_env, false);
        if (ed->n_device_nodes > 0) {
                emit_string(e, "deviceNodes");
                emit_list_open(e);
                for (size_t i = 0; i < ed->n_device_nodes; i++) {
                        const nvct_cdi_device_node *d = &ed->device_nodes[i];
                        emit_map_open(e);
                        emit_string_field(e, "path", d->path);
                        if (d->host_path != NULL)
                                emit_string_field(e, "hostPath", d->host_path);
                        if (d->type != NULL)
                                emit_string_field(e, "type", d->type);
                        if (d->has_major_minor) {
                                emit_string(e, "major");
                                emit_int(e, d->major);
                                emit_string(e, "minor");
                                emit_int(e, d->minor);
                        }
                        if (d->has_file_mode) {
                                emit_string(e, "fileMode");
                                emit_int(e, d->file_mode);
                        }
                        if (d->permissions != NULL)
                                emit_string_field(e, "permissions", d->permissions);
                        if (d->has_uid) {
                                emit_string(e, "uid");
                                emit_int(e, d->uid);
                        }
                        if (d->has_gid) {
                                emit_string(e, "gid");
                                emit_int(e, d->gid);
                        }
                        emit_map_close(e);
                }
                emit_list_close(e);
        }
        if (ed->n_mounts > 0) {
                emit_string(e, "mounts");
                emit_list_open(e);
                for (size_t i = 0; i < ed->n_mounts; i++) {
                        const nvct_cdi_mount *m = &ed->mounts[i];
                        emit_map_open(e);
                        emit_string_field(e, "hostPath", m->host_path);
                        emit_string_field(e, "containerPath", m->container_path);
                        if (m->type != NULL)
                                emit_string_field(e, "type", m->type);
                        emit_strings(e, "options", m->options, m->n_options, false);
                        emit_map_close(e);
                }
                emit_list_close(e);
        }
        if (ed->n_hooks > 0) {
                emit_string(e, "hooks");
                emit_list_open(e);
                for (size_t i = 0; i < ed->n_hooks; i++) {
                        const nvct_cdi_hook *h = &ed->hooks[i];
                        emit_map_open(e);
                        emit_string_field(e, "hookName", h->hook_name);
                        emit_string_field(e, "path", h->path);
                        emit_strings(e, "args", h->args, h->n_args, false);
                        /* Always, even empty: a hook without "env" would
                         * inherit the runtime's environment. */
                        emit_strings(e, "env", h->env, h->n_env, true);
                        if (h->has_timeout) {
                                emit_string(e, "timeout");
                                emit_int(e, h->timeout);
                        }
                        emit_map_close(e);
                }
                emit_list_close(e);
        }
        if (ed->n_additional_gids > 0) {
                emit_string(e, "additionalGids");
                emit_list_open(e);
                for (size_t i = 0; i < ed->n_additional_gids; i++)
                        emit_int(e, ed->additional_gids[i]);
                emit_list_close(e);
        }
        emit_map_close(e);
}

static void emit_spec(emitter *e, const nvct_cdi_spec *spec, const char *version) {
        emit_map_open(e);
        emit_string_field(e, "cdiVersion", version);
        emit_string_field(e, "kind", spec->kind);
        emit_annotations(e, spec->annotations, spec->n_annotations);
        emit_string(e, "devices");
        emit_list_open(e);
        for (size_t i = 0; i < spec->n_devices; i++) {
                const nvct_cdi_device *d = &spec->devices[i];
                emit_map_open(e);
                emit_string_field(e, "name", d->name);
                emit_annotations(e, d->annotations, d->n_annotations);
                emit_string(e, "containerEdits");
                emit_edits(e, &d->edits);
                emit_map_close(e);
        }
        emit_list_close(e);
        if (!edits_empty(&spec->edits)) {
                emit_string(e, "containerEdits");
                emit_edits(e, &spec->edits);
        }
        emit_map_close(e);
}

/* yajl's beautifier writes an empty list as "[", a blank line and "]":
 * make it "[]". Strings never hold a raw newline (yajl escapes it), so
 * every "\n" here is layout. */
static size_t collapse_empty(char *s, size_t len) {
        size_t w = 0;
        for (size_t r = 0; r < len;) {
                char c = s[r];
                if ((c == '[' || c == '{') && r + 2 < len && s[r + 1] == '\n' && s[r + 2] == '\n') {
                        size_t k = r + 3;
                        while (k < len && s[k] == ' ')
                                k++;
                        if (k < len && s[k] == (c == '[' ? ']' : '}')) {
                                s[w++] = c;
                                s[w++] = s[k];
                                r = k + 1;
                                continue;
                        }
                }
                s[w++] = s[r++];
        }
        return w;
}

static int write_json(const nvct_cdi_spec *spec, const char *version, char **ret_data,
                      size_t *ret_len, nvct_error **err) {
        emitter e = { .format = NVCT_CDI_JSON };
        e.gen = yajl_gen_alloc(NULL);
        if (e.gen == NULL)
                return oom(err);
        yajl_gen_config(e.gen, yajl_gen_beautify, 1);
        yajl_gen_config(e.gen, yajl_gen_indent_string, "  ");
        yajl_gen_config(e.gen, yajl_gen_validate_utf8, 1);
        emit_spec(&e, spec, version);
        const unsigned char *buf = NULL;
        size_t len = 0;
        if (!e.failed)
                gen_check(&e, yajl_gen_get_buf(e.gen, &buf, &len));
        char *data = e.failed ? NULL : nvct_memdup0(buf, len);
        yajl_gen_free(e.gen);
        if (e.failed)
                return nvct_error_make(err, 0, "cannot write the CDI spec as JSON: %s", e.problem);
        if (data == NULL)
                return oom(err);
        len = collapse_empty(data, len);
        data[len] = '\0';
        *ret_data = data;
        *ret_len = len;
        return 0;
}

static int write_yaml(const nvct_cdi_spec *spec, const char *version, char **ret_data,
                      size_t *ret_len, nvct_error **err) {
        emitter e = { .format = NVCT_CDI_YAML };
        if (!yaml_emitter_initialize(&e.yaml))
                return oom(err);
        yaml_emitter_set_output(&e.yaml, yaml_output, &e);
        yaml_emitter_set_unicode(&e.yaml, 1);
        yaml_emitter_set_indent(&e.yaml, 2);
        /* No folding of long strings across lines. */
        yaml_emitter_set_width(&e.yaml, -1);
        yaml_emitter_set_break(&e.yaml, YAML_LN_BREAK);

        yaml_event_t ev;
        yaml_emit(&e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
        if (!e.failed)
                yaml_emit(&e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
        emit_spec(&e, spec, version);
        if (!e.failed)
                yaml_emit(&e, &ev, yaml_document_end_event_initialize(&ev, 1));
        if (!e.failed)
                yaml_emit(&e, &ev, yaml_stream_end_event_initialize(&ev));
        if (!e.failed && !yaml_emitter_flush(&e.yaml)) {
                e.failed = true;
                e.problem = "cannot flush";
        }
        yaml_emitter_delete(&e.yaml);
        _cleanup_free_ char *buf = e.buf;
        if (e.failed)
                return nvct_error_make(err, 0, "cannot write the CDI spec as YAML: %s", e.problem);
        char *data = nvct_memdup0(buf, e.len);
        if (data == NULL)
                return oom(err);
        *ret_data = data;
        *ret_len = e.len;
        return 0;
}

int nvct_cdi_spec_write(const nvct_cdi_spec *spec, nvct_cdi_format format, char **ret_data,
                        size_t *ret_len, nvct_error **err) {
        if (format != NVCT_CDI_JSON && format != NVCT_CDI_YAML)
                return nvct_error_make(err, 0, "unknown CDI spec format %d", (int)format);
        const char *version = spec->version ? spec->version : nvct_cdi_minimum_version(spec);
        if (validate(spec, version, NULL, err) < 0)
                return nvct_error_prefix(err, "invalid CDI spec");
        if (format == NVCT_CDI_JSON)
                return write_json(spec, version, ret_data, ret_len, err);
        return write_yaml(spec, version, ret_data, ret_len, err);
}

/* ---- the generic tree ---- */

typedef enum node_type {
        NODE_NULL,
        NODE_BOOL,
        NODE_NUMBER, /* a JSON number, its text as written */
        NODE_STRING, /* a JSON string or a quoted YAML scalar */
        NODE_PLAIN,  /* a plain YAML scalar: its type is decided by the field */
        NODE_MAP,
        NODE_LIST,
} node_type;

/* 32 bytes: a hostile spec of tiny values ("0,0,0,...") makes one node per
 * two bytes, so a node's size is what bounds the memory a spec can cost
 * (MAX_NODES, max_nodes). Texts live in the tree's arena, not in a
 * malloc'ed block each (whose header and rounding would be most of the cost
 * of a short one). Lengths fit in 32 bits: the document is at most
 * NVCT_CDI_MAX_FILE_SIZE bytes. */
typedef struct node {
        union {
                struct {                  /* scalars */
                        const char *text; /* NUL-terminated (and free of NUL) */
                        uint32_t len;
                };
                struct { /* maps and lists */
                        struct node *kids;
                        uint32_t n_kids, cap_kids; /* cap_kids 0: closed, kids in the arena */
                };
        };
        const char *key; /* a map's member: its key */
        uint32_t key_len;
        uint8_t type; /* node_type */
        bool boolean;
} node;

/* Where texts are copied: chunks freed together with the tree. */
typedef struct arena_chunk {
        struct arena_chunk *next;
        size_t used, size;
        char data[];
} arena_chunk;

#define ARENA_CHUNK_SIZE (64u << 10)

typedef struct tree {
        node root;
        bool has_root;
        /* The open maps and lists. An open one is always the last member of
         * its parent, whose array therefore does not move meanwhile. */
        node *stack[NVCT_CDI_MAX_DEPTH];
        size_t depth;
        bool expect_key[NVCT_CDI_MAX_DEPTH]; /* YAML: a map's next scalar is a key */
        const char *key;
        size_t key_len;
        size_t n_nodes, max_nodes;
        arena_chunk *chunks; /* the first one is the one being filled */
        char *problem;       /* why building stopped */
} tree;

static bool is_container(const node *n) {
        return n->type == NODE_MAP || n->type == NODE_LIST;
}

/* Only the open maps and lists (a parse that failed) own a malloc'ed array;
 * closed ones' are in the arena. */
static void node_free(node *n) {
        if (!is_container(n) || n->cap_kids == 0)
                return;
        for (size_t i = 0; i < n->n_kids; i++)
                node_free(&n->kids[i]);
        free(n->kids);
}

static void tree_free(tree *t) {
        if (t->has_root)
                node_free(&t->root);
        while (t->chunks != NULL) {
                arena_chunk *next = t->chunks->next;
                free(t->chunks);
                t->chunks = next;
        }
        free(t->problem);
        *t = (tree){ 0 };
}

/* `size` bytes in the arena, aligned to `align` (a power of two). A block over a quarter of
 * a chunk gets a chunk of its own, behind the one being filled: at most a
 * quarter of each chunk is left unused. */
static void *arena_alloc(tree *t, size_t size, size_t align) {
        arena_chunk *c = t->chunks;
        size_t at = c != NULL ? (c->used + align - 1) & ~(align - 1) : 0;
        if (c == NULL || at > c->size || c->size - at < size) {
                bool own = size > ARENA_CHUNK_SIZE / 4;
                size_t chunk_size = own ? size : ARENA_CHUNK_SIZE;
                arena_chunk *fresh = malloc(sizeof(*fresh) + chunk_size);
                if (fresh == NULL)
                        return NULL;
                fresh->used = 0;
                fresh->size = chunk_size;
                if (own && c != NULL) {
                        fresh->next = c->next;
                        c->next = fresh;
                } else {
                        fresh->next = c;
                        t->chunks = fresh;
                }
                c = fresh;
                at = 0;
        }
        c->used = at + size;
        return c->data + at;
}

/* A NUL-terminated copy of `len` bytes in the arena. */
static const char *arena_copy(tree *t, const char *s, size_t len) {
        char *copy = arena_alloc(t, len + 1, 1);
        if (copy == NULL)
                return NULL;
        memcpy(copy, s, len);
        copy[len] = '\0';
        return copy;
}

static bool tree_fail(tree *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool tree_fail(tree *t, const char *fmt, ...) {
        if (t->problem == NULL) {
                va_list ap;
                va_start(ap, fmt);
                if (vasprintf(&t->problem, fmt, ap) < 0)
                        t->problem = NULL;
                va_end(ap);
        }
        return false;
}

/* Text from the document: NUL bytes are refused (a string here becomes a
 * path or an argument), and so is what is not UTF-8. */
static bool tree_check_text(tree *t, const char *s, size_t len) {
        if (memchr(s, '\0', len) != NULL)
                return tree_fail(t, "a NUL byte in a string");
        if (!is_utf8(s, len))
                return tree_fail(t, "invalid UTF-8 in a string");
        return true;
}

static node *tree_add(tree *t, node_type type, const char *text, size_t len) {
        if (t->n_nodes >= t->max_nodes) {
                if (t->max_nodes == MAX_NODES)
                        tree_fail(t, "more than %zu values", t->max_nodes);
                else
                        tree_fail(t,
                                  "more than %zu values: a spec may hold one per %d bytes "
                                  "(at least %u)",
                                  t->max_nodes, BYTES_PER_NODE, MIN_NODES);
                return NULL;
        }
        if (text != NULL && !tree_check_text(t, text, len))
                return NULL;
        const char *copy = text != NULL ? arena_copy(t, text, len) : NULL;
        if (text != NULL && copy == NULL) {
                tree_fail(t, "out of memory");
                return NULL;
        }
        node *n;
        if (t->depth == 0) {
                if (t->has_root) {
                        tree_fail(t, "more than one document");
                        return NULL;
                }
                n = &t->root;
                t->has_root = true;
        } else {
                node *parent = t->stack[t->depth - 1];
                if (parent->type == NODE_MAP && t->key == NULL) {
                        tree_fail(t, "a map value without a key");
                        return NULL;
                }
                if (parent->n_kids == parent->cap_kids) {
                        uint32_t cap = parent->cap_kids ? parent->cap_kids * 2 : 4;
                        node *kids = reallocarray(parent->kids, cap, sizeof(*kids));
                        if (kids == NULL) {
                                tree_fail(t, "out of memory");
                                return NULL;
                        }
                        parent->kids = kids;
                        parent->cap_kids = cap;
                }
                n = &parent->kids[parent->n_kids++];
        }
        *n = (node){ .type = (uint8_t)type };
        if (copy != NULL) {
                n->text = copy;
                n->len = (uint32_t)len;
        }
        if (t->depth > 0 && t->stack[t->depth - 1]->type == NODE_MAP) {
                n->key = t->key;
                n->key_len = (uint32_t)t->key_len;
                t->key = NULL;
                t->expect_key[t->depth - 1] = true;
        }
        t->n_nodes++;
        return n;
}

static bool tree_key(tree *t, const char *key, size_t len) {
        if (!tree_check_text(t, key, len))
                return false;
        t->key = arena_copy(t, key, len);
        if (t->key == NULL)
                return tree_fail(t, "out of memory");
        t->key_len = len;
        t->expect_key[t->depth - 1] = false;
        return true;
}

static bool tree_open(tree *t, node_type type) {
        if (t->depth >= NVCT_CDI_MAX_DEPTH)
                return tree_fail(t, "nested deeper than %d levels", NVCT_CDI_MAX_DEPTH);
        node *n = tree_add(t, type, NULL, 0);
        if (n == NULL)
                return false;
        t->expect_key[t->depth] = type == NODE_MAP;
        t->stack[t->depth++] = n;
        return true;
}

static int cmp_key_ptr(const void *a, const void *b) {
        const node *x = *(const node *const *)a, *y = *(const node *const *)b;
        int c = memcmp(x->key, y->key, x->key_len < y->key_len ? x->key_len : y->key_len);
        return c != 0 ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* As the CDI reference's strict YAML decoding: a key twice is an error
 * (not "the last one wins"). Sorting keeps a huge map O(n log n). */
static bool check_duplicate_keys(tree *t, const node *map) {
        size_t n = map->n_kids;
        if (n < 2)
                return true;
        _cleanup_free_ const node **v = calloc(n, sizeof(*v));
        if (v == NULL)
                return tree_fail(t, "out of memory");
        for (size_t i = 0; i < n; i++)
                v[i] = &map->kids[i];
        qsort(v, n, sizeof(*v), cmp_key_ptr);
        for (size_t i = 1; i < n; i++) {
                if (cmp_key_ptr(&v[i - 1], &v[i]) == 0) {
                        _cleanup_free_ char *q = nvct_quote(v[i]->key, v[i]->key_len);
                        return tree_fail(t, "duplicate key %s", q ? q : "?");
                }
        }
        return true;
}

static bool tree_close(tree *t) {
        node *n = t->stack[t->depth - 1];
        if (n->type == NODE_MAP && !check_duplicate_keys(t, n))
                return false;
        /* A closed node's members move to the arena, exactly: no slack from
         * doubling, no malloc header per small map (nothing points into its
         * array, its members being closed too). cap_kids 0 marks it. */
        if (n->n_kids > 0) {
                node *kids = arena_alloc(t, n->n_kids * sizeof(*kids), _Alignof(node));
                if (kids == NULL)
                        return tree_fail(t, "out of memory");
                memcpy(kids, n->kids, n->n_kids * sizeof(*kids));
                free(n->kids);
                n->kids = kids;
        }
        n->cap_kids = 0;
        t->depth--;
        return true;
}

/* ---- JSON, through yajl's callback parser ---- */

static int json_null(void *ctx) {
        return tree_add(ctx, NODE_NULL, NULL, 0) != NULL;
}

static int json_boolean(void *ctx, int value) {
        node *n = tree_add(ctx, NODE_BOOL, NULL, 0);
        if (n != NULL)
                n->boolean = value != 0;
        return n != NULL;
}

static int json_number(void *ctx, const char *s, size_t len) {
        return tree_add(ctx, NODE_NUMBER, s, len) != NULL;
}

static int json_string(void *ctx, const unsigned char *s, size_t len) {
        return tree_add(ctx, NODE_STRING, len > 0 ? (const char *)s : "", len) != NULL;
}

static int json_start_map(void *ctx) {
        return tree_open(ctx, NODE_MAP);
}

static int json_map_key(void *ctx, const unsigned char *s, size_t len) {
        return tree_key(ctx, len > 0 ? (const char *)s : "", len);
}

static int json_end(void *ctx) {
        return tree_close(ctx);
}

static int json_start_array(void *ctx) {
        return tree_open(ctx, NODE_LIST);
}

static const yajl_callbacks json_callbacks = {
        .yajl_null = json_null,
        .yajl_boolean = json_boolean,
        .yajl_number = json_number,
        .yajl_string = json_string,
        .yajl_start_map = json_start_map,
        .yajl_map_key = json_map_key,
        .yajl_end_map = json_end,
        .yajl_start_array = json_start_array,
        .yajl_end_array = json_end,
};

static void line_column(const char *data, size_t len, size_t offset, size_t *line, size_t *col) {
        *line = 1;
        *col = 1;
        for (size_t i = 0; i < offset && i < len; i++) {
                if (data[i] == '\n') {
                        (*line)++;
                        *col = 1;
                } else {
                        (*col)++;
                }
        }
}

static int parse_json(const char *data, size_t len, tree *t, nvct_error **err) {
        yajl_handle h = yajl_alloc(&json_callbacks, NULL, t);
        if (h == NULL)
                return oom(err);
        size_t offset = 0;
        yajl_status s = yajl_parse(h, (const unsigned char *)data, len);
        if (s != yajl_status_ok) {
                offset = yajl_get_bytes_consumed(h);
        } else {
                s = yajl_complete_parse(h);
                offset = len;
        }
        int r = 0;
        if (s != yajl_status_ok) {
                size_t line, col;
                line_column(data, len, offset, &line, &col);
                if (s == yajl_status_client_canceled) {
                        r = nvct_error_make(err, 0, "line %zu, column %zu: %s", line, col,
                                            t->problem ? t->problem : "out of memory");
                } else {
                        unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
                        /* "parse error: premature EOF\n" */
                        const char *m = msg ? (const char *)msg : "invalid JSON";
                        if (strncmp(m, "parse error: ", 13) == 0)
                                m += 13;
                        size_t mlen = strcspn(m, "\n");
                        r = nvct_error_make(err, 0, "line %zu, column %zu: invalid JSON: %.*s",
                                            line, col, (int)mlen, m);
                        if (msg != NULL)
                                yajl_free_error(h, msg);
                }
        } else if (!t->has_root) {
                r = nvct_error_make(err, 0, "empty document");
        }
        yajl_free(h);
        return r;
}

/* ---- YAML, through libyaml's event parser ---- */

static bool yaml_refuse_extras(tree *t, const yaml_char_t *anchor, const yaml_char_t *tag) {
        /* Anchors and aliases (a "billion laughs" bomb needs them) and tags
         * (no CDI field needs one) are refused outright. */
        if (anchor != NULL)
                return tree_fail(t, "YAML anchors are not supported");
        if (tag != NULL)
                return tree_fail(t, "YAML tags are not supported");
        return true;
}

static bool yaml_event(tree *t, const yaml_event_t *ev, int *documents, bool *done) {
        bool key_next = t->depth > 0 && t->stack[t->depth - 1]->type == NODE_MAP &&
                        t->expect_key[t->depth - 1];
        switch (ev->type) {
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_END_EVENT:
        case YAML_NO_EVENT:
                return true;
        case YAML_STREAM_END_EVENT:
                *done = true;
                return true;
        case YAML_DOCUMENT_START_EVENT:
                if (++*documents > 1)
                        return tree_fail(t, "more than one YAML document");
                return true;
        case YAML_ALIAS_EVENT:
                return tree_fail(t, "YAML aliases are not supported");
        case YAML_SCALAR_EVENT: {
                const char *text = (const char *)ev->data.scalar.value;
                size_t len = ev->data.scalar.length;
                if (!yaml_refuse_extras(t, ev->data.scalar.anchor, ev->data.scalar.tag))
                        return false;
                if (key_next)
                        return tree_key(t, text, len);
                node_type type =
                        ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? NODE_PLAIN : NODE_STRING;
                return tree_add(t, type, text, len) != NULL;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
                bool map = ev->type == YAML_MAPPING_START_EVENT;
                if (!yaml_refuse_extras(
                            t, map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor,
                            map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag))
                        return false;
                if (key_next)
                        return tree_fail(t, "a map key that is not a scalar");
                return tree_open(t, map ? NODE_MAP : NODE_LIST);
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                return tree_close(t);
        }
        return true;
}

static int parse_yaml(const char *data, size_t len, tree *t, nvct_error **err) {
        yaml_parser_t p;
        if (!yaml_parser_initialize(&p))
                return oom(err);
        yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
        int documents = 0, r = 0;
        bool done = false;
        while (!done) {
                yaml_event_t ev;
                if (!yaml_parser_parse(&p, &ev)) {
                        if (p.error == YAML_MEMORY_ERROR)
                                r = oom(err);
                        else
                                r = nvct_error_make(
                                        err, 0, "line %zu, column %zu: invalid YAML: %s%s%s",
                                        p.problem_mark.line + 1, p.problem_mark.column + 1,
                                        p.problem ? p.problem : "syntax error",
                                        p.context ? " " : "", p.context ? p.context : "");
                        break;
                }
                bool ok = yaml_event(t, &ev, &documents, &done);
                size_t line = ev.start_mark.line + 1, col = ev.start_mark.column + 1;
                yaml_event_delete(&ev);
                if (!ok) {
                        r = nvct_error_make(err, 0, "line %zu, column %zu: %s", line, col,
                                            t->problem ? t->problem : "out of memory");
                        break;
                }
        }
        yaml_parser_delete(&p);
        if (r == 0 && !t->has_root)
                r = nvct_error_make(err, 0, "empty document");
        return r;
}

/* ---- tree to model ---- */

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
        return field_error(err, p, "expected %s, got %s", want, got ? got : "?");
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
                        return field_error(err, p, "unknown field %s", q ? q : "?");
                }
                slots[i] = is_null(kid) ? NULL : kid;
        }
        return 0;
}

static int require(nvct_error **err, const field_path *p, const node *slot, const char *name) {
        if (slot != NULL)
                return 0;
        return field_error(err, p, "missing field \"%s\"", name);
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
                return oom(err);
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
                return oom(err);
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
                if (!is_digit(s[k])) {
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
                return field_error(err, p, "%s is out of range: %" PRId64 " to %" PRId64,
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
                return oom(err);
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
                return oom(err);
        *ret = v;
        *ret_n = n->n_kids;
        for (size_t i = 0; i < n->n_kids; i++) {
                const node *kid = &n->kids[i];
                /* The key is the document's: quoted, never a path segment. */
                if (!is_string_node(kid)) {
                        _cleanup_free_ char *q = nvct_quote(kid->key, kid->key_len);
                        _cleanup_free_ char *got = describe(kid);
                        return field_error(err, p, "the value of %s: expected a string, got %s",
                                           q ? q : "?", got ? got : "?");
                }
                v[i].key = nvct_memdup0(kid->key, kid->key_len);
                if (v[i].key == NULL || get_string(err, p, kid, &v[i].value) < 0)
                        return v[i].key == NULL ? oom(err) : -1;
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
        need_at_least(need, V070, "intelRdt");
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
                        return field_error(err, &at, "invalid CLOS name %s", q ? q : "?");
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
                        need_at_least(need, V110, "intelRdt schemata");
        }
        if (f[ENABLE_MONITORING] != NULL) {
                field_path at = FIELD(p, names[ENABLE_MONITORING]);
                bool on = false;
                if (get_bool(err, &at, f[ENABLE_MONITORING], &on) < 0)
                        return -1;
                if (on)
                        need_at_least(need, V110, "intelRdt enableMonitoring");
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
        return field_error(err, p, "invalid network interface name %s", q ? q : "?");
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
                need_at_least(need, V110, "netDevices");
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
                        return oom(err);
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

/* The document's tree (which copies what it keeps); on failure, none. */
static int parse_tree(const char *data, size_t len, nvct_cdi_format format, tree *ret_tree,
                      nvct_error **err) {
        if (len > NVCT_CDI_MAX_FILE_SIZE)
                return nvct_error_make(err, 0, "larger than %u bytes", NVCT_CDI_MAX_FILE_SIZE);
        size_t max_nodes = len / BYTES_PER_NODE;
        if (max_nodes < MIN_NODES)
                max_nodes = MIN_NODES;
        if (max_nodes > MAX_NODES)
                max_nodes = MAX_NODES;
        *ret_tree = (tree){ .max_nodes = max_nodes };
        int r = format == NVCT_CDI_JSON ? parse_json(data ? data : "", len, ret_tree, err)
                                        : parse_yaml(data ? data : "", len, ret_tree, err);
        if (r < 0)
                tree_free(ret_tree);
        return r;
}

/* Fills and validates the spec from a tree, which it frees. */
static int tree_to_spec(tree *t, nvct_cdi_spec *ret_spec, nvct_error **err) {
        nvct_cdi_spec spec = { 0 };
        dropped drop = { .need = { V030, NULL } };
        int r = fill_spec(err, &t->root, &spec, &drop);
        tree_free(t);
        if (r == 0)
                r = validate(&spec, spec.version, &drop, err);
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
        if (parse_tree(data, len, format, &t, err) < 0)
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
        nvct_cdi_format format = format_of_name(name);
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

/* Loads a spec file; a parse error carries no file name
 * (*ret_parsed tells it apart from one that does). */
static int load_unnamed(const char *path, nvct_cdi_spec *ret_spec, bool *ret_parsed,
                        nvct_error **err) {
        *ret_parsed = false;
        nvct_cdi_format format = format_of_name(path);
        if (format == 0)
                return bad_name(path, err);
        _cleanup_free_ char *data = NULL;
        size_t len;
        if (read_spec_file(path, &data, &len, err) < 0)
                return -1;
        *ret_parsed = true;
        tree t;
        int r = parse_tree(data, len, format, &t, err);
        /* The tree holds copies: the file's bytes need not stay while the
         * spec is filled. */
        free(TAKE_PTR(data));
        if (r < 0)
                return -1;
        return tree_to_spec(&t, ret_spec, err);
}

int nvct_cdi_spec_load(const char *path, nvct_cdi_spec *ret_spec, nvct_error **err) {
        bool parsed;
        if (load_unnamed(path, ret_spec, &parsed, err) < 0)
                return parsed ? prefix_name(path, err) : -1;
        return 0;
}

/* ---- listing ---- */

typedef struct found {
        char *qualified_name;
        char *spec_path;
        size_t priority; /* the index of its directory */
        bool conflict;
} found;

typedef struct lister {
        found *found;
        size_t n_found;
        size_t *slots; /* open addressing: index + 1 into found, 0 empty */
        size_t n_slots;
        nvct_cdi_list_problem *problems;
        size_t n_problems;
} lister;

static void lister_clear(lister *l) {
        for (size_t i = 0; i < l->n_found; i++) {
                free(l->found[i].qualified_name);
                free(l->found[i].spec_path);
        }
        free(l->found);
        free(l->slots);
        for (size_t i = 0; i < l->n_problems; i++) {
                free(l->problems[i].path);
                free(l->problems[i].reason);
        }
        free(l->problems);
        *l = (lister){ 0 };
}

/* The slot of `name`: its entry, or the empty slot it would go in. Keyed
 * (hash.h): names crafted to collide made listing quadratic (60000 devices:
 * 8 s instead of 0.07 s). */
static size_t *lister_slot(lister *l, const char *name) {
        size_t mask = l->n_slots - 1;
        for (size_t i = (size_t)nvct_hash(name, strlen(name)) & mask;; i = (i + 1) & mask) {
                size_t *s = &l->slots[i];
                if (*s == 0 || strcmp(l->found[*s - 1].qualified_name, name) == 0)
                        return s;
        }
}

static int lister_grow(lister *l) {
        if (l->n_found * 2 < l->n_slots)
                return 0;
        size_t n = l->n_slots ? l->n_slots * 2 : 64;
        size_t *old = l->slots, old_n = l->n_slots;
        l->slots = calloc(n, sizeof(*l->slots));
        if (l->slots == NULL) {
                l->slots = old;
                return -1;
        }
        l->n_slots = n;
        for (size_t i = 0; i < old_n; i++)
                if (old[i] != 0)
                        *lister_slot(l, l->found[old[i] - 1].qualified_name) = old[i];
        free(old);
        return 0;
}

/* A problem: its reason made one line (a file name may hold anything). */
static int lister_problem(lister *l, const char *where, const char *reason) {
        _cleanup_free_ char *p = strdup(where), *r = strdup(reason);
        if (p == NULL || r == NULL || !RESERVE(l->problems, l->n_problems, 1))
                return -1;
        for (char *c = r; *c != '\0'; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        *c = '?';
        l->problems[l->n_problems++] =
                (nvct_cdi_list_problem){ .path = TAKE_PTR(p), .reason = TAKE_PTR(r) };
        return 0;
}

static int lister_add(lister *l, const char *qualified_name, const char *spec_path,
                      size_t priority) {
        if (lister_grow(l) < 0)
                return -1;
        size_t *slot = lister_slot(l, qualified_name);
        if (*slot != 0) {
                found *f = &l->found[*slot - 1];
                if (priority > f->priority) {
                        /* A later directory overrides an earlier one. */
                        char *p = strdup(spec_path);
                        if (p == NULL)
                                return -1;
                        free(f->spec_path);
                        f->spec_path = p;
                        f->priority = priority;
                        return 0;
                }
                /* Two files of one directory: as the reference, the device
                 * is left out altogether. */
                f->conflict = true;
                _cleanup_free_ char *q = nvct_quote(qualified_name, strlen(qualified_name));
                _cleanup_free_ char *other = nvct_quote_path(f->spec_path);
                _cleanup_free_ char *reason = NULL;
                if (q == NULL || other == NULL ||
                    asprintf(&reason, "device %s is also defined by %s: left out", q, other) < 0) {
                        reason = NULL;
                        return -1;
                }
                return lister_problem(l, spec_path, reason);
        }
        _cleanup_free_ char *n = strdup(qualified_name), *p = strdup(spec_path);
        if (n == NULL || p == NULL || !RESERVE(l->found, l->n_found, 1))
                return -1;
        l->found[l->n_found] = (found){ .qualified_name = TAKE_PTR(n),
                                        .spec_path = TAKE_PTR(p),
                                        .priority = priority };
        *slot = ++l->n_found;
        return 0;
}

static int cmp_str_ptr(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(char **names, size_t n) {
        nvct_strv_free_array(names, n);
}

/* The spec file names of a directory, sorted. -ENOENT when it is missing;
 * -1 with *ret_reason (or without it: out of memory) when unreadable. */
static int read_spec_names(const char *dir, char ***ret_names, size_t *ret_n, char **ret_reason) {
        *ret_reason = NULL;
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ENOENT)
                        return -ENOENT;
                if (asprintf(ret_reason, "cannot read the directory: %s", strerror(errno)) < 0)
                        *ret_reason = NULL;
                return -1;
        }
        DIR *d = fdopendir(fd);
        if (d == NULL) {
                if (asprintf(ret_reason, "cannot read the directory: %s", strerror(errno)) < 0)
                        *ret_reason = NULL;
                close(fd);
                return -1;
        }
        char **names = NULL;
        size_t n = 0;
        int r = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (de == NULL) {
                        int saved = errno;
                        if (saved != 0) {
                                r = -1;
                                if (asprintf(ret_reason, "cannot read the directory: %s",
                                             strerror(saved)) < 0)
                                        *ret_reason = NULL;
                        }
                        break;
                }
                /* As the reference, subdirectories are not searched. */
                if (de->d_type == DT_DIR || format_of_name(de->d_name) == 0)
                        continue;
                char *copy = strdup(de->d_name);
                if (copy == NULL || !RESERVE(names, n, 1)) {
                        free(copy);
                        r = -1;
                        break;
                }
                names[n++] = copy;
        }
        closedir(d);
        if (r < 0) {
                names_free(names, n);
                return -1;
        }
        if (n > 1)
                qsort(names, n, sizeof(*names), cmp_str_ptr);
        *ret_names = names;
        *ret_n = n;
        return 0;
}

static int list_dir(lister *l, const char *dir, size_t priority) {
        char **names = NULL;
        size_t n = 0;
        _cleanup_free_ char *reason = NULL;
        int r = read_spec_names(dir, &names, &n, &reason);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return reason != NULL ? lister_problem(l, dir, reason) : -1;
        size_t dlen = strlen(dir);
        bool slash = dlen > 0 && dir[dlen - 1] == '/';
        for (size_t i = 0; r == 0 && i < n; i++) {
                _cleanup_free_ char *spec_path = NULL;
                if (asprintf(&spec_path, "%s%s%s", dir, slash ? "" : "/", names[i]) < 0) {
                        spec_path = NULL;
                        r = -1;
                        break;
                }
                nvct_cdi_spec spec;
                _cleanup_error_ nvct_error *load_err = NULL;
                bool parsed;
                if (load_unnamed(spec_path, &spec, &parsed, &load_err) < 0) {
                        if (load_err == NULL || load_err->msg == NULL)
                                r = -1;
                        else
                                r = lister_problem(l, spec_path, load_err->msg);
                        continue;
                }
                for (size_t k = 0; r == 0 && k < spec.n_devices; k++) {
                        _cleanup_free_ char *qualified = NULL;
                        if (asprintf(&qualified, "%s=%s", spec.kind, spec.devices[k].name) < 0) {
                                qualified = NULL;
                                r = -1;
                                break;
                        }
                        r = lister_add(l, qualified, spec_path, priority);
                }
                nvct_cdi_spec_clear(&spec);
        }
        names_free(names, n);
        return r;
}

static int cmp_listed(const void *a, const void *b) {
        return strcmp(((const nvct_cdi_listed_device *)a)->qualified_name,
                      ((const nvct_cdi_listed_device *)b)->qualified_name);
}

int nvct_cdi_list(const char *const *dirs, nvct_cdi_listing *ret_listing, nvct_error **err) {
        lister l = { 0 };
        for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++) {
                if (list_dir(&l, dirs[i], i) < 0) {
                        lister_clear(&l);
                        return oom(err);
                }
        }
        nvct_cdi_listing listing = { 0 };
        size_t n = 0;
        for (size_t i = 0; i < l.n_found; i++)
                n += !l.found[i].conflict;
        if (n > 0) {
                listing.devices = calloc(n, sizeof(*listing.devices));
                if (listing.devices == NULL) {
                        lister_clear(&l);
                        return oom(err);
                }
        }
        for (size_t i = 0; i < l.n_found; i++) {
                if (l.found[i].conflict)
                        continue;
                listing.devices[listing.n_devices++] = (nvct_cdi_listed_device){
                        .qualified_name = TAKE_PTR(l.found[i].qualified_name),
                        .spec_path = TAKE_PTR(l.found[i].spec_path),
                };
        }
        if (listing.n_devices > 1)
                qsort(listing.devices, listing.n_devices, sizeof(*listing.devices), cmp_listed);
        listing.problems = TAKE_PTR(l.problems);
        listing.n_problems = l.n_problems;
        l.n_problems = 0;
        lister_clear(&l);
        *ret_listing = listing;
        return 0;
}

void nvct_cdi_listing_clear(nvct_cdi_listing *listing) {
        for (size_t i = 0; i < listing->n_devices; i++) {
                free(listing->devices[i].qualified_name);
                free(listing->devices[i].spec_path);
        }
        free(listing->devices);
        for (size_t i = 0; i < listing->n_problems; i++) {
                free(listing->problems[i].path);
                free(listing->problems[i].reason);
        }
        free(listing->problems);
        *listing = (nvct_cdi_listing){ 0 };
}
