/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for rootfs: lookups, mkdir_p and symlink against hostile trees
 * (symlinks to "/", "/etc", "../../..", to a sentinel directory outside the
 * root, loops, FIFOs, directories in the way), each run twice: with openat2
 * and with the O_NOFOLLOW walk forced. Every test checks that the sentinel
 * directory outside the root is exactly as it was (names, types, modes,
 * sizes, mtimes, ctimes, link targets, contents), and that names created
 * through links to "/" or "/etc" did not appear on the host. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/rootfs.h"
#include "cdihook/ldconfig.h"

/* ---- helpers ---- */

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2), returns_nonnull));
static void write_file(const char *path, const char *content) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        size_t len = strlen(content);
        assert_int_equal(write(fd, content, len), (ssize_t)len);
        close(fd);
}

static char *read_fd(int fd) {
        char buf[4096];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        assert_true(n >= 0);
        buf[n] = '\0';
        return strdup(buf);
}

/* Removes a tree without following symlinks. */
static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st;
        (void)ftw;
        if (type == FTW_DP)
                return rmdir(path);
        return unlink(path);
}

static void rm_rf(const char *path) {
        nftw(path, rm_entry, 64, FTW_DEPTH | FTW_PHYS);
}

/* ---- the sentinel: what must never change ---- */

static FILE *snap_out;
static size_t snap_skip;

static int snap_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)type;
        (void)ftw;
        fprintf(snap_out, "%s mode=%o size=%lld mtime=%lld.%09ld ctime=%lld.%09ld ino=%llu",
                path + snap_skip, (unsigned)st->st_mode, (long long)st->st_size,
                (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
                st->st_ctim.tv_nsec, (unsigned long long)st->st_ino);
        if (S_ISLNK(st->st_mode)) {
                char buf[PATH_MAX];
                ssize_t n = readlink(path, buf, sizeof(buf) - 1);
                if (n >= 0) {
                        buf[n] = '\0';
                        fprintf(snap_out, " -> %s", buf);
                }
        } else if (S_ISREG(st->st_mode)) {
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd >= 0) {
                        _cleanup_free_ char *content = read_fd(fd);
                        fprintf(snap_out, " content=%s", content);
                        close(fd);
                }
        }
        fputc('\n', snap_out);
        return 0;
}

static char *snapshot(const char *dir) {
        char *text = NULL;
        size_t size = 0;
        snap_out = open_memstream(&text, &size);
        assert_non_null(snap_out);
        snap_skip = strlen(dir);
        assert_int_equal(nftw(dir, snap_entry, 64, FTW_PHYS), 0);
        fclose(snap_out);
        return text;
}

/* ---- fixture ---- */

typedef struct fixture {
        char *base;    /* the temporary directory */
        char *root;    /* base/root: the container root */
        char *outside; /* base/outside: the sentinel, standing for the host */
        char *unique;  /* a name nobody has: must never appear in the host's / or /etc */
        char *before;  /* snapshot of outside */
        int root_fd;
} fixture;

static bool fallback_mode;

static int group_openat2(void **state) {
        (void)state;
        fallback_mode = false;
        nvct_rootfs_force_fallback(false);
        return 0;
}

static int group_fallback(void **state) {
        (void)state;
        fallback_mode = true;
        nvct_rootfs_force_fallback(true);
        return 0;
}

static void mkdirs(const char *base, const char *const *dirs) {
        for (size_t i = 0; dirs[i] != NULL; i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", base, dirs[i]);
                assert_int_equal(mkdir(p, 0755), 0);
        }
}

