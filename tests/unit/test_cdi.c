/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the CDI spec module: the builders, the minimum-version
 * rules of SPEC.md's table, kind and device-name checks, the exact JSON and
 * YAML the writer makes, round trips, validation of the written JSON
 * against ../shared/cdi/schema.json, the loader's errors, and the listing
 * of spec directories (overrides across directories, conflicts within one).
 *
 * For readability, JSON in these tests is written with ' for " and turned
 * into real JSON by tr() before parsing. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdi/cdi.h"
#include "basic/error.h"

#define SCHEMA_DIR TEST_SRCDIR "/../../../shared/cdi"

/* ---- helpers ---- */

static char *tr(const char *s) {
        char *out = strdup(s);
        assert_non_null(out);
        for (char *p = out; *p != '\0'; p++)
                if (*p == '\'')
                        *p = '"';
        return out;
}

static void assert_text(const char *got, size_t got_len, const char *want) {
        assert_non_null(got);
        if (got_len != strlen(want) || memcmp(got, want, got_len) != 0) {
                print_error("got:\n%.*s\n---- want:\n%s\n", (int)got_len, got, want);
                fail();
        }
        assert_int_equal(got[got_len], '\0');
}

/* Parses `text` (JSON with ' for ", for a name ending in .json; YAML
 * as is otherwise) expecting success. */
static void parse_ok(const char *text, const char *name, nvct_cdi_spec *ret) {
        char *data = strstr(name, ".json") ? tr(text) : strdup(text);
        assert_non_null(data);
        nvct_error *err = NULL;
        int r = nvct_cdi_spec_parse(data, strlen(data), name, ret, &err);
        if (r < 0)
                print_error("parse failed: %s\n", err ? err->msg : "?");
        assert_int_equal(r, 0);
        assert_null(err);
        free(data);
}

/* Parses expecting failure with a message holding every `want` (NULL
 * terminated), and checks the output was left untouched. */
static void parse_fails_len(const char *data, size_t len, const char *name, ...) {
        nvct_cdi_spec spec = { .kind = (char *)"untouched" };
        nvct_error *err = NULL;
        int r = nvct_cdi_spec_parse(data, len, name, &spec, &err);
        if (r == 0) {
                print_error("parse of %.*s succeeded\n", (int)len, data);
                nvct_cdi_spec_clear(&spec);
                fail();
        }
        assert_int_equal(r, -1);
        assert_non_null(err);
        assert_string_equal(spec.kind, "untouched");
        assert_null(spec.devices);
        va_list ap;
        va_start(ap, name);
        for (const char *want = va_arg(ap, const char *); want != NULL;
             want = va_arg(ap, const char *))
                assert_contains(err->msg, want);
        va_end(ap);
        /* One line: the name first, quoted. */
        assert_true(err->msg[0] == '"');
        assert_int_equal(strncmp(err->msg + 1, name, strlen(name)), 0);
        assert_true(err->msg[1 + strlen(name)] == '"');
        assert_null(strchr(err->msg, '\n'));
        nvct_error_free(&err);
}

#define parse_fails(text, name, ...)                                                               \
        do {                                                                                       \
                char *data_ = strstr(name, ".json") ? tr(text) : strdup(text);                     \
                assert_non_null(data_);                                                            \
                parse_fails_len(data_, strlen(data_), name, __VA_ARGS__, NULL);                    \
                free(data_);                                                                       \
        } while (0)

