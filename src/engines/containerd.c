/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/quote.h"
#include "containerd.h"
#include "formats/toml.h"
#include "formats/tomledit.h"
#include "tomltext.h"

#define RUNC_V2 "\"io.containerd.runc.v2\""

static const char *cri_plugin(int version) {
        return version == 1   ? "cri"
               : version == 2 ? "io.containerd.grpc.v1.cri"
                              : "io.containerd.cri.v1.runtime";
}

/* The version of a parsed document; see containerd.h. */
static int doc_version(const nvct_toml_value *root, const char *name, int *ret_version,
                       nvct_error **err) {
        _cleanup_free_ char *q = nvct_quote_path(name ? name : "<input>");
        if (root == NULL || nvct_toml_table_size(root) == 0) {
                *ret_version = 2;
                return 0;
        }
        const nvct_toml_value *v = nvct_toml_table_get(root, "version");
        if (v == NULL) {
                *ret_version = 1;
                return 0;
        }
        if (nvct_toml_type_of(v) != NVCT_TOML_INTEGER)
                return nvct_error_make(err, 0, "%s: version is a %s, not an integer",
                                       nvct_quoted(q), nvct_toml_type_name(nvct_toml_type_of(v)));
        int64_t n = nvct_toml_integer(v);
        if (n < 1 || n > 3)
                return nvct_error_make(err, 0,
                                       "%s: unsupported containerd config version %lld "
                                       "(1, 2 and 3 are supported)",
                                       nvct_quoted(q), (long long)n);
        *ret_version = (int)n;
        return 0;
}

static int parse(const char *data, size_t len, const char *name, nvct_toml_edit **ret,
                 int *ret_version, nvct_error **err) {
        _cleanup_toml_edit_ nvct_toml_edit *e = NULL;
        if (nvct_toml_edit_parse(data ? data : "", data ? len : 0, name, &e, err) < 0)
                return -1;
        if (ret_version && doc_version(nvct_toml_edit_get(e, NULL, 0), name, ret_version, err) < 0)
                return -1;
        *ret = TAKE_PTR(e);
        return 0;
}

int nvct_containerd_version(const char *data, size_t len, const char *name, int *ret_version,
                            nvct_error **err) {
        _cleanup_toml_edit_ nvct_toml_edit *e = NULL;
        return parse(data, len, name, &e, ret_version, err);
}

static int take_text(nvct_toml_edit *e, char **ret_data, size_t *ret_len, nvct_error **err) {
        size_t len = 0;
        const char *text = nvct_toml_edit_text(e, &len);
        char *copy = strndup(text, len);
        if (copy == NULL)
                return nvct_error_make(err, ENOMEM, "cannot copy the edited text");
        *ret_data = copy;
        *ret_len = len;
        return 0;
}

static int set_version(nvct_toml_edit *e, int version, nvct_error **err) {
        const char *path[] = { "version" };
        char text[4] = { (char)('0' + version), '\0' };
        return nvct_toml_edit_set(e, path, 1, text, err);
}

/* The runtime whose table the new one starts from, in `src` (a document
 * root): the default runtime, else runc, else crun; NULL when none is a
 * table. The new runtime itself never counts. */
static const nvct_toml_value *source_runtime(nvct_toml_edit *src, const char *plugin,
                                             const char *name, const char **ret_from) {
        const char *dpath[] = { "plugins", plugin, "containerd", "default_runtime_name" };
        const char *rpath[] = { "plugins", plugin, "containerd", "runtimes" };
        return nvct_engine_source_runtime(src, dpath, ARRAY_SIZE(dpath), rpath, ARRAY_SIZE(rpath),
                                          name, ret_from);
}

static bool has_runtimes(nvct_toml_edit *e, const char *plugin) {
        const char *rts[] = { "plugins", plugin, "containerd", "runtimes" };
        const nvct_toml_value *have = nvct_toml_edit_get(e, rts, 4);
        return have != NULL && nvct_toml_type_of(have) == NVCT_TOML_TABLE &&
               nvct_toml_table_size(have) > 0;
}

