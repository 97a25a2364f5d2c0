/* SPDX-License-Identifier: Apache-2.0 */
/* daemon.json edited over the document tree: see docker.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/quote.h"
#include "document/document.h"

#include "docker.h"

/* The most bytes of white space one level of indentation may hold: a wider
 * one is taken as the file's own business, and kept up to this. */
#define MAX_INDENT 16

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *nvct_docker_detect_indent(const char *data, size_t len, char buf[static 17]) {
        size_t i = 0;
        while (i < len && is_space(data[i]))
                i++;
        if (i == len || (data[i] != '{' && data[i] != '['))
                return NULL;
        i++;
        /* The first line after the opening bracket that holds anything. */
        for (bool new_line = false;; new_line = true) {
                size_t start = i;
                while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r'))
                        i++;
                if (i == len)
                        return NULL;
                if (data[i] == '\n') {
                        i++;
                        continue;
                }
                /* Nothing to go by in an empty value: NVIDIA's layout. */
                if (data[i] == '}' || data[i] == ']')
                        return "    ";
                if (!new_line)
                        return NULL; /* a member on the bracket's line: compact */
                size_t n = 0;
                for (size_t k = start; k < i && n < MAX_INDENT; k++)
                        if (data[k] != '\r')
                                buf[n++] = data[k];
                buf[n] = '\0';
                return buf;
        }
}

/* "an object", "a boolean": what a value is, for messages. */
static const char *a_kind(const nvct_document_node *v) {
        switch (nvct_document_kind_of(v)) {
        case NVCT_DOCUMENT_NULL:
                return "null";
        case NVCT_DOCUMENT_BOOL:
                return "a boolean";
        case NVCT_DOCUMENT_NUMBER:
                return "a number";
        case NVCT_DOCUMENT_STRING:
                return "a string";
        case NVCT_DOCUMENT_ARRAY:
                return "an array";
        default:
                return "an object";
        }
}

/* The object under key in obj, made when absent; an error naming key when it
 * holds anything but an object. */
static int object_member(nvct_document_node *obj, const char *key, const char *name,
                         nvct_document_node **ret, nvct_error **err) {
        nvct_document_node *v = nvct_document_object_get(obj, key);
        if (v == NULL) {
                nvct_document_node *fresh = nvct_document_new_object();
                if (fresh == NULL)
                        return nvct_error_make(err, ENOMEM, "%s", name);
                return nvct_document_object_set(obj, key, strlen(key), fresh, ret, err);
        }
        if (nvct_document_kind_of(v) != NVCT_DOCUMENT_OBJECT)
                return nvct_error_make(err, 0, "%s: \"%s\" is %s, not an object", name, key,
                                       a_kind(v));
        *ret = v;
        return 0;
}

static int set_string(nvct_document_node *obj, const char *key, const char *value,
                      nvct_error **err) {
        nvct_document_node *v = nvct_document_object_get(obj, key);
        if (v != NULL)
                return nvct_document_set_string(v, value, strlen(value), err);
        v = nvct_document_new_string(value, strlen(value));
        if (v == NULL)
                return nvct_error_make(err, ENOMEM, "cannot set \"%s\"", key);
        return nvct_document_object_set(obj, key, strlen(key), v, NULL, err);
}

/* runtimes.<name>: {"path": P, "args": []}; an existing object keeps its
 * other members. */
static int add_runtime(nvct_document_node *root, const char *name, const nvct_docker_options *opts,
                       nvct_error **err) {
        nvct_document_node *runtimes = NULL, *entry = NULL;
        if (object_member(root, "runtimes", name, &runtimes, err) < 0)
                return -1;
        entry = nvct_document_object_get(runtimes, opts->runtime_name);
        if (entry != NULL && nvct_document_kind_of(entry) != NVCT_DOCUMENT_OBJECT) {
                /* Not a runtime docker could use: replaced, as NVIDIA does. */
                entry = NULL;
        }
        if (entry == NULL) {
                nvct_document_node *fresh = nvct_document_new_object();
                if (fresh == NULL)
                        return nvct_error_make(err, ENOMEM, "%s", name);
                if (nvct_document_object_set(runtimes, opts->runtime_name,
                                             strlen(opts->runtime_name), fresh, &entry, err) < 0)
                        return -1;
        }
        if (set_string(entry, "path", opts->runtime_path, err) < 0)
                return -1;
        nvct_document_node *args = nvct_document_object_get(entry, "args");
        if (args == NULL || nvct_document_kind_of(args) != NVCT_DOCUMENT_ARRAY) {
                nvct_document_node *fresh = nvct_document_new_array();
                if (fresh == NULL)
                        return nvct_error_make(err, ENOMEM, "%s", name);
                if (nvct_document_object_set(entry, "args", 4, fresh, NULL, err) < 0)
                        return -1;
        }
        return 0;
}

