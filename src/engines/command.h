/* SPDX-License-Identifier: Apache-2.0 */
/* An engine's own account of its configuration, for
 * --config-source=command: `containerd config dump`, `crio status config`.
 * The output is only read (the runtime whose options the new one copies,
 * the config version), never written back: a dump is the engine's merged,
 * migrated view, and writing it over the admin's file is how NVIDIA's
 * toolkit loses the file's comments and imports. */
#ifndef NVCT_ENGINES_COMMAND_H
#define NVCT_ENGINES_COMMAND_H

#include <stddef.h>

#include "basic/error.h"

/* Runs argv (argv[0] looked up in PATH; the admin's own command, with the
 * caller's environment), its standard input /dev/null and its standard
 * error discarded, and returns its standard output: at most max_size bytes
 * (more is an error), NUL-terminated. A command that cannot start, is
 * killed, exits non-zero or runs past NVCT_ENGINE_COMMAND_TIMEOUT_MS (then
 * it is killed) is an error naming it and the status. *ret and
 * *ret_len only on success. */
/* How long the command may take: it is killed after that. */
#define NVCT_ENGINE_COMMAND_TIMEOUT_MS 30000
/* Tests: another deadline (<= 0: the default). */
void nvct_engine_command_set_timeout(int timeout_ms);

int nvct_engine_command_output(const char *const *argv, size_t max_size, char **ret,
                               size_t *ret_len, nvct_error **err);

#endif
