/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for driver/root: a scratch driver root with a hand-built
 * ld.so.cache (new layout), libraries and their links (one absolute, one of
 * another driver version, one dangling), binaries, IPC sockets and
 * firmware; what each lookup finds, resolved inside the root; errors quoted,
 * the first one kept, a NULL err allowed. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "driver/dirlist.h"
#include "driver/libscan.h"
#include "driver/root.h"

#if defined(__x86_64__) && !defined(__ILP32__)
#define NATIVE_FLAGS 0x0303
#elif defined(__aarch64__) && !defined(__ILP32__)
#define NATIVE_FLAGS 0x0a03
#else
#define NATIVE_FLAGS 0
#endif

#define LIB "/usr/lib/x86_64-linux-gnu"
#define VERSION "550.54.15"

typedef struct fixture {
        char root[64];
        char *warnings; /* each warning, one line each */
        size_t warnings_len;
} fixture;

/* ---- building the root ---- */

static void path_at(const fixture *f, const char *path, char *out, size_t size) {
        int n = snprintf(out, size, "%s%s", f->root, path);
        assert_true(n > 0 && (size_t)n < size);
}

static void mkdirs(const fixture *f, const char *dir) {
        char p[512];
        path_at(f, dir, p, sizeof(p));
        for (char *s = p + strlen(f->root) + 1; *s != '\0'; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
                *s = '/';
        }
        assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
}

static void put_file(const fixture *f, const char *path, const void *data, size_t len) {
        char p[512];
        path_at(f, path, p, sizeof(p));
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t)len);
        close(fd);
}

static void put_link(const fixture *f, const char *target, const char *path) {
        char p[512];
        path_at(f, path, p, sizeof(p));
        assert_int_equal(symlink(target, p), 0);
}

static void put_socket(const fixture *f, const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        path_at(f, path, sa.sun_path, sizeof(sa.sun_path));
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        close(fd);
}

/* A new-layout ld.so.cache ("glibc-ld.so.cache1.1") of native entries. */
static void put_cache(const fixture *f, const char *const *names, const char *const *paths,
                      size_t n) {
        size_t strings = 0;
        for (size_t i = 0; i < n; i++)
                strings += strlen(names[i]) + 1 + strlen(paths[i]) + 1;
        size_t len = 48 + 24 * n + strings;
        unsigned char *buf = calloc(1, len);
        assert_non_null(buf);
        memcpy(buf, "glibc-ld.so.cache1.1", 20);
        uint32_t v = (uint32_t)n;
        memcpy(buf + 20, &v, 4);
        v = (uint32_t)strings;
        memcpy(buf + 24, &v, 4);
        buf[28] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 2 : 3;
        size_t at = 48 + 24 * n;
        for (size_t i = 0; i < n; i++) {
                unsigned char *e = buf + 48 + 24 * i;
                int32_t flags = NATIVE_FLAGS;
                memcpy(e, &flags, 4);
                v = (uint32_t)at;
                memcpy(e + 4, &v, 4);
                memcpy(buf + at, names[i], strlen(names[i]) + 1);
                at += strlen(names[i]) + 1;
                v = (uint32_t)at;
                memcpy(e + 8, &v, 4);
                memcpy(buf + at, paths[i], strlen(paths[i]) + 1);
                at += strlen(paths[i]) + 1;
        }
        mkdirs(f, "/etc");
        put_file(f, "/etc/ld.so.cache", buf, len);
        free(buf);
}

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        strcpy(f->root, "/tmp/nvct-root.XXXXXX");
        assert_non_null(mkdtemp(f->root));
        mkdirs(f, LIB);
        mkdirs(f, "/opt/cfg");
        mkdirs(f, "/usr/lib64");
        put_file(f, LIB "/libcuda.so." VERSION, "x", 1);
        put_link(f, "libcuda.so." VERSION, LIB "/libcuda.so.1");
        put_link(f, "libcuda.so.1", LIB "/libcuda.so");
        /* An absolute link: it resolves inside the root, not on the host. */
        put_file(f, "/opt/cfg/libnvidia-cfg.so." VERSION, "x", 1);
        put_link(f, "/opt/cfg/libnvidia-cfg.so." VERSION, LIB "/libnvidia-cfg.so.1");
        /* Another driver version's library. */
        put_file(f, LIB "/libnvidia-opencl.so.545.23.08", "x", 1);
        put_link(f, "libnvidia-opencl.so.545.23.08", LIB "/libnvidia-opencl.so.1");
        put_link(f, "libnvidia-gone.so." VERSION, LIB "/libnvidia-gone.so.1");
        /* Not in the cache: found in a library directory. */
        put_file(f, "/usr/lib64/libnvidia-ml.so.1", "x", 1);
        static const char *const names[] = { "libcuda.so.1", "libnvidia-cfg.so.1",
                                             "libnvidia-opencl.so.1", "libnvidia-gone.so.1" };
        static const char *const paths[] = { LIB "/libcuda.so.1", LIB "/libnvidia-cfg.so.1",
                                             LIB "/libnvidia-opencl.so.1",
                                             LIB "/libnvidia-gone.so.1" };
        put_cache(f, names, paths, 4);

        mkdirs(f, "/usr/bin/nvidia-smi"); /* a directory: not the binary */
        mkdirs(f, "/usr/sbin");
        put_file(f, "/usr/sbin/nvidia-smi", "x", 1);
        mkdirs(f, "/run/nvidia-persistenced");
        put_file(f, "/run/nvidia-persistenced/socket", "x", 1); /* not a socket */
        mkdirs(f, "/run/nvidia-fabricmanager");
        put_socket(f, "/run/nvidia-fabricmanager/socket");
        mkdirs(f, "/tmp/nvidia-mps");
        mkdirs(f, "/lib/firmware/nvidia/" VERSION);
        put_file(f, "/lib/firmware/nvidia/" VERSION "/gsp_tu10x.bin", "x", 1);
        put_file(f, "/lib/firmware/nvidia/" VERSION "/gsp_ga10x.bin", "x", 1);
        put_file(f, "/lib/firmware/nvidia/" VERSION "/other.bin", "x", 1);
        put_file(f, "/lib/firmware/nvidia/" VERSION "/gsp_x.txt", "x", 1);
        mkdirs(f, "/lib/firmware/nvidia/" VERSION "/gsp_dir.bin");
        *state = f;
        return 0;
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void)st, (void)type, (void)ftw;
        return remove(path);
}

