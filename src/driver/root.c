/* SPDX-License-Identifier: Apache-2.0 */
/* Where a driver root holds the driver's files. Every lookup resolves inside
 * the root (nvct_rootfs_open), so that an absolute symlink of a driver
 * container's tree points into that tree, never at the host's own files. */
#define _GNU_SOURCE
#include "root.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "basic/cleanup.h"
#include "basic/hash.h"
#include "basic/quote.h"
#include "basic/rootfs.h"
#include "dirlist.h"
#include "rootlibs.h"

const char *const nvct_driver_libraries[] = {
        /* utility */
        "libnvidia-ml",
        "libnvidia-cfg",
        "libnvidia-nscq",
        /* compute */
        "libcuda",
        "libcudadebugger",
        "libnvidia-opencl",
        "libnvidia-gpucomp",
        "libnvidia-ptxjitcompiler",
        "libnvidia-fatbinaryloader",
        "libnvidia-allocator",
        "libnvidia-compiler",
        "libnvidia-pkcs11",
        "libnvidia-pkcs11-openssl3",
        "libnvidia-nvvm",
        /* video */
        "libvdpau_nvidia",
        "libnvidia-encode",
        "libnvidia-opticalflow",
        "libnvcuvid",
        /* graphics */
        "libnvidia-eglcore",
        "libnvidia-glcore",
        "libnvidia-tls",
        "libnvidia-glsi",
        "libnvidia-fbc",
        "libnvidia-ifr",
        "libnvidia-rtcore",
        "libnvoptix",
        "libGLX_nvidia",
        "libEGL_nvidia",
        "libGLESv2_nvidia",
        "libGLESv1_CM_nvidia",
        "libnvidia-glvkspirv",
        "libnvidia-cbl",
        /* ngx */
        "libnvidia-ngx",
        NULL,
};

const char *const nvct_driver_binaries[] = {
        "nvidia-smi",
        "nvidia-debugdump",
        "nvidia-persistenced",
        "nvidia-cuda-mps-control",
        "nvidia-cuda-mps-server",
        "nvidia-imex",
        "nvidia-imex-ctl",
        NULL,
};

/* Library directories searched, after the caller's, when the root has no
 * ld.so.cache or a library is not in it. */
static const char *const default_library_dirs[] = {
        "/usr/lib64",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/lib64",
        "/lib/x86_64-linux-gnu",
        "/lib/aarch64-linux-gnu",
        "/usr/lib",
        "/lib",
};

int nvct_driver_root_oom(nvct_error **err) {
        return nvct_error_make(err, ENOMEM, "driver root");
}

/* Adds a copy of `s` to `list` unless it holds it already. */
int nvct_driver_root_add_unique(nvct_strv *list, const char *s, nvct_error **err) {
        if (nvct_strv_contains(list, s))
                return 0;
        return nvct_strv_add(list, s) < 0 ? nvct_driver_root_oom(err) : 0;
}

int nvct_driver_root_resolve_regular(const nvct_driver_root *root, const char *path,
                                     char **ret_path, nvct_error **err) {
        _cleanup_free_ char *resolved = NULL;
        mode_t type;
        int r = nvct_driver_root_resolve_type(root, path, &resolved, &type, err);
        if (r < 0)
                return r;
        if (type != S_IFREG)
                return -ENOENT;
        *ret_path = TAKE_PTR(resolved);
        return 0;
}

char *nvct_driver_root_host_path(const nvct_driver_root *root, const char *path) {
        return nvct_strjoin3(root->prefix, path, NULL);
}

/* An error about `path` in the root: the host path, quoted. */
static int path_error(const nvct_driver_root *root, nvct_error **err, int errno_,
                      const char *before, const char *path, const char *after) {
        _cleanup_free_ char *host_path = nvct_driver_root_host_path(root, path);
        _cleanup_free_ char *q = host_path != NULL ? nvct_quote_path(host_path) : NULL;
        return nvct_error_make(err, errno_, "%s%s%s", before, nvct_quoted(q), after);
}

/* ---- lookups, each made once: the types ----
 * A generation resolves the same few paths again and again: a library's
 * cache entry, then each of its links, whose targets are names in the same
 * folder. Resolving one from the root costs openat2(RESOLVE_IN_ROOT), fstat,
 * a readlink of /proc/self/fd/N (the kernel's d_path: the only way to learn
 * where it led) and close. The memo resolves a folder that way once and
 * keeps it open; a name in it is then looked at on that fd with one fstatat
 * (AT_SYMLINK_NOFOLLOW), and a symlink whose content is a plain name of the
 * same folder ("libcuda.so.1" -> "libcuda.so.550.54.15") is followed by
 * hand on the same fd, as the kernel would. See memo_lookup for why this is
 * exactly as confined as a lookup from the root. A folder with no symlink
 * on its way needs no readlink of /proc (open_plain_dir), and one listed
 * (nvct_driver_root_list_dir: the driver's library folders, which the
 * pattern scan reads anyway) answers from its listing: an absent name or a
 * regular file costs no system call, a symlink its readlinkat. */

