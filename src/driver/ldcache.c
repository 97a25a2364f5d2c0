/* SPDX-License-Identifier: Apache-2.0 */
/* The layouts, as glibc's sysdeps/generic/dl-cache.h and elf/cache.c define
 * and write them (all integers in the byte order of the machine that ran
 * ldconfig, which for the old layout is not recorded anywhere):
 *
 *   old:  0 magic "ld.so-1.7.0" (11 bytes), 1 byte of padding
 *        12 uint32 nlibs
 *        16 nlibs x { int32 flags; uint32 key, value; }           (12 bytes)
 *           then the strings; key and value are offsets from the end
 *           of the entry table
 *
 *   new:  0 magic "glibc-ld.so.cache" (17 bytes), version "1.1"
 *        20 uint32 nlibs, 24 uint32 len_strings
 *        28 uint8 flags (low two bits: byte order), 3 bytes of padding
 *        32 uint32 extension_offset, 36 uint32 unused[3]
 *        48 nlibs x { int32 flags; uint32 key, value; uint32 osversion;
 *                     uint64 hwcap; }                              (24 bytes)
 *           then the strings; key and value are offsets from the start of
 *           the new header
 *
 *   compat: the old layout whose string table starts with the new one,
 *           aligned to 8 bytes from the start of the file.
 *
 * Offsets are read as given: ldconfig shares string tails (a SONAME's key
 * usually points into the middle of its path), so all this parser asks of
 * one is that it lands inside the image with a NUL before the image ends.
 * len_strings is not checked, as glibc's own reader does not either. */
#define _GNU_SOURCE
#include "ldcache.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/quote.h"

#define OLD_MAGIC "ld.so-1.7.0"
#define OLD_MAGIC_LEN (sizeof(OLD_MAGIC) - 1)
#define OLD_NLIBS_AT 12
#define OLD_HEADER_SIZE 16
#define OLD_ENTRY_SIZE 12

#define NEW_MAGIC "glibc-ld.so.cache"
#define NEW_MAGIC_LEN (sizeof(NEW_MAGIC) - 1)
#define NEW_VERSION "1.1"
#define NEW_VERSION_LEN (sizeof(NEW_VERSION) - 1)
#define NEW_NLIBS_AT 20
#define NEW_FLAGS_AT 28
#define NEW_HEADER_SIZE 48
#define NEW_ENTRY_SIZE 24
/* __alignof__(struct cache_file_new): where the new header sits after the
 * old table in the compat layout. */
#define NEW_ALIGN 8

/* The header's flags & 3 (cache_file_new_flags_endian_*). */
#define ENDIAN_MASK 3
#define ENDIAN_UNSET 0
#define ENDIAN_INVALID 1
#define ENDIAN_LITTLE 2
#define ENDIAN_BIG 3
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ENDIAN_NATIVE ENDIAN_LITTLE
#else
#define ENDIAN_NATIVE ENDIAN_BIG
#endif

/* glibc's ldconfig.h. */
#define FLAG_ELF_LIBC6 0x0003
#define FLAG_X8664_LIB64 0x0300
#define FLAG_X8664_LIBX32 0x0800
#define FLAG_AARCH64_LIB64 0x0a00

/* The file is untrusted: a few bytes can make every entry point at one long
 * string, so the copies are bounded, not just the reads. A name or path is
 * shorter than PATH_MAX (nothing longer could be opened anyway); a real
 * cache holds a few thousand entries and well under a MiB of strings. */
#define MAX_STRING_LEN (PATH_MAX - 1)
#define MAX_ENTRIES (1u << 18)
#define MAX_STRING_BYTES NVCT_LDCACHE_MAX_SIZE

static uint32_t get_u32(const unsigned char *p) {
        uint32_t v;
        memcpy(&v, p, sizeof(v));
        return v;
}

static int32_t get_i32(const unsigned char *p) {
        int32_t v;
        memcpy(&v, p, sizeof(v));
        return v;
}

static uint64_t get_u64(const unsigned char *p) {
        uint64_t v;
        memcpy(&v, p, sizeof(v));
        return v;
}

