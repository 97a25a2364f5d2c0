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
#include "basic/strcount.h"

#define ENV_CUDA_VERSION "CUDA_VERSION"
#define ENV_REQUIRE_PREFIX "NVIDIA_REQUIRE_"
#define ENV_REQUIRE_CUDA ENV_REQUIRE_PREFIX "CUDA"
#define ENV_DISABLE_REQUIRE "NVIDIA_DISABLE_REQUIRE"
#define ENV_VISIBLE_DEVICES "NVIDIA_VISIBLE_DEVICES"
#define ENV_MIG_CONFIG_DEVICES "NVIDIA_MIG_CONFIG_DEVICES"
#define ENV_MIG_MONITOR_DEVICES "NVIDIA_MIG_MONITOR_DEVICES"
#define ENV_DRIVER_CAPABILITIES "NVIDIA_DRIVER_CAPABILITIES"
#define ENV_IMEX_CHANNELS "NVIDIA_IMEX_CHANNELS"
/* A prefix, as NVIDIA's GetRequirements tests it: NVIDIA_REQUIRE_JETPACK
 * and NVIDIA_REQUIRE_JETPACK_HOST_MOUNTS select Jetson (csv mode) mounts;
 * nvidia-container-cli does not know them as requirements. */
#define ENV_REQUIRE_JETPACK ENV_REQUIRE_PREFIX "JETPACK"

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
        free(req->imex_channels);
        free(req->imex_channels_origin);
        free(req->cuda_compat_mode_origin);
        free(req->runtime_mode_origin);
        nvct_strv_clear(&req->dropped);
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

static bool bytes_start(const char *s, size_t len, const char *prefix) {
        size_t n = strlen(prefix);
        return len >= n && memcmp(s, prefix, n) == 0;
}

/* What a /dev/null mount at ROOT/NAME (or ROOT NAME) names: NAME, or NULL
 * when the destination is not under the device-list root. */
static const char *mount_entry(const char *dest, size_t len, size_t *ret_len) {
        size_t root_len = strlen(NVCT_DEVICE_LIST_MOUNT_ROOT);
        if (!bytes_start(dest, len, NVCT_DEVICE_LIST_MOUNT_ROOT))
                return NULL;
        dest += root_len;
        len -= root_len;
        if (len > 0 && dest[0] == '/') {
                dest++;
                len--;
        }
        *ret_len = len;
        return dest;
}

/* A printf'd note in req->dropped. */
static int drop(nvct_request *req, nvct_error **err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int drop(nvct_request *req, nvct_error **err, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0 || nvct_strv_push(&req->dropped, s) < 0)
                return nvct_error_make(err, 0, "out of memory");
        return 0;
}

/* getDevicesFromMounts: each /dev/null mount under the device-list root
 * names one device by the rest of its path. Like the reference, this is a
 * string-prefix test, not a path-component one. A rest that starts with
 * imex/ is an IMEX channel, as in NVIDIA's current hook. */