/* Symlinks a name's chain may follow by hand (real installs have one or
 * two); a longer chain is resolved from the root, where the kernel counts
 * them. Folders and names remembered, at most: past that, lookups are made
 * from the root (the cache is the administrator's, but no bound is no
 * bound). */
#define MEMO_MAX_HOPS 8
#define MEMO_MAX_DIRS 64
#define MEMO_MAX_NAMES 16384

typedef enum memo_state {
        NAME_PENDING, /* being resolved: met again, it is a loop */
        NAME_FOUND,
        NAME_ABSENT, /* as resolve's -ENOENT: missing, dangling, a loop */
        NAME_SLOW,   /* to resolve from the root, as before */
} memo_state;

typedef struct memo_name {
        uint32_t hash;
        memo_state state;
        bool lstat_ok; /* what it is (a symlink or not) is known */
        bool st_full;  /* NAME_FOUND: st is fstatat's, not only the type a listing gave */
        unsigned hops; /* symlinks followed to the file; MEMO_MAX_HOPS when unknown */
        char *name;
        char *target;   /* a symlink's content; NULL for anything else */
        char *resolved; /* NAME_FOUND: the file's resolved path in the root */
        struct stat st; /* NAME_FOUND: the file's */
} memo_name;

typedef struct memo_dir {
        char *path;     /* as asked, in the root */
        int status;     /* 0; -ENOENT: resolve says -ENOENT under it; -1: not for the memo */
        int fd;         /* -1 unless status is 0 and the folder is its own table */
        bool readable;  /* fd is open for reading (getdents), not O_PATH */
        size_t table;   /* the entry holding the names: the first that resolved alike */
        char *resolved; /* its resolved path in the root */
        size_t path_len;
        memo_name *names; /* in the table's entry */
        size_t n_names, cap;
        uint32_t *slots; /* names by hash: index + 1, 0 for none; slot_mask + 1 of them */
        size_t slot_mask;
        /* The table's folder listed (nvct_driver_root_list_dir): a name it
         * lacks is absent, and one it says is a regular file or folder is
         * that, with no system call; a symlink costs its readlinkat. */
        bool listed, list_failed;
        nvct_dirlist list;
} memo_dir;

struct nvct_driver_root_memo {
        memo_dir *dirs; /* grown as folders are met: a handful per generation */
        size_t n_dirs, cap_dirs;
        size_t last;                    /* the folder memo_dir_get found last */
        size_t n_names;                 /* in all the tables */
        nvct_driver_root_libindex libs; /* the cache by library: rootlibs.c */
        char *real;                     /* the root's canonical path: root_real */
};

static void memo_free(struct nvct_driver_root_memo *memo) {
        if (memo == NULL)
                return;
        for (size_t i = 0; i < memo->n_dirs; i++) {
                memo_dir *d = &memo->dirs[i];
                for (size_t j = 0; j < d->n_names; j++) {
                        free(d->names[j].name);
                        free(d->names[j].target);
                        free(d->names[j].resolved);
                }
                free(d->names);
                free(d->slots);
                free(d->path);
                free(d->resolved);
                nvct_dirlist_clear(&d->list);
                if (d->fd >= 0)
                        close(d->fd);
        }
        free(memo->dirs);
        nvct_driver_root_libindex_clear(&memo->libs);
        free(memo->real);
        free(memo);
}
nvct_driver_root_libindex *nvct_driver_root_libindex_of(const nvct_driver_root *root) {
        return root->memo != NULL ? &root->memo->libs : NULL;
}

void nvct_driver_root_clear(nvct_driver_root *root) {
        free(root->path);
        free(root->prefix);
        if (root->fd >= 0)
                close(root->fd);
        if (root->have_cache)
                nvct_ldcache_clear(&root->cache);
        nvct_strv_clear(&root->library_dirs);
        memo_free(root->memo);
        *root = (nvct_driver_root){ .fd = -1 };
}

static int open_paths(nvct_driver_root *r, const char *root, nvct_error **err) {
        if (root == NULL || root[0] != '/') {
                _cleanup_free_ char *q = nvct_quote(root ? root : "", root ? strlen(root) : 0);
                return nvct_error_make(err, 0, "the driver root must be an absolute path, not %s",
                                       nvct_quoted(q));
        }
        size_t len = strlen(root);
        while (len > 0 && root[len - 1] == '/')
                len--;
        r->path = strdup(root);
        r->prefix = nvct_memdup0(root, len);
        if (r->path == NULL || r->prefix == NULL)
                return nvct_driver_root_oom(err);
        if (nvct_rootfs_open_root(root, &r->fd, err) < 0)
                return nvct_error_prefix(err, "driver root");
        return 0;
}

