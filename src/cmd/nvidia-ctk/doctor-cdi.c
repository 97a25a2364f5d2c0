/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk doctor: the CDI specs (present, valid, fresh for the loaded
 * driver and its GPUs) and the programs that specs, the config and the
 * engines name. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/gocompat.h"
#include "basic/quote.h"
#include "basic/strv.h"
#include "cdi/cdi.h"
#include "cdi/freshness.h"

#include "doctor.h"

/* "nvidia-ctk cdi generate --driver-root=X --output=FILE". */
static char *generate_fix(const doctor_ctx *ctx, const char *extra, const char *output) {
        _cleanup_free_ char *flags = doctor_root_flags(ctx, true);
        _cleanup_free_ char *out = doctor_shell_word(output);
        char *fix = NULL;
        if (flags == NULL || out == NULL ||
            asprintf(&fix, "nvidia-ctk cdi generate%s%s --output=%s", flags, extra, out) < 0)
                return NULL;
        return fix;
}

static bool is_nvidia_name(const char *qualified) {
        return strncmp(qualified, "nvidia.com/", 11) == 0;
}

/* The host's GPU and MIG UUIDs, for the freshness check. */
static int host_uuids(const doctor_ctx *ctx, nvct_strv *uuids) {
        for (size_t i = 0; i < ctx->nvml.n_gpus; i++) {
                const nvct_gpu_info *g = &ctx->nvml.gpus[i];
                if (nvct_strv_add(uuids, g->uuid) < 0)
                        return -1;
                for (size_t j = 0; j < g->n_migs; j++)
                        if (nvct_strv_add(uuids, g->migs[j].uuid) < 0)
                                return -1;
        }
        return 0;
}

static void spec_programs(doctor_ctx *ctx, const nvct_cdi_spec *spec, const char *path) {
        _cleanup_free_ char *q = nvct_quote_path(path);
        _cleanup_free_ char *by = NULL;
        _cleanup_free_ char *fix = generate_fix(
                ctx, " --nvidia-cdi-hook-path=\"$(command -v nvidia-cdi-hook)\"", path);
        if (asprintf(&by, "the CDI spec %s", nvct_quoted(q)) < 0) {
                ctx->oom = true;
                return;
        }
        const nvct_cdi_edits *all[1 + 64];
        size_t n = 0;
        all[n++] = &spec->edits;
        /* The spec-wide hooks are what the generator writes; a device's own
         * are looked at for the first 64 devices (a bound, not a rule). */
        for (size_t i = 0; i < spec->n_devices && n < ARRAY_SIZE(all); i++)
                all[n++] = &spec->devices[i].edits;
        for (size_t e = 0; e < n; e++)
                for (size_t i = 0; i < all[e]->n_hooks; i++)
                        doctor_add_program(ctx, all[e]->hooks[i].path, by, fix);
}

/* The device nodes a spec gives with their numbers, against what they
 * should be: nvidia-uvm's major is given out when the module loads and may
 * differ after a reboot or a driver reload; a spec that kept the old one
 * gives containers a node that is not the device. The control and GPU
 * nodes are compared with the kernel's and NVML's numbers (a wrong node on
 * the host is the nodes check's finding, and regenerating would copy it);
 * others (MIG capabilities) with the node on the host. A node that is gone
 * is the nodes check's too. The first that differs is named; true when one
 * does. Bounded: the spec-wide nodes and those of the first 1024 devices. */
static bool stale_nodes(doctor_ctx *ctx, const nvct_cdi_spec *spec, const char *qspec,
                        const char *fix) {
        size_t n_devices = spec->n_devices < 1024 ? spec->n_devices : 1024;
        for (size_t d = 0; d <= n_devices; d++) {
                const nvct_cdi_edits *e = d == 0 ? &spec->edits : &spec->devices[d - 1].edits;
                for (size_t i = 0; i < e->n_device_nodes; i++) {
                        const nvct_cdi_device_node *n = &e->device_nodes[i];
                        const char *host = n->host_path != NULL ? n->host_path : n->path;
                        struct stat st;
                        unsigned maj, min;
                        if (!n->has_major_minor || (n->type != NULL && strcmp(n->type, "c") != 0))
                                continue;
                        const struct doctor_node *want =
                                strncmp(n->path, "/dev/", 5) == 0
                                        ? doctor_expected_node(ctx, n->path + 5)
                                        : NULL;
                        if (want != NULL) {
                                maj = want->major;
                                min = want->minor;
                        } else if (stat(host, &st) == 0 && S_ISCHR(st.st_mode)) {
                                maj = major(st.st_rdev);
                                min = minor(st.st_rdev);
                        } else
                                continue;
                        if (n->major == (int64_t)maj && n->minor == (int64_t)min)
                                continue;
                        _cleanup_free_ char *q = nvct_quote_path(n->path);
                        doctor_add(ctx, "cdi", DOCTOR_FAIL, fix,
                                   "%s is stale: it gives %s as c %" PRId64 ":%" PRId64
                                   ", the host's is c %u:%u",
                                   qspec, nvct_quoted(q), n->major, n->minor, maj, min);
                        return true;
                }
        }
        return false;
}

