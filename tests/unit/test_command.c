/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the command: the rootfs path, the PATH the CLI is searched
 * in, the lookup itself, the argument order and the CLI's environment. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hook/command.h"
#include "policy/decision.h"
#include "basic/error.h"
#include "config/hookconfig.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- helpers ---- */

static char *xstrdup(const char *s) {
        char *d = strdup(s);
        assert_non_null(d);
        return d;
}

static void assert_strv_equal(char *const *actual, size_t n, const char *const *expected) {
        size_t m = 0;
        while (expected[m] != NULL)
                m++;
        for (size_t i = 0; i < n || i < m; i++) {
                const char *a = i < n && actual != NULL ? actual[i] : "(missing)";
                const char *e = i < m ? expected[i] : "(none)";
                if (i >= n || i >= m || strcmp(a, e) != 0) {
                        print_error("element %zu: expected \"%s\", got \"%s\"\n", i, e, a);
                        for (size_t j = 0; j < n; j++)
                                print_error("  actual[%zu] = %s\n", j, actual[j]);
                        fail();
                }
        }
        assert_int_equal(n, m);
        if (actual != NULL)
                assert_null(actual[n]);
        else
                assert_int_equal(n, 0);
}

/* A request with the given devices and capabilities. */
static void request_init(nvct_request *req, const char *devices, const char *caps) {
        *req = (nvct_request){ .gpu_container = true };
        req->devices = xstrdup(devices);
        req->devices_len = strlen(devices);
        req->driver_capabilities = xstrdup(caps);
        req->driver_capabilities_len = strlen(caps);
}

static void request_add_requirement(nvct_request *req, const char *value, size_t len) {
        nvct_requirement *r = realloc(req->requirements, (req->n_requirements + 1) * sizeof(*r));
        assert_non_null(r);
        req->requirements = r;
        char *v = malloc(len + 1);
        assert_non_null(v);
        memcpy(v, value, len);
        v[len] = '\0';
        r[req->n_requirements++] = (nvct_requirement){
                .value = v,
                .value_len = len,
                .origin = xstrdup("NVIDIA_REQUIRE_TEST"),
                .origin_len = strlen("NVIDIA_REQUIRE_TEST"),
        };
}

/* A config whose CLI path is set, so that nothing is searched. */
static void config_with_path(nvct_hook_config *c, const char *path) {
        nvct_hook_config_init_defaults(c);
        c->cli.path = xstrdup(path);
}

static int build(const nvct_hook_config *c, const nvct_request *req, int64_t pid, bool debug,
                 char *const *env, nvct_command *cmd, nvct_error **err) {
        nvct_command_input in = {
                .config = c,
                .request = req,
                .pid = pid,
                .rootfs = "/rootfs",
                .debug = debug,
                .environ = env,
        };
        *cmd = (nvct_command){ 0 };
        return nvct_command_build(&in, cmd, err);
}

static void build_ok(const nvct_hook_config *c, const nvct_request *req, int64_t pid, bool debug,
                     char *const *env, nvct_command *cmd) {
        nvct_error *err = NULL;
        int r = build(c, req, pid, debug, env, cmd, &err);
        if (r < 0) {
                print_error("unexpected failure: %s\n", err->msg);
                nvct_error_free(&err);
                fail();
        }
        assert_int_equal(r, 0);
        assert_null(err);
        assert_non_null(cmd->argv);
        /* An empty environment may be NULL (exec then passes an empty one). */
        if (cmd->envc > 0)
                assert_non_null(cmd->envp);
}

static char *build_fails(const nvct_hook_config *c, const nvct_request *req) {
        nvct_error *err = NULL;
        nvct_command cmd;
        static char *const no_env[] = { NULL };
        int r = build(c, req, 1, false, no_env, &cmd, &err);
        if (r >= 0) {
                print_error("command unexpectedly built\n");
                nvct_command_clear(&cmd);
                fail();
        }
        assert_int_equal(r, -1);
        assert_non_null(err);
        assert_null(cmd.argv);
        char *msg = xstrdup(err->msg);
        nvct_error_free(&err);
        return msg;
}

