/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "decision.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/gocompat.h"
#include "basic/quote.h"

#define ENV_CUDA_VERSION "CUDA_VERSION"
#define ENV_REQUIRE_PREFIX "NVIDIA_REQUIRE_"
#define ENV_REQUIRE_CUDA ENV_REQUIRE_PREFIX "CUDA"
#define ENV_DISABLE_REQUIRE "NVIDIA_DISABLE_REQUIRE"
#define ENV_VISIBLE_DEVICES "NVIDIA_VISIBLE_DEVICES"
#define ENV_MIG_CONFIG_DEVICES "NVIDIA_MIG_CONFIG_DEVICES"
#define ENV_MIG_MONITOR_DEVICES "NVIDIA_MIG_MONITOR_DEVICES"
#define ENV_DRIVER_CAPABILITIES "NVIDIA_DRIVER_CAPABILITIES"

void nvct_request_clear(nvct_request *req) {
        free(req->devices_origin);
        free(req->devices);
        free(req->mig_config_devices);
        free(req->mig_monitor_devices);
        free(req->driver_capabilities);
        free(req->driver_capabilities_origin);
        for (size_t i = 0; i < req->n_requirements; i++) {
                free(req->requirements[i].value);
                free(req->requirements[i].origin);
        }
        free(req->requirements);
        *req = (nvct_request){ 0 };
}

static bool set_bytes(char **dst, size_t *dst_len, const char *s, size_t len) {
        char *d = nvct_memdup0(s, len);
        if (d == NULL)
                return false;
        free(*dst);
        *dst = d;
        if (dst_len)
                *dst_len = len;
        return true;
}