static char *write_spec(const nvct_cdi_spec *spec, nvct_cdi_format format, size_t *ret_len) {
        char *data = NULL;
        nvct_error *err = NULL;
        int r = nvct_cdi_spec_write(spec, format, &data, ret_len, &err);
        if (r < 0)
                print_error("write failed: %s\n", err ? err->msg : "?");
        assert_int_equal(r, 0);
        assert_null(err);
        return data;
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

static void make_dir(char *tmpl) {
        assert_non_null(mkdtemp(tmpl));
}

/* The smallest valid spec, with a placeholder for the device list. */
#define MINIMAL_JSON                                                                               \
        "{'cdiVersion':'0.3.0','kind':'vendor.com/dev','devices':[{'name':'d',"                    \
        "'containerEdits':{'env':['A=1']}}]}"

/* ---- the representative spec ---- */

static void build_representative(nvct_cdi_spec *s) {
        nvct_error *err = NULL;
        nvct_cdi_device *d;
        *s = (nvct_cdi_spec){ 0 };
        s->kind = strdup("example.com/gpu.v2");
        assert_non_null(s->kind);
        assert_int_equal(nvct_cdi_annotations_set(&s->annotations, &s->n_annotations,
                                                  "example.com/owner", "true", &err),
                         0);
        assert_int_equal(nvct_cdi_spec_add_device(s, "0", &d, &err), 0);
        const nvct_cdi_device_node n0 = {
                .path = "/dev/gpu0",
                .host_path = "/host/dev/gpu0",
                .type = "c",
                .has_major_minor = true,
                .major = 195,
                .minor = 0,
                .has_file_mode = true,
                .file_mode = 438,
                .permissions = "rw",
                .has_uid = true,
                .uid = 0,
                .has_gid = true,
                .gid = 44,
        };
        assert_int_equal(nvct_cdi_edits_add_device_node(&d->edits, &n0, &err), 0);
        assert_int_equal(
                nvct_cdi_annotations_set(&d->annotations, &d->n_annotations, "note", "1.5", &err),
                0);
        assert_int_equal(nvct_cdi_spec_add_device(s, "0:1", &d, &err), 0);
        assert_int_equal(nvct_cdi_edits_add_env(&d->edits, "MIG=0:1", &err), 0);
        assert_int_equal(nvct_cdi_spec_add_device(s, "yes", &d, &err), 0);
        assert_int_equal(
                nvct_cdi_edits_add_env(&d->edits, "QUOTE=a \"b\"\tc\x01 \xc3\xa9 #x: y", &err), 0);
        assert_int_equal(nvct_cdi_edits_add_env(&s->edits, "NVIDIA_VISIBLE_DEVICES=void", &err), 0);
        const char *opts[] = { "ro", "nosuid", "bind", NULL };
        assert_int_equal(nvct_cdi_edits_add_mount(&s->edits, "/usr/lib/libcuda.so.1",
                                                  "/usr/lib/libcuda.so.1", opts, &err),
                         0);
        assert_int_equal(nvct_cdi_edits_add_mount(&s->edits, "tmpfs", "/run/x", NULL, &err), 0);
        s->edits.mounts[1].type = strdup("tmpfs");
        const char *args[] = { "nvidia-cdi-hook", "update-ldcache", "--folder", "/usr/lib64",
                               NULL };
        assert_int_equal(nvct_cdi_edits_add_hook(&s->edits, "createContainer",
                                                 "/usr/bin/nvidia-cdi-hook", args, NULL, &err),
                         0);
        const char *env[] = { "PATH=/usr/bin", NULL };
        assert_int_equal(
                nvct_cdi_edits_add_hook(&s->edits, "poststop", "/bin/true", NULL, env, &err), 0);
        s->edits.hooks[1].has_timeout = true;
        s->edits.hooks[1].timeout = 30;
        s->edits.additional_gids = malloc(2 * sizeof(uint32_t));
        assert_non_null(s->edits.additional_gids);
        s->edits.additional_gids[0] = 44;
        s->edits.additional_gids[1] = 4294967295u;
        s->edits.n_additional_gids = 2;
        assert_null(err);
}

static const char representative_json[] =
        "{\n"
        "  \"cdiVersion\": \"0.7.0\",\n"
        "  \"kind\": \"example.com/gpu.v2\",\n"
        "  \"annotations\": {\n"
        "    \"example.com/owner\": \"true\"\n"
        "  },\n"
        "  \"devices\": [\n"
        "    {\n"
        "      \"name\": \"0\",\n"
        "      \"annotations\": {\n"
        "        \"note\": \"1.5\"\n"
        "      },\n"
        "      \"containerEdits\": {\n"
        "        \"deviceNodes\": [\n"
        "          {\n"
        "            \"path\": \"/dev/gpu0\",\n"
        "            \"hostPath\": \"/host/dev/gpu0\",\n"
        "            \"type\": \"c\",\n"
        "            \"major\": 195,\n"
        "            \"minor\": 0,\n"
        "            \"fileMode\": 438,\n"
        "            \"permissions\": \"rw\",\n"
        "            \"uid\": 0,\n"
        "            \"gid\": 44\n"
        "          }\n"
        "        ]\n"
        "      }\n"
        "    },\n"
        "    {\n"
        "      \"name\": \"0:1\",\n"
        "      \"containerEdits\": {\n"
        "        \"env\": [\n"
        "          \"MIG=0:1\"\n"
        "        ]\n"
        "      }\n"
        "    },\n"
        "    {\n"
        "      \"name\": \"yes\",\n"
        "      \"containerEdits\": {\n"
        "        \"env\": [\n"
        "          \"QUOTE=a \\\"b\\\"\\tc\\u0001 \xc3\xa9 #x: y\"\n"
        "        ]\n"
        "      }\n"
        "    }\n"
        "  ],\n"
        "  \"containerEdits\": {\n"
        "    \"env\": [\n"
        "      \"NVIDIA_VISIBLE_DEVICES=void\"\n"
        "    ],\n"
        "    \"mounts\": [\n"
        "      {\n"
        "        \"hostPath\": \"/usr/lib/libcuda.so.1\",\n"
        "        \"containerPath\": \"/usr/lib/libcuda.so.1\",\n"
        "        \"options\": [\n"
        "          \"ro\",\n"
        "          \"nosuid\",\n"
        "          \"bind\"\n"
        "        ]\n"
        "      },\n"
        "      {\n"
        "        \"hostPath\": \"tmpfs\",\n"
        "        \"containerPath\": \"/run/x\",\n"
        "        \"type\": \"tmpfs\"\n"
        "      }\n"
        "    ],\n"
        "    \"hooks\": [\n"
        "      {\n"
        "        \"hookName\": \"createContainer\",\n"
        "        \"path\": \"/usr/bin/nvidia-cdi-hook\",\n"
        "        \"args\": [\n"
        "          \"nvidia-cdi-hook\",\n"
        "          \"update-ldcache\",\n"
        "          \"--folder\",\n"
        "          \"/usr/lib64\"\n"
        "        ],\n"
        "        \"env\": []\n"
        "      },\n"
        "      {\n"
        "        \"hookName\": \"poststop\",\n"
        "        \"path\": \"/bin/true\",\n"
        "        \"env\": [\n"
        "          \"PATH=/usr/bin\"\n"
        "        ],\n"
        "        \"timeout\": 30\n"
        "      }\n"
        "    ],\n"
        "    \"additionalGids\": [\n"
        "      44,\n"
        "      4294967295\n"
        "    ]\n"
        "  }\n"
        "}\n";

static const char representative_yaml[] = "cdiVersion: \"0.7.0\"\n"
                                          "kind: example.com/gpu.v2\n"
                                          "annotations:\n"
                                          "  example.com/owner: \"true\"\n"
                                          "devices:\n"
                                          "- name: \"0\"\n"
                                          "  annotations:\n"
                                          "    note: \"1.5\"\n"
                                          "  containerEdits:\n"
                                          "    deviceNodes:\n"
                                          "    - path: /dev/gpu0\n"
                                          "      hostPath: /host/dev/gpu0\n"
                                          "      type: c\n"
                                          "      major: 195\n"
                                          "      minor: 0\n"
                                          "      fileMode: 438\n"
                                          "      permissions: rw\n"
                                          "      uid: 0\n"
                                          "      gid: 44\n"
                                          "- name: \"0:1\"\n"
                                          "  containerEdits:\n"
                                          "    env:\n"
                                          "    - MIG=0:1\n"
                                          "- name: \"yes\"\n"
                                          "  containerEdits:\n"
                                          "    env:\n"
                                          "    - \"QUOTE=a \\\"b\\\"\\tc\\x01 \xc3\xa9 #x: y\"\n"
                                          "containerEdits:\n"
                                          "  env:\n"
                                          "  - NVIDIA_VISIBLE_DEVICES=void\n"
                                          "  mounts:\n"
                                          "  - hostPath: /usr/lib/libcuda.so.1\n"
                                          "    containerPath: /usr/lib/libcuda.so.1\n"
                                          "    options:\n"
                                          "    - ro\n"
                                          "    - nosuid\n"
                                          "    - bind\n"
                                          "  - hostPath: tmpfs\n"
                                          "    containerPath: /run/x\n"
                                          "    type: tmpfs\n"
                                          "  hooks:\n"
                                          "  - hookName: createContainer\n"
                                          "    path: /usr/bin/nvidia-cdi-hook\n"
                                          "    args:\n"
                                          "    - nvidia-cdi-hook\n"
                                          "    - update-ldcache\n"
                                          "    - --folder\n"
                                          "    - /usr/lib64\n"
                                          "    env: []\n"
                                          "  - hookName: poststop\n"
                                          "    path: /bin/true\n"
                                          "    env:\n"
                                          "    - PATH=/usr/bin\n"
                                          "    timeout: 30\n"
                                          "  additionalGids:\n"
                                          "  - 44\n"
                                          "  - 4294967295\n";

/* ---- builders ---- */

static void test_builders(void **state) {
        (void)state;
        nvct_error *err = NULL;
        nvct_cdi_edits e = { 0 };
        char entry[] = "A=1";
        assert_int_equal(nvct_cdi_edits_add_env(&e, entry, &err), 0);
        entry[0] = 'B'; /* copied, not kept */
        assert_int_equal(e.n_env, 1);
        assert_string_equal(e.env[0], "A=1");

        char path[] = "/dev/x";
        nvct_cdi_device_node node = {
                .path = path, .type = "c", .has_major_minor = true, .major = 1, .minor = 2
        };
        assert_int_equal(nvct_cdi_edits_add_device_node(&e, &node, &err), 0);
        path[1] = 'X';
        assert_string_equal(e.device_nodes[0].path, "/dev/x");
        assert_ptr_not_equal(e.device_nodes[0].path, path);
        assert_null(e.device_nodes[0].host_path);
        assert_null(e.device_nodes[0].permissions);
        assert_string_equal(e.device_nodes[0].type, "c");
        assert_true(e.device_nodes[0].has_major_minor);
        assert_int_equal(e.device_nodes[0].major, 1);
        assert_int_equal(e.device_nodes[0].minor, 2);

        const char *opts[] = { "ro", "bind", NULL };
        assert_int_equal(nvct_cdi_edits_add_mount(&e, "/h", "/c", opts, &err), 0);
        assert_int_equal(nvct_cdi_edits_add_mount(&e, "/h2", "/c2", NULL, &err), 0);
        assert_int_equal(e.n_mounts, 2);
        assert_int_equal(e.mounts[0].n_options, 2);
        assert_string_equal(e.mounts[0].options[1], "bind");
        assert_null(e.mounts[0].type);
        assert_int_equal(e.mounts[1].n_options, 0);

        const char *args[] = { "hook", "x", NULL };
        assert_int_equal(
                nvct_cdi_edits_add_hook(&e, "createContainer", "/bin/hook", args, NULL, &err), 0);
        assert_int_equal(e.hooks[0].n_args, 2);
        assert_int_equal(e.hooks[0].n_env, 0);
        assert_false(e.hooks[0].has_timeout);

        /* Append: deep copies, also of itself. */
        nvct_cdi_edits to = { 0 };
        assert_int_equal(nvct_cdi_edits_add_env(&to, "Z=0", &err), 0);
        assert_int_equal(nvct_cdi_edits_append(&to, &e, &err), 0);
        assert_int_equal(to.n_env, 2);
        assert_string_equal(to.env[0], "Z=0");
        assert_string_equal(to.env[1], "A=1");
        assert_ptr_not_equal(to.env[1], e.env[0]);
        assert_int_equal(to.n_device_nodes, 1);
        assert_ptr_not_equal(to.device_nodes[0].path, e.device_nodes[0].path);
        assert_int_equal(to.n_mounts, 2);
        assert_string_equal(to.mounts[0].options[0], "ro");
        assert_ptr_not_equal(to.mounts[0].options, e.mounts[0].options);
        assert_int_equal(to.n_hooks, 1);
        assert_string_equal(to.hooks[0].args[1], "x");
        assert_int_equal(nvct_cdi_edits_append(&to, &to, &err), 0);
        assert_int_equal(to.n_env, 4);
        assert_string_equal(to.env[2], "Z=0");
        assert_int_equal(to.n_mounts, 4);
        assert_string_equal(to.mounts[3].host_path, "/h2");
        nvct_cdi_edits_clear(&to);
        assert_int_equal(to.n_env, 0);
        assert_null(to.env);
        nvct_cdi_edits_clear(&e);
        assert_null(e.hooks);

        nvct_cdi_spec spec = { 0 };
        nvct_cdi_device *d = NULL;
        assert_int_equal(nvct_cdi_spec_add_device(&spec, "a", &d, &err), 0);
        assert_non_null(d);
        assert_string_equal(d->name, "a");
        assert_int_equal(nvct_cdi_edits_add_env(&d->edits, "A=1", &err), 0);
        assert_int_equal(nvct_cdi_spec_add_device(&spec, "b", NULL, &err), 0);
        assert_int_equal(spec.n_devices, 2);
        assert_string_equal(spec.devices[0].edits.env[0], "A=1");
        assert_int_equal(spec.devices[1].edits.n_env, 0);

        /* Annotations are a map: setting a key again replaces its value. */
        assert_int_equal(
                nvct_cdi_annotations_set(&spec.annotations, &spec.n_annotations, "k", "v1", &err),
                0);
        assert_int_equal(
                nvct_cdi_annotations_set(&spec.annotations, &spec.n_annotations, "l", "w", &err),
                0);
        assert_int_equal(
                nvct_cdi_annotations_set(&spec.annotations, &spec.n_annotations, "k", "v2", &err),
                0);
        assert_int_equal(spec.n_annotations, 2);
        assert_string_equal(spec.annotations[0].key, "k");
        assert_string_equal(spec.annotations[0].value, "v2");
        nvct_cdi_spec_clear(&spec);
        assert_int_equal(spec.n_devices, 0);
        assert_null(spec.devices);
        assert_null(spec.annotations);
        assert_null(err);
}

static void test_equal(void **state) {
        (void)state;
        nvct_cdi_spec a, b;
        build_representative(&a);
        build_representative(&b);
        assert_true(nvct_cdi_spec_equal(&a, &b));
        b.devices[0].edits.device_nodes[0].gid = 45;
        assert_false(nvct_cdi_spec_equal(&a, &b));
        b.devices[0].edits.device_nodes[0].gid = 44;
        free(b.edits.hooks[1].env[0]);
        b.edits.hooks[1].env[0] = strdup("PATH=/bin");
        assert_false(nvct_cdi_spec_equal(&a, &b));
        nvct_cdi_spec_clear(&b);
        build_representative(&b);
        free(b.annotations[0].value);
        b.annotations[0].value = strdup("false");
        assert_false(nvct_cdi_spec_equal(&a, &b));
        nvct_cdi_spec_clear(&a);
        nvct_cdi_spec_clear(&b);
}

/* ---- minimum version ---- */

static void test_minimum_version(void **state) {
        (void)state;
        nvct_error *err = NULL;
        nvct_cdi_spec s = { .kind = strdup("vendor.com/class") };
        nvct_cdi_device *d;
        assert_int_equal(nvct_cdi_spec_add_device(&s, "dev", &d, &err), 0);
        assert_int_equal(nvct_cdi_edits_add_env(&d->edits, "A=1", &err), 0);
        assert_string_equal(nvct_cdi_minimum_version(&s), "0.3.0");

        /* A mount type: 0.4.0 (an empty one is no type). */
        assert_int_equal(nvct_cdi_edits_add_mount(&s.edits, "/a", "/b", NULL, &err), 0);
        s.edits.mounts[0].type = strdup("");
        assert_string_equal(nvct_cdi_minimum_version(&s), "0.3.0");
        free(s.edits.mounts[0].type);
        s.edits.mounts[0].type = strdup("bind");
        assert_string_equal(nvct_cdi_minimum_version(&s), "0.4.0");

        /* A device node hostPath: 0.5.0, in the device's edits too. */
        nvct_cdi_device_node node = { .path = "/dev/x", .host_path = "/host/dev/x" };
        assert_int_equal(nvct_cdi_edits_add_device_node(&d->edits, &node, &err), 0);
        assert_string_equal(nvct_cdi_minimum_version(&s), "0.5.0");
        free(d->edits.device_nodes[0].host_path);
        d->edits.device_nodes[0].host_path = NULL;
        assert_string_equal(nvct_cdi_minimum_version(&s), "0.4.0");

        /* A device name starting with a digit: 0.5.0. */
        assert_int_equal(nvct_cdi_spec_add_device(&s, "0", &d, &err), 0);
        assert_string_equal(nvct_cdi_minimum_version(&s), "0.5.0");

        /* Annotations, of the spec or of a device: 0.6.0. */
        assert_int_equal(
                nvct_cdi_annotations_set(&d->annotations, &d->n_annotations, "k", "v", &err), 0);
        assert_string_equal(nvct_cdi_minimum_version(&s), "0.6.0");
        nvct_cdi_spec t = { .kind = strdup("vendor.com/class") };
        assert_int_equal(nvct_cdi_annotations_set(&t.annotations, &t.n_annotations, "k", "v", &err),
                         0);
        assert_string_equal(nvct_cdi_minimum_version(&t), "0.6.0");
        nvct_cdi_spec_clear(&t);

        /* A '.' in the class (not in the vendor): 0.6.0. */
        t.kind = strdup("vendor.com/class");
        assert_string_equal(nvct_cdi_minimum_version(&t), "0.3.0");
        free(t.kind);
        t.kind = strdup("vendor.com/cla.ss");
        assert_string_equal(nvct_cdi_minimum_version(&t), "0.6.0");
        nvct_cdi_spec_clear(&t);

        /* additionalGids: 0.7.0. */
        s.edits.additional_gids = calloc(1, sizeof(uint32_t));
        s.edits.n_additional_gids = 1;
        assert_string_equal(nvct_cdi_minimum_version(&s), "0.7.0");
        nvct_cdi_spec_clear(&s);
        assert_null(err);
}

/* The rules the model cannot hold (intelRdt, netDevices) and each rule
 * again through the loader: one version below is refused, naming what
 * needs more; the version itself loads. */
static void test_minimum_version_loader(void **state) {
        (void)state;
        static const struct {
                const char *low, *ok, *edits, *kind, *name, *why;
        } cases[] = {
                { "0.3.0", "0.4.0", "'mounts':[{'hostPath':'/a','containerPath':'/b','type':'x'}]",
                  "v.com/c", "d", "a mount type" },
                { "0.4.0", "0.5.0", "'deviceNodes':[{'path':'/a','hostPath':'/b'}]", "v.com/c", "d",
                  "a device node hostPath" },
                { "0.4.0", "0.5.0", "'env':['A=1']", "v.com/c", "0",
                  "a device name starting with a digit" },
                { "0.5.0", "0.6.0", "'env':['A=1']", "v.com/c.d", "d",
                  "a '.' in the kind's class" },
                { "0.6.0", "0.7.0", "'additionalGids':[5]", "v.com/c", "d", "additionalGids" },
                { "0.6.0", "0.7.0", "'env':['A=1'],'intelRdt':{'closID':'x'}", "v.com/c", "d",
                  "intelRdt" },
                { "1.0.0", "1.1.0", "'env':['A=1'],'intelRdt':{'schemata':['L3:0=f']}", "v.com/c",
                  "d", "intelRdt schemata" },
                { "1.0.0", "1.1.0", "'env':['A=1'],'intelRdt':{'enableMonitoring':true}", "v.com/c",
                  "d", "intelRdt enableMonitoring" },
                { "1.0.0", "1.1.0", "'netDevices':[{'hostInterfaceName':'eth1','name':'eth0'}]",
                  "v.com/c", "d", "netDevices" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *low = NULL, *ok = NULL;
#define FMT "{'cdiVersion':'%s','kind':'%s','devices':[{'name':'%s','containerEdits':{%s}}]}"
                assert_true(asprintf(&low, FMT, cases[i].low, cases[i].kind, cases[i].name,
                                     cases[i].edits) > 0);
                assert_true(asprintf(&ok, FMT, cases[i].ok, cases[i].kind, cases[i].name,
                                     cases[i].edits) > 0);
                char want[160];
                snprintf(want, sizeof(want), "cdiVersion: version %s is too low: %s needs %s",
                         cases[i].low, cases[i].why, cases[i].ok);
                parse_fails(low, "t.json", want);
                nvct_cdi_spec spec;
                parse_ok(ok, "t.json", &spec);
                assert_string_equal(spec.version, cases[i].ok);
                nvct_cdi_spec_clear(&spec);
                free(low);
                free(ok);
        }
#undef FMT

        /* Annotations, spec and device level: 0.6.0; empty ones count for
         * nothing, as in the reference. */
        parse_fails("{'cdiVersion':'0.5.0','kind':'v.com/c','annotations':{'k':'v'},"
                    "'devices':[{'name':'d','containerEdits':{'env':['A=1']}}]}",
                    "t.json", "version 0.5.0 is too low: annotations needs 0.6.0");
        parse_fails("{'cdiVersion':'0.5.0','kind':'v.com/c','devices':[{'name':'d',"
                    "'annotations':{'k':'v'},'containerEdits':{'env':['A=1']}}]}",
                    "t.json", "version 0.5.0 is too low: annotations needs 0.6.0");
        nvct_cdi_spec spec;
        parse_ok("{'cdiVersion':'0.3.0','kind':'v.com/c','annotations':{},'devices':[{'name':'d',"
                 "'containerEdits':{'env':['A=1'],'netDevices':[]}}]}",
                 "t.json", &spec);
        nvct_cdi_spec_clear(&spec);
        /* The highest rule wins. */
        parse_fails("{'cdiVersion':'0.6.0','kind':'v.com/c.d','devices':[{'name':'0',"
                    "'containerEdits':{'additionalGids':[1]}}]}",
                    "t.json", "additionalGids needs 0.7.0");
}

/* ---- kinds and names ---- */

static void test_validate_kind(void **state) {
        (void)state;
        static const char *const valid[] = {
                "vendor.com/foo", "foo.bar.baz/foo-bar123.B_az",
                "nvidia.com/gpu", "a/b",
                "x-y.z9/c",       "Vendor.COM/Class",
        };
        static const char *const invalid[] = {
                "",
                "foo",
                "vendor.com/foo/",
                "vendor.com/foo/bar",
                "/foo",
                "vendor.com/",
                "-vendor.com/foo",
                "vendor-.com/foo",
                "vendor..com/foo",
                ".vendor.com/foo",
                "vendor.com./foo",
                "ven_dor.com/foo",
                "vendor.com/-foo",
                "vendor.com/foo-",
                "vendor.com/_foo",
                "vendor.com/.foo",
                "vendor.com/fo o",
                "vendor.com/foo=bar",
                "v\xc3\xa9.com/foo",
        };
        nvct_error *err = NULL;
        for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
                if (nvct_cdi_validate_kind(valid[i], &err) < 0) {
                        print_error("%s: %s\n", valid[i], err->msg);
                        fail();
                }
        }
        for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
                if (nvct_cdi_validate_kind(invalid[i], &err) == 0) {
                        print_error("kind \"%s\" accepted\n", invalid[i]);
                        fail();
                }
                assert_non_null(err);
                if (invalid[i][0] != '\0')
                        assert_contains(err->msg, "invalid kind \"");
                nvct_error_free(&err);
        }
        /* Classes of 63 bytes at most. */
        char kind[400];
        strcpy(kind, "v.com/");
        memset(kind + 6, 'c', 63);
        kind[6 + 63] = '\0';
        assert_int_equal(nvct_cdi_validate_kind(kind, &err), 0);
        strcpy(kind + 6 + 63, "c");
        assert_int_equal(nvct_cdi_validate_kind(kind, &err), -1);
        nvct_error_free(&err);
        /* Vendors: labels of 63, subdomains of 253 at most. */
        memset(kind, 'a', 63);
        strcpy(kind + 63, ".com/c");
        assert_int_equal(nvct_cdi_validate_kind(kind, &err), 0);
        memset(kind, 'a', 64);
        strcpy(kind + 64, ".com/c");
        assert_int_equal(nvct_cdi_validate_kind(kind, &err), -1);
        nvct_error_free(&err);
        size_t n = 0;
        while (n + 10 <= 253) {
                memcpy(kind + n, "abcdefghi.", 10);
                n += 10;
        }
        memcpy(kind + n, "abc", 3); /* 253 in all */
        strcpy(kind + n + 3, "/c");
        assert_int_equal(nvct_cdi_validate_kind(kind, &err), 0);
        memcpy(kind + n, "abcd", 4);
        strcpy(kind + n + 4, "/c");
        assert_int_equal(nvct_cdi_validate_kind(kind, &err), -1);
        nvct_error_free(&err);
}