static int setup(void **state) {
        static unsigned counter;
        fixture *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        char tmpl[] = "/tmp/nvct-rootfs.XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        f->base = strdup(tmpl);
        f->root = xasprintf("%s/root", f->base);
        f->outside = xasprintf("%s/outside", f->base);
        f->unique =
                xasprintf("nvct-rootfs-test-%d-%u-%ld", (int)getpid(), counter++, (long)time(NULL));
        static const char *const dirs[] = { "root",         "root/etc",      "root/usr",
                                            "root/usr/lib", "outside",       "outside/etc",
                                            "outside/lib",  "outside/empty", NULL };
        mkdirs(f->base, dirs);
        _cleanup_free_ char *p1 = xasprintf("%s/etc/passwd", f->root);
        write_file(p1, "container\n");
        _cleanup_free_ char *p2 = xasprintf("%s/secret", f->outside);
        write_file(p2, "host secret\n");
        _cleanup_free_ char *p3 = xasprintf("%s/etc/passwd", f->outside);
        write_file(p3, "host\n");
        _cleanup_free_ char *p4 = xasprintf("%s/lib/libhost.so", f->outside);
        write_file(p4, "host library\n");
        _cleanup_free_ char *p5 = xasprintf("%s/secret-link", f->outside);
        assert_int_equal(symlink("secret", p5), 0);
        /* Timestamps in the past: a change made now would show in mtime. */
        struct timespec old[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
        assert_int_equal(utimensat(AT_FDCWD, p2, old, 0), 0);

        f->before = snapshot(f->outside);
        nvct_error *err = NULL;
        assert_int_equal(nvct_rootfs_open_root(f->root, &f->root_fd, &err), 0);
        assert_null(err);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        /* Should an implementation escape the root, what the tests would
         * have made on the host goes too (exact names only). */
        char *host[] = { xasprintf("/%s/d", f->unique), xasprintf("/%s", f->unique),
                         xasprintf("/%s.up", f->unique), xasprintf("/etc/%s", f->unique) };
        for (size_t i = 0; i < ARRAY_SIZE(host); i++) {
                if (unlink(host[i]) < 0)
                        rmdir(host[i]);
                free(host[i]);
        }
        close(f->root_fd);
        rm_rf(f->base);
        free(f->base);
        free(f->root);
        free(f->outside);
        free(f->unique);
        free(f->before);
        free(f);
        return 0;
}

static void assert_outside_unchanged(const fixture *f) {
        _cleanup_free_ char *after = snapshot(f->outside);
        if (strcmp(after, f->before) != 0) {
                print_error("the sentinel outside the root changed:\nbefore:\n%s\nafter:\n%s",
                            f->before, after);
                fail();
        }
}

static void assert_not_on_host(const char *path) {
        struct stat st;
        if (lstat(path, &st) == 0) {
                print_error("%s appeared on the host\n", path != NULL ? path : "?");
                unlink(path);
                fail();
        }
}

/* Makes a symlink at root/`rel`. */
static void rlink(const fixture *f, const char *target, const char *rel) {
        _cleanup_free_ char *p = xasprintf("%s/%s", f->root, rel);
        assert_int_equal(symlink(target, p), 0);
}

static char *rpath(const fixture *f, const char *rel) {
        return xasprintf("%s/%s", f->root, rel);
}

/* Opens `path` in the root and returns its content; fails the test if the
 * open fails. */
static char *open_read(const fixture *f, const char *path) {
        nvct_error *err = NULL;
        int fd = -1;
        if (nvct_rootfs_open(f->root_fd, path, O_RDONLY, &fd, &err) < 0) {
                print_error("open %s: %s\n", path, err->msg);
                nvct_error_free(&err);
                fail();
        }
        char *content = read_fd(fd);
        close(fd);
        return content;
}

/* Opens `path` in the root, expecting failure with `status`. */
static void open_fails(const fixture *f, const char *path, int flags, int status) {
        nvct_error *err = NULL;
        int fd = -1;
        int r = nvct_rootfs_open(f->root_fd, path, flags, &fd, &err);
        if (r == 0) {
                print_error("open %s succeeded\n", path);
                close(fd);
                fail();
        }
        assert_int_equal(fd, -1); /* untouched */
        assert_non_null(err);
        if (err->status != status) {
                print_error("open %s: status %d, expected %d: %s\n", path, err->status, status,
                            err->msg);
                fail();
        }
        nvct_error_free(&err);
}

static void make_link(const fixture *f, const char *target, const char *link) {
        nvct_error *err = NULL;
        if (nvct_rootfs_symlink(f->root_fd, target, link, &err) < 0) {
                print_error("symlink %s -> %s: %s\n", link, target, err->msg);
                nvct_error_free(&err);
                fail();
        }
}

static char *link_error(const fixture *f, const char *target, const char *link, int status) {
        nvct_error *err = NULL;
        assert_int_equal(nvct_rootfs_symlink(f->root_fd, target, link, &err), -1);
        assert_non_null(err);
        if (err->status != status) {
                print_error("symlink %s: status %d, expected %d: %s\n", link, err->status, status,
                            err->msg);
                fail();
        }
        char *msg = strdup(err->msg);
        nvct_error_free(&err);
        return msg;
}

/* root/`rel` is a symlink holding `target`. */
static void assert_link(const fixture *f, const char *rel, const char *target) {
        _cleanup_free_ char *p = rpath(f, rel);
        char buf[PATH_MAX];
        ssize_t n = readlink(p, buf, sizeof(buf) - 1);
        if (n < 0) {
                print_error("%s is not a symlink: %s\n", p, strerror(errno));
                fail();
        }
        buf[n] = '\0';
        assert_string_equal(buf, target);
}

static void assert_dir(const char *path) {
        struct stat st;
        if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
                print_error("%s is not a directory\n", path);
                fail();
        }
}

/* ---- open ---- */

static void test_open_plain(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *a = open_read(f, "/etc/passwd");
        assert_string_equal(a, "container\n");
        _cleanup_free_ char *b = open_read(f, "etc/passwd");
        assert_string_equal(b, "container\n");
        _cleanup_free_ char *c = open_read(f, "//etc/./passwd");
        assert_string_equal(c, "container\n");
        open_fails(f, "/etc/nope", O_RDONLY, ENOENT);
        open_fails(f, "/etc/passwd/x", O_RDONLY, ENOTDIR);
        /* The root itself. */
        nvct_error *err = NULL;
        int fd = -1;
        assert_int_equal(nvct_rootfs_open(f->root_fd, "/", O_PATH | O_DIRECTORY, &fd, &err), 0);
        struct stat a_st, b_st;
        assert_int_equal(fstat(fd, &a_st), 0);
        assert_int_equal(fstat(f->root_fd, &b_st), 0);
        assert_true(a_st.st_ino == b_st.st_ino && a_st.st_dev == b_st.st_dev);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        close(fd);
        assert_outside_unchanged(f);
}