/* containerd 1.x decodes the CRI table over its defaults, but a runtimes
 * table it finds there replaces the default one: a file whose only runtime
 * is nvct's loses runc, and with default_runtime_name still "runc" the CRI
 * plugin does not start (checked with config dump). So a file that gets its
 * first runtime also gets the runtimes containerd had: the source's (the
 * dump's) when there is one, else the built-in runc. */
static int keep_runtimes(nvct_toml_edit *e, const char *plugin, nvct_toml_edit *src,
                         const char *src_plugin, const char *name, nvct_error **err) {
        const char *rt[] = { "plugins", plugin, "containerd", "runtimes", NULL, "runtime_type" };
        if (has_runtimes(e, plugin))
                return 0;
        const char *srts[] = { "plugins", src_plugin, "containerd", "runtimes" };
        const nvct_toml_value *theirs = src ? nvct_toml_edit_get(src, srts, 4) : NULL;
        if (theirs != NULL && nvct_toml_type_of(theirs) == NVCT_TOML_TABLE) {
                for (size_t i = 0; i < nvct_toml_table_size(theirs); i++) {
                        size_t klen = 0;
                        const nvct_toml_value *t = nvct_toml_table_value(theirs, i);
                        rt[4] = nvct_toml_table_key(theirs, i, &klen);
                        if (strlen(rt[4]) != klen || strcmp(rt[4], name) == 0 ||
                            nvct_toml_type_of(t) != NVCT_TOML_TABLE)
                                continue;
                        if (nvct_toml_copy_into(e, rt, 5, t, err) < 0)
                                return -1;
                }
                if (has_runtimes(e, plugin))
                        return 0;
        }
        rt[4] = "runc";
        return strcmp(name, "runc") == 0 ? 0 : nvct_toml_edit_set(e, rt, 6, RUNC_V2, err);
}

/* The CRI plugin's own keys: enable_cdi, default_runtime_name. Set before
 * the runtime's, so that a new file lists parent tables first. */
static int set_plugin_keys(nvct_toml_edit *e, int version, const nvct_containerd_options *opts,
                           nvct_error **err) {
        const char *plugin = cri_plugin(version);
        const char *cdi[] = { "plugins", plugin, "enable_cdi" };
        if (opts->enable_cdi && nvct_toml_edit_set(e, cdi, 3, "true", err) < 0)
                return -1;
        const char *def[] = { "plugins", plugin, "containerd", "default_runtime_name" };
        if (opts->set_as_default &&
            nvct_toml_edit_set_string(e, def, 4, opts->runtime_name, err) < 0)
                return -1;
        return 0;
}

/* The runtime's own keys: runtime_type and the binary. */
static int set_runtime(nvct_toml_edit *e, int version, const nvct_containerd_options *opts,
                       nvct_error **err) {
        const char *plugin = cri_plugin(version);
        const char *rt[] = { "plugins",          plugin,    "containerd", "runtimes",
                             opts->runtime_name, "options", "BinaryName" };
        const char *type[] = { "plugins",          plugin,        "containerd", "runtimes",
                               opts->runtime_name, "runtime_type" };
        if (nvct_toml_edit_set(e, type, 6, RUNC_V2, err) < 0 ||
            nvct_toml_edit_set_string(e, rt, 7, opts->runtime_path, err) < 0)
                return -1;
        /* Version 1's runtimes may still be io.containerd.runtime.v1.linux
         * ones, whose options name the binary Runtime. */
        rt[6] = "Runtime";
        if (version == 1 && nvct_toml_edit_set_string(e, rt, 7, opts->runtime_path, err) < 0)
                return -1;
        return 0;
}

/* The source document of --config-source=command (opts->source_data), its
 * version in *ret_version; *ret NULL without one. A file with no keys takes
 * the source's version: containerd 2.x dumps version 3. */
