/* SPDX-License-Identifier: Apache-2.0 */
/* The writer: one walk of the model drives either yajl's generator (JSON)
 * or libyaml's emitter (YAML). Keys in the spec's order, empty optional
 * lists left out (except a hook's env), a trailing newline: the same spec
 * gives the same bytes. */
#define _GNU_SOURCE
#include "write.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_gen.h>
#include <yaml.h>

#include "internal.h"
#include "version.h"
#include "basic/buf.h"
#include "basic/cleanup.h"

/* One walk of the model drives either back end; the first failure stops
 * the rest (every call is then a no-op). */
typedef struct emitter {
        nvct_cdi_format format;
        bool failed;
        const char *problem;
        yajl_gen gen;
        yaml_emitter_t yaml;
        nvct_buf out; /* YAML output */
} emitter;

static int yaml_output(void *data, unsigned char *buffer, size_t size) {
        emitter *e = data;
        return nvct_buf_append(&e->out, buffer, size) == 0;
}

static void yaml_emit(emitter *e, yaml_event_t *ev, int initialized) {
        if (!initialized) {
                e->failed = true;
                e->problem = "cannot make a YAML event";
                return;
        }
        /* yaml_emitter_emit takes the event, also when it fails. */
        if (!yaml_emitter_emit(&e->yaml, ev)) {
                e->failed = true;
                e->problem = e->yaml.problem ? e->yaml.problem : "YAML emitter error";
        }
}

static void gen_check(emitter *e, yajl_gen_status s) {
        if (s != yajl_gen_status_ok) {
                e->failed = true;
                e->problem =
                        s == yajl_gen_invalid_string ? "invalid UTF-8" : "JSON generator error";
        }
}

