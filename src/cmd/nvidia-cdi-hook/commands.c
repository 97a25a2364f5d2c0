/* SPDX-License-Identifier: Apache-2.0 */
/* The hook subcommands' table and what they share, compiled into both
 * nvidia-cdi-hook and nvidia-ctk (`nvidia-ctk hook ...`, the form older
 * NVIDIA specs call): the same code whichever program runs it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/file.h"
#include "oci/bundle.h"
#include "oci/oci.h"

#include "cdi-hook.h"

const char *cdi_hook_program = CDI_HOOK_PROGRAM;

bool cdi_hook_debug;

void debugf(const char *fmt, ...) {
        if (!cdi_hook_debug)
                return;
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "%s: ", cdi_hook_program);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

/* ---- the container's root ---- */

/* The container's root on the host: root.path of the bundle's config.json,
 * relative to the bundle unless absolute (as runc takes it). The state comes
 * from stdin, or from `state_path` (NVIDIA's --container-spec: a file
 * holding the state, "-" or "" for stdin). */
int load_rootfs(const char *state_path, char **ret_rootfs, nvct_error **err) {
        _cleanup_close_ int file_fd = -1;
        int fd = STDIN_FILENO;
        const char *where = "on stdin";

        if (state_path != NULL && state_path[0] != '\0' && strcmp(state_path, "-") != 0) {
                size_t size;
                if (nvct_open_regular(state_path, "container state", NVCT_STATE_MAX_SIZE, false,
                                      &file_fd, &size, err) < 0)
                        return -1;
                fd = file_fd;
                where = "in the --container-spec file";
        }
        return nvct_bundle_read_rootfs(fd, where, ret_rootfs, err);
}

const nvct_cli_command *const cdi_hook_commands[] = {
        &cmd_create_symlinks,
        &cmd_update_ldcache,
        &cmd_chmod,
        &cmd_enable_cuda_compat,
        &cmd_disable_device_node_modification,
        &cmd_update_application_profile,
        NULL,
};

void debug_warn(void *userdata, const char *message) {
        (void)userdata;
        debugf("%s", message);
}
