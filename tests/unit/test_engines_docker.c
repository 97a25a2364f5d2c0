/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for engines/: docker's daemon.json edit against the golden
 * cases in data/engines/docker/ (every case also run twice: the second run
 * must give the same bytes), the layout detection, document's indented JSON
 * writer, the file replace that keeps mode and owner and skips equal bytes,
 * and the hooks.d file. */
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
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/file.h"
#include "document/document.h"
#include "engines/docker.h"
#include "engines/file.h"
#include "engines/ocihook.h"

#define CASES TEST_SRCDIR "/data/engines/docker"

/* The file's bytes (NUL-terminated), or NULL when it does not exist. */
/* opts: words "default", "cdi", "name=N", "path=P". */
static void parse_opts(char *text, nvct_docker_options *opts) {
        *opts = (nvct_docker_options){ .runtime_name = "nvidia",
                                       .runtime_path = "nvidia-container-runtime" };
        for (char *save = NULL, *w = strtok_r(text, " \n", &save); w != NULL;
             w = strtok_r(NULL, " \n", &save)) {
                if (strcmp(w, "default") == 0)
                        opts->set_as_default = true;
                else if (strcmp(w, "cdi") == 0)
                        opts->enable_cdi = true;
                else if (strncmp(w, "name=", 5) == 0)
                        opts->runtime_name = w + 5;
                else if (strncmp(w, "path=", 5) == 0)
                        opts->runtime_path = w + 5;
                else
                        fail_msg("unknown option word \"%s\"", w);
        }
}

static void run_case(const char *name) {
        _cleanup_free_ char *dir = xasprintf("%s/%s", CASES, name);
        _cleanup_free_ char *opts_path = xasprintf("%s/opts", dir);
        _cleanup_free_ char *in_path = xasprintf("%s/in.json", dir);
        _cleanup_free_ char *out_path = xasprintf("%s/out.json", dir);
        _cleanup_free_ char *error_path = xasprintf("%s/error", dir);
        _cleanup_free_ char *opts_text = slurp_file(opts_path, NULL);
        assert_non_null(opts_text);
        nvct_docker_options opts;
        parse_opts(opts_text, &opts);
        size_t in_len = 0, want_len = 0, got_len = 0;
        _cleanup_free_ char *in = slurp_file(in_path, &in_len);
        _cleanup_free_ char *want = slurp_file(out_path, &want_len);
        _cleanup_free_ char *want_error = slurp_file(error_path, NULL);
        assert_true((want == NULL) != (want_error == NULL));
        _cleanup_free_ char *got = NULL;
        nvct_error *err = NULL;
        int r = nvct_docker_configure(in, in_len, "daemon.json", &opts, &got, &got_len, &err);
        if (want_error != NULL) {
                want_error[strcspn(want_error, "\n")] = '\0';
                _cleanup_free_ char *full = xasprintf("\"daemon.json\": %s", want_error);
                if (r == 0)
                        fail_msg("case %s: succeeded, expected \"%s\"", name, full);
                assert_string_equal(err->msg, full);
                assert_null(got);
                nvct_error_free(&err);
                return;
        }
        if (r < 0)
                fail_msg("case %s: %s", name, err->msg);
        if (got_len != want_len || memcmp(got, want, got_len) != 0)
                fail_msg("case %s: got\n%s\nexpected\n%s", name, got, want);
        /* Idempotent: the output configured again is the output. */
        _cleanup_free_ char *again = NULL;
        size_t again_len = 0;
        assert_int_equal(
                nvct_docker_configure(got, got_len, "daemon.json", &opts, &again, &again_len, &err),
                0);
        assert_int_equal(again_len, got_len);
        assert_memory_equal(again, got, got_len);
}

static void test_golden(void **state) {
        (void)state;
        /* The cases are there: an empty folder must not pass. */
        assert_true(run_golden_cases(CASES, run_case) >= 20);
}

