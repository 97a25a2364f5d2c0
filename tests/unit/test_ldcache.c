/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the ld.so.cache parser: caches written by the real
 * ldconfig (-r into a scratch root holding libraries built here with cc, in
 * all three formats) checked entry by entry against what `ldconfig -p`
 * prints for them, the host's own cache the same way, hand-built images of
 * each layout, and malformed ones: every truncation, offsets out of range,
 * unterminated and overlong strings, entry counts that overflow, wrong
 * magic, other byte orders; then loading: missing files, FIFOs, size. */
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
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/error.h"
#include "driver/ldcache.h"

#if defined(__x86_64__) && !defined(__ILP32__)
#define NATIVE_FLAGS 0x0303
#define MULTIARCH "x86_64-linux-gnu"
#define HWCAPS_SUBDIR "x86-64-v3"
#elif defined(__aarch64__) && !defined(__ILP32__)
#define NATIVE_FLAGS 0x0a03
#define MULTIARCH "aarch64-linux-gnu"
#endif

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ldcache.c's bounds. */
#define MAX_ENTRIES (1u << 18)
#define MAX_STRING_LEN (PATH_MAX - 1)

/* ---- helpers ---- */

static void put32(unsigned char *p, uint32_t v) {
        memcpy(p, &v, sizeof(v));
}

static void put64(unsigned char *p, uint64_t v) {
        memcpy(p, &v, sizeof(v));
}

static uint32_t get32(const unsigned char *p) {
        uint32_t v;
        memcpy(&v, p, sizeof(v));
        return v;
}

/* A copy of exactly len bytes, so that ASan sees any read past them. */
static unsigned char *exact_copy(const void *data, size_t len) {
        unsigned char *p = malloc(len > 0 ? len : 1);
        assert_non_null(p);
        if (len > 0)
                memcpy(p, data, len);
        return p;
}

/* A cache filled with values that a failing parse must leave as they are. */
static nvct_ldcache sentinel(void) {
        return (nvct_ldcache){
                .entries = (nvct_ldcache_entry *)(uintptr_t)0x5a5a,
                .n_entries = 4242,
                .format = (nvct_ldcache_format)77,
        };
}

static void assert_sentinel(const nvct_ldcache *c) {
        assert_ptr_equal(c->entries, (nvct_ldcache_entry *)(uintptr_t)0x5a5a);
        assert_int_equal(c->n_entries, 4242);
        assert_int_equal(c->format, 77);
}

static void parse_ok(const void *data, size_t len, nvct_ldcache *c) {
        nvct_error *err = NULL;
        unsigned char *copy = exact_copy(data, len);
        int r = nvct_ldcache_parse(copy, len, "test.cache", c, &err);
        free(copy);
        if (r < 0) {
                print_error("unexpected failure: %s\n", err ? err->msg : "(no error)");
                nvct_error_free(&err);
                fail();
        }
        assert_int_equal(r, 0);
        assert_null(err);
}

/* Asserts that parsing fails, leaving the output alone, with a message that
 * names the file and contains `want` (when not NULL). */
static void parse_fails(const void *data, size_t len, const char *want) {
        nvct_error *err = NULL;
        nvct_ldcache c = sentinel();
        unsigned char *copy = exact_copy(data, len);
        int r = nvct_ldcache_parse(copy, len, "test.cache", &c, &err);
        free(copy);
        if (r >= 0) {
                print_error("parse of %zu bytes succeeded, expected an error containing %s\n", len,
                            want ? want : "anything");
                fail();
        }
        assert_non_null(err);
        assert_non_null(err->msg);
        assert_contains(err->msg, "test.cache");
        if (want != NULL)
                assert_contains(err->msg, want);
        assert_sentinel(&c);
        nvct_error_free(&err);
}

static bool entries_equal(const nvct_ldcache *a, const nvct_ldcache *b) {
        if (a->n_entries != b->n_entries)
                return false;
        for (size_t i = 0; i < a->n_entries; i++) {
                const nvct_ldcache_entry *x = &a->entries[i], *y = &b->entries[i];
                if (strcmp(x->name, y->name) != 0 || strcmp(x->path, y->path) != 0 ||
                    x->flags != y->flags || x->hwcap != y->hwcap)
                        return false;
        }
        return true;
}

/* ---- hand-built images ---- */

typedef struct img_entry {
        int32_t flags;
        const char *name;
        const char *path;
        uint64_t hwcap;
} img_entry;

typedef struct image {
        unsigned char *data;
        size_t len;
        size_t new_base; /* where the new header is (compat, new) */
} image;

#define OLD_MAGIC "ld.so-1.7.0"
#define NEW_MAGIC "glibc-ld.so.cache1.1"
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ENDIAN_NATIVE 2
#define ENDIAN_OTHER 3
#else
#define ENDIAN_NATIVE 3
#define ENDIAN_OTHER 2
#endif

static size_t strings_size(const img_entry *e, size_t n) {
        size_t s = 0;
        for (size_t i = 0; i < n; i++)
                s += strlen(e[i].name) + 1 + strlen(e[i].path) + 1;
        return s;
}

/* Lays the strings out one after the other (no shared tails) from `at`,
 * recording each one's offset from `rel`. */
static void put_strings(unsigned char *buf, size_t at, size_t rel, const img_entry *e, size_t n,
                        uint32_t *keys, uint32_t *values) {
        for (size_t i = 0; i < n; i++) {
                size_t nl = strlen(e[i].name) + 1, pl = strlen(e[i].path) + 1;
                keys[i] = (uint32_t)(at - rel);
                memcpy(buf + at, e[i].name, nl);
                at += nl;
                values[i] = (uint32_t)(at - rel);
                memcpy(buf + at, e[i].path, pl);
                at += pl;
        }
}