static void expect_argv(const nvct_hook_config *c, const nvct_request *req, int64_t pid, bool debug,
                        const char *const *expected) {
        static char *const no_env[] = { NULL };
        nvct_command cmd;
        build_ok(c, req, pid, debug, no_env, &cmd);
        assert_strv_equal(cmd.argv, cmd.argc, expected);
        nvct_command_clear(&cmd);
}

/* A scratch directory, removed with everything in it. */
static char *make_tmpdir(void) {
        char *dir = xstrdup("/tmp/nvct-test-command-XXXXXX");
        assert_non_null(mkdtemp(dir));
        /* Resolved, so that getcwd() agrees with it. */
        char *real = realpath(dir, NULL);
        assert_non_null(real);
        free(dir);
        return real;
}

static void make_dir(const char *path) {
        char *cmd = xasprintf("mkdir -p '%s'", path);
        assert_int_equal(system(cmd), 0);
        free(cmd);
}

static void make_file(const char *path, mode_t mode) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
        assert_int_equal(close(fd), 0);
        assert_int_equal(chmod(path, mode), 0);
}

/* Saves and restores PATH around a test. */
typedef struct saved_env {
        char *path;
} saved_env;

static void save_path(saved_env *s) {
        const char *p = getenv("PATH");
        s->path = p ? xstrdup(p) : NULL;
}

static void restore_path(saved_env *s) {
        if (s->path != NULL)
                assert_int_equal(setenv("PATH", s->path, 1), 0);
        else
                unsetenv("PATH");
        free(s->path);
        s->path = NULL;
}

/* ---- rootfs ---- */

static void rootfs_ok(const char *in, size_t len, const char *expected) {
        nvct_error *err = NULL;
        char *out = NULL;
        int r = nvct_rootfs_path(in, len, &out, &err);
        if (r < 0) {
                print_error("unexpected failure: %s\n", err->msg);
                nvct_error_free(&err);
                fail();
        }
        assert_null(err);
        assert_non_null(out);
        assert_string_equal(out, expected);
        free(out);
}

static void test_rootfs_absolute(void **state) {
        (void)state;
        rootfs_ok("/a/b/../c/", 10, "/a/c");
        rootfs_ok("/", 1, "/");
        rootfs_ok("//x//y/.", 8, "/x/y");
        rootfs_ok("/..", 3, "/");
        rootfs_ok("/var/lib/docker/overlay2/abc/merged", 35, "/var/lib/docker/overlay2/abc/merged");
}

static void test_rootfs_relative(void **state) {
        (void)state;
        char *old_cwd = getcwd(NULL, 0);
        assert_non_null(old_cwd);
        const char *old_pwd_env = getenv("PWD");
        char *old_pwd = old_pwd_env ? xstrdup(old_pwd_env) : NULL;

        char *tmp = make_tmpdir();
        char *real = xasprintf("%s/bundle", tmp);
        char *link = xasprintf("%s/link", tmp);
        make_dir(real);
        assert_int_equal(symlink(real, link), 0);
        assert_int_equal(chdir(real), 0);

        /* $PWD names some other directory: getcwd() is used. */
        assert_int_equal(setenv("PWD", "/", 1), 0);
        char *expected = xasprintf("%s/rootfs", real);
        rootfs_ok("rootfs", 6, expected);
        rootfs_ok("./a/../rootfs/", 14, expected);
        free(expected);
        rootfs_ok("", 0, real);
        expected = xasprintf("%s/x", tmp);
        rootfs_ok("../x", 4, expected);
        free(expected);

        /* $PWD names the working directory through a symlink: os.Getwd keeps
         * it, and so does the rootfs. */
        assert_int_equal(setenv("PWD", link, 1), 0);
        expected = xasprintf("%s/rootfs", link);
        rootfs_ok("rootfs", 6, expected);
        free(expected);

        assert_int_equal(chdir(old_cwd), 0);
        if (old_pwd != NULL)
                assert_int_equal(setenv("PWD", old_pwd, 1), 0);
        else
                unsetenv("PWD");
        remove_tree(tmp);
        free(old_pwd);
        free(old_cwd);
        free(link);
        free(real);
        free(tmp);
}