static void test_validate_device_name(void **state) {
        (void)state;
        static const char *const valid[] = {
                "0",    "a",       "all",
                "gpu0", "0:1",     "mig0:1",
                "a.b",  "a_b-c.d", "GPU-4b1e2b4c-1a8b-7f3e",
                "Z9",   "1a",
        };
        static const char *const invalid[] = {
                "",
                "-a",
                "a-",
                ":0",
                "0:",
                ".a",
                "a.",
                "_a",
                "a_",
                "a b",
                "a/b",
                "a=b",
                "a,b",
                "a\tb",
                "\xc3\xa9",
                "a\xc3\xa9"
                "b",
        };
        nvct_error *err = NULL;
        for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
                if (nvct_cdi_validate_device_name(valid[i], &err) < 0) {
                        print_error("%s: %s\n", valid[i], err->msg);
                        fail();
                }
        }
        for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
                if (nvct_cdi_validate_device_name(invalid[i], &err) == 0) {
                        print_error("name \"%s\" accepted\n", invalid[i]);
                        fail();
                }
                assert_non_null(err);
                nvct_error_free(&err);
        }
        /* The value is quoted (escaped) in the message. */
        assert_int_equal(nvct_cdi_validate_device_name("a\nb", &err), -1);
        assert_contains(err->msg, "\"a\\nb\"");
        nvct_error_free(&err);
}

static void test_format_parse(void **state) {
        (void)state;
        nvct_cdi_format f = 0;
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdi_format_parse("json", &f, &err), 0);
        assert_int_equal(f, NVCT_CDI_JSON);
        assert_int_equal(nvct_cdi_format_parse("YAML", &f, &err), 0);
        assert_int_equal(f, NVCT_CDI_YAML);
        f = 0;
        assert_int_equal(nvct_cdi_format_parse("Yml", &f, &err), 0);
        assert_int_equal(f, NVCT_CDI_YAML);
        f = 0;
        assert_int_equal(nvct_cdi_format_parse("toml", &f, &err), -1);
        assert_int_equal(f, 0);
        assert_contains(err->msg, "\"toml\"");
        nvct_error_free(&err);
        assert_int_equal(nvct_cdi_format_parse(".json", &f, &err), -1);
        nvct_error_free(&err);
}

/* A spec file's format by its extension, lowercase only: CDI readers skip
 * "nvidia.JSON", so a writer must refuse that name rather than write a spec
 * no runtime sees. */
