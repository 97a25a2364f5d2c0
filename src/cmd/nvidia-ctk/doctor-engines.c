/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk doctor: each installed container engine, configured for the
 * NVIDIA runtime (the wrapper) or for CDI: docker's daemon.json,
 * containerd's config.toml and the files it imports, CRI-O's crio.conf and
 * drop-ins, the hooks.d files of podman and CRI-O. An engine counts as
 * installed when its daemon is in PATH, its configuration exists, or its
 * flag names a file. The runtime paths found are handed to the programs
 * check. Only read: `nvidia-ctk runtime configure` is the fix. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/file.h"
#include "basic/gocompat.h"
#include "basic/quote.h"
#include "document/document.h"
#include "engines/containerd.h"
#include "engines/crio.h"
#include "engines/docker.h"
#include "formats/toml.h"

#include "doctor.h"

/* Files an engine may import or drop in, looked at in all. */
#define MAX_ENGINE_FILES 64

static bool in_path(const doctor_ctx *ctx, const char *name) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *found = NULL;
        const char *search = ctx->search_path != NULL ? ctx->search_path : "/usr/sbin:/usr/bin";
        return nvct_find_executable(name, search, &found, &err) >= 0;
}

static bool exists(const char *path) {
        struct stat st;
        return stat(path, &st) == 0;
}

/* "nvidia-ctk runtime configure --runtime=E[ --config=F] && systemctl restart E". */
static char *configure_fix(const char *engine, const char *service, const char *given_config,
                           const char *extra) {
        _cleanup_free_ char *w = given_config != NULL ? doctor_shell_word(given_config) : NULL;
        char *fix = NULL;
        if (asprintf(&fix,
                     "nvidia-ctk runtime configure --runtime=%s%s%s%s && systemctl restart %s",
                     engine, w != NULL ? " --config=" : "", w != NULL ? w : "", extra, service) < 0)
                return NULL;
        return fix;
}

/* The program an engine's config names as its "nvidia" runtime (owner:
 * "docker's", ...; q: the quoted config path) must exist and run; the fix
 * configures that engine with the installed wrapper's path. */
static void check_runtime_program(doctor_ctx *ctx, const char *engine, const char *given_config,
                                  const char *owner, const char *q, const char *runtime_path) {
        _cleanup_free_ char *by = NULL;
        _cleanup_free_ char *pfix =
                configure_fix(engine, engine, given_config,
                              " --nvidia-runtime-path=\"$(command -v nvidia-container-runtime)\"");
        if (asprintf(&by, "%s %s", owner, q) < 0)
                ctx->oom = true;
        else
                doctor_add_program(ctx, runtime_path, by, pfix);
}

/* The fix of a file that cannot be read: "edit FILE (...)". */
static void add_file_problem(doctor_ctx *ctx, const char *engine, const char *path,
                             const char *message) {
        _cleanup_free_ char *w = doctor_shell_word(path);
        _cleanup_free_ char *fix = NULL;
        if (w == NULL || asprintf(&fix, "edit %s: the message names the line", w) < 0) {
                ctx->oom = true;
                return;
        }
        doctor_add(ctx, "engines", DOCTOR_FAIL, fix, "%s: %s", engine, message);
}

