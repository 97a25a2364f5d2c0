/* SPDX-License-Identifier: Apache-2.0 */
/* What goes into a CDI spec for a host: devices named by strategy, their
 * device nodes from the dev root, the MIG capability nodes, and the edits
 * every device shares: the driver's files (where driver/root.h finds them
 * under the driver root) mounted read-only, and the hooks that recreate the
 * driver's links and the linker cache in the container. */
#define _GNU_SOURCE
#include "cdigen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "basic/cleanup.h"
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

#define MIG_MINORS_PATH "/proc/driver/nvidia-caps/mig-minors"
#define MIG_MINORS_MAX_SIZE (4u << 20)

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

/* Adds `s` (owned; freed when already there or on failure) to `list`
 * unless it holds it already. */
static int add_unique(nvct_strv *list, char *s, nvct_error **err) {
        if (s != NULL && nvct_strv_contains(list, s)) {
                free(s);
                return 0;
        }
        if (nvct_strv_push(list, s) < 0)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What the generator knows about the host while it builds the spec. */
typedef struct host {
        const nvct_cdigen_options *opt;
        const nvct_driver_root *root; /* &own, or the caller's */
        nvct_driver_root own;
        char *dev_prefix; /* the dev root without a trailing '/'; "" for "/" */
        const char *driver_version;
        nvct_strv mounted; /* container paths already mounted */
        nvct_strv links;   /* "TARGET::LINK" */
        nvct_strv folders; /* library folders, container paths */
} host;

static void host_clear(host *h) {
        nvct_driver_root_clear(&h->own);
        free(h->dev_prefix);
        nvct_strv_clear(&h->mounted);
        nvct_strv_clear(&h->links);
        nvct_strv_clear(&h->folders);
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
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        *ret = p;
        return 0;
}

/* a, b and c joined (c may be NULL); NULL on OOM. Cheaper than asprintf,
 * which a generation called for every file. */
static char *concat3(const char *a, const char *b, const char *c) {
        size_t la = strlen(a), lb = strlen(b), lc = c != NULL ? strlen(c) : 0;
        char *s = malloc(la + lb + lc + 1);
        if (s == NULL)
                return NULL;
        memcpy(s, a, la);
        memcpy(s + la, b, lb);
        memcpy(s + la + lb, c != NULL ? c : "", lc + 1);
        return s;
}

static char *join(const char *prefix, const char *path) {
        return concat3(prefix, path, NULL);
}

/* A message's text for prefix + path, quoted (never NULL). */
#define QUOTED_JOIN(var, prefix, path)                                                             \
        _cleanup_free_ char *var##_raw = join((prefix), (path));                                   \
        _cleanup_free_ char *var##_q = var##_raw ? nvct_quote_path(var##_raw) : NULL;              \
        const char *var = nvct_quoted(var##_q)

static int add_mount(host *h, nvct_cdi_edits *edits, const char *path, nvct_error **err) {
        if (nvct_strv_contains(&h->mounted, path))
                return 0;
        _cleanup_free_ char *host_path = nvct_driver_root_host_path(h->root, path);
        if (host_path == NULL)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        if (nvct_cdi_edits_add_mount(edits, host_path, path, mount_options, err) < 0)
                return -1;
        return add_unique(&h->mounted, strdup(path), err);
}

static char *dir_of(const char *path) {
        const char *slash = strrchr(path, '/');
        if (slash == NULL || slash == path)
                return strdup("/");
        return nvct_memdup0(path, (size_t)(slash - path));
}

/* Records a create-symlinks link for `dir/name` when the driver root has a
 * symlink there (the driver's own install made it). */
static int note_link(host *h, const char *dir, const char *name, nvct_error **err) {
        _cleanup_free_ char *target = NULL, *resolved = NULL;
        _cleanup_free_ char *inside = concat3(strcmp(dir, "/") == 0 ? "" : dir, "/", name);
        if (inside == NULL)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        int r = nvct_driver_root_read_link(h->root, inside, &target, &resolved, err);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return -1;
        /* "::" separates target and link in the hook's argument. */
        if (strstr(target, "::") != NULL) {
                QUOTED_JOIN(link_shown, h->root->prefix, inside);
                _cleanup_free_ char *target_q = nvct_quote_path(target);
                nvct_warnf(h->opt->warn, h->opt->userdata,
                           "%s points to %s: a target holding \"::\" cannot be passed to "
                           "create-symlinks; link left out",
                           link_shown, nvct_quoted(target_q));
                return 0;
        }
        /* The link is reproduced in the container only when it resolves to
         * a file mounted there, so that no dangling link is made. */
        if (resolved == NULL || !nvct_strv_contains(&h->mounted, resolved) ||
            strcmp(resolved, inside) == 0)
                return 0;
        char *link = concat3(target, "::", inside);
        if (link == NULL)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        return add_unique(&h->links, link, err);
}

/* Mounts `lib`.so.<driver version> and notes its links and its folder. */
static int add_library(host *h, nvct_cdi_edits *edits, const char *lib, nvct_error **err) {
        _cleanup_free_ char *found = NULL;
        int r = nvct_driver_root_find_library(h->root, lib, h->driver_version, &found, err);
        if (r == -ENOENT)
                return 0;
        if (r < 0 || add_mount(h, edits, found, err) < 0)
                return -1;
        _cleanup_free_ char *dir = dir_of(found);
        if (dir == NULL)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        /* The SONAME links the cache knows in that folder, and the
         * development link lib.so. */
        nvct_strv names = { 0 };
        r = nvct_driver_root_library_link_names(h->root, lib, &names, err);
        for (size_t i = 0; r == 0 && i < names.n; i++)
                r = note_link(h, dir, names.v[i], err);
        nvct_strv_clear(&names);
        if (r < 0)
                return -1;
        return add_unique(&h->folders, TAKE_PTR(dir), err);
}

static int add_binaries(host *h, nvct_cdi_edits *edits, nvct_error **err) {
        for (const char *const *b = nvct_driver_binaries; *b != NULL; b++) {
                _cleanup_free_ char *found = NULL;
                int r = nvct_driver_root_find_binary(h->root, *b, &found, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0 || add_mount(h, edits, found, err) < 0)
                        return -1;
        }
        return 0;
}

static int add_ipc(host *h, nvct_cdi_edits *edits, nvct_error **err) {
        nvct_strv paths = { 0 };
        int r = nvct_driver_root_find_ipc(h->root, &paths, err);
        for (size_t i = 0; r == 0 && i < paths.n; i++)
                r = add_mount(h, edits, paths.v[i], err);
        nvct_strv_clear(&paths);
        return r;
}

/* The GSP firmware, mounted where the kernel looks for it, whatever /lib
 * is in the driver root. */
static int add_firmware(host *h, nvct_cdi_edits *edits, nvct_error **err) {
        nvct_strv paths = { 0 }, resolved = { 0 };
        int r = nvct_driver_root_find_firmware(h->root, h->driver_version, &paths, &resolved, err);
        for (size_t i = 0; r == 0 && i < paths.n; i++) {
                if (nvct_strv_contains(&h->mounted, paths.v[i]))
                        continue;
                _cleanup_free_ char *host_path = nvct_driver_root_host_path(h->root, resolved.v[i]);
                if (host_path == NULL)
                        r = nvct_error_make(err, ENOMEM, "cannot build the spec");
                else if (nvct_cdi_edits_add_mount(edits, host_path, paths.v[i], mount_options,
                                                  err) < 0 ||
                         add_unique(&h->mounted, strdup(paths.v[i]), err) < 0)
                        r = -1;
        }
        nvct_strv_clear(&paths);
        nvct_strv_clear(&resolved);
        return r;
}

/* A device node under the dev root, with its real type and numbers.
 * -ENOENT when absent (or not a device). */
static int device_node(const host *h, const char *path, nvct_cdi_device_node *node,
                       char **ret_host_path) {
        _cleanup_free_ char *host_path = join(h->dev_prefix, path);
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
        *ret_host_path = TAKE_PTR(host_path);
        return 0;
}

static bool has_node(const nvct_cdi_edits *edits, const char *path) {
        for (size_t i = 0; i < edits->n_device_nodes; i++)
                if (strcmp(edits->device_nodes[i].path, path) == 0)
                        return true;
        return false;
}

static int add_node(const host *h, nvct_cdi_edits *edits, const char *path, bool required,
                    nvct_error **err) {
        nvct_cdi_device_node node;
        _cleanup_free_ char *host_path = NULL;
        int r = device_node(h, path, &node, &host_path);
        if (r == -ENOMEM)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        if (r < 0) {
                QUOTED_JOIN(shown, h->dev_prefix, path);
                if (required)
                        return nvct_error_make(err, -r, "device node %s", shown);
                nvct_warnf(h->opt->warn, h->opt->userdata, "no device node %s: left out", shown);
                return 0;
        }
        if (has_node(edits, path))
                return 0;
        return nvct_cdi_edits_add_device_node(edits, &node, err);
}

/* The nodes of `from` that `to` lacks, appended to it: what the `all`
 * device gathers from each GPU and MIG device. */
static int add_missing_nodes(nvct_cdi_edits *to, const nvct_cdi_edits *from, nvct_error **err) {
        for (size_t i = 0; i < from->n_device_nodes; i++)
                if (!has_node(to, from->device_nodes[i].path) &&
                    nvct_cdi_edits_add_device_node(to, &from->device_nodes[i], err) < 0)
                        return -1;
        return 0;
}

/* mig-minors: "gpu<minor>/gi<id>/access <cap minor>" and
 * "gpu<minor>/gi<id>/ci<id>/access <cap minor>". *ret_text is NULL when
 * no such file exists. */
static int load_mig_minors(const host *h, char **ret_text, nvct_error **err) {
        const char *prefixes[] = { h->dev_prefix, h->root->prefix, "" };
        for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
                _cleanup_free_ char *path = join(prefixes[i], MIG_MINORS_PATH);
                if (path == NULL)
                        return nvct_error_make(err, ENOMEM, "cannot build the spec");
                _cleanup_free_ char *text = NULL;
                size_t len;
                int r = nvct_read_regular(path, "MIG minors file", MIG_MINORS_MAX_SIZE, true, &text,
                                          &len, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return -1;
                *ret_text = TAKE_PTR(text);
                return 0;
        }
        *ret_text = NULL;
        return 0;
}

/* The capability minor of "gpu%u/gi%u[/ci%u]/access"; -1 when not listed. */
static long mig_minor(const char *minors, unsigned gpu_minor, unsigned gi, const unsigned *ci) {
        if (minors == NULL)
                return -1;
        char key[96];
        if (ci != NULL)
                snprintf(key, sizeof(key), "gpu%u/gi%u/ci%u/access ", gpu_minor, gi, *ci);
        else
                snprintf(key, sizeof(key), "gpu%u/gi%u/access ", gpu_minor, gi);
        size_t key_len = strlen(key);
        for (const char *line = minors; *line;) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);
                if (len > key_len && memcmp(line, key, key_len) == 0) {
                        char *stop;
                        errno = 0;
                        unsigned long v = strtoul(line + key_len, &stop, 10);
                        if (errno == 0 && stop != line + key_len && v <= INT32_MAX &&
                            (stop == line + len))
                                return (long)v;
                }
                line += len + (end ? 1 : 0);
        }
        return -1;
}

