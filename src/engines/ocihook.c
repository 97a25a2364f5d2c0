/* SPDX-License-Identifier: Apache-2.0 */
/* The hooks.d file: see ocihook.h. Built as a document and written with
 * document's Go layout, so that strings are escaped the one way. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/quote.h"
#include "document/document.h"

#include "ocihook.h"

/* The folders NVIDIA's hook file puts in PATH, in its order. */
static const char *const system_dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                           "/usr/bin",        "/sbin",          "/bin" };

/* Appends a string to array; false on OOM. */
static bool push(nvct_document_node *array, const char *s) {
        nvct_document_node *v = nvct_document_new_string(s, strlen(s));
        return v != NULL && nvct_document_array_append(array, v, NULL, NULL) == 0;
}

/* Sets key to a new node of kind (a string: s) and returns where it now is;
 * NULL on OOM. The node is filled in place before object gets another
 * member, which could move it. */
static nvct_document_node *put(nvct_document_node *object, const char *key, nvct_document_kind kind,
                               const char *s) {
        nvct_document_node *v = kind == NVCT_DOCUMENT_OBJECT  ? nvct_document_new_object()
                                : kind == NVCT_DOCUMENT_ARRAY ? nvct_document_new_array()
                                : kind == NVCT_DOCUMENT_BOOL
                                        ? nvct_document_new_bool(true)
                                        : nvct_document_new_string(s, strlen(s));
        nvct_document_node *where = NULL;
        if (v == NULL || nvct_document_object_set(object, key, strlen(key), v, &where, NULL) < 0)
                return NULL;
        return where;
}

static bool build(nvct_document_node *root, const char *hook_path, const char *env) {
        nvct_document_node *hook, *when, *a;
        if (put(root, "version", NVCT_DOCUMENT_STRING, "1.0.0") == NULL)
                return false;
        if ((hook = put(root, "hook", NVCT_DOCUMENT_OBJECT, NULL)) == NULL ||
            put(hook, "path", NVCT_DOCUMENT_STRING, hook_path) == NULL)
                return false;
        if ((a = put(hook, "args", NVCT_DOCUMENT_ARRAY, NULL)) == NULL ||
            !push(a, strrchr(hook_path, '/') + 1) || !push(a, "prestart"))
                return false;
        if ((a = put(hook, "env", NVCT_DOCUMENT_ARRAY, NULL)) == NULL || !push(a, env))
                return false;
        if ((when = put(root, "when", NVCT_DOCUMENT_OBJECT, NULL)) == NULL ||
            put(when, "always", NVCT_DOCUMENT_BOOL, NULL) == NULL)
                return false;
        if ((a = put(when, "commands", NVCT_DOCUMENT_ARRAY, NULL)) == NULL || !push(a, ".*"))
                return false;
        return (a = put(root, "stages", NVCT_DOCUMENT_ARRAY, NULL)) != NULL && push(a, "prestart");
}

/* "PATH=" the system folders, and the hook's folder (filepath.Dir) when it
 * is none of them. */
static char *path_env(const char *hook_path) {
        const char *slash = strrchr(hook_path, '/');
        size_t dir_len = slash == hook_path ? 1 : (size_t)(slash - hook_path);
        bool known = false;
        size_t n = strlen("PATH=") + dir_len + 1;
        for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++) {
                n += strlen(system_dirs[i]) + 1;
                if (strlen(system_dirs[i]) == dir_len &&
                    memcmp(system_dirs[i], hook_path, dir_len) == 0)
                        known = true;
        }
        char *env = malloc(n + 1);
        if (env == NULL)
                return NULL;
        char *p = stpcpy(env, "PATH=");
        for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++)
                p = stpcpy(stpcpy(p, i ? ":" : ""), system_dirs[i]);
        if (!known) {
                *p++ = ':';
                memcpy(p, hook_path, dir_len);
                p += dir_len;
        }
        *p = '\0';
        return env;
}

int nvct_ocihook_generate(const char *hook_path, char **ret_data, size_t *ret_len,
                          nvct_error **err) {
        if (hook_path == NULL || hook_path[0] != '/') {
                _cleanup_free_ char *q = nvct_quote_path(hook_path ? hook_path : "");
                return nvct_error_make(err, 0,
                                       "the NVIDIA runtime hook path %s is not an absolute path",
                                       nvct_quoted(q));
        }
        _cleanup_free_ char *env = path_env(hook_path);
        _cleanup_document_ nvct_document_node *root = nvct_document_new_object();
        if (env == NULL || root == NULL || !build(root, hook_path, env))
                return nvct_error_make(err, ENOMEM, "cannot make the OCI hook file");
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        if (nvct_document_write_json_indent(root, "  ", &out, &len, err) < 0)
                return -1;
        char *grown = realloc(out, len + 2);
        if (grown == NULL)
                return nvct_error_make(err, ENOMEM, "cannot make the OCI hook file");
        out = grown;
        out[len++] = '\n';
        out[len] = '\0';
        *ret_data = TAKE_PTR(out);
        *ret_len = len;
        return 0;
}
