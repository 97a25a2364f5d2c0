/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the -dry-run report: the exact lines for a GPU container
 * and for a container that is not one, and the quoting of untrusted bytes. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hook/command.h"
#include "policy/decision.h"
#include "oci/env.h"
#include "basic/error.h"
#include "config/hookconfig.h"
#include "hook/report.h"

/* ---- helpers ---- */

static char *render(const nvct_report_input *in) {
        nvct_error *err = NULL;
        char *text = NULL;
        int r = nvct_report_render(in, &text, &err);
        if (r < 0) {
                print_error("unexpected failure: %s\n", err->msg);
                nvct_error_free(&err);
                fail();
        }
        assert_int_equal(r, 0);
        assert_null(err);
        assert_non_null(text);
        /* Whole lines only, and never a raw control character but '\n'. */
        size_t len = strlen(text);
        assert_true(len > 0);
        assert_int_equal(text[len - 1], '\n');
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)text[i];
                if (c != '\n' && (c < 0x20 || c >= 0x7f)) {
                        print_error("raw byte 0x%02x at offset %zu in:\n%s", c, i, text);
                        fail();
                }
        }
        return text;
}

/* Whether `line` is one whole line of `text`, at or after *pos; moves *pos
 * past it. */
static bool find_line(const char *text, const char *line, size_t *pos) {
        size_t n = strlen(line);
        const char *p = text + *pos;
        while (*p != '\0') {
                const char *eol = strchr(p, '\n');
                size_t len = eol ? (size_t)(eol - p) : strlen(p);
                if (len == n && memcmp(p, line, n) == 0) {
                        *pos = (size_t)(p - text) + len + (eol ? 1 : 0);
                        return true;
                }
                if (eol == NULL)
                        break;
                p = eol + 1;
        }
        return false;
}

/* Each expected line appears, whole, in this order. */
static void assert_lines_in_order(const char *text, const char *const *lines) {
        size_t pos = 0;
        for (size_t i = 0; lines[i] != NULL; i++) {
                if (!find_line(text, lines[i], &pos)) {
                        print_error("line %zu not found (in order): %s\nin:\n%s", i, lines[i],
                                    text);
                        fail();
                }
        }
}

static void assert_has_line(const char *text, const char *line) {
        size_t pos = 0;
        if (!find_line(text, line, &pos)) {
                print_error("line not found: %s\nin:\n%s", line, text);
                fail();
        }
}

static void assert_no_line_starting(const char *text, const char *prefix) {
        size_t n = strlen(prefix);
        for (const char *p = text; p != NULL && *p != '\0';) {
                if (strncmp(p, prefix, n) == 0) {
                        print_error("unexpected line starting with %s in:\n%s", prefix, text);
                        fail();
                }
                p = strchr(p, '\n');
                if (p != NULL)
                        p++;
        }
}

/* No config file: the config line (the second) says so, unquoted, so that
 * it cannot be mistaken for a file of that name. */
static void assert_builtin_defaults(const char *text) {
        const char *line = strchr(text, '\n');
        assert_non_null(line);
        line++;
        const char *want = "config: none (built-in defaults)\n";
        assert_true(strncmp(line, want, strlen(want)) == 0);
}

/* ---- a GPU container ---- */