/* The new section at buf + base; its strings offsets are returned too. */
static void put_new(unsigned char *buf, size_t base, const img_entry *e, size_t n,
                    uint8_t header_flags, uint32_t *keys, uint32_t *values) {
        memcpy(buf + base, NEW_MAGIC, 20);
        put32(buf + base + 20, (uint32_t)n);
        put32(buf + base + 24, (uint32_t)strings_size(e, n));
        buf[base + 28] = header_flags;
        put_strings(buf, base + 48 + 24 * n, base, e, n, keys, values);
        for (size_t i = 0; i < n; i++) {
                unsigned char *p = buf + base + 48 + 24 * i;
                put32(p, (uint32_t)e[i].flags);
                put32(p + 4, keys[i]);
                put32(p + 8, values[i]);
                put32(p + 12, 0);
                put64(p + 16, e[i].hwcap);
        }
}

static image build_new(const img_entry *e, size_t n, uint8_t header_flags) {
        image im = { .len = 48 + 24 * n + strings_size(e, n), .new_base = 0 };
        im.data = calloc(1, im.len);
        assert_non_null(im.data);
        uint32_t keys[16], values[16];
        assert_true(n <= 16);
        put_new(im.data, 0, e, n, header_flags, keys, values);
        return im;
}

static image build_old(const img_entry *e, size_t n) {
        size_t table_end = 16 + 12 * n;
        image im = { .len = table_end + strings_size(e, n) };
        im.data = calloc(1, im.len);
        assert_non_null(im.data);
        memcpy(im.data, OLD_MAGIC, 11);
        put32(im.data + 12, (uint32_t)n);
        uint32_t keys[16], values[16];
        assert_true(n <= 16);
        put_strings(im.data, table_end, table_end, e, n, keys, values);
        for (size_t i = 0; i < n; i++) {
                unsigned char *p = im.data + 16 + 12 * i;
                put32(p, (uint32_t)e[i].flags);
                put32(p + 4, keys[i]);
                put32(p + 8, values[i]);
        }
        return im;
}

/* Old section of n_old entries (libc5-style flags 1, pointing at the new
 * section's strings, as ldconfig does), then the new one. */
static image build_compat(const img_entry *e, size_t n, size_t n_old) {
        size_t table_end = 16 + 12 * n_old;
        size_t base = (table_end + 7) & ~(size_t)7;
        image im = { .len = base + 48 + 24 * n + strings_size(e, n), .new_base = base };
        im.data = calloc(1, im.len);
        assert_non_null(im.data);
        memcpy(im.data, OLD_MAGIC, 11);
        put32(im.data + 12, (uint32_t)n_old);
        uint32_t keys[16], values[16];
        assert_true(n <= 16 && n > 0);
        put_new(im.data, base, e, n, ENDIAN_NATIVE, keys, values);
        for (size_t i = 0; i < n_old; i++) {
                unsigned char *p = im.data + 16 + 12 * i;
                put32(p, 1);
                put32(p + 4, (uint32_t)(base - table_end) + keys[i % n]);
                put32(p + 8, (uint32_t)(base - table_end) + values[i % n]);
        }
        return im;
}

static const img_entry sample[] = {
        { 0x0303, "libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", 0 },
        { 0x0a03, "libcuda.so.1", "/usr/lib/aarch64-linux-gnu/libcuda.so.1", 0 },
        { 0x0303, "libnvidia-ml.so.1", "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
          (1ull << 62) | 7 },
        { 0x0003, "libc.so.6", "/lib/i386-linux-gnu/libc.so.6", 0 },
        { 0x0303, "", "/empty/name", 0 },
};
#define N_SAMPLE N_ELEMS(sample)

static void check_sample(const nvct_ldcache *c, bool with_hwcap) {
        assert_int_equal(c->n_entries, N_SAMPLE);
        assert_non_null(c->entries);
        for (size_t i = 0; i < N_SAMPLE; i++) {
                assert_string_equal(c->entries[i].name, sample[i].name);
                assert_string_equal(c->entries[i].path, sample[i].path);
                assert_int_equal(c->entries[i].flags, sample[i].flags);
                assert_int_equal(c->entries[i].hwcap, with_hwcap ? sample[i].hwcap : 0);
        }
}

static void test_built_layouts(void **state) {
        (void)state;
        nvct_ldcache c;

        image im = build_new(sample, N_SAMPLE, ENDIAN_NATIVE);
        parse_ok(im.data, im.len, &c);
        assert_int_equal(c.format, NVCT_LDCACHE_NEW);
        check_sample(&c, true);
        nvct_ldcache_clear(&c);
        free(im.data);

        im = build_old(sample, N_SAMPLE);
        parse_ok(im.data, im.len, &c);
        assert_int_equal(c.format, NVCT_LDCACHE_OLD);
        check_sample(&c, false);
        nvct_ldcache_clear(&c);
        free(im.data);

        /* Old tables of 1..4 entries: the new header sits 4 bytes of
         * padding after an odd count, none after an even one. The old
         * entries (flags 1, other count) are not the ones returned. */
        for (size_t n_old = 0; n_old <= 4; n_old++) {
                im = build_compat(sample, N_SAMPLE, n_old);
                assert_int_equal(im.new_base, 16 + 12 * n_old + (n_old % 2 ? 4 : 0));
                parse_ok(im.data, im.len, &c);
                assert_int_equal(c.format, NVCT_LDCACHE_COMPAT);
                check_sample(&c, true);
                nvct_ldcache_clear(&c);
                free(im.data);
        }
}

/* An old cache whose string table happens to start with the new magic but
 * not where the compat layout puts it (unaligned): an old cache. */
static void test_compat_needs_alignment(void **state) {
        (void)state;
        static const img_entry one[] = { { 0x0303, "glibc-ld.so.cache1.1", "/x", 0 } };
        image im = build_old(one, 1); /* table ends at 28: the magic is unaligned */
        nvct_ldcache c;
        parse_ok(im.data, im.len, &c);
        assert_int_equal(c.format, NVCT_LDCACHE_OLD);
        assert_int_equal(c.n_entries, 1);
        assert_string_equal(c.entries[0].name, "glibc-ld.so.cache1.1");
        nvct_ldcache_clear(&c);
        free(im.data);
}

