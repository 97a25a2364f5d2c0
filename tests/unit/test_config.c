/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the table-driven config.toml (config/config.h): the table
 * itself, the defaults of each profile (checked against the reference's
 * values written out here, not against the table), and for every key of
 * the table: its default, a value, a wrong type; a key the 1.3.0 hook does
 * not know is ignored by the hook's profile whatever its type. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/file.h"
#include "config/config.h"
#include "config/hookconfig.h"

static const nvct_config_profile profiles[] = { NVCT_CONFIG_PROFILE_HOOK,
                                                NVCT_CONFIG_PROFILE_TOOLKIT };

static void defaults_ok(nvct_config *c, nvct_config_profile p) {
        nvct_error *err = NULL;
        assert_int_equal(nvct_config_init_defaults(c, p, &err), 0);
        assert_null(err);
        assert_null(c->source);
}

static void parse_ok(const char *text, nvct_config_profile p, nvct_config *c) {
        nvct_error *err = NULL;
        int r = nvct_config_parse(text, strlen(text), "test.toml", p, c, &err);
        if (r < 0) {
                print_error("unexpected failure (profile %d): %s\nfor: %s\n", (int)p, err->msg,
                            text);
                nvct_error_free(&err);
                fail();
        }
        assert_null(err);
        assert_string_equal(c->source, "test.toml");
}

/* The error message (caller frees); checks that nothing was handed out. */
static char *parse_fails(const char *text, nvct_config_profile p) {
        nvct_error *err = NULL;
        nvct_config c = { .source = NULL };
        int r = nvct_config_parse(text, strlen(text), "test.toml", p, &c, &err);
        if (r >= 0) {
                print_error("accepted (profile %d): %s\n", (int)p, text);
                nvct_config_clear(&c);
                fail();
        }
        assert_int_equal(r, -1);
        assert_non_null(err);
        assert_null(c.source);
        assert_contains(err->msg, "\"test.toml\"");
        char *msg = strdup(err->msg);
        assert_non_null(msg);
        nvct_error_free(&err);
        return msg;
}

static void assert_strv(const nvct_strv *s, const char *const *want) {
        size_t n = 0;
        while (want != NULL && want[n] != NULL)
                n++;
        assert_int_equal(s->n, n);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(s->v[i], want[i]);
        if (n > 0)
                assert_null(s->v[n]);
}

/* Whether the field holds the profile's default from the table. */
static void assert_key_default(const nvct_config *c, const nvct_config_key *k,
                               nvct_config_profile p) {
        const void *field = nvct_config_field_const(c, k);
        const nvct_config_default *d = &k->defaults[p];
        switch (k->type) {
        case NVCT_CONFIG_BOOL:
                assert_int_equal(*(const bool *)field, d->b);
                break;
        case NVCT_CONFIG_STRING:
                if (d->s == NULL)
                        assert_null(*(char *const *)field);
                else
                        assert_string_equal(*(char *const *)field, d->s);
                break;
        case NVCT_CONFIG_STRV:
                assert_strv(field, d->v);
                break;
        }
}

static void assert_all_defaults(const nvct_config *c, nvct_config_profile p) {
        for (size_t i = 0; i < nvct_config_n_keys; i++)
                assert_key_default(c, &nvct_config_keys[i], p);
}

/* ---- the table ---- */

static void test_table(void **state) {
        (void)state;
        assert_true(nvct_config_n_keys >= 30);
        for (size_t i = 0; i < nvct_config_n_keys; i++) {
                const nvct_config_key *k = &nvct_config_keys[i];
                assert_non_null(k->path);
                assert_non_null(k->doc);
                assert_true(strlen(k->doc) > 10);
                assert_true(k->offset < sizeof(nvct_config));
                assert_true(nvct_config_key_read_by(k, NVCT_CONFIG_PROFILE_TOOLKIT));
                assert_ptr_equal(nvct_config_key_find(k->path), k);
                for (size_t j = 0; j < i; j++) {
                        assert_true(strcmp(nvct_config_keys[j].path, k->path) != 0);
                        assert_true(nvct_config_keys[j].offset != k->offset);
                }
                /* The hook's defaults allocate nothing (so its init cannot
                 * fail), and a key it does not read stays empty there. */
                const nvct_config_default *h = &k->defaults[NVCT_CONFIG_PROFILE_HOOK];
                assert_null(h->s);
                assert_null(h->v);
                if (!nvct_config_key_read_by(k, NVCT_CONFIG_PROFILE_HOOK))
                        assert_false(h->b);
        }
        assert_null(nvct_config_key_find("nvidia-container-cli"));
        assert_null(nvct_config_key_find("no-such-key"));
        assert_null(nvct_config_key_find("NVIDIA-CTK.PATH"));

        /* The view src/hook/command.c uses aliases the loader's list. */
        assert_int_equal(offsetof(nvct_cli_config, environment),
                         offsetof(nvct_cli_config, environment_list.v));
        assert_int_equal(offsetof(nvct_cli_config, n_environment),
                         offsetof(nvct_cli_config, environment_list.n));
}

