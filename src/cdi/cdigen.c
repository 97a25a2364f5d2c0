/* SPDX-License-Identifier: Apache-2.0 */
/* What goes into a CDI spec for a host: the devices (cdigen-devices.c),
 * the edits every device shares: the driver's files mounted read-only
 * (cdigen-libs.c), the graphics files (cdigen-graphics.c), and the hooks
 * that recreate the driver's links and the linker cache in the container.
 * This file holds what they share: mounts, device nodes, hooks, and the
 * generation itself. */
#define _GNU_SOURCE
#include "cdigen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cdigen-internal.h"
#include "basic/cleanup.h"
#include "basic/hash.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "basic/strv.h"
#include "cdihook/ldconfig.h"
#include "driver/root.h"

static const char *const mount_options[] = { "ro", "nosuid", "nodev", "bind", NULL };
/* Every hook gets an environment of its own: a runtime that gives a hook no
 * `env` may hand it the runtime's, and a container's LD_PRELOAD must never
 * reach a program that runs as root on the host. */
static const char *const hook_env[] = { "NVIDIA_CTK_DEBUG=false", NULL };
/* Every hook also gets a timeout (seconds) that the runtime enforces: a
 * hook that hangs on what an image holds must not hold the container's
 * start, and the runtime, forever. update-ldcache kills ldconfig itself
 * after NVCT_LDCONFIG_TIMEOUT_MS and reports it; this is the runtime's
 * bound, above ours, for anything else. */
#define HOOK_TIMEOUT_S 30
_Static_assert(HOOK_TIMEOUT_S * 1000 > 2 * NVCT_LDCONFIG_TIMEOUT_MS,
               "the runtime's hook timeout must leave update-ldcache time to report its own");

/* Options after mount_options a mount may get (ipc's noexec). */
#define MAX_EXTRA_OPTIONS 4

int nvct_cdigen_strategy_parse(const char *name, unsigned *ret_bit, nvct_error **err) {
        unsigned bit;
        if (strcmp(name, "index") == 0)
                bit = NVCT_CDI_NAME_INDEX;
        else if (strcmp(name, "uuid") == 0)
                bit = NVCT_CDI_NAME_UUID;
        else if (strcmp(name, "type-index") == 0)
                bit = NVCT_CDI_NAME_TYPE_INDEX;
        else {
                _cleanup_free_ char *q = nvct_quote(name, strlen(name));
                return nvct_error_make(
                        err, 0, "unknown device name strategy %s (index, uuid or type-index)",
                        q ? q : "?");
        }
        *ret_bit = bit;
        return 0;
}

static const struct {
        const char *name;
        unsigned bit;
} hook_names[] = {
        { "create-symlinks", NVCT_CDIGEN_HOOK_CREATE_SYMLINKS },
        { "update-ldcache", NVCT_CDIGEN_HOOK_UPDATE_LDCACHE },
        { "enable-cuda-compat", NVCT_CDIGEN_HOOK_ENABLE_CUDA_COMPAT },
        { "disable-device-node-modification", NVCT_CDIGEN_HOOK_DISABLE_DEVICE_NODE_MODIFICATION },
        { "chmod", NVCT_CDIGEN_HOOK_CHMOD },
        { "update-application-profile", NVCT_CDIGEN_HOOK_UPDATE_APPLICATION_PROFILE },
        { "create-soname-symlinks", NVCT_CDIGEN_HOOK_CREATE_SONAME_SYMLINKS },
};

int nvct_cdigen_hook_parse(const char *name, bool all_ok, unsigned *ret_bits, nvct_error **err) {
        if (all_ok && strcmp(name, "all") == 0) {
                *ret_bits = NVCT_CDIGEN_HOOK_ALL;
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(hook_names); i++)
                if (strcmp(name, hook_names[i].name) == 0) {
                        *ret_bits = hook_names[i].bit;
                        return 0;
                }
        _cleanup_free_ char *q = nvct_quote(name, strlen(name));
        return nvct_error_make(err, 0,
                               "unknown hook %s (create-symlinks, update-ldcache, "
                               "enable-cuda-compat, disable-device-node-modification, chmod, "
                               "update-application-profile, create-soname-symlinks%s)",
                               nvct_quoted(q), all_ok ? " or all" : "");
}