static void test_gpu_report(void **state) {
        (void)state;
        nvct_hook_config config;
        nvct_hook_config_init_defaults(&config);
        config.source = (char *)"/etc/nvidia-container-runtime/config.toml";
        char *cfg_env[] = { (char *)"LD_LIBRARY_PATH=/opt/lib", NULL };
        config.cli.environment = cfg_env;
        config.cli.n_environment = 1;

        nvct_requirement reqs[] = {
                { .value = (char *)"cuda>=11.0",
                  .value_len = 10,
                  .origin = (char *)"NVIDIA_REQUIRE_CUDA",
                  .origin_len = 19 },
                { .value = (char *)"driver>=418 brand=tesla",
                  .value_len = 23,
                  .origin = (char *)"NVIDIA_REQUIRE_DRIVER",
                  .origin_len = 21 },
        };
        nvct_request req = {
                .gpu_container = true,
                .devices_origin = (char *)"NVIDIA_VISIBLE_DEVICES",
                .devices = (char *)"0,GPU-abc",
                .devices_len = 9,
                .mig_config_devices = (char *)"0",
                .mig_config_devices_len = 1,
                .mig_monitor_devices = (char *)"",
                .driver_capabilities = (char *)"utility,compute",
                .driver_capabilities_len = 15,
                .driver_capabilities_origin = (char *)"default: NVIDIA_DRIVER_CAPABILITIES unset",
                .requirements = reqs,
                .n_requirements = 2,
        };
        char *argv[] = { (char *)"/usr/bin/nvidia-container-cli",
                         (char *)"--load-kmods",
                         (char *)"configure",
                         (char *)"--device=0,GPU-abc",
                         (char *)"--mig-config=0",
                         (char *)"--utility",
                         (char *)"--compute",
                         (char *)"--require=cuda>=11.0",
                         (char *)"--require=driver>=418 brand=tesla",
                         (char *)"--pid=42",
                         (char *)"/rootfs",
                         NULL };
        nvct_command cmd = {
                .argv = argv,
                .argc = 11,
                .search_path = (char *)"/usr/sbin:/usr/bin",
        };
        nvct_report_input in = {
                .config = &config,
                .spec_path = "/run/bundle/config.json",
                .pid = 42,
                .request = &req,
                .rootfs = "/rootfs",
                .command = &cmd,
        };
        char *text = render(&in);
        const char *lines[] = {
                "config: /etc/nvidia-container-runtime/config.toml",
                "spec: /run/bundle/config.json",
                "pid: 42",
                "privileged: no (CAP_SYS_ADMIN not in process.capabilities)",
                "legacy-image: no",
                "gpu-container: yes",
                "devices: 0,GPU-abc (NVIDIA_VISIBLE_DEVICES)",
                "mig-config: 0 (NVIDIA_MIG_CONFIG_DEVICES)",
                "capabilities: utility,compute (default: NVIDIA_DRIVER_CAPABILITIES unset)",
                "requirement: cuda>=11.0 (NVIDIA_REQUIRE_CUDA)",
                "requirement: \"driver>=418 brand=tesla\" (NVIDIA_REQUIRE_DRIVER)",
                "requirements-checked: yes",
                "rootfs: /rootfs",
                "cli: /usr/bin/nvidia-container-cli (found in PATH)",
                "argv[0]: /usr/bin/nvidia-container-cli",
                "argv[1]: --load-kmods",
                "argv[2]: configure",
                "argv[3]: --device=0,GPU-abc",
                "argv[4]: --mig-config=0",
                "argv[5]: --utility",
                "argv[6]: --compute",
                "argv[7]: --require=cuda>=11.0",
                "argv[8]: \"--require=driver>=418 brand=tesla\"",
                "argv[9]: --pid=42",
                "argv[10]: /rootfs",
                "env: PATH=/usr/sbin:/usr/bin (the PATH searched for the CLI)",
                "env: LD_LIBRARY_PATH=/opt/lib (nvidia-container-cli.environment)",
                "exec: yes",
                NULL,
        };
        assert_lines_in_order(text, lines);
        /* Empty MIG monitor devices: no line. */
        assert_no_line_starting(text, "mig-monitor:");
        assert_no_line_starting(text, "argv[11]");
        assert_no_line_starting(text, "exec: none");
        free(text);
}