/* The hook reads exactly the keys the 1.3.0 hook knew, and the newer ones
 * it acts on (issue 13), whose hook defaults are unset or false so that a
 * 1.3.0 config means what it meant. */
static void test_hook_reads_1_3_0_keys(void **state) {
        (void)state;
        static const char *const known[] = {
                "disable-require",
                "swarm-resource",
                "accept-nvidia-visible-devices-envvar-when-unprivileged",
                "accept-nvidia-visible-devices-as-volume-mounts",
                "nvidia-container-cli.root",
                "nvidia-container-cli.path",
                "nvidia-container-cli.environment",
                "nvidia-container-cli.debug",
                "nvidia-container-cli.ldcache",
                "nvidia-container-cli.load-kmods",
                "nvidia-container-cli.no-pivot",
                "nvidia-container-cli.no-cgroups",
                "nvidia-container-cli.user",
                "nvidia-container-cli.ldconfig",
        };
        static const char *const newer[] = {
                "supported-driver-capabilities",
                "nvidia-container-runtime.mode",
                "nvidia-container-runtime.modes.legacy.cuda-compat-mode",
                "nvidia-container-runtime-hook.skip-mode-detection",
                "features.disable-imex-channel-creation",
                "features.ignore-imex-channel-requests",
        };
        size_t n_hook = 0;
        for (size_t i = 0; i < nvct_config_n_keys; i++)
                if (nvct_config_key_read_by(&nvct_config_keys[i], NVCT_CONFIG_PROFILE_HOOK))
                        n_hook++;
        assert_int_equal(n_hook, ARRAY_SIZE(known) + ARRAY_SIZE(newer));
        for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
                const nvct_config_key *k = nvct_config_key_find(known[i]);
                assert_non_null(k);
                assert_true(nvct_config_key_read_by(k, NVCT_CONFIG_PROFILE_HOOK));
        }
        for (size_t i = 0; i < ARRAY_SIZE(newer); i++) {
                const nvct_config_key *k = nvct_config_key_find(newer[i]);
                assert_non_null(k);
                assert_true(nvct_config_key_read_by(k, NVCT_CONFIG_PROFILE_HOOK));
                /* Unset or false for the hook: nothing changes unless set. */
                const nvct_config_default *d = &k->defaults[NVCT_CONFIG_PROFILE_HOOK];
                assert_false(d->b);
                assert_null(d->s);
                assert_null(d->v);
        }
}

/* ---- defaults: the reference's values, written out ---- */

