/* SPDX-License-Identifier: Apache-2.0 */
/* Files of a container's /etc/ld.so.conf.d that list folders for its
 * ldconfig: enable-cuda-compat's 00-compat-N.conf and update-ldcache's
 * 00-nvcr-N.conf, named as NVIDIA's hooks name them ("00-compat" sorts
 * before "00-nvcr": the compat libraries come first in the cache). */
#ifndef NVCT_CDIHOOK_LDSOCONF_H
#define NVCT_CDIHOOK_LDSOCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"

#define NVCT_LDSOCONFD "/etc/ld.so.conf.d"
#define NVCT_LDSOCONF_SUFFIX ".conf"
#define NVCT_LDSOCONF_NVCR_PREFIX "00-nvcr-"

/* Makes sure a PREFIX<N>.conf file in the root's /etc/ld.so.conf.d lists
 * `folders` (absolute container paths, one a line, duplicates once): a file
 * of exactly that content already there is kept (a root started again gets
 * no second one), else a new one is written atomically under a random N
 * (mode 0644: a non-root user's ldconfig reads it). With `create`, a
 * missing /etc/ld.so.conf.d is made; without, it returns -ENOENT and sets no
 * error. *ret_name (when not NULL) gets the file's name. */
int nvct_ldsoconf_write(int root_fd, const char *prefix, const char *const *folders,
                        size_t n_folders, bool create, char **ret_name, nvct_error **err);

/* Whether the root's /etc/ld.so.conf (a regular file, read inside the root,
 * at most 64 KiB) has an "include" line naming ld.so.conf.d, so that a file
 * there is read by ldconfig. */
bool nvct_ldsoconf_includes_confd(int root_fd);

#endif
