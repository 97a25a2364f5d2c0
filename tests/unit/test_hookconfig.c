/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the hook's config.toml: defaults, every key, typing,
 * case-insensitive key matching, real-world files, and the search order. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/error.h"
#include "config/hookconfig.h"

/* ---- helpers ---- */

static void parse_ok(const char *text, nvct_hook_config *c) {
        nvct_error *err = NULL;
        nvct_hook_config_init_defaults(c);
        int r = nvct_hook_config_parse(text, strlen(text), "test.toml", c, &err);
        if (r < 0) {
                print_error("unexpected failure: %s\nfor: %s\n", err->msg, text);
                nvct_error_free(&err);
                fail();
        }
        assert_int_equal(r, 0);
        assert_null(err);
        assert_non_null(c->source);
        assert_string_equal(c->source, "test.toml");
}

/* Returns the error message (caller frees). */
static char *parse_fails_len(const char *text, size_t len) {
        nvct_error *err = NULL;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        int r = nvct_hook_config_parse(text, len, "test.toml", &c, &err);
        if (r >= 0) {
                print_error("accepted invalid config: %s\n", text);
                nvct_hook_config_clear(&c);
                fail();
        }
        assert_int_equal(r, -1);
        assert_non_null(err);
        /* Nothing handed out. */
        assert_null(c.source);
        assert_null(c.swarm_resource);
        assert_null(c.cli.root);
        assert_null(c.cli.environment);
        /* Every error names the file. */
        assert_contains(err->msg, "test.toml");
        char *msg = strdup(err->msg);
        assert_non_null(msg);
        nvct_error_free(&err);
        return msg;
}

static void assert_parse_fails_naming(const char *text, const char *key) {
        char *msg = parse_fails_len(text, strlen(text));
        assert_contains(msg, key);
        free(msg);
}

static void assert_defaults(const nvct_hook_config *c) {
        assert_false(c->disable_require);
        assert_null(c->swarm_resource);
        assert_true(c->accept_envvar_unprivileged);
        assert_false(c->accept_volume_mounts);
        assert_null(c->cli.root);
        assert_null(c->cli.path);
        assert_null(c->cli.debug);
        assert_null(c->cli.ldcache);
        assert_null(c->cli.user);
        assert_null(c->cli.ldconfig);
        assert_null(c->cli.environment);
        assert_int_equal(c->cli.n_environment, 0);
        assert_true(c->cli.load_kmods);
        assert_false(c->cli.no_pivot);
        assert_false(c->cli.no_cgroups);
}

static void write_file(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        size_t len = strlen(text);
        assert_int_equal(write(fd, text, len), (ssize_t)len);
        assert_int_equal(close(fd), 0);
}

static char *make_tmpdir(void) {
        return make_tmpdir_named("hookconfig");
}

/* ---- defaults and keys ---- */

static void test_defaults(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        assert_defaults(&c);
        assert_null(c.source);
        nvct_hook_config_clear(&c);
        assert_defaults(&c);

        /* An empty document and comments only: the defaults. */
        parse_ok("", &c);
        assert_defaults(&c);
        nvct_hook_config_clear(&c);
        parse_ok("# nothing\n\n[nvidia-container-cli]\n", &c);
        assert_defaults(&c);
        nvct_hook_config_clear(&c);
}

static void test_default_search_order(void **state) {
        (void)state;
        assert_string_equal(nvct_default_config_paths[0],
                            "/run/nvidia/driver/etc/nvidia-container-runtime/config.toml");
        assert_string_equal(nvct_default_config_paths[1],
                            "/etc/nvidia-container-runtime/config.toml");
        assert_null(nvct_default_config_paths[2]);
}