static int teardown(void **state) {
        fixture *f = *state;
        nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(f->warnings);
        free(f);
        return 0;
}

static void record_warning(void *userdata, const char *message) {
        fixture *f = userdata;
        size_t n = strlen(message);
        f->warnings = realloc(f->warnings, f->warnings_len + n + 2);
        assert_non_null(f->warnings);
        memcpy(f->warnings + f->warnings_len, message, n);
        f->warnings_len += n;
        f->warnings[f->warnings_len++] = '\n';
        f->warnings[f->warnings_len] = '\0';
}

static void open_root(fixture *f, const char *const *search, nvct_driver_root *r) {
        nvct_error *err = NULL;
        int rc = nvct_driver_root_open(f->root, search, r, &err);
        if (rc < 0)
                print_error("open: %s\n", err ? err->msg : "?");
        assert_int_equal(rc, 0);
        r->warn = record_warning;
        r->userdata = f;
}

/* ---- tests ---- */

static void test_open(void **state) {
        fixture *f = *state;
        nvct_driver_root r;
        open_root(f, (const char *const[]){ "/opt/extra", NULL }, &r);
        assert_string_equal(r.prefix, f->root);
        assert_true(r.have_cache);
        /* The caller's directories first, then the defaults. */
        assert_string_equal(r.library_dirs.v[0], "/opt/extra");
        assert_string_equal(r.library_dirs.v[1], "/usr/lib64");
        char *host = nvct_driver_root_host_path(&r, "/etc/x");
        char want[128];
        snprintf(want, sizeof(want), "%s/etc/x", f->root);
        assert_string_equal(host, want);
        free(host);
        nvct_driver_root_clear(&r);
        assert_int_equal(r.fd, -1);

        /* "/" has the empty prefix. */
        nvct_error *err = NULL;
        assert_int_equal(nvct_driver_root_open("/", NULL, &r, &err), 0);
        assert_string_equal(r.prefix, "");
        nvct_driver_root_clear(&r);

        r = (nvct_driver_root){ .path = (char *)"untouched" };
        assert_int_equal(nvct_driver_root_open("relative", NULL, &r, &err), -1);
        assert_contains(err->msg, "must be an absolute path, not \"relative\"");
        assert_string_equal(r.path, "untouched");
        nvct_error_free(&err);
        assert_int_equal(
                nvct_driver_root_open(f->root, (const char *const[]){ "lib", NULL }, &r, &err), -1);
        assert_contains(err->msg, "not \"lib\"");
        nvct_error_free(&err);
        assert_int_equal(nvct_driver_root_open("/nonexistent/x\ny", NULL, &r, &err), -1);
        assert_contains(err->msg, "driver root");
        assert_null(strchr(err->msg, '\n'));
        nvct_error_free(&err);
        assert_int_equal(nvct_driver_root_open("/nonexistent", NULL, &r, NULL), -1);
}

