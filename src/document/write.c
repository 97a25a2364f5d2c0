/* SPDX-License-Identifier: Apache-2.0 */
/* Writing a document: JSON through yajl_gen (numbers from their kept text),
 * YAML through libyaml's emitter. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_gen.h>
#include <yaml.h>

#include "basic/buf.h"
#include "basic/cleanup.h"
#include "basic/utf8.h"
#include "document.h"
#include "internal.h"

/* ---- JSON ---- */

static yajl_gen_status json_scalar(yajl_gen g, const nvct_document_node *n) {
        switch ((nvct_document_kind)n->kind) {
        case NVCT_DOCUMENT_NULL:
                return yajl_gen_null(g);
        case NVCT_DOCUMENT_BOOL:
                return yajl_gen_bool(g, nvct_document_bool(n));
        case NVCT_DOCUMENT_NUMBER:
                return yajl_gen_number(g, n->text, n->len);
        default:
                return yajl_gen_string(g, (const unsigned char *)n->text, n->len);
        }
}

static yajl_gen_status json_node(yajl_gen g, const nvct_document_node *n) {
        if (!is_container(n))
                return json_scalar(g, n);
        bool object = n->kind == NVCT_DOCUMENT_OBJECT;
        yajl_gen_status s = object ? yajl_gen_map_open(g) : yajl_gen_array_open(g);
        size_t count = container_size(n);
        for (size_t i = 0; s == yajl_gen_status_ok && i < count; i++) {
                if (object) {
                        const member *m = &block_members(n->block)[i];
                        s = yajl_gen_string(g, (const unsigned char *)m->key, m->key_len);
                        if (s == yajl_gen_status_ok)
                                s = json_node(g, &m->value);
                } else {
                        s = json_node(g, &block_items(n->block)[i]);
                }
        }
        if (s != yajl_gen_status_ok)
                return s;
        return object ? yajl_gen_map_close(g) : yajl_gen_array_close(g);
}

static int write_json(const nvct_document_node *root, unsigned flags, char **ret_data,
                      size_t *ret_len, nvct_error **err) {
        yajl_gen g = yajl_gen_alloc(NULL);
        if (g == NULL)
                return nvct_error_make(err, 0, "out of memory");
        if (flags & NVCT_DOCUMENT_INDENT)
                yajl_gen_config(g, yajl_gen_beautify, 1);
        /* Bytes as they are: Go mode keeps text that is not UTF-8. */
        yajl_gen_config(g, yajl_gen_validate_utf8, 0);
        yajl_gen_status s = json_node(g, root);
        int r = 0;
        if (s == yajl_max_depth_exceeded) {
                r = nvct_error_make(err, 0, "cannot write JSON nested deeper than %d levels",
                                    NVCT_DOCUMENT_MAX_WRITE_DEPTH);
        } else if (s != yajl_gen_status_ok) {
                r = nvct_error_make(err, s == yajl_gen_generation_complete ? 0 : ENOMEM,
                                    "cannot write JSON (yajl_gen status %d)", (int)s);
        } else {
                const unsigned char *buf;
                size_t len;
                yajl_gen_get_buf(g, &buf, &len);
                char *copy = malloc(len + 1);
                if (copy == NULL) {
                        r = nvct_error_make(err, 0, "out of memory");
                } else {
                        memcpy(copy, buf, len);
                        copy[len] = '\0';
                        *ret_data = copy;
                        *ret_len = len;
                }
        }
        yajl_gen_free(g);
        return r;
}

/* JSON laid out as Go's json.MarshalIndent(v, "", indent) lays it out:
 * every member and item on a line of its own, indented by `indent` per
 * level, "key": value, empty objects and arrays as {} and []. Written by
 * hand rather than with yajl_gen's beautify, which puts a blank line inside
 * an empty container and only knows one layout. Strings are escaped as
 * yajl_gen escapes them, so that the compact and indented forms agree. */
