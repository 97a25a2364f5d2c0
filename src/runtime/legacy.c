/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "legacy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "basic/cleanup.h"
#include "basic/quote.h"

static const char *const control_nodes[] = { "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools",
                                             "nvidia-modeset" };
#define RULE_ACCESS "rw"

bool nvct_runtime_is_nvidia_hook(const nvct_document_node *hook, void *userdata) {
        (void)userdata;
        return nvct_oci_hook_has_basename(hook, (void *)"nvidia-container-runtime-hook") ||
               nvct_oci_hook_has_basename(hook, (void *)"nvidia-container-toolkit");
}

static int add_hook(nvct_oci_edit *edit, const char *hook_path, nvct_error **err) {
        const nvct_document_node *hooks = NULL;
        if (nvct_oci_edit_hooks(edit, NVCT_OCI_HOOK_PRESTART, &hooks, err) < 0)
                return -1;
        size_t n = hooks ? nvct_document_array_size(hooks) : 0;
        for (size_t h = 0; h < n; h++)
                if (nvct_runtime_is_nvidia_hook(nvct_document_array_get(hooks, h), NULL))
                        return 0;
        const char *slash = strrchr(hook_path, '/');
        const char *const args[] = { slash ? slash + 1 : hook_path, "prestart", NULL };
        const nvct_oci_hook hook = { .path = hook_path, .args = args, .timeout = -1 };
        return nvct_oci_edit_add_hook(edit, NVCT_OCI_HOOK_PRESTART, &hook, err);
}

static int64_t member_int(const nvct_document_node *rule, const char *key) {
        const nvct_document_node *v = nvct_document_object_get(rule, key);
        if (v == NULL || nvct_document_kind_of(v) != NVCT_DOCUMENT_NUMBER)
                return -2;
        const char *text = nvct_document_text(v, NULL);
        char *end = NULL;
        long long x = strtoll(text, &end, 10);
        return end != NULL && *end == '\0' ? (int64_t)x : -2;
}

static bool member_is(const nvct_document_node *rule, const char *key, const char *want) {
        const nvct_document_node *v = nvct_document_object_get(rule, key);
        if (v == NULL || nvct_document_kind_of(v) != NVCT_DOCUMENT_STRING)
                return false;
        size_t len = 0;
        const char *s = nvct_document_text(v, &len);
        return len == strlen(want) && memcmp(s, want, len) == 0;
}

static int has_rule(const nvct_oci_edit *edit, unsigned major, unsigned minor, bool *ret,
                    nvct_error **err) {
        const nvct_document_node *rules = NULL;
        if (nvct_oci_edit_device_rules(edit, &rules, err) < 0)
                return -1;
        size_t n = rules ? nvct_document_array_size(rules) : 0;
        *ret = false;
        for (size_t i = 0; i < n && !*ret; i++) {
                const nvct_document_node *r = nvct_document_array_get(rules, i);
                if (nvct_document_kind_of(r) != NVCT_DOCUMENT_OBJECT)
                        continue;
                const nvct_document_node *allow = nvct_document_object_get(r, "allow");
                *ret = allow != NULL && nvct_document_kind_of(allow) == NVCT_DOCUMENT_BOOL &&
                       nvct_document_bool(allow) && member_is(r, "type", "c") &&
                       member_is(r, "access", RULE_ACCESS) && member_int(r, "major") == major &&
                       member_int(r, "minor") == minor;
        }
        return 0;
}

/* A rule for the character device at DEV_ROOT/dev/NAME; nothing when it is
 * not there (a host without nvidia-modeset) and `required` is false. */
static int add_node_rule(nvct_oci_edit *edit, const nvct_legacy_options *opt, const char *name,
                         bool required, nvct_error **err) {
        _cleanup_free_ char *path = NULL;
        const char *root = strcmp(opt->dev_root, "/") == 0 ? "" : opt->dev_root;
        if (asprintf(&path, "%s/dev/%s", root, name) < 0)
                return nvct_error_make(err, ENOMEM, "device rules");
        struct stat st;
        if (stat(path, &st) < 0 || !S_ISCHR(st.st_mode)) {
                if (!required)
                        return 0;
                _cleanup_free_ char *q = nvct_quote_path(path);
                nvct_warnf(opt->warn, opt->userdata,
                           "no device cgroup rule for %s: not a character device", nvct_quoted(q));
                return 0;
        }
        bool present = false;
        if (has_rule(edit, major(st.st_rdev), minor(st.st_rdev), &present, err) < 0)
                return -1;
        if (present)
                return 0;
        const nvct_oci_device_rule rule = { .allow = true,
                                            .type = "c",
                                            .major = major(st.st_rdev),
                                            .minor = minor(st.st_rdev),
                                            .access = RULE_ACCESS };
        return nvct_oci_edit_add_device_rule(edit, &rule, err);
}

int nvct_runtime_legacy_modify(nvct_oci_edit *edit, const nvct_legacy_options *opt,
                               nvct_error **err) {
        if (add_hook(edit, opt->hook_path, err) < 0)
                return -1;
        for (size_t i = 0; i < ARRAY_SIZE(control_nodes); i++)
                if (add_node_rule(edit, opt, control_nodes[i], i == 0, err) < 0)
                        return -1;
        if (opt->nvml == NULL)
                return 0;
        for (size_t g = 0; g < opt->nvml->n_gpus; g++) {
                if (!opt->selected[g])
                        continue;
                char name[32];
                snprintf(name, sizeof(name), "nvidia%u", opt->nvml->gpus[g].minor);
                if (add_node_rule(edit, opt, name, true, err) < 0)
                        return -1;
        }
        return 0;
}