static void check_docker(doctor_ctx *ctx) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *data = NULL;
        nvct_document_node *root = NULL;
        const char *path =
                ctx->docker_config != NULL ? ctx->docker_config : "/etc/docker/daemon.json";
        _cleanup_free_ char *q = nvct_quote_path(path);
        _cleanup_free_ char *fix = configure_fix("docker", "docker", ctx->docker_config, "");
        size_t len = 0;

        if (ctx->docker_config == NULL && !exists(path) && !in_path(ctx, "dockerd")) {
                doctor_add(ctx, "engines", DOCTOR_SKIP, NULL,
                           "docker: not installed (no dockerd in PATH, no %s)", nvct_quoted(q));
                return;
        }
        int r = nvct_read_regular(path, "docker config", NVCT_DOCKER_MAX_SIZE, true, &data, &len,
                                  &err);
        if (r == -ENOENT && err == NULL) {
                doctor_add(ctx, "engines", DOCTOR_FAIL, fix,
                           "docker: %s does not exist: no \"nvidia\" runtime, and CDI is off",
                           nvct_quoted(q));
                return;
        }
        /* dockerd reads it with Go's encoding/json: a key twice, the last wins. */
        const nvct_document_options opts = { .mode = NVCT_DOCUMENT_GO,
                                             .max_size = NVCT_DOCKER_MAX_SIZE };
        if (r < 0 ||
            nvct_document_parse(data, len, NVCT_DOCUMENT_JSON, path, &opts, &root, &err) < 0) {
                add_file_problem(ctx, "docker", path, err->msg);
                return;
        }
        const nvct_document_node *runtimes = nvct_document_object_get(root, "runtimes");
        const nvct_document_node *nvidia =
                runtimes != NULL ? nvct_document_object_get(runtimes, "nvidia") : NULL;
        const nvct_document_node *rpath =
                nvidia != NULL ? nvct_document_object_get(nvidia, "path") : NULL;
        const nvct_document_node *features = nvct_document_object_get(root, "features");
        const nvct_document_node *cdi =
                features != NULL ? nvct_document_object_get(features, "cdi") : NULL;
        bool cdi_on = cdi != NULL && nvct_document_kind_of(cdi) == NVCT_DOCUMENT_BOOL &&
                      nvct_document_bool(cdi);
        const char *runtime_path = NULL;
        if (rpath != NULL && nvct_document_kind_of(rpath) == NVCT_DOCUMENT_STRING)
                runtime_path = nvct_document_text(rpath, NULL);
        if (runtime_path != NULL)
                check_runtime_program(ctx, "docker", ctx->docker_config, "docker's", nvct_quoted(q),
                                      runtime_path);
        if (runtime_path == NULL && !cdi_on)
                doctor_add(ctx, "engines", DOCTOR_FAIL, fix,
                           "docker: %s has no \"nvidia\" runtime, and CDI is off", nvct_quoted(q));
        else
                doctor_add(ctx, "engines", DOCTOR_OK, NULL, "docker: %s: %s%s%s", nvct_quoted(q),
                           runtime_path != NULL ? "runtime \"nvidia\"" : "",
                           runtime_path != NULL && cdi_on ? ", " : "", cdi_on ? "CDI on" : "");
        nvct_document_free(root);
}

/* What one containerd file says: the CRI plugin's runtimes.nvidia and
 * enable_cdi (-1: unset). */
typedef struct containerd_view {
        char *binary; /* options.BinaryName, or NULL */
        bool has_runtime;
        int enable_cdi;
        int version;
} containerd_view;

static const nvct_toml_value *toml_path(const nvct_toml_value *v, const char *const *keys) {
        for (; v != NULL && *keys != NULL; keys++)
                v = nvct_toml_type_of(v) == NVCT_TOML_TABLE ? nvct_toml_table_get(v, *keys) : NULL;
        return v;
}

static int containerd_read(const char *path, const char *data, size_t len, int version,
                           containerd_view *view, nvct_toml_value **ret_root, nvct_error **err) {
        nvct_toml_value *root = NULL;
        if (nvct_toml_parse(data, len, path, &root, err) < 0)
                return -1;
        const char *cri = version == 1   ? "cri"
                          : version == 2 ? "io.containerd.grpc.v1.cri"
                                         : "io.containerd.cri.v1.runtime";
        const nvct_toml_value *table = toml_path(root, (const char *[]){ "plugins", cri, NULL });
        const nvct_toml_value *rt =
                toml_path(table, (const char *[]){ "containerd", "runtimes", "nvidia", NULL });
        if (rt != NULL) {
                view->has_runtime = true;
                const nvct_toml_value *bin =
                        toml_path(rt, (const char *[]){ "options", "BinaryName", NULL });
                if (bin != NULL && nvct_toml_type_of(bin) == NVCT_TOML_STRING) {
                        free(view->binary);
                        view->binary = strdup(nvct_toml_string(bin, NULL));
                }
        }
        const nvct_toml_value *cdi = toml_path(table, (const char *[]){ "enable_cdi", NULL });
        if (cdi != NULL && nvct_toml_type_of(cdi) == NVCT_TOML_BOOL)
                view->enable_cdi = nvct_toml_bool(cdi);
        *ret_root = root;
        return 0;
}

