/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the runc wrapper's modes: runtime/legacy (the prestart hook
 * and device cgroup rules, against a dev root of real device nodes made with
 * mknod), runtime/cdimode (docker's hook removed, names resolved in spec
 * directories and a generated spec, edits applied) and runtime/requirements
 * (NVIDIA_REQUIRE_* against an NVML description built by hand).
 *
 * The golden cases are under data/runtime/: legacy/CASE/config.json is
 * edited with the case's options (in this file) and compared byte for byte
 * with expected.json; cdi/CASE/ has config.json, names (one a line), etc/
 * (the spec directory) and expected.json or expected-error (one line, the
 * case's directory written as @DIR@), in which case config.json must come
 * back unchanged. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/strv.h"
#include "cdi/cdi.h"
#include "oci/edit.h"
#include "policy/decision.h"
#include "runtime/cdimode.h"
#include "runtime/legacy.h"
#include "runtime/requirements.h"
#include "testutil.h"

#define DATA TEST_SRCDIR "/data/runtime"

/* ---- files ---- */

static char *slurp(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        if (f == NULL)
                fail_msg("%s: %s", path, strerror(errno));
        size_t cap = 1 << 20;
        char *buf = malloc(cap + 1);
        assert_non_null(buf);
        size_t n = fread(buf, 1, cap, f);
        assert_true(n < cap);
        buf[n] = '\0';
        fclose(f);
        if (ret_len != NULL)
                *ret_len = n;
        return buf;
}

static void put(const char *path, const char *data, size_t len) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
}

static bool exists(const char *path) {
        return access(path, F_OK) == 0;
}

/* `got` against the file `want_path`, byte for byte; on a difference the
 * output is left in /tmp for a look. */
static void assert_same_as_file(const char *got, size_t got_len, const char *want_path) {
        size_t want_len = 0;
        char *want = slurp(want_path, &want_len);
        if (got_len != want_len || memcmp(got, want, got_len) != 0) {
                _cleanup_free_ char *keep = xasprintf("/tmp/nvct-test-runtime-modes-got.json");
                put(keep, got, got_len);
                fail_msg("%s differs:\n got: %.*s\nwant: %s\n(output in %s)", want_path,
                         (int)got_len, got, want, keep);
        }
        free(want);
}

/* Every occurrence of `from` in `s` replaced by `to` (s freed). */
static char *replace_all(char *s, const char *from, const char *to) {
        size_t nf = strlen(from);
        char *out = strdup("");
        const char *p = s;
        for (const char *at; (at = strstr(p, from)) != NULL; p = at + nf) {
                char *next = xasprintf("%s%.*s%s", out, (int)(at - p), p, to);
                free(out);
                out = next;
        }
        char *next = xasprintf("%s%s", out, p);
        free(out);
        free(s);
        return next;
}

/* A scratch bundle holding a copy of SRC (a config.json), loaded. */
typedef struct bundle {
        char *dir, *config;
        nvct_oci_edit *edit;
} bundle;

static void bundle_open(bundle *b, const char *src) {
        b->dir = make_tmpdir_named("runtime-modes");
        b->config = xasprintf("%s/config.json", b->dir);
        size_t len = 0;
        char *data = slurp(src, &len);
        put(b->config, data, len);
        free(data);
        nvct_error *err = NULL;
        if (nvct_oci_edit_load(b->dir, &b->edit, &err) < 0)
                fail_msg("%s", err->msg);
}

/* Writes the edit and returns the file. */
static char *bundle_write(bundle *b, size_t *ret_len) {
        nvct_error *err = NULL;
        if (nvct_oci_edit_write(b->edit, &err) < 0)
                fail_msg("%s", err->msg);
        assert_false(nvct_oci_edit_changed(b->edit));
        return slurp(b->config, ret_len);
}

static void bundle_close(bundle *b) {
        nvct_oci_edit_free(b->edit);
        remove_tree(b->dir);
        free(b->dir);
        free(b->config);
}

/* ---- warnings ---- */

static void collect_warning(void *userdata, const char *message) {
        nvct_strv *warnings = userdata;
        assert_int_equal(nvct_strv_push(warnings, strdup(message)), 0);
}

/* ---- legacy: a dev root of real device nodes ---- */

static char *dev_root; /* DEV_ROOT/dev/... */
static char *empty_root;

