/* SPDX-License-Identifier: Apache-2.0 */
/* cdi/registry (resolving) and cdi/apply, with golden cases: each
 * directory of data/cdi-apply/ holds a config.json, spec directories etc/
 * and run/ (searched in that order), the names asked for (one a line), and
 * either expected.json (the config.json written, byte for byte) or
 * expected-error (the one-line message, the case's directory written as
 * @DIR@). CDI_APPLY_UPDATE=1 rewrites the expected files from what the code
 * does: review the diff before committing it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include "basic/error.h"
#include "cdi/apply.h"
#include "cdi/load.h"
#include "cdi/registry.h"
#include "oci/edit.h"

#define CASES TEST_SRCDIR "/data/cdi-apply"
#define CONFIGS TEST_SRCDIR "/data/config-json"

static char *slurp(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        if (f == NULL)
                return NULL;
        size_t cap = 1 << 16, len = 0;
        char *buf = malloc(cap);
        assert_non_null(buf);
        size_t n;
        while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
                len += n;
                if (cap - len <= 1) {
                        cap *= 2;
                        buf = realloc(buf, cap);
                        assert_non_null(buf);
                }
        }
        fclose(f);
        buf[len] = '\0';
        if (ret_len != NULL)
                *ret_len = len;
        return buf;
}

static void spit(const char *path, const char *data, size_t len) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
}

static void copy_file(const char *from, const char *to) {
        size_t len;
        char *data = slurp(from, &len);
        assert_non_null(data);
        spit(to, data, len);
        free(data);
}

/* Every occurrence of `from` in s replaced by `to` (a new string). */
static char *replace_all(const char *s, const char *from, const char *to) {
        size_t flen = strlen(from), tlen = strlen(to), n = 0;
        for (const char *p = s; (p = strstr(p, from)) != NULL; p += flen)
                n++;
        char *out = malloc(strlen(s) + n * tlen + 1), *o = out;
        assert_non_null(out);
        for (const char *p = s, *q; *p != '\0'; p = q + flen) {
                q = strstr(p, from);
                if (q == NULL) {
                        strcpy(o, p);
                        return out;
                }
                memcpy(o, p, (size_t)(q - p));
                o += q - p;
                memcpy(o, to, tlen);
                o += tlen;
        }
        *o = '\0';
        return out;
}

/* The names file: lines, NULL-terminated. */
static char **read_names(const char *path, size_t *ret_n) {
        char *text = slurp(path, NULL);
        assert_non_null(text);
        char **names = calloc(64, sizeof(*names));
        size_t n = 0;
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line != NULL && n < 63;
             line = strtok_r(NULL, "\n", &save))
                names[n++] = strdup(line);
        free(text);
        *ret_n = n;
        return names;
}

static void free_names(char **names) {
        for (size_t i = 0; names[i] != NULL; i++)
                free(names[i]);
        free(names);
}

static bool updating(void) {
        const char *u = getenv("CDI_APPLY_UPDATE");
        return u != NULL && strcmp(u, "1") == 0;
}

/* Compares `got` with the file `want_path` (or writes it when updating). */
static void expect_file(const char *want_path, const char *got, size_t got_len) {
        if (updating()) {
                spit(want_path, got, got_len);
                return;
        }
        size_t len;
        char *want = slurp(want_path, &len);
        if (want == NULL)
                fail_msg("%s: missing", want_path);
        if (len != got_len || memcmp(want, got, len) != 0)
                fail_msg("%s differs:\nwant: %s\ngot:  %s", want_path, want, got);
        free(want);
}

/* The cases that read a host node need /dev/null and /dev/zero as every
 * Linux has them (1:3, 1:5); a sandbox that broke them skips. */
static void need_host_nodes(void) {
        struct stat n, z;
        if (stat("/dev/null", &n) != 0 || !S_ISCHR(n.st_mode) || major(n.st_rdev) != 1 ||
            minor(n.st_rdev) != 3 || stat("/dev/zero", &z) != 0 || !S_ISCHR(z.st_mode) ||
            major(z.st_rdev) != 1 || minor(z.st_rdev) != 5) {
                print_message("/dev/null or /dev/zero is not the usual node: skipped\n");
                skip();
        }
}

