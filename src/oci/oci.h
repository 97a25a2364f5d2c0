/* SPDX-License-Identifier: Apache-2.0 */
/* Reading what runc hands a hook: the container state (stdin) and the
 * bundle's config.json. Both are decoded in one streaming pass with yajl's
 * callback API, keeping only the fields the hook decides on, and with the
 * typing rules of Go's encoding/json (which the reference uses): a known
 * field of the wrong JSON type is an error, unknown fields are ignored
 * whatever they hold, keys match field names case-insensitively, a later
 * duplicate key wins, and only the first JSON value of the input is read. */
#ifndef NVCT_OCI_H
#define NVCT_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "basic/error.h"

/* Go's encoding/json nesting limit; deeper input is an error. */
#define NVCT_JSON_MAX_DEPTH 10000
/* Largest container state accepted on stdin. */
#define NVCT_STATE_MAX_SIZE (16u << 20)
/* Largest config.json accepted. */
#define NVCT_SPEC_MAX_SIZE (64u << 20)
/* Longest string kept from either document (an environment entry, a path,
 * the version). The kernel refuses any single argument or environment
 * string over 128 KiB (MAX_ARG_STRLEN), so no working container carries a
 * longer one. Checked while the string is read (see jsonfeed.h). */
#define NVCT_JSON_MAX_STRING (128u << 10)
/* Most bytes of environment entries and mount destinations kept from
 * config.json. The kernel refuses a command line and environment over 6 MiB
 * together (3/4 of 8 MiB, fs/exec.c), so no container that can start holds
 * more; the bound keeps the hook's memory a small multiple of it. */
#define NVCT_SPEC_MAX_KEPT (8u << 20)
/* Most mounts[] and capabilities.bounding[] elements accepted. */
#define NVCT_SPEC_MAX_MOUNTS (1u << 16)
#define NVCT_SPEC_MAX_CAPABILITIES (1u << 12)

typedef struct nvct_state {
        int64_t pid;
        /* `bundle`, or `bundlePath` when `bundle` is empty; "" when neither. */
        char *bundle;
        size_t bundle_len;
} nvct_state;

/* How long the state may take to arrive. runc writes it as it starts the
 * hook; a writer that stalls mid-value must not hang container start. */
#define NVCT_STATE_TIMEOUT_MS 10000

/* Reads the first JSON value from fd without waiting for EOF after it, and
 * fails when it is not complete within NVCT_STATE_TIMEOUT_MS. */
int nvct_state_read(int fd, nvct_state *ret_state, nvct_error **err);
/* The same with another deadline (milliseconds; negative: none). */
int nvct_state_read_timeout(int fd, int timeout_ms, nvct_state *ret_state, nvct_error **err);
void nvct_state_clear(nvct_state *state);

typedef struct nvct_spec {
        char *version; /* ociVersion */
        size_t version_len;
        nvct_env env; /* process.env */
        /* process.capabilities, read both ways the reference may read it:
         * as a plain list (OCI 1.0.0-rc1 up to rc5) or as an object whose
         * `bounding` list matters. *_ok is false when the JSON does not fit
         * that shape. */
        bool has_capabilities;
        bool caps_list_ok, caps_list_sys_admin;
        bool caps_object_ok, caps_object_sys_admin;
        char *root_path; /* root.path, "" when absent */
        size_t root_path_len;
        /* Destinations (cleaned as filepath.Clean does) of every mount whose
         * cleaned source is /dev/null, in order. */
        char **dev_null_mounts;
        size_t *dev_null_mount_lens;
        size_t n_dev_null_mounts;
} nvct_spec;

/* What a reader keeps of config.json. The hook keeps only what its decision
 * reads, so that its memory does not grow with the spec: environment entries
 * named NVIDIA_*, CUDA_VERSION or `extra_env_name` (the swarm resource), and
 * /dev/null mounts whose cleaned destination starts with `mount_prefix`.
 * Entries without '=' are always kept: they are errors. A NULL filter keeps
 * everything. */
typedef struct nvct_spec_filter {
        const char *extra_env_name; /* may be NULL */
        bool drop_mounts;           /* keep no mount at all (still type-checked) */
        const char *mount_prefix;   /* may be NULL: every /dev/null mount */
        /* Read root only (the CDI hooks): every other field is skipped unread,
         * whatever it holds, and only root is required. */
        bool root_only;
} nvct_spec_filter;

/* Loads `path` (config.json). Errors name the file and the field. */
int nvct_spec_load(const char *path, const nvct_spec_filter *filter, nvct_spec *ret_spec,
                   nvct_error **err);
/* The same, from memory: for tests and the fuzzer. */
int nvct_spec_parse(const char *data, size_t len, const char *name, const nvct_spec_filter *filter,
                    nvct_spec *ret_spec, nvct_error **err);
void nvct_spec_clear(nvct_spec *spec);

/* The reference's isPrivileged(): CAP_SYS_ADMIN in the capabilities list for
 * ociVersion in [1.0.0-rc1, 1.0.0-rc5), else in capabilities.bounding.
 * Fails when the capabilities do not have the shape that version implies. */
int nvct_spec_is_privileged(const nvct_spec *spec, const char *name, bool *ret_privileged,
                            nvct_error **err);

/* The same decoding for the state, from memory (tests, fuzzer). */
int nvct_state_parse(const char *data, size_t len, nvct_state *ret_state, nvct_error **err);

#endif
