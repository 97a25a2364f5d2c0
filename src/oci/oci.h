/* SPDX-License-Identifier: Apache-2.0 */
/* Reading what runc hands a hook: the container state (stdin, state.c) and
 * the bundle's config.json (spec.c); bundle.h goes from one to the other.
 * Both are decoded in one streaming pass (reader.h) with yajl's
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
 * fails when it is not complete within NVCT_STATE_TIMEOUT_MS. Every entry
 * point here takes a NULL err. */
int nvct_state_read(int fd, nvct_state *ret_state, nvct_error **err);
/* The same with another deadline (milliseconds; negative: none). */
int nvct_state_read_timeout(int fd, int timeout_ms, nvct_state *ret_state, nvct_error **err);
void nvct_state_clear(nvct_state *state);

/* What nvct_spec_is_privileged reads of process.capabilities: private to
 * the reader (its shape, both ways the reference may read it). */
typedef struct nvct_spec_caps nvct_spec_caps;

/* What the hook reads of config.json. Strings carry their lengths (JSON
 * strings may hold NUL) and are "" when the document leaves them unset. */
typedef struct nvct_spec {
        char *version; /* ociVersion; "" when not read (root_only) */
        size_t version_len;
        nvct_env env;    /* process.env, what the filter keeps of it */
        char *root_path; /* root.path */
        size_t root_path_len;
        /* Destinations (cleaned as filepath.Clean does) of every mount whose
         * cleaned source is /dev/null, in order; what the filter keeps. */
        char **dev_null_mounts;
        size_t *dev_null_mount_lens;
        size_t n_dev_null_mounts;
        /* process.capabilities; NULL when absent or null. Read it with
         * nvct_spec_is_privileged. */
        nvct_spec_caps *caps;
} nvct_spec;

/* Whether the caller reads the process.env variable `name` (len bytes, as
 * decoded: may hold any byte, NUL included). `data` is the filter's
 * keep_env_data. Called once for each entry of the image's environment: it
 * must be cheap, and must depend on the name alone. */
typedef bool (*nvct_env_name_filter)(const char *name, size_t len, const void *data);

/* What a reader keeps of config.json. The caller says what it reads (the
 * hook: policy/specfilter.h), so that its memory does not grow with the
 * spec; everything is still type-checked as the reference does, so a
 * filter changes what is kept, never whether a spec is valid. A NULL filter
 * keeps everything. */
typedef struct nvct_spec_filter {
        /* Keeps the process.env entries whose name it accepts; NULL: every
         * one. An entry without '=' is always kept: it is an error. */
        nvct_env_name_filter keep_env;
        const void *keep_env_data;
        bool drop_mounts; /* keep no mount at all (still type-checked) */
        /* Keeps only /dev/null mounts whose cleaned destination starts with
         * it; NULL: every /dev/null mount. */
        const char *mount_prefix;
        /* Read root only (the CDI hooks): every other field is skipped
         * unread, whatever it holds, and only root is required. */
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
 * Fails when the capabilities do not have the shape that version implies;
 * false when there are none (as in a root_only spec). */
int nvct_spec_is_privileged(const nvct_spec *spec, const char *name, bool *ret_privileged,
                            nvct_error **err);

/* The same decoding for the state, from memory (tests, fuzzer). */
int nvct_state_parse(const char *data, size_t len, nvct_state *ret_state, nvct_error **err);

#endif