/* Where one layout keeps its entries. */
typedef struct layout {
        size_t table;      /* file offset of the first entry */
        size_t entry_size; /* OLD_ENTRY_SIZE or NEW_ENTRY_SIZE */
        uint32_t nlibs;    /* already checked to fit in the file */
        size_t strings;    /* file offset that key and value are relative to */
        bool has_hwcap;
} layout;

/* The NUL-terminated string at offset `off` from `base`, which must start
 * and end inside the image: a pointer into it. */
static int get_string(const unsigned char *data, size_t len, size_t base, uint32_t off,
                      const char *name, size_t idx, const char *field, char **ret_s,
                      size_t *ret_len, nvct_error **err) {
        if (base > len || off >= len - base)
                return nvct_error_make(err, 0,
                                       "%s: entry %zu: %s offset %" PRIu32
                                       " from byte %zu is outside the file (%zu bytes)",
                                       name, idx, field, off, base, len);
        size_t start = base + off;
        size_t avail = len - start;
        const unsigned char *nul =
                memchr(data + start, '\0', avail > MAX_STRING_LEN ? MAX_STRING_LEN + 1 : avail);
        if (nul == NULL) {
                _cleanup_free_ char *q =
                        nvct_quote((const char *)data + start,
                                   avail > NVCT_QUOTE_MAX ? NVCT_QUOTE_MAX + 1 : avail);
                if (avail > MAX_STRING_LEN)
                        return nvct_error_make(err, 0,
                                               "%s: entry %zu: %s %s is longer than %d bytes", name,
                                               idx, field, q ? q : "", MAX_STRING_LEN);
                return nvct_error_make(err, 0,
                                       "%s: entry %zu: %s %s at offset %zu runs past the end of "
                                       "the file",
                                       name, idx, field, q ? q : "", start);
        }
        *ret_s = (char *)(uintptr_t)(data + start);
        *ret_len = (size_t)(nul - (data + start));
        return 0;
}

static int read_entries(const unsigned char *data, size_t len, const char *name, const layout *l,
                        nvct_ldcache_entry **ret_entries, nvct_error **err) {
        if (l->nlibs == 0) {
                *ret_entries = NULL;
                return 0;
        }
        if (l->nlibs > MAX_ENTRIES)
                return nvct_error_make(err, 0, "%s: %" PRIu32 " entries, more than the %u accepted",
                                       name, l->nlibs, MAX_ENTRIES);
        nvct_ldcache_entry *entries = calloc(l->nlibs, sizeof(*entries));
        if (entries == NULL)
                return nvct_error_make(err, 0, "%s: out of memory", name);
        size_t copied = 0;
        for (size_t i = 0; i < l->nlibs; i++) {
                const unsigned char *e = data + l->table + i * l->entry_size;
                nvct_ldcache_entry *out = &entries[i];
                size_t nlen = 0, plen = 0;
                out->flags = get_i32(e);
                out->hwcap = l->has_hwcap ? get_u64(e + 16) : 0;
                if (get_string(data, len, l->strings, get_u32(e + 4), name, i, "name", &out->name,
                               &nlen, err) < 0 ||
                    get_string(data, len, l->strings, get_u32(e + 8), name, i, "path", &out->path,
                               &plen, err) < 0) {
                        free(entries);
                        return -1;
                }
                copied += nlen + plen + 2;
                if (copied > MAX_STRING_BYTES) {
                        free(entries);
                        return nvct_error_make(err, 0,
                                               "%s: the strings of its entries add up to more "
                                               "than %u bytes",
                                               name, MAX_STRING_BYTES);
                }
        }
        *ret_entries = entries;
        return 0;
}

