/* SPDX-License-Identifier: Apache-2.0 */
/* Applying a CDI spec's containerEdits to a bundle's config.json, as the
 * CDI reference's ContainerEdits.Apply does (through oci/edit, which keeps
 * every byte it does not change). */
#ifndef NVCT_CDI_APPLY_H
#define NVCT_CDI_APPLY_H

#include "model.h"
#include "basic/error.h"
#include "oci/edit.h"

/* Applies `edits` (nvct_cdi_registry_resolve's, in its order) to the
 * config.json being edited, in the reference's order:
 *  - env: each entry replaces the entries of its name, else is appended;
 *  - device nodes: the type, major and minor come from the host (lstat of
 *    hostPath, else path: a symlink is not followed, as runc's and the
 *    reference's) when the spec omits the type, or gives a c/b/u type with
 *    major 0; a type that differs from the host's is an error. Each goes
 *    into linux.devices (the first entry with its path removed, the next
 *    one replaced, else appended) with the spec's fileMode, uid and gid,
 *    uid and gid defaulting to process.user's when those are not 0; a c or
 *    b device also gets an allow rule in linux.resources.devices with the
 *    spec's permissions ("rwm" when unset, none for "none");
 *  - mounts: each replaces the first mount with its destination (the new
 *    one appended), then every mount is sorted, stably, by depth;
 *  - hooks appended to their stage; additionalGids added (0 and those
 *    already there skipped).
 * The edits are checked first (as Validate: env NAME=VALUE, device paths,
 * types and permissions, hook stages and paths, mount paths), so that a bad
 * spec changes nothing; a device node whose host node cannot be read fails
 * midway, and the caller then does not write. Errors name the device node,
 * mount, hook or field. */
int nvct_cdi_apply(nvct_oci_edit *edit, const nvct_cdi_edits *edits, nvct_error **err);

#endif
