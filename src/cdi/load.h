/* SPDX-License-Identifier: Apache-2.0 */
/* Loading a spec file, JSON or YAML, strictly (unknown fields, a version
 * lower than the content needs, bad kinds or device names are errors, as in
 * the CDI reference loader). */
#ifndef NVCT_CDI_LOAD_H
#define NVCT_CDI_LOAD_H

#include <stddef.h>

#include "model.h"
#include "basic/error.h"

/* Largest spec file `nvct_cdi_spec_load` reads, and its deepest nesting. */
#define NVCT_CDI_MAX_FILE_SIZE (16u << 20)
#define NVCT_CDI_MAX_DEPTH 64

/* Loads a spec file: JSON when the name ends in ".json", YAML for ".yaml"
 * and ".yml" (anything else is an error). Bounded by NVCT_CDI_MAX_FILE_SIZE
 * and NVCT_CDI_MAX_DEPTH; YAML anchors/aliases and tags are refused. The
 * result is validated as the CDI reference does: required fields, known
 * fields only, cdiVersion a known version not lower than the content needs,
 * valid kind and device names, no duplicate device names, absolute hook
 * paths. intelRdt and netDevices are checked, count for the minimum
 * version, and are dropped. The error names the file and the field. */
int nvct_cdi_spec_load(const char *path, nvct_cdi_spec *ret_spec, nvct_error **err);
/* The same from memory (tests, fuzzer); `name` decides the format. */
int nvct_cdi_spec_parse(const char *data, size_t len, const char *name, nvct_cdi_spec *ret_spec,
                        nvct_error **err);

#endif