/* The files config.toml's `imports` name (globs; relative to its folder). */
static void containerd_imports(doctor_ctx *ctx, const char *path, const nvct_toml_value *root,
                               containerd_view *view) {
        const nvct_toml_value *imports = nvct_toml_table_get(root, "imports");
        if (imports == NULL || nvct_toml_type_of(imports) != NVCT_TOML_ARRAY)
                return;
        _cleanup_free_ char *copy = strdup(path);
        const char *dir = copy != NULL ? dirname(copy) : ".";
        size_t seen = 0;
        for (size_t i = 0; i < nvct_toml_array_size(imports); i++) {
                const nvct_toml_value *e = nvct_toml_array_get(imports, i);
                if (nvct_toml_type_of(e) != NVCT_TOML_STRING)
                        continue;
                const char *pattern = nvct_toml_string(e, NULL);
                _cleanup_free_ char *full = NULL;
                if (asprintf(&full, "%s%s%s", pattern[0] == '/' ? "" : dir,
                             pattern[0] == '/' ? "" : "/", pattern) < 0) {
                        ctx->oom = true;
                        return;
                }
                glob_t g = { 0 };
                if (glob(full, 0, NULL, &g) != 0) {
                        globfree(&g);
                        continue;
                }
                for (size_t j = 0; j < g.gl_pathc && seen < MAX_ENGINE_FILES; j++, seen++) {
                        _cleanup_error_ nvct_error *err = NULL;
                        _cleanup_free_ char *data = NULL;
                        nvct_toml_value *sub = NULL;
                        size_t len = 0;
                        if (nvct_read_regular(g.gl_pathv[j], "containerd config",
                                              NVCT_CONTAINERD_MAX_SIZE, false, &data, &len,
                                              &err) < 0 ||
                            containerd_read(g.gl_pathv[j], data, len, view->version, view, &sub,
                                            &err) < 0) {
                                add_file_problem(ctx, "containerd", g.gl_pathv[j], err->msg);
                                continue;
                        }
                        nvct_toml_free(sub);
                }
                globfree(&g);
        }
}

static void check_containerd(doctor_ctx *ctx) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *data = NULL;
        const char *path = ctx->containerd_config != NULL ? ctx->containerd_config
                                                          : "/etc/containerd/config.toml";
        _cleanup_free_ char *q = nvct_quote_path(path);
        _cleanup_free_ char *fix =
                configure_fix("containerd", "containerd", ctx->containerd_config, "");
        containerd_view view = { .enable_cdi = -1 };
        nvct_toml_value *root = NULL;
        size_t len = 0;

        if (ctx->containerd_config == NULL && !exists(path) && !in_path(ctx, "containerd")) {
                doctor_add(ctx, "engines", DOCTOR_SKIP, NULL,
                           "containerd: not installed (no containerd in PATH, no %s)",
                           nvct_quoted(q));
                return;
        }
        int r = nvct_read_regular(path, "containerd config", NVCT_CONTAINERD_MAX_SIZE, true, &data,
                                  &len, &err);
        if (r == -ENOENT && err == NULL) {
                doctor_add(ctx, "engines", DOCTOR_FAIL, fix,
                           "containerd: %s does not exist: no \"nvidia\" runtime", nvct_quoted(q));
                return;
        }
        if (r < 0 || nvct_containerd_version(data, len, path, &view.version, &err) < 0 ||
            containerd_read(path, data, len, view.version, &view, &root, &err) < 0) {
                add_file_problem(ctx, "containerd", path, err->msg);
                return;
        }
        containerd_imports(ctx, path, root, &view);
        nvct_toml_free(root);
        /* containerd 2 (config version 3) has CDI on unless turned off;
         * 1.x has it off unless turned on. */
        bool cdi_on = view.enable_cdi == 1 || (view.enable_cdi < 0 && view.version >= 3);
        if (view.binary != NULL)
                check_runtime_program(ctx, "containerd", ctx->containerd_config, "containerd's",
                                      nvct_quoted(q), view.binary);
        if (!view.has_runtime && !cdi_on)
                doctor_add(ctx, "engines", DOCTOR_FAIL, fix,
                           "containerd: %s (and its imports) has no \"nvidia\" runtime, and CDI "
                           "is off",
                           nvct_quoted(q));
        else
                doctor_add(ctx, "engines", DOCTOR_OK, NULL, "containerd: %s: %s%s%s",
                           nvct_quoted(q), view.has_runtime ? "runtime \"nvidia\"" : "",
                           view.has_runtime && cdi_on ? ", " : "", cdi_on ? "CDI on" : "");
        free(view.binary);
}