static void check_spec(doctor_ctx *ctx, const char *path, size_t n_devices,
                       const nvct_strv *uuids) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *q = nvct_quote_path(path);
        _cleanup_free_ char *fix = generate_fix(ctx, "", path);
        nvct_cdi_spec spec = { 0 };
        nvct_cdi_staleness st = { 0 };

        if (nvct_cdi_spec_load(path, &spec, &err) < 0) {
                /* Listed a moment ago: changed since. */
                doctor_add(ctx, "cdi", DOCTOR_FAIL, fix, "%s", err->msg);
                return;
        }
        spec_programs(ctx, &spec, path);
        if (!ctx->nvml_ok) {
                doctor_add(ctx, "cdi", DOCTOR_SKIP, NULL,
                           "%s: %zu device%s; not compared with the driver: NVML did not load",
                           nvct_quoted(q), n_devices, n_devices == 1 ? "" : "s");
                goto out;
        }
        if (nvct_cdi_spec_staleness(&spec, ctx->nvml.driver_version, (const char *const *)uuids->v,
                                    uuids->n, &st, &err) < 0) {
                ctx->oom = true;
                goto out;
        }
        if (st.other_version != NULL)
                doctor_add(ctx, "cdi", DOCTOR_FAIL, fix,
                           "%s is stale: it names the files of driver %s, the loaded driver is %s",
                           nvct_quoted(q), st.other_version, ctx->nvml.driver_version);
        if (st.missing_uuid != NULL) {
                _cleanup_free_ char *qu = nvct_quote(st.missing_uuid, strlen(st.missing_uuid));
                doctor_add(ctx, "cdi", DOCTOR_FAIL, fix,
                           "%s is stale: it names the device %s, which NVML does not report%s",
                           nvct_quoted(q), nvct_quoted(qu),
                           st.n_missing_uuids > 1 ? " (and others)" : "");
        }
        bool nodes_stale = stale_nodes(ctx, &spec, nvct_quoted(q), fix);
        if (!nvct_cdi_staleness_is_stale(&st) && !nodes_stale)
                doctor_add(ctx, "cdi", DOCTOR_OK, NULL, "%s: %zu device%s, for driver %s",
                           nvct_quoted(q), n_devices, n_devices == 1 ? "" : "s",
                           ctx->nvml.driver_version);
out:
        nvct_cdi_staleness_clear(&st);
        nvct_cdi_spec_clear(&spec);
}

void doctor_check_cdi(doctor_ctx *ctx) {
        _cleanup_error_ nvct_error *err = NULL;
        nvct_cdi_listing listing = { 0 };
        nvct_strv files = { 0 }, uuids = { 0 };

        if (nvct_cdi_list(ctx->spec_dirs, &listing, &err) < 0 ||
            (ctx->nvml_ok && host_uuids(ctx, &uuids) < 0)) {
                ctx->oom = true;
                goto out;
        }
        for (size_t i = 0; i < listing.n_problems; i++) {
                _cleanup_free_ char *q = nvct_quote_path(listing.problems[i].path);
                _cleanup_free_ char *fix = generate_fix(ctx, "", listing.problems[i].path);
                doctor_add(ctx, "cdi", DOCTOR_FAIL, fix, "%s: %s", nvct_quoted(q),
                           listing.problems[i].reason);
        }
        /* The files that define NVIDIA devices, each once, in the order of
         * their first device (the listing is sorted by name). */
        size_t counts[NVCT_CDI_REGISTRY_MAX_FILES] = { 0 };
        for (size_t i = 0; i < listing.n_devices; i++) {
                const nvct_cdi_listed_device *d = &listing.devices[i];
                if (!is_nvidia_name(d->qualified_name))
                        continue;
                size_t f = 0;
                while (f < files.n && strcmp(files.v[f], d->spec_path) != 0)
                        f++;
                if (f == files.n &&
                    (f >= ARRAY_SIZE(counts) || nvct_strv_add(&files, d->spec_path) < 0)) {
                        ctx->oom = f < ARRAY_SIZE(counts);
                        continue;
                }
                counts[f]++;
        }
        if (files.n == 0) {
                _cleanup_free_ char *dirs = NULL, *output = NULL, *fix = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&dirs, &len);
                for (size_t i = 0; f != NULL && ctx->spec_dirs[i] != NULL; i++) {
                        _cleanup_free_ char *qd = nvct_quote_path(ctx->spec_dirs[i]);
                        fprintf(f, "%s%s", i > 0 ? ", " : "", nvct_quoted(qd));
                }
                if (f == NULL || fclose(f) != 0 ||
                    asprintf(&output, "%s/nvidia.yaml",
                             ctx->spec_dirs[0] != NULL ? ctx->spec_dirs[0] : "/etc/cdi") < 0 ||
                    (fix = generate_fix(ctx, "", output)) == NULL) {
                        ctx->oom = true;
                        goto out;
                }
                doctor_add(ctx, "cdi", DOCTOR_FAIL, fix,
                           "no CDI spec defines nvidia.com devices (searched %s)", dirs);
        }
        for (size_t f = 0; f < files.n; f++)
                check_spec(ctx, files.v[f], counts[f], &uuids);