static void test_rootfs_nul(void **state) {
        (void)state;
        nvct_error *err = NULL;
        char *sentinel = (char *)"unchanged";
        char *out = sentinel;
        assert_int_equal(nvct_rootfs_path("/a\0b", 4, &out, &err), -1);
        assert_ptr_equal(out, sentinel);
        assert_non_null(err);
        assert_contains(err->msg, "NUL");
        assert_contains(err->msg, "root.path");
        nvct_error_free(&err);
        assert_int_equal(nvct_rootfs_path("rel\0", 4, &out, &err), -1);
        assert_non_null(err);
        assert_contains(err->msg, "NUL");
        nvct_error_free(&err);
}

/* ---- PATH ---- */

static void check_search_path(const char *root, const char *hook_path, const char *expected) {
        char *p = nvct_cli_search_path(root, hook_path);
        assert_non_null(p);
        if (strcmp(p, expected) != 0) {
                print_error("root %s, PATH %s:\nexpected %s\n     got %s\n", root ? root : "(null)",
                            hook_path ? hook_path : "(null)", expected, p);
                free(p);
                fail();
        }
        free(p);
}

static void test_cli_search_path(void **state) {
        (void)state;
        check_search_path(NULL, "/a:/b", "/a:/b:" DEFAULT_PATH);
        check_search_path(NULL, "", DEFAULT_PATH);
        check_search_path(NULL, NULL, DEFAULT_PATH);
        check_search_path("/root", "/a",
                          "/root/a:/root/usr/local/sbin:/root/usr/local/bin:/root/usr/sbin:"
                          "/root/usr/bin:/root/sbin:/root/bin:/a:" DEFAULT_PATH);
        check_search_path("/root", NULL,
                          "/root/usr/local/sbin:/root/usr/local/bin:/root/usr/sbin:"
                          "/root/usr/bin:/root/sbin:/root/bin:" DEFAULT_PATH);
        /* Joined and cleaned. */
        check_search_path("/run/nvidia/driver/", "/x/../y",
                          "/run/nvidia/driver/y:/run/nvidia/driver/usr/local/sbin:"
                          "/run/nvidia/driver/usr/local/bin:/run/nvidia/driver/usr/sbin:"
                          "/run/nvidia/driver/usr/bin:/run/nvidia/driver/sbin:"
                          "/run/nvidia/driver/bin:/x/../y:" DEFAULT_PATH);
        check_search_path(
                "/", "/a",
                "/a:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/a:" DEFAULT_PATH);
}

static void test_find_executable(void **state) {
        (void)state;
        char *tmp = make_tmpdir();
        char *a = xasprintf("%s/a", tmp), *b = xasprintf("%s/b", tmp), *c = xasprintf("%s/c", tmp);
        char *a_cli = xasprintf("%s/nvidia-container-cli", a);
        char *b_cli = xasprintf("%s/nvidia-container-cli", b);
        char *c_cli = xasprintf("%s/nvidia-container-cli", c);
        make_dir(a_cli); /* a directory of that name */
        make_dir(b);
        make_dir(c);
        make_file(b_cli, 0644); /* not executable */
        make_file(c_cli, 0755);

        nvct_error *err = NULL;
        char *found = NULL;
        char *path = xasprintf("%s:%s:%s", a, b, c);
        assert_int_equal(nvct_find_executable("nvidia-container-cli", path, &found, &err), 0);
        assert_null(err);
        assert_string_equal(found, c_cli);
        free(found);
        found = NULL;
        free(path);

        /* Not found: the error names the file and the PATH searched. */
        path = xasprintf("%s:%s", a, b);
        assert_int_equal(nvct_find_executable("nvidia-container-cli", path, &found, &err), -1);
        assert_null(found);
        assert_non_null(err);
        assert_contains(err->msg, "nvidia-container-cli");
        assert_contains(err->msg, path);
        nvct_error_free(&err);
        free(path);

        /* Relative entries (and "" for ".") are skipped. */
        char *old_cwd = getcwd(NULL, 0);
        assert_non_null(old_cwd);
        assert_int_equal(chdir(c), 0);
        assert_int_equal(nvct_find_executable("nvidia-container-cli", ".", &found, &err), -1);
        nvct_error_free(&err);
        assert_int_equal(nvct_find_executable("nvidia-container-cli", ":", &found, &err), -1);
        nvct_error_free(&err);
        assert_int_equal(chdir(tmp), 0);
        assert_int_equal(nvct_find_executable("nvidia-container-cli", "c", &found, &err), -1);
        nvct_error_free(&err);
        assert_null(found);
        assert_int_equal(chdir(old_cwd), 0);
        free(old_cwd);

        remove_tree(tmp);
        free(a_cli);
        free(b_cli);
        free(c_cli);
        free(a);
        free(b);
        free(c);
        free(tmp);
}