static void test_open_errors(void **state) {
        fixture *f = *state;
        nvct_error *err = NULL;
        int fd = 4242;
        assert_int_equal(nvct_rootfs_open(f->root_fd, "", O_RDONLY, &fd, &err), -1);
        assert_int_equal(fd, 4242);
        nvct_error_free(&err);
        assert_int_equal(nvct_rootfs_open(f->root_fd, "/etc/new", O_RDWR | O_CREAT, &fd, &err), -1);
        assert_int_equal(err->status, EINVAL);
        nvct_error_free(&err);
        assert_int_equal(nvct_rootfs_open(f->root_fd, "/no\x1b[31mpe", O_RDONLY, &fd, &err), -1);
        assert_contains(err->msg, "\"/no\\x1b[31mpe\"");
        assert_int_equal(err->status, ENOENT);
        nvct_error_free(&err);
        assert_int_equal(fd, 4242);
        /* A root that is a symlink is not followed. */
        _cleanup_free_ char *l = xasprintf("%s/rootlink", f->base);
        assert_int_equal(symlink(f->root, l), 0);
        assert_int_equal(nvct_rootfs_open_root(l, &fd, &err), -1);
        assert_int_equal(fd, 4242);
        assert_contains(err->msg, "rootlink");
        nvct_error_free(&err);
}

static void test_links_to_root(void **state) {
        fixture *f = *state;
        rlink(f, "/", "lnroot");
        rlink(f, "/etc", "lnetc");
        rlink(f, "../../..", "lnup");
        rlink(f, "../../../../../../../../../../..", "usr/lib/lnup2");
        rlink(f, "/../../..//../etc", "usr/lnetc2");
        const char *paths[] = {
                "lnroot/etc/passwd",
                "lnetc/passwd",
                "lnup/etc/passwd",
                "usr/lib/lnup2/etc/passwd",
                "/../../../../etc/passwd",
                "usr/lnetc2/passwd",
                "lnroot/lnroot/lnup/etc/passwd",
                /* ".." after a symlink is the parent of its target. */
                "usr/lnetc2/../etc/passwd",
        };
        for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
                _cleanup_free_ char *c = open_read(f, paths[i]);
                assert_string_equal(c, "container\n");
        }
        /* The final component as a link to a host file: opened inside. */
        rlink(f, "/etc/passwd", "usr/passwd-link");
        _cleanup_free_ char *c = open_read(f, "usr/passwd-link");
        assert_string_equal(c, "container\n");
        assert_outside_unchanged(f);
}

static void test_links_outside(void **state) {
        fixture *f = *state;
        /* Absolute and relative links to the sentinel: inside the root they
         * name root/<outside path>, which does not exist. */
        rlink(f, f->outside, "out");
        _cleanup_free_ char *rel = xasprintf("../../../../../../../../../..%s", f->outside);
        rlink(f, rel, "usr/lib/relout");
        _cleanup_free_ char *sec = xasprintf("%s/secret", f->outside);
        rlink(f, sec, "usr/secret-link");
        open_fails(f, "out/secret", O_RDONLY, ENOENT);
        open_fails(f, "usr/lib/relout/secret", O_RDONLY, ENOENT);
        open_fails(f, "usr/secret-link", O_RDONLY, ENOENT);
        open_fails(f, "out/lib/libhost.so", O_RDONLY, ENOENT);
        /* Once the same path exists inside, it is what is opened. */
        _cleanup_free_ char *inner = xasprintf("%s%s", f->root, f->outside);
        _cleanup_free_ char *cmd = xasprintf("mkdir -p '%s'", inner);
        assert_int_equal(system(cmd), 0);
        _cleanup_free_ char *inner_secret = xasprintf("%s/secret", inner);
        write_file(inner_secret, "decoy\n");
        _cleanup_free_ char *a = open_read(f, "out/secret");
        assert_string_equal(a, "decoy\n");
        _cleanup_free_ char *b = open_read(f, "usr/lib/relout/secret");
        assert_string_equal(b, "decoy\n");
        _cleanup_free_ char *c = open_read(f, "usr/secret-link");
        assert_string_equal(c, "decoy\n");
        assert_outside_unchanged(f);
}

static void test_loops(void **state) {
        fixture *f = *state;
        rlink(f, "b", "a");
        rlink(f, "a", "b");
        rlink(f, "/self", "self");
        rlink(f, "../usr/loop/x", "usr/loop");
        open_fails(f, "a", O_RDONLY, ELOOP);
        open_fails(f, "a/x", O_RDONLY, ELOOP);
        open_fails(f, "self", O_RDONLY, ELOOP);
        open_fails(f, "usr/loop", O_RDONLY, ELOOP);
        open_fails(f, "a", O_PATH | O_DIRECTORY, ELOOP);

        nvct_error *err = NULL;
        int fd = -1;
        assert_int_equal(nvct_rootfs_mkdir_p(f->root_fd, "/a/x", &fd, &err), -1);
        assert_int_equal(err->status, ELOOP);
        assert_int_equal(fd, -1);
        nvct_error_free(&err);
        _cleanup_free_ char *m = link_error(f, "t", "/self/x", ELOOP);
        assert_contains(m, "\"/self/x\"");

        /* The kernel's limit: 40 links followed, the 41st is ELOOP. */
        for (int i = 0; i < 41; i++) {
                _cleanup_free_ char *name = xasprintf("usr/chain%d", i);
                _cleanup_free_ char *target = xasprintf("chain%d", i + 1);
                rlink(f, target, name);
        }
        _cleanup_free_ char *end = rpath(f, "usr/chain41");
        write_file(end, "end\n");
        _cleanup_free_ char *ok = open_read(f, "usr/chain1");
        assert_string_equal(ok, "end\n");
        open_fails(f, "usr/chain0", O_RDONLY, ELOOP);
        assert_outside_unchanged(f);
}

