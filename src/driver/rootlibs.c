/* SPDX-License-Identifier: Apache-2.0 */
/* The driver's libraries in a driver root: by SONAME, by name and version,
 * and the names their links may have, from the root's ld.so.cache (indexed
 * by library) and its library folders, each resolved through the root's
 * lookups (root.c). */
#define _GNU_SOURCE
#include "rootlibs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/hash.h"

void nvct_driver_root_libindex_clear(nvct_driver_root_libindex *index) {
        free(index->heads);
        free(index->next);
        *index = (nvct_driver_root_libindex){ 0 };
}

/* The first library directory holding the regular file `name`. */
static int find_in_library_dirs(const nvct_driver_root *root, const char *name, char **ret_path,
                                nvct_error **err) {
        for (size_t i = 0; i < root->library_dirs.n; i++) {
                _cleanup_free_ char *candidate = nvct_strjoin3(root->library_dirs.v[i], "/", name);
                if (candidate == NULL)
                        return nvct_driver_root_oom(err);
                int r = nvct_driver_root_resolve_regular(root, candidate, ret_path, err);
                if (r != -ENOENT)
                        return r;
        }
        return -ENOENT;
}

int nvct_driver_root_find_soname(const nvct_driver_root *root, const char *soname, char **ret_path,
                                 nvct_error **err) {
        const nvct_ldcache_entry *e =
                root->have_cache ? nvct_ldcache_lookup(&root->cache, soname) : NULL;
        if (e != NULL) {
                int r = nvct_driver_root_resolve_regular(root, e->path, ret_path, err);
                if (r != -ENOENT)
                        return r;
        }
        return find_in_library_dirs(root, soname, ret_path, err);
}

/* Whether the cache entry is a native one named `lib`.so*. */
static bool is_library_entry(const nvct_ldcache_entry *e, const char *lib) {
        size_t lib_len = strlen(lib);
        return nvct_ldcache_entry_is_native(e) && strncmp(e->name, lib, lib_len) == 0 &&
               strncmp(e->name + lib_len, ".so", 3) == 0;
}

/* Whether `path`'s file name is `lib`.so.`version`. */
static bool is_versioned_library(const char *path, const char *lib, const char *version) {
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        size_t lib_len = strlen(lib);
        return strncmp(base, lib, lib_len) == 0 && strncmp(base + lib_len, ".so.", 4) == 0 &&
               strcmp(base + lib_len + 4, version) == 0;
}

/* Builds the memo's index of the cache's native entries by library: the
 * name before its first ".so". Left unbuilt on OOM (lookups then scan). */
static void lib_index_build(const nvct_driver_root *root) {
        nvct_driver_root_libindex *m = nvct_driver_root_libindex_of(root);
        m->tried = true;
        size_t n = root->cache.n_entries, slots = 16;
        if (n >= UINT32_MAX / 4)
                return;
        while (slots < 2 * n)
                slots *= 2;
        m->heads = calloc(slots, sizeof(*m->heads));
        m->next = calloc(n + 1, sizeof(*m->next));
        if (m->heads == NULL || m->next == NULL) {
                free(m->heads);
                free(m->next);
                m->heads = m->next = NULL;
                return;
        }
        m->mask = slots - 1;
        /* From the last entry, so that each chain is in file order. */
        for (size_t i = n; i-- > 0;) {
                const nvct_ldcache_entry *e = &root->cache.entries[i];
                const char *so = strstr(e->name, ".so");
                if (so == NULL || !nvct_ldcache_entry_is_native(e))
                        continue;
                size_t h = (size_t)nvct_hash(e->name, (size_t)(so - e->name)) & m->mask;
                m->next[i] = m->heads[h];
                m->heads[h] = (uint32_t)(i + 1);
        }
}

/* The cache's entries is_library_entry takes for `lib`, in file order:
 * from the index where it applies, else by a scan. */
typedef struct lib_iter {
        const char *lib;
        size_t next; /* chained: entry index + 1 (0: no more); scanning: index */
        bool chained;
} lib_iter;

static void lib_iter_init(const nvct_driver_root *root, const char *lib, lib_iter *it) {
        *it = (lib_iter){ .lib = lib };
        nvct_driver_root_libindex *m = nvct_driver_root_libindex_of(root);
        if (!root->have_cache || m == NULL)
                return;
        if (!m->tried)
                lib_index_build(root);
        /* A library name holding ".so" could match entries whose first
         * ".so" comes earlier: those are scanned. Without one, an entry
         * matches only where its first ".so" follows the name (a ".so"
         * across the name's end would need name[len] to be both '.' and
         * 's' or 'o'). */
        if (m->heads == NULL || strstr(lib, ".so") != NULL)
                return;
        it->chained = true;
        it->next = m->heads[(size_t)nvct_hash(lib, strlen(lib)) & m->mask];
}

static const nvct_ldcache_entry *lib_iter_next(const nvct_driver_root *root, lib_iter *it) {
        if (!root->have_cache)
                return NULL;
        while (it->chained && it->next != 0) {
                const nvct_ldcache_entry *e = &root->cache.entries[it->next - 1];
                it->next = nvct_driver_root_libindex_of(root)->next[it->next - 1];
                if (is_library_entry(e, it->lib))
                        return e;
        }
        while (!it->chained && it->next < root->cache.n_entries) {
                const nvct_ldcache_entry *e = &root->cache.entries[it->next++];
                if (is_library_entry(e, it->lib))
                        return e;
        }
        return NULL;
}

int nvct_driver_root_find_library(const nvct_driver_root *root, const char *lib,
                                  const char *version, char **ret_path, nvct_error **err) {
        lib_iter it;
        lib_iter_init(root, lib, &it);
        for (const nvct_ldcache_entry *e; (e = lib_iter_next(root, &it)) != NULL;) {
                _cleanup_free_ char *resolved = NULL;
                int r = nvct_driver_root_resolve_regular(root, e->path, &resolved, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return -1;
                if (is_versioned_library(resolved, lib, version)) {
                        *ret_path = TAKE_PTR(resolved);
                        return 0;
                }
        }
        _cleanup_free_ char *name = NULL;
        if (asprintf(&name, "%s.so.%s", lib, version) < 0)
                return nvct_driver_root_oom(err);
        return find_in_library_dirs(root, name, ret_path, err);
}

int nvct_driver_root_library_link_names(const nvct_driver_root *root, const char *lib,
                                        nvct_strv *names, nvct_error **err) {
        lib_iter it;
        lib_iter_init(root, lib, &it);
        for (const nvct_ldcache_entry *e; (e = lib_iter_next(root, &it)) != NULL;)
                if (strchr(e->name, '/') == NULL &&
                    nvct_driver_root_add_unique(names, e->name, err) < 0)
                        return -1;
        /* lib.so.1, then lib.so (snprintf cost more than the rest). */
        _cleanup_free_ char *name = nvct_strjoin3(lib, ".so.1", NULL);
        if (name == NULL)
                return nvct_driver_root_oom(err);
        if (nvct_driver_root_add_unique(names, name, err) < 0)
                return -1;
        name[strlen(name) - 2] = '\0';
        return nvct_driver_root_add_unique(names, name, err);
}