static int edit(nvct_document_node *root, const char *name, const nvct_docker_options *opts,
                nvct_error **err) {
        if (nvct_document_kind_of(root) != NVCT_DOCUMENT_OBJECT)
                return nvct_error_make(err, 0, "%s: the top-level value is %s, not an object", name,
                                       a_kind(root));
        if (add_runtime(root, name, opts, err) < 0)
                return -1;
        if (opts->set_as_default &&
            set_string(root, "default-runtime", opts->runtime_name, err) < 0)
                return -1;
        if (opts->enable_cdi) {
                nvct_document_node *features = NULL, *cdi = NULL;
                if (object_member(root, "features", name, &features, err) < 0)
                        return -1;
                cdi = nvct_document_object_get(features, "cdi");
                if (cdi != NULL)
                        return nvct_document_set_bool(cdi, true, err);
                cdi = nvct_document_new_bool(true);
                if (cdi == NULL)
                        return nvct_error_make(err, ENOMEM, "%s", name);
                return nvct_document_object_set(features, "cdi", 3, cdi, NULL, err);
        }
        return 0;
}

static bool all_space(const char *data, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (!is_space(data[i]))
                        return false;
        return true;
}

static int check_options(const nvct_docker_options *opts, nvct_error **err) {
        if (opts->runtime_name == NULL || opts->runtime_name[0] == '\0')
                return nvct_error_make(err, 0, "the runtime name is empty");
        if (opts->runtime_path == NULL || opts->runtime_path[0] == '\0')
                return nvct_error_make(err, 0, "the runtime path is empty");
        return 0;
}

int nvct_docker_configure(const char *data, size_t len, const char *name,
                          const nvct_docker_options *opts, char **ret_data, size_t *ret_len,
                          nvct_error **err) {
        _cleanup_free_ char *qname = nvct_quote_path(name ? name : "<input>");
        const char *shown = nvct_quoted(qname);
        if (check_options(opts, err) < 0)
                return -1;
        _cleanup_document_ nvct_document_node *root = NULL;
        char indent_buf[MAX_INDENT + 1];
        const char *indent = "    ";
        bool newline = true;
        if (data != NULL && !all_space(data, len)) {
                if (len > NVCT_DOCKER_MAX_SIZE)
                        return nvct_error_make(err, 0, "%s: larger than %u bytes", shown,
                                               NVCT_DOCKER_MAX_SIZE);
                /* Strict: see docker.h. The write depth bound is the read
                 * one, so that whatever is read can be written back. */
                const nvct_document_options dopts = {
                        .mode = NVCT_DOCUMENT_STRICT,
                        .max_size = NVCT_DOCKER_MAX_SIZE,
                        .max_depth = NVCT_DOCUMENT_MAX_WRITE_DEPTH - 1,
                };
                if (nvct_document_parse(data, len, NVCT_DOCUMENT_JSON, name, &dopts, &root, err) <
                    0)
                        return -1;
                indent = nvct_docker_detect_indent(data, len, indent_buf);
                newline = data[len - 1] == '\n';
        } else {
                root = nvct_document_new_object();
                if (root == NULL)
                        return nvct_error_make(err, ENOMEM, "%s", shown);
        }
        /* A file that already says all this is handed back byte for byte,
         * whatever its layout (an inline array, a \u escape): nothing is
         * rewritten that did not change. */
        _cleanup_document_ nvct_document_node *before = NULL;
        if (data != NULL && (before = nvct_document_copy(root)) == NULL)
                return nvct_error_make(err, ENOMEM, "%s", shown);
        if (edit(root, shown, opts, err) < 0)
                return -1;
        _cleanup_free_ char *out = NULL;
        size_t out_len = 0;
        if (before != NULL && nvct_document_equal(before, root)) {
                out = malloc(len + 1);
                if (out == NULL)
                        return nvct_error_make(err, ENOMEM, "%s", shown);
                memcpy(out, data, len);
                out[len] = '\0';
                *ret_data = TAKE_PTR(out);
                *ret_len = len;
                return 0;
        }
        if (nvct_document_write_json_indent(root, indent, &out, &out_len, err) < 0)
                return nvct_error_prefix(err, "%s", shown);
        if (newline) {
                char *grown = realloc(out, out_len + 2);
                if (grown == NULL)
                        return nvct_error_make(err, ENOMEM, "%s", shown);
                out = grown;
                out[out_len++] = '\n';
                out[out_len] = '\0';
        }
        *ret_data = TAKE_PTR(out);
        *ret_len = out_len;
        return 0;
}
