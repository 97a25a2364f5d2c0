/* SPDX-License-Identifier: Apache-2.0 */
/* Writing a spec: JSON through yajl's generator, YAML through libyaml's
 * emitter. */
#ifndef NVCT_CDI_WRITE_H
#define NVCT_CDI_WRITE_H

#include <stddef.h>

#include "format.h"
#include "model.h"
#include "basic/error.h"

/* Serialises the spec: keys in the spec's order (cdiVersion, kind,
 * annotations, devices, containerEdits; inside edits: env, deviceNodes,
 * mounts, hooks, additionalGids), empty optional arrays left out except a
 * hook's env, a trailing newline. Output is a pure function of the model:
 * same spec, same bytes. The spec is first checked as the loader checks
 * one, so that what is written loads back: an error names the field. */
int nvct_cdi_spec_write(const nvct_cdi_spec *spec, nvct_cdi_format format, char **ret_data,
                        size_t *ret_len, nvct_error **err);

#endif