static void test_all_keys(void **state) {
        (void)state;
        static const char text[] =
                "disable-require = true\n"
                "swarm-resource = \"DOCKER_RESOURCE_GPU\"\n"
                "accept-nvidia-visible-devices-envvar-when-unprivileged = false\n"
                "accept-nvidia-visible-devices-as-volume-mounts = true\n"
                "\n"
                "[nvidia-container-cli]\n"
                "root = \"/run/nvidia/driver\"\n"
                "path = \"/usr/bin/nvidia-container-cli\"\n"
                "environment = [\"A=1\", \"B=two words\"]\n"
                "debug = \"/var/log/nvidia-container-toolkit.log\"\n"
                "ldcache = \"/etc/ld.so.cache\"\n"
                "load-kmods = false\n"
                "no-pivot = true\n"
                "no-cgroups = true\n"
                "user = \"root:video\"\n"
                "ldconfig = \"@/sbin/ldconfig.real\"\n";
        nvct_hook_config c;
        parse_ok(text, &c);
        assert_true(c.disable_require);
        assert_string_equal(c.swarm_resource, "DOCKER_RESOURCE_GPU");
        assert_false(c.accept_envvar_unprivileged);
        assert_true(c.accept_volume_mounts);
        assert_string_equal(c.cli.root, "/run/nvidia/driver");
        assert_string_equal(c.cli.path, "/usr/bin/nvidia-container-cli");
        assert_int_equal(c.cli.n_environment, 2);
        assert_string_equal(c.cli.environment[0], "A=1");
        assert_string_equal(c.cli.environment[1], "B=two words");
        assert_string_equal(c.cli.debug, "/var/log/nvidia-container-toolkit.log");
        assert_string_equal(c.cli.ldcache, "/etc/ld.so.cache");
        assert_false(c.cli.load_kmods);
        assert_true(c.cli.no_pivot);
        assert_true(c.cli.no_cgroups);
        assert_string_equal(c.cli.user, "root:video");
        assert_string_equal(c.cli.ldconfig, "@/sbin/ldconfig.real");
        nvct_hook_config_clear(&c);
        assert_defaults(&c);
        assert_null(c.source);
}

static void test_dotted_and_inline_forms(void **state) {
        (void)state;
        nvct_hook_config c;
        parse_ok("nvidia-container-cli.root = \"/r\"\n"
                 "nvidia-container-cli.no-pivot = true\n",
                 &c);
        assert_string_equal(c.cli.root, "/r");
        assert_true(c.cli.no_pivot);
        nvct_hook_config_clear(&c);

        parse_ok("\"nvidia-container-cli\" = { user = 'u', environment = [] }\n", &c);
        assert_string_equal(c.cli.user, "u");
        assert_int_equal(c.cli.n_environment, 0);
        assert_true(c.cli.load_kmods);
        nvct_hook_config_clear(&c);

        /* A key named like a top-level one but inside the cli table is
         * not the top-level one. */
        parse_ok("[nvidia-container-cli]\ndisable-require = true\n", &c);
        assert_false(c.disable_require);
        nvct_hook_config_clear(&c);
}

static void test_unknown_keys_ignored(void **state) {
        (void)state;
        nvct_hook_config c;
        parse_ok("supported-driver-capabilities = \"compat32,compute\"\n"
                 "unknown = 1\n"
                 "other = [1, \"mixed\", { a = 1 }]\n"
                 "when = 1979-05-27T07:32:00Z\n"
                 "[nvidia-container-cli]\n"
                 "unknown-cli-key = { x = true }\n"
                 "no-pivot = true\n"
                 "[something-else]\n"
                 "root = 12\n",
                 &c);
        assert_true(c.cli.no_pivot);
        assert_null(c.cli.root);
        nvct_hook_config_clear(&c);
}

