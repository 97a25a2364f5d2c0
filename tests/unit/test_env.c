/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the container environment map: the reference's getEnvMap
 * (split at the first '=', an entry without '=' is an error, a later
 * duplicate replaces the value) plus first-appearance order and NUL-safe
 * names and values. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/env.h"
#include "basic/error.h"
#include "basic/hash.h"

static void add_ok_len(nvct_env *env, const char *entry, size_t len) {
        nvct_error *err = NULL;
        int r = nvct_env_add_entry(env, entry, len, 0, &err);
        if (r < 0) {
                print_error("add_entry(%.*s) failed: %s\n", (int)len, entry,
                            err ? err->msg : "(no error)");
                nvct_error_free(&err);
                fail();
        }
        assert_int_equal(r, 0);
        assert_null(err);
}

static void add_ok(nvct_env *env, const char *entry) {
        add_ok_len(env, entry, strlen(entry));
}

static void assert_var(const nvct_env_var *v, const char *name, size_t name_len, const char *value,
                       size_t value_len) {
        assert_non_null(v);
        assert_int_equal(v->name_len, name_len);
        assert_memory_equal(v->name, name, name_len);
        assert_int_equal(v->name[name_len], '\0');
        assert_int_equal(v->value_len, value_len);
        if (value_len > 0)
                assert_memory_equal(v->value, value, value_len);
        assert_int_equal(v->value[value_len], '\0');
}

static void assert_get(const nvct_env *env, const char *name, const char *value) {
        const nvct_env_var *v = nvct_env_get(env, name);
        if (v == NULL) {
                print_error("%s is not set, want %s\n", name, value);
                fail();
        }
        assert_var(v, name, strlen(name), value, strlen(value));
}

static void test_empty(void **state) {
        (void)state;
        nvct_env env;
        nvct_env_init(&env);
        assert_int_equal(env.n_vars, 0);
        assert_null(nvct_env_get(&env, "PATH"));
        assert_null(nvct_env_get(&env, ""));
        assert_null(nvct_env_lookup(&env, "X", 1));
        nvct_env_clear(&env);
        /* Clearing twice is harmless, and the env is empty afterwards. */
        nvct_env_clear(&env);
        assert_int_equal(env.n_vars, 0);
        assert_null(env.vars);
}

static void test_split_at_first_equals(void **state) {
        (void)state;
        nvct_env env;
        nvct_env_init(&env);
        add_ok(&env, "PATH=/usr/bin:/bin");
        add_ok(&env, "A=1=2");
        add_ok(&env, "EMPTY=");
        add_ok(&env, "=value-of-empty-name");
        add_ok(&env, "EQ==");
        add_ok(&env, "SPACE = x ");
        assert_int_equal(env.n_vars, 6);

        assert_get(&env, "PATH", "/usr/bin:/bin");
        assert_get(&env, "A", "1=2");
        assert_get(&env, "EMPTY", "");
        assert_get(&env, "", "value-of-empty-name");
        assert_get(&env, "EQ", "=");
        assert_get(&env, "SPACE ", " x ");
        /* Names are exact: no trimming, no case folding, no prefix match. */
        assert_null(nvct_env_get(&env, "SPACE"));
        assert_null(nvct_env_get(&env, "path"));
        assert_null(nvct_env_get(&env, "PAT"));
        assert_null(nvct_env_get(&env, "PATH="));
        assert_null(nvct_env_get(&env, "A=1"));
        nvct_env_clear(&env);
}

static void test_order_and_duplicates(void **state) {
        (void)state;
        nvct_env env;
        nvct_env_init(&env);
        add_ok(&env, "B=1");
        add_ok(&env, "A=1");
        add_ok(&env, "C=1");
        add_ok(&env, "B=2");
        add_ok(&env, "A=");
        add_ok(&env, "B=3");
        /* A later duplicate replaces the value, keeping the first position. */
        assert_int_equal(env.n_vars, 3);
        assert_var(&env.vars[0], "B", 1, "3", 1);
        assert_var(&env.vars[1], "A", 1, "", 0);
        assert_var(&env.vars[2], "C", 1, "1", 1);
        assert_ptr_equal(nvct_env_get(&env, "B"), &env.vars[0]);
        assert_ptr_equal(nvct_env_get(&env, "A"), &env.vars[1]);
        assert_ptr_equal(nvct_env_get(&env, "C"), &env.vars[2]);
        nvct_env_clear(&env);
        assert_int_equal(env.n_vars, 0);
        assert_null(nvct_env_get(&env, "B"));

        /* Reusable after clear. */
        add_ok(&env, "X=y");
        assert_get(&env, "X", "y");
        assert_int_equal(env.n_vars, 1);
        nvct_env_clear(&env);
}

