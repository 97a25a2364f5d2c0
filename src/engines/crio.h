/* SPDX-License-Identifier: Apache-2.0 */
/* CRI-O, told about a runtime through a drop-in file: the rules of
 * NVIDIA's `nvidia-ctk runtime configure --runtime=crio`. crio.conf itself
 * is only read (the runtime to copy); CRI-O merges the files of
 * crio.conf.d key by key, so the drop-in holds nvct's keys alone. An
 * existing drop-in is edited surgically (formats/tomledit.h): its comments
 * and other keys stay, and a second run changes nothing. */
#ifndef NVCT_ENGINES_CRIO_H
#define NVCT_ENGINES_CRIO_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"

#define NVCT_CRIO_MAX_SIZE (4u << 20)

typedef struct nvct_crio_options {
        const char *runtime_name; /* "nvidia" */
        const char *runtime_path; /* runtime_path: an absolute path */
        bool set_as_default;      /* crio.runtime.default_runtime */
        /* --config-source=command: `crio status config`'s output, read
         * instead of crio.conf (NULL: crio.conf). */
        const char *source_data;
        size_t source_len;
        const char *source_name; /* in errors; NULL: "crio status config" */
} nvct_crio_options;

/* The drop-in's new text: [crio.runtime.runtimes.<name>] (when absent,
 * first a copy of crio.conf's table for its default runtime, else runc's,
 * else crun's, as NVIDIA) with runtime_path and runtime_type = "oci";
 * crio.runtime.default_runtime with set_as_default. conf_data / drop_data
 * NULL: that file does not exist. Invalid TOML in either is an error naming
 * "NAME":LINE:COL. *ret_data (malloc'ed, NUL-terminated) and *ret_len only
 * on success. */
int nvct_crio_configure(const char *conf_data, size_t conf_len, const char *conf_name,
                        const char *drop_data, size_t drop_len, const char *drop_name,
                        const nvct_crio_options *opts, char **ret_data, size_t *ret_len,
                        nvct_error **err);

#endif