static void test_case_insensitive_keys(void **state) {
        (void)state;
        nvct_hook_config c;
        parse_ok("Disable-Require = true\n", &c);
        assert_true(c.disable_require);
        nvct_hook_config_clear(&c);

        parse_ok("SWARM-RESOURCE = \"X\"\n"
                 "[NVIDIA-Container-CLI]\n"
                 "Root = \"/r\"\n"
                 "LOAD-KMODS = false\n",
                 &c);
        assert_string_equal(c.swarm_resource, "X");
        assert_string_equal(c.cli.root, "/r");
        assert_false(c.cli.load_kmods);
        nvct_hook_config_clear(&c);

        /* An exact match wins over a case-folded one, in either order. */
        parse_ok("disable-require = false\nDISABLE-REQUIRE = true\n", &c);
        assert_false(c.disable_require);
        nvct_hook_config_clear(&c);
        parse_ok("DISABLE-REQUIRE = true\ndisable-require = false\n", &c);
        assert_false(c.disable_require);
        nvct_hook_config_clear(&c);
        parse_ok("Swarm-Resource = \"folded\"\nswarm-resource = \"exact\"\n", &c);
        assert_string_equal(c.swarm_resource, "exact");
        nvct_hook_config_clear(&c);

        /* Not a match: a different key. */
        parse_ok("disable_require = true\ndisablerequire = true\n", &c);
        assert_false(c.disable_require);
        nvct_hook_config_clear(&c);
}

static void test_real_config_file(void **state) {
        (void)state;
        /* The config.toml that newer toolkits install. */
        static const char text[] =
                "accept-nvidia-visible-devices-as-volume-mounts = false\n"
                "accept-nvidia-visible-devices-envvar-when-unprivileged = true\n"
                "disable-require = false\n"
                "supported-driver-capabilities = "
                "\"compat32,compute,display,graphics,ngx,utility,video\"\n"
                "#swarm-resource = \"DOCKER_RESOURCE_GPU\"\n"
                "\n"
                "[nvidia-container-cli]\n"
                "#debug = \"/var/log/nvidia-container-toolkit.log\"\n"
                "environment = []\n"
                "#ldcache = \"/etc/ld.so.cache\"\n"
                "ldconfig = \"@/sbin/ldconfig.real\"\n"
                "load-kmods = true\n"
                "#no-cgroups = false\n"
                "#path = \"/usr/bin/nvidia-container-cli\"\n"
                "#root = \"/run/nvidia/driver\"\n"
                "#user = \"root:video\"\n"
                "\n"
                "[nvidia-container-runtime]\n"
                "#debug = \"/var/log/nvidia-container-runtime.log\"\n"
                "log-level = \"info\"\n"
                "mode = \"auto\"\n"
                "runtimes = [\"docker-runc\", \"runc\", \"crun\"]\n"
                "\n"
                "[nvidia-container-runtime.modes]\n"
                "\n"
                "[nvidia-container-runtime.modes.cdi]\n"
                "annotation-prefixes = [\"cdi.k8s.io/\"]\n"
                "default-kind = \"nvidia.com/gpu\"\n"
                "spec-dirs = [\"/etc/cdi\", \"/var/run/cdi\"]\n"
                "\n"
                "[nvidia-container-runtime.modes.csv]\n"
                "mount-spec-path = \"/etc/nvidia-container-runtime/host-files-for-container.d\"\n"
                "\n"
                "[nvidia-container-runtime-hook]\n"
                "path = \"nvidia-container-runtime-hook\"\n"
                "skip-mode-detection = false\n"
                "\n"
                "[nvidia-ctk]\n"
                "path = \"nvidia-ctk\"\n";
        nvct_hook_config c;
        parse_ok(text, &c);
        assert_false(c.disable_require);
        assert_null(c.swarm_resource);
        assert_true(c.accept_envvar_unprivileged);
        assert_false(c.accept_volume_mounts);
        assert_int_equal(c.cli.n_environment, 0);
        assert_string_equal(c.cli.ldconfig, "@/sbin/ldconfig.real");
        assert_true(c.cli.load_kmods);
        /* [nvidia-container-runtime-hook] path and [nvidia-ctk] path are not
         * the CLI's path. */
        assert_null(c.cli.path);
        assert_null(c.cli.root);
        nvct_hook_config_clear(&c);

        /* The 1.3.0-era file. */
        parse_ok("disable-require = false\n"
                 "#swarm-resource = \"DOCKER_RESOURCE_GPU\"\n"
                 "#accept-nvidia-visible-devices-envvar-when-unprivileged = true\n"
                 "#accept-nvidia-visible-devices-as-volume-mounts = false\n"
                 "\n"
                 "[nvidia-container-cli]\n"
                 "#root = \"/run/nvidia/driver\"\n"
                 "#path = \"/usr/bin/nvidia-container-cli\"\n"
                 "environment = []\n"
                 "#debug = \"/var/log/nvidia-container-toolkit.log\"\n"
                 "#ldcache = \"/etc/ld.so.cache\"\n"
                 "load-kmods = true\n"
                 "#no-cgroups = false\n"
                 "#user = \"root:video\"\n"
                 "ldconfig = \"@/sbin/ldconfig\"\n"
                 "\n"
                 "[nvidia-container-runtime]\n"
                 "#debug = \"/var/log/nvidia-container-runtime.log\"\n",
                 &c);
        assert_string_equal(c.cli.ldconfig, "@/sbin/ldconfig");
        assert_true(c.accept_envvar_unprivileged);
        nvct_hook_config_clear(&c);
}