static void test_detect_indent(void **state) {
        (void)state;
        char buf[17];
        assert_string_equal(nvct_docker_detect_indent("{\n\t\"a\": 1\n}", 11, buf), "\t");
        assert_string_equal(nvct_docker_detect_indent("\n {\r\n\n   \"a\": 1}", 16, buf), "   ");
        assert_null(nvct_docker_detect_indent("{\"a\":\n  1}", 10, buf));
        assert_null(nvct_docker_detect_indent(" { \"a\": 1 }", 11, buf));
        assert_string_equal(nvct_docker_detect_indent("{\n\n}", 4, buf), "    ");
        assert_string_equal(nvct_docker_detect_indent("{}", 2, buf), "    ");
        assert_string_equal(nvct_docker_detect_indent("{\n\"a\": 1}", 9, buf), "");
        /* A huge indentation is cut: one level is at most 16 bytes. */
        const char *wide = "{\n                                  \"a\": 1}";
        assert_int_equal(strlen(nvct_docker_detect_indent(wide, strlen(wide), buf)), 16);
        assert_null(nvct_docker_detect_indent("   ", 3, buf));
        assert_null(nvct_docker_detect_indent("{", 1, buf));
}

static void test_write_json_indent(void **state) {
        (void)state;
        static const char in[] =
                "{\"e\":{},\"a\":[],\"n\":[1,[2,{}]],\"s\":\"\\u0001\\n\\\"/\\u00e9\","
                "\"x\":null,\"t\":true,\"f\":false,\"num\":-1.5E+3}";
        _cleanup_document_ nvct_document_node *root = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_document_parse(in, sizeof(in) - 1, NVCT_DOCUMENT_JSON, NULL, NULL,
                                             &root, &err),
                         0);
        _cleanup_free_ char *out = NULL, *compact = NULL, *plain = NULL;
        size_t len = 0, clen = 0, plen = 0;
        assert_int_equal(nvct_document_write_json_indent(root, "\t", &out, &len, &err), 0);
        assert_string_equal(out,
                            "{\n\t\"e\": {},\n\t\"a\": [],\n\t\"n\": [\n\t\t1,\n\t\t[\n\t\t\t2,"
                            "\n\t\t\t{}\n\t\t]\n\t],\n\t\"s\": \"\\u0001\\n\\\"/\xc3\xa9\",\n\t"
                            "\"x\": null,\n\t\"t\": true,\n\t\"f\": false,\n\t\"num\": -1.5E+3\n}");
        assert_int_equal(len, strlen(out));
        /* NULL: compact, byte for byte what nvct_document_write writes. */
        assert_int_equal(nvct_document_write_json_indent(root, NULL, &compact, &clen, &err), 0);
        assert_int_equal(nvct_document_write(root, NVCT_DOCUMENT_JSON, 0, &plain, &plen, &err), 0);
        assert_string_equal(compact, plain);
        /* The indented form reads back as the same tree. */
        _cleanup_document_ nvct_document_node *back = NULL;
        assert_int_equal(nvct_document_parse(out, len, NVCT_DOCUMENT_JSON, NULL, NULL, &back, &err),
                         0);
        assert_true(nvct_document_equal(root, back));
}

static void test_write_json_indent_depth(void **state) {
        (void)state;
        nvct_document_node *root = nvct_document_new_array(), *at = root;
        for (int i = 0; i < NVCT_DOCUMENT_MAX_WRITE_DEPTH + 1; i++) {
                nvct_document_node *next = nvct_document_new_array();
                assert_int_equal(nvct_document_array_append(at, next, &at, NULL), 0);
        }
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        nvct_error *err = NULL;
        assert_int_equal(nvct_document_write_json_indent(root, "  ", &out, &len, &err), -1);
        assert_contains(err->msg, "nested deeper than");
        assert_null(out);
        nvct_error_free(&err);
        nvct_document_free(root);
}