static void test_fifo(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *fifo = rpath(f, "etc/ld.so.cache");
        assert_int_equal(mkfifo(fifo, 0644), 0);
        _cleanup_free_ char *fifo2 = rpath(f, "usr/lib/fifo");
        assert_int_equal(mkfifo(fifo2, 0644), 0);

        /* Opened without blocking, and seen for what it is. */
        nvct_error *err = NULL;
        int fd = -1;
        assert_int_equal(
                nvct_rootfs_open(f->root_fd, "/etc/ld.so.cache", O_RDONLY | O_NONBLOCK, &fd, &err),
                0);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
        close(fd);

        /* A FIFO as a directory on the way. */
        open_fails(f, "usr/lib/fifo/x", O_RDONLY, ENOTDIR);
        assert_int_equal(nvct_rootfs_mkdir_p(f->root_fd, "/usr/lib/fifo/x", &fd, &err), -1);
        assert_int_equal(err->status, ENOTDIR);
        assert_contains(err->msg, "\"/usr/lib/fifo\"");
        nvct_error_free(&err);
        _cleanup_free_ char *m = link_error(f, "t", "/usr/lib/fifo/x", ENOTDIR);
        (void)m;

        /* Replaced by a symlink, never opened (a blocking open would hang
         * the test). */
        make_link(f, "/usr/lib/ld.so.cache", "/etc/ld.so.cache");
        assert_link(f, "etc/ld.so.cache", "/usr/lib/ld.so.cache");
        assert_outside_unchanged(f);
}

static void test_parent_symlink_out(void **state) {
        fixture *f = *state;
        rlink(f, "/", "usr/lib64");
        rlink(f, "/etc", "usr/etc");
        rlink(f, "../../../..", "usr/lib/up");
        rlink(f, f->outside, "lib");
        _cleanup_free_ char *rel = xasprintf("../../../../../../../../..%s/lib", f->outside);
        rlink(f, rel, "usr/lib/hostlib");

        _cleanup_free_ char *l1 = xasprintf("/usr/lib64/%s", f->unique);
        make_link(f, "libfoo.so.1", l1);
        assert_link(f, f->unique, "libfoo.so.1");

        _cleanup_free_ char *l2 = xasprintf("/usr/etc/%s", f->unique);
        make_link(f, "/etc/passwd", l2);
        _cleanup_free_ char *r2 = xasprintf("etc/%s", f->unique);
        assert_link(f, r2, "/etc/passwd");

        _cleanup_free_ char *l3 = xasprintf("/usr/lib/up/usr/lib/up/%s.up", f->unique);
        make_link(f, "x", l3);
        _cleanup_free_ char *r3 = xasprintf("%s.up", f->unique);
        assert_link(f, r3, "x");

        /* Through a link to the sentinel: made at root/<outside>/..., the
         * missing directories created inside the root. */
        make_link(f, "libcuda.so.1", "/lib/libcuda.so");
        _cleanup_free_ char *r4 = xasprintf("%s/libcuda.so", f->outside + 1);
        assert_link(f, r4, "libcuda.so.1");
        make_link(f, "libcuda.so.1", "/usr/lib/hostlib/libhost.so");
        _cleanup_free_ char *r5 = xasprintf("%s/lib/libhost.so", f->outside + 1);
        assert_link(f, r5, "libcuda.so.1");
        /* The same via "..". */
        _cleanup_free_ char *l6 = xasprintf("/usr/../../..%s/etc/passwd", f->outside);
        make_link(f, "decoy", l6);
        _cleanup_free_ char *r6 = xasprintf("%s/etc/passwd", f->outside + 1);
        assert_link(f, r6, "decoy");

        _cleanup_free_ char *h1 = xasprintf("/%s", f->unique);
        _cleanup_free_ char *h2 = xasprintf("/etc/%s", f->unique);
        _cleanup_free_ char *h3 = xasprintf("/%s.up", f->unique);
        assert_not_on_host(h1);
        assert_not_on_host(h2);
        assert_not_on_host(h3);
        assert_outside_unchanged(f);
}