static void node(const char *name, unsigned maj, unsigned min) {
        _cleanup_free_ char *path = xasprintf("%s/dev/%s", dev_root, name);
        assert_int_equal(mknod(path, S_IFCHR | 0666, makedev(maj, min)), 0);
}

/* nvidiactl 195:255, nvidia-uvm 235:0, nvidia-uvm-tools 235:1, nvidia0
 * 195:0, nvidia1 195:1; nvidia-modeset a regular file (not a device: no
 * rule); no nvidia3. */
static int legacy_setup(void **state) {
        (void)state;
        dev_root = make_tmpdir_named("runtime-devroot");
        empty_root = make_tmpdir_named("runtime-emptyroot");
        _cleanup_free_ char *dev = xasprintf("%s/dev", dev_root);
        assert_int_equal(mkdir(dev, 0755), 0);
        _cleanup_free_ char *probe = xasprintf("%s/probe", dev);
        if (mknod(probe, S_IFCHR | 0600, makedev(195, 255)) < 0)
                return 0; /* each test skips */
        assert_int_equal(unlink(probe), 0);
        node("nvidiactl", 195, 255);
        node("nvidia-uvm", 235, 0);
        node("nvidia-uvm-tools", 235, 1);
        node("nvidia0", 195, 0);
        node("nvidia1", 195, 1);
        _cleanup_free_ char *modeset = xasprintf("%s/nvidia-modeset", dev);
        put(modeset, "", 0);
        return 0;
}

static int legacy_teardown(void **state) {
        (void)state;
        remove_tree(dev_root);
        remove_tree(empty_root);
        free(dev_root);
        free(empty_root);
        return 0;
}

static void skip_without_nodes(void) {
        _cleanup_free_ char *ctl = xasprintf("%s/dev/nvidiactl", dev_root);
        struct stat st;
        if (stat(ctl, &st) < 0 || !S_ISCHR(st.st_mode)) {
                print_message("mknod is not permitted here: legacy tests skipped\n");
                skip();
        }
}

/* Three GPUs: 0 (minor 0), 1 (minor 3: no node under the dev root), 2
 * (minor 1). */
static nvct_gpu_info legacy_gpus[] = {
        { .index = 0, .uuid = "GPU-0000", .minor = 0 },
        { .index = 1, .uuid = "GPU-1111", .minor = 3 },
        { .index = 2, .uuid = "GPU-2222", .minor = 1 },
};
static const nvct_nvml_info legacy_host = { .gpus = legacy_gpus, .n_gpus = 3 };

typedef struct legacy_case {
        const char *name;
        const char *hook_path;
        bool nvml;
        bool selected[3];
        const char *warnings[4]; /* expected, DEVROOT for the dev root */
} legacy_case;

static void run_legacy_case(const legacy_case *lc) {
        _cleanup_free_ char *dir = xasprintf("%s/legacy/%s", DATA, lc->name);
        _cleanup_free_ char *src = xasprintf("%s/config.json", dir);
        _cleanup_free_ char *want = xasprintf("%s/expected.json", dir);
        nvct_strv warnings = { 0 };
        const nvct_legacy_options opt = {
                .hook_path = lc->hook_path,
                .dev_root = dev_root,
                .nvml = lc->nvml ? &legacy_host : NULL,
                .selected = lc->nvml ? lc->selected : NULL,
                .warn = collect_warning,
                .userdata = &warnings,
        };
        bundle b = { 0 };
        bundle_open(&b, src);
        nvct_error *err = NULL;
        if (nvct_runtime_legacy_modify(b.edit, &opt, &err) < 0)
                fail_msg("%s: %s", lc->name, err->msg);
        size_t len = 0;
        char *got = bundle_write(&b, &len);
        assert_same_as_file(got, len, want);
        free(got);

        size_t n = 0;
        for (; lc->warnings[n] != NULL; n++) {
                if (n >= warnings.n)
                        fail_msg("%s: warning %zu missing: %s", lc->name, n, lc->warnings[n]);
                char *w = replace_all(strdup(lc->warnings[n]), "DEVROOT", dev_root);
                assert_string_equal(warnings.v[n], w);
                free(w);
        }
        assert_int_equal(warnings.n, n);
        nvct_strv_clear(&warnings);

        /* A second run changes nothing: the hook is found, every rule is
         * there already. */
        nvct_oci_edit_free(b.edit);
        b.edit = NULL;
        assert_int_equal(nvct_oci_edit_load(b.dir, &b.edit, NULL), 0);
        assert_int_equal(nvct_runtime_legacy_modify(b.edit, &opt, NULL), 0);
        assert_false(nvct_oci_edit_changed(b.edit));
        nvct_strv_clear(&warnings);
        bundle_close(&b);
}