static void run_case(const char *name) {
        char *dir = xasprintf("%s/%s", CASES, name);
        char *etc = xasprintf("%s/etc", dir), *run = xasprintf("%s/run", dir);
        char *from = xasprintf("%s/config.json", dir), *names_path = xasprintf("%s/names", dir);
        char *want_json = xasprintf("%s/expected.json", dir);
        char *want_error = xasprintf("%s/expected-error", dir);
        char *bundle = make_tmpdir_named("cdi-apply");
        char *config = xasprintf("%s/config.json", bundle);
        copy_file(from, config);
        struct stat before;
        assert_int_equal(stat(config, &before), 0);

        const char *dirs[] = { etc, run, NULL };
        nvct_cdi_registry *reg = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdi_registry_load(dirs, &reg, &err), 0);
        size_t n;
        char **names = read_names(names_path, &n);
        nvct_cdi_edits edits = { 0 };
        bool error_case = access(want_error, F_OK) == 0;
        if (nvct_cdi_registry_resolve(reg, (const char *const *)names, n, &edits, &err) < 0) {
                if (!error_case && !updating())
                        fail_msg("%s: %s", name, err->msg);
                assert_null(edits.env); /* untouched */
                char *msg = replace_all(err->msg, dir, "@DIR@");
                char *line = xasprintf("%s\n", msg);
                expect_file(want_error, line, strlen(line));
                free(line);
                free(msg);
                nvct_error_free(&err);
        } else {
                assert_false(error_case);
                _cleanup_oci_edit_ nvct_oci_edit *e = NULL;
                assert_int_equal(nvct_oci_edit_load(bundle, &e, &err), 0);
                if (nvct_cdi_apply(e, &edits, &err) < 0 || nvct_oci_edit_write(e, &err) < 0)
                        fail_msg("%s: %s", name, err->msg);
                size_t len;
                char *got = slurp(config, &len);
                expect_file(want_json, got, len);
                free(got);
                nvct_cdi_edits_clear(&edits);
        }
        if (error_case) {
                /* Nothing applied: config.json is the same file. */
                struct stat after;
                assert_int_equal(stat(config, &after), 0);
                assert_int_equal(after.st_ino, before.st_ino);
        }
        free_names(names);
        nvct_cdi_registry_free(reg);
        remove_tree(bundle);
        free(bundle);
        free(config);
        free(dir);
        free(etc);
        free(run);
        free(from);
        free(names_path);
        free(want_json);
        free(want_error);
}

static void test_env_replace(void **state) {
        (void)state;
        run_case("env-replace");
}
static void test_device_nodes(void **state) {
        (void)state;
        need_host_nodes();
        run_case("device-nodes");
}
static void test_replace_existing(void **state) {
        (void)state;
        need_host_nodes();
        run_case("replace-existing");
}
static void test_mount_sorting(void **state) {
        (void)state;
        run_case("mount-sorting");
}
static void test_hooks(void **state) {
        (void)state;
        run_case("hooks");
}
static void test_additional_gids(void **state) {
        (void)state;
        run_case("additional-gids");
}
static void test_two_specs(void **state) {
        (void)state;
        run_case("two-specs");
}
static void test_override(void **state) {
        (void)state;
        run_case("override");
}
static void test_conflict(void **state) {
        (void)state;
        run_case("conflict");
}
static void test_unresolvable(void **state) {
        (void)state;
        run_case("unresolvable");
}

/* ---- config.json as Docker 20.10, Podman 4.3 and containerd 1.6 write it
 * (data/config-json: compact, Go's escapes, unknown members, number text Go
 * would not write) ---- */

static const struct fixture {
        const char *name;
        const char *old_hostname; /* "HOSTNAME=..." in process.env */
        /* What the edit inserts (the last occurrence): removed from the output, with
         * the hostname put back, the original's bytes remain. */
        const char *inserted[3];
} fixtures[] = {
        { "docker-20.10",
          "HOSTNAME=8d3a1c0e6f2b",
          { ",{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}",
            "\"devices\":[{\"path\":\"/dev/nvct-test\",\"type\":\"c\",\"major\":1,\"minor\":3}],",
            ",\"additionalGids\":[44,10]" } },
        { "podman-4.3",
          "HOSTNAME=5f1e2d3c4b5a",
          { "\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":"
            "\"rwm\"}],",
            "\"devices\":[{\"path\":\"/dev/nvct-test\",\"type\":\"c\",\"major\":1,\"minor\":3}],",
            ",44" } },
        { "containerd-1.6",
          "HOSTNAME=busybox",
          { ",{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}",
            ",{\"path\":\"/dev/nvct-test\",\"type\":\"c\",\"major\":1,\"minor\":3}", ",44" } },
};

/* A bundle holding a copy of fixture f; *ret_config its config.json. */
static char *fixture_bundle(const struct fixture *f, char **ret_config) {
        char *bundle = make_tmpdir_named("config-json");
        char *from = xasprintf("%s/%s.json", CONFIGS, f->name);
        *ret_config = xasprintf("%s/config.json", bundle);
        copy_file(from, *ret_config);
        free(from);
        return bundle;
}

