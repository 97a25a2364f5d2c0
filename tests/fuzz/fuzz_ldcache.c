/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the ld.so.cache parser (the cache comes from a container image or
 * the host, and is read as untrusted): nvct_ldcache_parse over arbitrary
 * bytes, then lookups of what it returned. Checks that it never reads past
 * the input nor leaks, that a failure leaves the output alone with a message
 * fit for a terminal, and that every entry is well formed: its strings are
 * bounded and NUL-terminated copies of bytes in the input, their count fits
 * in the input, the old layout carries no hwcap. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/error.h"
#include "driver/ldcache.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An entry for any CPU of the ABI, not a glibc-hwcaps variant. */
static bool is_baseline(const nvct_ldcache_entry *e) {
        return e->hwcap == 0 && strstr(e->path, "/glibc-hwcaps/") == NULL;
}

/* Whether s, NUL included, occurs in the input: strings are copied from it,
 * never made up. Searched for the first entries only, to stay fast. */
static bool in_input(const char *buf, size_t size, const char *s) {
        return memmem(buf, size, s, strlen(s) + 1) != NULL;
}

static void check_cache(const char *buf, size_t size, const nvct_ldcache *c) {
        CHECK(c->format == NVCT_LDCACHE_OLD || c->format == NVCT_LDCACHE_NEW ||
              c->format == NVCT_LDCACHE_COMPAT);
        CHECK((c->n_entries == 0) == (c->entries == NULL));
        /* Each entry takes 12 (old) or 24 (new) bytes of the input. */
        size_t entry_size = c->format == NVCT_LDCACHE_OLD ? 12 : 24;
        CHECK(c->n_entries <= size / entry_size);
        for (size_t i = 0; i < c->n_entries; i++) {
                const nvct_ldcache_entry *e = &c->entries[i];
                CHECK(e->name != NULL && e->path != NULL);
                CHECK(strlen(e->name) < PATH_MAX);
                CHECK(strlen(e->path) < PATH_MAX);
                if (c->format == NVCT_LDCACHE_OLD)
                        CHECK(e->hwcap == 0);
                if (i < 32) {
                        CHECK(in_input(buf, size, e->name));
                        CHECK(in_input(buf, size, e->path));
                }
                /* A lookup by this name finds a native entry of that name:
                 * when this one is native, a baseline one (no hwcap, not
                 * under glibc-hwcaps/) no later than this one if this one
                 * is a baseline, else any no later than this one or a
                 * baseline. */
                if (i < 8) {
                        const nvct_ldcache_entry *hit = nvct_ldcache_lookup(c, e->name);
                        if (hit != NULL) {
                                CHECK(hit >= c->entries && hit < c->entries + c->n_entries);
                                CHECK(strcmp(hit->name, e->name) == 0);
                                CHECK(nvct_ldcache_entry_is_native(hit));
                        }
                        if (nvct_ldcache_entry_is_native(e)) {
                                CHECK(hit != NULL);
                                bool hit_base = is_baseline(hit);
                                if (is_baseline(e))
                                        CHECK(hit_base && hit <= e);
                                else
                                        CHECK(hit <= e || hit_base);
                        }
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *buf = fuzz_copy_input(data, size);
        if (buf == NULL)
                return 0;

        nvct_ldcache_entry *const untouched = (nvct_ldcache_entry *)(uintptr_t)0x5a5a;
        nvct_ldcache c = { .entries = untouched, .n_entries = 7, .format = NVCT_LDCACHE_NEW };
        nvct_error *err = NULL;
        int r = nvct_ldcache_parse(buf, size, "fuzz.cache", &c, &err);
        if (r < 0) {
                CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
                CHECK(strncmp(err->msg, "\"fuzz.cache\": ", strlen("\"fuzz.cache\": ")) == 0);
                /* Bytes from the input are quoted: printable ASCII only,
                 * and cut, so that a message stays short. */
                size_t mlen = strlen(err->msg);
                CHECK(mlen < 1024);
                for (size_t i = 0; i < mlen; i++)
                        CHECK(err->msg[i] >= 0x20 && err->msg[i] < 0x7f);
                CHECK(c.entries == untouched && c.n_entries == 7 && c.format == NVCT_LDCACHE_NEW);
                nvct_error_free(&err);
        } else {
                CHECK(r == 0);
                CHECK(err == NULL);
                check_cache(buf, size, &c);
                nvct_ldcache_clear(&c);
                CHECK(c.entries == NULL && c.n_entries == 0);
        }
        free(buf);
        return 0;
}
