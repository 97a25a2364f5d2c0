/* SPDX-License-Identifier: Apache-2.0 */
/* The spec directories, as a runtime's CDI registry reads them: what
 * `nvidia-ctk cdi list` shows. */
#ifndef NVCT_CDI_REGISTRY_H
#define NVCT_CDI_REGISTRY_H

#include <stddef.h>

#include "model.h"
#include "basic/error.h"

/* Security: what one walk of the spec directories loads at most (each file
 * is bounded by the loader, NVCT_CDI_MAX_FILE_SIZE): spec files, their
 * bytes in all, and devices in all. What is over a bound is left out and
 * reported as a problem. */
#define NVCT_CDI_REGISTRY_MAX_FILES 1024
#define NVCT_CDI_REGISTRY_MAX_BYTES 268435456
#define NVCT_CDI_REGISTRY_MAX_DEVICES 1048576 /* 2^20: as many as one file may hold */

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

/* The registry a runtime resolves device names with: the specs of the
 * directories, read by nvct_cdi_list's rules, kept, and the in-memory specs
 * a caller adds. */
typedef struct nvct_cdi_registry nvct_cdi_registry;

/* Loads every spec of `dirs` (NULL-terminated) with nvct_cdi_list's rules:
 * a later directory overrides an earlier one; two files of one directory
 * defining the same name are a conflict and the name is left out; a file
 * that does not load is remembered (it is named when a name does not
 * resolve), not fatal. Fails only on allocation. Free with
 * nvct_cdi_registry_free. */
int nvct_cdi_registry_load(const char *const *dirs, nvct_cdi_registry **ret_registry,
                           nvct_error **err);

/* Adds an in-memory spec (taken over: *spec is emptied, on failure too)
 * whose names override those of the directories and of specs added before
 * it, even a name left out for a conflict. It is validated as the writer
 * validates (at its cdiVersion, or the minimum its content needs); `origin`
 * names it in messages ("generated for jit-cdi"). */
int nvct_cdi_registry_add_spec(nvct_cdi_registry *registry, nvct_cdi_spec *spec, const char *origin,
                               nvct_error **err);

void nvct_cdi_registry_free(nvct_cdi_registry *registry);
static inline void nvct_cdi_registry_freep(nvct_cdi_registry **registry) {
        nvct_cdi_registry_free(*registry);
}
#define _cleanup_cdi_registry_ __attribute__((cleanup(nvct_cdi_registry_freep)))

/* The edits for `n` qualified names, in the CDI reference's order
 * (Cache.InjectDevices): for each device in order, its spec's spec-wide
 * edits the first time that spec is met, then the device's own edits. A
 * name given twice is resolved once. When a name does not resolve, fails
 * with one line naming every unresolvable name (quoted; after 32, a count),
 * the directories searched (and the in-memory specs), and the problems met
 * while loading (after 8, a count):
 *   unresolvable CDI devices "nvidia.com/gpu=9" (searched "/etc/cdi",
 *   "/var/run/cdi"; "/etc/cdi/x.yaml": <why>)
 * *ret_edits (the caller clears it) untouched on failure. */
int nvct_cdi_registry_resolve(const nvct_cdi_registry *registry, const char *const *names, size_t n,
                              nvct_cdi_edits *ret_edits, nvct_error **err);

#endif
