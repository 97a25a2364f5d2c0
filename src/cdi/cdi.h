/* SPDX-License-Identifier: Apache-2.0 */
/* Container Device Interface specs (../shared/cdi/SPEC.md): the in-memory
 * model, the minimum cdiVersion its content needs, writing it as JSON (yajl's
 * generator) or YAML (libyaml's emitter), and loading spec files back, JSON
 * or YAML, strictly (unknown fields, a version lower than the content needs,
 * bad kinds or device names are errors, as in the CDI reference loader). */
#ifndef NVCT_CDI_H
#define NVCT_CDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"

/* Largest spec file `nvct_cdi_spec_load` reads, and its deepest nesting. */
#define NVCT_CDI_MAX_FILE_SIZE (16u << 20)
#define NVCT_CDI_MAX_DEPTH 64

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

/* Checks: a kind "vendor/class" as the spec defines it (DNS-subdomain
 * vendor; class of alphanumerics, '-', '_', '.', at most 63 bytes, starting
 * and ending alphanumeric), and a device name (alphanumerics, '-', '_',
 * '.' and, as the reference allows for MIG names, ':'; starting and ending
 * alphanumeric). Errors quote the value. */
int nvct_cdi_validate_kind(const char *kind, nvct_error **err);
int nvct_cdi_validate_device_name(const char *name, nvct_error **err);

/* The lowest cdiVersion the content needs ("0.3.0", "0.4.0", "0.5.0",
 * "0.6.0", "0.7.0" or "1.1.0"), by the rules of SPEC.md's version table:
 * mount type 0.4.0; device node hostPath or a device name starting with a
 * digit 0.5.0; annotations or a '.' in the kind's class 0.6.0;
 * additionalGids / intelRdt 0.7.0; netDevices, intelRdt schemata or
 * enableMonitoring 1.1.0. The model holds no intelRdt or netDevices: those
 * rules apply when a spec is loaded. Static string. */
const char *nvct_cdi_minimum_version(const nvct_cdi_spec *spec);

typedef enum nvct_cdi_format {
        NVCT_CDI_JSON = 1,
        NVCT_CDI_YAML = 2,
} nvct_cdi_format;

/* "json" / "yaml" / "yml" (case-insensitive) to a format; -1 with an error
 * naming the value otherwise. */
int nvct_cdi_format_parse(const char *name, nvct_cdi_format *ret_format, nvct_error **err);

/* Serialises the spec: keys in the spec's order (cdiVersion, kind,
 * annotations, devices, containerEdits; inside edits: env, deviceNodes,
 * mounts, hooks, additionalGids), empty optional arrays left out except a
 * hook's env, a trailing newline. Output is a pure function of the model:
 * same spec, same bytes. The spec is first checked as the loader checks
 * one, so that what is written loads back: an error names the field. */
int nvct_cdi_spec_write(const nvct_cdi_spec *spec, nvct_cdi_format format, char **ret_data,
                        size_t *ret_len, nvct_error **err);

/* Loads a spec file: JSON when the name ends in ".json", YAML for ".yaml"
 * and ".yml" (anything else is an error). Bounded by NVCT_CDI_MAX_FILE_SIZE
 * and NVCT_CDI_MAX_DEPTH; YAML anchors/aliases and tags are refused. The
 * result is validated as the CDI reference does: required fields, known
 * fields only, cdiVersion a known version not lower than the content needs,
 * valid kind and device names, no duplicate device names, absolute hook
 * paths. intelRdt and netDevices are checked, count for the minimum
 * version, and are dropped. The error names the file and the field. */
int nvct_cdi_spec_load(const char *path, nvct_cdi_spec *ret_spec, nvct_error **err);
/* The same from memory (tests, fuzzer); `name` decides the format. */
int nvct_cdi_spec_parse(const char *data, size_t len, const char *name, nvct_cdi_spec *ret_spec,
                        nvct_error **err);

/* What `nvidia-ctk cdi list` shows: every device of every valid spec in
 * the directories, and every file that could not be used, with why. */
typedef struct nvct_cdi_listed_device {
        char *qualified_name; /* "nvidia.com/gpu=0" */
        char *spec_path;      /* the file that defines it */
} nvct_cdi_listed_device;

typedef struct nvct_cdi_list_problem {
        char *path;   /* the spec file (or directory), raw: quote it to show it */
        char *reason; /* one line, paths and values quoted: the load error, or the conflict */
} nvct_cdi_list_problem;

typedef struct nvct_cdi_listing {
        nvct_cdi_listed_device *devices; /* sorted by qualified name (bytes) */
        size_t n_devices;
        nvct_cdi_list_problem *problems; /* in the order found */
        size_t n_problems;
} nvct_cdi_listing;

/* Reads every *.json, *.yaml and *.yml regular file (others are ignored) of
 * each directory in `dirs` (NULL-terminated; a missing directory is skipped,
 * one that cannot be read is a problem), files in name order, as the CDI
 * reference's registry does: a device of a later directory replaces one of
 * the same qualified name from an earlier directory; two files of the same
 * directory defining the same qualified name are a conflict, reported as a
 * problem, and the device is left out. Fails only on allocation. */
int nvct_cdi_list(const char *const *dirs, nvct_cdi_listing *ret_listing, nvct_error **err);
void nvct_cdi_listing_clear(nvct_cdi_listing *listing);

#endif