static void test_legacy_golden(void **state) {
        (void)state;
        skip_without_nodes();
        const legacy_case cases[] = {
                /* The hook (args: its basename, "prestart"), then the
                 * control nodes present, then the GPUs asked for, in NVML
                 * order. */
                { .name = "plain",
                  .hook_path = "/usr/bin/nvidia-container-runtime-hook",
                  .nvml = true,
                  .selected = { true, false, true } },
                /* A hook named nvidia-container-toolkit is there: no hook.
                 * Only the same allow rule ("rw", type c) counts as there:
                 * "rwm", a deny, a block device do not. */
                { .name = "existing-hook",
                  .hook_path = "/usr/bin/nvidia-container-runtime-hook",
                  .nvml = true,
                  .selected = { true, false, false } },
                /* NVML did not load: the control nodes' rules only; a hook of
                 * another name or in another stage is not ours. */
                { .name = "no-nvml",
                  .hook_path = "/usr/local/nvidia/bin/nvidia-container-runtime-hook",
                  .nvml = false },
                /* GPU 1's node (/dev/nvidia3) is not there: a warning, no
                 * rule; a bare hook path counts by its name. */
                { .name = "missing-gpu-node",
                  .hook_path = "/usr/bin/nvidia-container-runtime-hook",
                  .nvml = true,
                  .selected = { false, true, true },
                  .warnings = { "no device cgroup rule for \"DEVROOT/dev/nvidia3\": not a "
                                "character device" } },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
                run_legacy_case(&cases[i]);
}

/* No nvidiactl under the dev root: a warning naming it; the optional nodes
 * are silent; a GPU rule needs its node. */
static void test_legacy_no_nodes(void **state) {
        (void)state;
        bundle b = { 0 };
        bundle_open(&b, DATA "/legacy/plain/config.json");
        nvct_strv warnings = { 0 };
        const nvct_legacy_options opt = {
                .hook_path = "/usr/bin/nvidia-container-runtime-hook",
                .dev_root = empty_root,
                .nvml = &legacy_host,
                .selected = (const bool[]){ true, false, false },
                .warn = collect_warning,
                .userdata = &warnings,
        };
        nvct_error *err = NULL;
        if (nvct_runtime_legacy_modify(b.edit, &opt, &err) < 0)
                fail_msg("%s", err->msg);
        assert_int_equal(warnings.n, 2);
        _cleanup_free_ char *w0 =
                xasprintf("no device cgroup rule for \"%s/dev/nvidiactl\": not a character device",
                          empty_root);
        _cleanup_free_ char *w1 = xasprintf(
                "no device cgroup rule for \"%s/dev/nvidia0\": not a character device", empty_root);
        assert_string_equal(warnings.v[0], w0);
        assert_string_equal(warnings.v[1], w1);
        const nvct_document_node *rules = NULL;
        assert_int_equal(nvct_oci_edit_device_rules(b.edit, &rules, NULL), 0);
        assert_null(rules);
        const nvct_document_node *hooks = NULL;
        assert_int_equal(nvct_oci_edit_hooks(b.edit, NVCT_OCI_HOOK_PRESTART, &hooks, NULL), 0);
        assert_non_null(hooks);
        assert_int_equal(nvct_document_array_size(hooks), 1);
        /* No warn callback: the same, silently. */
        nvct_oci_edit_free(b.edit);
        assert_int_equal(nvct_oci_edit_load(b.dir, &b.edit, NULL), 0);
        nvct_legacy_options quiet = opt;
        quiet.warn = NULL;
        assert_int_equal(nvct_runtime_legacy_modify(b.edit, &quiet, NULL), 0);
        nvct_strv_clear(&warnings);
        bundle_close(&b);
}

/* A config.json whose hooks or rules are of the wrong kind: the editor's
 * error, naming the file and the field. */
static void test_legacy_errors(void **state) {
        (void)state;
        skip_without_nodes();
        const struct {
                const char *json, *want;
        } cases[] = {
                { "{\"ociVersion\":\"1.0.2\",\"hooks\":{\"prestart\":{}}}", "hooks.prestart" },
                { "{\"ociVersion\":\"1.0.2\",\"hooks\":[]}", "hooks" },
                { "{\"ociVersion\":\"1.0.2\",\"linux\":{\"resources\":{\"devices\":7}}}",
                  "linux.resources.devices" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                bundle b = { 0 };
                _cleanup_free_ char *dir = make_tmpdir_named("runtime-src");
                _cleanup_free_ char *src = xasprintf("%s/config.json", dir);
                put(src, cases[i].json, strlen(cases[i].json));
                bundle_open(&b, src);
                const nvct_legacy_options opt = {
                        .hook_path = "/usr/bin/nvidia-container-runtime-hook",
                        .dev_root = dev_root,
                };
                nvct_error *err = NULL;
                assert_int_equal(nvct_runtime_legacy_modify(b.edit, &opt, &err), -1);
                assert_non_null(err);
                _cleanup_free_ char *q = xasprintf("\"%s\": %s: ", b.config, cases[i].want);
                assert_contains(err->msg, q);
                assert_null(strchr(err->msg, '\n'));
                nvct_error_free(&err);
                bundle_close(&b);
                remove_tree(dir);
        }
}

/* dev_root "/" is the host's /dev (not "//dev"). */
static void test_legacy_host_root(void **state) {
        (void)state;
        struct stat st;
        if (stat("/dev/nvidiactl", &st) == 0)
                skip(); /* a GPU host: the rule depends on it */
        bundle b = { 0 };
        bundle_open(&b, DATA "/legacy/no-nvml/config.json");
        nvct_strv warnings = { 0 };
        const nvct_legacy_options opt = {
                .hook_path = "/usr/bin/nvidia-container-runtime-hook",
                .dev_root = "/",
                .warn = collect_warning,
                .userdata = &warnings,
        };
        assert_int_equal(nvct_runtime_legacy_modify(b.edit, &opt, NULL), 0);
        assert_int_equal(warnings.n, 1);
        assert_string_equal(warnings.v[0], "no device cgroup rule for \"/dev/nvidiactl\": not a "
                                           "character device");
        nvct_strv_clear(&warnings);
        bundle_close(&b);
}

/* ---- cdi modes ---- */

static char **read_names(const char *path, nvct_strv *names) {
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, f)) > 0) {
                if (line[n - 1] == '\n')
                        line[n - 1] = '\0';
                assert_int_equal(nvct_strv_push(names, strdup(line)), 0);
        }
        free(line);
        fclose(f);
        return names->v;
}

