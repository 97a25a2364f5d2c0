/* SPDX-License-Identifier: Apache-2.0 */
/* The toolkit's whole config.toml, table-driven: one table (nvct_config_keys)
 * names every key of every section that NVIDIA's current toolkit reads, with
 * its TOML path, type, defaults, the struct field it fills and a line of
 * documentation. The loader, `nvidia-ctk config` and the tests walk that
 * table; nothing else lists keys.
 *
 * Two programs read the file differently, so each key says which profiles
 * read it and has a default per profile:
 *   - NVCT_CONFIG_PROFILE_HOOK is the hook (nvidia-container-runtime-hook),
 *     whose 1.3.0 behaviour must not change: it reads the keys 1.3.0 knew
 *     plus the newer ones it acts on (supported-driver-capabilities, the
 *     runtime mode, cuda-compat-mode, skip-mode-detection and the two IMEX
 *     features), each unset or false unless set, so that a 1.3.0 config
 *     means what it meant; any other key is ignored, whatever its type. It
 *     keeps 1.3.0's defaults where they differ from the current toolkit's
 *     (nvidia-container-cli.ldconfig: unset, not "@/sbin/ldconfig"; the
 *     newer keys: unset) and matches keys under Go's case folding, as
 *     BurntSushi/toml matched them to struct fields.
 *   - NVCT_CONFIG_PROFILE_TOOLKIT is the current toolkit (the runtime,
 *     nvidia-ctk): every key, the current defaults, and keys matched as
 *     pelletier/go-toml v1 matches them: the exact name, else its upper-case
 *     form (strings.ToTitle of the tag).
 * Everywhere: unknown keys are ignored, a known key of the wrong type is an
 * error that names the key and the file. */
#ifndef NVCT_CONFIG_H
#define NVCT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"
#include "basic/strv.h"

/* Largest config.toml accepted. */
#define NVCT_CONFIG_MAX_SIZE (4u << 20)

typedef enum nvct_config_profile {
        NVCT_CONFIG_PROFILE_HOOK,
        NVCT_CONFIG_PROFILE_TOOLKIT,
        NVCT_CONFIG_N_PROFILES,
} nvct_config_profile;

/* Strings are NULL when unset (the 1.3.0 hook tells unset from ""; the
 * toolkit reads NULL as ""). Lists are nvct_strv, empty when unset. */
typedef struct nvct_cli_config {
        char *root, *path, *debug, *ldcache, *user, *ldconfig;
        /* One list, two names: `environment_list` is what the loader fills;
         * (environment, n_environment) is the view src/hook/command.c and its
         * tests were written against (the same two words: a union of structs
         * with a common initial sequence, C11 6.5.2.3). */
        union {
                nvct_strv environment_list;
                struct {
                        char **environment;
                        size_t n_environment;
                };
        };
        bool load_kmods, no_pivot, no_cgroups;
} nvct_cli_config;

typedef struct nvct_runtime_config {
        char *debug, *log_level, *mode;
        nvct_strv runtimes;
        struct {
                char *default_kind;
                nvct_strv annotation_prefixes, spec_dirs;
        } cdi;
        struct {
                nvct_strv nvcdi_feature_flags;
        } jit_cdi;
        struct {
                char *mount_spec_path, *compat_container_root;
        } csv;
        struct {
                char *cuda_compat_mode;
        } legacy;
} nvct_runtime_config;

typedef struct nvct_runtime_hook_config {
        char *path;
        bool skip_mode_detection;
} nvct_runtime_hook_config;

typedef struct nvct_ctk_config {
        char *path;
} nvct_ctk_config;

/* The reference's feature flags are *bool: unset reads as disabled, which is
 * what false means here. */
typedef struct nvct_features_config {
        bool allow_cuda_compat_libs_from_container;
        bool allow_ldconfig_from_container;
        bool disable_cuda_compat_lib_hook;
        bool disable_imex_channel_creation;
        bool ignore_imex_channel_requests;
} nvct_features_config;

