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

/* What a name is matched against, prepared once for the thousands of
 * names of a real host's cache and library folder: most are rejected by
 * their last byte, or by the prefixes' common start. */
typedef struct pattern {
        const char *version;
        size_t vlen;
        const char *const *prefixes; /* may be NULL */
        size_t stem;                 /* bytes every prefix starts with */
} pattern;

static pattern pattern_make(const char *version, const char *const *prefixes) {
        pattern p = { .version = version, .vlen = strlen(version), .prefixes = prefixes };
        if (prefixes != NULL && prefixes[0] != NULL) {
                p.stem = strlen(prefixes[0]);
                for (const char *const *q = prefixes + 1; *q != NULL; q++) {
                        size_t i = 0;
                        while (i < p.stem && (*q)[i] == prefixes[0][i])
                                i++;
                        p.stem = i;
                }
        }
        return p;
}

static bool has_stem(const pattern *p, const char *name, size_t n) {
        return p->prefixes != NULL && p->prefixes[0] != NULL && n >= p->stem &&
               memcmp(name, p->prefixes[0], p->stem) == 0;
}

/* nvct_libscan_is_versioned or nvct_libscan_is_dotted for a prefix; `n`
 * is strlen(name). */
static bool matches(const pattern *p, const char *name, size_t n) {
        if (p->vlen > 0 && n >= p->vlen + 5 && name[n - 1] == p->version[p->vlen - 1] &&
            memcmp(name + n - p->vlen - 4, ".so.", 4) == 0 &&
            memcmp(name + n - p->vlen, p->version, p->vlen) == 0)
                return true;
        if (!has_stem(p, name, n))
                return false;
        for (const char *const *q = p->prefixes; *q != NULL; q++)
                if (nvct_libscan_is_dotted(name, *q))
                        return true;
        return false;
}

/* `path` in the root, resolved; added when it is a regular file whose
 * resolved name matches too (a link named like the driver's library that
 * leads elsewhere is not the driver's). */
static int take(const nvct_driver_root *root, const char *path, const pattern *pat,
                nvct_strv *paths, nvct_error **err) {
        _cleanup_free_ char *resolved = NULL;
        mode_t type;
        int r = nvct_driver_root_resolve_type(root, path, &resolved, &type, err);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return -1;
        const char *base = base_of(resolved);
        if (type != S_IFREG || !matches(pat, base, strlen(base)) ||
            nvct_strv_contains(paths, resolved))
                return 0;
        if (paths->n >= NVCT_LIBSCAN_MAX_MATCHES) {
                _cleanup_free_ char *q = nvct_quote_path(root->path);
                return nvct_error_make(err, 0,
                                       "driver root %s: more than %u libraries of driver %s",
                                       nvct_quoted(q), NVCT_LIBSCAN_MAX_MATCHES, pat->version);
        }
        return nvct_strv_push(paths, TAKE_PTR(resolved)) < 0 ? oom(err) : 0;
}

/* Whether a cache entry may be one: its name (a SONAME) matches, or is a
 * prefix's SONAME ("libnvidia-egl-gbm.so.1", whose file is
 * libnvidia-egl-gbm.so.1.1.2). The file it leads to is checked by take(). */
static bool entry_may_match(const pattern *p, const nvct_ldcache_entry *e) {
        size_t n = strlen(e->name);
        if (matches(p, e->name, n))
                return true;
        if (!has_stem(p, e->name, n))
                return false;
        for (const char *const *q = p->prefixes; *q != NULL; q++) {
                size_t len = strlen(*q);
                if (strncmp(e->name, *q, len) == 0 && strncmp(e->name + len, ".so.", 4) == 0)
                        return true;
        }
        return false;
}

static int scan_cache(const nvct_driver_root *root, const pattern *pat, nvct_strv *paths,
                      nvct_error **err) {
        if (!root->have_cache)
                return 0;
        for (size_t i = 0; i < root->cache.n_entries; i++) {
                const nvct_ldcache_entry *e = &root->cache.entries[i];
                if (!entry_may_match(pat, e) || !nvct_ldcache_entry_is_native(e) ||
                    e->path[0] != '/')
                        continue;
                if (take(root, e->path, pat, paths, err) < 0)
                        return -1;
        }
        return 0;
}

typedef struct dir_scan {
        const pattern *pat;
        nvct_strv *names;
} dir_scan;

static int dir_entry(const char *name, unsigned char type, void *userdata, nvct_error **err) {
        const dir_scan *s = userdata;
        if (type != DT_REG && type != DT_LNK && type != DT_UNKNOWN)
                return 0;
        if (matches(s->pat, name, strlen(name)) && nvct_strv_add(s->names, name) < 0)
                return oom(err);
        return 0;
}

/* The matching names of folder `dir`, in name order (the listing's order
 * is the file system's). The folder is listed through the root
 * (nvct_driver_root_list_dir): opened inside it, as every lookup of the
 * driver root is, and remembered, so that the lookups of its names that
 * follow need no system call. */
static int dir_names(const nvct_driver_root *root, const char *dir, const pattern *pat,
                     nvct_strv *names, nvct_error **err) {
        dir_scan s = { .pat = pat, .names = names };
        int r = nvct_driver_root_list_dir(root, dir, dir_entry, &s, err);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return -1;
        if (names->n > 1)
                qsort(names->v, names->n, sizeof(*names->v), cmp_str);
        return 0;
}

/* Takes each of `names`, in folder `dir`. */
static int take_names(const nvct_driver_root *root, const char *dir, const nvct_strv *names,
                      const pattern *pat, nvct_strv *paths, nvct_error **err) {
        size_t d = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
        for (size_t i = 0; i < names->n; i++) {
                /* Joined by hand: asprintf cost more than the lookup, for
                 * every name of the folder. */
                size_t n = strlen(names->v[i]);
                _cleanup_free_ char *path = malloc(d + n + 2);
                if (path == NULL)
                        return oom(err);
                memcpy(path, dir, d);
                path[d] = '/';
                memcpy(path + d + 1, names->v[i], n + 1);
                if (take(root, path, pat, paths, err) < 0)
                        return -1;
        }
        return 0;
}

int nvct_driver_root_scan_libraries(const nvct_driver_root *root, const char *version,
                                    const char *const *dirs, const char *const *prefixes,
                                    nvct_strv *paths, nvct_error **err) {
        const pattern pat = pattern_make(version, prefixes);
        /* The folders are listed first: the cache's entries are in them,
         * mostly, and each is then resolved from the listing. */
        size_t n_dirs = 0;
        while (dirs != NULL && dirs[n_dirs] != NULL)
                n_dirs++;
        nvct_strv *names = calloc(n_dirs + 1, sizeof(*names));
        if (names == NULL)
                return oom(err);
        int r = 0;
        for (size_t i = 0; r == 0 && i < n_dirs; i++)
                r = dir_names(root, dirs[i], &pat, &names[i], err);
        if (r == 0)
                r = scan_cache(root, &pat, paths, err);
        for (size_t i = 0; r == 0 && i < n_dirs; i++)
                r = take_names(root, dirs[i], &names[i], &pat, paths, err);
        for (size_t i = 0; i < n_dirs; i++)
                nvct_strv_clear(&names[i]);
        free(names);
        return r < 0 ? -1 : 0;
}
