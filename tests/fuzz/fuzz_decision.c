/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the whole decision, from the bytes of config.toml and config.json
 * to the nvidia-container-cli command line and the -dry-run report:
 *
 *     nvct_hook_config_parse -> nvct_spec_parse (with the hook's filter)
 *     -> nvct_spec_is_privileged
 *     -> nvct_decide -> nvct_rootfs_path -> nvct_command_build
 *     -> nvct_report_render
 *
 * Input: CONFIG.TOML "\n---\n" CONFIG.JSON [ "\n---\n" STATE.JSON ].
 * Without a separator the whole input is config.json and the config is the
 * built-in defaults. A config that starts with "#debug" runs as -debug. The
 * pid comes from the state when it parses, else it is 4242.
 *
 * The config's cli.path is forced to a fixed absolute path when unset, so
 * that no PATH search touches the file system; nothing is written or run.
 *
 * Besides memory safety and leaks, the harness checks the outcome against
 * an independent model of the documented rules (README, decision.h,
 * command.h): whether the decision succeeds and what it decides, the exact
 * argv and environment of the command, and that the report holds nothing
 * but printable ASCII lines. The decision runs as the hook runs it (its own
 * rules on), and the model covers the inputs 1.3.0 did not read: IMEX
 * channels (variable, imex/ mounts, the two features), several swarm names,
 * NVIDIA_REQUIRE_JETPACK*, supported-driver-capabilities, cuda-compat-mode
 * and the runtime mode. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hook/command.h"
#include "policy/decision.h"
#include "policy/specfilter.h"
#include "oci/env.h"
#include "basic/error.h"
#include "basic/gocompat.h"
#include "basic/quote.h"
#include "config/hookconfig.h"
#include "oci/oci.h"
#include "hook/report.h"
#include "fuzz.h"

#define CONFIG_NAME "/etc/nvidia-container-runtime/config.toml"
#define SPEC_NAME "/run/bundle/config.json"
#define FIXED_CLI "/nonexistent/nvidia-container-cli"
#define DEFAULT_PID 4242
#define SEPARATOR "\n---\n"

/* The hook's own environment: a duplicate (dropped) and an entry without
 * '=' (kept), as os.Environ() may hold. */
static char *const hook_environ[] = {
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/root",
        "LANG=C.UTF-8",
        "HOME=/duplicate",
        "NOEQUALS",
        NULL,
};
static const char *const expected_environ[] = {
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/root",
        "LANG=C.UTF-8",
        "NOEQUALS",
};

static bool has_nul(const char *s, size_t len) {
        return s != NULL && memchr(s, '\0', len) != NULL;
}

static bool bytes_eq(const char *s, size_t len, const char *lit) {
        return s != NULL && len == strlen(lit) && memcmp(s, lit, len) == 0;
}

static bool starts_with(const char *s, size_t len, const char *prefix) {
        size_t n = strlen(prefix);
        return len >= n && memcmp(s, prefix, n) == 0;
}

static const char *find_sep(const char *s, size_t len) {
        return memmem(s, len, SEPARATOR, strlen(SEPARATOR));
}

/* ---- a growable list of expected strings ---- */

typedef struct strlist {
        char **v;
        size_t n, cap;
} strlist;

static void strlist_add(strlist *l, char *s) {
        CHECK(s != NULL);
        if (l->n == l->cap) {
                l->cap = l->cap ? l->cap * 2 : 32;
                l->v = realloc(l->v, l->cap * sizeof(*l->v));
                CHECK(l->v != NULL);
        }
        l->v[l->n++] = s;
}

static void strlist_addf(strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void strlist_addf(strlist *l, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        CHECK(n >= 0);
        strlist_add(l, s);
}

/* prefix + exactly len bytes (which hold no NUL). */
static void strlist_add_bytes(strlist *l, const char *prefix, const char *s, size_t len) {
        size_t plen = strlen(prefix);
        char *e = malloc(plen + len + 1);
        CHECK(e != NULL);
        memcpy(e, prefix, plen);
        if (len > 0)
                memcpy(e + plen, s, len);
        e[plen + len] = '\0';
        strlist_add(l, e);
}

static void strlist_free(strlist *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
        *l = (strlist){ 0 };
}

/* ---- the model ---- */

static const char *const known_caps[] = { "compute", "compat32", "graphics", "utility",
                                          "video",   "display",  "ngx" };

static const char *cap_flag_name(const char *s, size_t len) {
        for (size_t i = 0; i < sizeof(known_caps) / sizeof(known_caps[0]); i++)
                if (bytes_eq(s, len, known_caps[i]))
                        return known_caps[i];
        return NULL;
}

/* The capability flags, or false on an unknown one. The list ends at the
 * first empty element, as in the reference. */
static bool model_caps(const char *caps, size_t len, strlist *out) {
        size_t start = 0;
        while (start <= len) {
                const char *comma = memchr(caps + start, ',', len - start);
                size_t end = comma ? (size_t)(comma - caps) : len;
                if (end == start)
                        break;
                const char *name = cap_flag_name(caps + start, end - start);
                if (name == NULL)
                        return false;
                if (out != NULL)
                        strlist_addf(out, "--%s", name);
                if (comma == NULL)
                        break;
                start = end + 1;
        }
        return true;
}

typedef struct model {
        bool ok;          /* nvct_decide succeeds */
        bool gpu;         /* a GPU container */
        bool legacy;      /* a legacy CUDA image */
        bool from_mounts; /* the device list came from volume mounts */
        char *devices;    /* when gpu */
        size_t devices_len;
        const char *caps; /* when gpu */
        size_t caps_len;
        char caps_buf[64]; /* caps, when limited by supported-driver-capabilities */
        size_t n_requirements;
        char *imex; /* the --imex-channel value; NULL or "": no flag */
        size_t imex_len;
        const char *cuda_compat; /* the --cuda-compat-mode value, or NULL */
} model;

static void model_clear(model *m) {
        free(m->devices);
        free(m->imex);
        *m = (model){ 0 };
}

/* ---- the model's own list and name helpers ---- */

static bool is_ascii_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* The n-th comma-separated element of s (0-based), trimmed of ASCII space;
 * false past the last one. */
static bool element(const char *s, size_t len, size_t n, const char **ret, size_t *ret_len) {
        size_t start = 0;
        for (size_t k = 0;; k++) {
                const char *comma = memchr(s + start, ',', len - start);
                size_t end = comma ? (size_t)(comma - s) : len;
                if (k == n) {
                        const char *e = s + start;
                        size_t elen = end - start;
                        while (elen > 0 && is_ascii_space(e[0])) {
                                e++;
                                elen--;
                        }
                        while (elen > 0 && is_ascii_space(e[elen - 1]))
                                elen--;
                        *ret = e;
                        *ret_len = elen;
                        return true;
                }
                if (comma == NULL)
                        return false;
                start = end + 1;
        }
}

/* A growable byte string. */
typedef struct bytes {
        char *s;
        size_t len, cap;
} bytes;

static void bytes_add(bytes *b, const char *s, size_t len) {
        if (b->len + len + 1 > b->cap) {
                b->cap = (b->len + len + 1) * 2;
                b->s = realloc(b->s, b->cap);
                CHECK(b->s != NULL);
        }
        if (len > 0)
                memcpy(b->s + b->len, s, len);
        b->len += len;
        b->s[b->len] = '\0';
}

/* NVIDIA's visible-devices reading of several values (the inputs 1.3.0 did
 * not read): all their trimmed non-empty elements; void when none or any is
 * "void", else "" when any is "none", else "all" when any is "all". Returns
 * false for void; *out holds the joined list otherwise. */
typedef struct listvals {
        const char *const *values;
        const size_t *lens;
        size_t n;
} listvals;

static bool model_list(const listvals *in, bytes *out, bool *ret_all) {
        bool any_void = false, any_none = false, any_all = false;
        size_t count = 0;
        *ret_all = false;
        for (size_t v = 0; v < in->n; v++) {
                const char *e;
                size_t elen;
                for (size_t k = 0; element(in->values[v], in->lens[v], k, &e, &elen); k++) {
                        if (elen == 0)
                                continue;
                        any_void |= bytes_eq(e, elen, "void");
                        any_none |= bytes_eq(e, elen, "none");
                        any_all |= bytes_eq(e, elen, "all");
                        if (count++ > 0)
                                bytes_add(out, ",", 1);
                        bytes_add(out, e, elen);
                }
        }
        if (count == 0 || any_void)
                return false;
        if (any_none) {
                out->len = 0;
                bytes_add(out, "", 0);
        } else if (any_all) {
                out->len = 0;
                bytes_add(out, "all", 3);
                *ret_all = true;
        }
        return true;
}

/* What a mount destination names under the device-list root (with one
 * leading '/' dropped), or NULL when nothing. */
static const char *mount_device(const char *d, size_t dlen, size_t *ret_len) {
        const char *root = NVCT_DEVICE_LIST_MOUNT_ROOT;
        size_t root_len = strlen(root);
        if (!starts_with(d, dlen, root))
                return NULL;
        d += root_len;
        dlen -= root_len;
        if (dlen > 0 && d[0] == '/') {
                d++;
                dlen--;
        }
        *ret_len = dlen;
        return dlen > 0 ? d : NULL;
}

static void model_mounts(const nvct_decision_input *in, model *m, bytes *channels) {
        bytes devices = { 0 };
        size_t n = 0, n_channels = 0;
        bytes_add(&devices, "", 0);
        bytes_add(channels, "", 0);
        for (size_t i = 0; i < in->n_dev_null_mounts; i++) {
                size_t dlen;
                const char *d =
                        mount_device(in->dev_null_mounts[i], in->dev_null_mount_lens[i], &dlen);
                if (d == NULL)
                        continue;
                if (starts_with(d, dlen, "imex/")) {
                        const char *c = d + 5;
                        size_t clen = dlen - 5;
                        /* Each channel once: a scan of the earlier mounts. */
                        bool seen = clen == 0;
                        for (size_t k = 0; k < i && !seen; k++) {
                                size_t plen;
                                const char *p = mount_device(in->dev_null_mounts[k],
                                                             in->dev_null_mount_lens[k], &plen);
                                seen = p != NULL && plen == dlen && memcmp(p, d, dlen) == 0;
                        }
                        if (!seen) {
                                if (n_channels++ > 0)
                                        bytes_add(channels, ",", 1);
                                bytes_add(channels, c, clen);
                        }
                        continue;
                }
                if (n++ > 0)
                        bytes_add(&devices, ",", 1);
                bytes_add(&devices, d, dlen);
        }
        if (n > 0) {
                m->gpu = true;
                m->from_mounts = true;
                m->devices = devices.s;
                m->devices_len = devices.len;
        } else {
                free(devices.s);
        }
        if (n_channels == 0)
                channels->len = 0;
}

/* Devices from the environment; false: not a GPU container. */
static bool model_env_devices(const nvct_decision_input *in, model *m) {
        const nvct_env *env = in->env;
        const nvct_hook_config *config = in->config;
        const char *swarm = config->swarm_resource;
        if (swarm != NULL && strchr(swarm, ',') != NULL) {
                /* Several names: every one the image sets, in list order. */
                size_t max = 1;
                for (const char *p = swarm; *p; p++)
                        max += *p == ',';
                const char **values = calloc(max, sizeof(*values));
                size_t *lens = calloc(max, sizeof(*lens)), n = 0;
                CHECK(values != NULL && lens != NULL);
                const char *e;
                size_t elen;
                for (size_t k = 0; element(swarm, strlen(swarm), k, &e, &elen); k++) {
                        const nvct_env_var *v = elen ? nvct_env_lookup(env, e, elen) : NULL;
                        if (v == NULL)
                                continue;
                        CHECK(n < max);
                        values[n] = v->value;
                        lens[n++] = v->value_len;
                }
                bool handled = n > 0, gpu = false;
                if (handled) {
                        bytes out = { 0 };
                        bool all;
                        listvals lv = { values, lens, n };
                        gpu = model_list(&lv, &out, &all);
                        if (gpu) {
                                m->devices = out.s;
                                m->devices_len = out.len;
                                if (!in->privileged && !config->accept_envvar_unprivileged)
                                        m->ok = false;
                        } else {
                                free(out.s);
                        }
                }
                free(values);
                free(lens);
                if (handled)
                        return gpu;
        }
        const nvct_env_var *var = NULL;
        if (swarm != NULL && strchr(swarm, ',') == NULL)
                var = nvct_env_get(env, swarm);
        if (var == NULL)
                var = nvct_env_get(env, "NVIDIA_VISIBLE_DEVICES");
        const char *value = NULL;
        size_t len = 0;
        if (var == NULL && m->legacy) {
                value = "all";
                len = 3;
        } else if (var == NULL || var->value_len == 0 ||
                   bytes_eq(var->value, var->value_len, "void")) {
                return false; /* not a GPU container; nothing can fail */
        } else if (bytes_eq(var->value, var->value_len, "none")) {
                value = "";
        } else {
                value = var->value;
                len = var->value_len;
        }
        m->devices = malloc(len + 1);
        CHECK(m->devices != NULL);
        if (len > 0)
                memcpy(m->devices, value, len);
        m->devices[len] = '\0';
        m->devices_len = len;
        if (!in->privileged && !config->accept_envvar_unprivileged)
                m->ok = false;
        return true;
}

static void model_imex(const nvct_decision_input *in, model *m, bytes *mount_channels) {
        const nvct_hook_config *config = in->config;
        if (config->features.ignore_imex_channel_requests)
                return;
        if (mount_channels->len > 0) {
                /* A destination may hold a NUL (\u0000): not strdup. */
                m->imex = malloc(mount_channels->len + 1);
                CHECK(m->imex != NULL);
                memcpy(m->imex, mount_channels->s, mount_channels->len + 1);
                m->imex_len = mount_channels->len;
                return;
        }
        const nvct_env_var *var = nvct_env_get(in->env, "NVIDIA_IMEX_CHANNELS");
        if (var == NULL)
                return;
        const char *values[1] = { var->value };
        size_t lens[1] = { var->value_len };
        listvals lv = { values, lens, 1 };
        bytes out = { 0 };
        bool all;
        if (model_list(&lv, &out, &all) && !all && out.len > 0 &&
            (in->privileged || config->accept_envvar_unprivileged)) {
                m->imex = out.s;
                m->imex_len = out.len;
                return;
        }
        free(out.s);
}

/* The canonical list limited to `supported` (a bit per known_caps entry). */
static void model_limit(model *m, const char *list, unsigned supported) {
        size_t len = 0;
        const char *e;
        size_t elen;
        m->caps_buf[0] = '\0';
        for (size_t k = 0; element(list, strlen(list), k, &e, &elen); k++) {
                for (size_t i = 0; i < sizeof(known_caps) / sizeof(known_caps[0]); i++) {
                        if (!bytes_eq(e, elen, known_caps[i]) || !(supported & (1u << i)))
                                continue;
                        len += (size_t)snprintf(m->caps_buf + len, sizeof(m->caps_buf) - len,
                                                "%s%s", len ? "," : "", known_caps[i]);
                }
        }
        m->caps = m->caps_buf;
        m->caps_len = len;
}

static void model_caps_decide(const nvct_decision_input *in, model *m) {
        const nvct_env_var *caps = nvct_env_get(in->env, "NVIDIA_DRIVER_CAPABILITIES");
        const char *sup = in->config->supported_driver_capabilities;
        if (sup != NULL) {
                unsigned bits = 0;
                if (strcmp(sup, "all") == 0) {
                        bits = 0x7f;
                } else {
                        const char *e;
                        size_t elen;
                        for (size_t k = 0; element(sup, strlen(sup), k, &e, &elen); k++) {
                                if (elen == 0)
                                        continue;
                                size_t i = 0;
                                while (i < 7 && !bytes_eq(e, elen, known_caps[i]))
                                        i++;
                                if (i == 7)
                                        m->ok = false;
                                else
                                        bits |= 1u << i;
                        }
                }
                if (caps == NULL && m->legacy)
                        model_limit(m, NVCT_ALL_DRIVER_CAPABILITIES, bits);
                else if (caps == NULL || caps->value_len == 0)
                        model_limit(m, NVCT_DEFAULT_DRIVER_CAPABILITIES, bits);
                else if (bytes_eq(caps->value, caps->value_len, "all"))
                        model_limit(m, NVCT_ALL_DRIVER_CAPABILITIES, bits);
                if (m->caps != NULL)
                        return;
                /* Requested: each entry that becomes a flag must be in it. */
                for (size_t start = 0; start < caps->value_len;) {
                        const char *comma =
                                memchr(caps->value + start, ',', caps->value_len - start);
                        size_t end = comma ? (size_t)(comma - caps->value) : caps->value_len;
                        if (end == start)
                                break;
                        size_t i = 0;
                        while (i < 7 && !bytes_eq(caps->value + start, end - start, known_caps[i]))
                                i++;
                        if (i == 7 || !(bits & (1u << i)))
                                m->ok = false;
                        if (comma == NULL)
                                break;
                        start = end + 1;
                }
                m->caps = caps->value;
                m->caps_len = caps->value_len;
                return;
        }
        if (caps == NULL && m->legacy)
                m->caps = NVCT_ALL_DRIVER_CAPABILITIES;
        else if (caps == NULL || caps->value_len == 0)
                m->caps = NVCT_DEFAULT_DRIVER_CAPABILITIES;
        else if (bytes_eq(caps->value, caps->value_len, "all"))
                m->caps = NVCT_ALL_DRIVER_CAPABILITIES;
        if (m->caps != NULL) {
                m->caps_len = strlen(m->caps);
        } else {
                m->caps = caps->value;
                m->caps_len = caps->value_len;
        }
}

static bool is_requirement(const char *name, size_t len) {
        return starts_with(name, len, "NVIDIA_REQUIRE_") &&
               !starts_with(name, len, "NVIDIA_REQUIRE_JETPACK");
}

/* The hook's own rules: the runtime mode and cuda-compat-mode. */
static void model_hook_rules(const nvct_hook_config *config, model *m) {
        const char *mode = config->runtime.mode;
        if (mode != NULL && !config->runtime_hook.skip_mode_detection && mode[0] != '\0' &&
            strcmp(mode, "auto") != 0 && strcmp(mode, "legacy") != 0)
                m->ok = false;
        const char *cc = config->runtime.legacy.cuda_compat_mode;
        if (cc == NULL)
                return;
        if (strcmp(cc, "ldconfig") == 0)
                m->cuda_compat = "ldconfig";
        else if (strcmp(cc, "mount") == 0)
                m->cuda_compat = "mount";
        else if (strcmp(cc, "hook") == 0 || strcmp(cc, "disabled") == 0)
                m->cuda_compat = "disabled";
        else
                m->ok = false;
}

static void model_decide(const nvct_decision_input *in, model *m) {
        const nvct_env *env = in->env;
        *m = (model){ .ok = true };

        const nvct_env_var *cuda = nvct_env_get(env, "CUDA_VERSION");
        const nvct_env_var *require_cuda = nvct_env_get(env, "NVIDIA_REQUIRE_CUDA");
        m->legacy = cuda != NULL && cuda->value_len > 0 &&
                    (require_cuda == NULL || require_cuda->value_len == 0);

        /* Devices (and IMEX channels) from /dev/null volume mounts under the
         * device-list root; then from the environment. */
        bytes channels = { 0 };
        if (in->config->accept_volume_mounts)
                model_mounts(in, m, &channels);
        if (!m->gpu && !model_env_devices(in, m)) {
                free(channels.s);
                return; /* not a GPU container; nothing can fail */
        }
        m->gpu = true;

        /* MIG needs privileges. */
        const char *mig[] = { "NVIDIA_MIG_CONFIG_DEVICES", "NVIDIA_MIG_MONITOR_DEVICES" };
        for (size_t i = 0; i < 2; i++) {
                const nvct_env_var *var = nvct_env_get(env, mig[i]);
                if (var != NULL && var->value_len > 0 && !in->privileged)
                        m->ok = false;
        }

        if (channels.s == NULL)
                bytes_add(&channels, "", 0);
        model_imex(in, m, &channels);
        free(channels.s);
        model_caps_decide(in, m);

        /* Requirements: NVIDIA_REQUIRE_* (but NVIDIA_REQUIRE_JETPACK*) in
         * process.env order, then the legacy image's CUDA version. */
        for (size_t i = 0; i < env->n_vars; i++)
                if (is_requirement(env->vars[i].name, env->vars[i].name_len))
                        m->n_requirements++;
        if (m->legacy) {
                uint32_t major, minor, patch;
                if (nvct_go_parse_cuda_version(cuda->value, cuda->value_len, &major, &minor,
                                               &patch))
                        m->n_requirements++;
                else
                        m->ok = false;
        }
        model_hook_rules(in->config, m);
}

static void check_request(const nvct_decision_input *in, const model *m, const nvct_request *req) {
        CHECK(req->gpu_container == m->gpu);
        CHECK(req->legacy_image == m->legacy);
        CHECK(req->privileged == in->privileged);
        CHECK(req->devices_origin != NULL);
        if (!m->gpu) {
                CHECK(req->devices == NULL && req->devices_len == 0);
                CHECK(req->n_requirements == 0);
                CHECK(req->mig_config_devices_len == 0 && req->mig_monitor_devices_len == 0);
                return;
        }
        CHECK(req->devices != NULL && req->devices[req->devices_len] == '\0');
        CHECK(req->devices_len == m->devices_len);
        CHECK(memcmp(req->devices, m->devices, m->devices_len) == 0);
        if (m->from_mounts)
                CHECK(strstr(req->devices_origin, "volume mount") != NULL);

        CHECK(req->mig_config_devices != NULL &&
              req->mig_config_devices[req->mig_config_devices_len] == '\0');
        CHECK(req->mig_monitor_devices != NULL &&
              req->mig_monitor_devices[req->mig_monitor_devices_len] == '\0');
        if (!in->privileged)
                CHECK(req->mig_config_devices_len == 0 && req->mig_monitor_devices_len == 0);
        const nvct_env_var *mc = nvct_env_get(in->env, "NVIDIA_MIG_CONFIG_DEVICES");
        const nvct_env_var *mm = nvct_env_get(in->env, "NVIDIA_MIG_MONITOR_DEVICES");
        CHECK(req->mig_config_devices_len == (mc ? mc->value_len : 0));
        CHECK(req->mig_monitor_devices_len == (mm ? mm->value_len : 0));
        if (mc != NULL)
                CHECK(memcmp(req->mig_config_devices, mc->value, mc->value_len) == 0);
        if (mm != NULL)
                CHECK(memcmp(req->mig_monitor_devices, mm->value, mm->value_len) == 0);

        CHECK(req->driver_capabilities != NULL && req->driver_capabilities_origin != NULL);
        CHECK(req->driver_capabilities[req->driver_capabilities_len] == '\0');
        CHECK(req->driver_capabilities_len == m->caps_len);
        CHECK(memcmp(req->driver_capabilities, m->caps, m->caps_len) == 0);

        CHECK(req->imex_channels_len == m->imex_len);
        if (m->imex_len > 0)
                CHECK(memcmp(req->imex_channels, m->imex, m->imex_len) == 0);
        CHECK((req->cuda_compat_mode == NULL) == (m->cuda_compat == NULL));
        if (m->cuda_compat != NULL)
                CHECK(strcmp(req->cuda_compat_mode, m->cuda_compat) == 0);
        for (size_t i = 0; i < req->dropped.n; i++)
                CHECK(nvct_is_printable(req->dropped.v[i], strlen(req->dropped.v[i])));

        CHECK(req->n_requirements == m->n_requirements);
        size_t k = 0;
        for (size_t i = 0; i < in->env->n_vars; i++) {
                const nvct_env_var *v = &in->env->vars[i];
                if (!is_requirement(v->name, v->name_len))
                        continue;
                const nvct_requirement *r = &req->requirements[k++];
                CHECK(r->value != NULL && r->origin != NULL);
                CHECK(r->value_len == v->value_len &&
                      memcmp(r->value, v->value, v->value_len) == 0);
                CHECK(r->origin_len == v->name_len && memcmp(r->origin, v->name, v->name_len) == 0);
        }
        if (m->legacy) {
                const nvct_requirement *r = &req->requirements[k++];
                CHECK(starts_with(r->value, r->value_len, "cuda>="));
                CHECK(r->value[r->value_len] == '\0');
        }
        CHECK(k == req->n_requirements);

        const nvct_env_var *dis = nvct_env_get(in->env, "NVIDIA_DISABLE_REQUIRE");
        CHECK(req->disable_require ==
              (dis != NULL && nvct_go_parse_bool_lenient(dis->value, dis->value_len)));
}

/* Whether nvct_command_build must refuse the request (a NUL in a value
 * that would become an argument, or an unknown capability). */
static bool command_must_fail(const nvct_hook_config *config, const nvct_request *req) {
        if (req->devices_len > 0 && has_nul(req->devices, req->devices_len))
                return true;
        if (req->mig_config_devices_len > 0 &&
            has_nul(req->mig_config_devices, req->mig_config_devices_len))
                return true;
        if (req->mig_monitor_devices_len > 0 &&
            has_nul(req->mig_monitor_devices, req->mig_monitor_devices_len))
                return true;
        if (req->imex_channels_len > 0 && has_nul(req->imex_channels, req->imex_channels_len))
                return true;
        if (!model_caps(req->driver_capabilities, req->driver_capabilities_len, NULL))
                return true;
        if (!config->disable_require && !req->disable_require)
                for (size_t i = 0; i < req->n_requirements; i++)
                        if (has_nul(req->requirements[i].value, req->requirements[i].value_len))
                                return true;
        return false;
}

static void expected_argv(const nvct_hook_config *config, const nvct_request *req, int64_t pid,
                          const char *rootfs, bool debug, strlist *out) {
        const nvct_cli_config *cli = &config->cli;
        strlist_addf(out, "%s", cli->path);
        if (cli->root != NULL)
                strlist_addf(out, "--root=%s", cli->root);
        if (cli->load_kmods)
                strlist_addf(out, "--load-kmods");
        if (config->features.disable_imex_channel_creation)
                strlist_addf(out, "--no-create-imex-channels");
        if (cli->no_pivot)
                strlist_addf(out, "--no-pivot");
        if (debug)
                strlist_addf(out, "--debug=/dev/stderr");
        else if (cli->debug != NULL)
                strlist_addf(out, "--debug=%s", cli->debug);
        if (cli->ldcache != NULL)
                strlist_addf(out, "--ldcache=%s", cli->ldcache);
        if (cli->user != NULL)
                strlist_addf(out, "--user=%s", cli->user);
        strlist_addf(out, "configure");
        if (req->cuda_compat_mode != NULL)
                strlist_addf(out, "--cuda-compat-mode=%s", req->cuda_compat_mode);
        if (cli->ldconfig != NULL)
                strlist_addf(out, "--ldconfig=%s", cli->ldconfig);
        if (cli->no_cgroups)
                strlist_addf(out, "--no-cgroups");
        if (req->devices_len > 0)
                strlist_add_bytes(out, "--device=", req->devices, req->devices_len);
        if (req->mig_config_devices_len > 0)
                strlist_add_bytes(out, "--mig-config=", req->mig_config_devices,
                                  req->mig_config_devices_len);
        if (req->mig_monitor_devices_len > 0)
                strlist_add_bytes(out, "--mig-monitor=", req->mig_monitor_devices,
                                  req->mig_monitor_devices_len);
        if (req->imex_channels_len > 0)
                strlist_add_bytes(out, "--imex-channel=", req->imex_channels,
                                  req->imex_channels_len);
        CHECK(model_caps(req->driver_capabilities, req->driver_capabilities_len, out));
        if (!config->disable_require && !req->disable_require)
                for (size_t i = 0; i < req->n_requirements; i++)
                        strlist_add_bytes(out, "--require=", req->requirements[i].value,
                                          req->requirements[i].value_len);
        strlist_addf(out, "--pid=%" PRIu64, (uint64_t)pid);
        strlist_addf(out, "%s", rootfs);
}

static void check_command(const nvct_hook_config *config, const nvct_request *req, int64_t pid,
                          const char *rootfs, bool debug, const nvct_command *cmd) {
        CHECK(cmd->argv != NULL && cmd->argv[cmd->argc] == NULL);
        CHECK(cmd->envp != NULL && cmd->envp[cmd->envc] == NULL);
        /* cli.path is set: no PATH search, PATH handed on unchanged. */
        CHECK(cmd->search_path == NULL);
        CHECK(cmd->argc >= 4);
        CHECK(strcmp(cmd->argv[0], config->cli.path) == 0);
        CHECK(strcmp(cmd->argv[cmd->argc - 1], rootfs) == 0);
        CHECK(strncmp(cmd->argv[cmd->argc - 2], "--pid=", 6) == 0);

        strlist want = { 0 };
        expected_argv(config, req, pid, rootfs, debug, &want);
        if (cmd->argc != want.n)
                fprintf(stderr, "argc %zu, expected %zu\n", cmd->argc, want.n);
        CHECK(cmd->argc == want.n);
        bool after_configure = false;
        for (size_t i = 0; i < want.n; i++) {
                if (strcmp(cmd->argv[i], want.v[i]) != 0)
                        fprintf(stderr, "argv[%zu] = \"%s\", expected \"%s\"\n", i, cmd->argv[i],
                                want.v[i]);
                CHECK(strcmp(cmd->argv[i], want.v[i]) == 0);
                if (i == 0 || i + 1 == want.n)
                        continue;
                const char *a = cmd->argv[i];
                if (strcmp(a, "configure") == 0 && !after_configure) {
                        after_configure = true;
                        continue;
                }
                /* Every other argument is a flag. */
                CHECK(strncmp(a, "--", 2) == 0);
                if (after_configure && strncmp(a, "--device=", 9) == 0) {
                        CHECK(strlen(a) == 9 + req->devices_len);
                        CHECK(memcmp(a + 9, req->devices, req->devices_len) == 0);
                }
        }
        CHECK(after_configure);
        strlist_free(&want);

        /* The environment: the hook's own (deduplicated), then the config's;
         * never the container's. */
        size_t n_fixed = sizeof(expected_environ) / sizeof(expected_environ[0]);
        CHECK(cmd->envc == n_fixed + config->cli.n_environment);
        for (size_t i = 0; i < n_fixed; i++)
                CHECK(strcmp(cmd->envp[i], expected_environ[i]) == 0);
        for (size_t i = 0; i < config->cli.n_environment; i++)
                CHECK(strcmp(cmd->envp[n_fixed + i], config->cli.environment[i]) == 0);
}

/* The report is lines of printable ASCII: untrusted bytes are quoted. */
static void check_report(const char *text, bool gpu, size_t argc) {
        CHECK(text != NULL);
        size_t len = strlen(text);
        CHECK(len > 0 && text[len - 1] == '\n');
        size_t n_argv = 0;
        bool line_start = true;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)text[i];
                CHECK(c == '\n' || (c >= 0x20 && c < 0x7f));
                if (line_start) {
                        /* Every line starts with a field name or '#'. */
                        CHECK(c == '#' || (c >= 'a' && c <= 'z'));
                        if (strncmp(text + i, "argv[", 5) == 0)
                                n_argv++;
                }
                line_start = c == '\n';
        }
        const char *tail = gpu ? "exec: yes\n" : "exec: none\n";
        CHECK(len >= strlen(tail) && strcmp(text + len - strlen(tail), tail) == 0);
        CHECK(n_argv == argc);
}