/* ---- errors ---- */

static void test_wrong_types(void **state) {
        (void)state;
        assert_parse_fails_naming("disable-require = \"yes\"\n", "disable-require");
        assert_parse_fails_naming("disable-require = 1\n", "disable-require");
        assert_parse_fails_naming("swarm-resource = true\n", "swarm-resource");
        assert_parse_fails_naming("accept-nvidia-visible-devices-envvar-when-unprivileged = 0\n",
                                  "accept-nvidia-visible-devices-envvar-when-unprivileged");
        assert_parse_fails_naming("accept-nvidia-visible-devices-as-volume-mounts = \"true\"\n",
                                  "accept-nvidia-visible-devices-as-volume-mounts");
        assert_parse_fails_naming("nvidia-container-cli = \"x\"\n", "nvidia-container-cli");
        assert_parse_fails_naming("nvidia-container-cli = [1]\n", "nvidia-container-cli");
        assert_parse_fails_naming("[nvidia-container-cli]\nenvironment = [1]\n", "environment");
        assert_parse_fails_naming("[nvidia-container-cli]\nenvironment = [\"A=1\", false]\n",
                                  "environment");
        assert_parse_fails_naming("[nvidia-container-cli]\nenvironment = \"A=1\"\n", "environment");
        assert_parse_fails_naming("[nvidia-container-cli]\nroot = 5\n", "root");
        assert_parse_fails_naming("[nvidia-container-cli]\npath = [\"/a\"]\n", "path");
        assert_parse_fails_naming("[nvidia-container-cli]\ndebug = false\n", "debug");
        assert_parse_fails_naming("[nvidia-container-cli]\nldcache = 1.5\n", "ldcache");
        assert_parse_fails_naming("[nvidia-container-cli]\nload-kmods = \"true\"\n", "load-kmods");
        assert_parse_fails_naming("[nvidia-container-cli]\nno-pivot = 1\n", "no-pivot");
        assert_parse_fails_naming("[nvidia-container-cli]\nno-cgroups = {}\n", "no-cgroups");
        assert_parse_fails_naming("[nvidia-container-cli]\nuser = 0\n", "user");
        assert_parse_fails_naming("[nvidia-container-cli]\nldconfig = true\n", "ldconfig");
        /* Case-folded keys are typed too. */
        assert_parse_fails_naming("Disable-Require = \"yes\"\n", "disable-require");

        /* Errors that come after valid keys free what was decoded so far. */
        assert_parse_fails_naming("swarm-resource = \"X\"\n"
                                  "[nvidia-container-cli]\n"
                                  "root = \"/r\"\n"
                                  "environment = [\"A=1\"]\n"
                                  "user = 1\n",
                                  "user");
        assert_parse_fails_naming("[nvidia-container-cli]\n"
                                  "environment = [\"A=1\", \"B=2\", 3]\n",
                                  "environment[2]");
}

static void test_nul_in_string(void **state) {
        (void)state;
        assert_parse_fails_naming("swarm-resource = \"A\\u0000B\"\n", "swarm-resource");
        assert_parse_fails_naming("[nvidia-container-cli]\nroot = \"/a\\u0000b\"\n", "root");
        assert_parse_fails_naming("[nvidia-container-cli]\nenvironment = [\"A=\\u0000\"]\n",
                                  "environment");
}