static bool set_origin(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool set_origin(char **dst, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                return false;
        free(*dst);
        *dst = s;
        return true;
}

static bool is_legacy_image(const nvct_env *env) {
        const nvct_env_var *cuda = nvct_env_get(env, ENV_CUDA_VERSION);
        const nvct_env_var *require = nvct_env_get(env, ENV_REQUIRE_CUDA);
        return cuda != NULL && cuda->value_len > 0 && (require == NULL || require->value_len == 0);
}

static bool bytes_eq(const char *s, size_t len, const char *lit) {
        return len == strlen(lit) && memcmp(s, lit, len) == 0;
}

/* getDevicesFromMounts: each /dev/null mount under the device-list root
 * names one device by the rest of its path. Like the reference, this is a
 * string-prefix test, not a path-component one. */
static int devices_from_mounts(const nvct_decision_input *in, nvct_request *req, bool *found,
                               nvct_error **err) {
        const char *root = NVCT_DEVICE_LIST_MOUNT_ROOT;
        size_t root_len = strlen(root);
        char *list = NULL;
        size_t list_len = 0;
        FILE *f = open_memstream(&list, &list_len);
        if (f == NULL)
                return nvct_error_make(err, 0, "out of memory");
        size_t n = 0;
        for (size_t i = 0; i < in->n_dev_null_mounts; i++) {
                const char *dest = in->dev_null_mounts[i];
                size_t len = in->dev_null_mount_lens[i];
                if (len < root_len || memcmp(dest, root, root_len) != 0)
                        continue;
                const char *device = dest + root_len;
                size_t device_len = len - root_len;
                if (device_len > 0 && device[0] == '/') {
                        device++;
                        device_len--;
                }
                if (device_len == 0)
                        continue;
                if (n++ > 0)
                        fputc(',', f);
                fwrite(device, 1, device_len, f);
        }
        if (fclose(f) != 0) {
                free(list);
                return nvct_error_make(err, 0, "out of memory");
        }
        if (n == 0) {
                free(list);
                *found = false;
                return 0;
        }
        free(req->devices);
        req->devices = list;
        req->devices_len = list_len;
        if (!set_origin(&req->devices_origin, "%zu volume mount(s) under %s", n, root))
                return nvct_error_make(err, 0, "out of memory");
        *found = true;
        return 0;
}

/* getDevicesFromEnvvar. Returns whether it is a GPU container. */
static int devices_from_env(const nvct_decision_input *in, nvct_request *req, bool *ret_gpu,
                            nvct_error **err) {
        const nvct_env_var *var = NULL;
        const char *var_name = ENV_VISIBLE_DEVICES;
        /* Deliberate difference: the swarm resource variable, when the config
         * names one and the image sets it, takes precedence, as the
         * reference's own comment intends. */
        if (in->config->swarm_resource != NULL) {
                var = nvct_env_get(in->env, in->config->swarm_resource);
                if (var != NULL)
                        var_name = in->config->swarm_resource;
        }
        if (var == NULL)
                var = nvct_env_get(in->env, ENV_VISIBLE_DEVICES);

        _cleanup_free_ char *qname = nvct_quote(var_name, strlen(var_name));
        const char *shown = qname ? qname : var_name;
        if (nvct_is_plain(var_name, strlen(var_name)))
                shown = var_name;

        bool ok;
        if (var == NULL && req->legacy_image) {
                ok = set_bytes(&req->devices, &req->devices_len, "all", 3) &&
                     set_origin(&req->devices_origin, "default for a legacy CUDA image: %s unset",
                                shown);
        } else if (var == NULL || var->value_len == 0 ||
                   bytes_eq(var->value, var->value_len, "void")) {
                ok = var == NULL           ? set_origin(&req->devices_origin, "%s unset", shown)
                     : var->value_len == 0 ? set_origin(&req->devices_origin, "%s empty", shown)
                                           : set_origin(&req->devices_origin, "%s=void", shown);
                if (!ok)
                        return nvct_error_make(err, 0, "out of memory");
                *ret_gpu = false;
                return 0;
        } else if (bytes_eq(var->value, var->value_len, "none")) {
                ok = set_bytes(&req->devices, &req->devices_len, "", 0) &&
                     set_origin(&req->devices_origin, "%s=none", shown);
        } else {
                ok = set_bytes(&req->devices, &req->devices_len, var->value, var->value_len) &&
                     set_origin(&req->devices_origin, "%s", shown);
        }
        if (!ok)
                return nvct_error_make(err, 0, "out of memory");

        /* The legacy default counts as read from the variable too. */
        if (!in->privileged && !in->config->accept_envvar_unprivileged)
                return nvct_error_make(err, 0,
                                       "insufficient privileges to read device list from %s: "
                                       "the container is not privileged and "
                                       "accept-nvidia-visible-devices-envvar-when-unprivileged "
                                       "is false",
                                       shown);
        *ret_gpu = true;
        return 0;
}

static int get_mig_devices(const nvct_decision_input *in, const char *name, char **ret,
                           size_t *ret_len, nvct_error **err) {
        const nvct_env_var *var = nvct_env_get(in->env, name);
        const char *value = var ? var->value : "";
        size_t len = var ? var->value_len : 0;
        if (!in->privileged && len > 0)
                return nvct_error_make(err, 0,
                                       "cannot set %s in a non-privileged container: MIG "
                                       "configuration and monitoring need CAP_SYS_ADMIN",
                                       name);
        if (!set_bytes(ret, ret_len, value, len))
                return nvct_error_make(err, 0, "out of memory");
        return 0;
}

static int get_driver_capabilities(const nvct_decision_input *in, nvct_request *req,
                                   nvct_error **err) {
        const nvct_env_var *var = nvct_env_get(in->env, ENV_DRIVER_CAPABILITIES);
        const char *value;
        size_t len;
        const char *origin;
        if (var == NULL && req->legacy_image) {
                value = NVCT_ALL_DRIVER_CAPABILITIES;
                origin = "all, for a legacy CUDA image: " ENV_DRIVER_CAPABILITIES " unset";
        } else if (var == NULL || var->value_len == 0) {
                value = NVCT_DEFAULT_DRIVER_CAPABILITIES;
                origin = var == NULL ? "default: " ENV_DRIVER_CAPABILITIES " unset"
                                     : "default: " ENV_DRIVER_CAPABILITIES " empty";
        } else if (bytes_eq(var->value, var->value_len, "all")) {
                value = NVCT_ALL_DRIVER_CAPABILITIES;
                origin = ENV_DRIVER_CAPABILITIES "=all";
        } else {
                if (!set_bytes(&req->driver_capabilities, &req->driver_capabilities_len, var->value,
                               var->value_len) ||
                    !set_origin(&req->driver_capabilities_origin, "%s", ENV_DRIVER_CAPABILITIES))
                        return nvct_error_make(err, 0, "out of memory");
                return 0;
        }
        len = strlen(value);
        if (!set_bytes(&req->driver_capabilities, &req->driver_capabilities_len, value, len) ||
            !set_origin(&req->driver_capabilities_origin, "%s", origin))
                return nvct_error_make(err, 0, "out of memory");
        return 0;
}

static int add_requirement(nvct_request *req, const char *value, size_t value_len,
                           const char *origin, size_t origin_len, nvct_error **err) {
        if (req->n_requirements == req->cap_requirements) {
                /* Geometric growth: an image may carry many thousands. */
                size_t cap = req->cap_requirements ? req->cap_requirements * 2 : 8;
                nvct_requirement *grown = reallocarray(req->requirements, cap, sizeof(*grown));
                if (grown == NULL)
                        return nvct_error_make(err, 0, "out of memory");
                req->requirements = grown;
                req->cap_requirements = cap;
        }
        nvct_requirement *reqs = req->requirements;
        nvct_requirement r = { 0 };
        if (!set_bytes(&r.value, &r.value_len, value, value_len) ||
            !set_bytes(&r.origin, &r.origin_len, origin, origin_len)) {
                free(r.value);
                free(r.origin);
                return nvct_error_make(err, 0, "out of memory");
        }
        reqs[req->n_requirements++] = r;
        return 0;
}

static int get_requirements(const nvct_decision_input *in, nvct_request *req, nvct_error **err) {
        size_t prefix_len = strlen(ENV_REQUIRE_PREFIX);
        for (size_t i = 0; i < in->env->n_vars; i++) {
                const nvct_env_var *v = &in->env->vars[i];
                if (v->name_len < prefix_len ||
                    memcmp(v->name, ENV_REQUIRE_PREFIX, prefix_len) != 0)
                        continue;
                if (add_requirement(req, v->value, v->value_len, v->name, v->name_len, err) < 0)
                        return -1;
        }
        if (req->legacy_image) {
                const nvct_env_var *cuda = nvct_env_get(in->env, ENV_CUDA_VERSION);
                uint32_t major, minor, patch;
                if (!nvct_go_parse_cuda_version(cuda->value, cuda->value_len, &major, &minor,
                                                &patch)) {
                        _cleanup_free_ char *q = nvct_quote(cuda->value, cuda->value_len);
                        return nvct_error_make(err, 0,
                                               "invalid CUDA version %s in " ENV_CUDA_VERSION
                                               ": expected MAJOR, MAJOR.MINOR or "
                                               "MAJOR.MINOR.PATCH",
                                               q ? q : "");
                }
                char buf[64];
                int n = snprintf(buf, sizeof(buf), "cuda>=%" PRIu32 ".%" PRIu32, major, minor);
                const char *origin = ENV_CUDA_VERSION ", legacy CUDA image";
                if (add_requirement(req, buf, (size_t)n, origin, strlen(origin), err) < 0)
                        return -1;
        }
        return 0;
}

int nvct_decide(const nvct_decision_input *in, nvct_request *ret_request, nvct_error **err) {
        nvct_request req = { 0 };
        req.privileged = in->privileged;
        req.legacy_image = is_legacy_image(in->env);

        bool gpu = false;
        int r = 0;
        if (in->config->accept_volume_mounts)
                r = devices_from_mounts(in, &req, &gpu, err);
        if (r >= 0 && !gpu)
                r = devices_from_env(in, &req, &gpu, err);
        if (r < 0)
                goto fail;
        req.gpu_container = gpu;
        if (!gpu) {
                /* Not a GPU container: the reference decides nothing else,
                 * so nothing else can fail. */
                free(req.devices);
                req.devices = NULL;
                req.devices_len = 0;
                *ret_request = req;
                return 0;
        }

        if (get_mig_devices(in, ENV_MIG_CONFIG_DEVICES, &req.mig_config_devices,
                            &req.mig_config_devices_len, err) < 0 ||
            get_mig_devices(in, ENV_MIG_MONITOR_DEVICES, &req.mig_monitor_devices,
                            &req.mig_monitor_devices_len, err) < 0 ||
            get_driver_capabilities(in, &req, err) < 0 || get_requirements(in, &req, err) < 0)
                goto fail;

        const nvct_env_var *disable = nvct_env_get(in->env, ENV_DISABLE_REQUIRE);
        req.disable_require =
                disable && nvct_go_parse_bool_lenient(disable->value, disable->value_len);

        *ret_request = req;
        return 0;
fail:
        nvct_request_clear(&req);
        return -1;
}