static void test_empty_caches(void **state) {
        (void)state;
        nvct_ldcache c;
        image ims[] = { build_new(NULL, 0, ENDIAN_NATIVE), build_old(NULL, 0) };
        for (size_t i = 0; i < N_ELEMS(ims); i++) {
                parse_ok(ims[i].data, ims[i].len, &c);
                assert_int_equal(c.n_entries, 0);
                assert_null(c.entries);
                assert_null(nvct_ldcache_lookup(&c, "libc.so.6"));
                nvct_ldcache_clear(&c);
                free(ims[i].data);
        }
}

/* Every proper prefix of an image without a tail fails (the last string
 * loses its NUL at least), never reading past the prefix. */
static void test_built_truncations(void **state) {
        (void)state;
        image ims[] = {
                build_new(sample, N_SAMPLE, ENDIAN_NATIVE),
                build_old(sample, N_SAMPLE),
                build_compat(sample, N_SAMPLE, 3),
                build_compat(sample, N_SAMPLE, 2),
        };
        for (size_t i = 0; i < N_ELEMS(ims); i++) {
                for (size_t len = 0; len < ims[i].len; len++)
                        parse_fails(ims[i].data, len, NULL);
                free(ims[i].data);
        }
}

static void test_native_and_lookup(void **state) {
        (void)state;
        nvct_ldcache_entry e = { .name = (char *)"libx.so.1", .path = (char *)"/x" };
        static const struct {
                int32_t flags;
                bool x86_64, aarch64;
        } cases[] = {
                { 0x0303, true, false },   /* libc6, x86-64 */
                { 0x0a03, false, true },   /* libc6, aarch64 */
                { 0x0003, false, false },  /* libc6, 32-bit (i386, armel) */
                { 0x0803, false, false },  /* libc6, x32 */
                { 0x0301, false, false },  /* ELF, not libc6 */
                { 0x10303, false, false }, /* an unknown bit: ld.so skips it too */
                { -1, false, false },      /* FLAG_ANY */
                { 0x0300, false, false },  /* libc4 */
                { 0x0903, false, false },  /* armhf */
        };
        for (size_t i = 0; i < N_ELEMS(cases); i++) {
                e.flags = cases[i].flags;
                bool want = false;
#if defined(__x86_64__) && !defined(__ILP32__)
                want = cases[i].x86_64;
#elif defined(__aarch64__) && !defined(__ILP32__)
                want = cases[i].aarch64;
#endif
                if (nvct_ldcache_entry_is_native(&e) != want) {
                        print_error("flags 0x%x: native %d, want %d\n", (unsigned)e.flags, !want,
                                    want);
                        fail();
                }
        }

        image im = build_new(sample, N_SAMPLE, ENDIAN_NATIVE);
        nvct_ldcache c;
        parse_ok(im.data, im.len, &c);
        free(im.data);
        const nvct_ldcache_entry *hit = nvct_ldcache_lookup(&c, "libcuda.so.1");
#ifdef NATIVE_FLAGS
        /* The first of the two libcuda.so.1 of this ABI. */
        assert_non_null(hit);
        assert_int_equal(hit->flags, NATIVE_FLAGS);
        assert_contains(hit->path,
                        NATIVE_FLAGS == 0x0303 ? "/x86_64-linux-gnu/" : "/aarch64-linux-gnu/");
        assert_ptr_equal(hit, &c.entries[NATIVE_FLAGS == 0x0303 ? 0 : 1]);
#else
        assert_null(hit);
#endif
        /* Only a 32-bit libc.so.6 is listed: not ours. */
        assert_null(nvct_ldcache_lookup(&c, "libc.so.6"));
        /* Exact names only. */
        assert_null(nvct_ldcache_lookup(&c, "libcuda.so"));
        assert_null(nvct_ldcache_lookup(&c, "libcuda.so.1 "));
        assert_null(nvct_ldcache_lookup(&c, "LIBCUDA.SO.1"));
        assert_null(nvct_ldcache_lookup(&c, NULL));
        assert_null(nvct_ldcache_lookup(NULL, "libcuda.so.1"));
        nvct_ldcache_clear(&c);
}

static void test_offsets_out_of_range(void **state) {
        (void)state;
        static const img_entry one[] = { { 0x0303, "libfoo.so.1", "/lib/libfoo.so.1", 0 } };
        const uint32_t bad[] = { 0, 1, 2, 0x7fffffff, 0xffffffff };

        /* New layout: offsets from the header, i.e. the file. */
        image im = build_new(one, 1, ENDIAN_NATIVE);
        for (size_t field = 4; field <= 8; field += 4) {
                for (size_t i = 0; i < N_ELEMS(bad); i++) {
                        unsigned char *d = exact_copy(im.data, im.len);
                        put32(d + 48 + field, (uint32_t)im.len + bad[i]);
                        if ((uint64_t)im.len + bad[i] > UINT32_MAX)
                                put32(d + 48 + field, bad[i]);
                        parse_fails(d, im.len, field == 4 ? "name offset" : "path offset");
                        free(d);
                }
        }
        /* The last byte, a NUL, is an empty string, still inside. */
        unsigned char *d = exact_copy(im.data, im.len);
        put32(d + 48 + 4, (uint32_t)im.len - 1);
        nvct_ldcache c;
        parse_ok(d, im.len, &c);
        assert_string_equal(c.entries[0].name, "");
        assert_string_equal(c.entries[0].path, "/lib/libfoo.so.1");
        nvct_ldcache_clear(&c);
        /* Offsets may point anywhere in the file, into a shared tail: the
         * name "libfoo.so.1" inside the path. */
        put32(d + 48 + 4, get32(d + 48 + 8) + 5);
        parse_ok(d, im.len, &c);
        assert_string_equal(c.entries[0].name, "libfoo.so.1");
        nvct_ldcache_clear(&c);
        free(d);
        free(im.data);

        /* Old layout: offsets from the end of the entry table (28), so the
         * last valid one is len - 29. */
        im = build_old(one, 1);
        d = exact_copy(im.data, im.len);
        put32(d + 16 + 4, (uint32_t)im.len - 28);
        parse_fails(d, im.len, "name offset");
        put32(d + 16 + 4, (uint32_t)im.len - 29);
        parse_ok(d, im.len, &c);
        assert_string_equal(c.entries[0].name, "");
        nvct_ldcache_clear(&c);
        put32(d + 16 + 8, 0xffffffe4); /* + 28 wraps to 0 in 32 bits */
        parse_fails(d, im.len, "path offset");
        free(d);
        free(im.data);

        /* Compat: the new section's offsets are from its own header. */
        im = build_compat(one, 1, 1);
        d = exact_copy(im.data, im.len);
        put32(d + im.new_base + 48 + 8, (uint32_t)(im.len - im.new_base));
        parse_fails(d, im.len, "path offset");
        put32(d + im.new_base + 48 + 8, (uint32_t)(im.len - im.new_base - 1));
        parse_ok(d, im.len, &c);
        assert_int_equal(c.format, NVCT_LDCACHE_COMPAT);
        assert_string_equal(c.entries[0].path, "");
        nvct_ldcache_clear(&c);
        free(d);
        free(im.data);
}