static void test_syntax_error(void **state) {
        (void)state;
        char *msg = parse_fails_len("disable-require = \n", strlen("disable-require = \n"));
        /* "\"NAME\":LINE:COL: ..." */
        assert_contains(msg, "\"test.toml\":1:");
        free(msg);
        msg = parse_fails_len("a = 1\na = 2\n", 12);
        assert_contains(msg, "\"test.toml\":2:");
        free(msg);
        static const char nul[] = "disable-require = true\0\n";
        msg = parse_fails_len(nul, sizeof(nul) - 1);
        free(msg);
}

/* ---- loading ---- */

static void load_ok(const char *explicit_path, const char *const *search, nvct_hook_config *c) {
        nvct_error *err = NULL;
        int r = nvct_hook_config_load(explicit_path, search, c, &err);
        if (r < 0) {
                print_error("unexpected failure: %s\n", err->msg);
                nvct_error_free(&err);
                fail();
        }
        assert_int_equal(r, 0);
        assert_null(err);
}

static char *load_fails(const char *explicit_path, const char *const *search) {
        nvct_error *err = NULL;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        int r = nvct_hook_config_load(explicit_path, search, &c, &err);
        if (r >= 0) {
                print_error("load unexpectedly succeeded (source %s)\n",
                            c.source ? c.source : "(null)");
                nvct_hook_config_clear(&c);
                fail();
        }
        assert_int_equal(r, -1);
        assert_non_null(err);
        assert_null(c.source);
        char *msg = strdup(err->msg);
        assert_non_null(msg);
        nvct_error_free(&err);
        return msg;
}

static void test_load_explicit(void **state) {
        (void)state;
        char *dir = make_tmpdir();
        char *good = xasprintf("%s/good.toml", dir);
        char *missing = xasprintf("%s/missing.toml", dir);
        write_file(good, "[nvidia-container-cli]\nroot = \"/from-explicit\"\n");

        nvct_hook_config c;
        load_ok(good, NULL, &c);
        assert_string_equal(c.source, good);
        assert_string_equal(c.cli.root, "/from-explicit");
        nvct_hook_config_clear(&c);

        /* The explicit path wins over the search list. */
        const char *search[] = { good, NULL };
        char *other = xasprintf("%s/other.toml", dir);
        write_file(other, "disable-require = true\n");
        load_ok(other, search, &c);
        assert_string_equal(c.source, other);
        assert_true(c.disable_require);
        assert_null(c.cli.root);
        nvct_hook_config_clear(&c);

        /* It must exist: no fallback to the search list. */
        char *msg = load_fails(missing, search);
        assert_contains(msg, missing);
        free(msg);

        /* An empty explicit path means none: the search list. */
        load_ok("", search, &c);
        assert_string_equal(c.source, good);
        nvct_hook_config_clear(&c);

        remove_tree(dir);
        free(other);
        free(good);
        free(missing);
        free(dir);
}

/* Security: a config path with a newline and an escape sequence is quoted
 * in every message that names it: missing, unreadable, wrong type, syntax. */
static void test_load_quotes_path(void **state) {
        (void)state;
        char *dir = make_tmpdir();
        char *odd = xasprintf("%s/x\n\x1b[31mFORGED.toml", dir);
        char *shown = xasprintf("\"%s/x\\n\\x1b[31mFORGED.toml\"", dir);

        char *msg = load_fails(odd, NULL);
        char *want = xasprintf("could not open config file %s: No such file or directory", shown);
        assert_string_equal(msg, want);
        free(want);
        free(msg);

        write_file(odd, "disable-require = \"yes\"\n");
        msg = load_fails(odd, NULL);
        want = xasprintf("%s: disable-require must be a boolean, not string", shown);
        assert_string_equal(msg, want);
        free(want);
        free(msg);

        write_file(odd, "disable-require = \n");
        msg = load_fails(odd, NULL);
        assert_null(strchr(msg, '\n'));
        assert_null(strchr(msg, '\x1b'));
        assert_true(strncmp(msg, shown, strlen(shown)) == 0);
        free(msg);

        /* The source keeps the raw path: the report quotes it itself. */
        write_file(odd, "disable-require = true\n");
        nvct_hook_config c;
        load_ok(odd, NULL, &c);
        assert_string_equal(c.source, odd);
        nvct_hook_config_clear(&c);

        remove_tree(dir);
        free(shown);
        free(odd);
        free(dir);
}

