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

/* ---- the registry, beyond the golden cases ---- */

static char **env_of(const nvct_cdi_edits *e) {
        return e->env;
}

/* A spec made in memory (jit-cdi) overrides the directories, even a name
 * they left out for a conflict; it is named in messages. */
static void test_in_memory_spec(void **state) {
        (void)state;
        char *etc = xasprintf("%s/conflict/etc", CASES);
        const char *dirs[] = { etc, NULL };
        nvct_cdi_registry *reg = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdi_registry_load(dirs, &reg, &err), 0);

        nvct_cdi_spec spec = { .kind = strdup("nvidia.com/gpu") };
        nvct_cdi_device *d;
        assert_int_equal(nvct_cdi_spec_add_device(&spec, "0", &d, &err), 0);
        assert_int_equal(nvct_cdi_edits_add_env(&d->edits, "JIT=0", &err), 0);
        assert_int_equal(nvct_cdi_edits_add_env(&spec.edits, "JIT_SPEC=1", &err), 0);
        assert_int_equal(nvct_cdi_registry_add_spec(reg, &spec, "generated for jit-cdi", &err), 0);
        assert_null(spec.kind); /* taken over */

        const char *names[] = { "nvidia.com/gpu=0", "nvidia.com/gpu=1" };
        nvct_cdi_edits edits = { 0 };
        assert_int_equal(nvct_cdi_registry_resolve(reg, names, 2, &edits, &err), 0);
        assert_int_equal(edits.n_env, 3);
        assert_string_equal(env_of(&edits)[0], "JIT_SPEC=1");
        assert_string_equal(env_of(&edits)[1], "JIT=0");
        assert_string_equal(env_of(&edits)[2], "A=1");
        nvct_cdi_edits_clear(&edits);

        const char *missing[] = { "nvidia.com/gpu=7" };
        assert_int_equal(nvct_cdi_registry_resolve(reg, missing, 1, &edits, &err), -1);
        char *want = xasprintf("unresolvable CDI devices \"nvidia.com/gpu=7\" (searched \"%s\", "
                               "the spec generated for jit-cdi; \"%s/b.yaml\": device "
                               "\"nvidia.com/gpu=0\" is also defined by \"%s/a.yaml\": left out)",
                               etc, etc, etc);
        assert_string_equal(err->msg, want);
        free(want);
        nvct_error_free(&err);

        /* An invalid spec is refused, and emptied all the same. */
        nvct_cdi_spec bad = { .kind = strdup("not a kind") };
        assert_int_equal(nvct_cdi_spec_add_device(&bad, "0", &d, &err), 0);
        assert_int_equal(nvct_cdi_edits_add_env(&d->edits, "X=1", &err), 0);
        assert_int_equal(nvct_cdi_registry_add_spec(reg, &bad, "generated for jit-cdi", &err), -1);
        assert_contains(err->msg, "the CDI spec generated for jit-cdi: ");
        assert_contains(err->msg, "\"not a kind\"");
        assert_null(bad.kind);
        nvct_error_free(&err);
        nvct_cdi_registry_free(reg);
        free(etc);
}

static void test_resolve_messages(void **state) {
        (void)state;
        nvct_cdi_registry *reg = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdi_registry_load(NULL, &reg, &err), 0);
        nvct_cdi_edits edits = { 0 };
        /* No names: nothing to do. */
        assert_int_equal(nvct_cdi_registry_resolve(reg, NULL, 0, &edits, &err), 0);
        assert_null(edits.env);
        const char *one[] = { "a.com/b=c" };
        assert_int_equal(nvct_cdi_registry_resolve(reg, one, 1, &edits, &err), -1);
        assert_string_equal(
                err->msg, "unresolvable CDI devices \"a.com/b=c\" (searched no spec directories)");
        nvct_error_free(&err);

        /* 40 names: 32 shown, the rest counted. */
        char *names[40];
        for (int i = 0; i < 40; i++)
                names[i] = xasprintf("v.com/c=d%d", i);
        assert_int_equal(
                nvct_cdi_registry_resolve(reg, (const char *const *)names, 40, &edits, &err), -1);
        assert_contains(err->msg, "\"v.com/c=d31\" and 8 more (searched");
        assert_null(strstr(err->msg, "d32"));
        assert_null(strchr(err->msg, '\n'));
        nvct_error_free(&err);
        for (int i = 0; i < 40; i++)
                free(names[i]);
        nvct_cdi_registry_free(reg);
}

/* Security: what one walk loads is bounded; what is over the bound is a
 * problem, named when a name does not resolve. */
