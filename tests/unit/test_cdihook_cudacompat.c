/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for cdihook/cudacompat (nvidia-cdi-hook enable-cuda-compat):
 * version majors, the library's ELF note (built here: 32/64-bit, both byte
 * orders, and broken ones that must read as "no note"), the decision NVIDIA's
 * hook makes, and the ld.so.conf.d file written inside the root. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <elf.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "cdihook/cudacompat.h"

#include "cdihook_fixture.h"

static void test_major(void **state) {
        (void)state;
        int m = -1;
        assert_int_equal(nvct_cuda_compat_major("550.54.15", &m, NULL), 0);
        assert_int_equal(m, 550);
        assert_int_equal(nvct_cuda_compat_major("", &m, NULL), 0);
        assert_int_equal(m, 0);
        assert_int_equal(nvct_cuda_compat_major("12", &m, NULL), 0);
        assert_int_equal(m, 12);
        assert_int_equal(nvct_cuda_compat_major("+7.1", &m, NULL), 0);
        assert_int_equal(m, 7);
        static const char *const bad[] = { "abc", ".1", "5x.1", "99999999999.1", "-", " 5" };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                _cleanup_error_ nvct_error *err = NULL;
                m = -1;
                assert_true(nvct_cuda_compat_major(bad[i], &m, &err) < 0);
                assert_contains(err->msg, "failed to extract the major version from");
                assert_int_equal(m, -1);
        }
}

/* ---- ELF files with a note ---- */

typedef struct elf_spec {
        bool is64, big;
        const char *owner;    /* the note's name */
        const char *json;     /* its description */
        const char *section;  /* the section's name */
        uint64_t align;       /* sh_addralign */
        bool truncate;        /* cut the file inside the note */
        uint64_t bad_note_sz; /* when non-zero: a namesz claiming this much */
} elf_spec;

static void put(unsigned char *p, uint64_t v, size_t n, bool big) {
        for (size_t i = 0; i < n; i++)
                p[big ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

/* Writes the ELF file of `s` at `path`: a header, the section names, the
 * note, and three section headers (null, .shstrtab, the note). */
static void write_elf(const char *path, const elf_spec *s) {
        unsigned char buf[4096] = { 0 };
        size_t ehsize = s->is64 ? 64 : 52, shentsize = s->is64 ? 64 : 40;
        size_t strtab_off = ehsize;
        const char *names0 = "\0.shstrtab\0";
        size_t sec_name = 11;
        memcpy(buf + strtab_off, names0, 11);
        strcpy((char *)buf + strtab_off + sec_name, s->section);
        size_t strtab_size = sec_name + strlen(s->section) + 1;
        size_t note_off = (strtab_off + strtab_size + 7) & ~(size_t)7;
        uint64_t align = s->align == 0 ? 4 : s->align;
        size_t namesz = strlen(s->owner) + 1, descsz = strlen(s->json) + 1;
        size_t name_span = (namesz + align - 1) / align * align;
        put(buf + note_off, s->bad_note_sz ? s->bad_note_sz : namesz, 4, s->big);
        put(buf + note_off + 4, descsz, 4, s->big);
        put(buf + note_off + 8, 1, 4, s->big);
        memcpy(buf + note_off + 12, s->owner, namesz);
        memcpy(buf + note_off + 12 + name_span, s->json, descsz);
        size_t note_size = 12 + name_span + (descsz + 3) / 4 * 4;
        size_t shoff = (note_off + note_size + 7) & ~(size_t)7;
        assert_true(shoff + 3 * shentsize <= sizeof(buf));

        memcpy(buf, ELFMAG, SELFMAG);
        buf[EI_CLASS] = s->is64 ? ELFCLASS64 : ELFCLASS32;
        buf[EI_DATA] = s->big ? ELFDATA2MSB : ELFDATA2LSB;
        buf[EI_VERSION] = EV_CURRENT;
        put(buf + 16, ET_DYN, 2, s->big);
        if (s->is64) {
                put(buf + 40, shoff, 8, s->big);
                put(buf + 58, shentsize, 2, s->big);
                put(buf + 60, 3, 2, s->big);
                put(buf + 62, 1, 2, s->big);
        } else {
                put(buf + 32, shoff, 4, s->big);
                put(buf + 46, shentsize, 2, s->big);
                put(buf + 48, 3, 2, s->big);
                put(buf + 50, 1, 2, s->big);
        }
        /* name, type, offset, size, align per section */
        const uint64_t secs[3][5] = {
                { 0, SHT_NULL, 0, 0, 0 },
                { 1, SHT_STRTAB, strtab_off, strtab_size, 1 },
                { sec_name, SHT_NOTE, note_off, note_size, align },
        };
        for (size_t i = 0; i < 3; i++) {
                unsigned char *h = buf + shoff + i * shentsize;
                put(h, secs[i][0], 4, s->big);
                put(h + 4, secs[i][1], 4, s->big);
                if (s->is64) {
                        put(h + 24, secs[i][2], 8, s->big);
                        put(h + 32, secs[i][3], 8, s->big);
                        put(h + 48, secs[i][4], 8, s->big);
                } else {
                        put(h + 16, secs[i][2], 4, s->big);
                        put(h + 20, secs[i][3], 4, s->big);
                        put(h + 32, secs[i][4], 4, s->big);
                }
        }
        size_t total = shoff + 3 * shentsize;
        if (s->truncate)
                total = note_off + 16;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, buf, total), (ssize_t)total);
        close(fd);
}