int nvct_driver_root_open(const char *root, const char *const *library_search_paths,
                          nvct_driver_root *ret_root, nvct_error **err) {
        nvct_driver_root r = { .fd = -1 };
        _cleanup_free_ char *cache_path = NULL;
        if (open_paths(&r, root, err) < 0)
                goto fail;
        cache_path = nvct_driver_root_host_path(&r, "/etc/ld.so.cache");
        if (cache_path == NULL) {
                nvct_driver_root_oom(err);
                goto fail;
        }
        int c = nvct_ldcache_load(cache_path, true, &r.cache, err);
        if (c < 0 && c != -ENOENT)
                goto fail;
        r.have_cache = c == 0;
        for (const char *const *p = library_search_paths; p != NULL && *p != NULL; p++) {
                if ((*p)[0] != '/') {
                        _cleanup_free_ char *q = nvct_quote(*p, strlen(*p));
                        nvct_error_make(err, 0,
                                        "a library search path must be absolute (a path in the "
                                        "driver root), not %s",
                                        nvct_quoted(q));
                        goto fail;
                }
                if (nvct_driver_root_add_unique(&r.library_dirs, *p, err) < 0)
                        goto fail;
        }
        for (size_t i = 0; i < ARRAY_SIZE(default_library_dirs); i++)
                if (nvct_driver_root_add_unique(&r.library_dirs, default_library_dirs[i], err) < 0)
                        goto fail;
        r.memo = calloc(1, sizeof(*r.memo));
        if (r.memo == NULL) {
                nvct_driver_root_oom(err);
                goto fail;
        }
        *ret_root = r;
        return 0;
fail:
        nvct_driver_root_clear(&r);
        return -1;
}

/* The root's canonical path, found on first use: most generations never
 * need it (see open_plain_dir), and realpath reads each component's link. */
static const char *root_real(const nvct_driver_root *root, nvct_error **err) {
        struct nvct_driver_root_memo *m = root->memo;
        if (m != NULL && m->real != NULL)
                return m->real;
        char *real = m != NULL ? realpath(root->path, NULL) : NULL;
        if (real == NULL) {
                _cleanup_free_ char *q = nvct_quote_path(root->path);
                nvct_error_make(err, m != NULL ? errno : ENOMEM, "driver root %s", nvct_quoted(q));
                return NULL;
        }
        return m->real = real;
}

/* The resolved path in the root of what `fd` (opened inside it) refers to:
 * the kernel's own account of where the lookup led. */
static int fd_path_in_root(const nvct_driver_root *root, int fd, const char *path, char **ret_path,
                           nvct_error **err) {
        const char *root_path = root_real(root, err);
        if (root_path == NULL)
                return -1;
        char proc[64], real[PATH_MAX];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(proc, real, sizeof(real) - 1);
        if (n < 0)
                return path_error(root, err, errno, "cannot resolve ", path, "");
        real[n] = '\0';
        size_t rlen = strlen(root_path);
        const char *inside = real;
        if (rlen > 1) {
                if (strncmp(real, root_path, rlen) != 0 ||
                    (real[rlen] != '/' && real[rlen] != '\0'))
                        return path_error(root, err, 0, "", path,
                                          " resolves outside the driver root");
                inside = real + rlen;
        }
        char *p = strdup(inside[0] ? inside : "/");
        if (p == NULL)
                return nvct_driver_root_oom(err);
        *ret_path = p;
        return 0;
}