static int parse_source(const nvct_containerd_options *opts, nvct_toml_edit **ret, int *ret_version,
                        nvct_error **err) {
        *ret = NULL;
        if (opts->source_data == NULL)
                return 0;
        const char *name = opts->source_name ? opts->source_name : "containerd config dump";
        return parse(opts->source_data, opts->source_len, name, ret, ret_version, err);
}

/* The version of the file being edited: its own, or when it has no keys the
 * source's (when there is one). */
static int edited_version(nvct_toml_edit *e, int version, nvct_toml_edit *src, int src_version) {
        bool empty = nvct_toml_table_size(nvct_toml_edit_get(e, NULL, 0)) == 0;
        return empty && src != NULL ? src_version : version;
}

int nvct_containerd_configure(const char *data, size_t len, const char *name,
                              const nvct_containerd_options *opts, char **ret_data, size_t *ret_len,
                              nvct_error **err) {
        _cleanup_toml_edit_ nvct_toml_edit *e = NULL, *src = NULL;
        int version = 0, src_version = 0;
        if (parse(data, len, name, &e, &version, err) < 0 ||
            parse_source(opts, &src, &src_version, err) < 0)
                return -1;
        version = edited_version(e, version, src, src_version);
        if (set_version(e, version, err) < 0)
                return -1;
        const char *plugin = cri_plugin(version);
        if (set_plugin_keys(e, version, opts, err) < 0 ||
            keep_runtimes(e, plugin, src, cri_plugin(src_version), opts->runtime_name, err) < 0)
                return -1;
        const char *to[] = { "plugins", plugin, "containerd", "runtimes", opts->runtime_name };
        const char *from_name = NULL;
        if (nvct_toml_edit_get(e, to, 5) != NULL)
                return set_runtime(e, version, opts, err) < 0
                               ? -1
                               : take_text(e, ret_data, ret_len, err);
        if (src != NULL) {
                /* From the engine's own view, under its version's plugin name. */
                const nvct_toml_value *from = source_runtime(src, cri_plugin(src_version),
                                                             opts->runtime_name, &from_name);
                /* nvct's keys first, as in a drop-in (see there). */
                if (from != NULL && (set_runtime(e, version, opts, err) < 0 ||
                                     nvct_toml_copy_into(e, to, 5, from, err) < 0))
                        return -1;
        } else if (source_runtime(e, plugin, opts->runtime_name, &from_name) != NULL) {
                /* from_name may point into the tree, which every edit replaces. */
                _cleanup_free_ char *name_copy = strdup(from_name);
                if (name_copy == NULL)
                        return nvct_error_make(err, ENOMEM, "cannot copy a runtime name");
                const char *from[] = { "plugins", plugin, "containerd", "runtimes", name_copy };
                if (nvct_toml_edit_copy_table(e, from, 5, to, 5, err) < 0)
                        return -1;
        }
        if (set_runtime(e, version, opts, err) < 0)
                return -1;
        return take_text(e, ret_data, ret_len, err);
}

/* "DIR/ *.toml" for the drop-in's directory (the pattern NVIDIA imports). */
static char *import_pattern(const char *drop_path) {
        const char *slash = strrchr(drop_path, '/');
        char *p = NULL;
        if (slash == NULL)
                return strdup("*.toml");
        if (asprintf(&p, "%.*s/*.toml", (int)(slash - drop_path), drop_path) < 0)
                return NULL;
        return p;
}

/* Skips the string that starts at text[i] (basic or literal, one line or
 * multi-line) and returns the index after it; len when it does not end. */