/* The regular files of `dir`, in name order, at most MAX_ENGINE_FILES;
 * with `suffix`, only names ending in it. */
static int dir_files(const char *dir, const char *suffix, nvct_strv *ret) {
        struct dirent **names = NULL;
        int n = scandir(dir, &names, NULL, alphasort);
        if (n < 0)
                return 0; /* no such directory: nothing in it */
        for (int i = 0; i < n; i++) {
                const char *name = names[i]->d_name;
                size_t len = strlen(name), slen = suffix != NULL ? strlen(suffix) : 0;
                bool keep =
                        name[0] != '.' && ret->n < MAX_ENGINE_FILES &&
                        (suffix == NULL || (len > slen && strcmp(name + len - slen, suffix) == 0));
                if (keep)
                        nvct_strv_pushf(ret, "%s/%s", dir, name);
                free(names[i]);
        }
        free(names);
        return ret->failed ? -ENOMEM : 0;
}

static void check_crio(doctor_ctx *ctx) {
        const char *path = ctx->crio_config != NULL ? ctx->crio_config : "/etc/crio/crio.conf";
        _cleanup_free_ char *q = nvct_quote_path(path);
        _cleanup_free_ char *copy = strdup(path);
        _cleanup_free_ char *dropins = NULL;
        _cleanup_free_ char *runtime_path = NULL;
        nvct_strv files = { 0 };

        if (copy == NULL || asprintf(&dropins, "%s/crio.conf.d", dirname(copy)) < 0) {
                ctx->oom = true;
                return;
        }
        if (ctx->crio_config == NULL && !exists(path) && !exists(dropins) &&
            !in_path(ctx, "crio")) {
                doctor_add(ctx, "engines", DOCTOR_SKIP, NULL,
                           "CRI-O: not installed (no crio in PATH, no %s)", nvct_quoted(q));
                return;
        }
        /* crio.conf, then its drop-ins in name order: a later file's key wins. */
        if (nvct_strv_add(&files, path) < 0 || dir_files(dropins, NULL, &files) < 0) {
                ctx->oom = true;
                goto out;
        }
        for (size_t i = 0; i < files.n; i++) {
                _cleanup_error_ nvct_error *err = NULL;
                _cleanup_free_ char *data = NULL;
                nvct_toml_value *root = NULL;
                size_t len = 0;
                int r = nvct_read_regular(files.v[i], "CRI-O config", NVCT_CRIO_MAX_SIZE, true,
                                          &data, &len, &err);
                if (r == -ENOENT && err == NULL)
                        continue;
                if (r < 0 || nvct_toml_parse(data, len, files.v[i], &root, &err) < 0) {
                        add_file_problem(ctx, "CRI-O", files.v[i], err->msg);
                        continue;
                }
                const nvct_toml_value *rp =
                        toml_path(root, (const char *[]){ "crio", "runtime", "runtimes", "nvidia",
                                                          "runtime_path", NULL });
                if (rp != NULL && nvct_toml_type_of(rp) == NVCT_TOML_STRING) {
                        free(runtime_path);
                        runtime_path = strdup(nvct_toml_string(rp, NULL));
                }
                nvct_toml_free(root);
        }
        if (runtime_path != NULL) {
                check_runtime_program(ctx, "crio", ctx->crio_config, "CRI-O's", nvct_quoted(q),
                                      runtime_path);
                doctor_add(ctx, "engines", DOCTOR_OK, NULL, "CRI-O: %s: runtime \"nvidia\", CDI on",
                           nvct_quoted(q));
        } else
                /* CRI-O reads CDI specs whatever its configuration: a GPU
                 * container needs no runtime of ours there. */
                doctor_add(ctx, "engines", DOCTOR_OK, NULL,
                           "CRI-O: %s: no \"nvidia\" runtime; CDI on (CRI-O always reads the "
                           "specs)",
                           nvct_quoted(q));
out:
        nvct_strv_clear(&files);
}