int nvct_cdigen_mode_parse(const char *name, nvct_cdigen_mode *ret_mode, nvct_error **err) {
        if (strcmp(name, "nvml") == 0 || strcmp(name, "auto") == 0)
                *ret_mode = NVCT_CDIGEN_MODE_NVML;
        else if (strcmp(name, "management") == 0)
                *ret_mode = NVCT_CDIGEN_MODE_MANAGEMENT;
        else {
                _cleanup_free_ char *q = nvct_quote(name, strlen(name));
                return nvct_error_make(err, 0,
                                       "unknown discovery mode %s (auto, nvml or management; "
                                       "nvct has no csv or wsl mode)",
                                       nvct_quoted(q));
        }
        return 0;
}

char *cdigen_dir_of(const char *path) {
        const char *slash = strrchr(path, '/');
        if (slash == NULL || slash == path)
                return strdup("/");
        return nvct_memdup0(path, (size_t)(slash - path));
}

int cdigen_add_unique(nvct_strv *list, char *s, nvct_error **err) {
        if (s != NULL && nvct_strv_contains(list, s)) {
                free(s);
                return 0;
        }
        if (nvct_strv_push(list, s) < 0)
                return CDIGEN_OOM(err);
        return 0;
}

/* The project's keyed hash (basic/hash.h) of the last 24 bytes, plus the
 * length: the paths share long prefixes, and their ends tell them apart. */
static size_t str_hash(const char *s) {
        size_t len = strlen(s), tail = len > 24 ? 24 : len;
        return (size_t)nvct_hash(s + len - tail, tail) + len;
}

static void uniq_put(cdigen_uniq *u, const char *s) {
        size_t i = str_hash(s) & u->mask;
        while (u->slots[i] != NULL)
                i = (i + 1) & u->mask;
        u->slots[i] = s;
}

bool cdigen_uniq_has(const cdigen_uniq *u, const char *s) {
        if (u->slots == NULL)
                return false;
        for (size_t i = str_hash(s) & u->mask; u->slots[i] != NULL; i = (i + 1) & u->mask)
                if (strcmp(u->slots[i], s) == 0)
                        return true;
        return false;
}

int cdigen_uniq_add(cdigen_uniq *u, char *s, nvct_error **err) {
        if (s == NULL)
                return CDIGEN_OOM(err);
        if (cdigen_uniq_has(u, s)) {
                free(s);
                return 0;
        }
        /* At most half full: grown (and every string put again) first. */
        size_t n = u->slots != NULL ? u->mask + 1 : 0;
        if (2 * (u->list.n + 1) > n) {
                size_t want = n ? 2 * n : 64;
                const char **slots = calloc(want, sizeof(*slots));
                if (slots == NULL) {
                        free(s);
                        return CDIGEN_OOM(err);
                }
                free(u->slots);
                u->slots = slots;
                u->mask = want - 1;
                for (size_t i = 0; i < u->list.n; i++)
                        uniq_put(u, u->list.v[i]);
        }
        if (nvct_strv_push(&u->list, s) < 0) {
                u->list.failed = false; /* s is freed; the list is as it was */
                return CDIGEN_OOM(err);
        }
        uniq_put(u, s);
        return 0;
}