static size_t skip_string(const char *text, size_t len, size_t i) {
        char q = text[i];
        bool multi = i + 2 < len && text[i + 1] == q && text[i + 2] == q;
        for (i += multi ? 3 : 1; i < len; i++) {
                if (q == '"' && text[i] == '\\') {
                        i++;
                        continue;
                }
                if (text[i] != q)
                        continue;
                if (!multi)
                        return i + 1;
                if (i + 2 < len && text[i + 1] == q && text[i + 2] == q) {
                        /* A multi-line string may end in up to two more quotes. */
                        for (i += 3; i < len && text[i] == q;)
                                i++;
                        return i;
                }
        }
        return len;
}

/* At text[i], a bare `imports` key followed by '=' and '[': the index of
 * that '[', else 0. */
static size_t imports_open(const char *text, size_t len, size_t i) {
        if (len - i < 8 || strncmp(text + i, "imports", 7) != 0)
                return 0;
        size_t j = i + 7;
        j += strspn(text + j, " \t");
        if (j >= len || text[j] != '=')
                return 0;
        j++;
        j += strspn(text + j, " \t");
        return j < len && text[j] == '[' ? j : 0;
}

/* The span of the root table's `imports = [...]` in a valid document (NUL-
 * terminated): *ret_open at its '[', *ret_close at its ']'; false when it
 * is written some other way (a quoted key). Root keys come before the
 * first header. */
static bool find_imports(const char *text, size_t len, size_t *ret_open, size_t *ret_close) {
        bool line_start = true;
        int depth = 0;
        size_t open = 0;
        for (size_t i = 0; i < len; i++) {
                char ch = text[i];
                if (ch == '\n')
                        line_start = true;
                if (ch == '\n' || ch == ' ' || ch == '\t' || ch == '\r')
                        continue;
                bool at_start = line_start;
                line_start = false;
                if (ch == '#') {
                        i += strcspn(text + i, "\n") - 1;
                } else if (ch == '"' || ch == '\'') {
                        i = skip_string(text, len, i) - 1;
                } else if (depth == 0 && at_start && ch == '[') {
                        return false; /* the first header: the root table ended */
                } else if (depth == 0 && at_start && open == 0 &&
                           (open = imports_open(text, len, i)) != 0) {
                        depth = 1;
                        i = open;
                } else if (ch == '[' || ch == '{') {
                        depth++;
                } else if ((ch == ']' || ch == '}') && --depth == 0 && open != 0) {
                        *ret_open = open;
                        *ret_close = i;
                        return true;
                }
        }
        return false;
}

/* The last significant byte (not blank, not in a comment) of the text
 * strictly between from and to; `from` when there is none. */
static size_t last_token(const char *text, size_t from, size_t to) {
        size_t last = from;
        for (size_t i = from + 1; i < to; i++) {
                char ch = text[i];
                if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
                        continue;
                if (ch == '#') {
                        while (i + 1 < to && text[i + 1] != '\n')
                                i++;
                        continue;
                }
                if (ch == '"' || ch == '\'')
                        i = skip_string(text, to, i) - 1;
                last = i;
        }
        return last;
}

/* The main file's text with `item` (TOML text) appended to its imports
 * array in place, so that the other items, the layout and the comments
 * inside the array stay: on a line of its own, indented as the last item,
 * when the array spans lines; else after the last item. -ENOENT when the
 * array is not written as `imports = [`. */
static int splice_import(const char *text, size_t len, const char *item, char **ret) {
        size_t open = 0, close = 0;
        if (!find_imports(text, len, &open, &close))
                return -ENOENT;
        size_t last = last_token(text, open, close);
        const char *nl = memchr(text + last, '\n', close - last);
        const char *comma = text[last] == ',' ? "" : ",";
        int r;
        if (last == open) {
                r = asprintf(ret, "%.*s%s%s", (int)(open + 1), text, item, text + open + 1);
        } else if (nl == NULL) {
                r = asprintf(ret, "%.*s%s %s%s", (int)(last + 1), text, comma, item,
                             text + last + 1);
        } else {
                size_t line = last;
                while (line > 0 && text[line - 1] != '\n')
                        line--;
                size_t indent = strspn(text + line, " \t");
                size_t after = (size_t)(nl - text) + 1;
                r = asprintf(ret, "%.*s%s%.*s%.*s%s%s\n%s", (int)(last + 1), text, comma,
                             (int)(after - last - 1), text + last + 1, (int)indent, text + line,
                             item, text[last] == ',' ? "," : "", text + after);
        }
        return r < 0 ? -ENOMEM : 0;
}