/* jit-cdi's spec, as cdigen would hand it over. */
static void generated_overrides(nvct_cdi_spec *spec) {
        nvct_cdi_device *dev = NULL;
        spec->kind = strdup("runtime.nvidia.com/gpu");
        assert_int_equal(nvct_cdi_edits_add_env(&spec->edits, "GEN=1", NULL), 0);
        assert_int_equal(nvct_cdi_spec_add_device(spec, "0", &dev, NULL), 0);
        assert_int_equal(nvct_cdi_edits_add_env(&dev->edits, "DEV0=generated", NULL), 0);
}

static void generated_all(nvct_cdi_spec *spec) {
        nvct_cdi_device *dev = NULL;
        spec->kind = strdup("runtime.nvidia.com/gpu");
        assert_int_equal(nvct_cdi_spec_add_device(spec, "0", &dev, NULL), 0);
        assert_int_equal(nvct_cdi_edits_add_env(&dev->edits, "ONLY0=1", NULL), 0);
        assert_int_equal(nvct_cdi_spec_add_device(spec, "all", &dev, NULL), 0);
        const nvct_cdi_device_node node0 = { .path = (char *)"/dev/nvidia0",
                                             .type = (char *)"c",
                                             .has_major_minor = true,
                                             .major = 195,
                                             .minor = 0 };
        assert_int_equal(nvct_cdi_edits_add_device_node(&dev->edits, &node0, NULL), 0);
        const char *const args[] = { "nvidia-cdi-hook", "update-ldcache", NULL };
        assert_int_equal(nvct_cdi_edits_add_hook(&dev->edits, "createContainer",
                                                 "/usr/bin/nvidia-cdi-hook", args, NULL, NULL),
                         0);
}

