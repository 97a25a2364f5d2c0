/* SPDX-License-Identifier: Apache-2.0 */
/* `create`: what the container asks for (runtime/request: the hook's own
 * decision, and in the CDI modes the annotations), the mode for it
 * (policy/mode), then the mode's edits to config.json (runtime/legacy,
 * runtime/cdimode), written once, atomically, and only when something
 * changed. A container that asks for no GPU keeps its config.json byte for
 * byte, unread by anything but the decision's streaming reader. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "cdi/cdigen.h"
#include "oci/edit.h"
#include "policy/mode.h"
#include "runtime/cdimode.h"
#include "runtime/gpus.h"
#include "runtime/legacy.h"
#include "runtime/request.h"
#include "runtime/requirements.h"
#include "wrapper.h"

typedef struct create_ctx {
        wrapper *w;
        const char *driver_root;
        nvct_request req;
        nvct_strv names;
        nvct_oci_edit *edit;
        /* NVML, loaded at most once, when a mode or a requirement needs it. */
        bool nvml_tried;
        nvct_nvml_info nvml;
        nvct_error *nvml_err;
        bool *selected; /* nvml.n_gpus flags */
        /* The driver root NVML was found on, kept for jit-cdi's generation
         * (open when root_open). */
        bool root_open;
        nvct_driver_root root;
} create_ctx;

static void create_ctx_clear(create_ctx *c) {
        nvct_request_clear(&c->req);
        nvct_strv_clear(&c->names);
        nvct_oci_edit_free(c->edit);
        nvct_nvml_info_clear(&c->nvml);
        nvct_error_free(&c->nvml_err);
        free(c->selected);
        if (c->root_open)
                nvct_driver_root_clear(&c->root);
}

static int load_nvml(create_ctx *c) {
        if (!c->nvml_tried) {
                c->nvml_tried = true;
                /* Opened once: jit-cdi's generation reads the root's
                 * ld.so.cache and looks up its files on the same one. */
                c->root_open =
                        nvct_driver_root_open(c->driver_root, NULL, &c->root, &c->nvml_err) == 0;
                if (c->root_open) {
                        c->root.warn = nvct_runtime_log_warn_fn;
                        c->root.userdata = c->w->log;
                }
                if (c->root_open &&
                    nvct_cdigen_query_nvml_root(&c->root, &c->nvml, &c->nvml_err) == 0)
                        c->selected = calloc(c->nvml.n_gpus + 1, sizeof(bool));
                if (c->nvml_err == NULL && c->selected == NULL)
                        nvct_error_make(&c->nvml_err, ENOMEM, "NVML");
        }
        return c->nvml_err == NULL ? 0 : -1;
}

static bool nvml_loads(void *userdata) {
        create_ctx *c = userdata;
        if (load_nvml(c) == 0)
                return true;
        nvct_runtime_logf(c->w->log, NVCT_LOG_INFO, "auto mode: NVML does not load (%s)",
                          c->nvml_err->msg);
        return false;
}

static int need_nvml(create_ctx *c, const char *why, nvct_error **err) {
        if (load_nvml(c) == 0)
                return 0;
        return nvct_error_make(err, 0, "%s: %s", why, c->nvml_err->msg);
}

static int load_edit(create_ctx *c, const char *bundle, nvct_error **err) {
        if (c->edit == NULL && nvct_oci_edit_load(bundle, &c->edit, err) < 0)
                return -1;
        return 0;
}

/* Marks the GPUs the names select (their device part, for names of `kind`
 * or bare); a name that selects nothing is left to the later steps. */
static void select_gpus(create_ctx *c, const char *kind) {
        for (size_t i = 0; i < c->names.n; i++) {
                const char *part = nvct_runtime_device_part(c->names.v[i], kind);
                if (part != NULL)
                        nvct_runtime_select_gpus(&c->nvml, part, c->selected);
        }
}

static int check_requirements(create_ctx *c, const char *kind, nvct_error **err) {
        const nvct_config *cfg = &c->w->config;
        if (c->req.n_requirements == 0 || c->req.disable_require || cfg->disable_require)
                return 0;
        if (need_nvml(c,
                      "cannot check the container's requirements (NVIDIA_DISABLE_REQUIRE=true "
                      "skips them)",
                      err) < 0)
                return -1;
        select_gpus(c, kind);
        return nvct_runtime_check_requirements(&c->req, &c->nvml, c->selected, err);
}