static void test_format_of_path(void **state) {
        (void)state;
        static const struct {
                const char *path;
                nvct_cdi_format want;
        } ok[] = {
                { "/etc/cdi/nvidia.json", NVCT_CDI_JSON },
                { "nvidia.yaml", NVCT_CDI_YAML },
                { "/a.b/nvidia.yml", NVCT_CDI_YAML },
                { "/etc/cdi/nvidia.txt", 0 },
                { "/etc/cdi/nvidia", 0 },
                { "/etc/cdi/json", 0 },
                { "/etc/cdi/nvidia.jsonx", 0 },
        };
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                nvct_cdi_format f = 99;
                nvct_error *err = NULL;
                assert_int_equal(nvct_cdi_format_of_path(ok[i].path, &f, &err), 0);
                assert_null(err);
                assert_int_equal(f, ok[i].want);
        }
        static const char *const refused[] = { "dir/nvidia.JSON", "nvidia.Yaml", "/x/nvidia.YML",
                                               "a.Json", "a\nb.YAML" };
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
                nvct_cdi_format f = 99;
                nvct_error *err = NULL;
                assert_int_equal(nvct_cdi_format_of_path(refused[i], &f, &err), -1);
                assert_int_equal(f, 99);
                assert_non_null(err);
                assert_contains(err->msg, "use a lowercase extension");
                assert_true(err->msg[0] == '"');
                assert_null(strchr(err->msg, '\n'));
                nvct_error_free(&err);
                /* A NULL err is allowed. */
                assert_int_equal(nvct_cdi_format_of_path(refused[i], &f, NULL), -1);
        }
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdi_format_of_path("a\nb.YAML", &(nvct_cdi_format){ 0 }, &err), -1);
        assert_contains(err->msg, "\"a\\nb.YAML\"");
        nvct_error_free(&err);
}

/* "vendor/class=name", built and taken apart, each part checked. */
static void test_qualified_name(void **state) {
        (void)state;
        char *q = nvct_cdi_qualified_name("nvidia.com/gpu", "0:1");
        assert_string_equal(q, "nvidia.com/gpu=0:1");
        char *kind = NULL, *name = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdi_parse_qualified_name(q, &kind, &name, &err), 0);
        assert_null(err);
        assert_string_equal(kind, "nvidia.com/gpu");
        assert_string_equal(name, "0:1");
        free(q);
        free(kind);
        free(name);
        static const struct {
                const char *qualified, *want;
        } bad[] = {
                { "nvidia.com/gpu", "VENDOR/CLASS=NAME" },
                { "nvidia.com=0", "invalid kind \"nvidia.com\"" },
                { "nvidia.com/gpu=", "the device name is empty" },
                { "nvidia.com/gpu=a=b", "invalid device name \"a=b\"" },
                { "-x.com/gpu=0", "the vendor must be a DNS subdomain" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                kind = name = (char *)"untouched";
                assert_int_equal(
                        nvct_cdi_parse_qualified_name(bad[i].qualified, &kind, &name, &err), -1);
                assert_string_equal(kind, "untouched");
                assert_string_equal(name, "untouched");
                assert_contains(err->msg, bad[i].want);
                nvct_error_free(&err);
        }
}

/* Annotation keys as the reference checks them (k8s qualified names),
 * unique, and at most 256 KiB of keys and values per object. */
static void test_annotations(void **state) {
        (void)state;
        static const struct {
                const char *key;
                bool ok;
        } keys[] = {
                { "k", true },          { "a.com/b", true },    { "b_c.d-e", true },
                { "A.com/B", true },    { "/x", false },        { "a.com/", false },
                { "-x", false },        { "x-", false },        { "a b", false },
                { "a.com/b/c", false }, { "a_b.com/c", false }, { "", false },
        };
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                char *text = NULL;
                assert_true(asprintf(&text,
                                     "{'cdiVersion':'0.6.0','kind':'v.com/c','devices':[{'name':"
                                     "'d','annotations':{'%s':'v'},'containerEdits':{'env':["
                                     "'A=1']}}]}",
                                     keys[i].key) > 0);
                if (keys[i].ok) {
                        nvct_cdi_spec s;
                        parse_ok(text, "t.json", &s);
                        assert_int_equal(s.devices[0].n_annotations, 1);
                        assert_string_equal(s.devices[0].annotations[0].key, keys[i].key);
                        assert_string_equal(s.devices[0].annotations[0].value, "v");
                        nvct_cdi_spec_clear(&s);
                } else {
                        parse_fails(text, "t.json", "devices[0].annotations: invalid key");
                }
                free(text);
        }

        /* Too large in all. */
        size_t big = (256u << 10) + 1;
        char *value = malloc(big + 1);
        assert_non_null(value);
        memset(value, 'x', big);
        value[big] = '\0';
        char *text = NULL;
        assert_true(asprintf(&text,
                             "cdiVersion: 0.6.0\nkind: v.com/c\nannotations:\n  k: %s\n"
                             "devices:\n- name: d\n  containerEdits:\n    env: [A=1]\n",
                             value + 2) > 0);
        nvct_cdi_spec s;
        parse_ok(text, "t.yaml", &s); /* 256 KiB in all: just fits */
        nvct_cdi_spec_clear(&s);
        free(text);
        assert_true(asprintf(&text,
                             "cdiVersion: 0.6.0\nkind: v.com/c\nannotations:\n  k: %s\n"
                             "devices:\n- name: d\n  containerEdits:\n    env: [A=1]\n",
                             value + 1) > 0);
        parse_fails(text, "t.yaml", "annotations: larger than 262144 bytes in all");
        free(text);
        free(value);

        /* A model built by hand with a key twice is not written. */
        nvct_cdi_spec m = { .kind = strdup("v.com/c") };
        nvct_error *err = NULL;
        nvct_cdi_device *d;
        assert_int_equal(nvct_cdi_spec_add_device(&m, "d", &d, &err), 0);
        assert_int_equal(nvct_cdi_edits_add_env(&d->edits, "A=1", &err), 0);
        m.annotations = calloc(2, sizeof(*m.annotations));
        assert_non_null(m.annotations);
        m.n_annotations = 2;
        for (size_t i = 0; i < 2; i++) {
                m.annotations[i].key = strdup("k");
                m.annotations[i].value = strdup("v");
        }
        char *out = NULL;
        size_t len;
        assert_int_equal(nvct_cdi_spec_write(&m, NVCT_CDI_YAML, &out, &len, &err), -1);
        assert_contains(err->msg, "annotations: duplicate key \"k\"");
        nvct_error_free(&err);
        nvct_cdi_spec_clear(&m);
}

/* ---- writing ---- */

static void test_write_json(void **state) {
        (void)state;
        nvct_cdi_spec s;
        build_representative(&s);
        size_t len;
        char *out = write_spec(&s, NVCT_CDI_JSON, &len);
        assert_text(out, len, representative_json);
        /* Same model, same bytes. */
        size_t len2;
        char *again = write_spec(&s, NVCT_CDI_JSON, &len2);
        assert_text(again, len2, out);
        free(again);
        free(out);
        /* An explicit version is written as it is. */
        s.version = strdup("1.0.0");
        out = write_spec(&s, NVCT_CDI_JSON, &len);
        assert_int_equal(strncmp(out, "{\n  \"cdiVersion\": \"1.0.0\",\n", 27), 0);
        free(out);
        nvct_cdi_spec_clear(&s);
}

static void test_write_yaml(void **state) {
        (void)state;
        nvct_cdi_spec s;
        build_representative(&s);
        size_t len;
        char *out = write_spec(&s, NVCT_CDI_YAML, &len);
        assert_text(out, len, representative_yaml);
        free(out);
        nvct_cdi_spec_clear(&s);
}

/* Strings that a plain YAML scalar would turn into something else are
 * quoted; the rest are not. */
static void test_write_yaml_quoting(void **state) {
        (void)state;
        static const struct {
                const char *value;
                const char *written;
        } cases[] = {
                { "/usr/bin/x", "/usr/bin/x" },
                { "A=b", "A=b" },
                { "--folder", "--folder" },
                { "x:y", "x:y" },
                { "true", "\"true\"" },
                { "False", "\"False\"" },
                { "yes", "\"yes\"" },
                { "N", "\"N\"" },
                { "off", "\"off\"" },
                { "null", "\"null\"" },
                { "~", "\"~\"" },
                { "", "\"\"" },
                { "0", "\"0\"" },
                { "012", "\"012\"" },
                { "1.5", "\"1.5\"" },
                { "-1", "\"-1\"" },
                { ".inf", "\".inf\"" },
                { "0x1f", "\"0x1f\"" },
                { "1:20", "\"1:20\"" },
                { "2001-12-14", "\"2001-12-14\"" },
                { "a b", "\"a b\"" },
                { "a: b", "\"a: b\"" },
                { "a #b", "\"a #b\"" },
                { "x:", "\"x:\"" },
                { "- x", "\"- x\"" },
                { "-", "\"-\"" },
                { "*x", "\"*x\"" },
                { "&x", "\"&x\"" },
                { "!x", "\"!x\"" },
                { "{a}", "\"{a}\"" },
                { "a,b", "\"a,b\"" },
                { "'q'", "\"'q'\"" },
                { "line\nbreak", "\"line\\nbreak\"" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                nvct_cdi_spec s = { .kind = strdup("v.com/c") };
                nvct_error *err = NULL;
                nvct_cdi_device *d;
                assert_int_equal(nvct_cdi_spec_add_device(&s, "d", &d, &err), 0);
                const char *args[] = { cases[i].value, NULL };
                assert_int_equal(
                        nvct_cdi_edits_add_hook(&d->edits, "poststop", "/h", args, NULL, &err), 0);
                size_t len;
                char *out = write_spec(&s, NVCT_CDI_YAML, &len);
                char want[128];
                snprintf(want, sizeof(want), "      args:\n      - %s\n      env: []\n",
                         cases[i].written);
                assert_contains(out, want);
                nvct_cdi_spec back;
                assert_int_equal(nvct_cdi_spec_parse(out, len, "t.yaml", &back, &err), 0);
                assert_string_equal(back.devices[0].edits.hooks[0].args[0], cases[i].value);
                nvct_cdi_spec_clear(&back);
                free(out);
                nvct_cdi_spec_clear(&s);
        }
}

/* A spec that would not load is not written. */
static void test_write_refuses_invalid(void **state) {
        (void)state;
        static const char *const wants[] = {
                "cdiVersion: unknown version \"0.2.0\"",
                "cdiVersion: version 0.3.0 is too low: a device name starting with a digit "
                "needs 0.5.0",
                "kind: invalid kind \"nvidia\"",
                "devices: a spec must define at least one device",
                "devices[0].containerEdits.hooks[0].path: \"bin/x\" is not an absolute path",
                "devices[0].containerEdits.env[0]: \"=x\" is not NAME=VALUE",
                "devices[1].name: duplicate device name \"d\" (devices[0] has it too)",
                "devices[0].containerEdits: a device must have edits",
                "devices[0].containerEdits.hooks[0].timeout: 0 is out of range",
                "devices[0].containerEdits.deviceNodes[0].type: invalid device type \"x\"",
        };
        for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
                nvct_cdi_spec s = { .kind = strdup("v.com/c") };
                nvct_error *err = NULL;
                nvct_cdi_device *d = NULL;
                if (i != 3)
                        assert_int_equal(nvct_cdi_spec_add_device(&s, i == 1 ? "0" : "d", &d, &err),
                                         0);
                if (i != 3 && i != 7)
                        assert_int_equal(
                                nvct_cdi_edits_add_env(&d->edits, i == 5 ? "=x" : "A=1", &err), 0);
                switch (i) {
                case 0:
                        s.version = strdup("0.2.0");
                        break;
                case 1:
                        s.version = strdup("0.3.0");
                        break;
                case 2:
                        free(s.kind);
                        s.kind = strdup("nvidia");
                        break;
                case 4:
                        assert_int_equal(nvct_cdi_edits_add_hook(&d->edits, "poststop", "bin/x",
                                                                 NULL, NULL, &err),
                                         0);
                        break;
                case 6:
                        assert_int_equal(nvct_cdi_spec_add_device(&s, "d", &d, &err), 0);
                        assert_int_equal(nvct_cdi_edits_add_env(&d->edits, "B=1", &err), 0);
                        break;
                case 8:
                        assert_int_equal(nvct_cdi_edits_add_hook(&d->edits, "poststop", "/x", NULL,
                                                                 NULL, &err),
                                         0);
                        d->edits.hooks[0].has_timeout = true;
                        break;
                case 9: {
                        nvct_cdi_device_node n = { .path = "/dev/x", .type = "x" };
                        assert_int_equal(nvct_cdi_edits_add_device_node(&d->edits, &n, &err), 0);
                        break;
                }
                }
                for (int f = NVCT_CDI_JSON; f <= NVCT_CDI_YAML; f++) {
                        char *out = (char *)"untouched";
                        size_t len = 7;
                        assert_int_equal(
                                nvct_cdi_spec_write(&s, (nvct_cdi_format)f, &out, &len, &err), -1);
                        assert_string_equal(out, "untouched");
                        assert_int_equal(len, 7);
                        assert_contains(err->msg, wants[i]);
                        assert_int_equal(strncmp(err->msg, "invalid CDI spec: ", 18), 0);
                        nvct_error_free(&err);
                }
                nvct_cdi_spec_clear(&s);
        }
}