static void test_load_search(void **state) {
        (void)state;
        char *dir = make_tmpdir();
        char *missing1 = xasprintf("%s/missing1.toml", dir);
        char *missing2 = xasprintf("%s/no/such/dir/config.toml", dir);
        char *first = xasprintf("%s/first.toml", dir);
        char *second = xasprintf("%s/second.toml", dir);
        char *bad = xasprintf("%s/bad.toml", dir);
        char *badtype = xasprintf("%s/badtype.toml", dir);
        write_file(first, "swarm-resource = \"FIRST\"\n");
        write_file(second, "swarm-resource = \"SECOND\"\n");
        write_file(bad, "this is not toml\n");
        write_file(badtype, "disable-require = \"yes\"\n");

        nvct_hook_config c;
        /* Missing ones skipped, the first existing one wins. */
        const char *s1[] = { missing1, missing2, first, second, NULL };
        load_ok(NULL, s1, &c);
        assert_string_equal(c.source, first);
        assert_string_equal(c.swarm_resource, "FIRST");
        nvct_hook_config_clear(&c);

        const char *s2[] = { second, first, NULL };
        load_ok(NULL, s2, &c);
        assert_string_equal(c.swarm_resource, "SECOND");
        nvct_hook_config_clear(&c);

        /* An existing file that does not parse is an error, not skipped. */
        const char *s3[] = { missing1, bad, first, NULL };
        char *msg = load_fails(NULL, s3);
        assert_contains(msg, bad);
        free(msg);
        const char *s4[] = { badtype, first, NULL };
        msg = load_fails(NULL, s4);
        assert_contains(msg, badtype);
        assert_contains(msg, "disable-require");
        free(msg);

        /* A directory in place of the file is an error too. */
        const char *s5[] = { dir, first, NULL };
        msg = load_fails(NULL, s5);
        assert_contains(msg, dir);
        free(msg);

        /* None exists: the defaults, with no source. */
        const char *s6[] = { missing1, missing2, NULL };
        load_ok(NULL, s6, &c);
        assert_null(c.source);
        assert_defaults(&c);
        nvct_hook_config_clear(&c);
        const char *s7[] = { NULL };
        load_ok(NULL, s7, &c);
        assert_null(c.source);
        assert_defaults(&c);
        nvct_hook_config_clear(&c);
        load_ok(NULL, NULL, &c);
        assert_null(c.source);
        assert_defaults(&c);
        nvct_hook_config_clear(&c);

        remove_tree(dir);
        free(missing1);
        free(missing2);
        free(first);
        free(second);
        free(bad);
        free(badtype);
        free(dir);
}

/* ---- where the hook finds its config: -config, then the environment ---- */

static const char *fake_env_path, *fake_env_xdg;

static char *fake_getenv(const char *name) {
        if (strcmp(name, "NVIDIA_CTK_CONFIG_FILE_PATH") == 0)
                return (char *)fake_env_path;
        if (strcmp(name, "XDG_CONFIG_HOME") == 0)
                return (char *)fake_env_xdg;
        return NULL;
}

static int locate(const char *flag, const char *const *search, nvct_hook_config *c,
                  nvct_hook_config_from *from, nvct_error **err) {
        nvct_hook_config_init_defaults(c);
        return nvct_hook_config_locate_and_load(flag, search, fake_getenv, c, from, err);
}

