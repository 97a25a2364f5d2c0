/* SPDX-License-Identifier: Apache-2.0 */
/* containerd's config.toml, edited to know a runtime: the rules of NVIDIA's
 * `nvidia-ctk runtime configure --runtime=containerd`, without its losses.
 * NVIDIA decodes the file and encodes it again, dropping every comment;
 * here the text is edited surgically (formats/tomledit.h), so every
 * comment, blank line and untouched value stays byte for byte, and a
 * second run changes nothing.
 *
 * Config versions 1, 2 and 3 (`version = N`; a file without keys counts as
 * version 2, a file with keys but no version as version 1, as containerd
 * reads it). The CRI plugin's table is plugins."cri" (1),
 * plugins."io.containerd.grpc.v1.cri" (2) or
 * plugins."io.containerd.cri.v1.runtime" (3); runtimes are under its
 * containerd.runtimes.<name>. */
#ifndef NVCT_ENGINES_CONTAINERD_H
#define NVCT_ENGINES_CONTAINERD_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"

#define NVCT_CONTAINERD_MAX_SIZE (4u << 20)

typedef struct nvct_containerd_options {
        const char *runtime_name; /* "nvidia" */
        const char *runtime_path; /* options.BinaryName: an absolute path */
        bool set_as_default;      /* containerd.default_runtime_name */
        bool enable_cdi;          /* the CRI plugin's enable_cdi = true */
        /* --config-source=command: `containerd config dump`'s output, which
         * the runtime to copy is read from instead of the main file (NULL:
         * the main file), under the dump's own version; a main file without
         * keys takes the dump's version. Only read, never written. */
        const char *source_data;
        size_t source_len;
        const char *source_name; /* in errors; NULL: "containerd config dump" */
} nvct_containerd_options;

/* The config version of containerd's config text (data NULL: no file).
 * An invalid file is an error naming "NAME":LINE:COL; a version that is not
 * 1, 2 or 3 is an error. */
int nvct_containerd_version(const char *data, size_t len, const char *name, int *ret_version,
                            nvct_error **err);

/* Edits config.toml itself (data NULL: it does not exist): the runtime
 * containerd.runtimes.<name> (when absent, first a copy of the default
 * runtime's table, else runc's, else crun's, so options such as
 * SystemdCgroup carry over) gets runtime_type "io.containerd.runc.v2" and
 * options.BinaryName (version 1 also options.Runtime, as NVIDIA);
 * default_runtime_name with set_as_default; enable_cdi with enable_cdi, in
 * the CRI plugin's table (for version 1 too: where containerd reads it,
 * not NVIDIA's containerd.enable_cdi, which containerd ignores). `version`
 * is added when absent. *ret_data (malloc'ed, NUL-terminated) and *ret_len
 * only on success. */
int nvct_containerd_configure(const char *data, size_t len, const char *name,
                              const nvct_containerd_options *opts, char **ret_data, size_t *ret_len,
                              nvct_error **err);

/* Drop-in mode: the same edits made in the drop-in `drop_path` (its bytes
 * drop_data, NULL when it does not exist), with the main file's version
 * line and the options copied from the main file's runtimes; the main file
 * (main_data, NULL when missing) gains an `imports` entry "DIR/ *.toml"
 * for the drop-in's directory after the imports it has, spliced into the
 * array's text so that its layout and the comments inside it stay (a
 * missing or empty main file gets `version` too); nothing when the pattern
 * or the drop-in itself is imported already.
 *
 * containerd 1.x (config versions 1 and 2) replaces a whole plugin section
 * with an imported file's, rather than merging it: a drop-in holding only
 * the new runtime would hide every other CRI setting of the main file
 * (runc's SystemdCgroup, sandbox_image). So for those versions a new
 * drop-in's CRI plugin table gets every key of the main file's that it
 * lacks: a new drop-in a copy of the whole table, one that holds only the
 * runtime (as NVIDIA's toolkit writes it) what it hides. The price: a later
 * change to that table in the main file is hidden by the drop-in's copy on
 * containerd 1.x; --drop-in-config="" edits config.toml in place instead.
 * A file that gets its first runtime also gets runc (see keep_runtimes).
 * Version 3 (containerd 2.x merges plugin tables) gets only nvct's keys.
 * Both texts only on success (malloc'ed, NUL-terminated). */
int nvct_containerd_configure_drop_in(const char *main_data, size_t main_len, const char *main_name,
                                      const char *drop_data, size_t drop_len, const char *drop_path,
                                      const nvct_containerd_options *opts, char **ret_main,
                                      size_t *ret_main_len, char **ret_drop, size_t *ret_drop_len,
                                      nvct_error **err);

#endif