/* The new layout's header at `base` (0, or after the old table). */
static int new_layout(const unsigned char *data, size_t len, size_t base, const char *name,
                      layout *ret, nvct_error **err) {
        if (len - base < NEW_HEADER_SIZE)
                return nvct_error_make(err, 0,
                                       "%s: truncated: the header at byte %zu needs %d bytes, "
                                       "only %zu follow",
                                       name, base, NEW_HEADER_SIZE, len - base);
        /* glibc ignores a cache marked invalid or written in the other byte
         * order; read in ours, its numbers would be garbage. */
        unsigned endian = data[base + NEW_FLAGS_AT] & ENDIAN_MASK;
        if (endian == ENDIAN_INVALID)
                return nvct_error_make(err, 0, "%s: marked invalid by the program that wrote it",
                                       name);
        if (endian != ENDIAN_UNSET && endian != ENDIAN_NATIVE)
                return nvct_error_make(err, 0, "%s: written for a %s-endian machine", name,
                                       endian == ENDIAN_BIG ? "big" : "little");
        uint32_t nlibs = get_u32(data + base + NEW_NLIBS_AT);
        size_t room = len - base - NEW_HEADER_SIZE;
        if (nlibs > room / NEW_ENTRY_SIZE)
                return nvct_error_make(err, 0,
                                       "%s: %" PRIu32 " entries of %d bytes do not fit in the "
                                       "%zu bytes after the header",
                                       name, nlibs, NEW_ENTRY_SIZE, room);
        *ret = (layout){
                .table = base + NEW_HEADER_SIZE,
                .entry_size = NEW_ENTRY_SIZE,
                .nlibs = nlibs,
                .strings = base,
                .has_hwcap = true,
        };
        return 0;
}

/* Parses `image` (len bytes, NUL after them), which the cache takes on
 * success: its entries point into it. */
static int parse_image(char *image, size_t len, const char *raw_name, nvct_ldcache *ret_cache,
                       nvct_error **err) {
        const unsigned char *p = (const unsigned char *)image;
        /* Quoted once for every message below, as every path is (quote.h). */
        _cleanup_free_ char *quoted = nvct_quote_path(raw_name != NULL ? raw_name : "ld.so.cache");
        if (quoted == NULL)
                return nvct_error_make(err, ENOMEM, "cannot parse an ld.so.cache");
        const char *name = quoted;
        if (p == NULL)
                len = 0;

        layout l;
        nvct_ldcache_format format;
        if (len >= NEW_MAGIC_LEN && memcmp(p, NEW_MAGIC, NEW_MAGIC_LEN) == 0) {
                size_t vlen = len - NEW_MAGIC_LEN < NEW_VERSION_LEN ? len - NEW_MAGIC_LEN
                                                                    : NEW_VERSION_LEN;
                if (vlen < NEW_VERSION_LEN ||
                    memcmp(p + NEW_MAGIC_LEN, NEW_VERSION, NEW_VERSION_LEN) != 0) {
                        _cleanup_free_ char *q = nvct_quote((const char *)p + NEW_MAGIC_LEN, vlen);
                        return nvct_error_make(err, 0, "%s: unsupported cache version %s", name,
                                               q ? q : "");
                }
                if (new_layout(p, len, 0, name, &l, err) < 0)
                        return -1;
                format = NVCT_LDCACHE_NEW;
        } else if (len >= OLD_MAGIC_LEN && memcmp(p, OLD_MAGIC, OLD_MAGIC_LEN) == 0) {
                if (len < OLD_HEADER_SIZE)
                        return nvct_error_make(err, 0,
                                               "%s: truncated: the header needs %d bytes, the "
                                               "file has %zu",
                                               name, OLD_HEADER_SIZE, len);
                uint32_t nlibs = get_u32(p + OLD_NLIBS_AT);
                size_t room = len - OLD_HEADER_SIZE;
                if (nlibs > room / OLD_ENTRY_SIZE)
                        return nvct_error_make(err, 0,
                                               "%s: %" PRIu32 " entries of %d bytes do not fit "
                                               "in the %zu bytes after the header",
                                               name, nlibs, OLD_ENTRY_SIZE, room);
                size_t table_end = OLD_HEADER_SIZE + (size_t)nlibs * OLD_ENTRY_SIZE;
                size_t pad = (NEW_ALIGN - table_end % NEW_ALIGN) % NEW_ALIGN;
                size_t rest = len - table_end;
                if (rest >= pad + NEW_MAGIC_LEN + NEW_VERSION_LEN &&
                    memcmp(p + table_end + pad, NEW_MAGIC NEW_VERSION,
                           NEW_MAGIC_LEN + NEW_VERSION_LEN) == 0) {
                        /* Only the new section: the old one only exists
                         * for libc5-era loaders, and lacks hwcap. */
                        if (new_layout(p, len, table_end + pad, name, &l, err) < 0)
                                return -1;
                        format = NVCT_LDCACHE_COMPAT;
                } else {
                        l = (layout){
                                .table = OLD_HEADER_SIZE,
                                .entry_size = OLD_ENTRY_SIZE,
                                .nlibs = nlibs,
                                .strings = table_end,
                                .has_hwcap = false,
                        };
                        format = NVCT_LDCACHE_OLD;
                }
        } else if (len == 0) {
                return nvct_error_make(err, 0, "%s: empty file, not an ld.so.cache", name);
        } else {
                _cleanup_free_ char *q = nvct_quote((const char *)p, len < 20 ? len : 20);
                return nvct_error_make(
                        err, 0,
                        "%s: not an ld.so.cache: starts with %s, neither \"" OLD_MAGIC
                        "\" nor \"" NEW_MAGIC NEW_VERSION "\"",
                        name, q ? q : "");
        }

        nvct_ldcache_entry *entries = NULL;
        if (read_entries(p, len, name, &l, &entries, err) < 0)
                return -1;
        *ret_cache = (nvct_ldcache){
                .entries = entries,
                .n_entries = l.nlibs,
                .format = format,
                .image = image,
        };
        return 0;
}