typedef struct cdi_case {
        const char *name;
        bool no_dirs; /* spec_dirs NULL */
        bool midway;  /* fails after changing the tree: the caller does not write */
        void (*generate)(nvct_cdi_spec *spec);
} cdi_case;

static void run_cdi_case(const cdi_case *cc) {
        _cleanup_free_ char *dir = xasprintf("%s/cdi/%s", DATA, cc->name);
        _cleanup_free_ char *src = xasprintf("%s/config.json", dir);
        _cleanup_free_ char *names_path = xasprintf("%s/names", dir);
        _cleanup_free_ char *want = xasprintf("%s/expected.json", dir);
        _cleanup_free_ char *want_error = xasprintf("%s/expected-error", dir);
        nvct_strv names = { 0 }, dirs = { 0 };
        read_names(names_path, &names);
        assert_int_equal(nvct_strv_push(&dirs, xasprintf("%s/etc", dir)), 0);
        nvct_cdi_spec spec = { 0 };
        if (cc->generate != NULL)
                cc->generate(&spec);
        const nvct_cdi_mode_options opt = {
                .names = &names,
                .spec_dirs = cc->no_dirs ? NULL : &dirs,
                .generated = cc->generate ? &spec : NULL,
        };
        bundle b = { 0 };
        bundle_open(&b, src);
        nvct_error *err = NULL;
        int r = nvct_runtime_cdi_modify(b.edit, &opt, &err);
        size_t len = 0;
        if (exists(want_error)) {
                if (r == 0)
                        fail_msg("%s: succeeded, expected an error", cc->name);
                char *expected = replace_all(slurp(want_error, NULL), "@DIR@", dir);
                size_t n = strlen(expected);
                if (n > 0 && expected[n - 1] == '\n')
                        expected[n - 1] = '\0';
                assert_string_equal(err->msg, expected);
                free(expected);
                nvct_error_free(&err);
                /* Nothing changed: config.json stays as it was. */
                if (!cc->midway) {
                        assert_false(nvct_oci_edit_changed(b.edit));
                        char *got = bundle_write(&b, &len);
                        assert_same_as_file(got, len, src);
                        free(got);
                }
        } else {
                if (r < 0)
                        fail_msg("%s: %s", cc->name, err->msg);
                char *got = bundle_write(&b, &len);
                assert_same_as_file(got, len, want);
                free(got);
        }
        /* The generated spec was taken over. */
        assert_null(spec.kind);
        assert_int_equal(spec.n_devices, 0);
        nvct_cdi_spec_clear(&spec);
        nvct_strv_clear(&names);
        nvct_strv_clear(&dirs);
        bundle_close(&b);
}