out:
        nvct_strv_clear(&files);
        nvct_strv_clear(&uuids);
        nvct_cdi_listing_clear(&listing);
}

/* One program: found (a bare name in PATH), a regular file, executable. */
static void check_program(doctor_ctx *ctx, const doctor_program *p) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *found = NULL;
        _cleanup_free_ char *q = nvct_quote_path(p->path);
        struct stat st;

        if (strchr(p->path, '/') == NULL) {
                const char *search = ctx->search_path != NULL
                                             ? ctx->search_path
                                             : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/"
                                               "bin:/sbin:/bin";
                if (nvct_find_executable(p->path, search, &found, &err) < 0) {
                        doctor_add(ctx, "programs", DOCTOR_FAIL, p->fix,
                                   "%s, named by %s, is not an executable in PATH", nvct_quoted(q),
                                   p->by);
                        return;
                }
                _cleanup_free_ char *qf = nvct_quote_path(found);
                doctor_add(ctx, "programs", DOCTOR_OK, NULL, "%s, named by %s: %s", nvct_quoted(q),
                           p->by, nvct_quoted(qf));
                return;
        }
        const char *why = NULL;
        if (p->path[0] != '/')
                why = "is not an absolute path";
        else if (stat(p->path, &st) < 0)
                why = errno == ENOENT ? "does not exist" : "cannot be looked at";
        else if (!S_ISREG(st.st_mode))
                why = "is not a regular file";
        else if (access(p->path, X_OK) < 0)
                why = "is not executable";
        if (why != NULL)
                doctor_add(ctx, "programs", DOCTOR_FAIL, p->fix, "%s, named by %s, %s",
                           nvct_quoted(q), p->by, why);
        else
                doctor_add(ctx, "programs", DOCTOR_OK, NULL, "%s, named by %s, is executable",
                           nvct_quoted(q), p->by);
}

void doctor_check_programs(doctor_ctx *ctx) {
        /* The config's own: the hook legacy mode injects (when that mode can
         * be taken), and the nvidia-ctk generated hooks run. */
        if (ctx->config_ok) {
                _cleanup_free_ char *q = nvct_quote_path(ctx->config_path);
                _cleanup_free_ char *by = NULL;
                const char *mode = ctx->config.runtime.mode;
                bool legacy =
                        mode == NULL || strcmp(mode, "legacy") == 0 || strcmp(mode, "auto") == 0;
                if (asprintf(&by, "%s %s", ctx->config_exists ? "config" : "the defaults of",
                             nvct_quoted(q)) < 0)
                        ctx->oom = true;
                else {
                        if (legacy && ctx->config.runtime_hook.path != NULL)
                                doctor_add_program(
                                        ctx, ctx->config.runtime_hook.path, by,
                                        "install nvidia-container-runtime-hook, or set its path: "
                                        "nvidia-ctk config --in-place --set "
                                        "nvidia-container-runtime-hook.path=PATH");
                        if (ctx->config.ctk.path != NULL)
                                doctor_add_program(ctx, ctx->config.ctk.path, by,
                                                   "nvidia-ctk config --in-place --set "
                                                   "nvidia-ctk.path=PATH");
                }
        }
        /* Each path once, with the first that names it. */
        for (size_t i = 0; i < ctx->n_programs; i++) {
                bool seen = false;
                for (size_t j = 0; j < i && !seen; j++)
                        seen = strcmp(ctx->programs[i].path, ctx->programs[j].path) == 0;
                if (!seen)
                        check_program(ctx, &ctx->programs[i]);
        }
        if (ctx->n_programs == 0)
                doctor_add(ctx, "programs", DOCTOR_OK, NULL,
                           "no spec, config or engine names a program");
}