static void test_locate_from_env(void **state) {
        (void)state;
        char *dir = make_tmpdir();
        char *flag = xasprintf("%s/flag.toml", dir);
        char *env = xasprintf("%s/env.toml", dir);
        char *xdg_dir = xasprintf("%s/xdg", dir);
        char *xdg_sub = xasprintf("%s/xdg/nvidia-container-runtime", dir);
        char *xdg = xasprintf("%s/xdg/nvidia-container-runtime/config.toml", dir);
        char *search = xasprintf("%s/search.toml", dir);
        char *missing = xasprintf("%s/missing.toml", dir);
        assert_int_equal(mkdir(xdg_dir, 0700), 0);
        assert_int_equal(mkdir(xdg_sub, 0700), 0);
        write_file(flag, "swarm-resource = \"FLAG\"\n");
        write_file(env, "swarm-resource = \"ENV\"\n");
        write_file(xdg, "swarm-resource = \"XDG\"\n");
        write_file(search, "swarm-resource = \"SEARCH\"\n");
        const char *paths[] = { missing, search, NULL };
        nvct_hook_config c;
        nvct_hook_config_from from;
        nvct_error *err = NULL;

        /* -config first, then the variable, then XDG, then the search. */
        fake_env_path = env;
        fake_env_xdg = xdg_dir;
        assert_int_equal(locate(flag, paths, &c, &from, &err), 0);
        assert_string_equal(c.swarm_resource, "FLAG");
        assert_int_equal(from, NVCT_HOOK_CONFIG_FROM_FLAG);
        assert_null(nvct_hook_config_from_name(from));
        nvct_hook_config_clear(&c);
        assert_int_equal(locate(NULL, paths, &c, &from, &err), 0);
        assert_string_equal(c.swarm_resource, "ENV");
        assert_int_equal(from, NVCT_HOOK_CONFIG_FROM_ENV);
        assert_string_equal(nvct_hook_config_from_name(from), "$NVIDIA_CTK_CONFIG_FILE_PATH");
        nvct_hook_config_clear(&c);
        fake_env_path = "";
        assert_int_equal(locate("", paths, &c, &from, &err), 0);
        assert_string_equal(c.swarm_resource, "XDG");
        assert_string_equal(c.source, xdg);
        assert_int_equal(from, NVCT_HOOK_CONFIG_FROM_XDG);
        nvct_hook_config_clear(&c);

        /* XDG_CONFIG_HOME without the file: the search goes on. */
        fake_env_xdg = dir;
        assert_int_equal(locate(NULL, paths, &c, &from, &err), 0);
        assert_string_equal(c.swarm_resource, "SEARCH");
        assert_int_equal(from, NVCT_HOOK_CONFIG_FROM_SEARCH);
        nvct_hook_config_clear(&c);
        fake_env_xdg = NULL;
        assert_int_equal(locate(NULL, paths, &c, &from, &err), 0);
        assert_string_equal(c.swarm_resource, "SEARCH");
        nvct_hook_config_clear(&c);

        /* A variable naming a missing file is an error naming both. */
        fake_env_path = missing;
        assert_int_equal(locate(NULL, paths, &c, &from, &err), -1);
        assert_non_null(err);
        assert_contains(err->msg, "$NVIDIA_CTK_CONFIG_FILE_PATH");
        assert_contains(err->msg, missing);
        nvct_error_free(&err);
        nvct_hook_config_clear(&c);
        fake_env_path = NULL;

        remove_tree(dir);
        free(flag);
        free(env);
        free(xdg_dir);
        free(xdg_sub);
        free(xdg);
        free(search);
        free(missing);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_default_search_order),
                cmocka_unit_test(test_all_keys),
                cmocka_unit_test(test_dotted_and_inline_forms),
                cmocka_unit_test(test_unknown_keys_ignored),
                cmocka_unit_test(test_case_insensitive_keys),
                cmocka_unit_test(test_real_config_file),
                cmocka_unit_test(test_wrong_types),
                cmocka_unit_test(test_nul_in_string),
                cmocka_unit_test(test_syntax_error),
                cmocka_unit_test(test_load_explicit),
                cmocka_unit_test(test_load_quotes_path),
                cmocka_unit_test(test_load_search),
                cmocka_unit_test(test_locate_from_env),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