static void test_unterminated_and_long_strings(void **state) {
        (void)state;
        static const img_entry one[] = { { 0x0303, "libfoo.so.1", "/lib/libfoo.so.1", 0 } };
        image im = build_new(one, 1, ENDIAN_NATIVE);
        im.data[im.len - 1] = 'x';
        parse_fails(im.data, im.len, "runs past the end");
        /* The message quotes the bytes, escaped. */
        im.data[im.len - 1] = '\033';
        nvct_error *err = NULL;
        nvct_ldcache c;
        assert_true(nvct_ldcache_parse(im.data, im.len, "t", &c, &err) < 0);
        assert_contains(err->msg, "\\x1b");
        assert_null(strchr(err->msg, '\033'));
        nvct_error_free(&err);
        free(im.data);

        /* Longest accepted path, and one byte more. */
        char *path = malloc(MAX_STRING_LEN + 2);
        assert_non_null(path);
        memset(path, 'a', MAX_STRING_LEN + 1);
        path[0] = '/';
        path[MAX_STRING_LEN] = '\0';
        img_entry longest[] = { { 0x0303, "liblong.so.1", path, 0 } };
        im = build_new(longest, 1, ENDIAN_NATIVE);
        parse_ok(im.data, im.len, &c);
        assert_int_equal(strlen(c.entries[0].path), MAX_STRING_LEN);
        nvct_ldcache_clear(&c);
        free(im.data);
        path[MAX_STRING_LEN] = 'a';
        path[MAX_STRING_LEN + 1] = '\0';
        im = build_new(longest, 1, ENDIAN_NATIVE);
        parse_fails(im.data, im.len, "longer than");
        free(im.data);
        /* Same without any NUL at all in reach. */
        im = build_new(longest, 1, ENDIAN_NATIVE);
        im.data[im.len - 1] = 'a';
        parse_fails(im.data, im.len, "longer than");
        free(im.data);
        free(path);
}

static void test_entry_counts(void **state) {
        (void)state;
        static const img_entry one[] = { { 0x0303, "libfoo.so.1", "/lib/libfoo.so.1", 0 } };
        /* nlibs * 24 and nlibs * 12 wrap around in 32 bits to 8 for these. */
        const uint32_t huge[] = { 0xffffffff, 0x80000000, 0x0aaaaaab, 0x15555556 };

        image im = build_new(one, 1, ENDIAN_NATIVE);
        for (size_t i = 0; i < N_ELEMS(huge); i++) {
                put32(im.data + 20, huge[i]);
                parse_fails(im.data, im.len, "do not fit");
        }
        /* One more entry than the bytes after the header hold: the next
         * 24 bytes are the 29 bytes of strings, less than two entries. */
        put32(im.data + 20, 3);
        parse_fails(im.data, im.len, "do not fit");
        put32(im.data + 20, 2); /* fits, but the second entry is made of strings */
        parse_fails(im.data, im.len, NULL);
        free(im.data);

        im = build_old(one, 1);
        for (size_t i = 0; i < N_ELEMS(huge); i++) {
                put32(im.data + 12, huge[i]);
                parse_fails(im.data, im.len, "do not fit");
        }
        put32(im.data + 12, (uint32_t)((im.len - 16) / 12 + 1));
        parse_fails(im.data, im.len, "do not fit");
        free(im.data);

        im = build_compat(one, 1, 1);
        put32(im.data + 12, 0xffffffff); /* the old count, which places the new header */
        parse_fails(im.data, im.len, "do not fit");
        put32(im.data + 12, 1);
        put32(im.data + im.new_base + 20, 0x0aaaaaab);
        parse_fails(im.data, im.len, "do not fit");
        free(im.data);
}

/* What a crafted file cannot make the parser allocate: more entries than
 * any host has, or one long string copied for every entry. */
static void test_bounds(void **state) {
        (void)state;
        size_t n = MAX_ENTRIES + 1;
        size_t len = 48 + 24 * n + 2;
        unsigned char *d = calloc(1, len);
        assert_non_null(d);
        memcpy(d, NEW_MAGIC, 20);
        put32(d + 20, (uint32_t)n);
        d[len - 2] = 'a';
        for (size_t i = 0; i < n; i++) {
                put32(d + 48 + 24 * i, 0x0303);
                put32(d + 48 + 24 * i + 4, (uint32_t)(len - 2));
                put32(d + 48 + 24 * i + 8, (uint32_t)(len - 2));
        }
        parse_fails(d, len, "entries, more than");
        /* The largest count is accepted. */
        put32(d + 20, MAX_ENTRIES);
        nvct_ldcache c;
        parse_ok(d, len, &c);
        assert_int_equal(c.n_entries, MAX_ENTRIES);
        assert_string_equal(c.entries[MAX_ENTRIES - 1].path, "a");
        nvct_ldcache_clear(&c);
        free(d);

        /* 20000 entries naming one 4000-byte string twice: 160 MB of copies
         * from a 500 KB file. */
        n = 20000;
        len = 48 + 24 * n + 4001;
        d = calloc(1, len);
        assert_non_null(d);
        memcpy(d, NEW_MAGIC, 20);
        put32(d + 20, (uint32_t)n);
        memset(d + 48 + 24 * n, 'b', 4000);
        for (size_t i = 0; i < n; i++) {
                put32(d + 48 + 24 * i + 4, (uint32_t)(48 + 24 * n));
                put32(d + 48 + 24 * i + 8, (uint32_t)(48 + 24 * n));
        }
        parse_fails(d, len, "add up to more than");
        free(d);
}