static void test_resolve(void **state) {
        fixture *f = *state;
        nvct_driver_root r;
        open_root(f, NULL, &r);
        nvct_error *err = NULL;
        char *path = NULL;
        struct stat st;
        assert_int_equal(nvct_driver_root_resolve(&r, LIB "/libnvidia-cfg.so.1", &path, &st, &err),
                         0);
        assert_string_equal(path, "/opt/cfg/libnvidia-cfg.so." VERSION);
        assert_true(S_ISREG(st.st_mode));
        free(path);
        path = NULL;
        assert_int_equal(nvct_driver_root_resolve(&r, "/missing", &path, &st, &err), -ENOENT);
        assert_int_equal(nvct_driver_root_resolve(&r, LIB "/libnvidia-gone.so.1", &path, &st, &err),
                         -ENOENT);
        assert_null(err);
        assert_null(path);
        nvct_driver_root_clear(&r);
}

/* A lookup that fails (a name longer than NAME_MAX) keeps the error that
 * is already there, and takes a NULL err: resolve assigned *err outright,
 * which overwrote (and leaked) the first error, and crashed on NULL. */
static void test_resolve_first_error_wins(void **state) {
        fixture *f = *state;
        nvct_driver_root r;
        open_root(f, NULL, &r);
        char long_name[400] = "/";
        memset(long_name + 1, 'a', 300);
        char *path = NULL;
        struct stat st;
        nvct_error *err = NULL;
        assert_int_equal(nvct_driver_root_resolve(&r, long_name, &path, &st, &err), -1);
        assert_non_null(err);
        assert_contains(err->msg, "File name too long");
        nvct_error_free(&err);
        nvct_error_make(&err, 0, "first");
        assert_int_equal(nvct_driver_root_resolve(&r, long_name, &path, &st, &err), -1);
        assert_string_equal(err->msg, "first");
        nvct_error_free(&err);
        assert_int_equal(nvct_driver_root_resolve(&r, long_name, &path, &st, NULL), -1);
        assert_null(path);
        nvct_driver_root_clear(&r);
}

static void test_libraries(void **state) {
        fixture *f = *state;
        if (NATIVE_FLAGS == 0)
                skip();
        nvct_driver_root r;
        open_root(f, NULL, &r);
        nvct_error *err = NULL;
        char *path = NULL;
        assert_int_equal(nvct_driver_root_find_library(&r, "libcuda", VERSION, &path, &err), 0);
        assert_string_equal(path, LIB "/libcuda.so." VERSION);
        free(path);
        assert_int_equal(nvct_driver_root_find_library(&r, "libnvidia-cfg", VERSION, &path, &err),
                         0);
        assert_string_equal(path, "/opt/cfg/libnvidia-cfg.so." VERSION);
        free(path);
        path = NULL;
        /* Another version's library is no match. */
        assert_int_equal(
                nvct_driver_root_find_library(&r, "libnvidia-opencl", VERSION, &path, &err),
                -ENOENT);
        assert_int_equal(nvct_driver_root_find_library(&r, "libnvidia-gone", VERSION, &path, &err),
                         -ENOENT);
        assert_null(path);
        /* From the cache, else the library directories. */
        assert_int_equal(nvct_driver_root_find_soname(&r, "libcuda.so.1", &path, &err), 0);
        assert_string_equal(path, LIB "/libcuda.so." VERSION);
        free(path);
        assert_int_equal(nvct_driver_root_find_soname(&r, "libnvidia-ml.so.1", &path, &err), 0);
        assert_string_equal(path, "/usr/lib64/libnvidia-ml.so.1");
        free(path);
        path = NULL;
        assert_int_equal(nvct_driver_root_find_soname(&r, "libnope.so.1", &path, &err), -ENOENT);
        assert_null(path);
        assert_null(err);

        nvct_strv names = { 0 };
        assert_int_equal(nvct_driver_root_library_link_names(&r, "libcuda", &names, &err), 0);
        assert_int_equal(names.n, 2);
        assert_string_equal(names.v[0], "libcuda.so.1");
        assert_string_equal(names.v[1], "libcuda.so");
        nvct_strv_clear(&names);
        nvct_driver_root_clear(&r);
}