static int indent_string(nvct_buf *b, const char *s, size_t len) {
        static const char hex[] = "0123456789abcdef";
        int r = nvct_buf_append(b, "\"", 1);
        size_t run = 0;
        for (size_t i = 0; r == 0 && i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                char esc[6] = { '\\', 0 };
                size_t n = 2;
                switch (c) {
                case '"':
                        esc[1] = '"';
                        break;
                case '\\':
                        esc[1] = '\\';
                        break;
                case '\b':
                        esc[1] = 'b';
                        break;
                case '\f':
                        esc[1] = 'f';
                        break;
                case '\n':
                        esc[1] = 'n';
                        break;
                case '\r':
                        esc[1] = 'r';
                        break;
                case '\t':
                        esc[1] = 't';
                        break;
                default:
                        if (c >= 0x20)
                                continue;
                        memcpy(esc, "\\u00", 4);
                        esc[4] = hex[c >> 4];
                        esc[5] = hex[c & 15];
                        n = 6;
                }
                r = nvct_buf_append(b, s + run, i - run);
                if (r == 0)
                        r = nvct_buf_append(b, esc, n);
                run = i + 1;
        }
        if (r == 0)
                r = nvct_buf_append(b, s + run, len - run);
        return r == 0 ? nvct_buf_append(b, "\"", 1) : r;
}

static int indent_line(nvct_buf *b, const char *indent, size_t depth) {
        int r = nvct_buf_append(b, "\n", 1);
        for (size_t i = 0; r == 0 && i < depth; i++)
                r = nvct_buf_append(b, indent, strlen(indent));
        return r;
}

/* -1: out of memory; -2: nested too deeply. */
static int indent_node(nvct_buf *b, const nvct_document_node *n, const char *indent, size_t depth) {
        switch ((nvct_document_kind)n->kind) {
        case NVCT_DOCUMENT_NULL:
                return nvct_buf_append(b, "null", 4);
        case NVCT_DOCUMENT_BOOL:
                return nvct_document_bool(n) ? nvct_buf_append(b, "true", 4)
                                             : nvct_buf_append(b, "false", 5);
        case NVCT_DOCUMENT_NUMBER:
                return nvct_buf_append(b, n->text, n->len);
        case NVCT_DOCUMENT_STRING:
                return indent_string(b, n->text, n->len);
        default:
                break;
        }
        if (depth >= NVCT_DOCUMENT_MAX_WRITE_DEPTH)
                return -2;
        bool object = n->kind == NVCT_DOCUMENT_OBJECT;
        size_t count = container_size(n);
        int r = nvct_buf_append(b, object ? "{" : "[", 1);
        for (size_t i = 0; r == 0 && i < count; i++) {
                if (i > 0)
                        r = nvct_buf_append(b, ",", 1);
                if (r == 0)
                        r = indent_line(b, indent, depth + 1);
                if (r == 0 && object) {
                        const member *m = &block_members(n->block)[i];
                        r = indent_string(b, m->key, m->key_len);
                        if (r == 0)
                                r = nvct_buf_append(b, ": ", 2);
                        if (r == 0)
                                r = indent_node(b, &m->value, indent, depth + 1);
                } else if (r == 0) {
                        r = indent_node(b, &block_items(n->block)[i], indent, depth + 1);
                }
        }
        if (r == 0 && count > 0)
                r = indent_line(b, indent, depth);
        return r == 0 ? nvct_buf_append(b, object ? "}" : "]", 1) : r;
}

int nvct_document_write_json_indent(const nvct_document_node *root, const char *indent,
                                    char **ret_data, size_t *ret_len, nvct_error **err) {
        if (root == NULL)
                return nvct_error_make(err, 0, "no document to write");
        if (indent == NULL)
                return write_json(root, 0, ret_data, ret_len, err);
        nvct_buf b = { 0 };
        int r = indent_node(&b, root, indent, 0);
        if (r == 0 && b.data == NULL)
                r = nvct_buf_append(&b, NULL, 0);
        if (r < 0) {
                nvct_buf_clear(&b);
                if (r == -2)
                        return nvct_error_make(err, 0,
                                               "cannot write JSON nested deeper than %d levels",
                                               NVCT_DOCUMENT_MAX_WRITE_DEPTH);
                return nvct_error_make(err, ENOMEM, "cannot write JSON");
        }
        *ret_data = b.data;
        *ret_len = b.len;
        return 0;
}