static void write_text(const char *path, const char *text, mode_t mode) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        assert_true(fd >= 0);
        assert_int_equal(nvct_write_all(fd, text, strlen(text)), 0);
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
}

static void test_file_update(void **state) {
        (void)state;
        _cleanup_free_ char *dir = make_tmpdir_named("engines");
        _cleanup_free_ char *path = xasprintf("%s/daemon.json", dir);
        write_text(path, "{}\n", 0600);
        bool root = geteuid() == 0;
        if (root)
                assert_int_equal(chown(path, 1234, 4321), 0);
        struct stat before, after;
        assert_int_equal(stat(path, &before), 0);
        nvct_engine_file f = { 0 };
        nvct_error *err = NULL;
        assert_int_equal(nvct_engine_file_read(path, "docker config", 1024, &f, &err), 0);
        assert_true(f.exists);
        assert_int_equal(f.mode, 0600);
        assert_string_equal(f.data, "{}\n");
        /* Equal bytes: nothing written, the very same file stays. */
        bool changed = true;
        assert_int_equal(nvct_engine_file_update(path, &f, "{}\n", 3, &changed, &err), 0);
        assert_false(changed);
        assert_int_equal(stat(path, &after), 0);
        assert_int_equal(after.st_ino, before.st_ino);
        /* New bytes: replaced (a new inode), mode and owner kept. */
        assert_int_equal(nvct_engine_file_update(path, &f, "{\"a\":1}\n", 8, &changed, &err), 0);
        assert_true(changed);
        assert_int_equal(stat(path, &after), 0);
        assert_int_not_equal(after.st_ino, before.st_ino);
        assert_int_equal(after.st_mode & 07777, 0600);
        assert_int_equal(after.st_uid, before.st_uid);
        assert_int_equal(after.st_gid, before.st_gid);
        if (root)
                assert_int_equal(after.st_uid, 1234);
        _cleanup_free_ char *text = slurp_file(path, NULL);
        assert_string_equal(text, "{\"a\":1}\n");
        nvct_engine_file_clear(&f);
        assert_null(f.data);

        /* A missing file: created 0644, its folders made. */
        _cleanup_free_ char *deep = xasprintf("%s/etc/docker/daemon.json", dir);
        assert_int_equal(nvct_engine_file_read(deep, "docker config", 1024, &f, &err), 0);
        assert_false(f.exists);
        assert_null(f.data);
        mode_t old_mask = umask(077);
        assert_int_equal(nvct_engine_file_update(deep, &f, "{}\n", 3, &changed, &err), 0);
        umask(old_mask);
        assert_true(changed);
        assert_int_equal(stat(deep, &after), 0);
        assert_int_equal(after.st_mode & 07777, 0644);
        remove_tree(dir);
}