static void test_final_symlink_replaced(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *sec = xasprintf("%s/secret", f->outside);
        rlink(f, sec, "usr/lib/libcuda.so");
        _cleanup_free_ char *rel = xasprintf("../../../../../../../../..%s/secret", f->outside);
        rlink(f, rel, "usr/lib/libnvidia-ml.so");
        rlink(f, "/nowhere", "usr/lib/dangling.so");
        _cleanup_free_ char *file = rpath(f, "usr/lib/regular.so");
        write_file(file, "a file\n");
        struct stat old;
        assert_int_equal(lstat(file, &old), 0);

        make_link(f, "libcuda.so.1", "/usr/lib/libcuda.so");
        make_link(f, "libnvidia-ml.so.1", "/usr/lib/libnvidia-ml.so");
        make_link(f, "dangling.so.1", "/usr/lib/dangling.so");
        make_link(f, "regular.so.1", "/usr/lib/regular.so");
        assert_link(f, "usr/lib/libcuda.so", "libcuda.so.1");
        assert_link(f, "usr/lib/libnvidia-ml.so", "libnvidia-ml.so.1");
        assert_link(f, "usr/lib/dangling.so", "dangling.so.1");
        assert_link(f, "usr/lib/regular.so", "regular.so.1");
        /* Nothing was written through the old links (the sentinel) nor
         * was /nowhere created. */
        _cleanup_free_ char *nowhere = rpath(f, "nowhere");
        struct stat st;
        assert_int_equal(lstat(nowhere, &st), -1);
        /* No temporary name left behind. */
        _cleanup_free_ char *dir = rpath(f, "usr/lib");
        _cleanup_free_ char *cmd = xasprintf("ls -A '%s' | grep -q nvct", dir);
        assert_int_not_equal(system(cmd), 0);
        assert_outside_unchanged(f);
}

static void test_directory_in_way(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *d = rpath(f, "usr/lib/libcuda.so");
        assert_int_equal(mkdir(d, 0755), 0);
        _cleanup_free_ char *inner = rpath(f, "usr/lib/libcuda.so/keep");
        write_file(inner, "kept\n");
        _cleanup_free_ char *m = link_error(f, "libcuda.so.1", "/usr/lib/libcuda.so", EISDIR);
        assert_contains(m, "\"/usr/lib/libcuda.so\"");
        assert_dir(d);
        _cleanup_free_ char *c = open_read(f, "/usr/lib/libcuda.so/keep");
        assert_string_equal(c, "kept\n");
        /* A symlink to a directory is a symlink: replaced. */
        rlink(f, "/usr", "usr/lib/dirlink");
        make_link(f, "x", "/usr/lib/dirlink");
        assert_link(f, "usr/lib/dirlink", "x");
        assert_dir(f->root);
        /* Names that cannot be a link. */
        _cleanup_free_ char *m2 = link_error(f, "x", "/usr/lib/", 0);
        _cleanup_free_ char *m3 = link_error(f, "x", "/usr/..", 0);
        _cleanup_free_ char *m4 = link_error(f, "", "/usr/lib/y", 0);
        assert_contains(m4, "empty target");
        assert_outside_unchanged(f);
}

static void test_same_target_left_alone(void **state) {
        fixture *f = *state;
        make_link(f, "libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so");
        _cleanup_free_ char *p = rpath(f, "usr/lib/x86_64-linux-gnu/libcuda.so");
        struct stat a, b, c;
        assert_int_equal(lstat(p, &a), 0);
        make_link(f, "libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so");
        assert_int_equal(lstat(p, &b), 0);
        assert_true(a.st_ino == b.st_ino);
        make_link(f, "libcuda.so.2", "/usr/lib/x86_64-linux-gnu/libcuda.so");
        assert_int_equal(lstat(p, &c), 0);
        assert_true(c.st_ino != a.st_ino);
        assert_link(f, "usr/lib/x86_64-linux-gnu/libcuda.so", "libcuda.so.2");
        /* Targets are kept as given: absolute, relative, with "..". */
        make_link(f, "../../../etc/passwd", "/a/b/c");
        assert_link(f, "a/b/c", "../../../etc/passwd");
        assert_outside_unchanged(f);
}

static void test_mkdir_p(void **state) {
        fixture *f = *state;
        nvct_error *err = NULL;
        int fd = -1;
        assert_int_equal(nvct_rootfs_mkdir_p(f->root_fd, "/x/y/z", &fd, &err), 0);
        _cleanup_free_ char *p = rpath(f, "x/y/z");
        struct stat a, b;
        assert_int_equal(fstat(fd, &a), 0);
        assert_int_equal(stat(p, &b), 0);
        assert_true(a.st_ino == b.st_ino && S_ISDIR(b.st_mode));
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        close(fd);
        /* Existing: the same directory again. */
        assert_int_equal(nvct_rootfs_mkdir_p(f->root_fd, "x/./y//z/", &fd, &err), 0);
        assert_int_equal(fstat(fd, &a), 0);
        assert_true(a.st_ino == b.st_ino);
        close(fd);
        /* "/" is the root. */
        assert_int_equal(nvct_rootfs_mkdir_p(f->root_fd, "/", &fd, &err), 0);
        close(fd);
        /* A file in the way. */
        fd = -1;
        assert_int_equal(nvct_rootfs_mkdir_p(f->root_fd, "/etc/passwd/x", &fd, &err), -1);
        assert_int_equal(err->status, ENOTDIR);
        assert_int_equal(fd, -1);
        assert_contains(err->msg, "\"/etc/passwd\"");
        nvct_error_free(&err);
        /* A dangling symlink: its target is made, inside the root. */
        rlink(f, "/srv/data", "opt");
        rlink(f, "../var/cache", "usr/cache");
        assert_int_equal(nvct_rootfs_mkdir_p(f->root_fd, "/opt/x", &fd, &err), 0);
        close(fd);
        _cleanup_free_ char *d1 = rpath(f, "srv/data/x");
        assert_dir(d1);
        assert_int_equal(nvct_rootfs_mkdir_p(f->root_fd, "/usr/cache/ld", &fd, &err), 0);
        close(fd);
        _cleanup_free_ char *d2 = rpath(f, "var/cache/ld");
        assert_dir(d2);
        /* Through "..", and through links to "/" and outside. */
        rlink(f, "/", "usr/lib/root");
        rlink(f, f->outside, "usr/out");
        assert_int_equal(nvct_rootfs_mkdir_p(f->root_fd, "/../../m/n", &fd, &err), 0);
        close(fd);
        _cleanup_free_ char *d3 = rpath(f, "m/n");
        assert_dir(d3);
        _cleanup_free_ char *u = xasprintf("/usr/lib/root/%s/d", f->unique);
        assert_int_equal(nvct_rootfs_mkdir_p(f->root_fd, u, &fd, &err), 0);
        close(fd);
        _cleanup_free_ char *d4 = rpath(f, f->unique);
        assert_dir(d4);
        assert_int_equal(nvct_rootfs_mkdir_p(f->root_fd, "/usr/out/empty/new", &fd, &err), 0);
        close(fd);
        _cleanup_free_ char *d5 = xasprintf("%s%s/empty/new", f->root, f->outside);
        assert_dir(d5);
        _cleanup_free_ char *h = xasprintf("/%s", f->unique);
        assert_not_on_host(h);
        assert_outside_unchanged(f);
}

