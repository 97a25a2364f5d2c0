/* SPDX-License-Identifier: Apache-2.0 */
/* docker's daemon.json, edited to know a runtime: the rules of NVIDIA's
 * `nvidia-ctk runtime configure --runtime=docker`, without its losses.
 * NVIDIA decodes the file into a Go map and marshals it back, so keys come
 * out sorted, the layout becomes 4 spaces, and `features` is replaced. Here
 * the file is edited as a document tree: every key keeps its place and
 * value, `features` is merged, and the file's indentation (tabs, N spaces,
 * compact) is written back as it was found. */
#ifndef NVCT_ENGINES_DOCKER_H
#define NVCT_ENGINES_DOCKER_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"

/* The largest daemon.json read: far beyond any real one, small enough that
 * a huge file is refused rather than loaded. */
#define NVCT_DOCKER_MAX_SIZE (16u << 20)

typedef struct nvct_docker_options {
        const char *runtime_name; /* "nvidia" */
        const char *runtime_path; /* "nvidia-container-runtime": docker looks it up in PATH */
        bool set_as_default;      /* "default-runtime": runtime_name */
        bool enable_cdi;          /* "features": {"cdi": true}, merged */
} nvct_docker_options;

/* The indentation of one level of a JSON text as it is laid out: "\t",
 * "  ", "    " (the white space before the first member of the top-level
 * value), or NULL when the value is on one line (compact). A text whose
 * top-level object is empty but spread over lines gets "    ", the layout
 * NVIDIA writes. Never fails; the result is a static string or points
 * into a bounded copy in *buf. */
const char *nvct_docker_detect_indent(const char *data, size_t len, char buf[static 17]);

/* Edits daemon.json's bytes (`data`, `len`; data NULL: the file does not
 * exist, and a new one is made in NVIDIA's layout, 4 spaces) as opts says:
 *   runtimes.<name> = {"path": P, "args": []}; an existing entry that is an
 *     object keeps its other keys (docker's own "runtimeArgs", say) and its
 *     place, and gets "path" and, when absent, "args";
 *   "default-runtime": name, with set_as_default;
 *   "features": {"cdi": true} merged into what is there, with enable_cdi.
 * New keys are appended. A file that already says all this comes back
 * byte for byte, whatever its layout. Otherwise the output keeps the input's layout
 * (nvct_docker_detect_indent) and whether it ended in a newline; an empty
 * file (white space only) is an empty object. The file is read in strict
 * mode: a key twice in one object is an error, as is text that is not
 * UTF-8, because dropping one of the two values would change what a reader
 * other than Go's sees. `name` (the file's path) prefixes every error,
 * which names the line and column of invalid JSON. *ret_data (malloc'ed,
 * NUL-terminated) and *ret_len only on success. */
int nvct_docker_configure(const char *data, size_t len, const char *name,
                          const nvct_docker_options *opts, char **ret_data, size_t *ret_len,
                          nvct_error **err);

#endif