static void test_magic(void **state) {
        (void)state;
        parse_fails("", 0, "empty");
        nvct_error *err = NULL;
        nvct_ldcache c = sentinel();
        assert_true(nvct_ldcache_parse(NULL, 0, "null.cache", &c, &err) < 0);
        assert_contains(err->msg, "null.cache");
        assert_sentinel(&c);
        nvct_error_free(&err);
        /* The name is a path: quoted, so that its bytes stay on one line. */
        assert_true(nvct_ldcache_parse(NULL, 0, "/r\n\033[31m/ld.so.cache", &c, &err) < 0);
        assert_string_equal(err->msg,
                            "\"/r\\n\\x1b[31m/ld.so.cache\": empty file, not an ld.so.cache");
        nvct_error_free(&err);

        parse_fails("ld.so-1.7.1\0\0\0\0\0", 16, "not an ld.so.cache");
        parse_fails("ld.so-1.7.", 10, "not an ld.so.cache");
        parse_fails("glibc-ld.so.cach", 16, "not an ld.so.cache");
        parse_fails("\177ELF\002\001\001\033[31m", 12, "\\x7fELF\\x02\\x01\\x01\\x1b[31m");
        /* The right magic with too little after it. */
        parse_fails("ld.so-1.7.0", 11, "truncated");
        parse_fails("ld.so-1.7.0\0\0\0\0", 15, "truncated");
        parse_fails(NEW_MAGIC, 20, "truncated");

        /* Another version of the new layout. */
        image im = build_new(sample, N_SAMPLE, ENDIAN_NATIVE);
        memcpy(im.data + 17, "1.2", 3);
        parse_fails(im.data, im.len, "unsupported cache version \"1.2\"");
        parse_fails(im.data, 18, "unsupported cache version \"1\"");
        free(im.data);

        /* A compat file whose new header carries another version: glibc
         * reads the old section then, and so do we. */
        im = build_compat(sample, N_SAMPLE, 2);
        memcpy(im.data + im.new_base + 17, "1.0", 3);
        parse_ok(im.data, im.len, &c);
        assert_int_equal(c.format, NVCT_LDCACHE_OLD);
        assert_int_equal(c.n_entries, 2);
        assert_int_equal(c.entries[0].flags, 1);
        assert_string_equal(c.entries[1].path, sample[1].path);
        nvct_ldcache_clear(&c);
        free(im.data);
}

static void test_byte_order(void **state) {
        (void)state;
        nvct_ldcache c;
        /* 0: written before the flag existed; the high bits are ignored. */
        const uint8_t ok[] = { 0, ENDIAN_NATIVE, 0xfc | ENDIAN_NATIVE, 0xfc };
        for (size_t i = 0; i < N_ELEMS(ok); i++) {
                image im = build_new(sample, N_SAMPLE, ok[i]);
                parse_ok(im.data, im.len, &c);
                check_sample(&c, true);
                nvct_ldcache_clear(&c);
                free(im.data);
        }
        image im = build_new(sample, N_SAMPLE, ENDIAN_OTHER);
        parse_fails(im.data, im.len, ENDIAN_OTHER == 3 ? "big-endian" : "little-endian");
        im.data[28] = 0x80 | ENDIAN_OTHER;
        parse_fails(im.data, im.len, "-endian");
        im.data[28] = 1;
        parse_fails(im.data, im.len, "marked invalid");
        free(im.data);

        im = build_compat(sample, N_SAMPLE, 1);
        im.data[im.new_base + 28] = ENDIAN_OTHER;
        parse_fails(im.data, im.len, "-endian");
        free(im.data);
}

static void test_clear(void **state) {
        (void)state;
        nvct_ldcache c = { 0 };
        nvct_ldcache_clear(&c);
        nvct_ldcache_clear(NULL);
        image im = build_new(sample, N_SAMPLE, ENDIAN_NATIVE);
        parse_ok(im.data, im.len, &c);
        free(im.data);
        /* The entries are copies: nothing points into the image. */
        check_sample(&c, true);
        nvct_ldcache_clear(&c);
        assert_null(c.entries);
        assert_int_equal(c.n_entries, 0);
        nvct_ldcache_clear(&c);
}

/* ---- files ---- */

static char *make_tmpdir(void) {
        char *dir = strdup("/tmp/nvct-test-ldcache-XXXXXX");
        assert_non_null(dir);
        assert_non_null(mkdtemp(dir));
        return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)ftw;
        return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void rm_rf(const char *path) {
        assert_int_equal(nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* A scratch directory as the test's state, removed even when it fails. */
static int tmpdir_setup(void **state) {
        *state = make_tmpdir();
        return 0;
}

static int tmpdir_teardown(void **state) {
        int r = nftw(*state, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(*state);
        return r;
}

static void write_file(const char *path, const void *data, size_t len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t)len);
        assert_int_equal(close(fd), 0);
}

static unsigned char *read_file(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "rbe");
        assert_non_null(f);
        size_t cap = 4096, len = 0;
        unsigned char *buf = malloc(cap);
        assert_non_null(buf);
        for (;;) {
                if (len == cap) {
                        cap *= 2;
                        buf = realloc(buf, cap);
                        assert_non_null(buf);
                }
                size_t n = fread(buf + len, 1, cap - len, f);
                if (n == 0)
                        break;
                len += n;
        }
        assert_false(ferror(f));
        fclose(f);
        *ret_len = len;
        return buf;
}