static void test_open_nofollow(void **state) {
        fixture *f = *state;
        rlink(f, "/etc/passwd", "usr/pw");
        nvct_error *err = NULL;
        int fd = -1;
        assert_int_equal(nvct_rootfs_open(f->root_fd, "/usr/pw", O_PATH | O_NOFOLLOW, &fd, &err),
                         0);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        close(fd);
        open_fails(f, "/usr/pw", O_RDONLY | O_NOFOLLOW, ELOOP);
        /* A non-final symlink is still followed. */
        rlink(f, "/etc", "usr/etc");
        assert_int_equal(
                nvct_rootfs_open(f->root_fd, "/usr/etc/passwd", O_RDONLY | O_NOFOLLOW, &fd, &err),
                0);
        close(fd);
        assert_outside_unchanged(f);
}

static void test_deep_tree(void **state) {
        fixture *f = *state;
        /* 300 nested directories: beyond the walk's stack of open
         * directories. openat2 has no such limit. */
        size_t depth = 300;
        _cleanup_free_ char *rel = malloc(depth * 2 + 1);
        assert_non_null(rel);
        for (size_t i = 0; i < depth; i++)
                memcpy(rel + 2 * i, "d/", 2);
        rel[depth * 2 - 1] = '\0';
        int dfd = dup(f->root_fd);
        for (size_t i = 0; i < depth; i++) {
                assert_int_equal(mkdirat(dfd, "d", 0755), 0);
                int next = openat(dfd, "d", O_PATH | O_DIRECTORY | O_CLOEXEC);
                assert_true(next >= 0);
                close(dfd);
                dfd = next;
        }
        close(dfd);
        nvct_error *err = NULL;
        int fd = -1;
        int r = nvct_rootfs_open(f->root_fd, rel, O_PATH | O_DIRECTORY, &fd, &err);
        if (fallback_mode) {
                /* A limit of ours, named. */
                assert_int_equal(r, -1);
                assert_contains(err->msg, "more than 256 directories deep");
                nvct_error_free(&err);
        } else {
                assert_int_equal(r, 0);
                close(fd);
        }
        /* ".." back up from a depth the walk does handle, and past the
         * root: stays at the root. */
        char path[200 * 2 + 202 * 3 + 16] = "";
        for (int i = 0; i < 200; i++)
                strcat(path, "d/");
        for (int i = 0; i < 202; i++)
                strcat(path, "../");
        strcat(path, "etc/passwd");
        _cleanup_free_ char *c = open_read(f, path);
        assert_string_equal(c, "container\n");
}

/* ---- bounds: the total work of one lookup ---- */

/* "c/c/.../c": `comp` n times. */
static char *repeat(const char *comp, size_t n) {
        size_t len = strlen(comp);
        char *s = malloc(n * (len + 1) + 1);
        assert_non_null(s);
        char *w = s;
        for (size_t i = 0; i < n; i++) {
                memcpy(w, comp, len);
                w += len;
                *w++ = '/';
        }
        *(n > 0 ? w - 1 : w) = '\0';
        return s;
}

/* Issue 14's chain: L -> /x1/C/C/..., x1 -> /x2/C/..., up to x(n-1) ->
 * /xn/C/..., each link 2,000 components (under 4 KiB): resolving L means
 * n links and n * 2,000 components. */
static void make_chain(const fixture *f, unsigned n, const char *comp) {
        _cleanup_free_ char *tail = repeat(comp, 2000);
        for (unsigned i = 0; i < n; i++) {
                _cleanup_free_ char *name = i == 0 ? strdup("L") : xasprintf("x%u", i);
                _cleanup_free_ char *target = xasprintf("/x%u/%s", i + 1, tail);
                assert_true(strlen(target) < 4096);
                rlink(f, target, name);
        }
}