static void test_gpu_report_variants(void **state) {
        (void)state;
        nvct_hook_config config;
        nvct_hook_config_init_defaults(&config);
        nvct_request req = {
                .gpu_container = true,
                .legacy_image = true,
                .privileged = true,
                .devices_origin = (char *)"NVIDIA_VISIBLE_DEVICES=none",
                .devices = (char *)"",
                .mig_monitor_devices = (char *)"all",
                .mig_monitor_devices_len = 3,
                .driver_capabilities = (char *)"utility",
                .driver_capabilities_len = 7,
                .driver_capabilities_origin = (char *)"NVIDIA_DRIVER_CAPABILITIES",
                .disable_require = true,
        };
        char *argv[] = { (char *)"/opt/cli",  (char *)"configure",
                         (char *)"--utility", (char *)"--pid=18446744073709551615",
                         (char *)"/r",        NULL };
        nvct_command cmd = { .argv = argv, .argc = 5 };
        nvct_report_input in = {
                .config = &config,
                .spec_path = "config.json",
                .pid = -1,
                .request = &req,
                .rootfs = "/r",
                .command = &cmd,
        };
        char *text = render(&in);
        assert_builtin_defaults(text);
        const char *lines[] = {
                "spec: config.json",
                "pid: 18446744073709551615",
                "privileged: yes (CAP_SYS_ADMIN in process.capabilities)",
                "legacy-image: yes (CUDA_VERSION set, NVIDIA_REQUIRE_CUDA unset or empty)",
                "gpu-container: yes",
                "devices: none (NVIDIA_VISIBLE_DEVICES=none)",
                "mig-monitor: all (NVIDIA_MIG_MONITOR_DEVICES)",
                "capabilities: utility (NVIDIA_DRIVER_CAPABILITIES)",
                "requirements-checked: no (NVIDIA_DISABLE_REQUIRE)",
                "rootfs: /r",
                "cli: /opt/cli (path in the config)",
                "argv[0]: /opt/cli",
                "argv[4]: /r",
                "exec: yes",
                NULL,
        };
        assert_lines_in_order(text, lines);
        assert_no_line_starting(text, "requirement:");
        assert_no_line_starting(text, "mig-config:");
        /* The config path names the CLI: no PATH line. */
        assert_no_line_starting(text, "env:");
        free(text);

        /* disable-require in the config says so, over the variable. */
        config.disable_require = true;
        text = render(&in);
        assert_has_line(text, "requirements-checked: no (disable-require = true in the config)");
        free(text);
}

/* ---- not a GPU container ---- */

static void test_not_gpu_report(void **state) {
        (void)state;
        nvct_hook_config config;
        nvct_hook_config_init_defaults(&config);
        nvct_env env;
        nvct_env_init(&env);
        nvct_error *err = NULL;
        static const char entry[] = "NVIDIA_VISIBLE_DEVICES=void";
        assert_int_equal(nvct_env_add_entry(&env, entry, strlen(entry), 0, &err), 0);
        nvct_decision_input din = { .config = &config, .env = &env };
        nvct_request req = { 0 };
        assert_int_equal(nvct_decide(&din, &req, &err), 0);
        assert_false(req.gpu_container);

        nvct_report_input in = {
                .config = &config,
                .spec_path = "/b/config.json",
                .pid = 7,
                .request = &req,
        };
        char *text = render(&in);
        assert_builtin_defaults(text);
        const char *lines[] = {
                "spec: /b/config.json",
                "pid: 7",
                "privileged: no (CAP_SYS_ADMIN not in process.capabilities)",
                "legacy-image: no",
                "gpu-container: no (NVIDIA_VISIBLE_DEVICES=void)",
                "exec: none",
                NULL,
        };
        assert_lines_in_order(text, lines);
        /* "exec: none" is the last line; nothing about a command. */
        size_t len = strlen(text);
        assert_true(len >= strlen("exec: none\n"));
        assert_string_equal(text + len - strlen("exec: none\n"), "exec: none\n");
        assert_no_line_starting(text, "gpu-container: yes");
        assert_no_line_starting(text, "devices:");
        assert_no_line_starting(text, "argv[");
        assert_no_line_starting(text, "cli:");
        assert_no_line_starting(text, "rootfs:");
        free(text);
        nvct_request_clear(&req);
        nvct_env_clear(&env);
}

/* ---- quoting ---- */

