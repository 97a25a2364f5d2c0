/* SPDX-License-Identifier: Apache-2.0 */
/* A spec's format, JSON or YAML: named on a command line, or told by a
 * spec file's name, as CDI readers tell it. */
#ifndef NVCT_CDI_FORMAT_H
#define NVCT_CDI_FORMAT_H

#include "basic/error.h"

typedef enum nvct_cdi_format {
        NVCT_CDI_JSON = 1,
        NVCT_CDI_YAML = 2,
} nvct_cdi_format;

/* "json" / "yaml" / "yml" (case-insensitive) to a format; -1 with an error
 * naming the value otherwise. */
int nvct_cdi_format_parse(const char *name, nvct_cdi_format *ret_format, nvct_error **err);

/* The format a spec file's name says by its extension: .json, or .yaml and
 * .yml; 0 in *ret_format when it has none of them. CDI readers (the
 * reference's registry, podman, containerd, nvct_cdi_list) match these
 * extensions in lowercase only and silently skip "nvidia.JSON": such a name
 * is refused (-1, an error naming the file), so that no spec is written
 * where no reader will see it. */
int nvct_cdi_format_of_path(const char *path, nvct_cdi_format *ret_format, nvct_error **err);

#endif
