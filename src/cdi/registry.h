/* SPDX-License-Identifier: Apache-2.0 */
/* The spec directories, as a runtime's CDI registry reads them: what
 * `nvidia-ctk cdi list` shows. */
#ifndef NVCT_CDI_REGISTRY_H
#define NVCT_CDI_REGISTRY_H

#include <stddef.h>

#include "basic/error.h"

/* What `nvidia-ctk cdi list` shows: every device of every valid spec in
 * the directories, and every file that could not be used, with why. */
typedef struct nvct_cdi_listed_device {
        char *qualified_name; /* "nvidia.com/gpu=0" */
        char *spec_path;      /* the file that defines it */
} nvct_cdi_listed_device;

typedef struct nvct_cdi_list_problem {
        char *path;   /* the spec file (or directory), raw: quote it to show it */
        char *reason; /* one line, paths and values quoted: the load error, or the conflict */
} nvct_cdi_list_problem;

typedef struct nvct_cdi_listing {
        nvct_cdi_listed_device *devices; /* sorted by qualified name (bytes) */
        size_t n_devices;
        nvct_cdi_list_problem *problems; /* in the order found */
        size_t n_problems;
} nvct_cdi_listing;

/* Reads every *.json, *.yaml and *.yml regular file (others are ignored) of
 * each directory in `dirs` (NULL-terminated; a missing directory is skipped,
 * one that cannot be read is a problem), files in name order, as the CDI
 * reference's registry does: a device of a later directory replaces one of
 * the same qualified name from an earlier directory; two files of the same
 * directory defining the same qualified name are a conflict, reported as a
 * problem, and the device is left out. Fails only on allocation. */
int nvct_cdi_list(const char *const *dirs, nvct_cdi_listing *ret_listing, nvct_error **err);
void nvct_cdi_listing_clear(nvct_cdi_listing *listing);

#endif