/* Adds one device per chosen name strategy, each with `edits`. */
static int add_named_devices(nvct_cdi_spec *spec, unsigned strategies, const char *index_name,
                             const char *uuid, const char *type_index_name,
                             const nvct_cdi_edits *edits, nvct_error **err) {
        const struct {
                unsigned bit;
                const char *name;
        } names[] = {
                { NVCT_CDI_NAME_INDEX, index_name },
                { NVCT_CDI_NAME_UUID, uuid },
                { NVCT_CDI_NAME_TYPE_INDEX, type_index_name },
        };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                if (!(strategies & names[i].bit))
                        continue;
                if (nvct_cdi_validate_device_name(names[i].name, err) < 0)
                        return -1;
                nvct_cdi_device *dev;
                if (nvct_cdi_spec_add_device(spec, names[i].name, &dev, err) < 0 ||
                    nvct_cdi_edits_append(&dev->edits, edits, err) < 0)
                        return -1;
        }
        return 0;
}

/* The MIG devices of one GPU: its node and the GPU and compute instances'
 * capability nodes each. */
static int add_mig_devices(host *h, nvct_cdi_spec *spec, const nvct_gpu_info *gpu,
                           const char *minors, unsigned strategies, nvct_cdi_edits *all,
                           nvct_error **err) {
        for (size_t m = 0; gpu->mig_enabled && m < gpu->n_migs; m++) {
                const nvct_mig_info *mig = &gpu->migs[m];
                /* The UUIDs are NVML's: quoted, as any text from a library. */
                _cleanup_free_ char *uuid_q = nvct_quote(mig->uuid, strlen(mig->uuid));
                long gi_minor = mig_minor(minors, gpu->minor, mig->gi_id, NULL);
                long ci_minor = mig_minor(minors, gpu->minor, mig->gi_id, &mig->ci_id);
                if (gi_minor < 0 || ci_minor < 0)
                        return nvct_error_make(err, 0,
                                               "MIG device %s (GPU %u, GI %u, CI %u): no "
                                               "capability minor in %s",
                                               nvct_quoted(uuid_q), gpu->index, mig->gi_id,
                                               mig->ci_id, MIG_MINORS_PATH);
                char node_path[64], gi_path[64], ci_path[64], index_name[32], type_name[40];
                snprintf(node_path, sizeof(node_path), "/dev/nvidia%u", gpu->minor);
                snprintf(gi_path, sizeof(gi_path), "/dev/nvidia-caps/nvidia-cap%ld", gi_minor);
                snprintf(ci_path, sizeof(ci_path), "/dev/nvidia-caps/nvidia-cap%ld", ci_minor);
                snprintf(index_name, sizeof(index_name), "%u:%u", gpu->index, mig->index);
                snprintf(type_name, sizeof(type_name), "mig%u:%u", gpu->index, mig->index);
                nvct_cdi_edits mig_edits = { 0 };
                int r = add_node(h, &mig_edits, node_path, true, err);
                if (r == 0)
                        r = add_node(h, &mig_edits, gi_path, true, err);
                if (r == 0)
                        r = add_node(h, &mig_edits, ci_path, true, err);
                if (r == 0)
                        r = add_named_devices(spec, strategies, index_name, mig->uuid, type_name,
                                              &mig_edits, err);
                if (r == 0)
                        r = add_missing_nodes(all, &mig_edits, err);
                nvct_cdi_edits_clear(&mig_edits);
                if (r < 0)
                        return nvct_error_prefix(err, "MIG device %s", nvct_quoted(uuid_q));
        }
        return 0;
}