static void test_load(void **state) {
        const char *dir = *state;
        nvct_error *err = NULL;
        nvct_ldcache c = sentinel();

        /* Missing. */
        char *missing = xasprintf("%s/no-such.cache", dir);
        assert_int_equal(nvct_ldcache_load(missing, true, &c, &err), -ENOENT);
        assert_null(err);
        assert_sentinel(&c);
        assert_true(nvct_ldcache_load(missing, false, &c, &err) < 0);
        assert_non_null(err);
        assert_contains(err->msg, missing);
        assert_int_equal(err->status, ENOENT);
        assert_sentinel(&c);
        nvct_error_free(&err);

        /* A FIFO in the cache's place: refused at once, not read (which
         * would block forever: nobody writes to it). missing_ok changes
         * nothing about it. */
        char *fifo = xasprintf("%s/fifo.cache", dir);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        for (int missing_ok = 0; missing_ok <= 1; missing_ok++) {
                assert_true(nvct_ldcache_load(fifo, missing_ok, &c, &err) < 0);
                assert_contains(err->msg, fifo);
                assert_contains(err->msg, "not a regular file");
                assert_sentinel(&c);
                nvct_error_free(&err);
        }

        /* A directory. */
        assert_true(nvct_ldcache_load(dir, true, &c, &err) < 0);
        assert_contains(err->msg, "not a regular file");
        assert_sentinel(&c);
        nvct_error_free(&err);

        /* Empty, and larger than accepted (sparse, costs no disk). */
        char *empty = xasprintf("%s/empty.cache", dir);
        write_file(empty, "", 0);
        assert_true(nvct_ldcache_load(empty, true, &c, &err) < 0);
        assert_contains(err->msg, empty);
        assert_contains(err->msg, "empty");
        assert_sentinel(&c);
        nvct_error_free(&err);
        char *big = xasprintf("%s/big.cache", dir);
        int fd = open(big, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t)NVCT_LDCACHE_MAX_SIZE + 1), 0);
        assert_int_equal(close(fd), 0);
        assert_true(nvct_ldcache_load(big, true, &c, &err) < 0);
        assert_contains(err->msg, "larger than");
        assert_sentinel(&c);
        nvct_error_free(&err);

        /* A good one, through a symlink too; errors name the path. */
        char *good = xasprintf("%s/good.cache", dir);
        image im = build_compat(sample, N_SAMPLE, 1);
        write_file(good, im.data, im.len);
        assert_int_equal(nvct_ldcache_load(good, false, &c, &err), 0);
        assert_null(err);
        assert_int_equal(c.format, NVCT_LDCACHE_COMPAT);
        check_sample(&c, true);
        nvct_ldcache_clear(&c);
        char *link = xasprintf("%s/link.cache", dir);
        assert_int_equal(symlink("good.cache", link), 0);
        assert_int_equal(nvct_ldcache_load(link, false, &c, &err), 0);
        check_sample(&c, true);
        nvct_ldcache_clear(&c);
        char *bad = xasprintf("%s/bad.cache", dir);
        write_file(bad, im.data, im.len - 1);
        c = sentinel();
        assert_true(nvct_ldcache_load(bad, false, &c, &err) < 0);
        assert_contains(err->msg, bad);
        assert_sentinel(&c);
        nvct_error_free(&err);
        free(im.data);

        free(bad);
        free(link);
        free(good);
        free(big);
        free(empty);
        free(fifo);
        free(missing);
}

/* ---- the real ldconfig ---- */

/* Runs argv (PATH searched) with stdout to `out` when not NULL; its exit
 * status, 127 when it could not be started, -1 when it died. */
static int run(char *const argv[], const char *out) {
        posix_spawn_file_actions_t fa;
        assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
        if (out != NULL)
                assert_int_equal(posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out,
                                                                  O_WRONLY | O_CREAT | O_TRUNC,
                                                                  0644),
                                 0);
        pid_t pid;
        int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                return 127;
        int status;
        while (waitpid(pid, &status, 0) < 0)
                assert_int_equal(errno, EINTR);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *find_ldconfig(void) {
        static const char *const candidates[] = { "/sbin/ldconfig", "/usr/sbin/ldconfig" };
        for (size_t i = 0; i < N_ELEMS(candidates); i++)
                if (access(candidates[i], X_OK) == 0)
                        return candidates[i];
        return NULL;
}

/* A scratch root with a few libraries, and the caches `ldconfig -r` made
 * of it in each format. */
static struct {
        bool ready;
        const char *skip_reason; /* a tool is missing: the tests skip */
        char *root;
        char *cache[3]; /* as seen from the host: new, old, compat */
        const char *ldconfig;
} fx;

static const char *const format_names[] = { "new", "old", "compat" };
static const nvct_ldcache_format formats[] = { NVCT_LDCACHE_NEW, NVCT_LDCACHE_OLD,
                                               NVCT_LDCACHE_COMPAT };

#ifdef MULTIARCH
#define LIBDIR "/usr/lib/" MULTIARCH
static void build_lib(const char *src, const char *soname, const char *path) {
        char *out = xasprintf("%s%s", fx.root, path);
        char *soarg = xasprintf("-Wl,-soname,%s", soname);
        char *const argv[] = { (char *)"cc",    (char *)"-shared",
                               (char *)"-fPIC", soarg,
                               (char *)"-o",    out,
                               (char *)src,     NULL };
        int r = run(argv, NULL);
        if (r == 127)
                fx.skip_reason = "no cc";
        else
                assert_int_equal(r, 0);
        free(soarg);
        free(out);
}

static void make_dirs(const char *rel) {
        char *p = xasprintf("%s%s", fx.root, rel);
        for (char *s = p + strlen(fx.root) + 1; *s != '\0'; s++) {
                if (*s == '/') {
                        *s = '\0';
                        assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
                        *s = '/';
                }
        }
        assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
        free(p);
}
#endif