/* hooks.d: a file whose hook is NVIDIA's names a program to check. */
static void check_hooks_dirs(doctor_ctx *ctx) {
        static const char *const default_dirs[] = { "/usr/share/containers/oci/hooks.d",
                                                    "/etc/containers/oci/hooks.d", NULL };
        const char *const *dirs = ctx->hooks_dirs != NULL ? ctx->hooks_dirs : default_dirs;
        nvct_strv files = { 0 };
        size_t n_nvidia = 0;

        bool installed = ctx->hooks_dirs != NULL || in_path(ctx, "podman");
        for (size_t i = 0; dirs[i] != NULL && !installed; i++)
                installed = exists(dirs[i]);
        if (!installed) {
                doctor_add(ctx, "engines", DOCTOR_SKIP, NULL,
                           "podman: not installed (no podman in PATH, no hooks.d)");
                return;
        }
        for (size_t i = 0; dirs[i] != NULL; i++)
                if (dir_files(dirs[i], ".json", &files) < 0)
                        ctx->oom = true;
        for (size_t i = 0; i < files.n; i++) {
                _cleanup_error_ nvct_error *err = NULL;
                _cleanup_free_ char *data = NULL;
                _cleanup_free_ char *q = nvct_quote_path(files.v[i]);
                nvct_document_node *root = NULL;
                size_t len = 0;
                const nvct_document_options opts = { .mode = NVCT_DOCUMENT_GO,
                                                     .max_size = 1u << 20 };
                if (nvct_read_regular(files.v[i], "OCI hook file", 1u << 20, false, &data, &len,
                                      &err) < 0 ||
                    nvct_document_parse(data, len, NVCT_DOCUMENT_JSON, files.v[i], &opts, &root,
                                        &err) < 0) {
                        add_file_problem(ctx, "podman", files.v[i], err->msg);
                        continue;
                }
                const nvct_document_node *hook = nvct_document_object_get(root, "hook");
                const nvct_document_node *hp =
                        hook != NULL ? nvct_document_object_get(hook, "path") : NULL;
                const char *hpath = hp != NULL && nvct_document_kind_of(hp) == NVCT_DOCUMENT_STRING
                                            ? nvct_document_text(hp, NULL)
                                            : NULL;
                if (hpath != NULL && strstr(hpath, "nvidia") != NULL) {
                        _cleanup_free_ char *by = NULL, *fix = NULL;
                        _cleanup_free_ char *w = doctor_shell_word(files.v[i]);
                        if (w == NULL ||
                            asprintf(&by, "the OCI hook file %s", nvct_quoted(q)) < 0 ||
                            asprintf(&fix,
                                     "nvidia-ctk runtime configure --config-mode=oci-hook "
                                     "--nvidia-runtime-hook-path=\"$(command -v "
                                     "nvidia-container-runtime-hook)\" --oci-hook-path=%s",
                                     w) < 0)
                                ctx->oom = true;
                        else
                                doctor_add_program(ctx, hpath, by, fix);
                        n_nvidia++;
                }
                nvct_document_free(root);
        }
        if (n_nvidia > 0)
                doctor_add(ctx, "engines", DOCTOR_OK, NULL,
                           "podman: %zu NVIDIA hook file%s in hooks.d; CDI on", n_nvidia,
                           n_nvidia == 1 ? "" : "s");
        else
                doctor_add(ctx, "engines", DOCTOR_OK, NULL,
                           "podman: no NVIDIA hook in hooks.d; CDI on (podman reads the specs: "
                           "--device nvidia.com/gpu=...)");
        nvct_strv_clear(&files);
}

void doctor_check_engines(doctor_ctx *ctx) {
        check_docker(ctx);
        check_containerd(ctx);
        check_crio(ctx);
        check_hooks_dirs(ctx);
}
