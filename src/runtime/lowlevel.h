/* SPDX-License-Identifier: Apache-2.0 */
/* The low-level runtime the wrapper hands every call to: the first of
 * config.toml's nvidia-container-runtime.runtimes that resolves, and the
 * exec that replaces the wrapper with it. */
#ifndef NVCT_RUNTIME_LOWLEVEL_H
#define NVCT_RUNTIME_LOWLEVEL_H

#include <stddef.h>

#include "basic/error.h"

/* Searched after PATH for a bare name (the same list the OCI hook searches
 * for nvidia-container-cli). */
#define NVCT_RUNTIME_STANDARD_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Where a bare program name is looked for: `path_env` (the wrapper's PATH;
 * NULL or "" is none), then NVCT_RUNTIME_STANDARD_PATH. NULL when out of
 * memory. */
char *nvct_runtime_search_path(const char *path_env);

/* The first of names[0..n) that resolves, as a newly allocated path:
 *   - a name containing '/' must be an absolute path to an executable
 *     regular file (a relative one is refused: the working directory is
 *     the bundle, which the container's image may shape);
 *   - a bare name is looked up in `path_env` (the wrapper's PATH; NULL or
 *     "" is none), then NVCT_RUNTIME_STANDARD_PATH, skipping relative
 *     entries, as exec.LookPath (basic/gocompat's nvct_find_executable).
 * Fails when none resolves (or n is 0), naming every candidate, quoted,
 * and the directories searched. */
int nvct_runtime_find(const char *const *names, size_t n, const char *path_env, char **ret_path,
                      nvct_error **err);

/* The runtime's argv: `runtime_path` as argv[0], then argv[1..argc)
 * unchanged, NULL-terminated. The array is newly allocated (free() it); its
 * strings are not copied: they are argv's and runtime_path. */
int nvct_runtime_argv_build(const char *runtime_path, int argc, char *const *argv, char ***ret_argv,
                            nvct_error **err);

/* Replaces the process with the runtime (execv: the wrapper's own
 * environment, no fork), its argv built as above. Returns only on failure. */
int nvct_runtime_exec(const char *runtime_path, int argc, char *const *argv, nvct_error **err);

#endif
