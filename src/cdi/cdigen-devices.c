/* SPDX-License-Identifier: Apache-2.0 */
/* The devices of a spec: one per GPU and MIG device and per name strategy,
 * each with its device nodes (the GPU's, its DRM nodes; a MIG device's
 * capability nodes from the driver's mig-minors table), restricted to the
 * --device-id selection, and the "all" device holding their union. In
 * management mode, one "all" device with every NVIDIA node of the dev
 * root, without NVML. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdigen-internal.h"
#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "driver/libscan.h"

#define MIG_MINORS_PATH "/proc/driver/nvidia-caps/mig-minors"
#define MIG_MINORS_MAX_SIZE (4u << 20)
/* Nodes a management device may hold: a real host has a few dozen. */
#define MANAGEMENT_MAX_NODES 4096

static char *join(const char *prefix, const char *path) {
        return nvct_strjoin3(prefix, path, NULL);
}

typedef cdigen_host host;

/* mig-minors: "gpu<minor>/gi<id>/access <cap minor>" and
 * "gpu<minor>/gi<id>/ci<id>/access <cap minor>". *ret_text is NULL when
 * no such file exists. */
static int load_mig_minors(const host *h, char **ret_text, nvct_error **err) {
        const char *prefixes[] = { h->dev_prefix, h->root->prefix, "" };
        for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
                _cleanup_free_ char *path = join(prefixes[i], MIG_MINORS_PATH);
                if (path == NULL)
                        return CDIGEN_OOM(err);
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

/* --device-id: whether a GPU or MIG device is named (by index, "0" or
 * "0:1", or UUID, case-insensitive as NVML's are compared); *used marks
 * the ids that named something. NULL ids: everything. */
static bool id_selected(const char *const *ids, bool *used, const char *index_name,
                        const char *uuid) {
        if (ids == NULL)
                return true;
        bool hit = false;
        for (size_t i = 0; ids[i] != NULL; i++) {
                if (strcmp(ids[i], "all") == 0 || strcmp(ids[i], index_name) == 0 ||
                    strcasecmp(ids[i], uuid) == 0) {
                        hit = true;
                        used[i] = true;
                }
        }
        return hit;
}

static bool hook_equal(const nvct_cdi_hook *a, const nvct_cdi_hook *b) {
        if (strcmp(a->hook_name, b->hook_name) != 0 || strcmp(a->path, b->path) != 0 ||
            a->n_args != b->n_args)
                return false;
        for (size_t i = 0; i < a->n_args; i++)
                if (strcmp(a->args[i], b->args[i]) != 0)
                        return false;
        return true;
}

/* The nodes and hooks of `from` that `to` lacks, appended to it: what the
 * `all` device gathers from each GPU and MIG device. */
static int add_missing_edits(nvct_cdi_edits *to, const nvct_cdi_edits *from, nvct_error **err) {
        for (size_t i = 0; i < from->n_device_nodes; i++) {
                bool have = false;
                for (size_t j = 0; j < to->n_device_nodes && !have; j++)
                        have = strcmp(to->device_nodes[j].path, from->device_nodes[i].path) == 0;
                if (!have && nvct_cdi_edits_add_device_node(to, &from->device_nodes[i], err) < 0)
                        return -1;
        }
        for (size_t i = 0; i < from->n_hooks; i++) {
                bool have = false;
                for (size_t j = 0; j < to->n_hooks && !have; j++)
                        have = hook_equal(&to->hooks[j], &from->hooks[i]);
                if (have)
                        continue;
                nvct_cdi_edits one = { .hooks = &from->hooks[i], .n_hooks = 1 };
                if (nvct_cdi_edits_append(to, &one, err) < 0)
                        return -1;
        }
        return 0;
}

/* Adds the devices for one GPU or MIG device: `edits` gains its groups,
 * and `all` its nodes and hooks. */
static int add_device(host *h, nvct_cdi_spec *spec, const char *index_name, const char *uuid,
                      const char *type_name, nvct_cdi_edits *edits, nvct_cdi_edits *all,
                      nvct_error **err) {
        unsigned strategies =
                h->opt->strategies ? h->opt->strategies : NVCT_CDI_NAME_INDEX | NVCT_CDI_NAME_UUID;
        if (cdigen_add_node_gids(edits, err) < 0 ||
            add_named_devices(spec, strategies, index_name, uuid, type_name, edits, err) < 0)
                return -1;
        return add_missing_edits(all, edits, err);
}

/* The MIG devices of one GPU: its node and the GPU and compute instances'
 * capability nodes each. */
static int add_mig_devices(host *h, nvct_cdi_spec *spec, const nvct_gpu_info *gpu,
                           const char *minors, bool *used, nvct_cdi_edits *all, nvct_error **err) {
        for (size_t m = 0; gpu->mig_enabled && m < gpu->n_migs; m++) {
                const nvct_mig_info *mig = &gpu->migs[m];
                char node_path[64], gi_path[64], ci_path[64], index_name[32], type_name[40];
                snprintf(index_name, sizeof(index_name), "%u:%u", gpu->index, mig->index);
                if (!id_selected(h->opt->device_ids, used, index_name, mig->uuid))
                        continue;
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
                snprintf(node_path, sizeof(node_path), "/dev/nvidia%u", gpu->minor);
                snprintf(gi_path, sizeof(gi_path), "/dev/nvidia-caps/nvidia-cap%ld", gi_minor);
                snprintf(ci_path, sizeof(ci_path), "/dev/nvidia-caps/nvidia-cap%ld", ci_minor);
                snprintf(type_name, sizeof(type_name), "mig%u:%u", gpu->index, mig->index);
                nvct_cdi_edits mig_edits = { 0 };
                int r = cdigen_add_node(h, &mig_edits, node_path, true, err);
                if (r == 0)
                        r = cdigen_add_node(h, &mig_edits, gi_path, true, err);
                if (r == 0)
                        r = cdigen_add_node(h, &mig_edits, ci_path, true, err);
                /* rootless podman with an old crun made /dev/nvidia-caps
                 * 0700 (crun#1047): NVIDIA's chmod hook, off unless enabled. */
                static const char *const chmod_args[] = { "--mode", "755", "--path",
                                                          "/dev/nvidia-caps", NULL };
                if (r == 0)
                        r = cdigen_add_hook(h, &mig_edits, NVCT_CDIGEN_HOOK_CHMOD, "chmod",
                                            chmod_args, NULL, NULL, err);
                if (r == 0)
                        r = add_device(h, spec, index_name, mig->uuid, type_name, &mig_edits, all,
                                       err);
                nvct_cdi_edits_clear(&mig_edits);
                if (r < 0)
                        return nvct_error_prefix(err, "MIG device %s", nvct_quoted(uuid_q));
        }
        return 0;
}

/* One full GPU: its node, its DRM nodes and their by-path links. */
static int add_gpu(host *h, nvct_cdi_spec *spec, const nvct_gpu_info *gpu, nvct_cdi_edits *all,
                   nvct_error **err) {
        char node_path[64], index_name[32], type_name[40];
        snprintf(node_path, sizeof(node_path), "/dev/nvidia%u", gpu->minor);
        snprintf(index_name, sizeof(index_name), "%u", gpu->index);
        snprintf(type_name, sizeof(type_name), "gpu%u", gpu->index);
        nvct_cdi_edits edits = { 0 };
        int r = cdigen_add_node(h, &edits, node_path, true, err);
        if (r == 0)
                r = cdigen_add_drm_nodes(h, &edits, gpu->pci_bus_id, err);
        if (r == 0)
                r = add_device(h, spec, index_name, gpu->uuid, type_name, &edits, all, err);
        nvct_cdi_edits_clear(&edits);
        if (r < 0) {
                _cleanup_free_ char *uuid_q = nvct_quote(gpu->uuid, strlen(gpu->uuid));
                return nvct_error_prefix(err, "GPU %u (%s)", gpu->index, nvct_quoted(uuid_q));
        }
        return 0;
}

/* Every --device-id named a device (or is "all" / "none"). */
static int check_ids(const char *const *ids, const bool *used, nvct_error **err) {
        for (size_t i = 0; ids != NULL && ids[i] != NULL; i++) {
                if (used[i] || strcmp(ids[i], "all") == 0 || strcmp(ids[i], "none") == 0)
                        continue;
                _cleanup_free_ char *q = nvct_quote(ids[i], strlen(ids[i]));
                return nvct_error_make(err, 0,
                                       "--device-id %s: no such GPU or MIG device (an index "
                                       "such as 0 or 0:1, a UUID, all or none)",
                                       nvct_quoted(q));
        }
        return 0;
}

static bool ids_none(const char *const *ids) {
        for (size_t i = 0; ids != NULL && ids[i] != NULL; i++)
                if (strcmp(ids[i], "none") == 0)
                        return true;
        return false;
}

static int add_all_device(host *h, nvct_cdi_spec *spec, const nvct_cdi_edits *all,
                          nvct_error **err) {
        /* NVIDIA's generator leaves "all" out with --device-id none too. */
        if (h->opt->no_all_device || ids_none(h->opt->device_ids) || spec->n_devices == 0)
                return 0;
        nvct_cdi_device *dev;
        if (nvct_cdi_spec_add_device(spec, "all", &dev, err) < 0 ||
            nvct_cdi_edits_append(&dev->edits, all, err) < 0)
                return -1;
        return cdigen_add_node_gids(&dev->edits, err);
}

int cdigen_add_gpu_devices(host *h, nvct_cdi_spec *spec, const nvct_nvml_info *info,
                           nvct_error **err) {
        const char *const *ids = h->opt->device_ids;
        size_t n_ids = 0;
        while (ids != NULL && ids[n_ids] != NULL)
                n_ids++;
        _cleanup_free_ bool *used = calloc(n_ids + 1, sizeof(*used));
        _cleanup_free_ char *minors = NULL;
        if (used == NULL)
                return CDIGEN_OOM(err);
        bool any_mig = false;
        for (size_t g = 0; g < info->n_gpus; g++)
                any_mig |= info->gpus[g].mig_enabled && info->gpus[g].n_migs > 0;
        if (any_mig && load_mig_minors(h, &minors, err) < 0)
                return -1;

        nvct_cdi_edits all = { 0 };
        int r = 0;
        for (size_t g = 0; r == 0 && g < info->n_gpus && !ids_none(ids); g++) {
                const nvct_gpu_info *gpu = &info->gpus[g];
                if (h->opt->gpu_selected != NULL && !h->opt->gpu_selected[g])
                        continue;
                char index_name[32];
                snprintf(index_name, sizeof(index_name), "%u", gpu->index);
                if (id_selected(ids, used, index_name, gpu->uuid))
                        r = add_gpu(h, spec, gpu, &all, err);
                if (r == 0)
                        r = add_mig_devices(h, spec, gpu, minors, used, &all, err);
        }
        if (r == 0)
                r = check_ids(ids, used, err);
        if (r == 0)
                r = add_all_device(h, spec, &all, err);
        nvct_cdi_edits_clear(&all);
        return r;
}

/* A node name management mode takes from /dev: nvidia*, but not the
 * nodes of other drivers that share the prefix (nvidia-fs, the NVSwitch
 * and NVLink ones), as NVIDIA's generator leaves them out. */
static bool management_name(const char *name) {
        static const char *const blocked[] = { "nvidia-fs", "nvidia-nvswitch", "nvidia-nvlink" };
        if (strncmp(name, "nvidia", 6) != 0)
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(blocked); i++)
                if (strncmp(name, blocked[i], strlen(blocked[i])) == 0)
                        return false;
        return true;
}