static void emit_map_open(emitter *e) {
        if (e->failed)
                return;
        if (e->format == NVCT_CDI_JSON) {
                gen_check(e, yajl_gen_map_open(e->gen));
                return;
        }
        yaml_event_t ev;
        yaml_emit(
                e, &ev,
                yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void emit_map_close(emitter *e) {
        if (e->failed)
                return;
        if (e->format == NVCT_CDI_JSON) {
                gen_check(e, yajl_gen_map_close(e->gen));
                return;
        }
        yaml_event_t ev;
        yaml_emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void emit_list_open(emitter *e) {
        if (e->failed)
                return;
        if (e->format == NVCT_CDI_JSON) {
                gen_check(e, yajl_gen_array_open(e->gen));
                return;
        }
        yaml_event_t ev;
        yaml_emit(e, &ev,
                  yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                       YAML_BLOCK_SEQUENCE_STYLE));
}

static void emit_list_close(emitter *e) {
        if (e->failed)
                return;
        if (e->format == NVCT_CDI_JSON) {
                gen_check(e, yajl_gen_array_close(e->gen));
                return;
        }
        yaml_event_t ev;
        yaml_emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

static bool ascii_equal_fold(const char *s, size_t len, const char *word) {
        return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* Whether a string can be a plain YAML scalar and still read back as that
 * string under every common resolver (YAML 1.1 and 1.2): it starts with a
 * letter, '_' or '/' (or "-" then a letter or '-': "--folder"), so that it
 * is no number, date, null or indicator; it holds only characters that are
 * never syntax inside a plain scalar; it is no YAML 1.1 boolean or null
 * word. Anything else is double-quoted: a device named "0" stays a string. */
static bool yaml_plain_ok(const char *s, size_t len) {
        static const char *const words[] = { "y",   "n",    "yes",   "no",  "on",
                                             "off", "true", "false", "null" };
        if (len == 0)
                return false;
        size_t i = 0;
        if (s[0] == '-') {
                if (len < 2 ||
                    !(cdi_is_alpha(s[1]) || (s[1] == '-' && len > 2 && cdi_is_alpha(s[2]))))
                        return false;
        } else if (!cdi_is_alpha(s[0]) && s[0] != '_' && s[0] != '/') {
                return false;
        }
        for (; i < len; i++) {
                char c = s[i];
                if (!cdi_is_alnum(c) && strchr("_/.=:+@%-", c) == NULL)
                        return false;
        }
        if (s[len - 1] == ':')
                return false;
        for (size_t k = 0; k < ARRAY_SIZE(words); k++)
                if (ascii_equal_fold(s, len, words[k]))
                        return false;
        return true;
}

static void emit_scalar(emitter *e, const char *s, size_t len, bool is_string) {
        if (e->failed)
                return;
        if (e->format == NVCT_CDI_JSON) {
                if (is_string)
                        gen_check(e, yajl_gen_string(e->gen, (const unsigned char *)s, len));
                else
                        gen_check(e, yajl_gen_number(e->gen, s, len));
                return;
        }
        if (len > INT_MAX) {
                e->failed = true;
                e->problem = "a string too long for libyaml";
                return;
        }
        yaml_scalar_style_t style = !is_string || yaml_plain_ok(s, len)
                                            ? YAML_PLAIN_SCALAR_STYLE
                                            : YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        yaml_event_t ev;
        yaml_emit(e, &ev,
                  yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s, (int)len, 1,
                                               1, style));
}

static void emit_string(emitter *e, const char *s) {
        emit_scalar(e, s, strlen(s), true);
}

static void emit_int(emitter *e, int64_t v) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%" PRId64, v);
        emit_scalar(e, buf, (size_t)n, false);
}

static void emit_string_field(emitter *e, const char *key, const char *value) {
        emit_string(e, key);
        emit_string(e, value);
}

static void emit_strings(emitter *e, const char *key, char *const *v, size_t n, bool always) {
        if (n == 0 && !always)
                return;
        emit_string(e, key);
        emit_list_open(e);
        for (size_t i = 0; i < n; i++)
                emit_string(e, v[i]);
        emit_list_close(e);
}

static void emit_annotations(emitter *e, const nvct_cdi_annotation *a, size_t n) {
        if (n == 0)
                return;
        emit_string(e, "annotations");
        emit_map_open(e);
        for (size_t i = 0; i < n; i++)
                emit_string_field(e, a[i].key, a[i].value);
        emit_map_close(e);
}

static void emit_edits(emitter *e, const nvct_cdi_edits *ed) {
        emit_map_open(e);
        emit_strings(e, "env", ed->env, ed->n_env, false);
        if (ed->n_device_nodes > 0) {
                emit_string(e, "deviceNodes");
                emit_list_open(e);
                for (size_t i = 0; i < ed->n_device_nodes; i++) {
                        const nvct_cdi_device_node *d = &ed->device_nodes[i];
                        emit_map_open(e);
                        emit_string_field(e, "path", d->path);
                        if (d->host_path != NULL)
                                emit_string_field(e, "hostPath", d->host_path);
                        if (d->type != NULL)
                                emit_string_field(e, "type", d->type);
                        if (d->has_major_minor) {
                                emit_string(e, "major");
                                emit_int(e, d->major);
                                emit_string(e, "minor");
                                emit_int(e, d->minor);
                        }
                        if (d->has_file_mode) {
                                emit_string(e, "fileMode");
                                emit_int(e, d->file_mode);
                        }
                        if (d->permissions != NULL)
                                emit_string_field(e, "permissions", d->permissions);
                        if (d->has_uid) {
                                emit_string(e, "uid");
                                emit_int(e, d->uid);
                        }
                        if (d->has_gid) {
                                emit_string(e, "gid");
                                emit_int(e, d->gid);
                        }
                        emit_map_close(e);
                }
                emit_list_close(e);
        }
        if (ed->n_mounts > 0) {
                emit_string(e, "mounts");
                emit_list_open(e);
                for (size_t i = 0; i < ed->n_mounts; i++) {
                        const nvct_cdi_mount *m = &ed->mounts[i];
                        emit_map_open(e);
                        emit_string_field(e, "hostPath", m->host_path);
                        emit_string_field(e, "containerPath", m->container_path);
                        if (m->type != NULL)
                                emit_string_field(e, "type", m->type);
                        emit_strings(e, "options", m->options, m->n_options, false);
                        emit_map_close(e);
                }
                emit_list_close(e);
        }
        if (ed->n_hooks > 0) {
                emit_string(e, "hooks");
                emit_list_open(e);
                for (size_t i = 0; i < ed->n_hooks; i++) {
                        const nvct_cdi_hook *h = &ed->hooks[i];
                        emit_map_open(e);
                        emit_string_field(e, "hookName", h->hook_name);
                        emit_string_field(e, "path", h->path);
                        emit_strings(e, "args", h->args, h->n_args, false);
                        /* Always, even empty: a hook without "env" would
                         * inherit the runtime's environment. */
                        emit_strings(e, "env", h->env, h->n_env, true);
                        if (h->has_timeout) {
                                emit_string(e, "timeout");
                                emit_int(e, h->timeout);
                        }
                        emit_map_close(e);
                }
                emit_list_close(e);
        }
        if (ed->n_additional_gids > 0) {
                emit_string(e, "additionalGids");
                emit_list_open(e);
                for (size_t i = 0; i < ed->n_additional_gids; i++)
                        emit_int(e, ed->additional_gids[i]);
                emit_list_close(e);
        }
        emit_map_close(e);
}

static void emit_spec(emitter *e, const nvct_cdi_spec *spec, const char *version) {
        emit_map_open(e);
        emit_string_field(e, "cdiVersion", version);
        emit_string_field(e, "kind", spec->kind);
        emit_annotations(e, spec->annotations, spec->n_annotations);
        emit_string(e, "devices");
        emit_list_open(e);
        for (size_t i = 0; i < spec->n_devices; i++) {
                const nvct_cdi_device *d = &spec->devices[i];
                emit_map_open(e);
                emit_string_field(e, "name", d->name);
                emit_annotations(e, d->annotations, d->n_annotations);
                emit_string(e, "containerEdits");
                emit_edits(e, &d->edits);
                emit_map_close(e);
        }
        emit_list_close(e);
        if (!cdi_edits_empty(&spec->edits)) {
                emit_string(e, "containerEdits");
                emit_edits(e, &spec->edits);
        }
        emit_map_close(e);
}

/* yajl's beautifier writes an empty list as "[", a blank line and "]":
 * make it "[]". Strings never hold a raw newline (yajl escapes it), so
 * every "\n" here is layout. */
static size_t collapse_empty(char *s, size_t len) {
        size_t w = 0;
        for (size_t r = 0; r < len;) {
                char c = s[r];
                if ((c == '[' || c == '{') && r + 2 < len && s[r + 1] == '\n' && s[r + 2] == '\n') {
                        size_t k = r + 3;
                        while (k < len && s[k] == ' ')
                                k++;
                        if (k < len && s[k] == (c == '[' ? ']' : '}')) {
                                s[w++] = c;
                                s[w++] = s[k];
                                r = k + 1;
                                continue;
                        }
                }
                s[w++] = s[r++];
        }
        return w;
}

static int write_json(const nvct_cdi_spec *spec, const char *version, char **ret_data,
                      size_t *ret_len, nvct_error **err) {
        emitter e = { .format = NVCT_CDI_JSON };
        e.gen = yajl_gen_alloc(NULL);
        if (e.gen == NULL)
                return cdi_oom(err);
        yajl_gen_config(e.gen, yajl_gen_beautify, 1);
        yajl_gen_config(e.gen, yajl_gen_indent_string, "  ");
        yajl_gen_config(e.gen, yajl_gen_validate_utf8, 1);
        emit_spec(&e, spec, version);
        const unsigned char *buf = NULL;
        size_t len = 0;
        if (!e.failed)
                gen_check(&e, yajl_gen_get_buf(e.gen, &buf, &len));
        char *data = e.failed ? NULL : nvct_memdup0(buf, len);
        yajl_gen_free(e.gen);
        if (e.failed)
                return nvct_error_make(err, 0, "cannot write the CDI spec as JSON: %s", e.problem);
        if (data == NULL)
                return cdi_oom(err);
        len = collapse_empty(data, len);
        data[len] = '\0';
        *ret_data = data;
        *ret_len = len;
        return 0;
}

static int write_yaml(const nvct_cdi_spec *spec, const char *version, char **ret_data,
                      size_t *ret_len, nvct_error **err) {
        emitter e = { .format = NVCT_CDI_YAML };
        if (!yaml_emitter_initialize(&e.yaml))
                return cdi_oom(err);
        yaml_emitter_set_output(&e.yaml, yaml_output, &e);
        yaml_emitter_set_unicode(&e.yaml, 1);
        yaml_emitter_set_indent(&e.yaml, 2);
        /* No folding of long strings across lines. */
        yaml_emitter_set_width(&e.yaml, -1);
        yaml_emitter_set_break(&e.yaml, YAML_LN_BREAK);

        yaml_event_t ev;
        yaml_emit(&e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
        if (!e.failed)
                yaml_emit(&e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
        emit_spec(&e, spec, version);
        if (!e.failed)
                yaml_emit(&e, &ev, yaml_document_end_event_initialize(&ev, 1));
        if (!e.failed)
                yaml_emit(&e, &ev, yaml_stream_end_event_initialize(&ev));
        if (!e.failed && !yaml_emitter_flush(&e.yaml)) {
                e.failed = true;
                e.problem = "cannot flush";
        }
        yaml_emitter_delete(&e.yaml);
        if (e.failed) {
                nvct_buf_clear(&e.out);
                return nvct_error_make(err, 0, "cannot write the CDI spec as YAML: %s", e.problem);
        }
        if (e.out.data == NULL && nvct_buf_append(&e.out, NULL, 0) < 0)
                return cdi_oom(err);
        *ret_data = TAKE_PTR(e.out.data);
        *ret_len = e.out.len;
        return 0;
}

int nvct_cdi_spec_write(const nvct_cdi_spec *spec, nvct_cdi_format format, char **ret_data,
                        size_t *ret_len, nvct_error **err) {
        if (format != NVCT_CDI_JSON && format != NVCT_CDI_YAML)
                return nvct_error_make(err, 0, "unknown CDI spec format %d", (int)format);
        const char *version = spec->version ? spec->version : nvct_cdi_minimum_version(spec);
        if (cdi_validate(spec, version, NULL, err) < 0)
                return nvct_error_prefix(err, "invalid CDI spec");
        if (format == NVCT_CDI_JSON)
                return write_json(spec, version, ret_data, ret_len, err);
        return write_yaml(spec, version, ret_data, ret_len, err);
}
