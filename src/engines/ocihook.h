/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI hook file for podman's and CRI-O's hooks.d that NVIDIA's
 * `nvidia-ctk runtime configure --config-mode=oci-hook` writes. */
#ifndef NVCT_ENGINES_OCIHOOK_H
#define NVCT_ENGINES_OCIHOOK_H

#include <stddef.h>

#include "basic/error.h"

/* The hooks.d JSON (hooks 1.0.0) that runs `hook_path prestart` for every
 * container: version, hook {path, args [basename, "prestart"], env [PATH=
 * the system folders, and the hook's own folder when it is none of them]},
 * when {always, commands [".*"]}, stages ["prestart"]; laid out as NVIDIA's
 * json.Encoder with a 2-space indent writes it, ending in a newline.
 * hook_path must be absolute. *ret_data malloc'ed, NUL-terminated. */
int nvct_ocihook_generate(const char *hook_path, char **ret_data, size_t *ret_len,
                          nvct_error **err);

#endif