static void test_cdi_golden(void **state) {
        (void)state;
        const cdi_case cases[] = {
                /* docker --gpus: the prestart hooks of both names go, others
                 * (and that name in another stage) stay; spec-wide edits
                 * once, then each device's, in the names' order. */
                { .name = "docker-gpus" },
                /* The generated spec overrides the directories' device of
                 * the same name; other names still resolve there. */
                { .name = "generated-overrides", .generate = generated_overrides },
                { .name = "generated-only", .no_dirs = true, .generate = generated_all },
                /* Two kinds from two files; a broken file beside them is
                 * no error while every name resolves. */
                { .name = "two-specs" },
                /* Nothing asked for: the hook still goes. */
                { .name = "no-names" },
                /* One line naming every unresolvable name once (quoted),
                 * the directory and the broken spec; nothing changed. */
                { .name = "unresolvable" },
                /* A device node without a type whose host node is not
                 * there: an error naming it (the tree is changed by then;
                 * create does not write it). */
                { .name = "bad-host-node", .midway = true },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
                run_cdi_case(&cases[i]);
}

/* An unresolvable name with a generated spec: named in the message too, and
 * the spec is taken over (emptied) all the same. */
static void test_cdi_unresolvable_generated(void **state) {
        (void)state;
        nvct_strv names = { 0 };
        assert_int_equal(nvct_strv_push(&names, strdup("runtime.nvidia.com/gpu=7")), 0);
        nvct_cdi_spec spec = { 0 };
        generated_overrides(&spec);
        const nvct_cdi_mode_options opt = { .names = &names, .generated = &spec };
        bundle b = { 0 };
        bundle_open(&b, DATA "/cdi/generated-overrides/config.json");
        nvct_error *err = NULL;
        assert_int_equal(nvct_runtime_cdi_modify(b.edit, &opt, &err), -1);
        assert_contains(err->msg, "unresolvable CDI devices \"runtime.nvidia.com/gpu=7\"");
        assert_contains(err->msg, "the spec generated for jit-cdi");
        assert_null(strchr(err->msg, '\n'));
        nvct_error_free(&err);
        assert_false(nvct_oci_edit_changed(b.edit));
        assert_null(spec.kind);
        nvct_cdi_spec_clear(&spec);
        nvct_strv_clear(&names);
        bundle_close(&b);
}

/* No directories and no generated spec: nothing resolves; the message says
 * nothing was searched. */
static void test_cdi_no_dirs(void **state) {
        (void)state;
        nvct_strv names = { 0 }, dirs = { 0 };
        assert_int_equal(nvct_strv_push(&names, strdup("nvidia.com/gpu=0")), 0);
        bundle b = { 0 };
        bundle_open(&b, DATA "/cdi/docker-gpus/config.json");
        for (int empty = 0; empty < 2; empty++) {
                const nvct_cdi_mode_options opt = { .names = &names,
                                                    .spec_dirs = empty ? &dirs : NULL };
                nvct_error *err = NULL;
                assert_int_equal(nvct_runtime_cdi_modify(b.edit, &opt, &err), -1);
                assert_string_equal(err->msg, "unresolvable CDI devices \"nvidia.com/gpu=0\" "
                                              "(searched no spec directories)");
                nvct_error_free(&err);
                assert_false(nvct_oci_edit_changed(b.edit));
        }
        nvct_strv_clear(&names);
        bundle_close(&b);
}

/* A generated spec that does not validate: an error naming it; nothing
 * changed. */
static void test_cdi_invalid_generated(void **state) {
        (void)state;
        nvct_strv names = { 0 };
        assert_int_equal(nvct_strv_push(&names, strdup("runtime.nvidia.com/gpu=0")), 0);
        nvct_cdi_spec spec = { 0 };
        spec.kind = strdup("runtime.nvidia.com/gpu");
        assert_int_equal(nvct_cdi_spec_add_device(&spec, "0", NULL, NULL), 0);
        assert_int_equal(nvct_cdi_edits_add_env(&spec.devices[0].edits, "=x", NULL), 0);
        const nvct_cdi_mode_options opt = { .names = &names, .generated = &spec };
        bundle b = { 0 };
        bundle_open(&b, DATA "/cdi/generated-overrides/config.json");
        nvct_error *err = NULL;
        assert_int_equal(nvct_runtime_cdi_modify(b.edit, &opt, &err), -1);
        assert_contains(err->msg, "the spec generated for jit-cdi");
        nvct_error_free(&err);
        assert_false(nvct_oci_edit_changed(b.edit));
        nvct_cdi_spec_clear(&spec);
        nvct_strv_clear(&names);
        bundle_close(&b);
}

/* ---- requirements ---- */

static nvct_gpu_info req_gpus[] = {
        { .index = 0, .uuid = "GPU-0", .brand = 2, .cc_major = 8, .cc_minor = 0 },    /* tesla */
        { .index = 1, .uuid = "GPU-1", .brand = 5, .cc_major = 8, .cc_minor = 6 },    /* geforce */
        { .index = 2, .uuid = "GPU-2", .brand = -1, .cc_major = -1, .cc_minor = -1 }, /* ? */
        { .index = 3, .uuid = "GPU-3", .brand = 2, .cc_major = 9, .cc_minor = 0 },    /* tesla */
};

static nvct_nvml_info req_host(int cuda, const char *driver) {
        nvct_nvml_info info = { .cuda_driver_version = cuda, .gpus = req_gpus, .n_gpus = 4 };
        snprintf(info.driver_version, sizeof(info.driver_version), "%s", driver);
        return info;
}

/* A request holding the NULL-terminated pairs ORIGIN, VALUE. */
static nvct_request make_request(const char *const *pairs) {
        nvct_request req = { .gpu_container = true };
        size_t n = 0;
        while (pairs[2 * n] != NULL)
                n++;
        req.requirements = calloc(n + 1, sizeof(*req.requirements));
        assert_non_null(req.requirements);
        for (size_t i = 0; i < n; i++) {
                nvct_requirement *r = &req.requirements[i];
                r->origin = strdup(pairs[2 * i]);
                r->origin_len = strlen(r->origin);
                r->value = strdup(pairs[2 * i + 1]);
                r->value_len = strlen(r->value);
        }
        req.n_requirements = req.cap_requirements = n;
        return req;
}

/* NULL want: met. */
static void check(const nvct_nvml_info *host, const char *selected, const char *const *pairs,
                  const char *want) {
        bool sel[4];
        for (size_t g = 0; g < 4; g++)
                sel[g] = selected[g] == '1';
        nvct_request req = make_request(pairs);
        nvct_error *err = NULL;
        int r = nvct_runtime_check_requirements(&req, host, sel, &err);
        if (want == NULL) {
                if (r < 0)
                        fail_msg("%s: %s", selected, err->msg);
        } else {
                if (r == 0)
                        fail_msg("%s: met, expected: %s", selected, want);
                assert_string_equal(err->msg, want);
                nvct_error_free(&err);
        }
        nvct_request_clear(&req);
}

#define REQ(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_requirements_cuda_driver(void **state) {
        (void)state;
        nvct_nvml_info h = req_host(12040, "550.54.15");
        check(&h, "1000", REQ("NVIDIA_REQUIRE_CUDA", "cuda>=12.4"), NULL);
        check(&h, "1000", REQ("NVIDIA_REQUIRE_CUDA", "cuda>=12.4 brand=tesla"), NULL);
        check(&h, "0000", REQ("NVIDIA_REQUIRE_CUDA", "cuda>=12.5"),
              "unsatisfied requirement \"cuda>=12.5\" (NVIDIA_REQUIRE_CUDA): the host's CUDA "
              "driver version is 12.4 (please update the driver, or use an earlier CUDA image)");
        check(&h, "1000", REQ("NVIDIA_REQUIRE_DRIVER", "driver>=550.54"), NULL);
        check(&h, "1000", REQ("NVIDIA_REQUIRE_DRIVER", "driver<550"),
              "unsatisfied requirement \"driver<550\" (NVIDIA_REQUIRE_DRIVER): the host's driver "
              "version is 550.54.15");
        /* CUDA 12.10 is 12100: after 12.9, two-digit minor. */
        nvct_nvml_info h12 = req_host(12100, "575.1");
        check(&h12, "1000", REQ("NVIDIA_REQUIRE_CUDA", "cuda>=12.9"), NULL);
        check(&h12, "1000", REQ("NVIDIA_REQUIRE_CUDA", "cuda>=12.11"),
              "unsatisfied requirement \"cuda>=12.11\" (NVIDIA_REQUIRE_CUDA): the host's CUDA "
              "driver version is 12.10 (please update the driver, or use an earlier CUDA image)");
        nvct_nvml_info h11 = req_host(11080, "470.1");
        check(&h11, "1000", REQ("CUDA_VERSION", "cuda>=11.8"), NULL);
        check(&h11, "1000", REQ("CUDA_VERSION", "cuda>=11.9"),
              "unsatisfied requirement \"cuda>=11.9\" (CUDA_VERSION): the host's CUDA driver "
              "version is 11.8 (please update the driver, or use an earlier CUDA image)");
        /* Unknown CUDA and driver versions meet every condition on them. */
        nvct_nvml_info unknown = req_host(0, "");
        check(&unknown, "1000", REQ("NVIDIA_REQUIRE_CUDA", "cuda>=99.0,driver>=999"), NULL);
}