/* The spliced text, checked: it decodes, imports grew by exactly `pattern`
 * at its end, and the root keeps its number of keys. */
static int check_spliced(nvct_toml_edit *m, const char *text, const char *main_name, size_t n,
                         const char *pattern, nvct_error **err) {
        _cleanup_toml_ nvct_toml_value *root = NULL;
        _cleanup_free_ char *q = nvct_quote_path(main_name ? main_name : "<input>");
        if (nvct_toml_parse(text, strlen(text), main_name, &root, err) < 0)
                return nvct_error_prefix(err, "appending to imports");
        const nvct_toml_value *now = nvct_toml_table_get(root, "imports");
        const nvct_toml_value *last = now && nvct_toml_type_of(now) == NVCT_TOML_ARRAY &&
                                                      nvct_toml_array_size(now) == n + 1
                                              ? nvct_toml_array_get(now, n)
                                              : NULL;
        if (last == NULL || nvct_toml_type_of(last) != NVCT_TOML_STRING ||
            strcmp(nvct_toml_string(last, NULL), pattern) != 0 ||
            nvct_toml_table_size(root) != nvct_toml_table_size(nvct_toml_edit_get(m, NULL, 0)))
                return nvct_error_make(err, 0, "%s: cannot append to imports", nvct_quoted(q));
        return 0;
}

/* Appends `pattern` to the main file's imports unless it (or the drop-in
 * itself) is there; the imports it has stay, in their order. */
static int ensure_import(nvct_toml_edit *m, int version, const char *main_name,
                         const char *drop_path, char **ret_text, nvct_error **err) {
        const char *path[] = { "imports" };
        _cleanup_free_ char *pattern = import_pattern(drop_path);
        _cleanup_free_ char *q = nvct_quote_path(main_name ? main_name : "<input>");
        size_t len = 0;
        if (pattern == NULL)
                return nvct_error_make(err, ENOMEM, "cannot make the imports pattern");
        const nvct_toml_value *root = nvct_toml_edit_get(m, NULL, 0);
        const nvct_toml_value *imports = nvct_toml_edit_get(m, path, 1);
        if (imports != NULL && nvct_toml_type_of(imports) != NVCT_TOML_ARRAY)
                return nvct_error_make(err, 0, "%s: imports is a %s, not an array", nvct_quoted(q),
                                       nvct_toml_type_name(nvct_toml_type_of(imports)));
        if (nvct_toml_table_size(root) == 0 && set_version(m, version, err) < 0)
                return -1;
        size_t n = imports ? nvct_toml_array_size(imports) : 0;
        bool present = false;
        for (size_t i = 0; i < n; i++) {
                const nvct_toml_value *item = nvct_toml_array_get(imports, i);
                if (nvct_toml_type_of(item) != NVCT_TOML_STRING)
                        return nvct_error_make(err, 0, "%s: imports[%zu] is not a string",
                                               nvct_quoted(q), i);
                const char *s = nvct_toml_string(item, NULL);
                present = present || strcmp(s, pattern) == 0 || strcmp(s, drop_path) == 0;
        }
        _cleanup_free_ char *item = nvct_toml_string_text(pattern, strlen(pattern)), *text = NULL,
                            *value = NULL;
        if (item == NULL)
                return nvct_error_make(err, ENOMEM, "cannot write imports");
        if (!present && imports != NULL) {
                const char *old = nvct_toml_edit_text(m, &len);
                int r = splice_import(old, len, item, &text);
                if (r == -ENOMEM)
                        return nvct_error_make(err, ENOMEM, "cannot write imports");
                if (r == 0) {
                        if (check_spliced(m, text, main_name, n, pattern, err) < 0)
                                return -1;
                        *ret_text = TAKE_PTR(text);
                        return 0;
                }
        }
        if (!present) {
                /* No array yet, or one written some other way: written whole. */
                _cleanup_free_ char *all = NULL;
                if (imports != NULL && nvct_toml_value_text(imports, &all, err) < 0)
                        return -1;
                int r = n > 0 ? asprintf(&value, "%.*s, %s]", (int)strlen(all) - 1, all, item)
                              : asprintf(&value, "[%s]", item);
                if (r < 0)
                        return nvct_error_make(err, ENOMEM, "cannot write imports");
                if (nvct_toml_edit_set(m, path, 1, value, err) < 0)
                        return -1;
        }
        const char *now = nvct_toml_edit_text(m, &len);
        if ((*ret_text = strndup(now, len)) == NULL)
                return nvct_error_make(err, ENOMEM, "cannot copy the edited text");
        return 0;
}