static int run_legacy(create_ctx *c, const char *bundle, nvct_error **err) {
        wrapper *w = c->w;
        _cleanup_free_ char *hook = NULL;
        if (wrapper_find_program(w->config.runtime_hook.path, "nvidia-container-runtime-hook",
                                 &hook, err) < 0)
                return nvct_error_prefix(err, "legacy mode: the OCI hook");
        if (load_edit(c, bundle, err) < 0)
                return -1;
        if (c->names.n > 0 && load_nvml(c) == 0)
                select_gpus(c, "");
        else if (c->names.n > 0)
                nvct_runtime_logf(w->log, NVCT_LOG_WARNING,
                                  "no device cgroup rules for the GPUs: %s", c->nvml_err->msg);
        const nvct_legacy_options opt = {
                .hook_path = hook,
                .dev_root = c->driver_root,
                .nvml = c->nvml_err == NULL && c->nvml_tried ? &c->nvml : NULL,
                .selected = c->selected,
                .warn = nvct_runtime_log_warn_fn,
                .userdata = w->log,
        };
        return nvct_runtime_legacy_modify(c->edit, &opt, err);
}

static int qualify_all(create_ctx *c, const char *kind, nvct_error **err) {
        for (size_t i = 0; i < c->names.n; i++) {
                char *q = nvct_runtime_qualify(c->names.v[i], kind);
                if (q == NULL)
                        return nvct_error_make(err, ENOMEM, "device names");
                free(c->names.v[i]);
                c->names.v[i] = q;
        }
        return 0;
}

/* nvidia-cdi-hook, which the generated spec's hooks run: next to
 * nvidia-ctk.path when that is a path (NVIDIA installs them together), else
 * as wrapper_find_program finds it. */
static int find_cdi_hook(const char *ctk_path, char **ret_path, nvct_error **err) {
        const char *slash = ctk_path ? strrchr(ctk_path, '/') : NULL;
        if (slash != NULL && ctk_path[0] == '/') {
                _cleanup_free_ char *beside = NULL;
                if (asprintf(&beside, "%.*s/nvidia-cdi-hook", (int)(slash - ctk_path), ctk_path) <
                    0)
                        return nvct_error_make(err, ENOMEM, "nvidia-cdi-hook");
                if (access(beside, X_OK) == 0) {
                        *ret_path = TAKE_PTR(beside);
                        return 0;
                }
        }
        return wrapper_find_program(NULL, "nvidia-cdi-hook", ret_path, err);
}

static int run_cdi(create_ctx *c, bool jit, nvct_error **err) {
        wrapper *w = c->w;
        const char *kind = jit ? NVCT_JIT_CDI_KIND : w->config.runtime.cdi.default_kind;
        nvct_cdi_spec spec = { 0 };
        _cleanup_free_ char *cdi_hook = NULL;
        int r;

        if (kind == NULL || kind[0] == '\0')
                kind = "nvidia.com/gpu";
        if (qualify_all(c, kind, err) < 0)
                return -1;
        if (jit) {
                if (need_nvml(c, "jit-cdi mode", err) < 0)
                        return -1;
                if (find_cdi_hook(w->config.ctk.path, &cdi_hook, err) < 0)
                        return nvct_error_prefix(err, "jit-cdi mode");
                select_gpus(c, kind);
                const char *ldconfig = w->config.cli.ldconfig;
                if (ldconfig != NULL && ldconfig[0] == '@')
                        ldconfig++; /* "@/sbin/ldconfig": a path on the host */
                const nvct_cdigen_options opt = {
                        .driver_root = c->driver_root,
                        .vendor = "runtime.nvidia.com",
                        .class_name = "gpu",
                        .hook_path = cdi_hook,
                        .ldconfig_path = ldconfig && ldconfig[0] ? ldconfig : "/sbin/ldconfig",
                        .nvml_info = &c->nvml,
                        .root = &c->root,
                        .gpu_selected = c->selected,
                        /* NVIDIA's switch for the hook that puts an image's
                         * CUDA compat libraries first. */
                        .disabled_hooks = w->config.features.disable_cuda_compat_lib_hook
                                                  ? NVCT_CDIGEN_HOOK_ENABLE_CUDA_COMPAT
                                                  : 0,
                        .warn = nvct_runtime_log_warn_fn,
                        .userdata = w->log,
                };
                if (nvct_cdigen_generate(&opt, &spec, NULL, err) < 0)
                        return nvct_error_prefix(err, "jit-cdi mode");
        }
        r = check_requirements(c, kind, err);
        if (r == 0) {
                /* jit-cdi reads the spec directories only for names of
                 * other kinds. */
                bool dirs = !jit;
                for (size_t i = 0; i < c->names.n && !dirs; i++)
                        dirs = nvct_runtime_device_part(c->names.v[i], kind) == NULL;
                const nvct_cdi_mode_options opt = {
                        .names = &c->names,
                        .spec_dirs = dirs ? &w->config.runtime.cdi.spec_dirs : NULL,
                        .generated = jit ? &spec : NULL,
                };
                r = nvct_runtime_cdi_modify(c->edit, &opt, err);
        }
        nvct_cdi_spec_clear(&spec);
        return r;
}