static void test_missing_equals(void **state) {
        (void)state;
        nvct_env env;
        nvct_env_init(&env);
        add_ok(&env, "KEEP=1");

        nvct_error *err = NULL;
        assert_int_equal(nvct_env_add_entry(&env, "NOEQUALS", 8, 7, &err), -1);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "process.env[7]"));
        assert_non_null(strstr(err->msg, "\"NOEQUALS\""));
        assert_non_null(strstr(err->msg, "NAME=VALUE"));
        nvct_error_free(&err);

        /* The empty entry too. */
        assert_int_equal(nvct_env_add_entry(&env, "", 0, 0, &err), -1);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "process.env[0]"));
        assert_non_null(strstr(err->msg, "\"\""));
        nvct_error_free(&err);

        /* An '=' after the given length does not count. */
        assert_int_equal(nvct_env_add_entry(&env, "AB=C", 2, 3, &err), -1);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "process.env[3]"));
        assert_non_null(strstr(err->msg, "\"AB\""));
        nvct_error_free(&err);

        /* Untrusted bytes are quoted, not printed raw. */
        assert_int_equal(nvct_env_add_entry(&env, "\x1b[31mX\n", 7, 1, &err), -1);
        assert_non_null(err);
        assert_null(strchr(err->msg, '\x1b'));
        assert_null(strchr(err->msg, '\n'));
        nvct_error_free(&err);

        /* A failed add leaves the env as it was. */
        assert_int_equal(env.n_vars, 1);
        assert_get(&env, "KEEP", "1");
        assert_null(nvct_env_get(&env, "NOEQUALS"));
        assert_null(nvct_env_get(&env, "AB"));

        /* err may be NULL: still a failure. */
        assert_int_equal(nvct_env_add_entry(&env, "X", 1, 0, NULL), -1);
        nvct_env_clear(&env);
}

static void test_nul_bytes(void **state) {
        (void)state;
        nvct_env env;
        nvct_env_init(&env);
        add_ok_len(&env, "A\0B=1", 5);
        add_ok_len(&env, "A=x\0y", 5);
        add_ok_len(&env, "\0=z", 3);
        add_ok_len(&env, "N=\0", 3);
        assert_int_equal(env.n_vars, 4);

        const nvct_env_var *v = nvct_env_lookup(&env, "A\0B", 3);
        assert_var(v, "A\0B", 3, "1", 1);
        /* "A\0B" is not "A", and a NUL-terminated lookup stops at the NUL. */
        v = nvct_env_get(&env, "A");
        assert_var(v, "A", 1, "x\0y", 3);
        assert_null(nvct_env_lookup(&env, "A\0", 2));
        v = nvct_env_lookup(&env, "\0", 1);
        assert_var(v, "\0", 1, "z", 1);
        assert_null(nvct_env_get(&env, ""));
        v = nvct_env_get(&env, "N");
        assert_var(v, "N", 1, "\0", 1);

        /* The '=' in a name-with-NUL entry is the first '=' after the NUL. */
        add_ok_len(&env, "A\0B=2=3", 7);
        assert_int_equal(env.n_vars, 4);
        assert_var(nvct_env_lookup(&env, "A\0B", 3), "A\0B", 3, "2=3", 3);
        nvct_env_clear(&env);
}

static void test_many_entries(void **state) {
        (void)state;
        /* Enough to grow the arrays and rehash the table several times. */
        enum { N = 5000 };
        nvct_env env;
        nvct_env_init(&env);
        char buf[64];
        for (int i = 0; i < N; i++) {
                int n = snprintf(buf, sizeof(buf), "VAR_%d=%d", i, i * 3);
                add_ok_len(&env, buf, (size_t)n);
        }
        /* Redefine every other one: the count does not change. */
        for (int i = 0; i < N; i += 2) {
                int n = snprintf(buf, sizeof(buf), "VAR_%d=again%d", i, i);
                add_ok_len(&env, buf, (size_t)n);
        }
        assert_int_equal(env.n_vars, N);
        for (int i = 0; i < N; i++) {
                char name[32], value[32];
                snprintf(name, sizeof(name), "VAR_%d", i);
                if (i % 2 == 0)
                        snprintf(value, sizeof(value), "again%d", i);
                else
                        snprintf(value, sizeof(value), "%d", i * 3);
                assert_get(&env, name, value);
                /* Position is that of the first appearance. */
                assert_ptr_equal(nvct_env_get(&env, name), &env.vars[i]);
        }
        assert_null(nvct_env_get(&env, "VAR_5000"));
        assert_null(nvct_env_get(&env, "VAR_"));
        nvct_env_clear(&env);
}

/* The vars array and the (private) name index grow at different points
 * (16, 32, ... vars; 32, 64, ... buckets): every name is found after each
 * addition across those boundaries, and a replace right after a growth
 * finds its entry. */
