/* SPDX-License-Identifier: Apache-2.0 */
/* Whether a CDI spec still describes the host: a spec is written for one
 * driver version (it names the driver's files by version) and for the GPUs
 * that were there (devices named by UUID). After a driver upgrade, or a GPU
 * swapped out, it is stale and a runtime gives containers files that are no
 * longer there, or fails with "unresolvable CDI devices". What `nvidia-ctk
 * doctor` says of each spec; a pure function of the spec and the host's
 * facts. */
#ifndef NVCT_CDI_FRESHNESS_H
#define NVCT_CDI_FRESHNESS_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "basic/error.h"

/* What a spec says that the host contradicts. Each string is the first one
 * found, in spec order (NULL: none); the counts are of distinct values. */
typedef struct nvct_cdi_staleness {
        char *other_version; /* a driver version the spec names, not the host's */
        size_t n_other_versions;
        char *missing_uuid; /* a device named "GPU-..."/"MIG-..." the host lacks */
        size_t n_missing_uuids;
        char *named_version; /* the first driver version the spec names at all */
} nvct_cdi_staleness;

/* The driver version in a file name or path component: "550.54.15" in
 * "libcuda.so.550.54.15" (a driver library: a name of
 * nvct_driver_libraries, or "lib...nvidia..."), in
 * "/lib/firmware/nvidia/550.54.15/gsp.bin", or in a hook argument
 * "--host-driver-version=550.54.15". A driver version is 3 digits or more,
 * then one or two dot-separated numbers. *ret (malloc'ed) NULL when the
 * text names none. */
int nvct_cdi_driver_version_in(const char *text, char **ret, nvct_error **err);

/* Compares every mount (host and container path), device node path and hook
 * argument of `spec` (spec-wide and per device) with `driver_version`, and
 * every device name that is a UUID with `uuids` (the host's GPU and MIG
 * UUIDs, n_uuids of them). *ret filled on success; clear it with
 * nvct_cdi_staleness_clear. */
int nvct_cdi_spec_staleness(const nvct_cdi_spec *spec, const char *driver_version,
                            const char *const *uuids, size_t n_uuids, nvct_cdi_staleness *ret,
                            nvct_error **err);
void nvct_cdi_staleness_clear(nvct_cdi_staleness *s);

static inline bool nvct_cdi_staleness_is_stale(const nvct_cdi_staleness *s) {
        return s->n_other_versions > 0 || s->n_missing_uuids > 0;
}

#endif
