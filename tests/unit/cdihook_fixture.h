/* SPDX-License-Identifier: Apache-2.0 */
/* What the cdihook unit tests share: a scratch directory holding a
 * container root (base/root) and a sentinel standing for the host
 * (base/host), whose every name, mode, size, time and content must be the
 * same after each test; the root opened as the hooks open it. Include after
 * <cmocka.h> and testutil.h. */
#ifndef NVCT_TEST_CDIHOOK_FIXTURE_H
#define NVCT_TEST_CDIHOOK_FIXTURE_H

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/rootfs.h"

typedef struct hk_fixture {
        char *base, *root, *host;
        char *before; /* the sentinel's snapshot */
        int root_fd;
} hk_fixture;

static FILE *hk_snap_out;
static size_t hk_snap_skip;

static int hk_snap_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)type;
        (void)ftw;
        fprintf(hk_snap_out, "%s mode=%o size=%lld mtime=%lld.%09ld ctime=%lld.%09ld",
                path + hk_snap_skip, (unsigned)st->st_mode, (long long)st->st_size,
                (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
                st->st_ctim.tv_nsec);
        if (S_ISREG(st->st_mode)) {
                char *content = slurp_file(path, NULL);
                fprintf(hk_snap_out, " content=%s", content != NULL ? content : "");
                free(content);
        }
        fputc('\n', hk_snap_out);
        return 0;
}

static inline char *hk_snapshot(const char *dir) {
        char *text = NULL;
        size_t size = 0;
        hk_snap_out = open_memstream(&text, &size);
        assert_non_null(hk_snap_out);
        hk_snap_skip = strlen(dir);
        assert_int_equal(nftw(dir, hk_snap_entry, 64, FTW_PHYS), 0);
        fclose(hk_snap_out);
        return text;
}

static inline void hk_write(const char *path, const char *content, mode_t mode) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        assert_true(fd >= 0);
        size_t len = strlen(content);
        assert_int_equal(write(fd, content, len), (ssize_t)len);
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
}

/* base/REL made as a directory, parents included. */
static inline char *hk_mkdir(const char *base, const char *rel) {
        char *p = xasprintf("%s/%s", base, rel);
        char *cmd = xasprintf("mkdir -p '%s'", p);
        assert_int_equal(system(cmd), 0);
        free(cmd);
        return p;
}

static inline int hk_setup(void **state) {
        hk_fixture *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        f->base = make_tmpdir_named("cdihook");
        f->root = hk_mkdir(f->base, "root");
        f->host = hk_mkdir(f->base, "host");
        free(hk_mkdir(f->base, "host/etc"));
        free(hk_mkdir(f->base, "host/dir"));
        char *p = xasprintf("%s/secret", f->host);
        hk_write(p, "host secret\n", 0600);
        free(p);
        assert_int_equal(chmod(f->host, 0700), 0);
        f->before = hk_snapshot(f->host);
        assert_int_equal(nvct_rootfs_open_root(f->root, &f->root_fd, NULL), 0);
        *state = f;
        return 0;
}

static inline int hk_teardown(void **state) {
        hk_fixture *f = *state;
        char *after = hk_snapshot(f->host);
        bool same = strcmp(after, f->before) == 0;
        if (!same)
                print_error("the sentinel outside the root changed:\n--- before\n%s--- after\n%s",
                            f->before, after);
        free(after);
        close(f->root_fd);
        remove_tree(f->base);
        free(f->base);
        free(f->root);
        free(f->host);
        free(f->before);
        free(f);
        return same ? 0 : -1;
}

/* A path in the root: ROOT/REL, malloc'd. */
static inline char *hk_in(const hk_fixture *f, const char *rel) {
        return xasprintf("%s/%s", f->root, rel);
}

static inline void hk_symlink(const char *target, const hk_fixture *f, const char *rel) {
        char *p = hk_in(f, rel);
        assert_int_equal(symlink(target, p), 0);
        free(p);
}

static inline mode_t hk_mode(const char *path) {
        struct stat st;
        assert_int_equal(lstat(path, &st), 0);
        return st.st_mode & 07777;
}

#endif