static int add_gpu_devices(host *h, nvct_cdi_spec *spec, const nvct_nvml_info *info,
                           nvct_cdi_edits *all, nvct_error **err) {
        unsigned strategies =
                h->opt->strategies ? h->opt->strategies : NVCT_CDI_NAME_INDEX | NVCT_CDI_NAME_UUID;
        _cleanup_free_ char *minors = NULL;
        bool any_mig = false;
        for (size_t g = 0; g < info->n_gpus; g++)
                any_mig |= info->gpus[g].mig_enabled && info->gpus[g].n_migs > 0;
        if (any_mig && load_mig_minors(h, &minors, err) < 0)
                return -1;

        for (size_t g = 0; g < info->n_gpus; g++) {
                const nvct_gpu_info *gpu = &info->gpus[g];
                if (h->opt->gpu_selected != NULL && !h->opt->gpu_selected[g])
                        continue;
                char node_path[64], index_name[32], type_name[40];
                snprintf(node_path, sizeof(node_path), "/dev/nvidia%u", gpu->minor);
                snprintf(index_name, sizeof(index_name), "%u", gpu->index);
                snprintf(type_name, sizeof(type_name), "gpu%u", gpu->index);

                nvct_cdi_edits edits = { 0 };
                if (add_node(h, &edits, node_path, true, err) < 0) {
                        _cleanup_free_ char *uuid_q = nvct_quote(gpu->uuid, strlen(gpu->uuid));
                        nvct_error_prefix(err, "GPU %u (%s)", gpu->index, nvct_quoted(uuid_q));
                        nvct_cdi_edits_clear(&edits);
                        return -1;
                }
                int r = add_named_devices(spec, strategies, index_name, gpu->uuid, type_name,
                                          &edits, err);
                if (r == 0)
                        r = add_missing_nodes(all, &edits, err);
                nvct_cdi_edits_clear(&edits);
                if (r < 0 || add_mig_devices(h, spec, gpu, minors, strategies, all, err) < 0)
                        return -1;
        }
        return 0;
}