/* ---- round trips ---- */

static void round_trip(nvct_cdi_format format, const char *name) {
        nvct_cdi_spec s;
        build_representative(&s);
        s.version = strdup("0.7.0");
        size_t len;
        char *out = write_spec(&s, format, &len);
        nvct_cdi_spec back;
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdi_spec_parse(out, len, name, &back, &err), 0);
        assert_true(nvct_cdi_spec_equal(&s, &back));
        assert_string_equal(back.devices[2].edits.env[0], "QUOTE=a \"b\"\tc\x01 \xc3\xa9 #x: y");
        assert_string_equal(back.devices[0].name, "0");
        assert_int_equal(back.edits.additional_gids[1], 4294967295u);
        size_t len2;
        char *again = write_spec(&back, format, &len2);
        assert_text(again, len2, out);
        /* And across formats. */
        nvct_cdi_format other = format == NVCT_CDI_JSON ? NVCT_CDI_YAML : NVCT_CDI_JSON;
        size_t len3;
        char *cross = write_spec(&back, other, &len3);
        nvct_cdi_spec back2;
        assert_int_equal(nvct_cdi_spec_parse(cross, len3,
                                             other == NVCT_CDI_JSON ? "x.json" : "x.yml", &back2,
                                             &err),
                         0);
        assert_true(nvct_cdi_spec_equal(&s, &back2));
        nvct_cdi_spec_clear(&back2);
        free(cross);
        free(again);
        free(out);
        nvct_cdi_spec_clear(&back);
        nvct_cdi_spec_clear(&s);
}

static void test_round_trip_json(void **state) {
        (void)state;
        round_trip(NVCT_CDI_JSON, "t.json");
}

static void test_round_trip_yaml(void **state) {
        (void)state;
        round_trip(NVCT_CDI_YAML, "t.yaml");
}

/* ---- the JSON schema ---- */

static const char schema_check_py[] =
        "import json, sys\n"
        "import jsonschema\n"
        "d, doc = sys.argv[1], sys.argv[2]\n"
        "schema = json.load(open(d + '/schema.json'))\n"
        "defs = json.load(open(d + '/defs.json'))\n"
        "inst = json.load(open(doc))\n"
        "try:\n"
        "    from referencing import Registry, Resource\n"
        "    from referencing.jsonschema import DRAFT7\n"
        "    reg = Registry().with_resource('defs.json',\n"
        "        Resource.from_contents(defs, default_specification=DRAFT7))\n"
        "    v = jsonschema.Draft7Validator(schema, registry=reg)\n"
        "except ImportError:\n"
        "    r = jsonschema.RefResolver('', schema, store={'defs.json': defs})\n"
        "    v = jsonschema.Draft7Validator(schema, resolver=r)\n"
        "errors = list(v.iter_errors(inst))\n"
        "for e in errors:\n"
        "    print(e.message, list(e.absolute_path), file=sys.stderr)\n"
        "sys.exit(1 if errors else 0)\n";

