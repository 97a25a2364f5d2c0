/* SPDX-License-Identifier: Apache-2.0 */
/* The driver's libraries found by their names' pattern rather than from a
 * list: every NAME.so.<driver version>, as NVIDIA's generator takes them, so
 * that a library a new driver adds is not missed. */
#ifndef NVCT_DRIVER_LIBSCAN_H
#define NVCT_DRIVER_LIBSCAN_H

#include <stddef.h>

#include "root.h"

/* Folders scanned, entries read in one folder and matches kept, at most:
 * a driver has about a hundred libraries; a real library folder a few
 * thousand files. */
#define NVCT_LIBSCAN_MAX_ENTRIES NVCT_DRIVER_ROOT_MAX_DIR_ENTRIES
#define NVCT_LIBSCAN_MAX_MATCHES 4096u

/* Whether file name `name` is NAME.so.`version` with a non-empty NAME. */
bool nvct_libscan_is_versioned(const char *name, const char *version);
/* Whether `name` is `prefix`.so.X.Y... (digits and dots, at least one dot:
 * the EGL platform libraries, versioned apart from the driver). */
bool nvct_libscan_is_dotted(const char *name, const char *prefix);

/* The driver's libraries of `version`, resolved inside the root, regular
 * files whose resolved names match too, each once, appended to *paths in the
 * order found: first every native ld.so.cache entry whose file name matches
 * (no lookup for the thousands that do not), then the names that match in
 * each of `dirs` (folders in the root, read with getdents: one pass each; a
 * missing one is skipped). A name matches when it is NAME.so.`version`, or
 * PREFIX.so.X.Y for one of `prefixes` (NULL-terminated, may be NULL). */
int nvct_driver_root_scan_libraries(const nvct_driver_root *root, const char *version,
                                    const char *const *dirs, const char *const *prefixes,
                                    nvct_strv *paths, nvct_error **err);

#endif