static int group_setup(void **state) {
        (void)state;
#ifndef MULTIARCH
        fx.skip_reason = "no native ABI known for this build";
        return 0;
#else
        fx.ldconfig = find_ldconfig();
        if (fx.ldconfig == NULL) {
                fx.skip_reason = "no ldconfig";
                return 0;
        }
        fx.root = make_tmpdir();
        make_dirs(LIBDIR);
        make_dirs("/etc");
        make_dirs("/opt/nvct");
#ifdef HWCAPS_SUBDIR
        make_dirs(LIBDIR "/glibc-hwcaps/" HWCAPS_SUBDIR);
#endif
        char *src = xasprintf("%s/lib.c", fx.root);
        write_file(src, "int nvct_test_symbol;\n", strlen("int nvct_test_symbol;\n"));
        build_lib(src, "libnvctfoo.so.1", LIBDIR "/libnvctfoo.so.1.0.0");
        if (fx.skip_reason != NULL) {
                free(src);
                return 0;
        }
        build_lib(src, "libnvctbar.so.2", LIBDIR "/libnvctbar.so.2");
        build_lib(src, "libnvctbaz.so.3", "/opt/nvct/libnvctbaz.so.3.1");
#ifdef HWCAPS_SUBDIR
        build_lib(src, "libnvctfoo.so.1",
                  LIBDIR "/glibc-hwcaps/" HWCAPS_SUBDIR "/libnvctfoo.so.1.0.0");
#endif
        char *conf = xasprintf("%s/etc/ld.so.conf", fx.root);
        const char *conf_text = LIBDIR "\n/opt/nvct\n";
        write_file(conf, conf_text, strlen(conf_text));
        free(conf);
        for (size_t i = 0; i < 3; i++) {
                /* -r: paths in the cache are as seen from inside the root,
                 * -C is taken inside it too; -i: no aux cache. */
                char *inside = xasprintf("/etc/ld.so.cache.%s", format_names[i]);
                char *const argv[] = {
                        (char *)fx.ldconfig,     (char *)"-i", (char *)"-r", fx.root, (char *)"-c",
                        (char *)format_names[i], (char *)"-C", inside,       NULL
                };
                assert_int_equal(run(argv, NULL), 0);
                fx.cache[i] = xasprintf("%s%s", fx.root, inside);
                free(inside);
        }
        fx.ready = true;
        free(src);
        return 0;
#endif
}

static int group_teardown(void **state) {
        (void)state;
        if (fx.root != NULL)
                rm_rf(fx.root);
        free(fx.root);
        for (size_t i = 0; i < 3; i++)
                free(fx.cache[i]);
        return 0;
}

static void need_fixture(void) {
        if (fx.skip_reason != NULL) {
                print_message("skipped: %s\n", fx.skip_reason);
                skip();
        }
        assert_true(fx.ready);
}

/* What `ldconfig -p -C cache` prints, one entry a line:
 * "\tNAME (FLAGS[, hwcap...]) => PATH". Compared in file order. */
static void check_against_ldconfig_p(const char *dir, const char *cache_path,
                                     const nvct_ldcache *c) {
        char *out = xasprintf("%s/p.txt", dir);
        char *const argv[] = { (char *)fx.ldconfig, (char *)"-p", (char *)"-C", (char *)cache_path,
                               NULL };
        assert_int_equal(run(argv, out), 0);
        size_t len;
        char *text = (char *)read_file(out, &len);
        text = realloc(text, len + 1);
        assert_non_null(text);
        text[len] = '\0';

        size_t n_lines = 0, n_said = 0;
        char *save = NULL;
        bool header = false;
        for (char *line = strtok_r(text, "\n", &save); line != NULL;
             line = strtok_r(NULL, "\n", &save)) {
                if (sscanf(line, "%zu libs found in cache", &n_said) == 1) {
                        header = true;
                        continue;
                }
                if (line[0] != '\t')
                        continue; /* "Cache generated by: ..." */
                char *paren = strstr(line, " (");
                char *arrow = strstr(line, ") => ");
                assert_non_null(paren);
                assert_non_null(arrow);
                *paren = '\0';
                assert_true(n_lines < c->n_entries);
                const nvct_ldcache_entry *e = &c->entries[n_lines];
                if (strcmp(e->name, line + 1) != 0 || strcmp(e->path, arrow + 5) != 0) {
                        print_error("entry %zu: %s => %s, ldconfig -p says %s => %s\n", n_lines,
                                    e->name, e->path, line + 1, arrow + 5);
                        fail();
                }
                n_lines++;
        }
        assert_true(header);
        assert_int_equal(n_said, c->n_entries);
        assert_int_equal(n_lines, c->n_entries);
        free(text);
        assert_int_equal(unlink(out), 0);
        free(out);
}

#ifdef MULTIARCH
static void expect_lookup(const nvct_ldcache *c, const char *soname, const char *path) {
        const nvct_ldcache_entry *e = nvct_ldcache_lookup(c, soname);
        assert_non_null(e);
        assert_string_equal(e->name, soname);
        assert_string_equal(e->path, path);
        assert_true(nvct_ldcache_entry_is_native(e));
}
#endif