/* Runs the schema check on `json`: the exit status of the script. */
static int schema_check(const char *dir, const char *json, bool quiet) {
        char script[512], doc[512], *cmd = NULL;
        snprintf(script, sizeof(script), "%s/check.py", dir);
        snprintf(doc, sizeof(doc), "%s/doc.json", dir);
        write_file(script, schema_check_py);
        write_file(doc, json);
        assert_true(asprintf(&cmd, "python3 '%s' '%s' '%s'%s", script, SCHEMA_DIR, doc,
                             quiet ? " 2>/dev/null" : "") > 0);
        int status = system(cmd);
        free(cmd);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void test_schema(void **state) {
        (void)state;
        if (system("python3 -c 'import jsonschema' 2>/dev/null") != 0) {
                print_message("python3 jsonschema not installed: skipped\n");
                skip();
        }
        char dir[] = "/tmp/nvct-cdi-schema-XXXXXX";
        make_dir(dir);

        nvct_cdi_spec s;
        build_representative(&s);
        size_t len;
        char *out = write_spec(&s, NVCT_CDI_JSON, &len);
        assert_int_equal(schema_check(dir, out, false), 0);
        free(out);
        nvct_cdi_spec_clear(&s);

        /* Also a minimal one: no spec-level edits, one device. */
        nvct_cdi_spec m = { .kind = strdup("v.com/c") };
        nvct_error *err = NULL;
        nvct_cdi_device *d;
        assert_int_equal(nvct_cdi_spec_add_device(&m, "d", &d, &err), 0);
        const char *args[] = { "x", NULL };
        assert_int_equal(
                nvct_cdi_edits_add_hook(&d->edits, "createContainer", "/x", args, NULL, &err), 0);
        out = write_spec(&m, NVCT_CDI_JSON, &len);
        assert_int_equal(schema_check(dir, out, false), 0);
        free(out);
        nvct_cdi_spec_clear(&m);

        /* The check is real: it refuses what the schema refuses. */
        assert_int_not_equal(
                schema_check(dir, "{\"cdiVersion\": \"0.3.0\", \"kind\": \"a/b\"}", true), 0);
        assert_int_not_equal(schema_check(dir,
                                          "{\"cdiVersion\": \"0.3.0\", \"kind\": \"a/b\", "
                                          "\"devices\": [{\"name\": \"d\", "
                                          "\"containerEdits\": {\"deviceNodes\": "
                                          "[{\"path\": \"/x\", \"uid\": -1}]}}]}",
                                          true),
                             0);
        remove_tree(dir);
}

/* ---- loading ---- */

static void test_load_minimal(void **state) {
        (void)state;
        nvct_cdi_spec s;
        parse_ok(MINIMAL_JSON, "t.json", &s);
        assert_string_equal(s.version, "0.3.0");
        assert_string_equal(s.kind, "vendor.com/dev");
        assert_int_equal(s.n_devices, 1);
        assert_string_equal(s.devices[0].name, "d");
        assert_int_equal(s.devices[0].edits.n_env, 1);
        assert_string_equal(s.devices[0].edits.env[0], "A=1");
        nvct_cdi_spec_clear(&s);

        /* The same in YAML, with the usual shapes: a plain 0 read as the
         * string "0", nulls as absent fields, comments, flow lists. */
        parse_ok("# a spec\n"
                 "cdiVersion: 0.5.0\n"
                 "kind: vendor.com/dev\n"
                 "annotations:\n"
                 "devices:\n"
                 "  - name: 0\n"
                 "    containerEdits:\n"
                 "      env: [A=1, 'B=two words']\n"
                 "      deviceNodes:\n"
                 "      - {path: /dev/x, major: 195, minor: -1, uid: 1000, fileMode: 8630}\n"
                 "      mounts: ~\n"
                 "containerEdits:\n"
                 "  hooks:\n"
                 "  - hookName: createContainer\n"
                 "    path: /bin/h\n"
                 "    timeout: 5\n",
                 "t.yaml", &s);
        assert_string_equal(s.version, "0.5.0");
        assert_string_equal(s.devices[0].name, "0");
        assert_int_equal(s.devices[0].edits.n_env, 2);
        assert_string_equal(s.devices[0].edits.env[1], "B=two words");
        const nvct_cdi_device_node *n = &s.devices[0].edits.device_nodes[0];
        assert_true(n->has_major_minor);
        assert_int_equal(n->major, 195);
        assert_int_equal(n->minor, -1);
        assert_true(n->has_uid);
        assert_int_equal(n->uid, 1000);
        assert_false(n->has_gid);
        assert_true(n->has_file_mode);
        assert_int_equal(n->file_mode, 8630);
        assert_int_equal(s.devices[0].edits.n_mounts, 0);
        assert_int_equal(s.n_annotations, 0);
        assert_int_equal(s.edits.n_hooks, 1);
        assert_true(s.edits.hooks[0].has_timeout);
        assert_int_equal(s.edits.hooks[0].timeout, 5);
        assert_int_equal(s.edits.hooks[0].n_env, 0);
        nvct_cdi_spec_clear(&s);

        /* intelRdt and netDevices are accepted, checked and dropped; a
         * device having only them still has edits. */
        parse_ok("{'cdiVersion':'1.1.0','kind':'v.com/c','devices':[{'name':'d',"
                 "'containerEdits':{'netDevices':[{'hostInterfaceName':'eth1','name':'ctr0'}]}},"
                 "{'name':'e','containerEdits':{'intelRdt':{'closID':'c','l3CacheSchema':'L3:0=f',"
                 "'memBwSchema':'MB:0=50','schemata':['a'],'enableMonitoring':false}}}]}",
                 "t.json", &s);
        assert_int_equal(s.n_devices, 2);
        assert_true(s.devices[0].edits.n_env == 0 && s.devices[0].edits.n_device_nodes == 0);
        nvct_cdi_spec_clear(&s);
}

static void test_load_errors_json(void **state) {
        (void)state;
        const char *const pre = "{'cdiVersion':'0.3.0','kind':'v.com/c','devices':[{'name':'d',"
                                "'containerEdits':";
        static const struct {
                const char *edits;
                const char *want;
        } edits_cases[] = {
                { "{'env':['A=1'],'bogus':1}",
                  "devices[0].containerEdits: unknown field \"bogus\"" },
                { "{'Env':['A=1']}", "devices[0].containerEdits: unknown field \"Env\"" },
                { "{'deviceNodes':[{'hostPath':'/x'}]}",
                  "devices[0].containerEdits.deviceNodes[0]: missing field \"path\"" },
                { "{'deviceNodes':[{'path':'/x','major':'5'}]}",
                  "devices[0].containerEdits.deviceNodes[0].major: expected an integer, got "
                  "\"5\"" },
                { "{'deviceNodes':[{'path':'/x','minor':1.0}]}",
                  "deviceNodes[0].minor: expected an integer, got \"1.0\"" },
                { "{'deviceNodes':[{'path':'/x','major':9223372036854775808}]}",
                  "deviceNodes[0].major: \"9223372036854775808\" is out of range" },
                { "{'deviceNodes':[{'path':'/x','uid':-1}]}",
                  "deviceNodes[0].uid: \"-1\" is out of range: 0 to 4294967295" },
                { "{'deviceNodes':[{'path':'/x','gid':4294967296}]}",
                  "deviceNodes[0].gid: \"4294967296\" is out of range" },
                { "{'deviceNodes':[{'path':'/x','fileMode':true}]}",
                  "deviceNodes[0].fileMode: expected an integer, got true" },
                { "{'deviceNodes':[{'path':'/x','permissions':'rwx'}]}",
                  "deviceNodes[0].permissions: invalid permissions \"rwx\"" },
                { "{'deviceNodes':[{'path':''}]}", "deviceNodes[0].path: must not be empty" },
                { "{'deviceNodes':{'path':'/x'}}",
                  "containerEdits.deviceNodes: expected a list of device nodes, got a map" },
                { "{'mounts':[{'hostPath':'/x'}]}",
                  "devices[0].containerEdits.mounts[0]: missing field \"containerPath\"" },
                { "{'mounts':[{'hostPath':'/x','containerPath':'/y','options':'ro'}]}",
                  "mounts[0].options: expected a list of strings, got \"ro\"" },
                { "{'mounts':[{'hostPath':'/x','containerPath':'/y','options':[null]}]}",
                  "mounts[0].options[0]: expected a string, got null" },
                { "{'hooks':[{'path':'/x'}]}",
                  "devices[0].containerEdits.hooks[0]: missing field \"hookName\"" },
                { "{'hooks':[{'hookName':'poststop'}]}",
                  "devices[0].containerEdits.hooks[0]: missing field \"path\"" },
                { "{'hooks':[{'hookName':'poststop','path':'x'}]}",
                  "hooks[0].path: \"x\" is not an absolute path" },
                { "{'hooks':[{'hookName':'later','path':'/x'}]}",
                  "hooks[0].hookName: unknown hook \"later\"" },
                { "{'hooks':[{'hookName':'poststop','path':'/x','timeout':0}]}",
                  "hooks[0].timeout: \"0\" is out of range: 1 to 4294967295" },
                { "{'hooks':[{'hookName':'poststop','path':'/x','timeout':4294967296}]}",
                  "hooks[0].timeout: \"4294967296\" is out of range" },
                { "{'hooks':[{'hookName':'poststop','path':'/x','env':['X']}]}",
                  "hooks[0].env[0]: \"X\" is not NAME=VALUE" },
                { "{'env':['A=1','NOEQUALS']}",
                  "devices[0].containerEdits.env[1]: \"NOEQUALS\" is not NAME=VALUE" },
                { "{'env':[1]}", "containerEdits.env[0]: expected a string, got \"1\"" },
                { "{'additionalGids':[-5]}", "additionalGids[0]: \"-5\" is out of range" },
                { "{'env':['A=1'],'intelRdt':{'closID':'..'}}",
                  "intelRdt.closID: invalid CLOS name \"..\"" },
                { "{'env':['A=1'],'intelRdt':{'enableCMT':true}}",
                  "intelRdt: unknown field \"enableCMT\"" },
                { "{'netDevices':[{'name':'eth0'}]}",
                  "netDevices[0]: missing field \"hostInterfaceName\"" },
                { "{'netDevices':[{'hostInterfaceName':'a/b','name':'eth0'}]}",
                  "netDevices[0].hostInterfaceName: invalid network interface name \"a/b\"" },
                { "{}", "devices[0].containerEdits: a device must have edits" },
                { "{'env':null}", "devices[0].containerEdits: a device must have edits" },
                { "[]", "devices[0].containerEdits: expected a map, got a list" },
        };
        for (size_t i = 0; i < sizeof(edits_cases) / sizeof(edits_cases[0]); i++) {
                char *text = NULL;
                assert_true(asprintf(&text, "%s%s}]}", pre, edits_cases[i].edits) > 0);
                parse_fails(text, "t.json", edits_cases[i].want);
                free(text);
        }

        static const struct {
                const char *text;
                const char *want;
        } cases[] = {
                { "{'cdiVersion':'0.3.0','kind':'v.com/c','devices':[{'name':'d',"
                  "'containerEdits':{'env':['A=1']}}],'foo':1}",
                  "\"t.json\": unknown field \"foo\"" },
                { "{'cdiVersion':'0.3.0','devices':[{'name':'d','containerEdits':{'env':['A=1']}}]"
                  "}",
                  "\"t.json\": missing field \"kind\"" },
                { "{'cdiVersion':'0.3.0','kind':'v.com/c'}",
                  "\"t.json\": missing field \"devices\"" },
                { "{'kind':'v.com/c','devices':[]}", "missing field \"cdiVersion\"" },
                { "{'cdiVersion':'0.3.0','kind':'v.com/c','devices':[{'containerEdits':{}}]}",
                  "devices[0]: missing field \"name\"" },
                { "{'cdiVersion':'0.3.0','kind':'v.com/c','devices':[{'name':'d'}]}",
                  "devices[0]: missing field \"containerEdits\"" },
                { "{'cdiVersion':'0.3.0','kind':'v.com/c','devices':[]}",
                  "devices: a spec must define at least one device" },
                { "{'cdiVersion':0.3,'kind':'v.com/c','devices':[]}",
                  "cdiVersion: expected a string, got \"0.3\"" },
                { "{'cdiVersion':'0.2.0','kind':'v.com/c','devices':[{'name':'d',"
                  "'containerEdits':{'env':['A=1']}}]}",
                  "\"t.json\": cdiVersion: unknown version \"0.2.0\"" },
                { "{'cdiVersion':'v0.3.0','kind':'v.com/c','devices':[{'name':'d',"
                  "'containerEdits':{'env':['A=1']}}]}",
                  "cdiVersion: unknown version \"v0.3.0\"" },
                { "{'cdiVersion':'1.2.0','kind':'v.com/c','devices':[{'name':'d',"
                  "'containerEdits':{'env':['A=1']}}]}",
                  "cdiVersion: unknown version \"1.2.0\"" },
                { "{'cdiVersion':'0.3.0','kind':'nvidia.com','devices':[{'name':'d',"
                  "'containerEdits':{'env':['A=1']}}]}",
                  "kind: invalid kind \"nvidia.com\"" },
                { "{'cdiVersion':'0.6.0','kind':'v.com/c/d','devices':[{'name':'d',"
                  "'containerEdits':{'env':['A=1']}}]}",
                  "kind: invalid kind \"v.com/c/d\"" },
                { "{'cdiVersion':'0.3.0','kind':'v.com/c','devices':[{'name':'-d',"
                  "'containerEdits':{'env':['A=1']}}]}",
                  "devices[0].name: invalid device name \"-d\"" },
                { "{'cdiVersion':'0.3.0','kind':'v.com/c','devices':[{'name':'d',"
                  "'containerEdits':{'env':['A=1']}},{'name':'e','containerEdits':{'env':['A=1']}},"
                  "{'name':'d','containerEdits':{'env':['A=1']}}]}",
                  "devices[2].name: duplicate device name \"d\" (devices[0] has it too)" },
                { "{'cdiVersion':'0.6.0','kind':'v.com/c','annotations':{'a b':'x'},'devices':[{"
                  "'name':'d','containerEdits':{'env':['A=1']}}]}",
                  "annotations: invalid key \"a b\"" },
                { "{'cdiVersion':'0.6.0','kind':'v.com/c','annotations':{'k':1},'devices':[{"
                  "'name':'d','containerEdits':{'env':['A=1']}}]}",
                  "annotations: the value of \"k\": expected a string, got \"1\"" },
                { "{'cdiVersion':'0.3.0','kind':'v.com/c','kind':'v.com/d','devices':[]}",
                  "duplicate key \"kind\"" },
                { "[]", "\"t.json\": expected a map (the spec), got a list" },
                { "", "line 1, column 1: invalid JSON: premature EOF" },
                { "{'cdiVersion':'0.3.0'} {}", "invalid JSON: trailing garbage" },
                { "{'cdiVersion':'0.3.0','kind':'a\\u0000b','devices':[]}", "a NUL byte" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                parse_fails(cases[i].text, "t.json", cases[i].want);

        parse_fails("{'cdiVersion':'0.3.0','kind':'v.com/c','devices':[{'name':'d',"
                    "'containerEdits':{'env':['A=\\u0000']}}]}",
                    "t.json",
                    "\"t.json\": line 1, column 98: devices[0].containerEdits.env[0]: a NUL "
                    "byte in a string");
        parse_fails("{'cdiVersion':'0.3.0',\n}", "t.json",
                    "\"t.json\": line 2, column 2: invalid JSON: invalid object key");

        /* Invalid UTF-8, raw. */
        static const char raw[] = "{\"cdiVersion\":\"0.3.0\",\"kind\":\"\xff\",\"devices\":[]}";
        parse_fails_len(raw, sizeof(raw) - 1, "t.json", "kind: invalid UTF-8 in a string", NULL);
}

static void test_load_errors_yaml(void **state) {
        (void)state;
        static const struct {
                const char *text;
                const char *want;
        } cases[] = {
                { "cdiVersion: 0.3.0\nkind: &k v.com/c\ndevices: []\n",
                  "line 2, column 7: kind: YAML anchors are not supported" },
                { "cdiVersion: 0.3.0\nkind: *k\ndevices: []\n", "YAML aliases are not supported" },
                { "cdiVersion: 0.3.0\nkind: !!str v.com/c\ndevices: []\n",
                  "YAML tags are not supported" },
                { "cdiVersion: 0.3.0\nkind: v.com/c\ndevices: !x []\n",
                  "YAML tags are not supported" },
                { "cdiVersion: 0.3.0\nkind: v.com/c\ndevices: []\n---\nkind: x\n",
                  "more than one YAML document" },
                { "? [a]\n: b\n", "a map key that is not a scalar" },
                { "cdiVersion: 0.3.0\nkind: \"a\\0b\"\ndevices: []\n", "a NUL byte in a string" },
                { "cdiVersion: 0.3.0\nkind: v.com/c\nkind: v.com/d\ndevices: []\n",
                  "duplicate key \"kind\"" },
                { "cdiVersion: 0.3.0\nkind: [\n", "invalid YAML" },
                { "cdiVersion: 0.3.0\n\tkind: x\n", "invalid YAML" },
                { "", "empty document" },
                { "# nothing\n", "empty document" },
                { "just a string\n", "expected a map (the spec), got \"just a string\"" },
                { "cdiVersion:\nkind: v.com/c\ndevices: []\n", "missing field \"cdiVersion\"" },
                { "cdiVersion: 0.3.0\nkind: v.com/c\ndevices:\n- name: d\n  containerEdits:\n"
                  "    deviceNodes:\n    - path: /x\n      major: \"5\"\n",
                  "deviceNodes[0].major: expected an integer, got \"5\"" },
                { "cdiVersion: 0.3.0\nkind: v.com/c\ndevices:\n- name: d\n  containerEdits:\n"
                  "    deviceNodes:\n    - path: /x\n      fileMode: 0644\n",
                  "deviceNodes[0].fileMode: expected an integer, got \"0644\"" },
                { "cdiVersion: 0.3.0\nkind: v.com/c\ndevices:\n- name: d\n  containerEdits:\n"
                  "    deviceNodes:\n    - path: /x\n      uid: 0x10\n",
                  "deviceNodes[0].uid: expected an integer, got \"0x10\"" },
                { "cdiVersion: 1.1.0\nkind: v.com/c\ndevices:\n- name: d\n  containerEdits:\n"
                  "    intelRdt:\n      enableMonitoring: yes\n",
                  "intelRdt.enableMonitoring: expected a boolean, got \"yes\"" },
                { "cdiVersion: 0.3.0\nkind: v.com/c\ndevices:\n- name: d\n  containerEdits:\n"
                  "    env: [~]\n",
                  "containerEdits.env[0]: expected a string, got null" },
                { "cdiVersion: 0.6.0\nkind: v.com/c\nannotations:\n  \"a\\nb\": [1]\ndevices: []\n",
                  "annotations: the value of \"a\\nb\": expected a string, got a list" },
                { "cdiVersion: 0.6.0\nkind: v.com/c\nannotations:\n  \"a\\nb\": x\ndevices: []\n",
                  "annotations: invalid key \"a\\nb\"" },
                { "cdiVersion: 0.3.0\nkind: v.com/c\ndevices:\n- name: d\n  unknown: 1\n",
                  "devices[0]: unknown field \"unknown\"" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                parse_fails(cases[i].text, "t.yaml", cases[i].want);

        /* Raw control characters and invalid UTF-8 stop libyaml's reader. */
        static const char raw[] = "cdiVersion: 0.3.0\nkind: \xff\n";
        parse_fails_len(raw, sizeof(raw) - 1, "t.yml", "invalid YAML", NULL);
        static const char nul[] = "cdiVersion: 0.3.0\nkind: a\0b\n";
        parse_fails_len(nul, sizeof(nul) - 1, "t.yml", "invalid YAML", NULL);

        /* A plain scalar of the YAML 1.2 booleans is a string for a string
         * field, as in the reference (its YAML decoding converts). */
        nvct_cdi_spec s;
        parse_ok("cdiVersion: 0.3.0\nkind: v.com/c\ndevices:\n- name: true\n  containerEdits:\n"
                 "    env: [A=1]\n",
                 "t.yaml", &s);
        assert_string_equal(s.devices[0].name, "true");
        nvct_cdi_spec_clear(&s);
}

static void nest(char *buf, size_t depth, const char *open, const char *close) {
        buf[0] = '\0';
        for (size_t i = 0; i < depth; i++)
                strcat(buf, open);
        for (size_t i = 0; i < depth; i++)
                strcat(buf, close);
}

static void test_load_depth(void **state) {
        (void)state;
        char buf[6 * (NVCT_CDI_MAX_DEPTH + 2) + 1];
        /* At the bound, the tree is built: the error is about types. */
        nest(buf, NVCT_CDI_MAX_DEPTH, "[", "]");
        parse_fails_len(buf, strlen(buf), "t.json", "expected a map (the spec), got a list", NULL);
        parse_fails_len(buf, strlen(buf), "t.yaml", "expected a map (the spec), got a list", NULL);
        nest(buf, NVCT_CDI_MAX_DEPTH + 1, "[", "]");
        parse_fails_len(buf, strlen(buf), "t.json", "nested deeper than 64 levels", NULL);
        parse_fails_len(buf, strlen(buf), "t.yaml", "nested deeper than 64 levels", NULL);
        /* Deep inside a field. */
        char *text = NULL;
        nest(buf, NVCT_CDI_MAX_DEPTH, "{'a':", "}");
        assert_true(asprintf(&text, "{'cdiVersion':'0.6.0','kind':'v.com/c','x':%s}", buf) > 0);
        parse_fails(text, "t.json", "nested deeper than 64 levels");
        free(text);
}

static void test_load_size(void **state) {
        (void)state;
        /* From memory: refused before parsing. */
        size_t big = NVCT_CDI_MAX_FILE_SIZE + 1;
        char *data = malloc(big);
        assert_non_null(data);
        memset(data, ' ', big);
        parse_fails_len(data, big, "t.json", "larger than 16777216 bytes", NULL);
        free(data);

        /* Many values in a small input are bounded too: one per 8 bytes
         * (a 32-byte node each, so a spec costs a small multiple of its
         * size). Reading stops at the first value too many: 2 MiB of "0,"
         * is given up a quarter of the way in, after 262144 values. */
        size_t n = (1u << 20) + 1;
        data = malloc(2 * n + 2);
        assert_non_null(data);
        data[0] = '[';
        for (size_t i = 0; i < n; i++) {
                data[1 + 2 * i] = '0';
                data[2 + 2 * i] = ',';
        }
        data[2 * n] = ']';
        parse_fails_len(data, 2 * n + 1, "t.json",
                        "line 1, column 524289: [262143]: more than 262144 values: a document may "
                        "hold one per 8 bytes (at least 65536)",
                        NULL);
        /* The same in YAML. */
        data[2 * n - 1] = ']';
        parse_fails_len(data, 2 * n, "t.yaml", "more than 262144 values", NULL);
        /* At most 2^20, however large the file. */
        free(data);
        n = NVCT_CDI_MAX_FILE_SIZE / 2 - 1;
        data = malloc(2 * n + 2);
        assert_non_null(data);
        data[0] = '[';
        for (size_t i = 0; i < n; i++) {
                data[1 + 2 * i] = '0';
                data[2 + 2 * i] = ',';
        }
        data[2 * n] = ']';
        parse_fails_len(data, 2 * n + 1, "t.json",
                        "column 2097153: [1048575]: more than 1048576 values", NULL);
        free(data);
}

/* A spec as dense as a real one can be is read whole, beyond the first 65536
 * values; and so is a small one however dense. */
static char *dense_spec(size_t n_devices, size_t n_env) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        assert_non_null(f);
        fputs("{\"cdiVersion\":\"0.3.0\",\"kind\":\"v.com/c\",\"devices\":[", f);
        for (size_t i = 0; i < n_devices; i++)
                fprintf(f, "%s{\"name\":\"d%zu\",\"containerEdits\":{\"env\":[\"A=1\"]}}",
                        i ? "," : "", i);
        fputs("],\"containerEdits\":{\"env\":[", f);
        for (size_t i = 0; i < n_env; i++)
                fprintf(f, "%s\"A=1\"", i ? "," : "");
        fputs("]}}", f);
        assert_int_equal(fclose(f), 0);
        return text;
}

static void test_load_density(void **state) {
        (void)state;
        /* 80000 minimal devices: 5 values in 46 bytes each, 400000 in all. */
        char *text = dense_spec(80000, 1);
        nvct_cdi_spec spec = { 0 };
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdi_spec_parse(text, strlen(text), "t.json", &spec, &err), 0);
        assert_int_equal(spec.n_devices, 80000);
        nvct_cdi_spec_clear(&spec);
        free(text);

        /* 60000 env entries of 6 bytes: denser than one value per 8 bytes,
         * but under 65536 values. */
        text = dense_spec(1, 60000);
        assert_int_equal(nvct_cdi_spec_parse(text, strlen(text), "t.json", &spec, &err), 0);
        assert_int_equal(spec.edits.n_env, 60000);
        nvct_cdi_spec_clear(&spec);
        free(text);

        /* 200000 of them (1200125 bytes) are over the bound of one per 8 bytes. */
        text = dense_spec(1, 200000);
        parse_fails_len(text, strlen(text), "t.json", "more than 150015 values", NULL);
        free(text);
}

static void test_load_files(void **state) {
        (void)state;
        char dir[] = "/tmp/nvct-cdi-load-XXXXXX";
        make_dir(dir);
        char path[512];
        nvct_cdi_spec s = { 0 };
        nvct_error *err = NULL;

        snprintf(path, sizeof(path), "%s/ok.yaml", dir);
        write_file(path, "cdiVersion: 0.3.0\nkind: v.com/c\ndevices:\n- name: d\n"
                         "  containerEdits:\n    env: [A=1]\n");
        assert_int_equal(nvct_cdi_spec_load(path, &s, &err), 0);
        assert_string_equal(s.devices[0].name, "d");
        nvct_cdi_spec_clear(&s);

        /* Errors name the file, then the field. */
        snprintf(path, sizeof(path), "%s/bad.json", dir);
        write_file(path, "{\"cdiVersion\": \"0.3.0\", \"kind\": \"v.com/c\", \"devices\": 1}");
        assert_int_equal(nvct_cdi_spec_load(path, &s, &err), -1);
        char want[600];
        snprintf(want, sizeof(want), "\"%s\": devices: expected a list of devices, got \"1\"",
                 path);
        assert_string_equal(err->msg, want);
        nvct_error_free(&err);

        /* Not a regular file: a FIFO must not hang us. */
        snprintf(path, sizeof(path), "%s/fifo.json", dir);
        assert_int_equal(mkfifo(path, 0600), 0);
        assert_int_equal(nvct_cdi_spec_load(path, &s, &err), -1);
        assert_contains(err->msg, "is not a regular file");
        nvct_error_free(&err);
        snprintf(path, sizeof(path), "%s/sub.yaml", dir);
        assert_int_equal(mkdir(path, 0700), 0);
        assert_int_equal(nvct_cdi_spec_load(path, &s, &err), -1);
        assert_contains(err->msg, "is not a regular file");
        nvct_error_free(&err);

        /* Too big (sparse). */
        snprintf(path, sizeof(path), "%s/big.json", dir);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, NVCT_CDI_MAX_FILE_SIZE + 1), 0);
        close(fd);
        assert_int_equal(nvct_cdi_spec_load(path, &s, &err), -1);
        assert_contains(err->msg, "is larger than 16777216 bytes");
        nvct_error_free(&err);

        /* Missing; and a name that says no format. */
        snprintf(path, sizeof(path), "%s/missing.json", dir);
        assert_int_equal(nvct_cdi_spec_load(path, &s, &err), -1);
        assert_contains(err->msg, "could not open CDI spec");
        nvct_error_free(&err);
        snprintf(path, sizeof(path), "%s/spec.txt", dir);
        write_file(path, "{}");
        assert_int_equal(nvct_cdi_spec_load(path, &s, &err), -1);
        assert_contains(err->msg, "must end in .json, .yaml or .yml");
        nvct_error_free(&err);
        assert_null(s.kind);
        remove_tree(dir);
}

/* ---- listing ---- */

static void spec_file(const char *dir, const char *name, const char *kind, const char *version,
                      const char *const *devices) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        nvct_cdi_spec s = { .kind = strdup(kind), .version = strdup(version) };
        nvct_error *err = NULL;
        for (size_t i = 0; devices[i] != NULL; i++) {
                nvct_cdi_device *d;
                assert_int_equal(nvct_cdi_spec_add_device(&s, devices[i], &d, &err), 0);
                assert_int_equal(nvct_cdi_edits_add_env(&d->edits, "A=1", &err), 0);
        }
        size_t len;
        nvct_cdi_format f = strstr(name, ".json") ? NVCT_CDI_JSON : NVCT_CDI_YAML;
        char *out = write_spec(&s, f, &len);
        write_file(path, out);
        free(out);
        nvct_cdi_spec_clear(&s);
}

