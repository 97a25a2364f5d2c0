/* SPDX-License-Identifier: Apache-2.0 */
/* Writing a document: JSON by hand (numbers from their kept text), YAML
 * through libyaml's emitter. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "basic/buf.h"
#include "basic/cleanup.h"
#include "basic/utf8.h"
#include "document.h"
#include "internal.h"

/* ---- JSON ----
 *
 * Written by hand into one growing buffer rather than through yajl_gen: the
 * runc wrapper writes config.json on every GPU create, and yajl_gen's
 * per-byte escaping plus a second pass for Go's escapes cost more than the
 * rest of the edit. Strings are copied in runs between the bytes that need
 * an escape, found through a table. */

typedef struct json_style {
        const char *indent; /* NULL: compact */
        const char *hex;    /* digits of \u00XX escapes */
        bool go_html;       /* encoding/json's <, >, &, U+2028, U+2029 escapes */
} json_style;

/* Bit 1: escaped in every style ("", \, control characters); bit 2: only
 * with go_html (0xe2 starts U+2028 and U+2029, checked where it is met). */
static const unsigned char json_special[256] = {
        [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
        [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
        [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
        [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
        [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1,  ['\\'] = 1, ['<'] = 2,
        ['>'] = 2,  ['&'] = 2,  [0xe2] = 2,
};

/* The escape for s[0] (left bytes from there) in `out`; its length, 0 when
 * the byte stays as it is. *ret_used: the input bytes it stands for. */
static size_t json_escape(const char *s, size_t left, const json_style *st, char out[6],
                          size_t *ret_used) {
        unsigned char c = (unsigned char)*s;
        *ret_used = 1;
        static const char shorts[] = { ['"'] = '"',  ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f',
                                       ['\n'] = 'n', ['\r'] = 'r',  ['\t'] = 't' };
        if (c < sizeof(shorts) && shorts[c] != 0) {
                out[0] = '\\';
                out[1] = shorts[c];
                return 2;
        }
        unsigned code = c;
        if (c == 0xe2) {
                if (left < 3 || (unsigned char)s[1] != 0x80 ||
                    ((unsigned char)s[2] != 0xa8 && (unsigned char)s[2] != 0xa9))
                        return 0;
                code = (unsigned char)s[2] == 0xa8 ? 0x2028 : 0x2029;
                *ret_used = 3;
        } else if (c >= 0x20 && !st->go_html) {
                return 0;
        }
        memcpy(out, "\\u", 2);
        for (int i = 0; i < 4; i++)
                out[2 + i] = st->hex[(code >> (12 - 4 * i)) & 15];
        return 6;
}

static int json_string(nvct_buf *b, const char *s, size_t len, const json_style *st) {
        unsigned char stop = st->go_html ? 3 : 1;
        int r = nvct_buf_put(b, "\"", 1);
        size_t run = 0, i = 0;
        while (r == 0 && i < len) {
                while (i < len && !(json_special[(unsigned char)s[i]] & stop))
                        i++;
                if (i == len)
                        break;
                char esc[6];
                size_t used, n = json_escape(s + i, len - i, st, esc, &used);
                if (n == 0) {
                        i++;
                        continue;
                }
                r = nvct_buf_put(b, s + run, i - run);
                if (r == 0)
                        r = nvct_buf_put(b, esc, n);
                i += used;
                run = i;
        }
        if (r == 0)
                r = nvct_buf_put(b, s + run, len - run);
        return r == 0 ? nvct_buf_put(b, "\"", 1) : r;
}

static int json_newline(nvct_buf *b, const json_style *st, size_t depth) {
        if (st->indent == NULL)
                return 0;
        int r = nvct_buf_put(b, "\n", 1);
        size_t n = strlen(st->indent);
        for (size_t i = 0; r == 0 && i < depth; i++)
                r = nvct_buf_put(b, st->indent, n);
        return r;
}

/* -1: out of memory; -2: nested too deeply. */
static int json_node(nvct_buf *b, const nvct_document_node *n, const json_style *st, size_t depth) {
        switch ((nvct_document_kind)n->kind) {
        case NVCT_DOCUMENT_NULL:
                return nvct_buf_put(b, "null", 4);
        case NVCT_DOCUMENT_BOOL:
                return nvct_document_bool(n) ? nvct_buf_put(b, "true", 4)
                                             : nvct_buf_put(b, "false", 5);
        case NVCT_DOCUMENT_NUMBER:
                return nvct_buf_put(b, n->text, n->len);
        case NVCT_DOCUMENT_STRING:
                return json_string(b, n->text, n->len, st);
        default:
                break;
        }
        if (depth >= NVCT_DOCUMENT_MAX_WRITE_DEPTH)
                return -2;
        bool object = n->kind == NVCT_DOCUMENT_OBJECT;
        size_t count = container_size(n);
        int r = nvct_buf_put(b, object ? "{" : "[", 1);
        for (size_t i = 0; r == 0 && i < count; i++) {
                if (i > 0)
                        r = nvct_buf_put(b, ",", 1);
                if (r == 0)
                        r = json_newline(b, st, depth + 1);
                if (r == 0 && object) {
                        const member *m = &block_members(n->block)[i];
                        r = json_string(b, m->key, m->key_len, st);
                        if (r == 0)
                                r = st->indent != NULL ? nvct_buf_put(b, ": ", 2)
                                                       : nvct_buf_put(b, ":", 1);
                        if (r == 0)
                                r = json_node(b, &m->value, st, depth + 1);
                } else if (r == 0) {
                        r = json_node(b, &block_items(n->block)[i], st, depth + 1);
                }
        }
        if (r == 0 && count > 0)
                r = json_newline(b, st, depth);
        return r == 0 ? nvct_buf_put(b, object ? "}" : "]", 1) : r;
}

static int write_json(const nvct_document_node *root, const json_style *st, bool final_newline,
                      char **ret_data, size_t *ret_len, nvct_error **err) {
        nvct_buf b = { 0 };
        int r = json_node(&b, root, st, 0);
        if (r == 0 && final_newline)
                r = nvct_buf_put(&b, "\n", 1);
        if (r == 0 && b.data == NULL)
                r = nvct_buf_put(&b, NULL, 0);
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

int nvct_document_write_json_indent(const nvct_document_node *root, const char *indent,
                                    char **ret_data, size_t *ret_len, nvct_error **err) {
        if (root == NULL)
                return nvct_error_make(err, 0, "no document to write");
        const json_style st = { .indent = indent, .hex = "0123456789abcdef" };
        return write_json(root, &st, false, ret_data, ret_len, err);
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
        bool go = (flags & NVCT_DOCUMENT_GO_ESCAPES) != 0;
        const json_style st = {
                .indent = (flags & NVCT_DOCUMENT_INDENT) ? "    " : NULL,
                /* yajl_gen's upper-case hex, unless the bytes are to be Go's. */
                .hex = go ? "0123456789abcdef" : "0123456789ABCDEF",
                .go_html = go,
        };
        return write_json(root, &st, (flags & NVCT_DOCUMENT_INDENT) != 0, ret_data, ret_len, err);
}
