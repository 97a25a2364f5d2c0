/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "lowlevel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/gocompat.h"
#include "basic/quote.h"

/* Bounds the error message and the work: config.toml is the admin's, but a
 * list this long is a mistake, not a configuration. */
#define MAX_CANDIDATES 64

/* This program's identity, stat()ed once per search and only when a
 * candidate is found (a pass-through call pays one stat of /proc/self/exe,
 * not one per candidate). */
typedef struct self_id {
        bool known, ok;
        dev_t dev;
        ino_t ino;
} self_id;

/* Whether `st` is this program: a runtimes list naming the wrapper itself
 * (or a link to it) would otherwise exec it again, forever. When
 * /proc/self/exe cannot be stat()ed, nothing is taken for it (as before). */
static bool is_self(self_id *self, const struct stat *st) {
        if (!self->known) {
                struct stat s;
                self->known = true;
                self->ok = stat("/proc/self/exe", &s) == 0;
                if (self->ok) {
                        self->dev = s.st_dev;
                        self->ino = s.st_ino;
                }
        }
        return self->ok && self->dev == st->st_dev && self->ino == st->st_ino;
}

/* One stat of `path` serves both the file checks and the self check. */
static bool is_executable_file(const char *path, self_id *self) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0 &&
               !is_self(self, &st);
}

static bool is_self_path(const char *path, self_id *self) {
        struct stat st;
        return stat(path, &st) == 0 && is_self(self, &st);
}

/* ", \"a\", \"b\"" for the message; NULL on allocation failure. */
static char *quote_candidates(const char *const *names, size_t n) {
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (f == NULL)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *q = nvct_quote_path(names[i]);
                fprintf(f, "%s%s", i > 0 ? ", " : "", nvct_quoted(q));
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

char *nvct_runtime_search_path(const char *path_env) {
        char *search = NULL;
        if (path_env == NULL || path_env[0] == '\0')
                return strdup(NVCT_RUNTIME_STANDARD_PATH);
        if (asprintf(&search, "%s:%s", path_env, NVCT_RUNTIME_STANDARD_PATH) < 0)
                return NULL;
        return search;
}

int nvct_runtime_find(const char *const *names, size_t n, const char *path_env, char **ret_path,
                      nvct_error **err) {
        if (n == 0)
                return nvct_error_make(err, 0,
                                       "no low-level runtime is configured "
                                       "(nvidia-container-runtime.runtimes is empty)");
        if (n > MAX_CANDIDATES)
                return nvct_error_make(err, 0,
                                       "nvidia-container-runtime.runtimes lists %zu runtimes, "
                                       "more than %d",
                                       n, MAX_CANDIDATES);
        _cleanup_free_ char *search = nvct_runtime_search_path(path_env);
        if (search == NULL)
                return nvct_error_make(err, ENOMEM, "low-level runtime");
        self_id self = { 0 };
        for (size_t i = 0; i < n; i++) {
                const char *name = names[i];
                if (name == NULL || name[0] == '\0')
                        continue;
                if (strchr(name, '/') != NULL) {
                        /* Security: a relative path would resolve against
                         * the working directory, the bundle. */
                        if (name[0] == '/' && is_executable_file(name, &self)) {
                                char *copy = strdup(name);
                                if (copy == NULL)
                                        return nvct_error_make(err, ENOMEM, "low-level runtime");
                                *ret_path = copy;
                                return 0;
                        }
                        continue;
                }
                char *found = NULL;
                if (nvct_find_executable(name, search, &found, NULL) == 0) {
                        if (is_self_path(found, &self)) {
                                free(found);
                                continue;
                        }
                        *ret_path = found;
                        return 0;
                }
        }
        _cleanup_free_ char *list = quote_candidates(names, n);
        _cleanup_free_ char *qsearch = nvct_quote_path(search);
        if (list == NULL)
                return nvct_error_make(err, ENOMEM, "low-level runtime");
        return nvct_error_make(err, 0,
                               "no low-level runtime found: tried %s (a path must be absolute "
                               "and name an executable file other than this wrapper; a name is "
                               "searched in PATH %s)",
                               list, nvct_quoted(qsearch));
}

int nvct_runtime_argv_build(const char *runtime_path, int argc, char *const *argv, char ***ret_argv,
                            nvct_error **err) {
        size_t n = argc > 1 ? (size_t)argc : 1;
        char **out = calloc(n + 1, sizeof(char *));
        if (out == NULL)
                return nvct_error_make(err, ENOMEM, "low-level runtime's arguments");
        out[0] = (char *)runtime_path;
        for (size_t i = 1; i < n; i++)
                out[i] = argv[i];
        *ret_argv = out;
        return 0;
}

int nvct_runtime_exec(const char *runtime_path, int argc, char *const *argv, nvct_error **err) {
        _cleanup_free_ char **args = NULL;
        if (nvct_runtime_argv_build(runtime_path, argc, argv, &args, err) < 0)
                return -1;
        execv(runtime_path, args);
        int e = errno;
        _cleanup_free_ char *q = nvct_quote_path(runtime_path);
        return nvct_error_make(err, e, "exec %s", nvct_quoted(q));
}