/* ---- argv ---- */

static void test_argv_minimal(void **state) {
        (void)state;
        nvct_hook_config c;
        config_with_path(&c, "/usr/bin/nvidia-container-cli");
        nvct_request req;
        request_init(&req, "0", "utility,compute");
        const char *expected[] = {
                "/usr/bin/nvidia-container-cli",
                "--load-kmods",
                "configure",
                "--device=0",
                "--utility",
                "--compute",
                "--pid=42",
                "/rootfs",
                NULL,
        };
        expect_argv(&c, &req, 42, false, expected);

        /* load-kmods = false drops the flag. */
        c.cli.load_kmods = false;
        const char *expected_no_kmods[] = {
                "/usr/bin/nvidia-container-cli",
                "configure",
                "--device=0",
                "--utility",
                "--compute",
                "--pid=42",
                "/rootfs",
                NULL,
        };
        expect_argv(&c, &req, 42, false, expected_no_kmods);

        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
}

static void test_argv_full(void **state) {
        (void)state;
        nvct_hook_config c;
        config_with_path(&c, "/opt/nvidia/cli");
        c.cli.root = xstrdup("/run/nvidia/driver");
        c.cli.no_pivot = true;
        c.cli.debug = xstrdup("/var/log/nvidia-container-toolkit.log");
        c.cli.ldcache = xstrdup("/etc/ld.so.cache");
        c.cli.user = xstrdup("root:video");
        c.cli.ldconfig = xstrdup("@/sbin/ldconfig.real");
        c.cli.no_cgroups = true;

        nvct_request req;
        request_init(&req, "all", "compute,compat32,graphics,utility,video,display,ngx");
        req.mig_config_devices = xstrdup("0");
        req.mig_config_devices_len = 1;
        req.mig_monitor_devices = xstrdup("1,2");
        req.mig_monitor_devices_len = 3;
        request_add_requirement(&req, "cuda>=10.1", 10);
        request_add_requirement(&req, "driver>=418 brand=tesla", 23);

        const char *expected[] = {
                "/opt/nvidia/cli",
                "--root=/run/nvidia/driver",
                "--load-kmods",
                "--no-pivot",
                "--debug=/var/log/nvidia-container-toolkit.log",
                "--ldcache=/etc/ld.so.cache",
                "--user=root:video",
                "configure",
                "--ldconfig=@/sbin/ldconfig.real",
                "--no-cgroups",
                "--device=all",
                "--mig-config=0",
                "--mig-monitor=1,2",
                "--compute",
                "--compat32",
                "--graphics",
                "--utility",
                "--video",
                "--display",
                "--ngx",
                "--require=cuda>=10.1",
                "--require=driver>=418 brand=tesla",
                "--pid=1234",
                "/rootfs",
                NULL,
        };
        expect_argv(&c, &req, 1234, false, expected);

        /* -debug: --debug=/dev/stderr in place of the config's. */
        const char *expected_debug[] = {
                "/opt/nvidia/cli",
                "--root=/run/nvidia/driver",
                "--load-kmods",
                "--no-pivot",
                "--debug=/dev/stderr",
                "--ldcache=/etc/ld.so.cache",
                "--user=root:video",
                "configure",
                "--ldconfig=@/sbin/ldconfig.real",
                "--no-cgroups",
                "--device=all",
                "--mig-config=0",
                "--mig-monitor=1,2",
                "--compute",
                "--compat32",
                "--graphics",
                "--utility",
                "--video",
                "--display",
                "--ngx",
                "--require=cuda>=10.1",
                "--require=driver>=418 brand=tesla",
                "--pid=1234",
                "/rootfs",
                NULL,
        };
        expect_argv(&c, &req, 1234, true, expected_debug);

        /* The config path is used as is: no search. */
        static char *const no_env[] = { NULL };
        nvct_command cmd;
        build_ok(&c, &req, 1, false, no_env, &cmd);
        assert_null(cmd.search_path);
        nvct_command_clear(&cmd);

        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
}

