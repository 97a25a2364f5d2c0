/* SPDX-License-Identifier: Apache-2.0 */
/* The table of every config.toml key. Learnt from NVIDIA's
 * internal/config (config.go, cli.go, runtime.go, hook.go, toolkit-cli.go,
 * features.go) and the 1.3.0 hook's hook_config.go; the defaults are those of
 * GetDefault() and, for the hook, of 1.3.0's getDefaultHookConfig(). One
 * table, one entry a key: data, so longer than a function would be. */
#include "config.h"

#include <string.h>

#define HOOK (1u << NVCT_CONFIG_PROFILE_HOOK)
#define TOOLKIT (1u << NVCT_CONFIG_PROFILE_TOOLKIT)

/* A key both programs read, with one default. */
#define BOTH(path_, type_, field, def, doc_)                                                       \
        {                                                                                          \
                .path = (path_), .type = NVCT_CONFIG_##type_,                                      \
                .offset = offsetof(nvct_config, field), .profiles = HOOK | TOOLKIT,                \
                .defaults = { [NVCT_CONFIG_PROFILE_HOOK] = def,                                    \
                              [NVCT_CONFIG_PROFILE_TOOLKIT] = def },                               \
                .doc = (doc_),                                                                     \
        }

/* A key the 1.3.0 hook does not know: it ignores it (whatever its type) and
 * its field stays empty there. */
#define TOOLKIT_ONLY(path_, type_, field, def, doc_)                                               \
        {                                                                                          \
                .path = (path_), .type = NVCT_CONFIG_##type_,                                      \
                .offset = offsetof(nvct_config, field), .profiles = TOOLKIT,                       \
                .defaults = { [NVCT_CONFIG_PROFILE_TOOLKIT] = def }, .doc = (doc_),                \
        }

/* A key both read, whose defaults differ: the hook keeps 1.3.0's. */
#define OVERRIDDEN(path_, type_, field, hook_def, toolkit_def, doc_)                               \
        {                                                                                          \
                .path = (path_), .type = NVCT_CONFIG_##type_,                                      \
                .offset = offsetof(nvct_config, field), .profiles = HOOK | TOOLKIT,                \
                .defaults = { [NVCT_CONFIG_PROFILE_HOOK] = hook_def,                               \
                              [NVCT_CONFIG_PROFILE_TOOLKIT] = toolkit_def },                       \
                .doc = (doc_),                                                                     \
        }

/* clang-format off */
#define UNSET { 0 }
#define B(x) { .b = (x) }
#define S(x) { .s = (x) }
#define V(...) { .v = (const char *const[]){ __VA_ARGS__, NULL } }
/* clang-format on */