/* Resolution from the root: nvct_rootfs_open, then where it led. */
static int resolve_from_root(const nvct_driver_root *root, const char *path, char **ret_path,
                             struct stat *ret_st, nvct_error **err) {
        _cleanup_close_ int fd = -1;
        _cleanup_error_ nvct_error *local = NULL;
        if (nvct_rootfs_open(root->fd, path, O_PATH, &fd, &local) < 0) {
                int status = local != NULL ? local->status : 0;
                if (status == ENOENT || status == ENOTDIR || status == ELOOP)
                        return -ENOENT;
                /* The first error wins: one already in *err stays, and a NULL
                 * err is allowed (this assigned *err unconditionally). */
                if (err != NULL && *err == NULL)
                        *err = TAKE_PTR(local);
                return -1;
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return path_error(root, err, errno, "cannot stat ", path, "");
        if (fd_path_in_root(root, fd, path, ret_path, err) < 0)
                return -1;
        *ret_st = st;
        return 0;
}

/* ---- lookups, each made once ---- */

/* The project's one keyed hash (basic/hash.h), as every table's. */
static uint32_t name_hash(const char *s) {
        return (uint32_t)nvct_hash(s, strlen(s));
}

/* An absolute path without "//", ".", ".." or a trailing '/': its folder
 * and file name are plain prefix and suffix. Others go from the root. */
static bool is_plain_path(const char *path) {
        if (path[0] != '/')
                return false;
        /* Each '/' starts a component, which must not be empty, "." or "..". */
        for (const char *p = path; *p != '\0'; p = strchrnul(p + 1, '/')) {
                const char *c = p + 1;
                if (*c == '/' || *c == '\0')
                        return false;
                if (c[0] == '.' &&
                    (c[1] == '/' || c[1] == '\0' || (c[1] == '.' && (c[2] == '/' || c[2] == '\0'))))
                        return false;
        }
        return true;
}

/* A symlink content that names a file of the link's own folder. */
static bool is_plain_name(const char *s) {
        return s[0] != '\0' && strchr(s, '/') == NULL && strcmp(s, ".") != 0 &&
               strcmp(s, "..") != 0;
}

static char *join_name(const char *dir, const char *name) {
        return nvct_strjoin3(strcmp(dir, "/") == 0 ? "" : dir, "/", name);
}

/* Opens plain path `path` (is_plain_path) in the root when no component
 * of it is a symlink: the fd, or -errno. Where it led is then the path
 * itself (no ".", ".." or link to take it elsewhere), and the kernel need
 * not be asked with a readlink of /proc/self/fd/N, the dearest call of a
 * lookup. Opened for reading, so that it can be listed (a folder that
 * cannot be read goes the usual way, O_PATH). -ELOOP: a symlink is on the
 * way, to be resolved as any path is;
 * -ENOENT and -ENOTDIR are the answer any resolution would give (every
 * component before the missing one is a real folder); others (no openat2,
 * a seccomp filter's EPERM) go the usual way too. Security: RESOLVE_IN_ROOT
 * with RESOLVE_NO_SYMLINKS confines the lookup more than
 * nvct_rootfs_open does, never less. */
static int open_plain_dir(const nvct_driver_root *root, const char *path) {
        struct open_how how = {
                .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        long fd = syscall(SYS_openat2, root->fd, path, &how, sizeof(how));
        return fd >= 0 ? (int)fd : -errno;
}

/* Whether folder `path`'s parent, listed already, says it has no folder
 * of that name: no entry (the kernel's ENOENT), or one of another type
 * than a folder or symlink (ENOTDIR); resolution would say -ENOENT. */
static bool memo_parent_lacks(const nvct_driver_root *root, const char *path) {
        const struct nvct_driver_root_memo *m = root->memo;
        const char *slash = strrchr(path, '/');
        if (slash == NULL || slash[1] == '\0')
                return false;
        size_t len = slash == path ? 1 : (size_t)(slash - path);
        for (size_t i = 0; i < m->n_dirs; i++) {
                const memo_dir *p = &m->dirs[i];
                if (strncmp(p->path, path, len) != 0 || p->path[len] != '\0' || p->status != 0)
                        continue;
                const memo_dir *t = &m->dirs[p->table];
                if (!t->listed)
                        return false;
                int type = nvct_dirlist_find(&t->list, slash + 1);
                return type < 0 || (type != DT_DIR && type != DT_LNK && type != DT_UNKNOWN);
        }
        return false;
}

/* Opens and resolves folder `d` (d->path) from the root. Security: the
 * folder is resolved as any path is (nvct_rootfs_open: RESOLVE_IN_ROOT or
 * the walk), and its resolved path checked to be in the root; or, when no
 * symlink is on its way, open_plain_dir. */
static void memo_dir_open(const nvct_driver_root *root, memo_dir *d) {
        _cleanup_error_ nvct_error *local = NULL;
        if (memo_parent_lacks(root, d->path)) {
                d->status = -ENOENT;
                return;
        }
        int fd = open_plain_dir(root, d->path);
        if (fd >= 0) {
                if ((d->resolved = strdup(d->path)) == NULL) {
                        close(fd);
                        d->status = -1;
                        return;
                }
                d->fd = fd;
                d->readable = true;
                d->status = 0;
                return;
        }
        if (fd == -ENOENT || fd == -ENOTDIR) {
                d->status = -ENOENT;
                return;
        }
        fd = -1;
        if (nvct_rootfs_open(root->fd, d->path, O_PATH | O_DIRECTORY, &fd, &local) < 0) {
                int status = local != NULL ? local->status : 0;
                /* As resolve: every path under it is -ENOENT (a file where
                 * the folder should be: ENOTDIR). Any other error is the
                 * slow path's to report, path by path. */
                d->status = status == ENOENT || status == ENOTDIR || status == ELOOP ? -ENOENT : -1;
                return;
        }
        if (fd_path_in_root(root, fd, d->path, &d->resolved, &local) < 0) {
                close(fd);
                d->status = -1;
                return;
        }
        d->fd = fd;
        d->status = 0;
}

/* The table entry for folder `dir` (dir_len bytes), resolved on first use;
 * NULL when the memo is full or out of memory (the caller resolves from
 * the root). */
static memo_dir *memo_dir_get(const nvct_driver_root *root, const char *dir, size_t dir_len) {
        struct nvct_driver_root_memo *m = root->memo;
        /* The folder asked last first: lookups come in runs of one folder. */
        if (m->last < m->n_dirs && m->dirs[m->last].path_len == dir_len &&
            memcmp(m->dirs[m->last].path, dir, dir_len) == 0)
                return &m->dirs[m->dirs[m->last].table];
        for (size_t i = 0; i < m->n_dirs; i++)
                if (m->dirs[i].path_len == dir_len && memcmp(m->dirs[i].path, dir, dir_len) == 0) {
                        m->last = i;
                        return &m->dirs[m->dirs[i].table];
                }
        if (m->n_dirs == MEMO_MAX_DIRS)
                return NULL;
        if (m->n_dirs == m->cap_dirs) {
                size_t cap = m->cap_dirs ? 2 * m->cap_dirs : 8;
                memo_dir *v = realloc(m->dirs, cap * sizeof(*v));
                if (v == NULL)
                        return NULL;
                m->dirs = v;
                m->cap_dirs = cap;
        }
        memo_dir *d = &m->dirs[m->n_dirs];
        *d = (memo_dir){ .fd = -1,
                         .table = m->n_dirs,
                         .path = nvct_memdup0(dir, dir_len),
                         .path_len = dir_len };
        if (d->path == NULL)
                return NULL;
        m->n_dirs++;
        memo_dir_open(root, d);
        /* Folders reached by other paths (/lib and /usr/lib on a merged
         * /usr) share one table: a name is looked at once. */
        for (size_t i = 0; d->status == 0 && i + 1 < m->n_dirs; i++) {
                memo_dir *o = &m->dirs[i];
                if (o->status == 0 && o->table == i && strcmp(o->resolved, d->resolved) == 0) {
                        close(d->fd);
                        d->fd = -1;
                        d->table = i;
                        return o;
                }
        }
        return d;
}

/* Puts entry i in the table's hash. */
static void memo_slot_put(memo_dir *d, size_t i) {
        size_t s = d->names[i].hash & d->slot_mask;
        while (d->slots[s] != 0)
                s = (s + 1) & d->slot_mask;
        d->slots[s] = (uint32_t)(i + 1);
}

/* Room in the hash for one more name (at most half full). */
static bool memo_slots_reserve(memo_dir *d) {
        size_t n = d->slots != NULL ? d->slot_mask + 1 : 0;
        if (2 * (d->n_names + 1) <= n)
                return true;
        size_t want = n ? 2 * n : 64;
        uint32_t *slots = calloc(want, sizeof(*slots));
        if (slots == NULL)
                return false;
        free(d->slots);
        d->slots = slots;
        d->slot_mask = want - 1;
        for (size_t i = 0; i < d->n_names; i++)
                memo_slot_put(d, i);
        return true;
}

/* The index of `name` in the folder's table, or -1. */
static ssize_t memo_name_find(const memo_dir *d, const char *name, uint32_t hash) {
        if (d->slots == NULL)
                return -1;
        for (size_t s = hash & d->slot_mask; d->slots[s] != 0; s = (s + 1) & d->slot_mask) {
                size_t i = d->slots[s] - 1;
                if (d->names[i].hash == hash && strcmp(d->names[i].name, name) == 0)
                        return (ssize_t)i;
        }
        return -1;
}

/* Adds `name` to the folder's table; its index, or -1. */
static ssize_t memo_name_add(struct nvct_driver_root_memo *m, memo_dir *d, const char *name,
                             uint32_t hash) {
        if (m->n_names >= MEMO_MAX_NAMES || !memo_slots_reserve(d))
                return -1;
        if (d->n_names == d->cap) {
                size_t cap = d->cap ? 2 * d->cap : 128; /* a driver folder: a hundred names */
                memo_name *v = realloc(d->names, cap * sizeof(*v));
                if (v == NULL)
                        return -1;
                d->names = v;
                d->cap = cap;
        }
        memo_name *e = &d->names[d->n_names];
        *e = (memo_name){ .hash = hash, .state = NAME_SLOW, .name = strdup(name) };
        if (e->name == NULL)
                return -1;
        m->n_names++;
        memo_slot_put(d, d->n_names);
        return (ssize_t)d->n_names++;
}

/* What a symlink's target resolved to, given to the link: its state,
 * path and stat, one more hop. false: the link goes from the root. */
static bool memo_take_target(memo_dir *d, size_t link, ssize_t target) {
        if (target < 0)
                return false;
        const memo_name *t = &d->names[target];
        if ((t->state != NAME_FOUND && t->state != NAME_ABSENT) || t->hops + 1 > MEMO_MAX_HOPS)
                return false;
        memo_name *e = &d->names[link];
        if (t->state == NAME_FOUND && (e->resolved = strdup(t->resolved)) == NULL)
                return false;
        e->st = t->st;
        e->st_full = t->st_full;
        e->hops = t->hops + 1;
        e->state = t->state;
        return true;
}

static ssize_t memo_name_get(struct nvct_driver_root_memo *m, memo_dir *d, const char *name,
                             unsigned depth);

/* Whether `name` is likely a symlink: a SONAME ("libcuda.so.1") or a
 * development link ("libcuda.so"). Those are asked readlinkat first (one
 * call for a link, where fstatat then readlinkat made two); anything else
 * fstatat first. Either order gives the same entry. */
static bool likely_link(const char *name) {
        const char *so = strstr(name, ".so");
        if (so == NULL)
                return false;
        const char *rest = so + 3;
        if (*rest == '\0')
                return true;
        if (*rest++ != '.' || *rest == '\0')
                return false;
        return rest[strspn(rest, "0123456789")] == '\0';
}

/* Entry i is a symlink whose content is `target` (n bytes): followed by
 * hand when it names a file of the same folder. */
static void memo_follow(struct nvct_driver_root_memo *m, memo_dir *d, ssize_t i, const char *target,
                        ssize_t n, unsigned depth) {
        d->names[i].lstat_ok = true;
        if ((d->names[i].target = strdup(target)) == NULL)
                return;
        if (n == 0) {
                d->names[i].state = NAME_ABSENT; /* as the kernel treats an empty link */
                d->names[i].hops = 1;
                return;
        }
        if (!is_plain_name(target) || depth >= MEMO_MAX_HOPS)
                return;
        d->names[i].state = NAME_PENDING;
        ssize_t t = memo_name_get(m, d, target, depth + 1);
        /* d->names may have moved: indices only from here. */
        if (!memo_take_target(d, (size_t)i, t))
                d->names[i].state = NAME_SLOW;
}

/* Entry i of a listed folder from its listing: 1 when it is a symlink (to
 * read), -1 when the listing answered (absent: as fstatat's ENOENT; a
 * regular file, folder...: its type, the rest of its stat on demand), 0
 * when it does not know (DT_UNKNOWN: the file system does not say). */
static int memo_name_from_list(memo_dir *d, ssize_t i) {
        memo_name *e = &d->names[i];
        int type = nvct_dirlist_find(&d->list, e->name);
        if (type < 0) {
                e->state = NAME_ABSENT;
                return -1;
        }
        if (type == DT_LNK)
                return 1;
        if (type == DT_UNKNOWN)
                return 0;
        e->resolved = join_name(d->resolved, e->name);
        if (e->resolved == NULL)
                return -1; /* NAME_SLOW: the root's lookup */
        e->lstat_ok = true;
        e->st = (struct stat){ .st_mode = DTTOIF((unsigned)type) };
        e->state = NAME_FOUND;
        return -1;
}

/* Entry i, a symlink by its folder's listing: its content read, and
 * followed as memo_name_get does. */
static ssize_t memo_name_link(struct nvct_driver_root_memo *m, memo_dir *d, ssize_t i,
                              unsigned depth) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(d->fd, d->names[i].name, target, sizeof(target) - 1);
        if (n < 0) {
                /* Gone since it was listed, or no longer a link: as the
                 * kernel says now, from the root. */
                if (errno == ENOENT)
                        d->names[i].state = NAME_ABSENT;
                return i;
        }
        target[n] = '\0';
        memo_follow(m, d, i, target, n, depth);
        return i;
}

/* `name` in folder d (resolved): its index in the table, or -1 (the memo
 * is full, or out of memory). Security: only single names on the folder's
 * fd, and nothing that follows a symlink: fstatat(AT_SYMLINK_NOFOLLOW) and
 * readlinkat. A symlink is followed here only when its content is a plain
 * name, i.e. the same folder; one holding a '/' (absolute, "..", a
 * subfolder) is left NAME_SLOW, for the root. */
static ssize_t memo_name_get(struct nvct_driver_root_memo *m, memo_dir *d, const char *name,
                             unsigned depth) {
        uint32_t hash = name_hash(name);
        ssize_t i = memo_name_find(d, name, hash);
        if (i >= 0)
                return i;
        i = memo_name_add(m, d, name, hash);
        if (i < 0)
                return -1;
        char target[PATH_MAX];
        ssize_t n;
        int listed = d->listed ? memo_name_from_list(d, i) : 0;
        if (listed != 0)
                return listed < 0 ? i : memo_name_link(m, d, i, depth);
        if (likely_link(name)) {
                n = readlinkat(d->fd, name, target, sizeof(target) - 1);
                if (n >= 0) {
                        target[n] = '\0';
                        memo_follow(m, d, i, target, n, depth);
                        return i;
                }
                if (errno == ENOENT)
                        d->names[i].state = NAME_ABSENT;
                if (errno != EINVAL) /* EINVAL: not a symlink */
                        return i;    /* another error: the root's lookup reports it */
        }
        struct stat st;
        if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        d->names[i].state = NAME_ABSENT;
                return i;
        }
        if (!S_ISLNK(st.st_mode)) {
                d->names[i].lstat_ok = true;
                d->names[i].resolved = join_name(d->resolved, name);
                if (d->names[i].resolved != NULL) {
                        d->names[i].st = st;
                        d->names[i].st_full = true;
                        d->names[i].state = NAME_FOUND;
                }
                return i;
        }
        n = readlinkat(d->fd, name, target, sizeof(target) - 1);
        if (n < 0)
                return i;
        target[n] = '\0';
        memo_follow(m, d, i, target, n, depth);
        return i;
}