static bool all_qualified(const nvct_strv *names) {
        for (size_t i = 0; i < names->n; i++)
                if (!nvct_runtime_is_qualified(names->v[i]))
                        return false;
        return names->n > 0;
}

/* Reads the request, then picks and runs the mode. */
static int modify(create_ctx *c, const char *bundle, const char *path, nvct_error **err) {
        wrapper *w = c->w;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        nvct_runtime_mode mode;

        if (nvct_mode_parse(w->config.runtime.mode, &mode, err) < 0)
                return -1;
        mode = nvct_mode_for_program(w->argv0, mode);
        if (nvct_read_regular(path, "OCI spec", NVCT_OCI_EDIT_MAX_SIZE, false, &data, &len, err) <
                    0 ||
            nvct_runtime_decide(&w->config, data, len, path, &c->req, err) < 0)
                return -1;
        /* In the CDI modes the annotations, when they name any device, are
         * the request (runtime/request.h); the tree is built only when the
         * bytes hold a prefix. */
        const nvct_strv *prefixes = &w->config.runtime.cdi.annotation_prefixes;
        if (mode != NVCT_MODE_LEGACY && nvct_runtime_may_have_annotations(prefixes, data, len) &&
            load_edit(c, bundle, err) < 0)
                return -1;
        bool from_annotations = false;
        if (nvct_runtime_requested_devices(&c->req, mode != NVCT_MODE_LEGACY ? c->edit : NULL,
                                           prefixes, &c->names, &from_annotations, err) < 0)
                return -1;
        if (from_annotations && c->req.gpu_container)
                nvct_runtime_logf(
                        w->log, NVCT_LOG_INFO, "devices from the annotations; %s not read",
                        c->req.devices_origin ? c->req.devices_origin : "the environment");
        /* A GPU container that names no device (NVIDIA_VISIBLE_DEVICES=none)
         * still gets the hook, which gives it the driver without devices;
         * the CDI modes have nothing to resolve for it. */
        bool hook_only =
                c->req.gpu_container && (mode == NVCT_MODE_LEGACY || mode == NVCT_MODE_AUTO);
        if (c->names.n == 0 && !hook_only) {
                nvct_runtime_logf(w->log, NVCT_LOG_DEBUG, "no GPU requested: nothing to do");
                return 0;
        }
        const nvct_mode_inputs in = { .all_qualified = all_qualified(&c->names),
                                      .nvml_loads = c->names.n > 0 ? nvml_loads : NULL,
                                      .userdata = c };
        mode = nvct_mode_resolve(mode, &in);
        nvct_runtime_logf(w->log, NVCT_LOG_INFO, "%s mode for container %s", nvct_mode_name(mode),
                          w->args.container_id ? w->args.container_id : "(no id)");
        if (mode == NVCT_MODE_LEGACY)
                return run_legacy(c, bundle, err);
        if (load_edit(c, bundle, err) < 0)
                return -1;
        return run_cdi(c, mode == NVCT_MODE_JIT_CDI, err);
}

/* The edited document, kept reachable until the exec of the runtime that
 * comes next replaces the process: freeing its nodes one by one would cost
 * every GPU create several percent of its edit for nothing. */
static nvct_oci_edit *written_edit;

int wrapper_create(wrapper *w, nvct_error **err) {
        _cleanup_free_ char *bundle = NULL, *path = NULL;
        create_ctx c = { .w = w };
        int r;

        if (w->args.config != NULL && strcmp(w->args.config, "config.json") != 0) {
                _cleanup_free_ char *q = nvct_quote_path(w->args.config);
                return nvct_error_make(err, 0, "create --config %s: only config.json is supported",
                                       nvct_quoted(q));
        }
        bundle = w->args.bundle ? strdup(w->args.bundle) : getcwd(NULL, 0);
        if (bundle == NULL)
                return nvct_error_make(err, errno, "the bundle");
        if (asprintf(&path, "%s/config.json", bundle) < 0) {
                path = NULL;
                return nvct_error_make(err, ENOMEM, "the bundle");
        }
        c.driver_root = w->config.cli.root && w->config.cli.root[0] ? w->config.cli.root : "/";
        r = modify(&c, bundle, path, err);
        if (r == 0 && c.edit != NULL)
                r = nvct_oci_edit_write(c.edit, err);
        if (r == 0)
                written_edit = TAKE_PTR(c.edit);
        create_ctx_clear(&c);
        return r < 0 ? -1 : 0;
}