static int devices_from_mounts(const nvct_decision_input *in, nvct_request *req, bool *found,
                               nvct_error **err) {
        char *list = NULL;
        size_t list_len = 0;
        FILE *f = open_memstream(&list, &list_len);
        if (f == NULL)
                return nvct_error_make(err, 0, "out of memory");
        size_t n = 0;
        for (size_t i = 0; i < in->n_dev_null_mounts; i++) {
                size_t device_len = 0;
                const char *device = mount_entry(in->dev_null_mounts[i], in->dev_null_mount_lens[i],
                                                 &device_len);
                if (device == NULL || device_len == 0)
                        continue;
                /* An IMEX channel request (imex_from_mounts), not a GPU. */
                if (bytes_start(device, device_len, NVCT_IMEX_MOUNT_PREFIX))
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
        if (!set_origin(&req->devices_origin, "%zu volume mount(s) under %s", n,
                        NVCT_DEVICE_LIST_MOUNT_ROOT))
                return nvct_error_make(err, 0, "out of memory");
        *found = true;
        return 0;
}

/* Go's strings.TrimSpace, for ASCII: names and list entries are ASCII. */
static void trim_space(const char **s, size_t *len) {
        static const char space[] = " \t\n\v\f\r";
        while (*len > 0 && memchr(space, (*s)[0], sizeof(space) - 1) != NULL) {
                (*s)++;
                (*len)--;
        }
        while (*len > 0 && memchr(space, (*s)[*len - 1], sizeof(space) - 1) != NULL)
                (*len)--;
}

/* A device list as NVIDIA's current toolkit reads one from several values
 * (devicesFromEnvvars, NewVisibleDevices): the comma-separated entries of
 * every value, trimmed, empty ones left out; no entry at all or any "void"
 * is void (nothing requested), else any "none" is none, else any "all" is
 * all. Used only for the inputs 1.3.0 did not read: the 1.3.0 variables keep
 * their 1.3.0 reading. */
typedef enum nvct_list_kind {
        LIST_VOID,
        LIST_NONE,
        LIST_ALL,
        LIST_ENTRIES,
} nvct_list_kind;

typedef struct nvct_list {
        FILE *f; /* the entries joined with ',' */
        size_t n;
        bool has_void, has_none, has_all;
} nvct_list;

static void list_scan(nvct_list *l, const char *value, size_t len) {
        const char *p = value, *end = value + len;
        for (;;) {
                const char *comma = memchr(p, ',', (size_t)(end - p));
                const char *e = p;
                size_t n = (size_t)((comma ? comma : end) - p);
                trim_space(&e, &n);
                if (n > 0) {
                        l->has_void |= bytes_eq(e, n, "void");
                        l->has_none |= bytes_eq(e, n, "none");
                        l->has_all |= bytes_eq(e, n, "all");
                        if (l->n++ > 0)
                                fputc(',', l->f);
                        fwrite(e, 1, n, l->f);
                }
                if (comma == NULL)
                        return;
                p = comma + 1;
        }
}

static nvct_list_kind list_kind(const nvct_list *l) {
        if (l->n == 0 || l->has_void)
                return LIST_VOID;
        if (l->has_none)
                return LIST_NONE;
        return l->has_all ? LIST_ALL : LIST_ENTRIES;
}

/* The next name of a comma-separated swarm-resource, trimmed, empty ones
 * skipped; false at the end. */
static bool next_name(const char **cursor, const char **ret_name, size_t *ret_len) {
        while (**cursor != '\0') {
                const char *p = *cursor;
                const char *comma = strchr(p, ',');
                size_t n = comma ? (size_t)(comma - p) : strlen(p);
                *cursor = comma ? comma + 1 : p + n;
                trim_space(&p, &n);
                if (n > 0) {
                        *ret_name = p;
                        *ret_len = n;
                        return true;
                }
        }
        return false;
}

/* swarm-resource naming several variables (NVIDIA's current hook): when the
 * image sets any of them, the devices of every one it sets, in the list's
 * order. *ret_handled is false when it sets none. */
static int devices_from_swarm_list(const nvct_decision_input *in, nvct_request *req,
                                   bool *ret_handled, bool *ret_gpu, nvct_error **err) {
        nvct_list l = { 0 };
        char *list = NULL, *names = NULL;
        size_t list_len = 0, names_len = 0;
        l.f = open_memstream(&list, &list_len);
        FILE *nf = open_memstream(&names, &names_len);
        const char *cursor = in->config->swarm_resource, *name;
        size_t name_len, n_set = 0;
        while (l.f != NULL && nf != NULL && next_name(&cursor, &name, &name_len)) {
                const nvct_env_var *var = nvct_env_lookup(in->env, name, name_len);
                if (var == NULL)
                        continue;
                if (n_set++ > 0)
                        fputc(',', nf);
                fwrite(name, 1, name_len, nf);
                list_scan(&l, var->value, var->value_len);
        }
        bool ok = l.f != NULL && nf != NULL;
        if (l.f != NULL && fclose(l.f) != 0)
                ok = false;
        if (nf != NULL && fclose(nf) != 0)
                ok = false;
        _cleanup_free_ char *list_owned = list, *names_owned = names;
        if (!ok)
                return nvct_error_make(err, 0, "out of memory");
        *ret_handled = n_set > 0;
        if (n_set == 0)
                return 0;
        /* The names come from the config: quoted unless printable. */
        if (!nvct_is_printable(names, names_len)) {
                char *q = nvct_quote(names, names_len);
                if (q == NULL)
                        return nvct_error_make(err, 0, "out of memory");
                free(names_owned);
                names = names_owned = q;
        }
        nvct_list_kind kind = list_kind(&l);
        if (kind == LIST_VOID) {
                *ret_gpu = false;
                if (!set_origin(&req->devices_origin, "%s (swarm-resource): no devices", names))
                        return nvct_error_make(err, 0, "out of memory");
                return 0;
        }
        /* The entries may hold a NUL (\u0000 in config.json): by length. */
        const char *value = kind == LIST_NONE ? "" : kind == LIST_ALL ? "all" : list;
        size_t value_len = kind == LIST_ENTRIES ? list_len : strlen(value);
        if (!set_bytes(&req->devices, &req->devices_len, value, value_len) ||
            !set_origin(&req->devices_origin, "%s (swarm-resource)%s", names,
                        kind == LIST_NONE  ? ": none"
                        : kind == LIST_ALL ? ": all"
                                           : ""))
                return nvct_error_make(err, 0, "out of memory");
        if (!in->privileged && !in->config->accept_envvar_unprivileged)
                return nvct_error_make(err, 0,
                                       "insufficient privileges to read device list from %s: "
                                       "the container is not privileged and "
                                       "accept-nvidia-visible-devices-envvar-when-unprivileged "
                                       "is false",
                                       names);
        *ret_gpu = true;
        return 0;
}

/* getDevicesFromEnvvar. Returns whether it is a GPU container. */
static int devices_from_env(const nvct_decision_input *in, nvct_request *req, bool *ret_gpu,
                            nvct_error **err) {
        const nvct_env_var *var = NULL;
        const char *var_name = ENV_VISIBLE_DEVICES;
        /* Several names (a comma): NVIDIA's current rule. One name: 1.3.0's,
         * as before. */
        if (in->config->swarm_resource != NULL && strchr(in->config->swarm_resource, ',')) {
                bool handled = false;
                int r = devices_from_swarm_list(in, req, &handled, ret_gpu, err);
                if (r < 0 || handled)
                        return r;
        } else if (in->config->swarm_resource != NULL) {
                /* Deliberate difference: the swarm resource variable, when
                 * the config names one and the image sets it, takes
                 * precedence, as the reference's own comment intends. */
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

/* ---- IMEX channels ---- */

/* The channel a /dev/null mount requests (ROOT/imex/N), or NULL. */
static const char *mount_channel(const char *dest, size_t len, size_t *ret_len) {
        dest = mount_entry(dest, len, &len);
        if (dest == NULL)
                return NULL;
        size_t plen = strlen(NVCT_IMEX_MOUNT_PREFIX);
        if (!bytes_start(dest, len, NVCT_IMEX_MOUNT_PREFIX) || len == plen)
                return NULL;
        *ret_len = len - plen;
        return dest + plen;
}

/* NVIDIA's imexChannelsFromMounts: the channels, each once, in mount order. */
static int imex_from_mounts(const nvct_decision_input *in, nvct_request *req, size_t *ret_n,
                            nvct_error **err) {
        size_t count = 0, clen;
        for (size_t i = 0; i < in->n_dev_null_mounts; i++)
                if (mount_channel(in->dev_null_mounts[i], in->dev_null_mount_lens[i], &clen))
                        count++;
        *ret_n = 0;
        if (count == 0)
                return 0;
        /* The IMEX requests among the mounts are the image's: each is
         * looked up in a keyed hash set (basic/strcount) once, so repeats
         * cost no scan of those kept. */
        _cleanup_(nvct_strcount_clear) nvct_strcount seen = { 0 };
        char *list = NULL;
        size_t list_len = 0, n = 0;
        FILE *f = open_memstream(&list, &list_len);
        if (f == NULL)
                return nvct_error_make(err, 0, "out of memory");
        bool oom = false;
        for (size_t i = 0; i < in->n_dev_null_mounts && !oom; i++) {
                const char *c =
                        mount_channel(in->dev_null_mounts[i], in->dev_null_mount_lens[i], &clen);
                if (c == NULL || nvct_strcount_get(&seen, c, clen) > 0)
                        continue;
                oom = nvct_strcount_add(&seen, c, clen, 1) < 0;
                if (n++ > 0)
                        fputc(',', f);
                fwrite(c, 1, clen, f);
        }
        if (oom) {
                fclose(f);
                free(list);
                return nvct_error_make(err, 0, "out of memory");
        }
        if (fclose(f) != 0) {
                free(list);
                return nvct_error_make(err, 0, "out of memory");
        }
        free(req->imex_channels);
        req->imex_channels = list;
        req->imex_channels_len = list_len;
        if (!set_origin(&req->imex_channels_origin, "%zu volume mount(s) under %s/%s", count,
                        NVCT_DEVICE_LIST_MOUNT_ROOT, NVCT_IMEX_MOUNT_PREFIX))
                return nvct_error_make(err, 0, "out of memory");
        *ret_n = n;
        return 0;
}

static void clear_imex(nvct_request *req) {
        free(req->imex_channels);
        free(req->imex_channels_origin);
        req->imex_channels = req->imex_channels_origin = NULL;
        req->imex_channels_len = 0;
}

/* NVIDIA_IMEX_CHANNELS, read as NVIDIA's imexChannelsFromEnvVar reads it. */
static int imex_from_env(const nvct_decision_input *in, nvct_request *req, const nvct_env_var *var,
                         nvct_error **err) {
        nvct_list l = { 0 };
        char *list = NULL;
        size_t list_len = 0;
        l.f = open_memstream(&list, &list_len);
        if (l.f == NULL)
                return nvct_error_make(err, 0, "out of memory");
        list_scan(&l, var->value, var->value_len);
        if (fclose(l.f) != 0) {
                free(list);
                return nvct_error_make(err, 0, "out of memory");
        }
        _cleanup_free_ char *owned = list;
        _cleanup_free_ char *q = nvct_quote(var->value, var->value_len);
        nvct_list_kind kind = list_kind(&l);
        if (kind == LIST_ALL)
                return drop(req, err,
                            ENV_IMEX_CHANNELS "=%s: all is not a channel list (NVIDIA's hook "
                                              "ignores it too); name the channels, e.g. 0,1",
                            nvct_quoted(q));
        if (kind == LIST_ENTRIES && !in->privileged && !in->config->accept_envvar_unprivileged)
                return drop(req, err,
                            ENV_IMEX_CHANNELS "=%s: the container is not privileged and "
                                              "accept-nvidia-visible-devices-envvar-when-"
                                              "unprivileged is false",
                            nvct_quoted(q));
        const char *value = kind == LIST_ENTRIES ? list : "";
        bool ok = set_bytes(&req->imex_channels, &req->imex_channels_len, value,
                            kind == LIST_ENTRIES ? list_len : 0) &&
                  (kind == LIST_ENTRIES ? set_origin(&req->imex_channels_origin, ENV_IMEX_CHANNELS)
                   : kind == LIST_NONE
                           ? set_origin(&req->imex_channels_origin, ENV_IMEX_CHANNELS "=none")
                           : set_origin(&req->imex_channels_origin,
                                        ENV_IMEX_CHANNELS " names no channel"));
        return ok ? 0 : nvct_error_make(err, 0, "out of memory");
}

/* NVIDIA's ImexChannelRequests: mounts (when accepted) before the variable;
 * the variable only where env requests are accepted; none at all with
 * [features] ignore-imex-channel-requests. */
static int decide_imex(const nvct_decision_input *in, nvct_request *req, nvct_error **err) {
        const nvct_env_var *var = nvct_env_get(in->env, ENV_IMEX_CHANNELS);
        bool env_request = var != NULL && var->value_len > 0;
        size_t n = 0;
        if (in->config->accept_volume_mounts && imex_from_mounts(in, req, &n, err) < 0)
                return -1;
        _cleanup_free_ char *q = var ? nvct_quote(var->value, var->value_len) : NULL;
        if (in->config->features.ignore_imex_channel_requests) {
                int r = 0;
                if (n > 0) {
                        _cleanup_free_ char *qm =
                                nvct_quote(req->imex_channels, req->imex_channels_len);
                        r = drop(req, err,
                                 "IMEX channels %s (%s): [features] "
                                 "ignore-imex-channel-requests = true",
                                 nvct_quoted(qm), req->imex_channels_origin);
                }
                if (r == 0 && env_request)
                        r = drop(req, err,
                                 ENV_IMEX_CHANNELS "=%s: [features] "
                                                   "ignore-imex-channel-requests = true",
                                 nvct_quoted(q));
                clear_imex(req);
                return r;
        }
        if (n > 0)
                return env_request ? drop(req, err,
                                          ENV_IMEX_CHANNELS "=%s: the channels requested by "
                                                            "volume mounts take precedence",
                                          nvct_quoted(q))
                                   : 0;
        return var != NULL ? imex_from_env(in, req, var, err) : 0;
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

/* ---- driver capabilities ---- */

/* NVCT_ALL_DRIVER_CAPABILITIES, one a bit (1u << index). */
static const char *const all_caps[] = { "compute", "compat32", "graphics", "utility",
                                        "video",   "display",  "ngx" };
#define ALL_CAPS_BITS ((1u << ARRAY_SIZE(all_caps)) - 1)

static int cap_index(const char *s, size_t len) {
        for (size_t i = 0; i < ARRAY_SIZE(all_caps); i++)
                if (bytes_eq(s, len, all_caps[i]))
                        return (int)i;
        return -1;
}

/* The capabilities of `bits`, in NVCT_ALL_DRIVER_CAPABILITIES's order. */
static void caps_names(unsigned bits, char *buf, size_t size) {
        size_t len = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < ARRAY_SIZE(all_caps); i++)
                if (bits & (1u << i))
                        len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "",
                                                all_caps[i]);
}

/* supported-driver-capabilities as bits, as NVIDIA's hook reads it: "all"
 * is every one; else comma-separated names, trimmed, empty entries
 * skipped (so "" supports none); an unknown name is an error. */
static int supported_caps(const nvct_hook_config *config, unsigned *ret_bits, nvct_error **err) {
        const char *value = config->supported_driver_capabilities, *cursor = value, *name;
        size_t len;
        if (strcmp(value, "all") == 0) {
                *ret_bits = ALL_CAPS_BITS;
                return 0;
        }
        unsigned bits = 0;
        while (next_name(&cursor, &name, &len)) {
                int i = cap_index(name, len);
                if (i < 0) {
                        _cleanup_free_ char *qv = nvct_quote(value, strlen(value));
                        _cleanup_free_ char *qn = nvct_quote(name, len);
                        _cleanup_free_ char *qf =
                                config->source ? nvct_quote_path(config->source) : NULL;
                        return nvct_error_make(err, 0,
                                               "invalid supported-driver-capabilities %s in %s: "
                                               "%s is not a driver capability (known: all, "
                                               "%s)",
                                               nvct_quoted(qv), qf ? qf : "the config",
                                               nvct_quoted(qn), NVCT_ALL_DRIVER_CAPABILITIES);
                }
                bits |= 1u << i;
        }
        *ret_bits = bits;
        return 0;
}

/* `list` (known names) limited to `bits`, in its order: the value, and a
 * note for what is left out. */
static int caps_limit(nvct_request *req, const char *list, unsigned bits, const char *origin,
                      nvct_error **err) {
        char kept[128] = "", left[128] = "", supported[128];
        size_t kept_len = 0, left_len = 0;
        const char *cursor = list, *name;
        size_t len;
        while (next_name(&cursor, &name, &len)) {
                bool in = (bits & (1u << cap_index(name, len))) != 0;
                char *buf = in ? kept : left;
                size_t *n = in ? &kept_len : &left_len;
                *n += (size_t)snprintf(buf + *n, sizeof(kept) - *n, "%s%.*s", *n ? "," : "",
                                       (int)len, name);
        }
        caps_names(bits, supported, sizeof(supported));
        if (!set_bytes(&req->driver_capabilities, &req->driver_capabilities_len, kept, kept_len) ||
            !set_origin(&req->driver_capabilities_origin,
                        "%s, within supported-driver-"
                        "capabilities %s",
                        origin, supported[0] ? supported : "(none)"))
                return nvct_error_make(err, 0, "out of memory");
        if (left_len > 0)
                return drop(req, err,
                            "driver capabilities %s: not in supported-driver-"
                            "capabilities (%s)",
                            left, supported[0] ? supported : "none");
        return 0;
}

/* A capability the image names must be supported: an error naming both
 * lists. The entries checked are those that become flags (push_capabilities
 * in hook/command.c: up to the first empty one). */
static int caps_check_requested(const nvct_env_var *var, unsigned bits, nvct_error **err) {
        size_t start = 0, len = var->value_len;
        while (start < len) {
                const char *comma = memchr(var->value + start, ',', len - start);
                size_t end = comma ? (size_t)(comma - var->value) : len;
                if (end == start)
                        break;
                int i = cap_index(var->value + start, end - start);
                if (i < 0 || !(bits & (1u << i))) {
                        char supported[128];
                        caps_names(bits, supported, sizeof(supported));
                        _cleanup_free_ char *qc = nvct_quote(var->value + start, end - start);
                        _cleanup_free_ char *qv = nvct_quote(var->value, var->value_len);
                        return nvct_error_make(
                                err, 0,
                                "unsupported driver capability %s in " ENV_DRIVER_CAPABILITIES
                                "=%s: the config's "
                                "supported-driver-capabilities allows only %s",
                                nvct_quoted(qc), nvct_quoted(qv),
                                supported[0] ? supported : "none");
                }
                if (comma == NULL)
                        break;
                start = end + 1;
        }
        return 0;
}

/* The hook with supported-driver-capabilities set: NVIDIA's rule. */
static int get_supported_capabilities(const nvct_decision_input *in, nvct_request *req,
                                      const nvct_env_var *var, nvct_error **err) {
        unsigned bits = 0;
        if (supported_caps(in->config, &bits, err) < 0)
                return -1;
        if (var == NULL && req->legacy_image)
                return caps_limit(req, NVCT_ALL_DRIVER_CAPABILITIES, bits,
                                  "all, for a legacy CUDA image: " ENV_DRIVER_CAPABILITIES " unset",
                                  err);
        if (var == NULL || var->value_len == 0)
                return caps_limit(req, NVCT_DEFAULT_DRIVER_CAPABILITIES, bits,
                                  var == NULL ? "default: " ENV_DRIVER_CAPABILITIES " unset"
                                              : "default: " ENV_DRIVER_CAPABILITIES " empty",
                                  err);
        if (bytes_eq(var->value, var->value_len, "all"))
                return caps_limit(req, NVCT_ALL_DRIVER_CAPABILITIES, bits,
                                  ENV_DRIVER_CAPABILITIES "=all", err);
        if (caps_check_requested(var, bits, err) < 0)
                return -1;
        if (!set_bytes(&req->driver_capabilities, &req->driver_capabilities_len, var->value,
                       var->value_len) ||
            !set_origin(&req->driver_capabilities_origin,
                        "%s, within supported-driver-capabilities", ENV_DRIVER_CAPABILITIES))
                return nvct_error_make(err, 0, "out of memory");
        return 0;
}

static int get_driver_capabilities(const nvct_decision_input *in, nvct_request *req,
                                   nvct_error **err) {
        const nvct_env_var *var = nvct_env_get(in->env, ENV_DRIVER_CAPABILITIES);
        /* Absent (the hook's default), 1.3.0's rule, unchanged. */
        if (in->hook && in->config->supported_driver_capabilities != NULL)
                return get_supported_capabilities(in, req, var, err);
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
                if (bytes_start(v->name, v->name_len, ENV_REQUIRE_JETPACK)) {
                        bool plain = nvct_is_plain(v->name, v->name_len);
                        _cleanup_free_ char *qn = plain ? strndup(v->name, v->name_len)
                                                        : nvct_quote(v->name, v->name_len);
                        _cleanup_free_ char *qv = nvct_quote(v->value, v->value_len);
                        if (drop(req, err,
                                 "%s=%s: not a requirement (it selects Jetson mounts), "
                                 "never passed as --require",
                                 nvct_quoted(qn), nvct_quoted(qv)) < 0)
                                return -1;
                        continue;
                }
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

/* ---- the hook's own rules ---- */

static char *config_name(const nvct_hook_config *config) {
        return config->source ? nvct_quote_path(config->source) : strdup("the config");
}

/* The hook acts only where the runtime wrapper leaves GPU injection to it
 * (legacy, auto) unless told not to look: in cdi, jit-cdi and csv mode the
 * wrapper edits the spec itself, and a docker --gpus hook on top would
 * inject a second time. NVIDIA's hook resolves auto per image; here auto
 * proceeds, as the wrapper's auto picks legacy for such a container. */
static int decide_runtime_mode(const nvct_decision_input *in, nvct_request *req, nvct_error **err) {
        const char *mode = in->config->runtime.mode;
        if (mode == NULL)
                return 0; /* unset: a 1.3.0 config */
        _cleanup_free_ char *qm = nvct_quote(mode, strlen(mode));
        bool ok;
        if (in->config->runtime_hook.skip_mode_detection)
                ok = set_origin(&req->runtime_mode_origin,
                                "%s: not checked, [nvidia-container-runtime-hook] "
                                "skip-mode-detection = true",
                                nvct_quoted(qm));
        else if (mode[0] == '\0' || strcmp(mode, "auto") == 0 || strcmp(mode, "legacy") == 0)
                ok = set_origin(&req->runtime_mode_origin,
                                "%s: the hook acts in legacy and auto modes", nvct_quoted(qm));
        else {
                _cleanup_free_ char *qf = config_name(in->config);
                bool known = strcmp(mode, "cdi") == 0 || strcmp(mode, "jit-cdi") == 0 ||
                             strcmp(mode, "csv") == 0;
                if (!known)
                        return nvct_error_make(err, 0,
                                               "invalid nvidia-container-runtime.mode %s in %s: "
                                               "expected auto, legacy, cdi, jit-cdi or csv",
                                               nvct_quoted(qm), nvct_quoted(qf));
                return nvct_error_make(
                        err, 0,
                        "refusing to inject GPUs: nvidia-container-runtime.mode is %s in %s, "
                        "where nvidia-container-runtime injects them itself; remove this hook "
                        "(docker run --gpus adds it: use --runtime=nvidia with "
                        "NVIDIA_VISIBLE_DEVICES instead), or set the mode to legacy or auto, or "
                        "set skip-mode-detection = true in [nvidia-container-runtime-hook]",
                        nvct_quoted(qm), nvct_quoted(qf));
        }
        return ok ? 0 : nvct_error_make(err, 0, "out of memory");
}

/* [nvidia-container-runtime.modes.legacy] cuda-compat-mode as NVIDIA's
 * hook maps it to --cuda-compat-mode. Unset gives no flag (NVIDIA's gives
 * "disabled"): a 1.3.0-era nvidia-container-cli does not know the flag. */
static int decide_cuda_compat(const nvct_decision_input *in, nvct_request *req, nvct_error **err) {
        const char *v = in->config->runtime.legacy.cuda_compat_mode;
        if (v == NULL)
                return 0;
        if (strcmp(v, "ldconfig") == 0 || strcmp(v, "mount") == 0)
                req->cuda_compat_mode = v[0] == 'l' ? "ldconfig" : "mount";
        else if (strcmp(v, "hook") == 0 || strcmp(v, "disabled") == 0)
                req->cuda_compat_mode = "disabled";
        _cleanup_free_ char *qv = nvct_quote(v, strlen(v));
        if (req->cuda_compat_mode == NULL) {
                _cleanup_free_ char *qf = config_name(in->config);
                return nvct_error_make(err, 0,
                                       "invalid nvidia-container-runtime.modes.legacy."
                                       "cuda-compat-mode %s in %s: expected ldconfig, mount, "
                                       "hook or disabled",
                                       nvct_quoted(qv), nvct_quoted(qf));
        }
        if (!set_origin(&req->cuda_compat_mode_origin,
                        "nvidia-container-runtime.modes.legacy.cuda-compat-mode = %s",
                        nvct_quoted(qv)))
                return nvct_error_make(err, 0, "out of memory");
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
            decide_imex(in, &req, err) < 0 || get_driver_capabilities(in, &req, err) < 0 ||
            get_requirements(in, &req, err) < 0)
                goto fail;

        const nvct_env_var *disable = nvct_env_get(in->env, ENV_DISABLE_REQUIRE);
        req.disable_require =
                disable && nvct_go_parse_bool_lenient(disable->value, disable->value_len);

        if (in->hook &&
            (decide_runtime_mode(in, &req, err) < 0 || decide_cuda_compat(in, &req, err) < 0))
                goto fail;
        if (req.dropped.failed) {
                nvct_error_make(err, 0, "out of memory");
                goto fail;
        }

        *ret_request = req;
        return 0;
fail:
        nvct_request_clear(&req);
        return -1;
}