static int read_note_of(const elf_spec *s, nvct_cuda_compat_note *note) {
        _cleanup_free_ char *dir = make_tmpdir_named("elf");
        _cleanup_free_ char *path = xasprintf("%s/libcuda.so.1.1", dir);
        write_elf(path, s);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        int r = nvct_cuda_compat_read_note(fd, note);
        close(fd);
        remove_tree(dir);
        return r;
}

#define NOTE_JSON "{\"Format\":1,\"CUDA Version\":\"12.9\",\"Driver\":[575,580],\"Device\":[1,2]}"

static void test_note_read(void **state) {
        (void)state;
        for (int is64 = 0; is64 <= 1; is64++) {
                for (int big = 0; big <= 1; big++) {
                        for (uint64_t align = 1; align <= 8; align *= 2) {
                                elf_spec s = { is64,
                                               big,
                                               "NVIDIA Corporation",
                                               NOTE_JSON,
                                               ".note.cuda.fwd_compatibility",
                                               align,
                                               false,
                                               0 };
                                nvct_cuda_compat_note note;
                                assert_int_equal(read_note_of(&s, &note), 1);
                                assert_string_equal(note.cuda_version, "12.9");
                                assert_int_equal(note.n_drivers, 2);
                                assert_int_equal(note.drivers[0], 575);
                                assert_int_equal(note.drivers[1], 580);
                        }
                }
        }
        /* Keys match as Go's encoding/json matches them. */
        elf_spec s = { true,
                       false,
                       "NVIDIA Corporation",
                       "{\"cuda version\":\"13.0\",\"DRIVER\":[],\"x\":{}}",
                       ".note.cuda.fwd_compatibility",
                       4,
                       false,
                       0 };
        nvct_cuda_compat_note note;
        assert_int_equal(read_note_of(&s, &note), 1);
        assert_string_equal(note.cuda_version, "13.0");
        assert_int_equal(note.n_drivers, 0);
}