static void test_toolkit_defaults(void **state) {
        (void)state;
        nvct_config c;
        defaults_ok(&c, NVCT_CONFIG_PROFILE_TOOLKIT);
        assert_false(c.disable_require);
        assert_null(c.swarm_resource);
        assert_true(c.accept_envvar_unprivileged);
        assert_false(c.accept_volume_mounts);
        assert_string_equal(c.supported_driver_capabilities,
                            "compat32,compute,display,graphics,ngx,utility,video");
        assert_null(c.cli.root);
        assert_null(c.cli.path);
        assert_int_equal(c.cli.n_environment, 0);
        assert_true(c.cli.load_kmods);
        assert_false(c.cli.no_pivot);
        assert_false(c.cli.no_cgroups);
        assert_null(c.cli.user);
        assert_string_equal(c.cli.ldconfig, "@/sbin/ldconfig");
        assert_string_equal(c.runtime.debug, "/dev/null");
        assert_string_equal(c.runtime.log_level, "info");
        assert_string_equal(c.runtime.mode, "auto");
        assert_strv(&c.runtime.runtimes, (const char *const[]){ "runc", "crun", NULL });
        assert_string_equal(c.runtime.cdi.default_kind, "nvidia.com/gpu");
        assert_strv(&c.runtime.cdi.annotation_prefixes,
                    (const char *const[]){ "cdi.k8s.io/", NULL });
        assert_strv(&c.runtime.cdi.spec_dirs,
                    (const char *const[]){ "/etc/cdi", "/var/run/cdi", NULL });
        assert_int_equal(c.runtime.jit_cdi.nvcdi_feature_flags.n, 0);
        assert_string_equal(c.runtime.csv.mount_spec_path,
                            "/etc/nvidia-container-runtime/host-files-for-container.d");
        assert_null(c.runtime.csv.compat_container_root);
        assert_string_equal(c.runtime.legacy.cuda_compat_mode, "ldconfig");
        assert_string_equal(c.runtime_hook.path, "nvidia-container-runtime-hook");
        assert_false(c.runtime_hook.skip_mode_detection);
        assert_string_equal(c.ctk.path, "nvidia-ctk");
        assert_false(c.features.allow_cuda_compat_libs_from_container);
        assert_false(c.features.allow_ldconfig_from_container);
        assert_false(c.features.disable_cuda_compat_lib_hook);
        assert_false(c.features.disable_imex_channel_creation);
        assert_false(c.features.ignore_imex_channel_requests);
        assert_all_defaults(&c, NVCT_CONFIG_PROFILE_TOOLKIT);

        /* clear empties: every field zero, not the defaults. */
        nvct_config_clear(&c);
        nvct_config zero = { .source = NULL };
        assert_memory_equal(&c, &zero, sizeof(c));
        nvct_config_clear(NULL);
}

static void test_hook_defaults(void **state) {
        (void)state;
        nvct_config c;
        defaults_ok(&c, NVCT_CONFIG_PROFILE_HOOK);
        assert_true(c.accept_envvar_unprivileged);
        assert_true(c.cli.load_kmods);
        /* 1.3.0's, not the toolkit's: unset. */
        assert_null(c.cli.ldconfig);
        /* Keys 1.3.0 did not know stay empty. */
        assert_null(c.supported_driver_capabilities);
        assert_null(c.runtime.mode);
        assert_int_equal(c.runtime.runtimes.n, 0);
        assert_null(c.ctk.path);
        assert_all_defaults(&c, NVCT_CONFIG_PROFILE_HOOK);
        nvct_config_clear(&c);

        nvct_hook_config h;
        nvct_hook_config_init_defaults(&h);
        assert_all_defaults(&h, NVCT_CONFIG_PROFILE_HOOK);
        /* The hook's clear leaves its defaults. */
        nvct_hook_config_clear(&h);
        assert_true(h.cli.load_kmods);
        assert_all_defaults(&h, NVCT_CONFIG_PROFILE_HOOK);
}

/* ---- every key: a value, a wrong type ---- */

/* A document that sets key `k` to a value of its type, different from the
 * profile's default; `wrong` gives one of another type instead. */
static char *document(const nvct_config_key *k, nvct_config_profile p, bool wrong) {
        switch (k->type) {
        case NVCT_CONFIG_BOOL:
                return wrong ? xasprintf("%s = \"true\"\n", k->path)
                             : xasprintf("%s = %s\n", k->path, k->defaults[p].b ? "false" : "true");
        case NVCT_CONFIG_STRING:
                return wrong ? xasprintf("%s = 5\n", k->path)
                             : xasprintf("%s = \"/value/of/%s\"\n", k->path, k->path);
        case NVCT_CONFIG_STRV:
                return wrong ? xasprintf("%s = \"one\"\n", k->path)
                             : xasprintf("%s = [\"first\", \"second %s\"]\n", k->path, k->path);
        }
        return NULL;
}