static void check_fixture_cache(size_t which) {
#ifdef MULTIARCH
        nvct_error *err = NULL;
        nvct_ldcache c;
        assert_int_equal(nvct_ldcache_load(fx.cache[which], false, &c, &err), 0);
        assert_null(err);
        assert_int_equal(c.format, formats[which]);
        check_against_ldconfig_p(fx.root, fx.cache[which], &c);

        size_t n_hwcaps = 0;
#ifdef HWCAPS_SUBDIR
        n_hwcaps = 1;
#endif
        assert_int_equal(c.n_entries, 3 + n_hwcaps);
        for (size_t i = 0; i < c.n_entries; i++) {
                assert_int_equal(c.entries[i].flags, NATIVE_FLAGS);
                assert_true(nvct_ldcache_entry_is_native(&c.entries[i]));
                bool in_hwcaps = strstr(c.entries[i].path, "/glibc-hwcaps/") != NULL;
                if (formats[which] == NVCT_LDCACHE_OLD || !in_hwcaps)
                        assert_int_equal(c.entries[i].hwcap, 0);
                else /* DL_CACHE_HWCAP_EXTENSION (an index into the hwcaps
                      * names), ISA level bits aside */
                        assert_int_equal((c.entries[i].hwcap >> 32) & ~0x3ffull, 1ull << 30);
        }
        /* The soname symlinks ldconfig made are what the cache names. */
        expect_lookup(&c, "libnvctbar.so.2", LIBDIR "/libnvctbar.so.2");
        expect_lookup(&c, "libnvctbaz.so.3", "/opt/nvct/libnvctbaz.so.3");
#ifdef HWCAPS_SUBDIR
        /* ldconfig puts the glibc-hwcaps variant first; lookup prefers the
         * baseline library after it. */
        bool variant_first = false;
        for (size_t i = 0; i < c.n_entries && !variant_first; i++)
                if (strcmp(c.entries[i].name, "libnvctfoo.so.1") == 0) {
                        assert_contains(c.entries[i].path, "/glibc-hwcaps/" HWCAPS_SUBDIR "/");
                        variant_first = true;
                }
        assert_true(variant_first);
        expect_lookup(&c, "libnvctfoo.so.1", LIBDIR "/libnvctfoo.so.1");
#else
        expect_lookup(&c, "libnvctfoo.so.1", LIBDIR "/libnvctfoo.so.1");
#endif
        assert_null(nvct_ldcache_lookup(&c, "libnvctfoo.so.1.0.0"));
        assert_null(nvct_ldcache_lookup(&c, "libnvctqux.so.1"));
        nvct_ldcache_clear(&c);
#else
        (void)which;
#endif
}

static void test_ldconfig_new(void **state) {
        (void)state;
        need_fixture();
        check_fixture_cache(0);
}

static void test_ldconfig_old(void **state) {
        (void)state;
        need_fixture();
        check_fixture_cache(1);
}

static void test_ldconfig_compat(void **state) {
        (void)state;
        need_fixture();
        check_fixture_cache(2);
        /* The same entries as the new-only file. */
        nvct_error *err = NULL;
        nvct_ldcache a, b;
        assert_int_equal(nvct_ldcache_load(fx.cache[0], false, &a, &err), 0);
        assert_int_equal(nvct_ldcache_load(fx.cache[2], false, &b, &err), 0);
        assert_true(entries_equal(&a, &b));
        nvct_ldcache_clear(&a);
        nvct_ldcache_clear(&b);
}

/* ldconfig's files end in an extension section after the strings: a cut
 * there loses nothing the parser reads, a cut anywhere before fails. */
static void test_ldconfig_truncations(void **state) {
        (void)state;
        need_fixture();
        for (size_t which = 0; which < 3; which++) {
                size_t len;
                unsigned char *data = read_file(fx.cache[which], &len);
                nvct_ldcache full;
                parse_ok(data, len, &full);
                /* The end of the last string any entry uses. */
                size_t strings_end = 0;
                for (size_t i = 0; i < len; i++) {
                        for (size_t j = 0; j < full.n_entries; j++) {
                                size_t pl = strlen(full.entries[j].path) + 1;
                                if (i + pl <= len &&
                                    memcmp(data + i, full.entries[j].path, pl) == 0 &&
                                    i + pl > strings_end)
                                        strings_end = i + pl;
                        }
                }
                assert_true(strings_end > 0);
                size_t n_ok = 0;
                for (size_t cut = 0; cut < len; cut++) {
                        if (cut < strings_end) {
                                parse_fails(data, cut, NULL);
                                continue;
                        }
                        nvct_ldcache c;
                        parse_ok(data, cut, &c);
                        assert_true(entries_equal(&c, &full));
                        nvct_ldcache_clear(&c);
                        n_ok++;
                }
                if (formats[which] != NVCT_LDCACHE_OLD)
                        assert_true(n_ok > 0); /* there was an extension */
                nvct_ldcache_clear(&full);
                free(data);
        }
}

/* The host's own cache, as ldconfig -p reads it. */
static void test_host_cache(void **state) {
        fx.ldconfig = fx.ldconfig ? fx.ldconfig : find_ldconfig();
        if (fx.ldconfig == NULL || access("/etc/ld.so.cache", R_OK) != 0) {
                print_message("skipped: no ldconfig or no /etc/ld.so.cache\n");
                skip();
        }
        nvct_error *err = NULL;
        nvct_ldcache c;
        int r = nvct_ldcache_load("/etc/ld.so.cache", false, &c, &err);
        if (r < 0) {
                print_error("%s\n", err->msg);
                nvct_error_free(&err);
                fail();
        }
        check_against_ldconfig_p(*state, "/etc/ld.so.cache", &c);
#ifdef NATIVE_FLAGS
        /* We run on glibc, found through this very cache or its dirs. */
        const nvct_ldcache_entry *libc = nvct_ldcache_lookup(&c, "libc.so.6");
        if (libc != NULL) {
                size_t pl = strlen(libc->path);
                assert_true(pl > strlen("/libc.so.6"));
                assert_string_equal(libc->path + pl - strlen("/libc.so.6"), "/libc.so.6");
                assert_int_equal(access(libc->path, R_OK), 0);
        }
#endif
        nvct_ldcache_clear(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_built_layouts),
                cmocka_unit_test(test_compat_needs_alignment),
                cmocka_unit_test(test_empty_caches),
                cmocka_unit_test(test_built_truncations),
                cmocka_unit_test(test_native_and_lookup),
                cmocka_unit_test(test_offsets_out_of_range),
                cmocka_unit_test(test_unterminated_and_long_strings),
                cmocka_unit_test(test_entry_counts),
                cmocka_unit_test(test_bounds),
                cmocka_unit_test(test_magic),
                cmocka_unit_test(test_byte_order),
                cmocka_unit_test(test_clear),
                cmocka_unit_test_setup_teardown(test_load, tmpdir_setup, tmpdir_teardown),
                cmocka_unit_test(test_ldconfig_new),
                cmocka_unit_test(test_ldconfig_old),
                cmocka_unit_test(test_ldconfig_compat),
                cmocka_unit_test(test_ldconfig_truncations),
                cmocka_unit_test_setup_teardown(test_host_cache, tmpdir_setup, tmpdir_teardown),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