const nvct_config_key nvct_config_keys[] = {
        /* Top level. */
        BOTH("disable-require", BOOL, disable_require, B(false),
             "never pass --require (ignore NVIDIA_REQUIRE_*)"),
        BOTH("swarm-resource", STRING, swarm_resource, UNSET,
             "the variable Docker swarm sets for generic GPU resources, e.g. DOCKER_RESOURCE_GPU"),
        BOTH("accept-nvidia-visible-devices-envvar-when-unprivileged", BOOL,
             accept_envvar_unprivileged, B(true),
             "false: only privileged containers may pick GPUs by environment variable"),
        BOTH("accept-nvidia-visible-devices-as-volume-mounts", BOOL, accept_volume_mounts, B(false),
             "read the device list from volume mounts under /var/run/nvidia-container-devices"),
        /* The hook: unset (1.3.0's rule: every capability) unless set. */
        OVERRIDDEN("supported-driver-capabilities", STRING, supported_driver_capabilities, UNSET,
                   S("compat32,compute,display,graphics,ngx,utility,video"),
                   "the driver capabilities a container may request ('all': every one); "
                   "NVIDIA_DRIVER_CAPABILITIES=all and the defaults stand for these"),

        /* [nvidia-container-cli] */
        BOTH("nvidia-container-cli.root", STRING, cli.root, UNSET,
             "driver root: --root, and where the CLI is searched for"),
        BOTH("nvidia-container-cli.path", STRING, cli.path, UNSET,
             "the nvidia-container-cli binary; not searched for when set"),
        BOTH("nvidia-container-cli.environment", STRV, cli.environment_list, UNSET,
             "NAME=VALUE entries added to the CLI's environment"),
        BOTH("nvidia-container-cli.debug", STRING, cli.debug, UNSET,
             "the CLI's log file: --debug=FILE"),
        BOTH("nvidia-container-cli.ldcache", STRING, cli.ldcache, UNSET,
             "the host's ld.so.cache: --ldcache"),
        BOTH("nvidia-container-cli.load-kmods", BOOL, cli.load_kmods, B(true),
             "load the NVIDIA kernel modules: --load-kmods"),
        BOTH("nvidia-container-cli.no-pivot", BOOL, cli.no_pivot, B(false),
             "do not pivot_root into the container: --no-pivot"),
        BOTH("nvidia-container-cli.no-cgroups", BOOL, cli.no_cgroups, B(false),
             "do not set up device cgroups: --no-cgroups"),
        /* The toolkit's default is "root:video" on SUSE (ID_LIKE in
         * /etc/os-release), unset elsewhere: a platform probe, left to the
         * program that wants it. */
        BOTH("nvidia-container-cli.user", STRING, cli.user, UNSET,
             "the user (and group) the CLI runs as: --user"),
        /* Override: the 1.3.0 hook leaves ldconfig unset (the CLI then uses
         * its own built-in path); the toolkit defaults to the host's
         * ldconfig. The hook keeps 1.3.0's. (The toolkit also prefers
         * "@/sbin/ldconfig.real" when that file exists: a probe of the host,
         * again left to the program.) */
        OVERRIDDEN("nvidia-container-cli.ldconfig", STRING, cli.ldconfig, UNSET,
                   S("@/sbin/ldconfig"),
                   "the ldconfig the CLI runs; '@' marks a path on the host: --ldconfig"),

        /* [nvidia-container-runtime] */
        TOOLKIT_ONLY("nvidia-container-runtime.debug", STRING, runtime.debug, S("/dev/null"),
                     "the runtime's log file"),
        TOOLKIT_ONLY("nvidia-container-runtime.log-level", STRING, runtime.log_level, S("info"),
                     "the runtime's log level (debug, info, warning, error)"),
        TOOLKIT_ONLY("nvidia-container-runtime.runtimes", STRV, runtime.runtimes, V("runc", "crun"),
                     "the low-level runtimes to forward to, first found wins"),
        /* The hook refuses in cdi, jit-cdi and csv; unset there, it acts. */
        OVERRIDDEN("nvidia-container-runtime.mode", STRING, runtime.mode, UNSET, S("auto"),
                   "how the runtime modifies the spec: auto, legacy, cdi, jit-cdi, csv; the "
                   "hook acts only in auto and legacy"),
        TOOLKIT_ONLY("nvidia-container-runtime.modes.cdi.default-kind", STRING,
                     runtime.cdi.default_kind, S("nvidia.com/gpu"),
                     "the CDI kind a bare device name in NVIDIA_VISIBLE_DEVICES belongs to"),
        TOOLKIT_ONLY("nvidia-container-runtime.modes.cdi.annotation-prefixes", STRV,
                     runtime.cdi.annotation_prefixes, V("cdi.k8s.io/"),
                     "annotation prefixes that request CDI devices"),
        TOOLKIT_ONLY("nvidia-container-runtime.modes.cdi.spec-dirs", STRV, runtime.cdi.spec_dirs,
                     V("/etc/cdi", "/var/run/cdi"), "where CDI specs are read from"),
        TOOLKIT_ONLY("nvidia-container-runtime.modes.jit-cdi.nvcdi-feature-flags", STRV,
                     runtime.jit_cdi.nvcdi_feature_flags, UNSET,
                     "feature flags for the spec generated just in time (jit-cdi mode)"),
        TOOLKIT_ONLY("nvidia-container-runtime.modes.csv.mount-spec-path", STRING,
                     runtime.csv.mount_spec_path,
                     S("/etc/nvidia-container-runtime/host-files-for-container.d"),
                     "the folder of CSV files that list what csv mode mounts"),
        TOOLKIT_ONLY(
                "nvidia-container-runtime.modes.csv.compat-container-root", STRING,
                runtime.csv.compat_container_root, UNSET,
                "where csv mode looks for CUDA compat libraries instead of their usual folder"),
        /* The hook: unset, no --cuda-compat-mode (a 1.3.0-era CLI does not
         * know it) unless set. */
        OVERRIDDEN("nvidia-container-runtime.modes.legacy.cuda-compat-mode", STRING,
                   runtime.legacy.cuda_compat_mode, UNSET, S("ldconfig"),
                   "CUDA forward compatibility in legacy mode: ldconfig, mount, disabled, hook "
                   "(the hook's --cuda-compat-mode)"),

        /* [nvidia-container-runtime-hook] */
        TOOLKIT_ONLY(
                "nvidia-container-runtime-hook.path", STRING, runtime_hook.path,
                S("nvidia-container-runtime-hook"),
                "the hook the runtime injects in legacy mode; a bare name is searched in PATH"),
        BOTH("nvidia-container-runtime-hook.skip-mode-detection", BOOL,
             runtime_hook.skip_mode_detection, B(false),
             "the hook acts whatever nvidia-container-runtime.mode says"),

        /* [nvidia-ctk] */
        TOOLKIT_ONLY("nvidia-ctk.path", STRING, ctk.path, S("nvidia-ctk"),
                     "the nvidia-ctk that generated hooks run; a bare name is searched in PATH"),

        /* [features]: off unless set. */
        TOOLKIT_ONLY(
                "features.allow-cuda-compat-libs-from-container", BOOL,
                features.allow_cuda_compat_libs_from_container, B(false),
                "let CUDA compat libraries in the container override the host's driver libraries"),
        TOOLKIT_ONLY("features.allow-ldconfig-from-container", BOOL,
                     features.allow_ldconfig_from_container, B(false),
                     "accept an nvidia-container-cli.ldconfig that does not start with '@'"),
        TOOLKIT_ONLY("features.disable-cuda-compat-lib-hook", BOOL,
                     features.disable_cuda_compat_lib_hook, B(false),
                     "do not inject the enable-cuda-compat hook"),
        BOTH("features.disable-imex-channel-creation", BOOL, features.disable_imex_channel_creation,
             B(false),
             "do not create requested IMEX channels: the hook's --no-create-imex-channels"),
        BOTH("features.ignore-imex-channel-requests", BOOL, features.ignore_imex_channel_requests,
             B(false), "ignore NVIDIA_IMEX_CHANNELS and IMEX volume-mount requests"),
};

const size_t nvct_config_n_keys = sizeof(nvct_config_keys) / sizeof(nvct_config_keys[0]);

const nvct_config_key *nvct_config_key_find(const char *path) {
        for (size_t i = 0; i < nvct_config_n_keys; i++)
                if (strcmp(nvct_config_keys[i].path, path) == 0)
                        return &nvct_config_keys[i];
        return NULL;
}