static void test_note_broken_reads_as_none(void **state) {
        (void)state;
        static const struct {
                const char *owner, *json, *section;
                bool truncate;
                uint64_t bad_note_sz;
        } cases[] = {
                { "NVIDIA Corp", NOTE_JSON, ".note.cuda.fwd_compatibility", false, 0 },
                { "NVIDIA Corporation", NOTE_JSON, ".note.other", false, 0 },
                { "NVIDIA Corporation", "{\"Driver\":[575.5]}", ".note.cuda.fwd_compatibility",
                  false, 0 },
                { "NVIDIA Corporation", "{\"CUDA Version\":12.9}", ".note.cuda.fwd_compatibility",
                  false, 0 },
                { "NVIDIA Corporation", "[1,2]", ".note.cuda.fwd_compatibility", false, 0 },
                { "NVIDIA Corporation", "{\"Driver\":", ".note.cuda.fwd_compatibility", false, 0 },
                { "NVIDIA Corporation", NOTE_JSON, ".note.cuda.fwd_compatibility", true, 0 },
                { "NVIDIA Corporation", NOTE_JSON, ".note.cuda.fwd_compatibility", false,
                  0xfffffff0u },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                elf_spec s = { true,
                               false,
                               cases[i].owner,
                               cases[i].json,
                               cases[i].section,
                               4,
                               cases[i].truncate,
                               cases[i].bad_note_sz };
                nvct_cuda_compat_note note;
                if (read_note_of(&s, &note) != 0)
                        fail_msg("case %zu read as a note", i);
        }
        /* Not ELF at all. */
        _cleanup_free_ char *dir = make_tmpdir_named("elf");
        _cleanup_free_ char *path = xasprintf("%s/x", dir);
        hk_write(path, "\177ELF but short", 0644);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        nvct_cuda_compat_note note;
        assert_int_equal(nvct_cuda_compat_read_note(fd, &note), 0);
        close(fd);
        remove_tree(dir);
}

static void test_note_decision(void **state) {
        (void)state;
        nvct_cuda_compat_note note = { "12.9", { 575, 580 }, 2 };
        assert_true(nvct_cuda_compat_note_use(&note, 575, ""));
        assert_false(nvct_cuda_compat_note_use(&note, 550, "12.4"));
        /* The host's branch unknown: the CUDA versions decide. */
        assert_true(nvct_cuda_compat_note_use(&note, 0, "12.4"));
        assert_true(nvct_cuda_compat_note_use(&note, 0, "v12.8.1"));
        assert_false(nvct_cuda_compat_note_use(&note, 0, "12.9"));
        assert_false(nvct_cuda_compat_note_use(&note, 0, "13.0"));
        assert_false(nvct_cuda_compat_note_use(&note, 0, ""));
        nvct_cuda_compat_note no_drivers = { "12.9", { 0 }, 0 };
        assert_true(nvct_cuda_compat_note_use(&no_drivers, 550, "12.4"));
        nvct_cuda_compat_note empty = { "", { 0 }, 0 };
        assert_false(nvct_cuda_compat_note_use(&empty, 550, "12.4"));
}

/* ---- in the root ---- */

static bool check(hk_fixture *f, const char *driver, const char *cuda) {
        _cleanup_error_ nvct_error *err = NULL;
        bool use = true;
        if (nvct_cuda_compat_check(f->root_fd, NVCT_CUDA_COMPAT_DEFAULT_ROOT, driver, cuda, NULL,
                                   NULL, &use, &err) < 0)
                fail_msg("check: %s", err->msg);
        return use;
}

static void test_check_by_name(void **state) {
        hk_fixture *f = *state;
        assert_false(check(f, "550.1", "")); /* no folder */
        _cleanup_free_ char *compat = hk_mkdir(f->root, "usr/local/cuda/compat");
        assert_false(check(f, "550.1", "")); /* no library */
        _cleanup_free_ char *lib = xasprintf("%s/libcuda.so.575.57.08", compat);
        hk_write(lib, "not ELF", 0644);
        assert_true(check(f, "550.54.15", ""));
        assert_false(check(f, "575.1", ""));
        assert_false(check(f, "580.1", ""));
        assert_false(check(f, "", "12.4")); /* no note, no driver version */
        assert_false(check(f, "", ""));
        /* A symlink or a libcuda.so.1 is not the library. */
        hk_symlink("libcuda.so.575.57.08", f, "usr/local/cuda/compat/libcuda.so.1");
        hk_symlink("/x", f, "usr/local/cuda/compat/libcuda.so.999.1");
        assert_true(check(f, "550.54.15", ""));
        /* Two: NVIDIA's hook does nothing. */
        _cleanup_free_ char *lib2 = xasprintf("%s/libcuda.so.580.1", compat);
        hk_write(lib2, "", 0644);
        assert_false(check(f, "550.54.15", ""));
        assert_int_equal(unlink(lib2), 0);
        /* A bad host version fails, as NVIDIA's does. */
        _cleanup_error_ nvct_error *err = NULL;
        bool use;
        assert_true(nvct_cuda_compat_check(f->root_fd, NVCT_CUDA_COMPAT_DEFAULT_ROOT, "x.1", "",
                                           NULL, NULL, &use, &err) < 0);
        assert_contains(err->msg, "--host-driver-version: failed to extract the major version "
                                  "from \"x.1\"");
}