/* Loaded and written with no edit, or with edits that change nothing: the
 * file is not rewritten (same inode, same mtime). */
static void test_config_json_untouched(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
                char *config;
                char *bundle = fixture_bundle(&fixtures[i], &config);
                struct stat before, after;
                assert_int_equal(stat(config, &before), 0);
                usleep(20000); /* a rewrite would show in the mtime */
                nvct_error *err = NULL;
                _cleanup_oci_edit_ nvct_oci_edit *e = NULL;
                assert_int_equal(nvct_oci_edit_load(bundle, &e, &err), 0);
                nvct_cdi_edits none = { 0 };
                assert_int_equal(nvct_cdi_apply(e, &none, &err), 0);
                /* The env entry already there, gid 10 already there (podman)
                 * or 0 (skipped). */
                nvct_cdi_edits same = { 0 };
                const char *hostname = fixtures[i].old_hostname;
                assert_int_equal(nvct_cdi_edits_add_env(&same, hostname, &err), 0);
                same.additional_gids = (uint32_t[]){ 0 };
                same.n_additional_gids = 1;
                assert_int_equal(nvct_cdi_apply(e, &same, &err), 0);
                same.additional_gids = NULL;
                same.n_additional_gids = 0;
                nvct_cdi_edits_clear(&same);
                assert_false(nvct_oci_edit_changed(e));
                assert_int_equal(nvct_oci_edit_write(e, &err), 0);
                assert_int_equal(stat(config, &after), 0);
                assert_int_equal(after.st_ino, before.st_ino);
                assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
                assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
                remove_tree(bundle);
                free(bundle);
                free(config);
        }
}

/* Edited: the expected file byte for byte, and every byte the edit did not
 * touch (escapes, number text, unknown members) as it was. */
static void test_config_json_edited(void **state) {
        (void)state;
        need_host_nodes();
        for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
                const struct fixture *f = &fixtures[i];
                char *config;
                char *bundle = fixture_bundle(f, &config);
                char *original = slurp(config, NULL);
                nvct_error *err = NULL;
                nvct_cdi_edits edits = { 0 };
                assert_int_equal(nvct_cdi_edits_add_env(&edits, "HOSTNAME=gpu-box", &err), 0);
                nvct_cdi_device_node node = { .path = "/dev/nvct-test", .host_path = "/dev/null" };
                assert_int_equal(nvct_cdi_edits_add_device_node(&edits, &node, &err), 0);
                edits.additional_gids = (uint32_t[]){ 44, 10 };
                edits.n_additional_gids = 2;
                _cleanup_oci_edit_ nvct_oci_edit *e = NULL;
                assert_int_equal(nvct_oci_edit_load(bundle, &e, &err), 0);
                if (nvct_cdi_apply(e, &edits, &err) < 0 || nvct_oci_edit_write(e, &err) < 0)
                        fail_msg("%s: %s", f->name, err->msg);
                edits.additional_gids = NULL;
                edits.n_additional_gids = 0;
                nvct_cdi_edits_clear(&edits);

                size_t len;
                char *got = slurp(config, &len);
                char *want_path = xasprintf("%s/%s.expected.json", CONFIGS, f->name);
                expect_file(want_path, got, len);
                if (!updating()) {
                        char *back = replace_all(got, "HOSTNAME=gpu-box", f->old_hostname);
                        for (size_t k = 0; k < 3 && f->inserted[k] != NULL; k++) {
                                /* The last one: an insertion appends. */
                                char *at = NULL;
                                for (char *p = back; (p = strstr(p, f->inserted[k])) != NULL; p++)
                                        at = p;
                                if (at == NULL)
                                        fail_msg("%s: %s not inserted", f->name, f->inserted[k]);
                                memmove(at, at + strlen(f->inserted[k]),
                                        strlen(at + strlen(f->inserted[k])) + 1);
                        }
                        assert_string_equal(back, original);
                        free(back);
                }
                free(want_path);
                free(got);
                free(original);
                remove_tree(bundle);
                free(bundle);
                free(config);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_env_replace),
                cmocka_unit_test(test_device_nodes),
                cmocka_unit_test(test_replace_existing),
                cmocka_unit_test(test_mount_sorting),
                cmocka_unit_test(test_hooks),
                cmocka_unit_test(test_additional_gids),
                cmocka_unit_test(test_two_specs),
                cmocka_unit_test(test_override),
                cmocka_unit_test(test_conflict),
                cmocka_unit_test(test_unresolvable),
                cmocka_unit_test(test_config_json_untouched),
                cmocka_unit_test(test_config_json_edited),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