static void check_search_path(const char *root) {
        const char *hook_paths[] = { "/usr/bin:/bin", "", NULL };
        for (size_t i = 0; i < 3; i++) {
                char *p = nvct_cli_search_path(root, hook_paths[i]);
                CHECK(p != NULL);
                size_t len = strlen(p), dlen = strlen(NVCT_DEFAULT_PATH);
                CHECK(len >= dlen && strcmp(p + len - dlen, NVCT_DEFAULT_PATH) == 0);
                free(p);
        }
}

static void run(const char *conf, size_t conf_len, const char *json, size_t json_len,
                const char *state, size_t state_len) {
        nvct_error *err = NULL;
        bool debug = conf_len >= 6 && memcmp(conf, "#debug", 6) == 0;

        int64_t pid = DEFAULT_PID;
        if (state != NULL) {
                nvct_state st = { 0 };
                if (nvct_state_parse(state, state_len, &st, &err) == 0) {
                        pid = st.pid;
                        nvct_state_clear(&st);
                } else {
                        nvct_error_free(&err);
                }
        }

        nvct_hook_config config;
        nvct_hook_config_init_defaults(&config);
        if (nvct_hook_config_parse(conf, conf_len, CONFIG_NAME, &config, &err) < 0) {
                CHECK(err != NULL);
                nvct_error_free(&err);
                return;
        }
        if (config.cli.path == NULL) {
                config.cli.path = strdup(FIXED_CLI);
                CHECK(config.cli.path != NULL);
        }
        check_search_path(config.cli.root);

        /* As the hook reads it: only what the decision reads is kept. */
        nvct_spec_filter filter = nvct_decision_spec_filter(&config);
        nvct_spec spec = { 0 };
        if (nvct_spec_parse(json, json_len, SPEC_NAME, &filter, &spec, &err) < 0) {
                CHECK(err != NULL);
                nvct_error_free(&err);
                nvct_hook_config_clear(&config);
                return;
        }
        bool privileged = false;
        if (nvct_spec_is_privileged(&spec, SPEC_NAME, &privileged, &err) < 0) {
                CHECK(err != NULL);
                nvct_error_free(&err);
                goto out_spec;
        }

        nvct_decision_input in = {
                .config = &config,
                .env = &spec.env,
                .dev_null_mounts = spec.dev_null_mounts,
                .dev_null_mount_lens = spec.dev_null_mount_lens,
                .n_dev_null_mounts = spec.n_dev_null_mounts,
                .privileged = privileged,
                .hook = true,
        };
        model m;
        model_decide(&in, &m);
        nvct_request req = { 0 };
        int r = nvct_decide(&in, &req, &err);
        if (r < 0) {
                CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
                nvct_error_free(&err);
                CHECK(!m.ok);
                model_clear(&m);
                goto out_spec;
        }
        CHECK(r == 0 && err == NULL);
        CHECK(m.ok);
        check_request(&in, &m, &req);
        model_clear(&m);

        nvct_report_input rin = {
                .config = &config,
                .spec_path = SPEC_NAME,
                .pid = pid,
                .request = &req,
        };
        char *text = NULL;
        if (!req.gpu_container) {
                /* Not a GPU container: no command, and the report says so. */
                CHECK(nvct_report_render(&rin, &text, &err) == 0);
                check_report(text, false, 0);
                free(text);
                goto out_req;
        }

        char *rootfs = NULL;
        if (nvct_rootfs_path(spec.root_path, spec.root_path_len, &rootfs, &err) < 0) {
                CHECK(err != NULL);
                CHECK(has_nul(spec.root_path, spec.root_path_len));
                nvct_error_free(&err);
                goto out_req;
        }
        CHECK(!has_nul(spec.root_path, spec.root_path_len));
        CHECK(rootfs != NULL && rootfs[0] == '/');

        nvct_command cmd = { 0 };
        nvct_command_input cin = {
                .config = &config,
                .request = &req,
                .pid = pid,
                .rootfs = rootfs,
                .debug = debug,
                .environ = hook_environ,
        };
        bool must_fail = command_must_fail(&config, &req);
        r = nvct_command_build(&cin, &cmd, &err);
        if (r < 0) {
                CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
                nvct_error_free(&err);
                CHECK(must_fail);
        } else {
                CHECK(r == 0 && err == NULL);
                CHECK(!must_fail);
                check_command(&config, &req, pid, rootfs, debug, &cmd);
                rin.rootfs = rootfs;
                rin.command = &cmd;
                CHECK(nvct_report_render(&rin, &text, &err) == 0);
                check_report(text, true, cmd.argc);
                free(text);
                nvct_command_clear(&cmd);
        }
        free(rootfs);
out_req:
        nvct_request_clear(&req);
out_spec:
        nvct_spec_clear(&spec);
        nvct_hook_config_clear(&config);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* Each part in a buffer of exactly its size, so that reading past
         * the end of one is an ASan report. */
        const char *in = (const char *)data;
        size_t sep_len = strlen(SEPARATOR);
        const char *conf = "", *json = in, *state = NULL;
        size_t conf_len = 0, json_len = size, state_len = 0;
        const char *sep = size > 0 ? find_sep(in, size) : NULL;
        if (sep != NULL) {
                conf = in;
                conf_len = (size_t)(sep - in);
                json = sep + sep_len;
                json_len = size - conf_len - sep_len;
                const char *sep2 = find_sep(json, json_len);
                if (sep2 != NULL) {
                        state = sep2 + sep_len;
                        state_len = json_len - (size_t)(sep2 - json) - sep_len;
                        json_len = (size_t)(sep2 - json);
                }
        }
        char *conf_copy = malloc(conf_len ? conf_len : 1);
        char *json_copy = malloc(json_len ? json_len : 1);
        char *state_copy = state != NULL ? malloc(state_len ? state_len : 1) : NULL;
        if (conf_copy != NULL && json_copy != NULL && (state == NULL || state_copy != NULL)) {
                if (conf_len > 0)
                        memcpy(conf_copy, conf, conf_len);
                if (json_len > 0)
                        memcpy(json_copy, json, json_len);
                if (state_len > 0)
                        memcpy(state_copy, state, state_len);
                run(conf_copy, conf_len, json_copy, json_len, state_copy, state_len);
        }
        free(conf_copy);
        free(json_copy);
        free(state_copy);
        return 0;
}
