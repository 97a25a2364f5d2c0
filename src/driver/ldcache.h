/* SPDX-License-Identifier: Apache-2.0 */
/* glibc's ld.so.cache, read without glibc's help: the small binary index
 * `ldconfig` writes of every shared library it found, by SONAME. Both layouts
 * are understood: the old one ("ld.so-1.7.0", 12-byte entries, strings after
 * the entry table), the new one ("glibc-ld.so.cache1.1", 24-byte entries,
 * string offsets from the new header), and the old one followed by the new
 * one (then only the new section is read). The file is untrusted input as
 * far as this parser is concerned: every offset, count and string is bounds
 * checked against the image. */
#ifndef NVCT_LDCACHE_H
#define NVCT_LDCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"

/* Largest cache file accepted (a big host's is well under 1 MiB). */
#define NVCT_LDCACHE_MAX_SIZE (64u << 20)

/* flags: the low byte is the type (FLAG_ELF_LIBC6 = 3), the next the
 * architecture requirement (FLAG_X8664_LIB64 = 0x0300, FLAG_AARCH64_LIB64 =
 * 0x0a00, ...), as glibc's ldconfig.h defines them. */
typedef struct nvct_ldcache_entry {
        char *name; /* the key: a SONAME such as "libcuda.so.1" */
        char *path; /* the value: "/usr/lib/x86_64-linux-gnu/libcuda.so.1" */
        int32_t flags;
        uint64_t hwcap; /* 0 in the old layout */
} nvct_ldcache_entry;

typedef enum nvct_ldcache_format {
        NVCT_LDCACHE_OLD = 1,    /* old layout only */
        NVCT_LDCACHE_NEW = 2,    /* new layout only */
        NVCT_LDCACHE_COMPAT = 3, /* old followed by new; entries from the new */
} nvct_ldcache_format;

typedef struct nvct_ldcache {
        nvct_ldcache_entry *entries; /* in file order */
        size_t n_entries;
        nvct_ldcache_format format;
        /* The file's bytes, which the entries' names and paths point into
         * (each checked NUL-terminated inside it): one allocation, where a
         * copy of each string made thousands on a real host. */
        char *image;
} nvct_ldcache;

/* Parses a cache image held in memory. `name` (its path) names it, quoted, in
 * errors. */
int nvct_ldcache_parse(const void *data, size_t len, const char *name, nvct_ldcache *ret_cache,
                       nvct_error **err);
/* Reads and parses the cache file at `path` (opened with nvct_open_regular:
 * no FIFO, regular file, NVCT_LDCACHE_MAX_SIZE). With `missing_ok`, a missing
 * file returns -ENOENT and sets no error. */
int nvct_ldcache_load(const char *path, bool missing_ok, nvct_ldcache *ret_cache, nvct_error **err);
void nvct_ldcache_clear(nvct_ldcache *cache);

/* True when the entry is a libc6 ELF library of this build's own ABI (on
 * x86-64: type FLAG_ELF_LIBC6 with FLAG_X8664_LIB64; on aarch64 with
 * FLAG_AARCH64_LIB64), i.e. one a process like us could load. */
bool nvct_ldcache_entry_is_native(const nvct_ldcache_entry *entry);

/* The native entry whose name is exactly `soname`: the first without hwcap
 * (the baseline library), else the first glibc-hwcaps variant; NULL when
 * there is none. */
const nvct_ldcache_entry *nvct_ldcache_lookup(const nvct_ldcache *cache, const char *soname);

#endif
