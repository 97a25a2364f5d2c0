/* SPDX-License-Identifier: Apache-2.0 */
/* The driver's libraries by pattern. The cache is matched by string first:
 * only an entry whose name already looks like the driver's is resolved, so
 * a host's thousands of other libraries cost a string compare each. A
 * folder is read with getdents (a few calls for thousands of names), never
 * stat'ed name by name. */
#define _GNU_SOURCE
#include "libscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/quote.h"
#include "basic/rootfs.h"

static int oom(nvct_error **err) {
        return nvct_error_make(err, ENOMEM, "driver root");
}

bool nvct_libscan_is_versioned(const char *name, const char *version) {
        size_t n = strlen(name), v = strlen(version);
        /* NAME ".so." VERSION, NAME non-empty. */
        if (v == 0 || n < v + 5)
                return false;
        return memcmp(name + n - v - 4, ".so.", 4) == 0 && strcmp(name + n - v, version) == 0;
}

bool nvct_libscan_is_dotted(const char *name, const char *prefix) {
        size_t p = strlen(prefix);
        if (strncmp(name, prefix, p) != 0 || strncmp(name + p, ".so.", 4) != 0)
                return false;
        /* A version: digits and dots, at least one dot, none first or last
         * ("1.1.2", not "1.1.2.bak", which NVIDIA's glob would take). */
        const char *rest = name + p + 4;
        size_t len = strlen(rest);
        return len >= 3 && strspn(rest, "0123456789.") == len && strchr(rest, '.') != NULL &&
               rest[0] != '.' && rest[len - 1] != '.';
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *base_of(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash != NULL ? slash + 1 : path;
}

static bool name_matches(const char *name, const char *version, const char *const *prefixes) {
        if (nvct_libscan_is_versioned(name, version))
                return true;
        for (const char *const *p = prefixes; p != NULL && *p != NULL; p++)
                if (nvct_libscan_is_dotted(name, *p))
                        return true;
        return false;
}

/* `path` in the root, resolved; added when it is a regular file whose
 * resolved name matches too (a link named like the driver's library that
 * leads elsewhere is not the driver's). */
static int take(const nvct_driver_root *root, const char *path, const char *version,
                const char *const *prefixes, nvct_strv *paths, nvct_error **err) {
        _cleanup_free_ char *resolved = NULL;
        struct stat st;
        int r = nvct_driver_root_resolve(root, path, &resolved, &st, err);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return -1;
        if (!S_ISREG(st.st_mode) || !name_matches(base_of(resolved), version, prefixes) ||
            nvct_strv_contains(paths, resolved))
                return 0;
        if (paths->n >= NVCT_LIBSCAN_MAX_MATCHES) {
                _cleanup_free_ char *q = nvct_quote_path(root->path);
                return nvct_error_make(err, 0,
                                       "driver root %s: more than %u libraries of driver %s",
                                       nvct_quoted(q), NVCT_LIBSCAN_MAX_MATCHES, version);
        }
        return nvct_strv_push(paths, TAKE_PTR(resolved)) < 0 ? oom(err) : 0;
}

/* Whether a cache entry may be one: its name or its path's file name
 * matches, or its name is a prefix's SONAME ("libnvidia-egl-gbm.so.1",
 * whose file is libnvidia-egl-gbm.so.1.1.2). */
static bool entry_may_match(const nvct_ldcache_entry *e, const char *version,
                            const char *const *prefixes) {
        if (name_matches(e->name, version, prefixes) ||
            name_matches(base_of(e->path), version, prefixes))
                return true;
        for (const char *const *p = prefixes; p != NULL && *p != NULL; p++) {
                size_t n = strlen(*p);
                if (strncmp(e->name, *p, n) == 0 && strncmp(e->name + n, ".so.", 4) == 0)
                        return true;
        }
        return false;
}

static int scan_cache(const nvct_driver_root *root, const char *version,
                      const char *const *prefixes, nvct_strv *paths, nvct_error **err) {
        if (!root->have_cache)
                return 0;
        for (size_t i = 0; i < root->cache.n_entries; i++) {
                const nvct_ldcache_entry *e = &root->cache.entries[i];
                if (!nvct_ldcache_entry_is_native(e) || e->path[0] != '/' ||
                    !entry_may_match(e, version, prefixes))
                        continue;
                if (take(root, e->path, version, prefixes, paths, err) < 0)
                        return -1;
        }
        return 0;
}

/* The matching names of folder `dir`, in name order (readdir's order is
 * the file system's). */
static int dir_names(const nvct_driver_root *root, const char *dir, const char *version,
                     const char *const *prefixes, nvct_strv *names, nvct_error **err) {
        int fd = -1;
        _cleanup_error_ nvct_error *absent = NULL;
        /* Security: opened inside the root (nvct_rootfs_open), as every
         * lookup of the driver root is. */
        if (nvct_rootfs_open(root->fd, dir, O_RDONLY | O_DIRECTORY, &fd, &absent) < 0)
                return 0;
        DIR *d = fdopendir(fd);
        if (d == NULL) {
                close(fd);
                return oom(err);
        }
        struct dirent *de;
        size_t seen = 0;
        int r = 0;
        while (r == 0 && (de = readdir(d)) != NULL) {
                if (++seen > NVCT_LIBSCAN_MAX_ENTRIES) {
                        _cleanup_free_ char *q = nvct_quote_path(dir);
                        r = nvct_error_make(err, 0, "driver root: %s holds more than %u entries",
                                            nvct_quoted(q), NVCT_LIBSCAN_MAX_ENTRIES);
                        break;
                }
                if (de->d_type != DT_REG && de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
                        continue;
                if (name_matches(de->d_name, version, prefixes) &&
                    nvct_strv_add(names, de->d_name) < 0)
                        r = oom(err);
        }
        closedir(d);
        if (r == 0 && names->n > 1)
                qsort(names->v, names->n, sizeof(*names->v), cmp_str);
        return r;
}

int nvct_driver_root_scan_libraries(const nvct_driver_root *root, const char *version,
                                    const char *const *dirs, const char *const *prefixes,
                                    nvct_strv *paths, nvct_error **err) {
        if (scan_cache(root, version, prefixes, paths, err) < 0)
                return -1;
        for (const char *const *dir = dirs; dir != NULL && *dir != NULL; dir++) {
                nvct_strv names = { 0 };
                int r = dir_names(root, *dir, version, prefixes, &names, err);
                for (size_t i = 0; r == 0 && i < names.n; i++) {
                        _cleanup_free_ char *path = NULL;
                        if (asprintf(&path, "%s/%s", strcmp(*dir, "/") == 0 ? "" : *dir,
                                     names.v[i]) < 0) {
                                path = NULL;
                                r = oom(err);
                                break;
                        }
                        r = take(root, path, version, prefixes, paths, err);
                }
                nvct_strv_clear(&names);
                if (r < 0)
                        return -1;
        }
        return 0;
}
