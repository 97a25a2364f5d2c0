/* SPDX-License-Identifier: Apache-2.0 */
/* How nvidia-container-runtime gives a container its GPUs: the mode.
 *   legacy   the OCI prestart hook (nvidia-container-runtime-hook, which
 *            runs nvidia-container-cli) does the work inside runc;
 *   cdi      device names are resolved in the CDI spec directories and the
 *            specs' edits are applied to config.json;
 *   jit-cdi  as cdi, with a spec generated in memory for the requested GPUs;
 *   auto     picks one of these per container (nvct_mode_resolve).
 * The program's name can force a mode: NVIDIA installs the wrapper as
 * nvidia-container-runtime.cdi and nvidia-container-runtime.legacy. */
#ifndef NVCT_MODE_H
#define NVCT_MODE_H

#include <stdbool.h>

#include "basic/error.h"

typedef enum nvct_runtime_mode {
        NVCT_MODE_AUTO,
        NVCT_MODE_LEGACY,
        NVCT_MODE_CDI,
        NVCT_MODE_JIT_CDI,
} nvct_runtime_mode;

/* "auto", "legacy", "cdi", "jit-cdi" (config.toml's nvidia-container-
 * runtime.mode; NULL or "" is auto). Anything else, NVIDIA's Tegra-only
 * "csv" included, is an error that names the value. */
int nvct_mode_parse(const char *text, nvct_runtime_mode *ret_mode, nvct_error **err);
const char *nvct_mode_name(nvct_runtime_mode mode);

/* The mode the program's name forces (argv[0]'s basename ends in ".cdi" or
 * ".legacy"), else `configured`. */
nvct_runtime_mode nvct_mode_for_program(const char *argv0, nvct_runtime_mode configured);

/* What auto mode looks at for one container. */
typedef struct nvct_mode_inputs {
        /* Every requested device is a fully qualified CDI name
         * ("vendor/class=name"); false when nothing is requested. */
        bool all_qualified;
        /* Whether NVML loads from the driver root: asked only when the
         * answer matters (loading NVML costs a driver call). */
        bool (*nvml_loads)(void *userdata);
        void *userdata;
} nvct_mode_inputs;

/* `mode` unless it is auto; auto picks cdi when every request is a fully
 * qualified CDI name, else jit-cdi when NVML loads, else legacy. */
nvct_runtime_mode nvct_mode_resolve(nvct_runtime_mode mode, const nvct_mode_inputs *in);

#endif