/* The memo's entry for `path`: 0 with *ret_entry (NULL: not in the memo;
 * resolve from the root), or -ENOENT when its folder does not resolve.
 * Security: as confined as resolution from the root. The folder is resolved
 * from the root and checked to be in it; below it, only names of that
 * folder's fd are looked at, never following a symlink, and a symlink is
 * followed by hand only to another name of the same folder. The result is
 * the kernel's for the folder's path and the name, with one difference
 * that can only refuse: a chain of symlinks longer than MEMO_MAX_HOPS goes
 * to the root, so the kernel's 40 can be exceeded only by a folder path of
 * more than 32 links. */
static int memo_lookup_in(const nvct_driver_root *root, const char *path, memo_name **ret_entry,
                          memo_dir **ret_dir) {
        *ret_entry = NULL;
        if (root->memo == NULL || !is_plain_path(path))
                return 0;
        const char *slash = strrchr(path, '/');
        memo_dir *d = memo_dir_get(root, path, slash == path ? 1 : (size_t)(slash - path));
        if (d == NULL || d->status == -1)
                return 0;
        if (d->status < 0)
                return d->status;
        ssize_t i = memo_name_get(root->memo, d, slash + 1, 0);
        if (i >= 0) {
                *ret_entry = &d->names[i];
                *ret_dir = d;
        }
        return 0;
}