void cdigen_uniq_clear(cdigen_uniq *u) {
        nvct_strv_clear(&u->list);
        free(u->slots);
        *u = (cdigen_uniq){ 0 };
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void cdigen_sort(nvct_strv *list) {
        if (list->n > 1)
                qsort(list->v, list->n, sizeof(*list->v), cmp_str);
}

static void host_clear(cdigen_host *h) {
        nvct_driver_root_clear(&h->own);
        free(h->dev_prefix);
        cdigen_uniq_clear(&h->mounted);
        cdigen_uniq_clear(&h->links);
        cdigen_uniq_clear(&h->folders);
        nvct_strv_clear(&h->driver_dirs);
        cdigen_uniq_clear(&h->found);
        cdigen_uniq_clear(&h->absent);
}

/* "/a/b/" -> "/a/b", "/" -> "": a prefix to put in front of absolute paths. */
static int root_prefix(const char *root, const char *what, char **ret, nvct_error **err) {
        if (root == NULL || root[0] != '/') {
                _cleanup_free_ char *q = nvct_quote(root ? root : "", root ? strlen(root) : 0);
                return nvct_error_make(err, 0, "%s must be an absolute path, not %s", what,
                                       q ? q : "?");
        }
        size_t len = strlen(root);
        while (len > 0 && root[len - 1] == '/')
                len--;
        char *p = nvct_memdup0(root, len);
        if (p == NULL)
                return CDIGEN_OOM(err);
        *ret = p;
        return 0;
}

int cdigen_add_mount(cdigen_host *h, nvct_cdi_edits *edits, const char *host_path_in_root,
                     const char *container_path, const char *const *extra, nvct_error **err) {
        if (cdigen_uniq_has(&h->mounted, container_path))
                return 0;
        _cleanup_free_ char *host_path = nvct_driver_root_host_path(h->root, host_path_in_root);
        if (host_path == NULL)
                return CDIGEN_OOM(err);
        const char *options[ARRAY_SIZE(mount_options) + MAX_EXTRA_OPTIONS];
        size_t n = 0;
        for (const char *const *o = mount_options; *o != NULL; o++)
                options[n++] = *o;
        for (const char *const *o = extra; o != NULL && *o != NULL && n + 1 < ARRAY_SIZE(options);
             o++)
                options[n++] = *o;
        options[n] = NULL;
        if (nvct_cdi_edits_add_mount(edits, host_path, container_path, options, err) < 0)
                return -1;
        return cdigen_uniq_add(&h->mounted, strdup(container_path), err);
}

/* A device node under the dev root, with its real type and numbers, and,
 * when it is not world read-write, its mode, owner and group: the runtime
 * makes the container's node so, and the group reaches a non-root process
 * through the device's additionalGids. -ENOENT when absent (or not a
 * device). */
static int device_node(const cdigen_host *h, const char *path, nvct_cdi_device_node *node,
                       char **ret_host_path) {
        _cleanup_free_ char *host_path = nvct_strjoin3(h->dev_prefix, path, NULL);
        if (host_path == NULL)
                return -ENOMEM;
        struct stat st;
        if (stat(host_path, &st) < 0)
                return -errno;
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return -ENOENT;
        *node = (nvct_cdi_device_node){
                .path = (char *)path,
                .host_path = h->dev_prefix[0] ? host_path : NULL,
                .type = S_ISCHR(st.st_mode) ? "c" : "b",
                .has_major_minor = true,
                .major = major(st.st_rdev),
                .minor = minor(st.st_rdev),
        };
        if ((st.st_mode & 0006) != 0006) {
                node->has_file_mode = true;
                node->file_mode = st.st_mode & 07777;
                node->permissions = (char *)"rwm";
                /* The owner too: a runtime makes a node without one owned
                 * by the container's user, who could then open it whatever
                 * its group. */
                node->has_uid = true;
                node->uid = st.st_uid;
                node->has_gid = true;
                node->gid = st.st_gid;
        }
        *ret_host_path = TAKE_PTR(host_path);
        return 0;
}

static bool has_node(const nvct_cdi_edits *edits, const char *path) {
        for (size_t i = 0; i < edits->n_device_nodes; i++)
                if (strcmp(edits->device_nodes[i].path, path) == 0)
                        return true;
        return false;
}

int cdigen_add_node(const cdigen_host *h, nvct_cdi_edits *edits, const char *path, bool required,
                    nvct_error **err) {
        nvct_cdi_device_node node;
        _cleanup_free_ char *host_path = NULL;
        int r = device_node(h, path, &node, &host_path);
        if (r == -ENOMEM)
                return CDIGEN_OOM(err);
        if (r < 0) {
                _cleanup_free_ char *shown = nvct_strjoin3(h->dev_prefix, path, NULL);
                _cleanup_free_ char *q = shown ? nvct_quote_path(shown) : NULL;
                if (required)
                        return nvct_error_make(err, -r, "device node %s", nvct_quoted(q));
                nvct_warnf(h->opt->warn, h->opt->userdata, "no device node %s: left out",
                           nvct_quoted(q));
                return 0;
        }
        if (has_node(edits, path))
                return 0;
        return nvct_cdi_edits_add_device_node(edits, &node, err);
}

int cdigen_add_node_gids(nvct_cdi_edits *edits, nvct_error **err) {
        for (size_t i = 0; i < edits->n_device_nodes; i++) {
                const nvct_cdi_device_node *n = &edits->device_nodes[i];
                /* Group 0 is ignored by CDI; root needs no group to open it. */
                if (!n->has_gid || n->gid == 0)
                        continue;
                bool seen = false;
                for (size_t j = 0; j < edits->n_additional_gids && !seen; j++)
                        seen = edits->additional_gids[j] == n->gid;
                if (seen)
                        continue;
                uint32_t *v = realloc(edits->additional_gids,
                                      (edits->n_additional_gids + 1) * sizeof(*v));
                if (v == NULL)
                        return CDIGEN_OOM(err);
                v[edits->n_additional_gids++] = n->gid;
                edits->additional_gids = v;
        }
        return 0;
}

int cdigen_add_hook(const cdigen_host *h, nvct_cdi_edits *edits, unsigned hook, const char *name,
                    const char *const *args, const char *flag, const nvct_strv *values,
                    nvct_error **err) {
        if (!(h->hooks & hook))
                return 0;
        nvct_strv argv = { 0 };
        nvct_strv_add(&argv, h->hook_cli);
        /* nvidia-ctk runs the hooks as `nvidia-ctk hook NAME`, as NVIDIA's
         * generator writes them for that program. */
        if (strcmp(h->hook_cli, "nvidia-ctk") == 0)
                nvct_strv_add(&argv, "hook");
        nvct_strv_add(&argv, name);
        for (const char *const *a = args; a != NULL && *a != NULL; a++)
                nvct_strv_add(&argv, *a);
        for (size_t i = 0; values != NULL && i < values->n; i++) {
                nvct_strv_add(&argv, flag);
                nvct_strv_add(&argv, values->v[i]);
        }
        int r = argv.failed ? CDIGEN_OOM(err)
                            : nvct_cdi_edits_add_hook(edits, "createContainer", h->opt->hook_path,
                                                      (const char *const *)argv.v, hook_env, err);
        nvct_strv_clear(&argv);
        if (r < 0)
                return r;
        /* Any cdiVersion has a hook's timeout: the spec's version stays. */
        edits->hooks[edits->n_hooks - 1].has_timeout = true;
        edits->hooks[edits->n_hooks - 1].timeout = HOOK_TIMEOUT_S;
        return 0;
}

static int host_open(cdigen_host *h, const nvct_cdigen_options *opt, nvct_error **err) {
        *h = (cdigen_host){ .opt = opt, .own = { .fd = -1 } };
        h->root = &h->own;
        unsigned defaults = NVCT_CDIGEN_HOOK_ALL & ~(unsigned)NVCT_CDIGEN_HOOK_DEFAULT_OFF;
        h->hooks = (defaults & ~opt->disabled_hooks) | opt->enabled_hooks;
        if (opt->hook_path != NULL) {
                const char *slash = strrchr(opt->hook_path, '/');
                h->hook_cli = slash != NULL ? slash + 1 : opt->hook_path;
        }
        _cleanup_free_ char *driver_prefix = NULL;
        if (root_prefix(opt->driver_root, "--driver-root", &driver_prefix, err) < 0)
                return -1;
        if (root_prefix(opt->dev_root ? opt->dev_root : opt->driver_root, "--dev-root",
                        &h->dev_prefix, err) < 0)
                return -1;
        for (const char *const *p = opt->library_search_paths; p != NULL && *p != NULL; p++) {
                if ((*p)[0] != '/') {
                        _cleanup_free_ char *q = nvct_quote(*p, strlen(*p));
                        return nvct_error_make(err, 0,
                                               "--library-search-path must be absolute (a path "
                                               "in the driver root), not %s",
                                               q ? q : "?");
                }
        }
        if (opt->root != NULL) {
                h->root = opt->root;
                return 0;
        }
        if (nvct_driver_root_open(opt->driver_root, opt->library_search_paths, &h->own, err) < 0)
                return -1;
        h->own.warn = opt->warn;
        h->own.userdata = opt->userdata;
        return 0;
}

static int find_nvml(cdigen_host *h, char **ret_path, nvct_error **err) {
        const char *soname = "libnvidia-ml.so.1";
        _cleanup_free_ char *found = NULL;
        int r = nvct_driver_root_find_soname(h->root, soname, &found, err);
        if (r == 0) {
                *ret_path = nvct_driver_root_host_path(h->root, found);
                return *ret_path ? 0 : nvct_error_make(err, ENOMEM, "out of memory");
        }
        if (r != -ENOENT)
                return -1;
        _cleanup_free_ char *cache = nvct_strjoin3(h->root->prefix, "/etc/ld.so.cache", NULL);
        _cleanup_free_ char *cache_q = cache ? nvct_quote_path(cache) : NULL;
        _cleanup_free_ char *root_q = nvct_quote_path(h->opt->driver_root);
        return nvct_error_make(err, 0,
                               "%s is neither in %s nor in the library directories of driver "
                               "root %s: is the NVIDIA driver installed there?",
                               soname, nvct_quoted(cache_q), nvct_quoted(root_q));
}

static int add_common_edits(cdigen_host *h, nvct_cdi_spec *spec, nvct_error **err) {
        nvct_cdi_edits *edits = &spec->edits;
        static const char *const control_nodes[] = {
                "/dev/nvidiactl",
                "/dev/nvidia-uvm",
                "/dev/nvidia-uvm-tools",
                "/dev/nvidia-modeset",
        };
        if (nvct_cdi_edits_add_env(edits, "NVIDIA_VISIBLE_DEVICES=void", err) < 0)
                return -1;
        /* In management mode the "all" device has every node already. */
        for (size_t i = 0; h->opt->mode == NVCT_CDIGEN_MODE_NVML && i < ARRAY_SIZE(control_nodes);
             i++)
                if (cdigen_add_node(h, edits, control_nodes[i], i == 0, err) < 0)
                        return -1;
        if (cdigen_add_node_gids(edits, err) < 0 || cdigen_add_driver_files(h, edits, err) < 0)
                return -1;
        if (h->opt->mode == NVCT_CDIGEN_MODE_NVML && cdigen_add_graphics(h, edits, err) < 0)
                return -1;
        return cdigen_add_common_hooks(h, edits, err);
}

static int check_paths(const nvct_cdigen_options *opt, nvct_error **err) {
        if (opt->hook_path == NULL || opt->hook_path[0] != '/')
                return nvct_error_make(err, 0, "--nvidia-cdi-hook-path must be an absolute path");
        if (opt->ldconfig_path == NULL || opt->ldconfig_path[0] != '/')
                return nvct_error_make(err, 0, "--ldconfig-path must be an absolute path");
        return 0;
}

int nvct_cdigen_generate(const nvct_cdigen_options *opt, nvct_cdi_spec *ret_spec,
                         nvct_nvml_info *ret_info, nvct_error **err) {
        cdigen_host h;
        nvct_nvml_info info = { 0 };
        nvct_cdi_spec spec = { 0 };
        _cleanup_free_ char *nvml_path = NULL, *version = NULL;
        int r = -1;

        if (check_paths(opt, err) < 0)
                return -1;
        if (host_open(&h, opt, err) < 0)
                goto out;
        if (asprintf(&spec.kind, "%s/%s", opt->vendor, opt->class_name) < 0) {
                spec.kind = NULL;
                nvct_error_make(err, ENOMEM, "out of memory");
                goto out;
        }
        if (nvct_cdi_validate_kind(spec.kind, err) < 0)
                goto out;
        if (opt->mode == NVCT_CDIGEN_MODE_MANAGEMENT && opt->device_ids != NULL) {
                /* Its one device holds every node: there is nothing to pick. */
                nvct_error_make(err, 0, "--device-id does not apply to management mode");
                goto out;
        }
        if (opt->mode == NVCT_CDIGEN_MODE_MANAGEMENT) {
                if (cdigen_driver_version_from_files(&h, &version, err) < 0)
                        goto out;
                h.driver_version = version;
                if (cdigen_add_management_device(&h, &spec, err) < 0)
                        goto out;
        } else {
                const nvct_nvml_info *nvml = opt->nvml_info;
                if (nvml == NULL) {
                        if (find_nvml(&h, &nvml_path, err) < 0 ||
                            nvct_nvml_query(nvml_path, &info, err) < 0)
                                goto out;
                        nvml = &info;
                }
                if (nvml->n_gpus == 0) {
                        _cleanup_free_ char *path_q =
                                nvct_quote_path(nvml_path ? nvml_path : "NVML");
                        _cleanup_free_ char *version_q =
                                nvct_quote(nvml->driver_version, strlen(nvml->driver_version));
                        nvct_error_make(err, 0,
                                        "NVML (%s, driver %s) found no GPU: no spec to write",
                                        nvct_quoted(path_q), nvct_quoted(version_q));
                        goto out;
                }
                h.driver_version = nvml->driver_version;
                if (cdigen_add_gpu_devices(&h, &spec, nvml, err) < 0)
                        goto out;
        }
        r = add_common_edits(&h, &spec, err);
        if (r < 0)
                goto out;

        *ret_spec = spec;
        spec = (nvct_cdi_spec){ 0 };
        if (ret_info != NULL && opt->nvml_info == NULL) {
                *ret_info = info;
                info = (nvct_nvml_info){ 0 };
        }
out:
        nvct_cdi_spec_clear(&spec);
        nvct_nvml_info_clear(&info);
        host_clear(&h);
        return r < 0 ? -1 : 0;
}

static int query_nvml(const nvct_cdigen_options *opt, nvct_nvml_info *ret_info, nvct_error **err) {
        cdigen_host h;
        _cleanup_free_ char *nvml_path = NULL;
        int r = host_open(&h, opt, err);
        if (r == 0)
                r = find_nvml(&h, &nvml_path, err);
        if (r == 0)
                r = nvct_nvml_query(nvml_path, ret_info, err);
        host_clear(&h);
        return r < 0 ? -1 : 0;
}

int nvct_cdigen_query_nvml(const char *driver_root, nvct_nvml_info *ret_info, nvct_error **err) {
        const nvct_cdigen_options opt = { .driver_root = driver_root };
        return query_nvml(&opt, ret_info, err);
}

int nvct_cdigen_query_nvml_root(const nvct_driver_root *root, nvct_nvml_info *ret_info,
                                nvct_error **err) {
        const nvct_cdigen_options opt = { .driver_root = root->path, .root = root };
        return query_nvml(&opt, ret_info, err);
}
