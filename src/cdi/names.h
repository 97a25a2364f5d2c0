/* SPDX-License-Identifier: Apache-2.0 */
/* CDI names: a kind "vendor/class", a device name, and the qualified name
 * "vendor/class=name" that a runtime is asked for. */
#ifndef NVCT_CDI_NAMES_H
#define NVCT_CDI_NAMES_H

#include <stddef.h>

#include "basic/error.h"

/* Checks: a kind "vendor/class" as the spec defines it (DNS-subdomain
 * vendor; class of alphanumerics, '-', '_', '.', at most 63 bytes, starting
 * and ending alphanumeric), and a device name (alphanumerics, '-', '_',
 * '.' and, as the reference allows for MIG names, ':'; starting and ending
 * alphanumeric). Errors quote the value. */
int nvct_cdi_validate_kind(const char *kind, nvct_error **err);
int nvct_cdi_validate_device_name(const char *name, nvct_error **err);

/* "vendor/class=name": how a runtime is asked for a device (--device) and
 * how `cdi list` names it. NULL when out of memory. */
char *nvct_cdi_qualified_name(const char *kind, const char *name);

/* Splits a qualified name at its first '=' into a kind and a device name,
 * each checked as above. */
int nvct_cdi_parse_qualified_name(const char *qualified, char **ret_kind, char **ret_name,
                                  nvct_error **err);

#endif