static int find_nvml(host *h, char **ret_path, nvct_error **err) {
        const char *soname = "libnvidia-ml.so.1";
        _cleanup_free_ char *found = NULL;
        int r = nvct_driver_root_find_soname(h->root, soname, &found, err);
        if (r == 0) {
                *ret_path = nvct_driver_root_host_path(h->root, found);
                return *ret_path ? 0 : nvct_error_make(err, ENOMEM, "out of memory");
        }
        if (r != -ENOENT)
                return -1;
        QUOTED_JOIN(cache, h->root->prefix, "/etc/ld.so.cache");
        _cleanup_free_ char *root_q = nvct_quote_path(h->opt->driver_root);
        return nvct_error_make(err, 0,
                               "%s is neither in %s nor in the library directories of driver "
                               "root %s: is the NVIDIA driver installed there?",
                               soname, cache, nvct_quoted(root_q));
}

static int host_open(host *h, const nvct_cdigen_options *opt, nvct_error **err) {
        *h = (host){ .opt = opt, .own = { .fd = -1 } };
        h->root = &h->own;
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

/* A createContainer hook running the hook program with `head` (NULL-
 * terminated), then `flag VALUE` for each of `values`. */
static int add_hook(const host *h, nvct_cdi_edits *edits, const char *const *head, const char *flag,
                    const nvct_strv *values, nvct_error **err) {
        nvct_strv args = { 0 };
        for (const char *const *a = head; *a != NULL; a++)
                nvct_strv_add(&args, *a);
        for (size_t i = 0; i < values->n; i++) {
                nvct_strv_add(&args, flag);
                nvct_strv_add(&args, values->v[i]);
        }
        int r = args.failed ? nvct_error_make(err, ENOMEM, "cannot build the spec")
                            : nvct_cdi_edits_add_hook(edits, "createContainer", h->opt->hook_path,
                                                      (const char *const *)args.v, hook_env, err);
        nvct_strv_clear(&args);
        if (r < 0)
                return r;
        /* Any cdiVersion has a hook's timeout: the spec's version stays. */
        edits->hooks[edits->n_hooks - 1].has_timeout = true;
        edits->hooks[edits->n_hooks - 1].timeout = HOOK_TIMEOUT_S;
        return 0;
}

static int add_common_edits(host *h, nvct_cdi_spec *spec, nvct_error **err) {
        nvct_cdi_edits *edits = &spec->edits;
        static const char *const control_nodes[] = {
                "/dev/nvidiactl",
                "/dev/nvidia-uvm",
                "/dev/nvidia-uvm-tools",
                "/dev/nvidia-modeset",
        };
        if (nvct_cdi_edits_add_env(edits, "NVIDIA_VISIBLE_DEVICES=void", err) < 0)
                return -1;
        for (size_t i = 0; i < ARRAY_SIZE(control_nodes); i++)
                if (add_node(h, edits, control_nodes[i], i == 0, err) < 0)
                        return -1;

        for (const char *const *lib = nvct_driver_libraries; *lib != NULL; lib++)
                if (add_library(h, edits, *lib, err) < 0)
                        return nvct_error_prefix(err, "library %s", *lib);
        if (add_binaries(h, edits, err) < 0 || add_ipc(h, edits, err) < 0 ||
            add_firmware(h, edits, err) < 0)
                return -1;

        /* Links sorted by link path, folders by name, so that the output
         * does not depend on the order the cache lists them in. */
        if (h->links.n > 0) {
                qsort(h->links.v, h->links.n, sizeof(*h->links.v), cmp_str);
                const char *const head[] = { "nvidia-cdi-hook", "create-symlinks", NULL };
                if (add_hook(h, edits, head, "--link", &h->links, err) < 0)
                        return -1;
        }
        if (h->folders.n > 0) {
                qsort(h->folders.v, h->folders.n, sizeof(*h->folders.v), cmp_str);
                const char *const head[] = { "nvidia-cdi-hook", "update-ldcache", "--ldconfig-path",
                                             h->opt->ldconfig_path, NULL };
                if (add_hook(h, edits, head, "--folder", &h->folders, err) < 0)
                        return -1;
        }
        return 0;
}

int nvct_cdigen_generate(const nvct_cdigen_options *opt, nvct_cdi_spec *ret_spec,
                         nvct_nvml_info *ret_info, nvct_error **err) {
        host h;
        nvct_nvml_info info = { 0 };
        nvct_cdi_spec spec = { 0 };
        _cleanup_free_ char *nvml_path = NULL;
        int r = -1;

        if (opt->hook_path == NULL || opt->hook_path[0] != '/') {
                nvct_error_make(err, 0, "--nvidia-cdi-hook-path must be an absolute path");
                return -1;
        }
        if (opt->ldconfig_path == NULL || opt->ldconfig_path[0] != '/') {
                nvct_error_make(err, 0, "--ldconfig-path must be an absolute path");
                return -1;
        }
        if (host_open(&h, opt, err) < 0)
                goto out;
        if (asprintf(&spec.kind, "%s/%s", opt->vendor, opt->class_name) < 0) {
                spec.kind = NULL;
                nvct_error_make(err, ENOMEM, "out of memory");
                goto out;
        }
        if (nvct_cdi_validate_kind(spec.kind, err) < 0)
                goto out;
        const nvct_nvml_info *nvml = opt->nvml_info;
        if (nvml == NULL) {
                if (find_nvml(&h, &nvml_path, err) < 0 ||
                    nvct_nvml_query(nvml_path, &info, err) < 0)
                        goto out;
                nvml = &info;
        }
        if (nvml->n_gpus == 0) {
                _cleanup_free_ char *path_q = nvct_quote_path(nvml_path ? nvml_path : "NVML");
                _cleanup_free_ char *version_q =
                        nvct_quote(nvml->driver_version, strlen(nvml->driver_version));
                nvct_error_make(err, 0, "NVML (%s, driver %s) found no GPU: no spec to write",
                                nvct_quoted(path_q), nvct_quoted(version_q));
                goto out;
        }
        h.driver_version = nvml->driver_version;

        nvct_cdi_edits all = { 0 };
        r = add_gpu_devices(&h, &spec, nvml, &all, err);
        if (r == 0) {
                nvct_cdi_device *dev;
                r = nvct_cdi_spec_add_device(&spec, "all", &dev, err);
                if (r == 0)
                        r = nvct_cdi_edits_append(&dev->edits, &all, err);
        }
        nvct_cdi_edits_clear(&all);
        if (r < 0)
                goto out;
        r = add_common_edits(&h, &spec, err);
        if (r < 0)
                goto out;

        *ret_spec = spec;
        spec = (nvct_cdi_spec){ 0 };
        if (ret_info != NULL && nvml == &info) {
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
        host h;
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