int nvct_containerd_configure_drop_in(const char *main_data, size_t main_len, const char *main_name,
                                      const char *drop_data, size_t drop_len, const char *drop_path,
                                      const nvct_containerd_options *opts, char **ret_main,
                                      size_t *ret_main_len, char **ret_drop, size_t *ret_drop_len,
                                      nvct_error **err) {
        _cleanup_toml_edit_ nvct_toml_edit *m = NULL, *d = NULL, *src = NULL;
        _cleanup_free_ char *main_text = NULL;
        int version = 0, src_version = 0;
        if (parse(main_data, main_len, main_name, &m, &version, err) < 0 ||
            parse(drop_data, drop_len, drop_path, &d, NULL, err) < 0 ||
            parse_source(opts, &src, &src_version, err) < 0)
                return -1;
        version = edited_version(m, version, src, src_version);
        if (set_version(d, version, err) < 0)
                return -1;
        const char *plugin = cri_plugin(version);
        const char *section[] = { "plugins", plugin };
        const nvct_toml_value *main_section = nvct_toml_edit_get(m, section, 2);
        /* containerd 1.x replaces a plugin's whole table with an import's:
         * see containerd.h. */
        if (version < 3 && main_section != NULL &&
            nvct_toml_type_of(main_section) == NVCT_TOML_TABLE &&
            nvct_toml_copy_into(d, section, 2, main_section, err) < 0)
                return -1;
        /* Version 3: the drop-in's runtimes are merged into the main
         * file's, which keep runc when they have any. */
        if (set_plugin_keys(d, version, opts, err) < 0)
                return -1;
        if ((version < 3 || !has_runtimes(m, plugin)) &&
            keep_runtimes(d, plugin, src, cri_plugin(src_version), opts->runtime_name, err) < 0)
                return -1;
        const char *to[] = { "plugins", plugin, "containerd", "runtimes", opts->runtime_name };
        const char *from_name = NULL;
        const nvct_toml_value *from =
                src ? source_runtime(src, cri_plugin(src_version), opts->runtime_name, &from_name)
                    : source_runtime(m, plugin, opts->runtime_name, &from_name);
        /* nvct's keys first, so that a new drop-in lists parents before
         * children; set again after the copy, which may replace BinaryName. */
        if (nvct_toml_edit_get(d, to, 5) == NULL && from != NULL &&
            (set_runtime(d, version, opts, err) < 0 ||
             nvct_toml_copy_into(d, to, 5, from, err) < 0))
                return -1;
        if (set_runtime(d, version, opts, err) < 0 ||
            ensure_import(m, version, main_name, drop_path, &main_text, err) < 0 ||
            take_text(d, ret_drop, ret_drop_len, err) < 0)
                return -1;
        *ret_main = TAKE_PTR(main_text);
        *ret_main_len = strlen(*ret_main);
        return 0;
}