static char *mkdir_error(const fixture *f, const char *path) {
        nvct_error *err = NULL;
        int fd = 4242;
        assert_int_equal(nvct_rootfs_mkdir_p(f->root_fd, path, &fd, &err), -1);
        assert_int_equal(fd, 4242);
        assert_non_null(err);
        char *msg = strdup(err->msg);
        nvct_error_free(&err);
        return msg;
}

static void test_dangling_chain(void **state) {
        fixture *f = *state;
        /* x40 is missing: the old mkdir_p made it, and each directory
         * after it, resolving every prefix again from the root: minutes.
         * Now one walk makes x40/p/p/... until the walk's depth limit. */
        make_chain(f, 40, "p");
        open_fails(f, "/L/f", O_RDONLY, ENOENT);
        _cleanup_free_ char *m1 = link_error(f, "t", "/L/f", 0);
        assert_contains(m1, "more than 256 directories deep");
        assert_contains(m1, "\"/L/f\"");
        _cleanup_free_ char *m2 = mkdir_error(f, "/L");
        assert_contains(m2, "more than 256 directories deep");
        /* What was made is inside: root/x40/p/p/... */
        _cleanup_free_ char *made = rpath(f, "x40/p/p/p");
        assert_dir(made);

        /* A 41st link: the kernel's limit, for the whole lookup. */
        _cleanup_free_ char *x40 = rpath(f, "x40");
        rm_rf(x40);
        _cleanup_free_ char *tail = repeat("p", 2000);
        _cleanup_free_ char *target = xasprintf("/x41/%s", tail);
        rlink(f, target, "x40");
        _cleanup_free_ char *m3 = link_error(f, "t", "/L/f", ELOOP);
        assert_contains(m3, "Too many levels of symbolic links");
        open_fails(f, "/L/f", O_RDONLY, ELOOP);
        struct stat st;
        _cleanup_free_ char *x41 = rpath(f, "x41");
        assert_int_equal(lstat(x41, &st), -1);
        assert_outside_unchanged(f);
}

static void test_component_limit(void **state) {
        fixture *f = *state;
        /* The same chain of ".": 80,000 components, no directory to make
         * on the way. The kernel's openat2 finds the end (its own work is
         * bounded by its 40 links); the walk gives up after 4096. */
        make_chain(f, 40, ".");
        _cleanup_free_ char *x40 = rpath(f, "x40");
        assert_int_equal(mkdir(x40, 0755), 0);
        nvct_error *err = NULL;
        int fd = -1;
        int r = nvct_rootfs_open(f->root_fd, "/L", O_PATH | O_DIRECTORY, &fd, &err);
        if (fallback_mode) {
                assert_int_equal(r, -1);
                assert_contains(err->msg, "more than 4096 path components");
                assert_contains(err->msg, "\"/L\"");
                nvct_error_free(&err);
                _cleanup_free_ char *m = link_error(f, "t", "/L/f", 0);
                assert_contains(m, "more than 4096 path components");
        } else {
                assert_int_equal(r, 0);
                close(fd);
                make_link(f, "t", "/L/f");
                assert_link(f, "x40/f", "t");
        }
        /* With x40 missing, both take the walk, which makes x40 and then
         * gives up. */
        rm_rf(x40);
        _cleanup_free_ char *m2 = mkdir_error(f, "/L/d");
        assert_contains(m2, "more than 4096 path components");

        /* The limit counts the whole lookup: "many" is 2,000 components,
         * twice is within 4096, three times is not. */
        _cleanup_free_ char *dots = repeat(".", 2000);
        rlink(f, dots, "many");
        _cleanup_free_ char *ok = open_read(f, "many/many/etc/passwd");
        assert_string_equal(ok, "container\n");
        if (fallback_mode)
                open_fails(f, "many/many/many/etc/passwd", O_RDONLY, 0);
        else
                free(open_read(f, "many/many/many/etc/passwd"));
        assert_outside_unchanged(f);
}

/* ---- ldconfig: refusals that need no privilege ---- */

static void ldconfig_fails(const fixture *f, const char *ldconfig, const char *const *folders,
                           const char *needle) {
        nvct_error *err = NULL;
        assert_int_equal(nvct_ldconfig_run(f->root, ldconfig, folders, &err), -1);
        assert_non_null(err);
        assert_contains(err->msg, needle);
        nvct_error_free(&err);
}

static void test_ldconfig_refusals(void **state) {
        fixture *f = *state;
        static const char *const none[] = { NULL };
        /* A dynamic executable would load the container's ld.so as root. */
        ldconfig_fails(f, "/bin/true", none, "dynamically linked");
        _cleanup_free_ char *script = xasprintf("%s/ldconfig.sh", f->base);
        write_file(script, "#!/bin/sh\nexit 0\n");
        assert_int_equal(chmod(script, 0755), 0);
        ldconfig_fails(f, script, none, "is a script");
        _cleanup_free_ char *noexec = xasprintf("%s/ldconfig.noexec", f->base);
        write_file(noexec, "x");
        ldconfig_fails(f, noexec, none, "is not executable");
        _cleanup_free_ char *garbage = xasprintf("%s/ldconfig.garbage", f->base);
        write_file(garbage, "not an ELF file at all, but long enough for a header..........");
        assert_int_equal(chmod(garbage, 0755), 0);
        ldconfig_fails(f, garbage, none, "is not an ELF executable");
        ldconfig_fails(f, "/nonexistent/ldconfig", none, "could not open ldconfig");
        ldconfig_fails(f, f->base, none, "not a regular file");
        /* Folders: absolute only (a leading '-' would be an option). */
        static const char *const rel[] = { "usr/lib", NULL };
        struct stat st;
        if (stat("/sbin/ldconfig", &st) == 0)
                ldconfig_fails(f, "/sbin/ldconfig", rel, "not an absolute path");
        assert_outside_unchanged(f);
}