static void test_registry_bounds(void **state) {
        (void)state;
        char *dir = make_tmpdir_named("cdi-bounds");
        for (int i = 0; i <= NVCT_CDI_REGISTRY_MAX_FILES; i++) {
                char *path = xasprintf("%s/s%04d.yaml", dir, i);
                char *text = xasprintf("cdiVersion: 0.5.0\nkind: v.com/c\ndevices:\n- name: d%d\n"
                                       "  containerEdits:\n    env: [A=%d]\n",
                                       i, i);
                spit(path, text, strlen(text));
                free(path);
                free(text);
        }
        const char *dirs[] = { dir, NULL };
        nvct_cdi_registry *reg = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdi_registry_load(dirs, &reg, &err), 0);
        nvct_cdi_edits edits = { 0 };
        const char *first[] = { "v.com/c=d0" };
        assert_int_equal(nvct_cdi_registry_resolve(reg, first, 1, &edits, &err), 0);
        assert_string_equal(edits.env[0], "A=0");
        nvct_cdi_edits_clear(&edits);
        char *name = xasprintf("v.com/c=d%d", NVCT_CDI_REGISTRY_MAX_FILES);
        const char *last[] = { name };
        assert_int_equal(nvct_cdi_registry_resolve(reg, last, 1, &edits, &err), -1);
        char *want = xasprintf("\"%s/s%04d.yaml\": left out, with every spec file after it: more "
                               "than 1024 spec files)",
                               dir, NVCT_CDI_REGISTRY_MAX_FILES);
        assert_contains(err->msg, want);
        free(want);
        free(name);
        nvct_error_free(&err);
        nvct_cdi_registry_free(reg);
        remove_tree(dir);
        free(dir);
}

/* ---- apply, beyond the golden cases ---- */

static char *apply_bundle(const char *config_text) {
        char *bundle = make_tmpdir_named("cdi-apply-errors");
        char *config = xasprintf("%s/config.json", bundle);
        spit(config, config_text, strlen(config_text));
        free(config);
        return bundle;
}

/* Applies one device node, a hook or an env entry to a fresh config and
 * returns the error message (NULL on success, with *ret_out the file). */
static char *apply_one(const char *config_text, const nvct_cdi_edits *edits, char **ret_out) {
        char *bundle = apply_bundle(config_text);
        nvct_error *err = NULL;
        _cleanup_oci_edit_ nvct_oci_edit *e = NULL;
        assert_int_equal(nvct_oci_edit_load(bundle, &e, &err), 0);
        char *msg = NULL;
        if (nvct_cdi_apply(e, edits, &err) < 0) {
                msg = strdup(err->msg);
                nvct_error_free(&err);
        } else {
                assert_int_equal(nvct_oci_edit_write(e, &err), 0);
                char *config = xasprintf("%s/config.json", bundle);
                *ret_out = slurp(config, NULL);
                free(config);
        }
        remove_tree(bundle);
        free(bundle);
        return msg;
}

static char *apply_node(const char *config_text, const nvct_cdi_device_node *node, char **ret_out) {
        nvct_cdi_edits edits = { .device_nodes = (nvct_cdi_device_node *)node,
                                 .n_device_nodes = 1 };
        return apply_one(config_text, &edits, ret_out);
}

static void test_apply_device_errors(void **state) {
        (void)state;
        need_host_nodes();
        const char *cfg = "{\"process\":{\"user\":{\"uid\":0}}}";
        char *out = NULL, *msg;

        /* "none": an allow rule with no access member. */
        nvct_cdi_device_node none = { .path = "/dev/null", .permissions = "none" };
        assert_null(apply_node(cfg, &none, &out));
        assert_contains(out, "\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"c\","
                             "\"major\":1,\"minor\":3}]}");
        free(out);

        nvct_cdi_device_node wrong_type = { .path = "/dev/null", .type = "b" };
        msg = apply_node(cfg, &wrong_type, &out);
        assert_string_equal(msg, "CDI device node \"/dev/null\": type b, but host device "
                                 "\"/dev/null\" is c");
        free(msg);

        nvct_cdi_device_node missing = { .path = "/dev/x", .host_path = "/nonexistent/x" };
        msg = apply_node(cfg, &missing, &out);
        assert_string_equal(msg, "CDI device node \"/dev/x\": failed to stat host device "
                                 "\"/nonexistent/x\": No such file or directory");
        free(msg);

        nvct_cdi_device_node regular = { .path = "/dev/x", .host_path = "/etc/passwd" };
        msg = apply_node(cfg, &regular, &out);
        assert_string_equal(msg, "CDI device node \"/dev/x\": host device \"/etc/passwd\": not a "
                                 "device node");
        free(msg);

        nvct_cdi_device_node perms = { .path = "/dev/null", .permissions = "rwx" };
        msg = apply_node(cfg, &perms, &out);
        assert_string_equal(msg, "CDI device node \"/dev/null\": invalid permissions (r, w and m, "
                                 "or none) \"rwx\"");
        free(msg);

        /* The uid default reads process.user.uid as Go would. */
        nvct_cdi_device_node plain = { .path = "/dev/null" };
        msg = apply_node("{\"process\":{\"user\":{\"uid\":1e3}}}", &plain, &out);
        assert_contains(msg, "process.user.uid: \"1e3\" is not a 32-bit unsigned integer");
        assert_contains(msg, "CDI device node \"/dev/null\"");
        free(msg);
        msg = apply_node("{\"process\":{\"user\":{\"uid\":4294967296}}}", &plain, &out);
        assert_contains(msg, "\"4294967296\" is not a 32-bit unsigned integer");
        free(msg);
        /* Its own uid and gid: process.user is not read. */
        nvct_cdi_device_node own = { .path = "/dev/null", .has_uid = true, .has_gid = true };
        assert_null(apply_node("{\"process\":{\"user\":{\"uid\":\"x\"}}}", &own, &out));
        assert_contains(out, "\"uid\":0,\"gid\":0}");
        free(out);
}