static void test_requirements_gpus(void **state) {
        (void)state;
        nvct_nvml_info h = req_host(12040, "550.54.15");
        /* Only the selected GPUs are checked. */
        check(&h, "1001", REQ("NVIDIA_REQUIRE_BRAND", "brand=tesla"), NULL);
        check(&h, "1001", REQ("NVIDIA_REQUIRE_ARCH", "arch>=8.0"), NULL);
        check(&h, "0001", REQ("NVIDIA_REQUIRE_ARCH", "arch>=9.0"), NULL);
        /* Each GPU on its own: one Tesla and one GeForce meet "brand=tesla
         * brand=geforce". */
        check(&h, "1100", REQ("NVIDIA_REQUIRE_BRAND", "brand=tesla brand=geforce"), NULL);
        check(&h, "1001", REQ("NVIDIA_REQUIRE_ARCH", "arch>=8.6"),
              "unsatisfied requirement \"arch>=8.6\" (NVIDIA_REQUIRE_ARCH): GPU 0's compute "
              "capability is 8.0");
        /* "GPU N" counts among the container's GPUs: the GeForce is NVML's
         * GPU 1, the container's first. */
        check(&h, "0101", REQ("NVIDIA_REQUIRE_BRAND", "brand=TESLA"),
              "unsatisfied requirement \"brand=TESLA\" (NVIDIA_REQUIRE_BRAND): GPU 0's brand is "
              "geforce");
        /* A GPU whose arch and brand NVML did not tell meets them. */
        check(&h, "0010", REQ("NVIDIA_REQUIRE_ARCH", "arch>=10.0,brand=quadro"), NULL);
        /* No GPU selected: arch and brand hold, cuda still counts. */
        check(&h, "0000", REQ("NVIDIA_REQUIRE_ARCH", "arch>=10.0,brand=quadro"), NULL);
        check(&h, "0000", REQ("NVIDIA_REQUIRE_ARCH", "arch>=10.0,cuda>=13"),
              "unsatisfied requirement \"arch>=10.0,cuda>=13\" (NVIDIA_REQUIRE_ARCH): the host's "
              "CUDA driver version is 12.4 (please update the driver, or use an earlier CUDA "
              "image)");
}

