/* SPDX-License-Identifier: Apache-2.0 */
/* What the NVIDIA driver installed where under a driver root (the host's
 * "/", or a directory holding a driver's user-space files, as a driver
 * container does): its libraries (located through the root's ld.so.cache,
 * else the usual library directories), its binaries, its daemons' IPC
 * sockets, the GSP firmware of a driver version. Paths are resolved inside
 * the root (symlinks followed within it, nvct_rootfs_open), as a container
 * that mounts them would see them. The root is the administrator's, trusted
 * like any host path; its files are still read with bounded sizes. */
#ifndef NVCT_DRIVER_ROOT_H
#define NVCT_DRIVER_ROOT_H

#include <stdbool.h>
#include <sys/stat.h>

#include "ldcache.h"
#include "basic/error.h"
#include "basic/strv.h"

/* The driver's user-space libraries ("libcuda", without ".so"), by
 * capability as libnvidia-container groups them (utility, compute, video,
 * graphics, ngx), and its binaries. NULL-terminated. */
extern const char *const nvct_driver_libraries[];
extern const char *const nvct_driver_binaries[];

typedef struct nvct_driver_root {
        char *path;   /* as given: absolute */
        char *prefix; /* without a trailing '/' ("" for "/"): put before a path in the root */
        int fd;       /* O_PATH of the root */
        nvct_ldcache cache;
        bool have_cache;        /* the root has an /etc/ld.so.cache */
        nvct_strv library_dirs; /* the search path: library_search_paths, then defaults */
        /* What was looked up so far: each directory and name in it is
         * resolved once for the life of the object (one generation: the
         * tree is taken as it is when first looked at). Private. */
        struct nvct_driver_root_memo *memo;
        /* Called with each warning (a file the driver has but that cannot be
         * used); may be NULL. */
        nvct_warn_fn warn;
        void *userdata;
} nvct_driver_root;

/* Opens `root` (absolute) and reads its ld.so.cache when it has one.
 * Lookups are remembered (see memo): open one per generation.
 * `library_search_paths` (NULL-terminated, may be NULL) are absolute paths
 * in the root, searched before the default library directories. */
int nvct_driver_root_open(const char *root, const char *const *library_search_paths,
                          nvct_driver_root *ret_root, nvct_error **err);
void nvct_driver_root_clear(nvct_driver_root *root);

/* The host path of `path` in the root (prefix + path). NULL on OOM. */
char *nvct_driver_root_host_path(const nvct_driver_root *root, const char *path);

/* A folder's entries listed at most: a driver has about a hundred
 * libraries; a real library folder a few thousand files. */
#define NVCT_DRIVER_ROOT_MAX_DIR_ENTRIES (1u << 16)

/* Called with each entry of a folder: its name and d_type (DT_UNKNOWN when
 * the file system does not say). Negative (with *err) stops the listing. */
typedef int (*nvct_driver_root_entry_fn)(const char *name, unsigned char type, void *userdata,
                                         nvct_error **err);

/* Lists folder `dir` of the root (resolved inside it), calling `fn` with
 * each entry but "." and "..", in the file system's order. The listing is
 * remembered with the folder: later lookups of names in it take their
 * answer from it (an absent name or a regular file costs no system call, a
 * symlink one readlinkat). -ENOENT (and no error) when there is no such
 * folder; an error past NVCT_DRIVER_ROOT_MAX_DIR_ENTRIES entries. */
int nvct_driver_root_list_dir(const nvct_driver_root *root, const char *dir,
                              nvct_driver_root_entry_fn fn, void *userdata, nvct_error **err);

/* Resolves `path` inside the root: the path the file has there (absolute,
 * symlinks resolved), and its stat. -ENOENT (and no error) when it does not
 * exist. */
int nvct_driver_root_resolve(const nvct_driver_root *root, const char *path, char **ret_path,
                             struct stat *ret_st, nvct_error **err);

/* nvct_driver_root_resolve with the file's type only (st_mode & S_IFMT):
 * what a listed folder answers with no system call. */
int nvct_driver_root_resolve_type(const nvct_driver_root *root, const char *path, char **ret_path,
                                  mode_t *ret_type, nvct_error **err);

/* The regular file `soname` ("libnvidia-ml.so.1") names: the cache's native
 * entry, else the first library directory that has it; its resolved path in
 * the root. -ENOENT (and no error) when it has none. */
int nvct_driver_root_find_soname(const nvct_driver_root *root, const char *soname, char **ret_path,
                                 nvct_error **err);

/* `lib`.so.`version` ("libcuda", "550.54.15"): a native cache entry named
 * lib.so* that resolves to that regular file, else the first library
 * directory that has it; its resolved path. -ENOENT when absent. */
int nvct_driver_root_find_library(const nvct_driver_root *root, const char *lib,
                                  const char *version, char **ret_path, nvct_error **err);

/* The names the links to `lib` may have in its folder: the native cache
 * entries named lib.so* (SONAMEs), then lib.so.1 and the development link
 * lib.so; appended to *names, without duplicates. */
int nvct_driver_root_library_link_names(const nvct_driver_root *root, const char *lib,
                                        nvct_strv *names, nvct_error **err);

/* The symlink at `path` in the root, which the driver's install made: its
 * content, and the file it resolves to inside the root. -ENOENT (and no
 * error) when `path` is no symlink or does not resolve. */
int nvct_driver_root_read_link(const nvct_driver_root *root, const char *path, char **ret_target,
                               char **ret_resolved, nvct_error **err);

/* The binary `name` ("nvidia-smi"): the first of /usr/bin, /usr/sbin, /bin,
 * /sbin, /usr/local/bin, /usr/local/sbin that holds it as a regular file;
 * its resolved path. -ENOENT when absent. */
int nvct_driver_root_find_binary(const nvct_driver_root *root, const char *name, char **ret_path,
                                 nvct_error **err);

/* The driver daemons' sockets and pipe directories (nvidia-persistenced,
 * nvidia-fabricmanager, MPS) present in the root, resolved, appended to
 * *paths. One of another type is left out, with a warning. */
int nvct_driver_root_find_ipc(const nvct_driver_root *root, nvct_strv *paths, nvct_error **err);

/* The GSP firmware of driver `version`: /lib/firmware/nvidia/VERSION/gsp*.bin
 * regular files, in name order: the path where the kernel looks for each
 * (appended to *paths) and the resolved path of the file (to *resolved). */
int nvct_driver_root_find_firmware(const nvct_driver_root *root, const char *version,
                                   nvct_strv *paths, nvct_strv *resolved, nvct_error **err);

#endif