static void test_apply_edit_errors(void **state) {
        (void)state;
        const char *cfg = "{\"process\":{\"env\":[\"A=1\"]}}";
        char *out = NULL, *msg;
        char *bad_env[] = { "A=2", "NOEQ" };
        nvct_cdi_edits env = { .env = bad_env, .n_env = 2 };
        msg = apply_one(cfg, &env, &out);
        assert_string_equal(msg, "CDI env: invalid environment variable \"NOEQ\"");
        free(msg);

        nvct_cdi_hook hook = { .hook_name = "bogus", .path = "/bin/true" };
        nvct_cdi_edits hooks = { .hooks = &hook, .n_hooks = 1 };
        msg = apply_one(cfg, &hooks, &out);
        assert_string_equal(msg, "CDI hook: invalid hook name \"bogus\"");
        free(msg);

        nvct_cdi_mount mount = { .host_path = "", .container_path = "/x" };
        nvct_cdi_edits mounts = { .mounts = &mount, .n_mounts = 1 };
        msg = apply_one(cfg, &mounts, &out);
        assert_string_equal(msg, "CDI mount \"/x\": an empty host path");
        free(msg);

        /* The same mount twice: replaced, not added again. */
        nvct_cdi_mount twice[] = { { .host_path = "/a", .container_path = "/x/y" },
                                   { .host_path = "/b", .container_path = "/x/y" } };
        nvct_cdi_edits two = { .mounts = twice, .n_mounts = 2 };
        assert_null(apply_one(cfg, &two, &out));
        assert_string_equal(out, "{\"process\":{\"env\":[\"A=1\"]},\"mounts\":[{\"destination\":"
                                 "\"/x/y\",\"source\":\"/b\"}]}");
        free(out);
}

/* Putting what is already the last entry changes nothing: applying the
 * same device or mount again does not rewrite config.json. */
static void test_put_unchanged(void **state) {
        (void)state;
        char *bundle = apply_bundle("{\"mounts\":[{\"destination\":\"/a/b\"},{\"destination\":"
                                    "\"/m\",\"source\":\"/s\"}],\"linux\":{\"devices\":[{\"path\":"
                                    "\"/dev/a\",\"type\":\"c\",\"major\":1,\"minor\":2}]}}");
        nvct_error *err = NULL;
        _cleanup_oci_edit_ nvct_oci_edit *e = NULL;
        assert_int_equal(nvct_oci_edit_load(bundle, &e, &err), 0);
        nvct_oci_device dev = {
                .path = "/dev/a",
                .type = 'c',
                .major = 1,
                .minor = 2,
                .file_mode = -1,
                .uid = -1,
                .gid = -1,
        };
        assert_int_equal(nvct_oci_edit_put_device(e, &dev, &err), 0);
        nvct_oci_mount m = { .destination = "/m", .source = "/s" };
        assert_int_equal(nvct_oci_edit_put_mount(e, &m, &err), 0);
        assert_false(nvct_oci_edit_changed(e));
        /* Out of depth order: sorting moves /m first. */
        assert_int_equal(nvct_oci_edit_sort_mounts(e, &err), 0);
        assert_true(nvct_oci_edit_changed(e));
        dev.minor = 3;
        assert_int_equal(nvct_oci_edit_put_device(e, &dev, &err), 0);
        bool removed;
        assert_int_equal(nvct_oci_edit_remove_mount(e, "/nowhere", &removed, &err), 0);
        assert_false(removed);
        assert_int_equal(nvct_oci_edit_remove_device(e, "/dev/none", &removed, &err), 0);
        assert_false(removed);
        assert_int_equal(nvct_oci_edit_write(e, &err), 0);
        char *config = xasprintf("%s/config.json", bundle);
        char *out = slurp(config, NULL);
        assert_string_equal(out, "{\"mounts\":[{\"destination\":\"/m\",\"source\":\"/s\"},{"
                                 "\"destination\":\"/a/b\"}],\"linux\":{\"devices\":[{\"path\":"
                                 "\"/dev/a\",\"type\":\"c\",\"major\":1,\"minor\":3}]}}");
        free(out);
        free(config);
        remove_tree(bundle);
        free(bundle);
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
                cmocka_unit_test(test_in_memory_spec),
                cmocka_unit_test(test_resolve_messages),
                cmocka_unit_test(test_registry_bounds),
                cmocka_unit_test(test_apply_device_errors),
                cmocka_unit_test(test_apply_edit_errors),
                cmocka_unit_test(test_put_unchanged),
                cmocka_unit_test(test_config_json_untouched),
                cmocka_unit_test(test_config_json_edited),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