/* The names in dev root folder `dir` that `keep` takes, sorted. */
static int dev_names(const host *h, const char *dir, bool (*keep)(const char *), nvct_strv *names,
                     nvct_error **err) {
        _cleanup_free_ char *path = join(h->dev_prefix, dir);
        if (path == NULL)
                return CDIGEN_OOM(err);
        DIR *d = opendir(path);
        if (d == NULL)
                return 0;
        struct dirent *de;
        int r = 0;
        while (r == 0 && (de = readdir(d)) != NULL) {
                if (!keep(de->d_name))
                        continue;
                if (names->n >= MANAGEMENT_MAX_NODES) {
                        _cleanup_free_ char *q = nvct_quote_path(path);
                        r = nvct_error_make(err, 0, "%s: more than %d NVIDIA nodes", nvct_quoted(q),
                                            MANAGEMENT_MAX_NODES);
                } else if (nvct_strv_pushf(names, "%s/%s", dir, de->d_name) < 0)
                        r = CDIGEN_OOM(err);
        }
        closedir(d);
        cdigen_sort(names);
        return r;
}

static bool cap_name(const char *name) {
        return strncmp(name, "nvidia-cap", 10) == 0;
}

int cdigen_add_management_device(host *h, nvct_cdi_spec *spec, nvct_error **err) {
        nvct_strv names = { 0 };
        int r = dev_names(h, "/dev", management_name, &names, err);
        if (r == 0)
                r = dev_names(h, "/dev/nvidia-caps", cap_name, &names, err);
        nvct_cdi_device *dev = NULL;
        if (r == 0)
                r = nvct_cdi_spec_add_device(spec, "all", &dev, err);
        /* Anything that is not a device node (the nvidia-caps folder) is
         * skipped quietly: the names are a pattern's matches. */
        for (size_t i = 0; r == 0 && i < names.n; i++) {
                _cleanup_free_ char *host_path = join(h->dev_prefix, names.v[i]);
                struct stat st;
                if (host_path == NULL)
                        r = CDIGEN_OOM(err);
                else if (stat(host_path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
                        r = cdigen_add_node(h, &dev->edits, names.v[i], false, err);
        }
        nvct_strv_clear(&names);
        if (r < 0)
                return -1;
        if (dev->edits.n_device_nodes == 0) {
                _cleanup_free_ char *shown = join(h->dev_prefix, "/dev");
                _cleanup_free_ char *q = shown ? nvct_quote_path(shown) : NULL;
                return nvct_error_make(err, 0, "management mode: no NVIDIA device node in %s",
                                       nvct_quoted(q));
        }
        return cdigen_add_node_gids(&dev->edits, err);
}

int cdigen_driver_version_from_files(host *h, char **ret_version, nvct_error **err) {
        static const char *const sonames[] = { "libcuda.so.1", "libnvidia-ml.so.1" };
        for (size_t i = 0; i < ARRAY_SIZE(sonames); i++) {
                _cleanup_free_ char *found = NULL;
                int r = nvct_driver_root_find_soname(h->root, sonames[i], &found, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return -1;
                /* libcuda.so.550.54.15: the part after "libcuda.so.". */
                const char *slash = strrchr(found, '/');
                const char *base = slash != NULL ? slash + 1 : found;
                size_t stem = strlen(sonames[i]) - 1;
                if (strncmp(base, sonames[i], stem) != 0 || base[stem] == '\0' ||
                    strchr(base + stem, '.') == NULL)
                        continue;
                char *v = strdup(base + stem);
                if (v == NULL)
                        return CDIGEN_OOM(err);
                *ret_version = v;
                return 0;
        }
        _cleanup_free_ char *q = nvct_quote_path(h->opt->driver_root);
        return nvct_error_make(err, 0,
                               "management mode: driver root %s has no libcuda.so.1 or "
                               "libnvidia-ml.so.1 resolving to a versioned file: is the NVIDIA "
                               "driver installed there?",
                               nvct_quoted(q));
}
