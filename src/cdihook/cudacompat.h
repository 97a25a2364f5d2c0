/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook enable-cuda-compat: when the container's CUDA forward
 * compatibility libraries (/usr/local/cuda/compat/libcuda.so.*.*) are newer
 * than the host's driver, their folder is put first in the container's
 * ld.so.conf.d, as NVIDIA's hook (1.17.5 to HEAD) decides. */
#ifndef NVCT_CDIHOOK_CUDACOMPAT_H
#define NVCT_CDIHOOK_CUDACOMPAT_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"

#include "ldsoconf.h"

#define NVCT_CUDA_COMPAT_DEFAULT_ROOT "/usr/local/cuda/compat"
/* NVIDIA's name pattern: 00-compat-*.conf, the '*' a random number; "00"
 * sorts it before the folders of other ld.so.conf.d files. */
#define NVCT_CUDA_COMPAT_CONF_PREFIX "00-compat-"

/* What the library's .note.cuda.fwd_compatibility ELF note says: the CUDA
 * version it provides and the driver branches (majors) it supports. */
typedef struct nvct_cuda_compat_note {
        char cuda_version[64]; /* "" when absent */
        int drivers[64];
        size_t n_drivers;
} nvct_cuda_compat_note;

/* Reads the note of the ELF file `fd` (any class or byte order). Returns 1
 * and fills *ret when the file has one NVIDIA note whose JSON parses as
 * NVIDIA's hook parses it, 0 when not (no note, not ELF, malformed: as
 * NVIDIA's hook, which then falls back on the file name). Every offset and
 * size is checked against the file and bounded: the library is the image's. */
int nvct_cuda_compat_read_note(int fd, nvct_cuda_compat_note *ret);

/* The decision given the note: a listed driver major (when the host's is
 * known and the note lists any), else the note's CUDA version strictly
 * newer than the host's (semver.Compare). */
bool nvct_cuda_compat_note_use(const nvct_cuda_compat_note *note, int host_driver_major,
                               const char *host_cuda_version);

/* strconv.Atoi of the part before the first '.': NVIDIA's
 * extractMajorVersion ("" is 0). */
int nvct_cuda_compat_major(const char *version, int *ret_major, nvct_error **err);

/* The whole check inside the root: the folder `compat_root` (a container
 * path), its one regular file libcuda.so.*.*, and the versions. On success
 * *ret_use says whether the folder must go first. Nothing found (no folder,
 * no library, several) is not an error: *ret_use is false. A version that
 * does not parse is, as in NVIDIA's hook. `debug` (may be NULL) hears why. */
int nvct_cuda_compat_check(int root_fd, const char *compat_root, const char *host_driver_version,
                           const char *host_cuda_version, nvct_warn_fn debug, void *userdata,
                           bool *ret_use, nvct_error **err);

/* Makes sure a 00-compat-*.conf in the root's /etc/ld.so.conf.d lists
 * `folder` (one line): a file of exactly that content already there is
 * kept, else a new one is written atomically (mode 0644, so that a non-root
 * user's ldconfig may read it). *ret_name (when not NULL) gets its name. */
int nvct_cuda_compat_write_conf(int root_fd, const char *folder, char **ret_name, nvct_error **err);

#endif