static void test_list(void **state) {
        (void)state;
        char top[] = "/tmp/nvct-cdi-list-XXXXXX";
        make_dir(top);
        char etc[600], run[600], missing[600], file_dir[600], path[700];
        snprintf(etc, sizeof(etc), "%s/etc", top);
        snprintf(run, sizeof(run), "%s/run/", top); /* a trailing '/' */
        snprintf(missing, sizeof(missing), "%s/missing", top);
        snprintf(file_dir, sizeof(file_dir), "%s/file", top);
        assert_int_equal(mkdir(etc, 0700), 0);
        assert_int_equal(mkdir(run, 0700), 0);
        write_file(file_dir, "");

        /* etc: a.json defines 0, 1 and 2; b.yaml defines 1 again (a
         * conflict: left out) and x; c.yml is invalid; d.txt is ignored;
         * e.json is a FIFO; sub.json a directory (not searched). */
        spec_file(etc, "a.json", "nvidia.com/gpu", "0.5.0",
                  (const char *const[]){ "0", "1", "2", NULL });
        spec_file(etc, "b.yaml", "nvidia.com/gpu", "0.5.0",
                  (const char *const[]){ "1", "x", NULL });
        snprintf(path, sizeof(path), "%s/c.yml", etc);
        write_file(path, "cdiVersion: 0.3.0\nkind: nvidia.com/gpu\ndevices:\n- name: 0\n"
                         "  containerEdits:\n    env: [A=1]\n");
        snprintf(path, sizeof(path), "%s/d.txt", etc);
        write_file(path, "not a spec");
        snprintf(path, sizeof(path), "%s/e.json", etc);
        assert_int_equal(mkfifo(path, 0600), 0);
        snprintf(path, sizeof(path), "%s/sub.json", etc);
        assert_int_equal(mkdir(path, 0700), 0);
        /* Another kind with the same device name: no conflict. */
        spec_file(etc, "f.json", "example.com/net", "0.5.0", (const char *const[]){ "1", NULL });

        /* run (later: it overrides etc): 0 again, and 1 again (still left
         * out, as in the reference: the conflict removes the name). */
        spec_file(run, "z.yaml", "nvidia.com/gpu", "0.5.0",
                  (const char *const[]){ "0", "1", NULL });

        const char *dirs[] = { etc, missing, run, file_dir, NULL };
        nvct_cdi_listing l = { 0 };
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdi_list(dirs, &l, &err), 0);
        assert_null(err);

        char want_path[700];
        assert_int_equal(l.n_devices, 4);
        assert_string_equal(l.devices[0].qualified_name, "example.com/net=1");
        snprintf(want_path, sizeof(want_path), "%s/f.json", etc);
        assert_string_equal(l.devices[0].spec_path, want_path);
        assert_string_equal(l.devices[1].qualified_name, "nvidia.com/gpu=0");
        snprintf(want_path, sizeof(want_path), "%sz.yaml", run);
        assert_string_equal(l.devices[1].spec_path, want_path);
        assert_string_equal(l.devices[2].qualified_name, "nvidia.com/gpu=2");
        snprintf(want_path, sizeof(want_path), "%s/a.json", etc);
        assert_string_equal(l.devices[2].spec_path, want_path);
        assert_string_equal(l.devices[3].qualified_name, "nvidia.com/gpu=x");
        snprintf(want_path, sizeof(want_path), "%s/b.yaml", etc);
        assert_string_equal(l.devices[3].spec_path, want_path);

        assert_int_equal(l.n_problems, 4);
        snprintf(want_path, sizeof(want_path), "%s/b.yaml", etc);
        assert_string_equal(l.problems[0].path, want_path);
        assert_contains(l.problems[0].reason, "device \"nvidia.com/gpu=1\" is also defined by");
        assert_contains(l.problems[0].reason, "a.json");
        snprintf(want_path, sizeof(want_path), "%s/c.yml", etc);
        assert_string_equal(l.problems[1].path, want_path);
        assert_string_equal(l.problems[1].reason,
                            "cdiVersion: version 0.3.0 is too low: a device name starting with a "
                            "digit needs 0.5.0 or later");
        snprintf(want_path, sizeof(want_path), "%s/e.json", etc);
        assert_string_equal(l.problems[2].path, want_path);
        assert_contains(l.problems[2].reason, "is not a regular file");
        assert_string_equal(l.problems[3].path, file_dir);
        assert_contains(l.problems[3].reason, "cannot read the directory: Not a directory");
        nvct_cdi_listing_clear(&l);
        assert_null(l.devices);
        assert_int_equal(l.n_problems, 0);

        /* No directories, or only missing ones: an empty listing. */
        const char *none[] = { missing, NULL };
        assert_int_equal(nvct_cdi_list(none, &l, &err), 0);
        assert_int_equal(l.n_devices, 0);
        assert_int_equal(l.n_problems, 0);
        nvct_cdi_listing_clear(&l);
        remove_tree(top);
}