/* ---- YAML ---- */

typedef struct emitter {
        yaml_emitter_t yaml;
        nvct_buf out;
        bool failed;
        const char *problem;
} emitter;

static int yaml_output(void *data, unsigned char *buffer, size_t size) {
        emitter *e = data;
        return nvct_buf_append(&e->out, buffer, size) == 0;
}

static void yaml_emit(emitter *e, yaml_event_t *ev, int initialized) {
        if (e->failed)
                return;
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

static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c) {
        return is_alpha(c) || (c >= '0' && c <= '9');
}

/* Whether a string can be written plain and still read back as that string
 * under every common resolver (YAML 1.1 and 1.2), the CDI writer's rule: it
 * starts with a letter, '_' or '/' (or "-" then a letter, or "--" then a
 * letter), holds only characters that are never syntax in a plain scalar,
 * does not end in ':', and is no YAML 1.1 boolean or null word. */
static bool plain_ok(const char *s, size_t len) {
        static const char *const words[] = { "y",   "n",    "yes",   "no",  "on",
                                             "off", "true", "false", "null" };
        if (len == 0)
                return false;
        if (s[0] == '-') {
                if (len < 2 || !(is_alpha(s[1]) || (s[1] == '-' && len > 2 && is_alpha(s[2]))))
                        return false;
        } else if (!is_alpha(s[0]) && s[0] != '_' && s[0] != '/') {
                return false;
        }
        for (size_t i = 0; i < len; i++)
                if (!is_alnum(s[i]) && strchr("_/.=:+@%-", s[i]) == NULL)
                        return false;
        if (s[len - 1] == ':')
                return false;
        for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
                if (strlen(words[k]) == len && strncasecmp(s, words[k], len) == 0)
                        return false;
        return true;
}

/* Whether a string that was a plain scalar can be written plain again: a
 * subset of what libyaml's emitter writes plain in block context (printable
 * ASCII, no leading or trailing space, no indicator first, no "...", no ": "
 * or " #", no flow indicator, not ending in ':'). Writing only what libyaml
 * surely writes plain keeps the output a fixed point: a plain string read
 * back is plain again, and one written quoted reads back quoted. */
static bool plain_again(const char *s, size_t len) {
        if (len == 0 || s[0] == ' ' || s[len - 1] == ' ' || s[len - 1] == ':')
                return false;
        if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) != NULL)
                return false;
        if (len >= 3 && memcmp(s, "...", 3) == 0)
                return false;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < 0x20 || s[i] > 0x7e || strchr(",[]{}", s[i]) != NULL)
                        return false;
                if (i + 1 < len &&
                    ((s[i] == ':' && s[i + 1] == ' ') || (s[i] == ' ' && s[i + 1] == '#')))
                        return false;
        }
        return true;
}

static void yaml_text(emitter *e, const char *s, size_t len, bool plain) {
        if (e->failed)
                return;
        if (len > INT_MAX) {
                e->failed = true;
                e->problem = "a string too long for libyaml";
                return;
        }
        /* libyaml lets a UTF-16 surrogate (Go mode keeps any bytes) through
         * as an escape its own parser refuses: checked here. */
        if (!nvct_utf8_valid(s, len)) {
                e->failed = true;
                e->problem = "text that is not UTF-8";
                return;
        }
        yaml_event_t ev;
        yaml_emit(e, &ev,
                  yaml_scalar_event_initialize(
                          &ev, NULL, NULL, (const yaml_char_t *)s, (int)len, 1, 1,
                          plain ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE));
}