static void assert_key_value(const nvct_config *c, const nvct_config_key *k,
                             nvct_config_profile p) {
        const void *field = nvct_config_field_const(c, k);
        char *want = NULL;
        switch (k->type) {
        case NVCT_CONFIG_BOOL:
                assert_int_equal(*(const bool *)field, !k->defaults[p].b);
                break;
        case NVCT_CONFIG_STRING:
                want = xasprintf("/value/of/%s", k->path);
                assert_string_equal(*(char *const *)field, want);
                break;
        case NVCT_CONFIG_STRV:
                want = xasprintf("second %s", k->path);
                /* The value replaces the default list. */
                assert_strv(field, (const char *const[]){ "first", want, NULL });
                break;
        }
        free(want);
}

static void test_every_key(void **state) {
        (void)state;
        for (size_t i = 0; i < nvct_config_n_keys; i++) {
                const nvct_config_key *k = &nvct_config_keys[i];
                for (size_t j = 0; j < ARRAY_SIZE(profiles); j++) {
                        nvct_config_profile p = profiles[j];
                        bool reads = nvct_config_key_read_by(k, p);
                        char *good = document(k, p, false);
                        char *bad = document(k, p, true);
                        nvct_config c;
                        parse_ok(good, p, &c);
                        if (reads)
                                assert_key_value(&c, k, p);
                        else
                                assert_key_default(&c, k, p);
                        /* Every other key keeps its default. */
                        for (size_t m = 0; m < nvct_config_n_keys; m++)
                                if (m != i)
                                        assert_key_default(&c, &nvct_config_keys[m], p);
                        nvct_config_clear(&c);

                        if (reads) {
                                char *msg = parse_fails(bad, p);
                                char *want = xasprintf("\"test.toml\": %s must be ", k->path);
                                assert_contains(msg, want);
                                free(want);
                                free(msg);
                        } else {
                                /* Unknown to this program: ignored, whatever its type. */
                                parse_ok(bad, p, &c);
                                assert_key_default(&c, k, p);
                                nvct_config_clear(&c);
                        }
                        free(good);
                        free(bad);
                }
        }
}

static void test_list_items_typed(void **state) {
        (void)state;
        char *msg = parse_fails("nvidia-container-runtime.runtimes = [\"runc\", 1]\n",
                                NVCT_CONFIG_PROFILE_TOOLKIT);
        assert_contains(msg, "nvidia-container-runtime.runtimes[1] must be a string, not integer");
        free(msg);
        msg = parse_fails("[nvidia-container-runtime.modes.cdi]\nspec-dirs = [\"/a\\u0000b\"]\n",
                          NVCT_CONFIG_PROFILE_TOOLKIT);
        assert_contains(msg, "nvidia-container-runtime.modes.cdi.spec-dirs contains a NUL");
        free(msg);

        /* An empty list empties the default. */
        nvct_config c;
        parse_ok("[nvidia-container-runtime]\nruntimes = []\n", NVCT_CONFIG_PROFILE_TOOLKIT, &c);
        assert_int_equal(c.runtime.runtimes.n, 0);
        nvct_config_clear(&c);
}

/* ---- sections ---- */

static void test_sections_must_be_tables(void **state) {
        (void)state;
        static const struct {
                const char *text, *section;
                bool hook_reads; /* the hook reads a key inside it */
        } cases[] = {
                { "nvidia-container-runtime = 1\n", "nvidia-container-runtime must be a table",
                  true },
                { "nvidia-container-runtime.modes = \"x\"\n",
                  "nvidia-container-runtime.modes must be a table, not string", true },
                { "[nvidia-container-runtime.modes]\ncdi = []\n",
                  "nvidia-container-runtime.modes.cdi must be a table, not array", false },
                { "features = true\n", "features must be a table", true },
                { "nvidia-ctk = \"/usr/bin/nvidia-ctk\"\n", "nvidia-ctk must be a table", false },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char *msg = parse_fails(cases[i].text, NVCT_CONFIG_PROFILE_TOOLKIT);
                assert_contains(msg, cases[i].section);
                free(msg);
                if (cases[i].hook_reads) {
                        /* The hook reads mode, cuda-compat-mode and the IMEX
                         * features there: the same error. */
                        msg = parse_fails(cases[i].text, NVCT_CONFIG_PROFILE_HOOK);
                        assert_contains(msg, cases[i].section);
                        free(msg);
                        continue;
                }
                /* The hook reads no key of these sections. */
                nvct_config c;
                parse_ok(cases[i].text, NVCT_CONFIG_PROFILE_HOOK, &c);
                assert_all_defaults(&c, NVCT_CONFIG_PROFILE_HOOK);
                nvct_config_clear(&c);
        }
        /* Both know this one. */
        char *msg = parse_fails("nvidia-container-cli = 1\n", NVCT_CONFIG_PROFILE_HOOK);
        assert_contains(msg, "nvidia-container-cli must be a table, not integer");
        free(msg);
}