static void test_links(void **state) {
        fixture *f = *state;
        nvct_driver_root r;
        open_root(f, NULL, &r);
        nvct_error *err = NULL;
        char *target = NULL, *resolved = NULL;
        assert_int_equal(
                nvct_driver_root_read_link(&r, LIB "/libcuda.so", &target, &resolved, &err), 0);
        assert_string_equal(target, "libcuda.so.1");
        assert_string_equal(resolved, LIB "/libcuda.so." VERSION);
        free(target);
        free(resolved);
        /* Dangling: the target, nothing resolved. */
        assert_int_equal(nvct_driver_root_read_link(&r, LIB "/libnvidia-gone.so.1", &target,
                                                    &resolved, &err),
                         0);
        assert_string_equal(target, "libnvidia-gone.so." VERSION);
        assert_null(resolved);
        free(target);
        target = NULL;
        assert_int_equal(nvct_driver_root_read_link(&r, LIB "/libcuda.so." VERSION, &target,
                                                    &resolved, &err),
                         -ENOENT);
        assert_null(target);
        assert_null(err);
        nvct_driver_root_clear(&r);
}

static void test_binaries_ipc_firmware(void **state) {
        fixture *f = *state;
        nvct_driver_root r;
        open_root(f, NULL, &r);
        nvct_error *err = NULL;
        char *path = NULL;
        assert_int_equal(nvct_driver_root_find_binary(&r, "nvidia-smi", &path, &err), 0);
        assert_string_equal(path, "/usr/sbin/nvidia-smi");
        free(path);
        path = NULL;
        assert_int_equal(nvct_driver_root_find_binary(&r, "nvidia-debugdump", &path, &err),
                         -ENOENT);
        assert_null(path);

        nvct_strv ipc = { 0 };
        assert_int_equal(nvct_driver_root_find_ipc(&r, &ipc, &err), 0);
        assert_int_equal(ipc.n, 2);
        assert_string_equal(ipc.v[0], "/run/nvidia-fabricmanager/socket");
        assert_string_equal(ipc.v[1], "/tmp/nvidia-mps");
        nvct_strv_clear(&ipc);
        char want[256];
        snprintf(want, sizeof(want), "\"%s/run/nvidia-persistenced/socket\" is not a socket",
                 f->root);
        assert_non_null(f->warnings);
        assert_contains(f->warnings, want);

        nvct_strv paths = { 0 }, resolved = { 0 };
        assert_int_equal(nvct_driver_root_find_firmware(&r, VERSION, &paths, &resolved, &err), 0);
        assert_int_equal(paths.n, 2);
        assert_string_equal(paths.v[0], "/lib/firmware/nvidia/" VERSION "/gsp_ga10x.bin");
        assert_string_equal(paths.v[1], "/lib/firmware/nvidia/" VERSION "/gsp_tu10x.bin");
        assert_int_equal(resolved.n, 2);
        assert_string_equal(resolved.v[1], "/lib/firmware/nvidia/" VERSION "/gsp_tu10x.bin");
        nvct_strv_clear(&paths);
        nvct_strv_clear(&resolved);
        /* No firmware for another version: nothing, no error. */
        assert_int_equal(nvct_driver_root_find_firmware(&r, "1.2.3", &paths, &resolved, &err), 0);
        assert_int_equal(paths.n, 0);
        assert_null(err);
        nvct_driver_root_clear(&r);
}

/* The memo (each folder resolved once, names in it looked at on its fd)
 * answers as a lookup from the root would: a chain of same-folder links
 * longer than the memo follows by hand, a loop, a link up and out with
 * "..", an absolute link, a folder reached through a symlink, a name asked
 * twice, and read_link of a name already resolved. */