/* A string is written plain when plain_ok says so, or when it was plain and
 * plain_again says so (and it still reads as a string: set_string clears the
 * mark, but be sure); numbers, booleans and null plain, from their text. */
static void yaml_scalar(emitter *e, const nvct_document_node *n) {
        switch ((nvct_document_kind)n->kind) {
        case NVCT_DOCUMENT_NULL:
                if (n->len == 0)
                        yaml_text(e, "null", 4, true);
                else
                        yaml_text(e, n->text, n->len, true);
                return;
        case NVCT_DOCUMENT_BOOL:
        case NVCT_DOCUMENT_NUMBER:
                yaml_text(e, n->text, n->len, true);
                return;
        default:
                yaml_text(e, n->text, n->len,
                          resolve_plain(n->text, n->len, NULL) == NVCT_DOCUMENT_STRING &&
                                  (plain_ok(n->text, n->len) ||
                                   ((n->flags & NODE_PLAIN) && plain_again(n->text, n->len))));
        }
}

static void yaml_node(emitter *e, const nvct_document_node *n) {
        if (!is_container(n)) {
                yaml_scalar(e, n);
                return;
        }
        bool object = n->kind == NVCT_DOCUMENT_OBJECT;
        yaml_event_t ev;
        if (object)
                yaml_emit(e, &ev,
                          yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                              YAML_BLOCK_MAPPING_STYLE));
        else
                yaml_emit(e, &ev,
                          yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                               YAML_BLOCK_SEQUENCE_STYLE));
        size_t count = container_size(n);
        for (size_t i = 0; !e->failed && i < count; i++) {
                if (object) {
                        const member *m = &block_members(n->block)[i];
                        yaml_text(e, m->key, m->key_len, plain_ok(m->key, m->key_len));
                        yaml_node(e, &m->value);
                } else {
                        yaml_node(e, &block_items(n->block)[i]);
                }
        }
        if (object)
                yaml_emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
        else
                yaml_emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

static int write_yaml(const nvct_document_node *root, char **ret_data, size_t *ret_len,
                      nvct_error **err) {
        emitter e = { 0 };
        if (!yaml_emitter_initialize(&e.yaml))
                return nvct_error_make(err, 0, "out of memory");
        yaml_emitter_set_output(&e.yaml, yaml_output, &e);
        yaml_emitter_set_unicode(&e.yaml, 1);
        yaml_emitter_set_indent(&e.yaml, 2);
        /* No folding: a long string stays on one line. */
        yaml_emitter_set_width(&e.yaml, -1);
        yaml_emitter_set_break(&e.yaml, YAML_LN_BREAK);
        yaml_event_t ev;
        yaml_emit(&e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
        yaml_emit(&e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
        yaml_node(&e, root);
        yaml_emit(&e, &ev, yaml_document_end_event_initialize(&ev, 1));
        yaml_emit(&e, &ev, yaml_stream_end_event_initialize(&ev));
        if (!e.failed && !yaml_emitter_flush(&e.yaml)) {
                e.failed = true;
                e.problem = "cannot flush the YAML emitter";
        }
        yaml_emitter_delete(&e.yaml);
        if (e.failed) {
                nvct_buf_clear(&e.out);
                return nvct_error_make(err, 0, "cannot write YAML: %s", e.problem);
        }
        if (e.out.data == NULL && nvct_buf_append(&e.out, NULL, 0) < 0)
                return nvct_error_make(err, 0, "out of memory");
        *ret_data = e.out.data;
        *ret_len = e.out.len;
        return 0;
}

int nvct_document_write(const nvct_document_node *root, nvct_document_format format, unsigned flags,
                        char **ret_data, size_t *ret_len, nvct_error **err) {
        if (root == NULL)
                return nvct_error_make(err, 0, "no document to write");
        if (format == NVCT_DOCUMENT_YAML)
                return write_yaml(root, ret_data, ret_len, err);
        return write_json(root, flags, ret_data, ret_len, err);
}