static void test_nested_forms(void **state) {
        (void)state;
        nvct_config c;
        parse_ok("[nvidia-container-runtime]\n"
                 "mode = \"cdi\"\n"
                 "[nvidia-container-runtime.modes.cdi]\n"
                 "default-kind = \"example.com/gpu\"\n"
                 "[nvidia-container-runtime.modes]\n"
                 "legacy = { cuda-compat-mode = \"mount\" }\n"
                 "csv.mount-spec-path = \"/csv\"\n"
                 "[features]\n"
                 "ignore-imex-channel-requests = true\n",
                 NVCT_CONFIG_PROFILE_TOOLKIT, &c);
        assert_string_equal(c.runtime.mode, "cdi");
        assert_string_equal(c.runtime.cdi.default_kind, "example.com/gpu");
        assert_string_equal(c.runtime.legacy.cuda_compat_mode, "mount");
        assert_string_equal(c.runtime.csv.mount_spec_path, "/csv");
        assert_true(c.features.ignore_imex_channel_requests);
        assert_string_equal(c.runtime.log_level, "info");
        nvct_config_clear(&c);
}

/* ---- key matching ---- */

static void test_toolkit_key_matching(void **state) {
        (void)state;
        nvct_config c;
        /* go-toml v1: the exact tag or its upper-case form. */
        parse_ok("DISABLE-REQUIRE = true\n"
                 "[NVIDIA-CONTAINER-RUNTIME]\n"
                 "LOG-LEVEL = \"debug\"\n",
                 NVCT_CONFIG_PROFILE_TOOLKIT, &c);
        assert_true(c.disable_require);
        assert_string_equal(c.runtime.log_level, "debug");
        nvct_config_clear(&c);
        /* Mixed case is another key. */
        parse_ok("Disable-Require = true\n[nvidia-container-runtime]\nLog-Level = \"debug\"\n",
                 NVCT_CONFIG_PROFILE_TOOLKIT, &c);
        assert_false(c.disable_require);
        assert_string_equal(c.runtime.log_level, "info");
        nvct_config_clear(&c);
        /* The exact key wins, in either order. */
        parse_ok("DISABLE-REQUIRE = true\ndisable-require = false\n", NVCT_CONFIG_PROFILE_TOOLKIT,
                 &c);
        assert_false(c.disable_require);
        nvct_config_clear(&c);
        /* The hook folds case (Go's rules, long s included). */
        parse_ok("Disable-Require = true\n", NVCT_CONFIG_PROFILE_HOOK, &c);
        assert_true(c.disable_require);
        nvct_config_clear(&c);
}

/* ---- the installed config.toml ---- */

static void test_installed_config(void **state) {
        (void)state;
        char *data = NULL;
        size_t len = 0;
        nvct_error *err = NULL;
        assert_int_equal(nvct_read_regular(TEST_SRCDIR "/../../data/config.toml", "config file",
                                           NVCT_CONFIG_MAX_SIZE, false, &data, &len, &err),
                         0);
        /* Both programs read it and get their defaults, except the one
         * setting it makes for the hook: the host's ldconfig. */
        for (size_t j = 0; j < ARRAY_SIZE(profiles); j++) {
                nvct_config c;
                assert_int_equal(nvct_config_parse(data, len, "config.toml", profiles[j], &c, &err),
                                 0);
                for (size_t i = 0; i < nvct_config_n_keys; i++) {
                        const nvct_config_key *k = &nvct_config_keys[i];
                        if (strcmp(k->path, "nvidia-container-cli.ldconfig") != 0)
                                assert_key_default(&c, k, profiles[j]);
                }
                assert_string_equal(c.cli.ldconfig, "@/sbin/ldconfig");
                nvct_strv keys = { 0 };
                assert_int_equal(nvct_config_unknown_keys(data, len, "config.toml", &keys, &err),
                                 0);
                assert_int_equal(keys.n, 0); /* the wrapper warns about none */
                nvct_strv_clear(&keys);
                nvct_config_clear(&c);
        }
        free(data);
}