static void test_memo_matches_root(void **state) {
        fixture *f = *state;
        mkdirs(f, "/usr/lib/chain");
        put_file(f, "/usr/lib/chain/end", "x", 1);
        char from[64], to[64];
        for (int i = 0; i < 12; i++) {
                snprintf(to, sizeof(to), i == 0 ? "end" : "l%d", i - 1);
                snprintf(from, sizeof(from), "/usr/lib/chain/l%d", i);
                put_link(f, to, from);
        }
        put_link(f, "loop-b", "/usr/lib/chain/loop-a");
        put_link(f, "loop-a", "/usr/lib/chain/loop-b");
        put_link(f, "../../../../etc/ld.so.cache", "/usr/lib/chain/up");
        put_link(f, "/usr/lib/chain/end", "/usr/lib/chain/abs");
        put_link(f, "usr/lib", "/ulib"); /* as a merged /usr has /lib */
        nvct_driver_root r;
        open_root(f, NULL, &r);
        nvct_error *err = NULL;
        char *path = NULL;
        struct stat st;
        for (int pass = 0; pass < 2; pass++) {
                assert_int_equal(
                        nvct_driver_root_resolve(&r, "/usr/lib/chain/l11", &path, &st, &err), 0);
                assert_string_equal(path, "/usr/lib/chain/end");
                assert_true(S_ISREG(st.st_mode));
                free(path);
                assert_int_equal(nvct_driver_root_resolve(&r, "/ulib/chain/l2", &path, &st, &err),
                                 0);
                assert_string_equal(path, "/usr/lib/chain/end");
                free(path);
                assert_int_equal(
                        nvct_driver_root_resolve(&r, "/usr/lib/chain/up", &path, &st, &err), 0);
                assert_string_equal(path, "/etc/ld.so.cache");
                free(path);
                assert_int_equal(nvct_driver_root_resolve(&r, "/ulib/chain/abs", &path, &st, &err),
                                 0);
                assert_string_equal(path, "/usr/lib/chain/end");
                free(path);
                path = NULL;
                assert_int_equal(
                        nvct_driver_root_resolve(&r, "/usr/lib/chain/loop-a", &path, &st, &err),
                        -ENOENT);
                assert_int_equal(nvct_driver_root_resolve(&r, "/usr/lib/nope/x", &path, &st, &err),
                                 -ENOENT);
                assert_int_equal(
                        nvct_driver_root_resolve(&r, "/usr/lib/chain/end/x", &path, &st, &err),
                        -ENOENT);
                assert_null(path);
        }
        char *target = NULL, *resolved = NULL;
        assert_int_equal(nvct_driver_root_read_link(&r, "/ulib/chain/l1", &target, &resolved, &err),
                         0);
        assert_string_equal(target, "l0");
        assert_string_equal(resolved, "/usr/lib/chain/end");
        free(target);
        free(resolved);
        assert_int_equal(
                nvct_driver_root_read_link(&r, "/usr/lib/chain/loop-b", &target, &resolved, &err),
                0);
        assert_string_equal(target, "loop-a");
        assert_null(resolved);
        free(target);
        target = NULL;
        assert_int_equal(
                nvct_driver_root_read_link(&r, "/usr/lib/chain/end", &target, &resolved, &err),
                -ENOENT);
        assert_int_equal(
                nvct_driver_root_read_link(&r, "/usr/lib/chain/none", &target, &resolved, &err),
                -ENOENT);
        assert_null(target);
        assert_null(err);
        nvct_driver_root_clear(&r);
}

/* The cache's entries by library (the memo's index) keep the file's order
 * and take only the library's own names: libnvidia-pkcs11 is not a prefix
 * match of libnvidia-pkcs11-openssl3's entries, and a name holding ".so"
 * is scanned. */
static void test_library_index(void **state) {
        fixture *f = *state;
        if (NATIVE_FLAGS == 0)
                skip();
        put_file(f, LIB "/libnvidia-pkcs11-openssl3.so." VERSION, "x", 1);
        put_link(f, "libnvidia-pkcs11-openssl3.so." VERSION, LIB "/libnvidia-pkcs11-openssl3.so.1");
        static const char *const names[] = { "libcuda.so.9", "libnvidia-pkcs11-openssl3.so.1",
                                             "libcuda.so.1", "libcuda.so" };
        static const char *const paths[] = { LIB "/libcuda.so.9",
                                             LIB "/libnvidia-pkcs11-openssl3.so.1",
                                             LIB "/libcuda.so.1", LIB "/libcuda.so" };
        put_cache(f, names, paths, 4);
        nvct_driver_root r;
        open_root(f, NULL, &r);
        nvct_error *err = NULL;
        nvct_strv got = { 0 };
        assert_int_equal(nvct_driver_root_library_link_names(&r, "libcuda", &got, &err), 0);
        assert_int_equal(got.n, 3);
        assert_string_equal(got.v[0], "libcuda.so.9"); /* file order */
        assert_string_equal(got.v[1], "libcuda.so.1");
        assert_string_equal(got.v[2], "libcuda.so");
        nvct_strv_clear(&got);
        assert_int_equal(nvct_driver_root_library_link_names(&r, "libnvidia-pkcs11", &got, &err),
                         0);
        assert_int_equal(got.n, 2); /* only the fallback names */
        assert_string_equal(got.v[0], "libnvidia-pkcs11.so.1");
        nvct_strv_clear(&got);
        /* libcuda.so.9 does not exist: the next entry, libcuda.so.1, is it. */
        char *path = NULL;
        assert_int_equal(nvct_driver_root_find_library(&r, "libcuda", VERSION, &path, &err), 0);
        assert_string_equal(path, LIB "/libcuda.so." VERSION);
        free(path);
        path = NULL;
        assert_int_equal(
                nvct_driver_root_find_library(&r, "libnvidia-pkcs11", VERSION, &path, &err),
                -ENOENT);
        assert_int_equal(nvct_driver_root_find_library(&r, "libnvidia-pkcs11-openssl3", VERSION,
                                                       &path, &err),
                         0);
        assert_string_equal(path, LIB "/libnvidia-pkcs11-openssl3.so." VERSION);
        free(path);
        /* A name holding ".so" (no driver library does) is scanned. */
        assert_int_equal(nvct_driver_root_library_link_names(&r, "libcuda.so", &got, &err), 0);
        assert_int_equal(got.n, 2);
        assert_string_equal(got.v[0], "libcuda.so.so.1");
        nvct_strv_clear(&got);
        assert_null(err);
        nvct_driver_root_clear(&r);
}