static void test_requirements_order_and_syntax(void **state) {
        (void)state;
        nvct_nvml_info h = req_host(12040, "550.54.15");
        /* Every requirement must hold; the first that does not is named. */
        check(&h, "1000",
              REQ("NVIDIA_REQUIRE_CUDA", "cuda>=12.0", "NVIDIA_REQUIRE_B", "brand=geforce",
                  "NVIDIA_REQUIRE_A", "arch>=9.0"),
              "unsatisfied requirement \"brand=geforce\" (NVIDIA_REQUIRE_B): GPU 0's brand is "
              "tesla");
        check(&h, "1000", REQ("NVIDIA_REQUIRE_X", "cuda>=1", "NVIDIA_REQUIRE_Y", "arch>=8"), NULL);
        /* A malformed requirement is an error naming it and its variable,
         * the value quoted on one line. */
        bool sel[4] = { true, false, false, false };
        nvct_request req = make_request(REQ("NVIDIA_REQUIRE_BAD", "cuda>>12\n"));
        nvct_error *err = NULL;
        assert_int_equal(nvct_runtime_check_requirements(&req, &h, sel, &err), -1);
        assert_contains(err->msg, "\"cuda>>12\\n\"");
        assert_contains(err->msg, "NVIDIA_REQUIRE_BAD");
        assert_null(strchr(err->msg, '\n'));
        nvct_error_free(&err);
        nvct_request_clear(&req);
        /* No requirement: met, whatever the host. */
        req = make_request((const char *const[]){ NULL });
        nvct_nvml_info none = { .n_gpus = 0 };
        assert_int_equal(nvct_runtime_check_requirements(&req, &none, NULL, NULL), 0);
        nvct_request_clear(&req);
}

int main(void) {
        const struct CMUnitTest legacy[] = {
                cmocka_unit_test(test_legacy_golden),
                cmocka_unit_test(test_legacy_no_nodes),
                cmocka_unit_test(test_legacy_errors),
                cmocka_unit_test(test_legacy_host_root),
        };
        const struct CMUnitTest others[] = {
                cmocka_unit_test(test_cdi_golden),
                cmocka_unit_test(test_cdi_unresolvable_generated),
                cmocka_unit_test(test_cdi_no_dirs),
                cmocka_unit_test(test_cdi_invalid_generated),
                cmocka_unit_test(test_requirements_cuda_driver),
                cmocka_unit_test(test_requirements_gpus),
                cmocka_unit_test(test_requirements_order_and_syntax),
        };
        int failed = cmocka_run_group_tests_name("legacy", legacy, legacy_setup, legacy_teardown);
        return failed + cmocka_run_group_tests_name("cdi and requirements", others, NULL, NULL);
}