int nvct_ldcache_parse(const void *data, size_t len, const char *raw_name, nvct_ldcache *ret_cache,
                       nvct_error **err) {
        /* A copy the entries point into: the caller keeps its bytes. */
        if (data == NULL)
                len = 0;
        char *image = malloc(len + 1);
        if (image == NULL)
                return nvct_error_make(err, ENOMEM, "cannot parse an ld.so.cache");
        if (len > 0)
                memcpy(image, data, len);
        image[len] = '\0';
        int r = parse_image(image, len, raw_name, ret_cache, err);
        if (r < 0)
                free(image);
        return r;
}

int nvct_ldcache_load(const char *path, bool missing_ok, nvct_ldcache *ret_cache,
                      nvct_error **err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        /* nvct_read_regular: a FIFO or device planted at the cache's path in
         * a container image must neither hang us nor feed us without end. */
        int r = nvct_read_regular(path, "ld.so.cache", NVCT_LDCACHE_MAX_SIZE, missing_ok, &data,
                                  &len, err);
        if (r < 0)
                return r;
        r = parse_image(data, len, path, ret_cache, err);
        if (r == 0)
                data = NULL; /* the cache's now */
        return r;
}

void nvct_ldcache_clear(nvct_ldcache *cache) {
        if (cache == NULL)
                return;
        free(cache->entries);
        free(cache->image);
        *cache = (nvct_ldcache){ 0 };
}

bool nvct_ldcache_entry_is_native(const nvct_ldcache_entry *entry) {
        /* glibc's _dl_cache_check_flags on these ABIs: an exact match, so an
         * entry with any other bit set is one ld.so would skip too. */
#if defined(__x86_64__) && defined(__ILP32__)
        return entry->flags == (FLAG_ELF_LIBC6 | FLAG_X8664_LIBX32);
#elif defined(__x86_64__)
        return entry->flags == (FLAG_ELF_LIBC6 | FLAG_X8664_LIB64);
#elif defined(__aarch64__) && !defined(__ILP32__)
        return entry->flags == (FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64);
#else
        /* An ABI this build does not know: claim nothing. */
        (void)entry;
        return false;
#endif
}

const nvct_ldcache_entry *nvct_ldcache_lookup(const nvct_ldcache *cache, const char *soname) {
        if (cache == NULL || soname == NULL)
                return NULL;
        /* ldconfig lists glibc-hwcaps variants (x86-64-v3, ...) before the
         * baseline library: prefer the baseline, which loads on any CPU of
         * the ABI; a variant only when there is nothing else. */
        const nvct_ldcache_entry *variant = NULL;
        for (size_t i = 0; i < cache->n_entries; i++) {
                const nvct_ldcache_entry *e = &cache->entries[i];
                if (strcmp(e->name, soname) != 0 || !nvct_ldcache_entry_is_native(e))
                        continue;
                /* The old layout has no hwcap field: the path tells. */
                if (e->hwcap == 0 && strstr(e->path, "/glibc-hwcaps/") == NULL)
                        return e;
                if (variant == NULL)
                        variant = e;
        }
        return variant;
}