static void test_check_by_note(void **state) {
        hk_fixture *f = *state;
        _cleanup_free_ char *compat = hk_mkdir(f->root, "usr/local/cuda/compat");
        _cleanup_free_ char *lib = xasprintf("%s/libcuda.so.575.57.08", compat);
        elf_spec s = {
                true,  false, "NVIDIA Corporation", NOTE_JSON, ".note.cuda.fwd_compatibility", 4,
                false, 0
        };
        write_elf(lib, &s);
        /* The note's driver list decides, not the name's 575. */
        assert_true(check(f, "580.1", ""));
        assert_false(check(f, "550.1", ""));
        assert_true(check(f, "", "12.4"));
}

static void test_check_folder_outside(void **state) {
        hk_fixture *f = *state;
        /* The compat folder a symlink to a host folder holding a library:
         * that path inside the root, where there is none. */
        _cleanup_free_ char *hostlib = xasprintf("%s/dir/libcuda.so.999.1", f->host);
        hk_write(hostlib, "", 0644);
        /* The library is the test's own: the sentinel's snapshot again. */
        free(f->before);
        f->before = hk_snapshot(f->host);
        free(hk_mkdir(f->root, "usr/local/cuda"));
        _cleanup_free_ char *hostdir = xasprintf("%s/dir", f->host);
        hk_symlink(hostdir, f, "usr/local/cuda/compat");
        assert_false(check(f, "550.1", ""));
}

static void test_write_conf(void **state) {
        hk_fixture *f = *state;
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *name = NULL, *name2 = NULL;
        assert_int_equal(
                nvct_cuda_compat_write_conf(f->root_fd, "/usr/local/cuda/compat", &name, &err), 0);
        assert_true(strncmp(name, "00-compat-", 10) == 0);
        assert_true(strlen(name) > 15 && strcmp(name + strlen(name) - 5, ".conf") == 0);
        _cleanup_free_ char *path = xasprintf("%s/etc/ld.so.conf.d/%s", f->root, name);
        _cleanup_free_ char *text = slurp_file(path, NULL);
        assert_string_equal(text, "/usr/local/cuda/compat\n");
        assert_int_equal(hk_mode(path), 0644);
        /* Again: the same file, not a second one. */
        assert_int_equal(
                nvct_cuda_compat_write_conf(f->root_fd, "/usr/local/cuda/compat", &name2, &err), 0);
        assert_string_equal(name, name2);
        _cleanup_free_ char *cmd =
                xasprintf("test $(ls -A '%s/etc/ld.so.conf.d' | wc -l) = 1", f->root);
        assert_int_equal(system(cmd), 0);
        /* A line break would be a second line of the file: refused. */
        assert_true(nvct_cuda_compat_write_conf(f->root_fd, "/a\n/b", NULL, &err) < 0);
        assert_contains(err->msg, "is not one absolute path");
}