static void test_control_characters_quoted(void **state) {
        (void)state;
        nvct_hook_config config;
        nvct_hook_config_init_defaults(&config);
        config.source = (char *)"/etc/my config.toml";
        char *cfg_env[] = { (char *)"MSG=a\tb", NULL };
        config.cli.environment = cfg_env;
        config.cli.n_environment = 1;

        nvct_requirement reqs[] = {
                { .value = (char *)"cuda>=1\x1b[2J",
                  .value_len = 11,
                  .origin = (char *)"NVIDIA_REQUIRE_\x01X",
                  .origin_len = 17 },
                { .value = (char *)"a\"b\\c",
                  .value_len = 5,
                  .origin = (char *)"NVIDIA_REQUIRE_Q",
                  .origin_len = 16 },
        };
        nvct_request req = {
                .gpu_container = true,
                .devices_origin = (char *)"NVIDIA_VISIBLE_DEVICES",
                .devices = (char *)"0\n1\0"
                                   "2",
                .devices_len = 5,
                .mig_config_devices = (char *)"\r",
                .mig_config_devices_len = 1,
                .driver_capabilities = (char *)"utility,\x7f",
                .driver_capabilities_len = 9,
                .driver_capabilities_origin = (char *)"NVIDIA_DRIVER_CAPABILITIES",
                .requirements = reqs,
                .n_requirements = 2,
        };
        char *argv[] = { (char *)"/cli", (char *)"--device=x\ty", (char *)"/root fs", NULL };
        nvct_command cmd = { .argv = argv, .argc = 3, .search_path = (char *)"/a b" };
        nvct_report_input in = {
                .config = &config,
                .spec_path = "/b/\xff.json",
                .pid = 1,
                .request = &req,
                .rootfs = "/root fs",
                .command = &cmd,
        };
        char *text = render(&in);
        const char *lines[] = {
                "config: \"/etc/my config.toml\"",
                "spec: \"/b/\\xff.json\"",
                "devices: \"0\\n1\\x002\" (NVIDIA_VISIBLE_DEVICES)",
                "mig-config: \"\\r\" (NVIDIA_MIG_CONFIG_DEVICES)",
                "capabilities: \"utility,\\x7f\" (NVIDIA_DRIVER_CAPABILITIES)",
                "requirement: \"cuda>=1\\x1b[2J\" (\"NVIDIA_REQUIRE_\\x01X\")",
                "requirement: \"a\\\"b\\\\c\" (NVIDIA_REQUIRE_Q)",
                "rootfs: \"/root fs\"",
                "argv[1]: \"--device=x\\ty\"",
                "argv[2]: \"/root fs\"",
                "env: \"PATH=/a b\" (the PATH searched for the CLI)",
                "env: \"MSG=a\\tb\" (nvidia-container-cli.environment)",
                "exec: yes",
                NULL,
        };
        assert_lines_in_order(text, lines);
        free(text);
}

static void test_long_values_not_cut(void **state) {
        (void)state;
        /* The report is exact: a long argument is shown whole, even quoted. */
        char value[301];
        for (size_t i = 0; i < 300; i++)
                value[i] = (char)('a' + i % 26);
        value[299] = ' ';
        value[300] = '\0';
        nvct_hook_config config;
        nvct_hook_config_init_defaults(&config);
        nvct_request req = {
                .gpu_container = true,
                .devices_origin = (char *)"NVIDIA_VISIBLE_DEVICES",
                .devices = value,
                .devices_len = 300,
                .driver_capabilities = (char *)"utility",
                .driver_capabilities_len = 7,
                .driver_capabilities_origin = (char *)"NVIDIA_DRIVER_CAPABILITIES",
        };
        char *argv[] = { (char *)"/cli", value, NULL };
        nvct_command cmd = { .argv = argv, .argc = 2 };
        nvct_report_input in = {
                .config = &config,
                .spec_path = "s",
                .pid = 1,
                .request = &req,
                .rootfs = "/r",
                .command = &cmd,
        };
        char *text = render(&in);
        char *line = NULL;
        assert_true(asprintf(&line, "argv[1]: \"%s\"", value) > 0);
        assert_has_line(text, line);
        free(line);
        assert_true(asprintf(&line, "devices: \"%s\" (NVIDIA_VISIBLE_DEVICES)", value) > 0);
        assert_has_line(text, line);
        free(line);
        free(text);
}

