/* SPDX-License-Identifier: Apache-2.0 */
/* What nvidia-cdi-hook's commands share: the container's root from the
 * state, --debug, and the command table's entries. */
#ifndef NVCT_CMD_CDI_HOOK_H
#define NVCT_CMD_CDI_HOOK_H

#include <stdbool.h>
#include <string.h>

#include "basic/cli.h"
#include "basic/error.h"
#include "basic/quote.h"

#define PROGRAM "nvidia-cdi-hook"

/* --debug: say what the hook does on stderr. */
extern bool cdi_hook_debug;

void debugf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline char *quote(const char *s) {
        return nvct_quote(s, strlen(s));
}

/* The container's root on the host, from the state on stdin or in
 * `state_path` (--container-spec; "-" or "" for stdin). */
int load_rootfs(const char *state_path, char **ret_rootfs, nvct_error **err);

extern const nvct_cli_command cmd_create_symlinks;
extern const nvct_cli_command cmd_update_ldcache;

#endif