/* The keys no table entry names, for the wrapper's log: unknown keys and
 * tables anywhere, not the known ones in either case form. */
static void unknown_keys(const char *text, nvct_strv *keys) {
        nvct_error *err = NULL;
        if (nvct_config_unknown_keys(text, strlen(text), "test.toml", keys, &err) < 0)
                fail_msg("%s", err->msg);
}

static void test_unknown_keys(void **state) {
        (void)state;
        const char *text = "foo = 1\n"
                           "[nvidia-container-runtime]\n"
                           "mdoe = \"cdi\"\n"
                           "DEBUG = \"/x\"\n"
                           "[nvidia-container-runtime.modes.cdi]\n"
                           "spec-dir = [\"/x\"]\n"
                           "default-kind = \"a.b/c\"\n"
                           "[nvidia-container-runtime.modes.new-mode]\n"
                           "x = 1\n"
                           "[nvidia-ctk]\n"
                           "path = \"/x\"\n";
        nvct_strv keys = { 0 };
        unknown_keys(text, &keys);
        assert_int_equal(keys.n, 4);
        assert_string_equal(keys.v[0], "foo");
        assert_string_equal(keys.v[1], "nvidia-container-runtime.mdoe");
        assert_string_equal(keys.v[2], "nvidia-container-runtime.modes.cdi.spec-dir");
        assert_string_equal(keys.v[3], "nvidia-container-runtime.modes.new-mode");
        nvct_strv_clear(&keys);

        /* A TOML error is the parser's, with its line. */
        nvct_error *err = NULL;
        assert_int_equal(nvct_config_unknown_keys("[x\n", 3, "test.toml", &keys, &err), -1);
        assert_contains(err->msg, "test.toml");
        nvct_error_free(&err);

        /* Bounded: a file of many unknown keys keeps NVCT_CONFIG_MAX_UNKNOWN. */
        char *big = NULL;
        size_t big_len = 0;
        FILE *f = open_memstream(&big, &big_len);
        assert_non_null(f);
        for (int i = 0; i < 1000; i++)
                fprintf(f, "k%d = 1\n", i);
        assert_int_equal(fclose(f), 0);
        unknown_keys(big, &keys);
        assert_int_equal(keys.n, NVCT_CONFIG_MAX_UNKNOWN);
        assert_string_equal(keys.v[0], "k0");
        nvct_strv_clear(&keys);
        free(big);
}

/* NVIDIA's GetConfigFilePath order; empty variables count as unset. */
static void test_toolkit_path(void **state) {
        (void)state;
        char *p;
        setenv("NVIDIA_CTK_CONFIG_FILE_PATH", "/x/c.toml", 1);
        setenv("XDG_CONFIG_HOME", "/xdg", 1);
        assert_string_equal(p = nvct_config_toolkit_path(), "/x/c.toml");
        free(p);
        setenv("NVIDIA_CTK_CONFIG_FILE_PATH", "", 1);
        assert_string_equal(p = nvct_config_toolkit_path(),
                            "/xdg/nvidia-container-runtime/config.toml");
        free(p);
        unsetenv("NVIDIA_CTK_CONFIG_FILE_PATH");
        setenv("XDG_CONFIG_HOME", "", 1);
        assert_string_equal(p = nvct_config_toolkit_path(),
                            "/etc/nvidia-container-runtime/config.toml");
        free(p);
        unsetenv("XDG_CONFIG_HOME");
        assert_string_equal(p = nvct_config_toolkit_path(),
                            "/etc/nvidia-container-runtime/config.toml");
        free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_hook_reads_1_3_0_keys),
                cmocka_unit_test(test_toolkit_defaults),
                cmocka_unit_test(test_hook_defaults),
                cmocka_unit_test(test_every_key),
                cmocka_unit_test(test_list_items_typed),
                cmocka_unit_test(test_sections_must_be_tables),
                cmocka_unit_test(test_nested_forms),
                cmocka_unit_test(test_toolkit_key_matching),
                cmocka_unit_test(test_installed_config),
                cmocka_unit_test(test_unknown_keys),
                cmocka_unit_test(test_toolkit_path),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