/* ---- end to end: decision, command, report ---- */

static void test_report_from_decision(void **state) {
        (void)state;
        nvct_hook_config config;
        nvct_hook_config_init_defaults(&config);
        config.cli.path = strdup("/usr/bin/nvidia-container-cli");
        assert_non_null(config.cli.path);
        config.source = strdup("/etc/nvidia-container-runtime/config.toml");
        assert_non_null(config.source);

        nvct_env env;
        nvct_env_init(&env);
        nvct_error *err = NULL;
        static const char *const entries[] = { "CUDA_VERSION=10.1.243",
                                               "NVIDIA_REQUIRE_DRIVER=driver>=418", NULL };
        for (size_t i = 0; entries[i] != NULL; i++)
                assert_int_equal(nvct_env_add_entry(&env, entries[i], strlen(entries[i]), i, &err),
                                 0);
        nvct_decision_input din = { .config = &config, .env = &env, .privileged = true };
        nvct_request req = { 0 };
        assert_int_equal(nvct_decide(&din, &req, &err), 0);
        assert_true(req.gpu_container);

        static char *const no_env[] = { NULL };
        nvct_command_input cin = {
                .config = &config,
                .request = &req,
                .pid = 1234,
                .rootfs = "/var/lib/rootfs",
                .environ = no_env,
        };
        nvct_command cmd = { 0 };
        assert_int_equal(nvct_command_build(&cin, &cmd, &err), 0);
        assert_null(err);

        nvct_report_input in = {
                .config = &config,
                .spec_path = "/run/bundle/config.json",
                .pid = 1234,
                .request = &req,
                .rootfs = "/var/lib/rootfs",
                .command = &cmd,
        };
        char *text = render(&in);
        const char *lines[] = {
                "config: /etc/nvidia-container-runtime/config.toml",
                "pid: 1234",
                "privileged: yes (CAP_SYS_ADMIN in process.capabilities)",
                "legacy-image: yes (CUDA_VERSION set, NVIDIA_REQUIRE_CUDA unset or empty)",
                "gpu-container: yes",
                "requirement: driver>=418 (NVIDIA_REQUIRE_DRIVER)",
                "requirement: cuda>=10.1 (CUDA_VERSION, legacy CUDA image)",
                "requirements-checked: yes",
                "rootfs: /var/lib/rootfs",
                "cli: /usr/bin/nvidia-container-cli (path in the config)",
                "argv[0]: /usr/bin/nvidia-container-cli",
                "argv[1]: --load-kmods",
                "argv[2]: configure",
                "argv[3]: --device=all",
                "argv[4]: --compute",
                "argv[5]: --compat32",
                "argv[6]: --graphics",
                "argv[7]: --utility",
                "argv[8]: --video",
                "argv[9]: --display",
                "argv[10]: --ngx",
                "argv[11]: --require=driver>=418",
                "argv[12]: --require=cuda>=10.1",
                "argv[13]: --pid=1234",
                "argv[14]: /var/lib/rootfs",
                "exec: yes",
                NULL,
        };
        assert_lines_in_order(text, lines);
        /* The devices and capabilities lines name where they came from. */
        assert_true(strstr(text, "\ndevices: all (") != NULL);
        assert_true(
                strstr(text,
                       "\ncapabilities: compute,compat32,graphics,utility,video,display,ngx (") !=
                NULL);
        free(text);

        nvct_command_clear(&cmd);
        nvct_request_clear(&req);
        nvct_env_clear(&env);
        nvct_hook_config_clear(&config);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_gpu_report),
                cmocka_unit_test(test_gpu_report_variants),
                cmocka_unit_test(test_not_gpu_report),
                cmocka_unit_test(test_control_characters_quoted),
                cmocka_unit_test(test_long_values_not_cut),
                cmocka_unit_test(test_report_from_decision),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