static void test_growth_boundaries(void **state) {
        (void)state;
        enum { N = 140 };
        nvct_env env;
        nvct_env_init(&env);
        char buf[32], name[32], value[32];
        for (int i = 0; i < N; i++) {
                int n = snprintf(buf, sizeof(buf), "V%d=%d", i, i);
                add_ok_len(&env, buf, (size_t)n);
                n = snprintf(buf, sizeof(buf), "V%d=r%d", i, i);
                add_ok_len(&env, buf, (size_t)n);
                assert_int_equal(env.n_vars, (size_t)i + 1);
                for (int k = 0; k <= i; k++) {
                        snprintf(name, sizeof(name), "V%d", k);
                        snprintf(value, sizeof(value), "r%d", k);
                        assert_get(&env, name, value);
                        assert_ptr_equal(nvct_env_get(&env, name), &env.vars[k]);
                }
                snprintf(name, sizeof(name), "V%d", i + 1);
                assert_null(nvct_env_get(&env, name));
        }
        nvct_env_clear(&env);
        assert_null(env.vars);
        assert_null(env.index);
        assert_null(nvct_env_get(&env, "V0"));
}

/* ---- hash.h: the keyed hash of the environment's (and CDI's, TOML's) tables ---- */

static void test_siphash_vectors(void **state) {
        (void)state;
        /* The SipHash paper's vectors (2-4, key 00..0f, input 00 01 02 ...):
         * the same rounds run 1-3 in nvct_hash. */
        unsigned char key[16], in[16];
        for (unsigned i = 0; i < 16; i++)
                key[i] = in[i] = (unsigned char)i;
        uint64_t k0, k1;
        memcpy(&k0, key, 8);
        memcpy(&k1, key + 8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        assert_true(nvct_siphash(in, 0, k0, k1, 2, 4) == UINT64_C(0x726fdb47dd0e0e31));
        assert_true(nvct_siphash(in, 1, k0, k1, 2, 4) == UINT64_C(0x74f839c593dc67fd));
        assert_true(nvct_siphash(in, 8, k0, k1, 2, 4) == UINT64_C(0x93f5f5799a932462));
        assert_true(nvct_siphash(in, 15, k0, k1, 2, 4) == UINT64_C(0xa129ca6149be45e5));
#endif
        /* One key per process, stable within it. */
        assert_true(nvct_hash("NVIDIA_X", 8) == nvct_hash("NVIDIA_X", 8));
        assert_true(nvct_hash_key()[0] != 0 || nvct_hash_key()[1] != 0);
}

/* Security: names that an unkeyed FNV-1a puts in one slot of a 65536-slot
 * table (the way an image could make the hook's environment quadratic:
 * 100000 such variables took 19 s) spread over the table under nvct_hash. */
static void test_crafted_names_spread(void **state) {
        (void)state;
        enum { N = 4096, BITS = 16 };
        const uint64_t mask = (UINT64_C(1) << BITS) - 1, prime = UINT64_C(1099511628211);
        uint64_t inverse = 1; /* prime^-1 mod 2^64, by Newton's iteration */
        for (int i = 0; i < 6; i++)
                inverse *= 2 - prime * inverse;
        const uint64_t need = (UINT64_C(12345) * inverse) & mask;
        static uint8_t seen[1u << BITS];
        memset(seen, 0, sizeof(seen));
        size_t crafted = 0, distinct = 0;
        for (uint64_t c = 0; crafted < N; c++) {
                char name[40];
                int len =
                        snprintf(name, sizeof(name), "NVIDIA_REQUIRE_%llx_", (unsigned long long)c);
                uint64_t h = UINT64_C(14695981039346656037);
                for (int i = 0; i < len; i++)
                        h = (h ^ (unsigned char)name[i]) * prime;
                /* The last byte that brings FNV-1a's low bits to the target. */
                uint64_t last = (h ^ need) & mask;
                if (last < 'A' || last > 'Z')
                        continue;
                name[len++] = (char)last;
                h = (h ^ last) * prime;
                assert_true((h & mask) == 12345);
                crafted++;
                size_t slot = (size_t)(nvct_hash(name, (size_t)len) & mask);
                distinct += !seen[slot];
                seen[slot] = 1;
        }
        /* 4096 random slots of 65536: about 3970 distinct; all in one for
         * FNV-1a. */
        assert_true(distinct > 3500);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_split_at_first_equals),
                cmocka_unit_test(test_order_and_duplicates),
                cmocka_unit_test(test_missing_equals),
                cmocka_unit_test(test_nul_bytes),
                cmocka_unit_test(test_many_entries),
                cmocka_unit_test(test_growth_boundaries),
                cmocka_unit_test(test_siphash_vectors),
                cmocka_unit_test(test_crafted_names_spread),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