static void test_argv_debug_without_config(void **state) {
        (void)state;
        nvct_hook_config c;
        config_with_path(&c, "/cli");
        c.cli.load_kmods = false;
        nvct_request req;
        request_init(&req, "", "utility");
        /* No --device for "none". */
        const char *expected[] = {
                "/cli", "--debug=/dev/stderr", "configure", "--utility", "--pid=7", "/rootfs", NULL
        };
        expect_argv(&c, &req, 7, true, expected);
        const char *expected_nodebug[] = { "/cli",    "configure", "--utility",
                                           "--pid=7", "/rootfs",   NULL };
        expect_argv(&c, &req, 7, false, expected_nodebug);
        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
}

static void test_argv_capabilities_stop_at_empty(void **state) {
        (void)state;
        nvct_hook_config c;
        config_with_path(&c, "/cli");
        c.cli.load_kmods = false;
        static const struct {
                const char *caps;
                const char *flags[8];
        } cases[] = {
                { "utility,,compute", { "--utility", NULL } },
                { ",compute", { NULL } },
                { "", { NULL } },
                { "compute,", { "--compute", NULL } },
                { "ngx,display", { "--ngx", "--display", NULL } },
                /* What follows the first empty element is never looked at. */
                { "video,,bogus", { "--video", NULL } },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                nvct_request req;
                request_init(&req, "0", cases[i].caps);
                const char *expected[16] = { "/cli", "configure", "--device=0" };
                size_t n = 3;
                for (size_t j = 0; cases[i].flags[j] != NULL; j++)
                        expected[n++] = cases[i].flags[j];
                expected[n++] = "--pid=1";
                expected[n++] = "/rootfs";
                expected[n] = NULL;
                expect_argv(&c, &req, 1, false, expected);
                nvct_request_clear(&req);
        }
        nvct_hook_config_clear(&c);
}