static void test_write_conf_dir_outside(void **state) {
        hk_fixture *f = *state;
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *name = NULL;
        free(hk_mkdir(f->root, "etc"));
        _cleanup_free_ char *hostetc = xasprintf("%s/etc", f->host);
        hk_symlink(hostetc, f, "etc/ld.so.conf.d");
        assert_int_equal(
                nvct_cuda_compat_write_conf(f->root_fd, "/usr/local/cuda/compat", &name, &err), 0);
        _cleanup_free_ char *made = xasprintf("%s%s/%s", f->root, hostetc, name);
        _cleanup_free_ char *text = slurp_file(made, NULL);
        assert_string_equal(text, "/usr/local/cuda/compat\n");
}

static bool includes(hk_fixture *f, const char *text) {
        _cleanup_free_ char *conf = hk_in(f, "etc/ld.so.conf");
        unlink(conf);
        if (text != NULL)
                hk_write(conf, text, 0644);
        return nvct_ldsoconf_includes_confd(f->root_fd);
}

static void test_ldsoconf_includes(void **state) {
        hk_fixture *f = *state;
        free(hk_mkdir(f->root, "etc"));
        assert_false(includes(f, NULL));
        assert_false(includes(f, "/usr/lib\n"));
        assert_false(includes(f, "# include /etc/ld.so.conf.d/*.conf\n"));
        assert_true(includes(f, "include /etc/ld.so.conf.d/*.conf\n"));
        assert_true(includes(f, "/usr/local/lib\n\tinclude\tld.so.conf.d/*.conf"));
        /* A FIFO is not read (the call returns at once), a link to a host
         * file that says so is that path in the root. */
        _cleanup_free_ char *conf = hk_in(f, "etc/ld.so.conf");
        unlink(conf);
        assert_int_equal(mkfifo(conf, 0644), 0);
        assert_false(nvct_ldsoconf_includes_confd(f->root_fd));
        unlink(conf);
        _cleanup_free_ char *hostconf = xasprintf("%s/etc/ld.so.conf", f->host);
        hk_write(hostconf, "include /etc/ld.so.conf.d/*.conf\n", 0644);
        free(f->before);
        f->before = hk_snapshot(f->host);
        assert_int_equal(symlink(hostconf, conf), 0);
        assert_false(nvct_ldsoconf_includes_confd(f->root_fd));
}

static void test_ldsoconf_write(void **state) {
        hk_fixture *f = *state;
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *name = NULL;
        const char *const folders[] = { "/usr/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64" };
        /* Without `create`, a missing ld.so.conf.d is -ENOENT, no error. */
        assert_int_equal(nvct_ldsoconf_write(f->root_fd, NVCT_LDSOCONF_NVCR_PREFIX, folders, 3,
                                             false, &name, &err),
                         -ENOENT);
        assert_null(err);
        free(hk_mkdir(f->root, "etc/ld.so.conf.d"));
        assert_int_equal(nvct_ldsoconf_write(f->root_fd, NVCT_LDSOCONF_NVCR_PREFIX, folders, 3,
                                             false, &name, &err),
                         0);
        assert_true(strncmp(name, "00-nvcr-", 8) == 0);
        _cleanup_free_ char *path = xasprintf("%s/etc/ld.so.conf.d/%s", f->root, name);
        _cleanup_free_ char *text = slurp_file(path, NULL);
        assert_string_equal(text, "/usr/lib64\n/usr/lib/x86_64-linux-gnu\n");
        const char *const relative[] = { "usr/lib" };
        assert_true(nvct_ldsoconf_write(f->root_fd, NVCT_LDSOCONF_NVCR_PREFIX, relative, 1, false,
                                        NULL, &err) < 0);
        assert_contains(err->msg, "the folder \"usr/lib\" is not one absolute path");
}

#define T(name) cmocka_unit_test_setup_teardown(name, hk_setup, hk_teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_major),
                cmocka_unit_test(test_note_read),
                cmocka_unit_test(test_note_broken_reads_as_none),
                cmocka_unit_test(test_note_decision),
                T(test_check_by_name),
                T(test_check_by_note),
                T(test_check_folder_outside),
                T(test_write_conf),
                T(test_write_conf_dir_outside),
                T(test_ldsoconf_includes),
                T(test_ldsoconf_write),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
