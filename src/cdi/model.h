/* SPDX-License-Identifier: Apache-2.0 */
/* The in-memory model of a CDI spec (../shared/cdi/SPEC.md) and its
 * builders. */
#ifndef NVCT_CDI_MODEL_H
#define NVCT_CDI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"

typedef struct nvct_cdi_device_node {
        char *path;      /* in the container */
        char *host_path; /* NULL when the same as path */
        char *type;      /* "c", "b" or NULL */
        bool has_major_minor;
        int64_t major, minor;
        bool has_file_mode;
        uint32_t file_mode;
        char *permissions; /* NULL: unset */
        bool has_uid, has_gid;
        uint32_t uid, gid;
} nvct_cdi_device_node;

typedef struct nvct_cdi_mount {
        char *host_path;
        char *container_path;
        char *type; /* NULL: unset */
        char **options;
        size_t n_options;
} nvct_cdi_mount;

typedef struct nvct_cdi_hook {
        char *hook_name; /* "createContainer", ... */
        char *path;
        char **args;
        size_t n_args;
        char **env; /* written even when empty: hooks never inherit an env */
        size_t n_env;
        bool has_timeout;
        int64_t timeout;
} nvct_cdi_hook;

typedef struct nvct_cdi_edits {
        char **env;
        size_t n_env;
        nvct_cdi_device_node *device_nodes;
        size_t n_device_nodes;
        nvct_cdi_mount *mounts;
        size_t n_mounts;
        nvct_cdi_hook *hooks;
        size_t n_hooks;
        uint32_t *additional_gids;
        size_t n_additional_gids;
} nvct_cdi_edits;

/* A spec's or a device's annotations (cdiVersion 0.6.0): a map of strings,
 * kept in the order added or read. */
typedef struct nvct_cdi_annotation {
        char *key;
        char *value;
} nvct_cdi_annotation;

typedef struct nvct_cdi_device {
        char *name;
        nvct_cdi_edits edits;
        nvct_cdi_annotation *annotations;
        size_t n_annotations;
} nvct_cdi_device;

typedef struct nvct_cdi_spec {
        char *version; /* cdiVersion; NULL: nvct_cdi_spec_write uses the minimum */
        char *kind;    /* "nvidia.com/gpu" */
        nvct_cdi_device *devices;
        size_t n_devices;
        nvct_cdi_edits edits; /* the spec-wide containerEdits */
        nvct_cdi_annotation *annotations;
        size_t n_annotations;
} nvct_cdi_spec;

/* Builders: each copies its string arguments (NULL-terminated argv-like
 * arrays for args/env/options) and fails only on allocation. */
int nvct_cdi_edits_add_env(nvct_cdi_edits *edits, const char *entry, nvct_error **err);
int nvct_cdi_edits_add_device_node(nvct_cdi_edits *edits, const nvct_cdi_device_node *node,
                                   nvct_error **err);
int nvct_cdi_edits_add_mount(nvct_cdi_edits *edits, const char *host_path,
                             const char *container_path, const char *const *options,
                             nvct_error **err);
int nvct_cdi_edits_add_hook(nvct_cdi_edits *edits, const char *hook_name, const char *path,
                            const char *const *args, const char *const *env, nvct_error **err);
/* Appends every edit of `from` to `to` (deep copies). */
int nvct_cdi_edits_append(nvct_cdi_edits *to, const nvct_cdi_edits *from, nvct_error **err);
/* Adds a device; *ret_device (optional) points at it until the next add. */
int nvct_cdi_spec_add_device(nvct_cdi_spec *spec, const char *name, nvct_cdi_device **ret_device,
                             nvct_error **err);
/* Sets annotation `key` of a spec or a device (&spec->annotations,
 * &spec->n_annotations), replacing the value of a key already there. */
int nvct_cdi_annotations_set(nvct_cdi_annotation **annotations, size_t *n_annotations,
                             const char *key, const char *value, nvct_error **err);
void nvct_cdi_edits_clear(nvct_cdi_edits *edits);
void nvct_cdi_spec_clear(nvct_cdi_spec *spec);
/* Whether two specs hold the same content (tests, the fuzzer's round trip). */
bool nvct_cdi_spec_equal(const nvct_cdi_spec *a, const nvct_cdi_spec *b);

#endif