static void test_file_symlink(void **state) {
        (void)state;
        _cleanup_free_ char *dir = make_tmpdir_named("engines");
        _cleanup_free_ char *real_dir = xasprintf("%s/managed", dir);
        _cleanup_free_ char *real = xasprintf("%s/daemon.json", real_dir);
        _cleanup_free_ char *link = xasprintf("%s/daemon.json", dir);
        assert_int_equal(mkdir(real_dir, 0755), 0);
        write_text(real, "{}", 0640);
        assert_int_equal(symlink("managed/daemon.json", link), 0);
        nvct_engine_file f = { 0 };
        nvct_error *err = NULL;
        assert_int_equal(nvct_engine_file_read(link, "docker config", 1024, &f, &err), 0);
        assert_int_equal(f.mode, 0640);
        assert_int_equal(nvct_engine_file_update(link, &f, "{\"a\":1}", 7, NULL, &err), 0);
        nvct_engine_file_clear(&f);
        /* The link stays a link; its target has the new bytes, its mode. */
        struct stat st;
        assert_int_equal(lstat(link, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        assert_int_equal(stat(real, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        _cleanup_free_ char *text = slurp_file(real, NULL);
        assert_string_equal(text, "{\"a\":1}");
        remove_tree(dir);
}

static void test_file_refused(void **state) {
        (void)state;
        _cleanup_free_ char *dir = make_tmpdir_named("engines");
        _cleanup_free_ char *fifo = xasprintf("%s/fifo", dir);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        nvct_engine_file f = { 0 };
        nvct_error *err = NULL;
        /* O_NONBLOCK: a FIFO is refused, not waited on. */
        assert_true(nvct_engine_file_read(fifo, "docker config", 1024, &f, &err) < 0);
        assert_contains(err->msg, "docker config");
        nvct_error_free(&err);
        _cleanup_free_ char *big = xasprintf("%s/big", dir);
        write_text(big, "{\"padding\": \"0123456789\"}", 0644);
        assert_true(nvct_engine_file_read(big, "docker config", 8, &f, &err) < 0);
        nvct_error_free(&err);
        /* A non-root writer cannot give a file to someone else: the write
         * fails and the file stays. */
        if (geteuid() != 0) {
                _cleanup_free_ char *path = xasprintf("%s/daemon.json", dir);
                write_text(path, "{}", 0644);
                nvct_engine_file other = { .exists = true,
                                           .data = (char *)"x",
                                           .len = 1,
                                           .mode = 0644,
                                           .uid = 0,
                                           .gid = 0 };
                assert_true(nvct_engine_file_update(path, &other, "{1}", 3, NULL, &err) < 0);
                nvct_error_free(&err);
                _cleanup_free_ char *text = slurp_file(path, NULL);
                assert_string_equal(text, "{}");
        }
        remove_tree(dir);
}

static void test_ocihook(void **state) {
        (void)state;
        _cleanup_free_ char *out = NULL, *other = NULL;
        size_t len = 0;
        nvct_error *err = NULL;
        assert_int_equal(
                nvct_ocihook_generate("/usr/bin/nvidia-container-runtime-hook", &out, &len, &err),
                0);
        assert_string_equal(out, "{\n"
                                 "  \"version\": \"1.0.0\",\n"
                                 "  \"hook\": {\n"
                                 "    \"path\": \"/usr/bin/nvidia-container-runtime-hook\",\n"
                                 "    \"args\": [\n"
                                 "      \"nvidia-container-runtime-hook\",\n"
                                 "      \"prestart\"\n"
                                 "    ],\n"
                                 "    \"env\": [\n"
                                 "      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                                 "/sbin:/bin\"\n"
                                 "    ]\n"
                                 "  },\n"
                                 "  \"when\": {\n"
                                 "    \"always\": true,\n"
                                 "    \"commands\": [\n"
                                 "      \".*\"\n"
                                 "    ]\n"
                                 "  },\n"
                                 "  \"stages\": [\n"
                                 "    \"prestart\"\n"
                                 "  ]\n"
                                 "}\n");
        assert_int_equal(len, strlen(out));
        /* A hook outside the system folders: its folder joins PATH. */
        assert_int_equal(nvct_ocihook_generate("/opt/nvct/bin/hook", &other, &len, &err), 0);
        assert_contains(other, "/sbin:/bin:/opt/nvct/bin\"");
        assert_contains(other, "\"args\": [\n      \"hook\",");
        char *none = NULL;
        assert_true(nvct_ocihook_generate("bin/hook", &none, &len, &err) < 0);
        assert_contains(err->msg, "not an absolute path");
        assert_null(none);
        nvct_error_free(&err);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_detect_indent),
                cmocka_unit_test(test_write_json_indent),
                cmocka_unit_test(test_write_json_indent_depth),
                cmocka_unit_test(test_file_update),
                cmocka_unit_test(test_file_symlink),
                cmocka_unit_test(test_file_refused),
                cmocka_unit_test(test_ocihook),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
