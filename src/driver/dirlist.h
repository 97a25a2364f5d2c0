/* SPDX-License-Identifier: Apache-2.0 */
/* A folder's entries, read once with getdents and kept: each name's type
 * (d_type) found by a hash. A driver root's library folder is read anyway
 * to find the driver's libraries by pattern; kept, it answers "is there
 * such a name" and "is it a regular file or a symlink" for the hundred
 * names looked up there, which would otherwise cost a system call each. */
#ifndef NVCT_DRIVER_DIRLIST_H
#define NVCT_DRIVER_DIRLIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct nvct_dirlist {
        char *names;     /* each entry's name, NUL-terminated, one after another */
        uint32_t *off;   /* where entry i's name starts in names */
        uint8_t *type;   /* entry i's d_type (DT_UNKNOWN when the file system does not say) */
        uint32_t *slots; /* the hash: entry index + 1, 0 for none */
        size_t n, mask, bytes, cap_n, cap_bytes;
} nvct_dirlist;

/* Reads every entry but "." and ".." of directory `fd` (opened for reading,
 * at its start) into *ret, in the file system's order. At most
 * `max_entries`: past that, -E2BIG. -errno on a read error or OOM; *ret
 * is then empty. */
int nvct_dirlist_read(int fd, size_t max_entries, nvct_dirlist *ret);

/* Entry `name`'s d_type, or -1 when the folder has no such entry. */
int nvct_dirlist_find(const nvct_dirlist *list, const char *name);

static inline const char *nvct_dirlist_name(const nvct_dirlist *list, size_t i) {
        return list->names + list->off[i];
}

void nvct_dirlist_clear(nvct_dirlist *list);

#endif
