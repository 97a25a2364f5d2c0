/* SPDX-License-Identifier: Apache-2.0 */
/* From the container state to the files a hook works on: state → bundle →
 * <bundle>/config.json → root.path → the container's root on the host.
 *
 * A relative root.path is resolved two ways, on purpose:
 * - the OCI hook resolves it against its working directory, as the
 *   reference does (filepath.Abs); runc starts hooks in the bundle, so the
 *   two agree there (nvct_rootfs_path);
 * - the CDI hooks resolve it against the bundle, as runc itself takes it,
 *   whatever their working directory (nvct_bundle_rootfs_path). */
#ifndef NVCT_BUNDLE_H
#define NVCT_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "oci.h"
#include "basic/error.h"

/* <bundle>/config.json (filepath.Join). Fails when the bundle holds a NUL
 * (it would name another file than the one opened) and, with
 * require_bundle, when it is empty; else an empty bundle gives
 * "config.json" in the working directory, as in the reference. */
int nvct_bundle_spec_path(const nvct_state *state, bool require_bundle, char **ret_path,
                          nvct_error **err);

/* filepath.Abs(root.path): a relative path is joined to the working
 * directory ($PWD when it names it, as os.Getwd) and cleaned; symlinks are
 * not resolved. Fails when root.path holds a NUL (it becomes an argument,
 * which a NUL would cut). The OCI hook's reading. */
int nvct_rootfs_path(const char *root_path, size_t len, char **ret_rootfs, nvct_error **err);

/* root.path as runc takes it: cleaned when absolute, else joined to
 * `bundle`. Fails when it holds a NUL, is empty, or is the host's "/"
 * (acting inside it would be acting on the host). Messages name
 * `spec_path`, quoted. The CDI hooks' reading. */
int nvct_bundle_rootfs_path(const char *bundle, const char *spec_path, const char *root_path,
                            size_t len, char **ret_rootfs, nvct_error **err);

/* The CDI hooks' whole path: the state from fd (bounded in size and time:
 * a runtime that never finishes writing cannot hang container creation;
 * `where` names the source in messages: "on stdin"), its bundle (required),
 * root.path alone of its config.json (nothing else in it can fail the
 * hook), resolved against the bundle. */
int nvct_bundle_read_rootfs(int state_fd, const char *where, char **ret_rootfs, nvct_error **err);

#endif