static void test_ldconfig_host_root(void **state) {
        fixture *f = *state;
        (void)f;
        static const char *const none[] = { NULL };
        nvct_error *err = NULL;
        assert_int_equal(nvct_ldconfig_run("/", "/bin/true", none, &err), -1);
        assert_contains(err->msg, "host's root");
        nvct_error_free(&err);
}

/* ---- ldconfig: running it (root, and a static /sbin/ldconfig) ---- */

static const char *const no_folders[] = { NULL };

/* Skips the test unless /sbin/ldconfig can run here: root, and static. */
static void ldconfig_or_skip(const fixture *f) {
        struct stat st;
        if (geteuid() != 0 || stat("/sbin/ldconfig", &st) < 0)
                skip();
        nvct_error *err = NULL;
        int r = nvct_ldconfig_run(f->root, "/sbin/ldconfig", no_folders, &err);
        if (r < 0 && strstr(err->msg, "dynamically linked") != NULL) {
                nvct_error_free(&err);
                skip();
        }
        if (r < 0) {
                print_error("ldconfig in an empty root: %s\n", err->msg);
                nvct_error_free(&err);
                fail();
        }
}

/* No child of ours is left, not even a zombie. */
static void assert_no_children(void) {
        int status;
        assert_int_equal(waitpid(-1, &status, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
}

static void test_ldconfig_runs(void **state) {
        fixture *f = *state;
        ldconfig_or_skip(f);
        _cleanup_free_ char *cache = rpath(f, "etc/ld.so.cache");
        struct stat st;
        assert_int_equal(lstat(cache, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_no_children();
        assert_outside_unchanged(f);
}

/* ldconfig blocks opening a FIFO: killed at the deadline, with one error. */
static void deadline_hit(const fixture *f, const char *const *folders) {
        nvct_ldconfig_set_timeout(300);
        nvct_error *err = NULL;
        int r = nvct_ldconfig_run(f->root, "/sbin/ldconfig", folders, &err);
        nvct_ldconfig_set_timeout(0);
        assert_int_equal(r, -1);
        assert_non_null(err);
        assert_contains(err->msg, "ldconfig in the container root");
        assert_contains(err->msg, f->root);
        assert_contains(err->msg, "did not finish within 300 ms; killed");
        assert_null(strchr(err->msg, '\n'));
        nvct_error_free(&err);
        assert_no_children();
}

static void test_ldconfig_deadline(void **state) {
        fixture *f = *state;
        ldconfig_or_skip(f);
        /* /etc/ld.so.conf a FIFO. */
        _cleanup_free_ char *conf = rpath(f, "etc/ld.so.conf");
        assert_int_equal(mkfifo(conf, 0644), 0);
        deadline_hit(f, no_folders);
        /* A FIFO that it includes. */
        assert_int_equal(unlink(conf), 0);
        write_file(conf, "include /etc/ld.so.conf.d/*.conf\n");
        _cleanup_free_ char *dir = rpath(f, "etc/ld.so.conf.d");
        assert_int_equal(mkdir(dir, 0755), 0);
        _cleanup_free_ char *inc = rpath(f, "etc/ld.so.conf.d/fifo.conf");
        assert_int_equal(mkfifo(inc, 0644), 0);
        deadline_hit(f, no_folders);
        /* A library link in a folder that leads to a FIFO. */
        assert_int_equal(unlink(inc), 0);
        _cleanup_free_ char *fifo = rpath(f, "usr/lib/fifo");
        assert_int_equal(mkfifo(fifo, 0644), 0);
        rlink(f, "fifo", "usr/lib/libfifo.so.1");
        static const char *const folders[] = { "/usr/lib", NULL };
        deadline_hit(f, folders);
        /* The default deadline again: a plain run works. */
        assert_int_equal(unlink(fifo), 0);
        nvct_error *err = NULL;
        assert_int_equal(nvct_ldconfig_run(f->root, "/sbin/ldconfig", folders, &err), 0);
        assert_no_children();
        assert_outside_unchanged(f);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                T(test_open_plain),
                T(test_open_errors),
                T(test_links_to_root),
                T(test_links_outside),
                T(test_loops),
                T(test_fifo),
                T(test_parent_symlink_out),
                T(test_final_symlink_replaced),
                T(test_directory_in_way),
                T(test_same_target_left_alone),
                T(test_mkdir_p),
                T(test_open_nofollow),
                T(test_deep_tree),
                T(test_dangling_chain),
                T(test_component_limit),
                T(test_ldconfig_refusals),
                T(test_ldconfig_host_root),
                T(test_ldconfig_runs),
                T(test_ldconfig_deadline),
        };
        int failed = cmocka_run_group_tests_name("rootfs (openat2)", tests, group_openat2, NULL);
        failed +=
                cmocka_run_group_tests_name("rootfs (fallback walk)", tests, group_fallback, NULL);
        return failed;
}