/* Many devices across files stay fast and correct (the conflict table
 * is a hash, not a scan). */
static void test_list_many(void **state) {
        (void)state;
        char top[] = "/tmp/nvct-cdi-many-XXXXXX";
        make_dir(top);
        size_t n = 3000;
        char **names = calloc(n + 1, sizeof(*names));
        assert_non_null(names);
        for (size_t i = 0; i < n; i++)
                assert_true(asprintf(&names[i], "dev%zu", i) > 0);
        spec_file(top, "a.json", "v.com/c", "0.3.0", (const char *const *)names);
        free(names[n - 1]);
        names[n - 1] = NULL; /* b.json: all but the last, all conflicting */
        spec_file(top, "b.json", "v.com/c", "0.3.0", (const char *const *)names);
        const char *dirs[] = { top, NULL };
        nvct_cdi_listing l;
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdi_list(dirs, &l, &err), 0);
        assert_int_equal(l.n_devices, 1);
        char want[64];
        snprintf(want, sizeof(want), "v.com/c=dev%zu", n - 1);
        assert_string_equal(l.devices[0].qualified_name, want);
        assert_int_equal(l.n_problems, n - 1);
        nvct_cdi_listing_clear(&l);
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        remove_tree(top);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_builders),
                cmocka_unit_test(test_equal),
                cmocka_unit_test(test_minimum_version),
                cmocka_unit_test(test_minimum_version_loader),
                cmocka_unit_test(test_validate_kind),
                cmocka_unit_test(test_validate_device_name),
                cmocka_unit_test(test_format_parse),
                cmocka_unit_test(test_format_of_path),
                cmocka_unit_test(test_qualified_name),
                cmocka_unit_test(test_annotations),
                cmocka_unit_test(test_write_json),
                cmocka_unit_test(test_write_yaml),
                cmocka_unit_test(test_write_yaml_quoting),
                cmocka_unit_test(test_write_refuses_invalid),
                cmocka_unit_test(test_round_trip_json),
                cmocka_unit_test(test_round_trip_yaml),
                cmocka_unit_test(test_schema),
                cmocka_unit_test(test_load_minimal),
                cmocka_unit_test(test_load_errors_json),
                cmocka_unit_test(test_load_errors_yaml),
                cmocka_unit_test(test_load_depth),
                cmocka_unit_test(test_load_size),
                cmocka_unit_test(test_load_density),
                cmocka_unit_test(test_load_files),
                cmocka_unit_test(test_list),
                cmocka_unit_test(test_list_many),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