/* Libraries by pattern: NAME.so.VERSION (and PREFIX.so.X.Y) files of the
 * folders scanned and cache entries whose names match, resolved, each once,
 * only when the file they lead to matches too. */
static void test_scan_libraries(void **state) {
        fixture *f = *state;
        if (NATIVE_FLAGS == 0)
                skip();
        assert_true(nvct_libscan_is_versioned("libcuda.so." VERSION, VERSION));
        assert_false(nvct_libscan_is_versioned(".so." VERSION, VERSION));
        assert_false(nvct_libscan_is_versioned("libcuda.so.1", VERSION));
        assert_false(nvct_libscan_is_versioned("libcuda.so.x" VERSION, VERSION));
        assert_false(nvct_libscan_is_versioned("libcuda.so." VERSION, ""));
        assert_true(nvct_libscan_is_dotted("libnvidia-egl-gbm.so.1.1.2", "libnvidia-egl-gbm"));
        assert_false(nvct_libscan_is_dotted("libnvidia-egl-gbm.so.1", "libnvidia-egl-gbm"));
        assert_false(nvct_libscan_is_dotted("libnvidia-egl-gbm.so.1.", "libnvidia-egl-gbm"));
        assert_false(nvct_libscan_is_dotted("libnvidia-egl-gbmx.so.1.2", "libnvidia-egl-gbm"));
        assert_false(nvct_libscan_is_dotted("libnvidia-egl-gbm.so.1.1.2.bak", "libnvidia-egl-gbm"));
        assert_false(nvct_libscan_is_dotted("libnvidia-egl-gbm.so..1", "libnvidia-egl-gbm"));

        put_file(f, LIB "/libnvidia-new.so." VERSION, "x", 1);
        /* Named like the driver's, leading to another version's file. */
        put_link(f, "libnvidia-opencl.so.545.23.08", LIB "/libnvidia-liar.so." VERSION);
        put_file(f, LIB "/libnvidia-egl-gbm.so.1.1.2", "x", 1);
        put_file(f, LIB "/libnvidia-egl-gbm.so.1.1.2.bak", "x", 1);
        mkdirs(f, LIB "/vdpau");
        put_file(f, LIB "/vdpau/libvdpau_nvidia.so." VERSION, "x", 1);
        /* Only in the cache; and one in neither the cache nor a folder scanned. */
        put_file(f, "/opt/cfg/libnvidia-cached.so." VERSION, "x", 1);
        put_file(f, "/usr/lib64/libnvidia-stray.so." VERSION, "x", 1);
        static const char *const names[] = { "libcuda.so.1", "libnvidia-cached.so." VERSION };
        static const char *const paths[] = { LIB "/libcuda.so.1",
                                             "/opt/cfg/libnvidia-cached.so." VERSION };
        put_cache(f, names, paths, 2);

        nvct_driver_root r;
        open_root(f, NULL, &r);
        nvct_error *err = NULL;
        nvct_strv found = { 0 };
        static const char *const dirs[] = { LIB, LIB "/vdpau", "/does/not/exist", NULL };
        static const char *const prefixes[] = { "libnvidia-egl-gbm", NULL };
        assert_int_equal(nvct_driver_root_scan_libraries(&r, VERSION, dirs, prefixes, &found, &err),
                         0);
        assert_null(err);
        static const char *const want[] = {
                "/opt/cfg/libnvidia-cached.so." VERSION,  LIB "/libcuda.so." VERSION,
                LIB "/libnvidia-egl-gbm.so.1.1.2",        LIB "/libnvidia-new.so." VERSION,
                LIB "/vdpau/libvdpau_nvidia.so." VERSION,
        };
        assert_int_equal(found.n, ARRAY_SIZE(want));
        for (size_t i = 0; i < ARRAY_SIZE(want); i++)
                assert_string_equal(found.v[i], want[i]);
        /* Scanning again adds nothing twice. */
        assert_int_equal(nvct_driver_root_scan_libraries(&r, VERSION, dirs, prefixes, &found, &err),
                         0);
        assert_int_equal(found.n, ARRAY_SIZE(want));
        nvct_strv_clear(&found);
        nvct_driver_root_clear(&r);
}