static void test_argv_unknown_capability(void **state) {
        (void)state;
        nvct_hook_config c;
        config_with_path(&c, "/cli");
        static const struct {
                const char *caps, *culprit;
        } cases[] = {
                { "compute,foo", "\"foo\"" },
                { "COMPUTE", "\"COMPUTE\"" },
                { "all", "\"all\"" },
                { "utility, compute", "\" compute\"" },
                { "utility,\x1b[2J", "\"\\x1b[2J\"" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                nvct_request req;
                request_init(&req, "0", cases[i].caps);
                char *msg = build_fails(&c, &req);
                assert_contains(msg, "unknown driver capability");
                assert_contains(msg, cases[i].culprit);
                assert_null(strchr(msg, '\x1b'));
                free(msg);
                nvct_request_clear(&req);
        }
        nvct_hook_config_clear(&c);
}

static void test_argv_requirements_disabled(void **state) {
        (void)state;
        nvct_hook_config c;
        config_with_path(&c, "/cli");
        c.cli.load_kmods = false;
        nvct_request req;
        request_init(&req, "0", "utility");
        request_add_requirement(&req, "cuda>=11.0", 10);
        const char *with[] = {
                "/cli",    "configure", "--device=0", "--utility", "--require=cuda>=11.0",
                "--pid=1", "/rootfs",   NULL
        };
        const char *without[] = { "/cli",    "configure", "--device=0", "--utility",
                                  "--pid=1", "/rootfs",   NULL };
        expect_argv(&c, &req, 1, false, with);

        req.disable_require = true;
        expect_argv(&c, &req, 1, false, without);

        req.disable_require = false;
        c.disable_require = true;
        expect_argv(&c, &req, 1, false, without);

        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
}

static void test_argv_pid(void **state) {
        (void)state;
        nvct_hook_config c;
        config_with_path(&c, "/cli");
        c.cli.load_kmods = false;
        nvct_request req;
        request_init(&req, "", "");
        const char *minus_one[] = { "/cli", "configure", "--pid=18446744073709551615", "/rootfs",
                                    NULL };
        expect_argv(&c, &req, -1, false, minus_one);
        const char *zero[] = { "/cli", "configure", "--pid=0", "/rootfs", NULL };
        expect_argv(&c, &req, 0, false, zero);
        const char *big[] = { "/cli", "configure", "--pid=9223372036854775807", "/rootfs", NULL };
        expect_argv(&c, &req, INT64_MAX, false, big);
        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
}

static void test_argv_nul_refused(void **state) {
        (void)state;
        nvct_hook_config c;
        config_with_path(&c, "/cli");

        nvct_request req;
        request_init(&req, "0", "utility");
        free(req.devices);
        req.devices = malloc(4);
        assert_non_null(req.devices);
        memcpy(req.devices, "0\0,1", 4);
        req.devices_len = 4;
        char *msg = build_fails(&c, &req);
        assert_contains(msg, "NUL");
        assert_contains(msg, "device");
        free(msg);
        nvct_request_clear(&req);

        request_init(&req, "0", "utility");
        request_add_requirement(&req, "cuda>=1\0x", 9);
        msg = build_fails(&c, &req);
        assert_contains(msg, "NUL");
        assert_contains(msg, "requirement");
        free(msg);
        /* Not checked when requirements are not passed at all. */
        req.disable_require = true;
        static char *const no_env[] = { NULL };
        nvct_command cmd;
        build_ok(&c, &req, 1, false, no_env, &cmd);
        nvct_command_clear(&cmd);
        nvct_request_clear(&req);

        request_init(&req, "0", "utility");
        req.mig_config_devices = malloc(3);
        assert_non_null(req.mig_config_devices);
        memcpy(req.mig_config_devices,
               "0\0"
               "1",
               3);
        req.mig_config_devices_len = 3;
        msg = build_fails(&c, &req);
        assert_contains(msg, "NUL");
        assert_contains(msg, "NVIDIA_MIG_CONFIG_DEVICES");
        free(msg);
        nvct_request_clear(&req);

        nvct_hook_config_clear(&c);
}

/* ---- environment ---- */

static void test_env_with_config_path(void **state) {
        (void)state;
        nvct_hook_config c;
        config_with_path(&c, "/cli");
        c.cli.environment = calloc(3, sizeof(char *));
        assert_non_null(c.cli.environment);
        c.cli.environment[0] = xstrdup("LD_LIBRARY_PATH=/opt/lib");
        c.cli.environment[1] = xstrdup("PATH=/from-config");
        c.cli.n_environment = 2;
        nvct_request req;
        request_init(&req, "0", "utility");

        /* The hook's PATH is left alone when nothing is searched. */
        char *hook_env[] = { (char *)"PATH=/hook/bin", (char *)"HOME=/root", NULL };
        nvct_command cmd;
        build_ok(&c, &req, 1, false, hook_env, &cmd);
        assert_null(cmd.search_path);
        const char *expected[] = { "PATH=/hook/bin", "HOME=/root", "LD_LIBRARY_PATH=/opt/lib",
                                   "PATH=/from-config", NULL };
        assert_strv_equal(cmd.envp, cmd.envc, expected);
        nvct_command_clear(&cmd);

        /* The container's environment never reaches the CLI: only what the
         * caller hands in. An empty hook environment gives just the config's. */
        static char *const empty[] = { NULL };
        build_ok(&c, &req, 1, false, empty, &cmd);
        const char *expected_cfg[] = { "LD_LIBRARY_PATH=/opt/lib", "PATH=/from-config", NULL };
        assert_strv_equal(cmd.envp, cmd.envc, expected_cfg);
        nvct_command_clear(&cmd);

        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
}

static void test_cli_searched_in_path(void **state) {
        (void)state;
        saved_env saved;
        save_path(&saved);

        char *tmp = make_tmpdir();
        char *a = xasprintf("%s/a", tmp), *b = xasprintf("%s/b", tmp), *d = xasprintf("%s/d", tmp);
        char *a_cli = xasprintf("%s/nvidia-container-cli", a);
        char *b_cli = xasprintf("%s/nvidia-container-cli", b);
        char *d_cli = xasprintf("%s/nvidia-container-cli", d);
        make_dir(a_cli); /* a directory: skipped */
        make_dir(b);
        make_dir(d);
        make_file(b_cli, 0644); /* not executable: skipped */
        make_file(d_cli, 0755);

        char *hook_path = xasprintf("%s:%s:%s", a, b, d);
        assert_int_equal(setenv("PATH", hook_path, 1), 0);

        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        c.cli.load_kmods = false;
        c.cli.environment = calloc(2, sizeof(char *));
        assert_non_null(c.cli.environment);
        c.cli.environment[0] = xstrdup("FOO=bar");
        c.cli.n_environment = 1;
        nvct_request req;
        request_init(&req, "0", "utility");

        char *hook_env[] = { (char *)"HOME=/root", (char *)"PATH=/old", (char *)"HOME=/dup",
                             (char *)"TERM=xterm", NULL };
        nvct_command cmd;
        build_ok(&c, &req, 99, false, hook_env, &cmd);

        const char *argv[] = { d_cli,      "configure", "--device=0", "--utility",
                               "--pid=99", "/rootfs",   NULL };
        assert_strv_equal(cmd.argv, cmd.argc, argv);

        char *search = xasprintf("%s:" DEFAULT_PATH, hook_path);
        assert_non_null(cmd.search_path);
        assert_string_equal(cmd.search_path, search);
        /* PATH replaced in place by the search path; later duplicates
         * dropped as os.Environ drops them; the config's entries last. */
        char *path_entry = xasprintf("PATH=%s", search);
        const char *env[] = { "HOME=/root", path_entry, "TERM=xterm", "FOO=bar", NULL };
        assert_strv_equal(cmd.envp, cmd.envc, env);
        nvct_command_clear(&cmd);
        free(path_entry);

        /* No PATH in the hook's environment: one is appended. */
        char *hook_env2[] = { (char *)"HOME=/root", NULL };
        build_ok(&c, &req, 99, false, hook_env2, &cmd);
        path_entry = xasprintf("PATH=%s", search);
        const char *env2[] = { "HOME=/root", path_entry, "FOO=bar", NULL };
        assert_strv_equal(cmd.envp, cmd.envc, env2);
        nvct_command_clear(&cmd);
        free(path_entry);
        free(search);

        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
        restore_path(&saved);
        remove_tree(tmp);
        free(hook_path);
        free(a_cli);
        free(b_cli);
        free(d_cli);
        free(a);
        free(b);
        free(d);
        free(tmp);
}

static void test_cli_searched_under_root(void **state) {
        (void)state;
        saved_env saved;
        save_path(&saved);

        char *tmp = make_tmpdir();
        /* The hook's PATH dir D holds a CLI, and so does ROOT/D: the one
         * under root comes first. */
        char *root = xasprintf("%s/root", tmp);
        char *d = xasprintf("%s/hookbin", tmp);
        char *d_cli = xasprintf("%s/nvidia-container-cli", d);
        char *root_d = xasprintf("%s%s", root, d);
        char *root_d_cli = xasprintf("%s/nvidia-container-cli", root_d);
        make_dir(d);
        make_dir(root_d);
        make_file(d_cli, 0755);
        make_file(root_d_cli, 0755);
        assert_int_equal(setenv("PATH", d, 1), 0);

        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        c.cli.root = xstrdup(root);
        nvct_request req;
        request_init(&req, "1", "compute");

        char *hook_env[] = { (char *)"PATH=/old", NULL };
        nvct_command cmd;
        build_ok(&c, &req, 5, false, hook_env, &cmd);
        char *root_flag = xasprintf("--root=%s", root);
        const char *argv[] = { root_d_cli,  root_flag, "--load-kmods", "configure", "--device=1",
                               "--compute", "--pid=5", "/rootfs",      NULL };
        assert_strv_equal(cmd.argv, cmd.argc, argv);
        char *search = xasprintf("%s%s:%s/usr/local/sbin:%s/usr/local/bin:%s/usr/sbin:"
                                 "%s/usr/bin:%s/sbin:%s/bin:%s:" DEFAULT_PATH,
                                 root, d, root, root, root, root, root, root, d);
        assert_string_equal(cmd.search_path, search);
        char *path_entry = xasprintf("PATH=%s", search);
        const char *env[] = { path_entry, NULL };
        assert_strv_equal(cmd.envp, cmd.envc, env);
        nvct_command_clear(&cmd);

        /* Only outside root: found there, after every root directory. */
        assert_int_equal(unlink(root_d_cli), 0);
        build_ok(&c, &req, 5, false, hook_env, &cmd);
        assert_string_equal(cmd.argv[0], d_cli);
        nvct_command_clear(&cmd);

        free(path_entry);
        free(search);
        free(root_flag);
        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
        restore_path(&saved);
        remove_tree(tmp);
        free(root);
        free(d);
        free(d_cli);
        free(root_d);
        free(root_d_cli);
        free(tmp);
}

static bool cli_in_default_path(void) {
        char *dirs = xstrdup(DEFAULT_PATH);
        bool found = false;
        char *save = NULL;
        for (char *dir = strtok_r(dirs, ":", &save); dir != NULL && !found;
             dir = strtok_r(NULL, ":", &save)) {
                char *p = xasprintf("%s/nvidia-container-cli", dir);
                found = access(p, F_OK) == 0;
                free(p);
        }
        free(dirs);
        return found;
}

static void test_cli_not_found(void **state) {
        (void)state;
        if (cli_in_default_path())
                skip(); /* a real nvidia-container-cli would be found */
        saved_env saved;
        save_path(&saved);
        char *tmp = make_tmpdir();
        char *a = xasprintf("%s/a", tmp);
        char *a_cli = xasprintf("%s/nvidia-container-cli", a);
        make_dir(a);
        make_file(a_cli, 0600);
        assert_int_equal(setenv("PATH", a, 1), 0);

        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        nvct_request req;
        request_init(&req, "0", "utility");
        char *msg = build_fails(&c, &req);
        assert_contains(msg, "nvidia-container-cli");
        char *search = xasprintf("%s:" DEFAULT_PATH, a);
        assert_contains(msg, search);
        free(search);
        free(msg);

        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
        restore_path(&saved);
        remove_tree(tmp);
        free(a);
        free(a_cli);
        free(tmp);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rootfs_absolute),
                cmocka_unit_test(test_rootfs_relative),
                cmocka_unit_test(test_rootfs_nul),
                cmocka_unit_test(test_cli_search_path),
                cmocka_unit_test(test_find_executable),
                cmocka_unit_test(test_argv_minimal),
                cmocka_unit_test(test_argv_full),
                cmocka_unit_test(test_argv_debug_without_config),
                cmocka_unit_test(test_argv_capabilities_stop_at_empty),
                cmocka_unit_test(test_argv_unknown_capability),
                cmocka_unit_test(test_argv_requirements_disabled),
                cmocka_unit_test(test_argv_pid),
                cmocka_unit_test(test_argv_nul_refused),
                cmocka_unit_test(test_env_with_config_path),
                cmocka_unit_test(test_cli_searched_in_path),
                cmocka_unit_test(test_cli_searched_under_root),
                cmocka_unit_test(test_cli_not_found),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