static int memo_lookup(const nvct_driver_root *root, const char *path, memo_name **ret_entry) {
        memo_dir *d;
        return memo_lookup_in(root, path, ret_entry, &d);
}

/* A found entry's full stat, where its folder's listing gave only the
 * type: the file is in that folder (a listed name, or one a symlink there
 * led to by hand), looked at without following a link. false: it is gone. */
static bool memo_full_stat(memo_dir *d, memo_name *e) {
        if (e->st_full)
                return true;
        const char *slash = strrchr(e->resolved, '/');
        struct stat st;
        if (slash == NULL || fstatat(d->fd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return false;
        e->st = st;
        e->st_full = true;
        return true;
}

/* nvct_driver_root_resolve; with `need_stat` false, only ret_st's file type
 * (st_mode & S_IFMT) is sure to be filled. */
static int resolve(const nvct_driver_root *root, const char *path, char **ret_path,
                   struct stat *ret_st, bool need_stat, nvct_error **err) {
        memo_name *e;
        memo_dir *d;
        if (memo_lookup_in(root, path, &e, &d) < 0 || (e != NULL && e->state == NAME_ABSENT))
                return -ENOENT;
        if (e != NULL && e->state == NAME_FOUND) {
                if (need_stat && !memo_full_stat(d, e))
                        return -ENOENT;
                char *p = strdup(e->resolved);
                if (p == NULL)
                        return nvct_driver_root_oom(err);
                *ret_path = p;
                *ret_st = e->st;
                return 0;
        }
        char *resolved = NULL;
        struct stat st;
        int r = resolve_from_root(root, path, &resolved, &st, err);
        /* Remembered: the kernel's answer for this name, chain unknown. */
        if (e != NULL && r == 0 && (e->resolved = strdup(resolved)) != NULL) {
                e->state = NAME_FOUND;
                e->st = st;
                e->st_full = true;
                e->hops = MEMO_MAX_HOPS;
        } else if (e != NULL && r == -ENOENT) {
                e->state = NAME_ABSENT;
                e->hops = MEMO_MAX_HOPS;
        }
        if (r < 0)
                return r;
        *ret_path = resolved;
        *ret_st = st;
        return 0;
}

static int too_many_entries(const char *dir, nvct_error **err) {
        _cleanup_free_ char *q = nvct_quote_path(dir);
        return nvct_error_make(err, 0, "driver root: %s holds more than %u entries", nvct_quoted(q),
                               NVCT_DRIVER_ROOT_MAX_DIR_ENTRIES);
}

/* Reads folder d's entries into its table's listing; -ENOENT when it
 * cannot be opened for reading. */
static int memo_dir_list(const nvct_driver_root *root, memo_dir *d, nvct_error **err) {
        /* A folder reached through a symlink was opened O_PATH: "." of it,
         * for reading, is the same folder, with no lookup beyond it. */
        int fd = d->readable ? d->fd : openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -ENOENT; /* as a folder that cannot be opened always was: skipped */
        /* A listing that failed before left the folder's own fd part-read:
         * the next one starts over. */
        int r = fd == d->fd && d->list_failed && lseek(fd, 0, SEEK_SET) != 0 ? -errno : 0;
        if (r == 0)
                r = nvct_dirlist_read(fd, NVCT_DRIVER_ROOT_MAX_DIR_ENTRIES, &d->list);
        if (fd != d->fd)
                close(fd);
        d->list_failed = r < 0;
        if (r == -E2BIG)
                return too_many_entries(d->path, err);
        if (r < 0)
                return path_error(root, err, -r, "cannot read ", d->path, "");
        d->listed = true;
        return 0;
}

static int list_each(const nvct_dirlist *list, nvct_driver_root_entry_fn fn, void *userdata,
                     nvct_error **err) {
        for (size_t i = 0; i < list->n; i++)
                if (fn(nvct_dirlist_name(list, i), list->type[i], userdata, err) < 0)
                        return -1;
        return 0;
}

/* A folder the memo does not hold, listed and forgotten. */
static int list_unremembered(const nvct_driver_root *root, const char *dir,
                             nvct_driver_root_entry_fn fn, void *userdata, nvct_error **err) {
        int fd = -1;
        _cleanup_error_ nvct_error *absent = NULL;
        /* Security: opened inside the root, as every lookup is. */
        if (nvct_rootfs_open(root->fd, dir, O_RDONLY | O_DIRECTORY, &fd, &absent) < 0)
                return -ENOENT;
        nvct_dirlist list;
        int r = nvct_dirlist_read(fd, NVCT_DRIVER_ROOT_MAX_DIR_ENTRIES, &list);
        close(fd);
        if (r == -E2BIG)
                return too_many_entries(dir, err);
        if (r < 0)
                return path_error(root, err, -r, "cannot read ", dir, "");
        r = list_each(&list, fn, userdata, err);
        nvct_dirlist_clear(&list);
        return r;
}

int nvct_driver_root_list_dir(const nvct_driver_root *root, const char *dir,
                              nvct_driver_root_entry_fn fn, void *userdata, nvct_error **err) {
        memo_dir *d = NULL;
        if (root->memo != NULL && is_plain_path(dir))
                d = memo_dir_get(root, dir, strlen(dir));
        if (d == NULL || d->status == -1)
                return list_unremembered(root, dir, fn, userdata, err);
        if (d->status < 0)
                return -ENOENT;
        int r = d->listed ? 0 : memo_dir_list(root, d, err);
        if (r < 0)
                return r;
        return list_each(&d->list, fn, userdata, err);
}

int nvct_driver_root_resolve(const nvct_driver_root *root, const char *path, char **ret_path,
                             struct stat *ret_st, nvct_error **err) {
        return resolve(root, path, ret_path, ret_st, true, err);
}

int nvct_driver_root_resolve_type(const nvct_driver_root *root, const char *path, char **ret_path,
                                  mode_t *ret_type, nvct_error **err) {
        struct stat st;
        int r = resolve(root, path, ret_path, &st, false, err);
        if (r == 0)
                *ret_type = st.st_mode & S_IFMT;
        return r;
}

/* read_link from the memo: 1 when the memo does not know `path`. */
static int memo_read_link(const nvct_driver_root *root, const char *path, char **ret_target,
                          char **ret_resolved, nvct_error **err) {
        memo_name *e;
        if (memo_lookup(root, path, &e) < 0)
                return -ENOENT;
        /* Not in its folder (fstatat said ENOENT): no link either. */
        if (e != NULL && e->state == NAME_ABSENT && !e->lstat_ok && e->hops == 0)
                return -ENOENT;
        if (e == NULL || !e->lstat_ok)
                return 1;
        if (e->target == NULL)
                return -ENOENT;
        _cleanup_free_ char *copy = strdup(e->target);
        if (copy == NULL)
                return nvct_driver_root_oom(err);
        _cleanup_free_ char *resolved = NULL;
        struct stat st;
        _cleanup_error_ nvct_error *unresolved = NULL;
        /* The entry is resolved already, or resolve does it from the root. */
        if (e->state == NAME_FOUND) {
                if ((resolved = strdup(e->resolved)) == NULL)
                        return nvct_driver_root_oom(err);
        } else if (e->state != NAME_ABSENT &&
                   resolve(root, path, &resolved, &st, false, &unresolved) < 0) {
                resolved = NULL;
        }
        *ret_target = TAKE_PTR(copy);
        *ret_resolved = TAKE_PTR(resolved);
        return 0;
}

int nvct_driver_root_read_link(const nvct_driver_root *root, const char *path, char **ret_target,
                               char **ret_resolved, nvct_error **err) {
        int m = memo_read_link(root, path, ret_target, ret_resolved, err);
        if (m <= 0)
                return m;
        _cleanup_free_ char *host_path = nvct_driver_root_host_path(root, path);
        if (host_path == NULL)
                return nvct_driver_root_oom(err);
        char target[PATH_MAX];
        ssize_t n = readlink(host_path, target, sizeof(target) - 1);
        if (n <= 0)
                return -ENOENT;
        target[n] = '\0';
        _cleanup_free_ char *copy = strdup(target);
        if (copy == NULL)
                return nvct_driver_root_oom(err);
        _cleanup_free_ char *resolved = NULL;
        struct stat st;
        /* A link that does not resolve (dangling, a loop, an error) still
         * has a target: the caller may warn about it. */
        _cleanup_error_ nvct_error *unresolved = NULL;
        if (resolve(root, path, &resolved, &st, false, &unresolved) < 0)
                resolved = NULL;
        *ret_target = TAKE_PTR(copy);
        *ret_resolved = TAKE_PTR(resolved);
        return 0;
}