/* Each entry listed, "name:type" (type 'r' regular, 'l' link, 'd' folder,
 * '?' other), one per line. */
static int collect_entry(const char *name, unsigned char type, void *userdata, nvct_error **err) {
        (void)err;
        char line[300];
        char t = type == DT_REG ? 'r' : type == DT_LNK ? 'l' : type == DT_DIR ? 'd' : '?';
        snprintf(line, sizeof(line), "%s:%c", name, t);
        assert_int_equal(nvct_strv_add(userdata, line), 0);
        return 0;
}

static int stop_entry(const char *name, unsigned char type, void *userdata, nvct_error **err) {
        (void)name;
        (void)type;
        (void)userdata;
        return nvct_error_make(err, 0, "stopped");
}

/* A folder listed once: every entry with its type, through a folder
 * reached by a symlink too; afterwards its names are answered from the
 * listing (a file made since is not seen: the generation takes the tree as
 * it first looked at it), with the full stat on demand; a subfolder the
 * listing lacks is absent; a folder the memo does not hold ("/") is listed
 * all the same. */
static void test_list_dir(void **state) {
        fixture *f = *state;
        mkdirs(f, LIB "/sub");
        put_file(f, LIB "/sub/inner", "x", 1);
        put_file(f, LIB "/libbig.so." VERSION, "xyz", 3);
        put_link(f, "usr/lib", "/ulib");
        nvct_driver_root r;
        open_root(f, NULL, &r);
        nvct_error *err = NULL;
        nvct_strv got = { 0 };
        assert_int_equal(nvct_driver_root_list_dir(&r, LIB, collect_entry, &got, &err), 0);
        assert_null(err);
        assert_true(nvct_strv_contains(&got, "libcuda.so." VERSION ":r"));
        assert_true(nvct_strv_contains(&got, "libcuda.so.1:l"));
        assert_true(nvct_strv_contains(&got, "libcuda.so:l"));
        assert_true(nvct_strv_contains(&got, "sub:d"));
        assert_false(nvct_strv_contains(&got, ".:d"));
        assert_false(nvct_strv_contains(&got, "..:d"));
        size_t n = got.n;
        nvct_strv_clear(&got);
        /* The same folder through /ulib (a symlink): the same entries. */
        assert_int_equal(
                nvct_driver_root_list_dir(&r, "/ulib/x86_64-linux-gnu", collect_entry, &got, &err),
                0);
        assert_int_equal(got.n, n);
        assert_true(nvct_strv_contains(&got, "libcuda.so.1:l"));
        nvct_strv_clear(&got);

        put_file(f, LIB "/libnew.so.1", "x", 1);
        mkdirs(f, LIB "/later");
        char *path = NULL;
        struct stat st;
        assert_int_equal(nvct_driver_root_resolve(&r, LIB "/libnew.so.1", &path, &st, &err),
                         -ENOENT);
        assert_int_equal(nvct_driver_root_list_dir(&r, LIB "/later", collect_entry, &got, &err),
                         -ENOENT);
        assert_int_equal(got.n, 0);
        mode_t type = 0;
        assert_int_equal(nvct_driver_root_resolve_type(&r, LIB "/libcuda.so.1", &path, &type, &err),
                         0);
        assert_string_equal(path, LIB "/libcuda.so." VERSION);
        assert_int_equal(type, S_IFREG);
        free(path);
        /* The stat in full, which the listing does not hold. */
        assert_int_equal(nvct_driver_root_resolve(&r, LIB "/libbig.so." VERSION, &path, &st, &err),
                         0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_size, 3);
        free(path);
        assert_int_equal(nvct_driver_root_resolve(&r, LIB "/sub/inner", &path, &st, &err), 0);
        assert_string_equal(path, LIB "/sub/inner");
        free(path);
        char *target = NULL, *resolved = NULL;
        assert_int_equal(
                nvct_driver_root_read_link(&r, LIB "/libcuda.so", &target, &resolved, &err), 0);
        assert_string_equal(target, "libcuda.so.1");
        assert_string_equal(resolved, LIB "/libcuda.so." VERSION);
        free(target);
        free(resolved);
        assert_int_equal(nvct_driver_root_read_link(&r, LIB "/libcuda.so." VERSION, &target,
                                                    &resolved, &err),
                         -ENOENT);

        /* Paths that are not plain go from the root, with the same answer. */
        static const char *const unplain[] = {
                "/usr/lib/../lib/x86_64-linux-gnu/libcuda.so.1",
                "/usr//lib/x86_64-linux-gnu/libcuda.so.1",
                "/usr/./lib/x86_64-linux-gnu/libcuda.so.1",
                "/usr/lib/x86_64-linux-gnu/./libcuda.so.1",
        };
        for (size_t i = 0; i < ARRAY_SIZE(unplain); i++) {
                assert_int_equal(nvct_driver_root_resolve(&r, unplain[i], &path, &st, &err), 0);
                assert_string_equal(path, LIB "/libcuda.so." VERSION);
                free(path);
        }
        assert_int_equal(nvct_driver_root_resolve(&r, LIB "/sub/", &path, &st, &err), 0);
        assert_string_equal(path, LIB "/sub");
        assert_true(S_ISDIR(st.st_mode));
        free(path);

        /* Not a folder the memo holds; missing; a file; a callback's error. */
        assert_int_equal(nvct_driver_root_list_dir(&r, "/", collect_entry, &got, &err), 0);
        assert_true(nvct_strv_contains(&got, "usr:d"));
        assert_true(nvct_strv_contains(&got, "ulib:l"));
        nvct_strv_clear(&got);
        assert_int_equal(nvct_driver_root_list_dir(&r, "/nope", collect_entry, &got, &err),
                         -ENOENT);
        assert_int_equal(
                nvct_driver_root_list_dir(&r, LIB "/libcuda.so.1", collect_entry, &got, &err),
                -ENOENT);
        assert_null(err);
        assert_int_equal(nvct_driver_root_list_dir(&r, "/opt/cfg", stop_entry, NULL, &err), -1);
        assert_non_null(err);
        assert_string_equal(err->msg, "stopped");
        nvct_error_free(&err);
        nvct_driver_root_clear(&r);
}