typedef struct nvct_config {
        bool disable_require;
        char *swarm_resource;
        bool accept_envvar_unprivileged;
        bool accept_volume_mounts;
        char *supported_driver_capabilities;
        nvct_cli_config cli;
        nvct_runtime_config runtime;
        nvct_runtime_hook_config runtime_hook;
        nvct_ctk_config ctk;
        nvct_features_config features;
        char *source; /* the file it came from; NULL for built-in defaults */
} nvct_config;

/* The dotted paths of the keys of a config.toml that no key of the table
 * names (a typo, a key of a newer toolkit), in file order, at most
 * NVCT_CONFIG_MAX_UNKNOWN: for a program's log. Apart from the loader, so
 * that a program pays for it only where it logs them (the runc wrapper: on
 * create, not on every call). */
#define NVCT_CONFIG_MAX_UNKNOWN 64
int nvct_config_unknown_keys(const char *data, size_t len, const char *name, nvct_strv *ret_keys,
                             nvct_error **err);

typedef enum nvct_config_type {
        NVCT_CONFIG_BOOL,   /* bool */
        NVCT_CONFIG_STRING, /* char *, NULL when unset */
        NVCT_CONFIG_STRV,   /* nvct_strv of strings */
} nvct_config_type;

/* A default: `b` for a bool; `s` for a string (NULL: unset); `v` for a list
 * (NULL-terminated; NULL: empty). */
typedef struct nvct_config_default {
        bool b;
        const char *s;
        const char *const *v;
} nvct_config_default;

typedef struct nvct_config_key {
        const char *path; /* dotted TOML path: "nvidia-container-runtime.modes.cdi.spec-dirs" */
        nvct_config_type type;
        size_t offset;     /* of the field in nvct_config */
        unsigned profiles; /* bit (1u << profile) for each profile that reads it */
        nvct_config_default defaults[NVCT_CONFIG_N_PROFILES];
        const char *doc;
} nvct_config_key;

/* Every key, in the order of the reference's structs. */
extern const nvct_config_key nvct_config_keys[];
extern const size_t nvct_config_n_keys;

/* The key at `path` (exact); NULL when there is none. */
const nvct_config_key *nvct_config_key_find(const char *path);

static inline bool nvct_config_key_read_by(const nvct_config_key *key,
                                           nvct_config_profile profile) {
        return (key->profiles & (1u << profile)) != 0;
}

/* The field a key fills. */
static inline void *nvct_config_field(nvct_config *config, const nvct_config_key *key) {
        return (char *)config + key->offset;
}
static inline const void *nvct_config_field_const(const nvct_config *config,
                                                  const nvct_config_key *key) {
        return (const char *)config + key->offset;
}

/* The profile's defaults (copies of the table's strings). On failure (out
 * of memory) *config is left empty. */
int nvct_config_init_defaults(nvct_config *config, nvct_config_profile profile, nvct_error **err);

/* Frees what the config holds and empties it in place: every field zero
 * (false, NULL, empty), which is not the defaults. */
void nvct_config_clear(nvct_config *config);

/* Decodes a document (already in memory) over the profile's defaults.
 * `name` (the file's path) is quoted where messages name it. */
int nvct_config_parse(const char *data, size_t len, const char *name, nvct_config_profile profile,
                      nvct_config *ret_config, nvct_error **err);

/* Where the current toolkit (the runc wrapper, nvidia-ctk config) finds
 * config.toml, as NVIDIA's GetConfigFilePath: $NVIDIA_CTK_CONFIG_FILE_PATH,
 * else $XDG_CONFIG_HOME/nvidia-container-runtime/config.toml, else
 * /etc/nvidia-container-runtime/config.toml. Malloc'd; NULL when out of
 * memory. */
char *nvct_config_toolkit_path(void);

/* Loads `explicit_path` when it is non-NULL and non-empty (it must exist).
 * Otherwise the first of `search_paths` (NULL-terminated) that exists; one
 * that exists but cannot be read or parsed is an error; none: defaults. */
int nvct_config_load(const char *explicit_path, const char *const *search_paths,
                     nvct_config_profile profile, nvct_config *ret_config, nvct_error **err);

#endif