/* A listing past its bound is refused, not cut short; each name is found
 * with its type, and a name it lacks is not. */
static void test_dirlist(void **state) {
        fixture *f = *state;
        char p[512];
        path_at(f, LIB, p, sizeof(p));
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        nvct_dirlist list;
        assert_int_equal(nvct_dirlist_read(fd, 2, &list), -E2BIG);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(nvct_dirlist_read(fd, 100, &list), 0);
        close(fd);
        assert_int_equal(list.n, 7); /* as setup made them */
        assert_int_equal(nvct_dirlist_find(&list, "libcuda.so." VERSION), DT_REG);
        assert_int_equal(nvct_dirlist_find(&list, "libcuda.so.1"), DT_LNK);
        assert_int_equal(nvct_dirlist_find(&list, "libcuda.so.2"), -1);
        assert_int_equal(nvct_dirlist_find(&list, "."), -1);
        nvct_dirlist_clear(&list);
        assert_int_equal(nvct_dirlist_find(&list, "libcuda.so.1"), -1);
}

/* A folder past the bound is refused with a message naming it, every time
 * it is asked (never a listing cut short), and its names are still looked
 * up one by one. */
static void test_list_dir_bound(void **state) {
        fixture *f = *state;
        mkdirs(f, "/big");
        put_file(f, "/big/f0", "x", 1);
        char p[512];
        /* Symlinks: a file system may bound a file's hard links. */
        for (unsigned i = 1; i <= NVCT_DRIVER_ROOT_MAX_DIR_ENTRIES; i++) {
                snprintf(p, sizeof(p), "%s/big/f%u", f->root, i);
                assert_int_equal(symlink("f0", p), 0);
        }
        nvct_driver_root r;
        open_root(f, NULL, &r);
        nvct_strv got = { 0 };
        for (int pass = 0; pass < 2; pass++) {
                nvct_error *err = NULL;
                assert_int_equal(nvct_driver_root_list_dir(&r, "/big", collect_entry, &got, &err),
                                 -1);
                assert_non_null(err);
                assert_non_null(strstr(err->msg, "holds more than 65536 entries"));
                assert_non_null(strstr(err->msg, "/big"));
                nvct_error_free(&err);
                assert_int_equal(got.n, 0);
        }
        nvct_error *err = NULL;
        char *path = NULL;
        struct stat st;
        assert_int_equal(nvct_driver_root_resolve(&r, "/big/f65536", &path, &st, &err), 0);
        assert_string_equal(path, "/big/f0");
        free(path);
        nvct_driver_root_clear(&r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_open, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_first_error_wins, setup, teardown),
                cmocka_unit_test_setup_teardown(test_libraries, setup, teardown),
                cmocka_unit_test_setup_teardown(test_links, setup, teardown),
                cmocka_unit_test_setup_teardown(test_binaries_ipc_firmware, setup, teardown),
                cmocka_unit_test_setup_teardown(test_memo_matches_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_library_index, setup, teardown),
                cmocka_unit_test_setup_teardown(test_scan_libraries, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dirlist, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_dir_bound, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
