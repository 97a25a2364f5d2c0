/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "oci.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/gocompat.h"
#include "formats/jsonfeed.h"
#include "basic/quote.h"

#define CAP_SYS_ADMIN_NAME "CAP_SYS_ADMIN"

/* What the next JSON value means, given where it sits in the document. */
typedef enum slot {
        SLOT_ANY, /* a field the hook ignores: any JSON at all */
        SLOT_STATE,
        SLOT_PID,
        SLOT_BUNDLE,
        SLOT_BUNDLE_PATH,
        SLOT_SPEC,
        SLOT_VERSION,
        SLOT_PROCESS,
        SLOT_ENV,
        SLOT_ENV_ITEM,
        SLOT_CAPS,
        SLOT_CAPS_LIST_ITEM,
        SLOT_CAPS_BOUNDING,
        SLOT_CAPS_BOUNDING_ITEM,
        SLOT_CAPS_SET,
        SLOT_CAPS_SET_ITEM,
        SLOT_ROOT,
        SLOT_ROOT_PATH,
        SLOT_MOUNTS,
        SLOT_MOUNT,
        SLOT_MOUNT_SOURCE,
        SLOT_MOUNT_DESTINATION,
        SLOT_MOUNT_TYPE,
        SLOT_MOUNT_OPTIONS,
        SLOT_MOUNT_OPTION,
        _SLOT_MAX,
} slot;

/* Field paths, for error messages. */
static const char *const slot_names[_SLOT_MAX] = {
        [SLOT_ANY] = "(ignored field)",
        [SLOT_STATE] = "container state",
        [SLOT_PID] = "pid",
        [SLOT_BUNDLE] = "bundle",
        [SLOT_BUNDLE_PATH] = "bundlePath",
        [SLOT_SPEC] = "OCI spec",
        [SLOT_VERSION] = "ociVersion",
        [SLOT_PROCESS] = "process",
        [SLOT_ENV] = "process.env",
        [SLOT_ENV_ITEM] = "process.env[]",
        [SLOT_CAPS] = "process.capabilities",
        [SLOT_CAPS_LIST_ITEM] = "process.capabilities[]",
        [SLOT_CAPS_BOUNDING] = "process.capabilities.bounding",
        [SLOT_CAPS_BOUNDING_ITEM] = "process.capabilities.bounding[]",
        [SLOT_CAPS_SET] = "process.capabilities",
        [SLOT_CAPS_SET_ITEM] = "process.capabilities",
        [SLOT_ROOT] = "root",
        [SLOT_ROOT_PATH] = "root.path",
        [SLOT_MOUNTS] = "mounts",
        [SLOT_MOUNT] = "mounts[]",
        [SLOT_MOUNT_SOURCE] = "mounts[].source",
        [SLOT_MOUNT_DESTINATION] = "mounts[].destination",
        [SLOT_MOUNT_TYPE] = "mounts[].type",
        [SLOT_MOUNT_OPTIONS] = "mounts[].options",
        [SLOT_MOUNT_OPTION] = "mounts[].options[]",
};

typedef enum kind {
        KIND_NULL,
        KIND_BOOL,
        KIND_NUMBER,
        KIND_STRING,
        KIND_OBJECT,
        KIND_ARRAY,
} kind;

static const char *const kind_names[] = {
        [KIND_NULL] = "null",       [KIND_BOOL] = "a boolean",   [KIND_NUMBER] = "a number",
        [KIND_STRING] = "a string", [KIND_OBJECT] = "an object", [KIND_ARRAY] = "an array",
};

typedef struct frame {
        slot container; /* the slot this object or array fills */
        slot child;     /* the slot of its next value */
} frame;

/* A Go slice as encoding/json decodes into it. Decoding an array into a
 * slice that already holds elements (the same key given twice) reuses them:
 * element i of the new array is decoded *into* old element i, so a null
 * keeps the old value and an object merges into the old struct; elements
 * between len and cap survive a shrink and come back if a later array is
 * longer. golang/go#21092; the reference inherits it, so we emulate it. */
typedef struct goslice {
        unsigned char *items;
        size_t len, cap, next, size;
        void (*free_item)(void *item);
} goslice;

/* process.env[i]: 0 the zero value (""), 1 an entry the filter dropped,
 * else 2 + its index in parser.kept. Four bytes an entry whatever its size:
 * a 100k-entry environment costs 400 KiB, not its 9 MB. */
typedef struct env_item {
        uint32_t ref;
} env_item;

#define ENV_ZERO 0u
#define ENV_DROPPED 1u
#define ENV_KEPT_BASE 2u

typedef struct kept_string {
        char *s;
        size_t len;
} kept_string;

/* mounts[i], reduced to what the decision reads. */
typedef struct mount_item {
        bool source_is_dev_null;
        bool destination_dropped; /* set, but not under the filter's prefix */
        char *destination;        /* cleaned; NULL when unset or dropped */
        size_t destination_len;
} mount_item;

typedef struct bounding_item {
        bool sys_admin;
} bounding_item;

static void free_mount_item(void *item) {
        free(((mount_item *)item)->destination);
}

static void goslice_drop(goslice *gs, size_t from, size_t to) {
        if (gs->free_item != NULL)
                for (size_t i = from; i < to; i++)
                        gs->free_item(gs->items + i * gs->size);
}

/* A nil slice, or a fresh empty one: nothing of the old elements remains. */
static void goslice_nil(goslice *gs) {
        goslice_drop(gs, 0, gs->cap);
        free(gs->items);
        gs->items = NULL;
        gs->len = gs->cap = gs->next = 0;
}

static void goslice_begin(goslice *gs) {
        gs->next = 0;
}

/* The element the next array value decodes into; NULL on OOM. */
static void *goslice_next(goslice *gs) {
        size_t i = gs->next;
        if (i >= gs->cap) {
                size_t cap = gs->cap + gs->cap / 2;
                if (cap < 4)
                        cap = 4;
                unsigned char *items = calloc(cap, gs->size);
                if (items == NULL)
                        return NULL;
                /* reflect.Copy takes len elements; the rest are lost. */
                if (gs->len > 0)
                        memcpy(items, gs->items, gs->len * gs->size);
                goslice_drop(gs, gs->len, gs->cap);
                free(gs->items);
                gs->items = items;
                gs->cap = cap;
        }
        if (i >= gs->len)
                gs->len = i + 1;
        gs->next++;
        return gs->items + i * gs->size;
}

static void goslice_end(goslice *gs) {
        if (gs->next < gs->len)
                gs->len = gs->next;
        if (gs->next == 0)
                goslice_nil(gs);
}

static void *goslice_at(const goslice *gs, size_t i) {
        return gs->items + i * gs->size;
}

typedef struct parser {
        nvct_error **err;
        const char *name; /* the input, for messages */
        nvct_json_feed *feed;
        frame *frames;
        size_t depth, cap_frames;
        bool done; /* the first top-level value is complete */
        bool is_state;

        /* state */
        nvct_state *state;
        char *bundle_path;
        size_t bundle_path_len;

        /* spec */
        nvct_spec *spec;
        bool has_version, has_process, has_root, top_is_null;
        const nvct_spec_filter *filter;
        goslice env;       /* of env_item: process.env */
        kept_string *kept; /* the env entries kept, referenced by env_item */
        size_t n_kept, cap_kept;
        size_t kept_bytes;  /* env entries and mount destinations held */
        goslice mounts;     /* of mount_item */
        goslice bounding;   /* of bounding_item: process.capabilities.bounding */
        size_t mount_index; /* the mounts[] element being decoded */
} parser;

static int fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parser *p, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        nvct_error_make(p->err, 0, "%s: %s", p->name, n < 0 ? "out of memory" : msg);
        return 0; /* tells yajl to stop */
}

static int type_error(parser *p, slot s, kind k) {
        return fail(p, "%s: cannot be %s", slot_names[s], kind_names[k]);
}

/* Length of the valid UTF-8 sequence at s[i], as Go's utf8.DecodeRune
 * accepts it (no overlong forms, no surrogates, nothing past U+10FFFF);
 * 0 when the byte at s[i] starts no valid sequence. */
static size_t utf8_valid_len(const unsigned char *s, size_t i, size_t len) {
        unsigned char c = s[i];
        size_t need;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
                need = 2;
                if (c == 0xe0)
                        lo = 0xa0;
                else if (c == 0xed)
                        hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3;
                if (c == 0xf0)
                        lo = 0x90;
                else if (c == 0xf4)
                        hi = 0x8f;
        } else {
                return 0;
        }
        if (len - i <= need)
                return 0;
        if (s[i + 1] < lo || s[i + 1] > hi)
                return 0;
        for (size_t k = 2; k <= need; k++)
                if (s[i + k] < 0x80 || s[i + k] > 0xbf)
                        return 0;
        return need + 1;
}

/* encoding/json replaces each byte of invalid UTF-8 with U+FFFD instead of
 * rejecting the document; do the same so that the same strings reach the
 * decision. Returns a NUL-terminated copy, or NULL on OOM. */
static char *go_string_copy(const unsigned char *s, size_t len, size_t *ret_len) {
        size_t invalid = 0;
        for (size_t i = 0; i < len;) {
                size_t n = utf8_valid_len(s, i, len);
                if (n == 0) {
                        invalid++;
                        i++;
                } else {
                        i += n;
                }
        }
        /* Each invalid byte becomes the 3 bytes of U+FFFD. */
        char *out = malloc(len + 2 * invalid + 1);
        if (out == NULL)
                return NULL;
        size_t w = 0;
        for (size_t i = 0; i < len;) {
                size_t n = utf8_valid_len(s, i, len);
                if (n == 0) {
                        memcpy(out + w, "\xef\xbf\xbd", 3);
                        w += 3;
                        i++;
                } else {
                        memcpy(out + w, s + i, n);
                        w += n;
                        i += n;
                }
        }
        out[w] = '\0';
        *ret_len = w;
        return out;
}

static slot current_slot(const parser *p) {
        if (p->depth == 0)
                return p->is_state ? SLOT_STATE : SLOT_SPEC;
        return p->frames[p->depth - 1].child;
}

static int push(parser *p, slot container, slot child) {
        /* encoding/json refuses nesting deeper than this; so do we, and it
         * bounds the frame stack whatever the input. */
        if (p->depth >= NVCT_JSON_MAX_DEPTH)
                return fail(p, "JSON nested deeper than %d levels", NVCT_JSON_MAX_DEPTH);
        if (p->depth == p->cap_frames) {
                size_t cap = p->cap_frames ? p->cap_frames * 2 : 16;
                frame *frames = reallocarray(p->frames, cap, sizeof(*frames));
                if (frames == NULL)
                        return fail(p, "out of memory");
                p->frames = frames;
                p->cap_frames = cap;
        }
        p->frames[p->depth++] = (frame){ .container = container, .child = child };
        return 1;
}

static void clear_mounts(nvct_spec *spec) {
        for (size_t i = 0; i < spec->n_dev_null_mounts; i++)
                free(spec->dev_null_mounts[i]);
        free(spec->dev_null_mounts);
        free(spec->dev_null_mount_lens);
        spec->dev_null_mounts = NULL;
        spec->dev_null_mount_lens = NULL;
        spec->n_dev_null_mounts = 0;
}

static void clear_capabilities(parser *p) {
        nvct_spec *spec = p->spec;
        goslice_nil(&p->bounding);
        spec->has_capabilities = false;
        spec->caps_list_ok = spec->caps_list_sys_admin = false;
        spec->caps_object_ok = spec->caps_object_sys_admin = false;
}

/* Refused as soon as it is read: a string over the limit could not become
 * an argument (the kernel refuses longer ones), and a cut one (the feed
 * stops storing a string long before its end) is longer still. */
static int too_long(parser *p, slot field, size_t len) {
        return fail(p, "%s: a string of %s%zu bytes is longer than the limit of %u bytes",
                    slot_names[field], nvct_json_feed_truncated(p->feed) ? "more than " : "", len,
                    NVCT_JSON_MAX_STRING);
}

/* What is kept adds up: a bound on the total, not only on each string, so
 * that memory stays a small multiple of it whatever the document holds. */
static int add_kept(parser *p, size_t n) {
        if (n > NVCT_SPEC_MAX_KEPT - p->kept_bytes)
                return fail(p,
                            "the environment entries and mounts kept for the decision total more "
                            "than the limit of %u bytes",
                            NVCT_SPEC_MAX_KEPT);
        p->kept_bytes += n;
        return 1;
}

/* Replaces *dst (and its length) with a Go-decoded copy of the string. */
static int set_string(parser *p, slot field, char **dst, size_t *dst_len, const char *s,
                      size_t len) {
        if (len > NVCT_JSON_MAX_STRING)
                return too_long(p, field, len);
        size_t n = 0;
        char *copy = go_string_copy((const unsigned char *)s, len, &n);
        if (copy == NULL)
                return fail(p, "out of memory");
        free(*dst);
        *dst = copy;
        if (dst_len != NULL)
                *dst_len = n;
        return 1;
}

static bool is_sys_admin(const char *s, size_t len) {
        return len == strlen(CAP_SYS_ADMIN_NAME) && memcmp(s, CAP_SYS_ADMIN_NAME, len) == 0;
}

static bool filter_keeps_env(const nvct_spec_filter *f, const char *name, size_t len) {
        if (f == NULL)
                return true;
        if (len >= 7 && memcmp(name, "NVIDIA_", 7) == 0)
                return true;
        if (len == 12 && memcmp(name, "CUDA_VERSION", 12) == 0)
                return true;
        return f->extra_env_name != NULL && strlen(f->extra_env_name) == len &&
               memcmp(f->extra_env_name, name, len) == 0;
}

static bool is_ascii(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if ((unsigned char)s[i] >= 0x80)
                        return false;
        return true;
}

static void release_env_ref(parser *p, uint32_t ref) {
        if (ref >= ENV_KEPT_BASE) {
                p->kept_bytes -= p->kept[ref - ENV_KEPT_BASE].len;
                free(p->kept[ref - ENV_KEPT_BASE].s);
                p->kept[ref - ENV_KEPT_BASE].s = NULL;
        }
}

static int add_env_item(parser *p, const char *s, size_t len, bool is_null) {
        if (p->env.next >= NVCT_ENV_MAX_ENTRIES)
                return fail(p, "process.env has more than %u entries", NVCT_ENV_MAX_ENTRIES);
        env_item *item = goslice_next(&p->env);
        if (item == NULL)
                return fail(p, "out of memory");
        if (is_null)
                return 1; /* keeps the element as it was */
        if (len > NVCT_JSON_MAX_STRING)
                return too_long(p, SLOT_ENV_ITEM, len);

        /* Most entries are dropped: decide on the raw bytes when that is
         * the same as deciding on the decoded ones (an ASCII name). */
        const char *eq = memchr(s, '=', len);
        if (p->filter != NULL && eq != NULL && is_ascii(s, (size_t)(eq - s)) &&
            !filter_keeps_env(p->filter, s, (size_t)(eq - s))) {
                release_env_ref(p, item->ref);
                item->ref = ENV_DROPPED;
                return 1;
        }

        size_t n = 0;
        _cleanup_free_ char *copy = go_string_copy((const unsigned char *)s, len, &n);
        if (copy == NULL)
                return fail(p, "out of memory");
        const char *ceq = memchr(copy, '=', n);
        release_env_ref(p, item->ref);
        if (ceq != NULL && !filter_keeps_env(p->filter, copy, (size_t)(ceq - copy))) {
                item->ref = ENV_DROPPED;
                return 1;
        }
        if (add_kept(p, n) == 0)
                return 0;
        if (p->n_kept == p->cap_kept) {
                size_t cap = p->cap_kept ? p->cap_kept * 2 : 16;
                kept_string *kept = reallocarray(p->kept, cap, sizeof(*kept));
                if (kept == NULL)
                        return fail(p, "out of memory");
                p->kept = kept;
                p->cap_kept = cap;
        }
        p->kept[p->n_kept] = (kept_string){ .s = TAKE_PTR(copy), .len = n };
        item->ref = (uint32_t)(ENV_KEPT_BASE + p->n_kept++);
        return 1;
}

/* getEnvMap: the first entry without '=' is the error. */
static int build_env(parser *p) {
        for (size_t i = 0; i < p->env.len; i++) {
                uint32_t ref = ((env_item *)goslice_at(&p->env, i))->ref;
                if (ref == ENV_DROPPED)
                        continue;
                const kept_string *k = ref >= ENV_KEPT_BASE ? &p->kept[ref - ENV_KEPT_BASE] : NULL;
                _cleanup_error_ nvct_error *e = NULL;
                if (nvct_env_add_entry(&p->spec->env, k ? k->s : "", k ? k->len : 0, i, &e) < 0)
                        return nvct_error_make(p->err, 0, "%s: %s", p->name, e->msg);
        }
        return 0;
}

/* A JSON string decoded as Go does, then cleaned as filepath.Clean does. */
static int cleaned_path(parser *p, slot field, const char *s, size_t len, char **ret,
                        size_t *ret_len) {
        _cleanup_free_ char *raw = NULL;
        size_t raw_len = 0;
        if (set_string(p, field, &raw, &raw_len, s, len) == 0)
                return 0;
        *ret = nvct_go_clean_path(raw, raw_len, ret_len);
        return *ret != NULL ? 1 : fail(p, "out of memory");
}

static int set_mount_source(parser *p, mount_item *m, const char *s, size_t len) {
        _cleanup_free_ char *clean = NULL;
        size_t clean_len = 0;
        if (cleaned_path(p, SLOT_MOUNT_SOURCE, s, len, &clean, &clean_len) == 0)
                return 0;
        m->source_is_dev_null =
                clean_len == strlen("/dev/null") && memcmp(clean, "/dev/null", clean_len) == 0;
        return 1;
}

static int set_mount_destination(parser *p, mount_item *m, const char *s, size_t len) {
        char *clean = NULL;
        size_t clean_len = 0;
        if (cleaned_path(p, SLOT_MOUNT_DESTINATION, s, len, &clean, &clean_len) == 0)
                return 0;
        if (m->destination != NULL)
                p->kept_bytes -= m->destination_len;
        free(m->destination);
        m->destination = NULL;
        m->destination_len = 0;
        const char *prefix = p->filter ? p->filter->mount_prefix : NULL;
        if (prefix != NULL &&
            (clean_len < strlen(prefix) || memcmp(clean, prefix, strlen(prefix)) != 0)) {
                free(clean);
                m->destination_dropped = true;
                return 1;
        }
        if (add_kept(p, clean_len) == 0) {
                free(clean);
                return 0;
        }
        m->destination_dropped = false;
        m->destination = clean;
        m->destination_len = clean_len;
        return 1;
}

static int add_dev_null_mount(parser *p, const mount_item *m) {
        if (!m->source_is_dev_null || m->destination_dropped)
                return 0;
        size_t cleaned_len = 1;
        _cleanup_free_ char *cleaned = m->destination
                                               ? nvct_memdup0(m->destination, m->destination_len)
                                               : strdup("."); /* Clean("") */
        if (cleaned == NULL)
                return nvct_error_make(p->err, 0, "out of memory");
        if (m->destination)
                cleaned_len = m->destination_len;

        /* The arrays were sized for every mount before the first call. */
        nvct_spec *spec = p->spec;
        size_t n = spec->n_dev_null_mounts;
        spec->dev_null_mount_lens[n] = cleaned_len;
        spec->dev_null_mounts[n] = TAKE_PTR(cleaned);
        spec->n_dev_null_mounts = n + 1;
        return 0;
}

/* Skips a value that breaks the shape of process.capabilities: that is only
 * an error if the reference would read the capabilities that way. */
static int caps_mismatch(parser *p, kind k, bool *shape_ok) {
        *shape_ok = false;
        if (k == KIND_OBJECT || k == KIND_ARRAY)
                return push(p, SLOT_ANY, SLOT_ANY);
        return 1;
}

/* Go's strconv.ParseInt(s, 10, 64): what encoding/json accepts for an int
 * field. A fraction or exponent is a type error, not a rounding. */
static bool parse_go_int(const char *s, size_t len, int64_t *ret) {
        size_t i = 0;
        bool neg = false;
        if (i < len && (s[i] == '-' || s[i] == '+')) {
                neg = s[i] == '-';
                i++;
        }
        if (i == len)
                return false;
        uint64_t v = 0;
        uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        for (; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                unsigned d = (unsigned)(s[i] - '0');
                if (v > (limit - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = neg ? (int64_t)(0 - v) : (int64_t)v;
        return true;
}

static int on_value(parser *p, kind k, const char *s, size_t len) {
        slot cur = current_slot(p);
        nvct_spec *spec = p->spec;

        switch (cur) {
        case SLOT_ANY:
                if (k == KIND_OBJECT || k == KIND_ARRAY)
                        return push(p, SLOT_ANY, SLOT_ANY);
                return 1;

        case SLOT_STATE:
        case SLOT_SPEC:
                if (k == KIND_OBJECT)
                        return push(p, cur, SLOT_ANY);
                if (k == KIND_NULL) {
                        /* encoding/json decodes a top-level null as "no
                         * value": an empty state, but no spec at all. */
                        p->top_is_null = true;
                        p->done = true;
                        return 1;
                }
                return type_error(p, cur, k);

        case SLOT_PID:
                if (k == KIND_NULL)
                        return 1;
                if (k != KIND_NUMBER)
                        return type_error(p, cur, k);
                if (!parse_go_int(s, len, &p->state->pid)) {
                        _cleanup_free_ char *q = nvct_quote(s, len);
                        return fail(p, "pid: %s is not an integer that fits in 64 bits",
                                    q ? q : "");
                }
                return 1;

        case SLOT_BUNDLE:
        case SLOT_BUNDLE_PATH:
                if (k == KIND_NULL)
                        return 1;
                if (k != KIND_STRING)
                        return type_error(p, cur, k);
                if (cur == SLOT_BUNDLE)
                        return set_string(p, cur, &p->state->bundle, &p->state->bundle_len, s, len);
                return set_string(p, cur, &p->bundle_path, &p->bundle_path_len, s, len);

        case SLOT_VERSION:
                if (k == KIND_NULL) {
                        p->has_version = false;
                        free(spec->version);
                        spec->version = NULL;
                        spec->version_len = 0;
                        return 1;
                }
                if (k != KIND_STRING)
                        return type_error(p, cur, k);
                p->has_version = true;
                return set_string(p, cur, &spec->version, &spec->version_len, s, len);

        case SLOT_PROCESS:
                if (k == KIND_NULL) {
                        p->has_process = false;
                        goslice_nil(&p->env);
                        clear_capabilities(p);
                        return 1;
                }
                if (k != KIND_OBJECT)
                        return type_error(p, cur, k);
                /* A repeated "process" decodes into the same struct, as
                 * encoding/json does with a pointer field: fields merge. */
                p->has_process = true;
                return push(p, cur, SLOT_ANY);

        case SLOT_ENV:
                if (k == KIND_NULL) {
                        goslice_nil(&p->env);
                        return 1;
                }
                if (k != KIND_ARRAY)
                        return type_error(p, cur, k);
                goslice_begin(&p->env);
                return push(p, cur, SLOT_ENV_ITEM);

        case SLOT_ENV_ITEM:
                if (k != KIND_NULL && k != KIND_STRING)
                        return type_error(p, cur, k);
                return add_env_item(p, s, len, k == KIND_NULL);

        case SLOT_CAPS:
                /* A RawMessage: a repeated key replaces it whole, and the
                 * reference decodes it into a fresh struct. */
                clear_capabilities(p);
                if (k == KIND_NULL)
                        return 1;
                spec->has_capabilities = true;
                if (k == KIND_ARRAY) {
                        spec->caps_list_ok = true;
                        return push(p, cur, SLOT_CAPS_LIST_ITEM);
                }
                if (k == KIND_OBJECT) {
                        spec->caps_object_ok = true;
                        return push(p, cur, SLOT_ANY);
                }
                return 1; /* neither shape */

        case SLOT_CAPS_LIST_ITEM:
                if (k == KIND_STRING) {
                        if (is_sys_admin(s, len))
                                spec->caps_list_sys_admin = true;
                        return 1;
                }
                if (k == KIND_NULL)
                        return 1;
                return caps_mismatch(p, k, &spec->caps_list_ok);

        case SLOT_CAPS_BOUNDING:
                if (k == KIND_NULL) {
                        goslice_nil(&p->bounding);
                        return 1;
                }
                if (k == KIND_ARRAY) {
                        goslice_begin(&p->bounding);
                        return push(p, cur, SLOT_CAPS_BOUNDING_ITEM);
                }
                return caps_mismatch(p, k, &spec->caps_object_ok);

        case SLOT_CAPS_SET:
                if (k == KIND_NULL)
                        return 1;
                if (k == KIND_ARRAY)
                        return push(p, cur, SLOT_CAPS_SET_ITEM);
                return caps_mismatch(p, k, &spec->caps_object_ok);

        case SLOT_CAPS_BOUNDING_ITEM: {
                if (k != KIND_NULL && k != KIND_STRING)
                        return caps_mismatch(p, k, &spec->caps_object_ok);
                if (p->bounding.next >= NVCT_SPEC_MAX_CAPABILITIES)
                        return fail(p, "process.capabilities.bounding has more than %u elements",
                                    NVCT_SPEC_MAX_CAPABILITIES);
                bounding_item *item = goslice_next(&p->bounding);
                if (item == NULL)
                        return fail(p, "out of memory");
                if (k == KIND_STRING)
                        item->sys_admin = is_sys_admin(s, len);
                return 1;
        }

        case SLOT_CAPS_SET_ITEM:
                if (k == KIND_STRING || k == KIND_NULL)
                        return 1;
                return caps_mismatch(p, k, &spec->caps_object_ok);

        case SLOT_ROOT:
                if (k == KIND_NULL) {
                        p->has_root = false;
                        free(spec->root_path);
                        spec->root_path = NULL;
                        spec->root_path_len = 0;
                        return 1;
                }
                if (k != KIND_OBJECT)
                        return type_error(p, cur, k);
                p->has_root = true;
                return push(p, cur, SLOT_ANY);

        case SLOT_ROOT_PATH:
                if (k == KIND_NULL)
                        return 1;
                if (k != KIND_STRING)
                        return type_error(p, cur, k);
                return set_string(p, cur, &spec->root_path, &spec->root_path_len, s, len);

        case SLOT_MOUNTS:
                if (k == KIND_NULL) {
                        goslice_nil(&p->mounts);
                        return 1;
                }
                if (k != KIND_ARRAY)
                        return type_error(p, cur, k);
                goslice_begin(&p->mounts);
                return push(p, cur, SLOT_MOUNT);

        case SLOT_MOUNT:
                if (k != KIND_NULL && k != KIND_OBJECT)
                        return type_error(p, cur, k);
                if (p->mounts.next >= NVCT_SPEC_MAX_MOUNTS)
                        return fail(p, "mounts has more than %u elements", NVCT_SPEC_MAX_MOUNTS);
                if (goslice_next(&p->mounts) == NULL)
                        return fail(p, "out of memory");
                if (k == KIND_NULL)
                        return 1; /* keeps the element as it was */
                p->mount_index = p->mounts.next - 1;
                return push(p, cur, SLOT_ANY);

        case SLOT_MOUNT_SOURCE:
        case SLOT_MOUNT_DESTINATION: {
                if (k == KIND_NULL)
                        return 1;
                if (k != KIND_STRING)
                        return type_error(p, cur, k);
                /* Not read by the decision: type-checked, nothing more. */
                if (p->filter != NULL && p->filter->drop_mounts)
                        return 1;
                mount_item *m = goslice_at(&p->mounts, p->mount_index);
                if (cur == SLOT_MOUNT_SOURCE)
                        return set_mount_source(p, m, s, len);
                return set_mount_destination(p, m, s, len);
        }

        case SLOT_MOUNT_TYPE:
        case SLOT_MOUNT_OPTION:
                if (k != KIND_NULL && k != KIND_STRING)
                        return type_error(p, cur, k);
                return 1;

        case SLOT_MOUNT_OPTIONS:
                if (k == KIND_NULL)
                        return 1;
                if (k != KIND_ARRAY)
                        return type_error(p, cur, k);
                return push(p, cur, SLOT_MOUNT_OPTION);

        case _SLOT_MAX:
                break;
        }
        return fail(p, "internal error: unexpected parser state");
}

struct key_slot {
        const char *name;
        slot slot;
};

static const struct key_slot state_keys[] = { { "pid", SLOT_PID },
                                              { "bundle", SLOT_BUNDLE },
                                              { "bundlePath", SLOT_BUNDLE_PATH },
                                              { NULL, 0 } };
static const struct key_slot spec_keys[] = { { "ociVersion", SLOT_VERSION },
                                             { "process", SLOT_PROCESS },
                                             { "root", SLOT_ROOT },
                                             { "mounts", SLOT_MOUNTS },
                                             { NULL, 0 } };
/* nvct_spec_filter.root_only: everything but root is skipped unread. */
static const struct key_slot spec_root_keys[] = { { "root", SLOT_ROOT }, { NULL, 0 } };
static const struct key_slot process_keys[] = { { "env", SLOT_ENV },
                                                { "capabilities", SLOT_CAPS },
                                                { NULL, 0 } };
static const struct key_slot root_keys[] = { { "path", SLOT_ROOT_PATH }, { NULL, 0 } };
static const struct key_slot mount_keys[] = { { "destination", SLOT_MOUNT_DESTINATION },
                                              { "type", SLOT_MOUNT_TYPE },
                                              { "source", SLOT_MOUNT_SOURCE },
                                              { "options", SLOT_MOUNT_OPTIONS },
                                              { NULL, 0 } };
static const struct key_slot caps_keys[] = {
        { "bounding", SLOT_CAPS_BOUNDING }, { "effective", SLOT_CAPS_SET },
        { "inheritable", SLOT_CAPS_SET },   { "permitted", SLOT_CAPS_SET },
        { "ambient", SLOT_CAPS_SET },       { NULL, 0 }
};

static int cb_map_key(void *ctx, const unsigned char *key, size_t len) {
        parser *p = ctx;
        frame *f = &p->frames[p->depth - 1];
        const struct key_slot *keys = NULL;
        switch (f->container) {
        case SLOT_STATE:
                keys = state_keys;
                break;
        case SLOT_SPEC:
                keys = p->filter != NULL && p->filter->root_only ? spec_root_keys : spec_keys;
                break;
        case SLOT_PROCESS:
                keys = process_keys;
                break;
        case SLOT_ROOT:
                keys = root_keys;
                break;
        case SLOT_MOUNT:
                keys = mount_keys;
                break;
        case SLOT_CAPS:
                keys = caps_keys;
                break;
        default:
                break;
        }
        f->child = SLOT_ANY;
        for (; keys != NULL && keys->name != NULL; keys++)
                if (nvct_go_key_matches((const char *)key, len, keys->name)) {
                        f->child = keys->slot;
                        break;
                }
        return 1;
}

static int end_container(parser *p) {
        frame *f = &p->frames[--p->depth];
        if (f->container == SLOT_ENV)
                goslice_end(&p->env);
        else if (f->container == SLOT_MOUNTS)
                goslice_end(&p->mounts);
        else if (f->container == SLOT_CAPS_BOUNDING)
                goslice_end(&p->bounding);
        if (p->depth == 0)
                p->done = true;
        return 1;
}

static int cb_null(void *ctx) {
        return on_value(ctx, KIND_NULL, NULL, 0);
}
static int cb_boolean(void *ctx, int value) {
        (void)value;
        return on_value(ctx, KIND_BOOL, NULL, 0);
}
static int cb_number(void *ctx, const char *s, size_t len) {
        return on_value(ctx, KIND_NUMBER, s, len);
}
static int cb_string(void *ctx, const unsigned char *s, size_t len) {
        return on_value(ctx, KIND_STRING, (const char *)s, len);
}
static int cb_start_map(void *ctx) {
        return on_value(ctx, KIND_OBJECT, NULL, 0);
}
static int cb_start_array(void *ctx) {
        return on_value(ctx, KIND_ARRAY, NULL, 0);
}
static int cb_end(void *ctx) {
        return end_container(ctx);
}

static const yajl_callbacks callbacks = {
        .yajl_null = cb_null,
        .yajl_boolean = cb_boolean,
        .yajl_number = cb_number,
        .yajl_string = cb_string,
        .yajl_start_map = cb_start_map,
        .yajl_map_key = cb_map_key,
        .yajl_end_map = cb_end,
        .yajl_start_array = cb_start_array,
        .yajl_end_array = cb_end,
};

/* Reads are this large: as much as a pipe holds, so fewer of them. */
#define READ_CHUNK 65536

static nvct_json_feed *new_feed(parser *p) {
        p->feed =
                nvct_json_feed_new(&callbacks, p, p->name, NVCT_JSON_MAX_STRING, &p->done, p->err);
        if (p->feed == NULL)
                nvct_error_make(p->err, 0, "out of memory");
        return p->feed;
}

/* In memory: fed in the chunks a read would give, so that a document read
 * from a file and the same bytes in memory decode through the same path. */
static int parse_buffer(parser *p, const char *data, size_t len) {
        if (new_feed(p) == NULL)
                return -1;
        char buf[READ_CHUNK];
        for (size_t off = 0; off < len && !p->done;) {
                size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);
                memcpy(buf, data + off, n);
                if (nvct_json_feed_push(p->feed, buf, n) < 0)
                        return -1;
                off += n;
        }
        return nvct_json_feed_finish(p->feed);
}

/* Feeds fd to yajl until the first value is complete: the state arrives on
 * a pipe that runc need not close, so EOF is not waited for. */
static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_fd(parser *p, int fd, size_t max_size, int timeout_ms) {
        int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
        if (new_feed(p) == NULL)
                return -1;
        char buf[READ_CHUNK];
        size_t total = 0;
        while (!p->done) {
                if (deadline >= 0) {
                        int64_t left = deadline - now_ms();
                        struct pollfd pfd = { .fd = fd, .events = POLLIN };
                        int r = left > 0 ? poll(&pfd, 1, (int)left) : 0;
                        if (r < 0 && errno == EINTR)
                                continue;
                        if (r < 0)
                                return nvct_error_make(p->err, errno, "%s: poll", p->name);
                        if (r == 0)
                                return nvct_error_make(p->err, 0,
                                                       "%s: incomplete after %d ms, giving up",
                                                       p->name, timeout_ms);
                }
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EAGAIN && deadline < 0) {
                                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                                (void)poll(&pfd, 1, -1);
                                continue;
                        }
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return nvct_error_make(p->err, errno, "%s: read", p->name);
                }
                total += (size_t)n;
                if (total > max_size)
                        return nvct_error_make(p->err, 0, "%s: larger than %zu bytes", p->name,
                                               max_size);
                if (n == 0)
                        return nvct_json_feed_finish(p->feed);
                if (nvct_json_feed_push(p->feed, buf, (size_t)n) < 0)
                        return -1;
        }
        return 0;
}

static void parser_clear(parser *p) {
        nvct_json_feed_free(p->feed);
        free(p->frames);
        free(p->bundle_path);
        goslice_nil(&p->env);
        goslice_nil(&p->mounts);
        goslice_nil(&p->bounding);
        for (size_t i = 0; i < p->n_kept; i++)
                free(p->kept[i].s);
        free(p->kept);
}

/* ---- state ---- */

void nvct_state_clear(nvct_state *state) {
        free(state->bundle);
        *state = (nvct_state){ 0 };
}

static int state_finish(parser *p, nvct_state *ret_state) {
        nvct_state *st = p->state;
        if (st->bundle_len == 0 && p->bundle_path != NULL) {
                free(st->bundle);
                st->bundle = TAKE_PTR(p->bundle_path);
                st->bundle_len = p->bundle_path_len;
        }
        if (st->bundle == NULL) {
                st->bundle = strdup("");
                if (st->bundle == NULL)
                        return nvct_error_make(p->err, 0, "out of memory");
        }
        *ret_state = *st;
        return 0;
}

static int state_decode(int fd, int timeout_ms, const char *data, size_t len, nvct_state *ret_state,
                        nvct_error **err) {
        nvct_state st = { 0 };
        parser p = { .err = err, .name = "container state", .is_state = true, .state = &st };
        int r = data ? parse_buffer(&p, data, len)
                     : parse_fd(&p, fd, NVCT_STATE_MAX_SIZE, timeout_ms);
        if (r >= 0)
                r = state_finish(&p, ret_state);
        if (r < 0)
                nvct_state_clear(&st);
        parser_clear(&p);
        return r;
}

int nvct_state_read(int fd, nvct_state *ret_state, nvct_error **err) {
        return state_decode(fd, NVCT_STATE_TIMEOUT_MS, NULL, 0, ret_state, err);
}

int nvct_state_read_timeout(int fd, int timeout_ms, nvct_state *ret_state, nvct_error **err) {
        return state_decode(fd, timeout_ms, NULL, 0, ret_state, err);
}

int nvct_state_parse(const char *data, size_t len, nvct_state *ret_state, nvct_error **err) {
        return state_decode(-1, -1, data ? data : "", len, ret_state, err);
}

/* ---- spec ---- */

void nvct_spec_clear(nvct_spec *spec) {
        free(spec->version);
        nvct_env_clear(&spec->env);
        free(spec->root_path);
        clear_mounts(spec);
        *spec = (nvct_spec){ 0 };
}

static int spec_finish(parser *p) {
        nvct_spec *spec = p->spec;
        if (p->top_is_null)
                return nvct_error_make(p->err, 0, "%s: the OCI spec is null", p->name);
        bool root_only = p->filter != NULL && p->filter->root_only;
        /* The reference's loadSpec checks, in its order. */
        if (!p->has_version && !root_only)
                return nvct_error_make(p->err, 0, "%s: ociVersion is missing or null", p->name);
        if (!p->has_process && !root_only)
                return nvct_error_make(p->err, 0, "%s: process is missing or null", p->name);
        if (!p->has_root)
                return nvct_error_make(p->err, 0, "%s: root is missing or null", p->name);
        if (build_env(p) < 0)
                return -1;
        if (p->mounts.len > 0) {
                spec->dev_null_mounts = calloc(p->mounts.len, sizeof(char *));
                spec->dev_null_mount_lens = calloc(p->mounts.len, sizeof(size_t));
                if (spec->dev_null_mounts == NULL || spec->dev_null_mount_lens == NULL)
                        return nvct_error_make(p->err, 0, "out of memory");
        }
        for (size_t i = 0; i < p->mounts.len; i++)
                if (add_dev_null_mount(p, goslice_at(&p->mounts, i)) < 0)
                        return -1;
        for (size_t i = 0; i < p->bounding.len; i++)
                if (((bounding_item *)goslice_at(&p->bounding, i))->sys_admin)
                        spec->caps_object_sys_admin = true;
        if (spec->root_path == NULL) {
                spec->root_path = strdup("");
                if (spec->root_path == NULL)
                        return nvct_error_make(p->err, 0, "out of memory");
        }
        return 0;
}

static int spec_decode(int fd, const char *data, size_t len, const char *name,
                       const nvct_spec_filter *filter, nvct_spec *ret_spec, nvct_error **err) {
        nvct_spec spec = { 0 };
        /* Security: the path comes from the state's bundle: quoted in every
         * message, so that a newline or an escape sequence in it prints as
         * text. */
        _cleanup_free_ char *quoted_name = nvct_quote_path(name);
        if (quoted_name == NULL)
                return nvct_error_make(err, 0, "out of memory");
        parser p = {
                .err = err,
                .name = quoted_name,
                .spec = &spec,
                .filter = filter,
                .env = { .size = sizeof(env_item) },
                .mounts = { .size = sizeof(mount_item), .free_item = free_mount_item },
                .bounding = { .size = sizeof(bounding_item) },
        };
        /* A regular file (checked by the caller): no deadline needed. */
        int r = data ? parse_buffer(&p, data, len) : parse_fd(&p, fd, NVCT_SPEC_MAX_SIZE, -1);
        if (r >= 0)
                r = spec_finish(&p);
        if (r < 0)
                nvct_spec_clear(&spec);
        else
                *ret_spec = spec;
        parser_clear(&p);
        return r;
}

int nvct_spec_parse(const char *data, size_t len, const char *name, const nvct_spec_filter *filter,
                    nvct_spec *ret_spec, nvct_error **err) {
        return spec_decode(-1, data ? data : "", len, name, filter, ret_spec, err);
}

int nvct_spec_load(const char *path, const nvct_spec_filter *filter, nvct_spec *ret_spec,
                   nvct_error **err) {
        _cleanup_close_ int fd = -1;
        size_t size = 0;
        if (nvct_open_regular(path, "OCI spec", NVCT_SPEC_MAX_SIZE, false, &fd, &size, err) < 0)
                return -1;
        return spec_decode(fd, NULL, 0, path, filter, ret_spec, err);
}

int nvct_spec_is_privileged(const nvct_spec *spec, const char *name, bool *ret_privileged,
                            nvct_error **err) {
        if (!spec->has_capabilities) {
                *ret_privileged = false;
                return 0;
        }
        _cleanup_free_ char *qname = nvct_quote_path(name);
        /* The reference compares "v" + ociVersion as a semantic version. */
        size_t vlen = spec->version_len + 1;
        _cleanup_free_ char *v = malloc(vlen + 1);
        if (v == NULL)
                return nvct_error_make(err, 0, "out of memory");
        v[0] = 'v';
        memcpy(v + 1, spec->version, spec->version_len);
        v[vlen] = '\0';
        int rc1 = nvct_go_semver_compare(v, vlen, "v1.0.0-rc1", strlen("v1.0.0-rc1"));
        int rc5 = nvct_go_semver_compare(v, vlen, "v1.0.0-rc5", strlen("v1.0.0-rc5"));
        if (rc1 >= 0 && rc5 < 0) {
                if (!spec->caps_list_ok) {
                        _cleanup_free_ char *q = nvct_quote(spec->version, spec->version_len);
                        return nvct_error_make(err, 0,
                                               "%s: process.capabilities must be a list of "
                                               "strings for ociVersion %s",
                                               nvct_quoted(qname), q ? q : "");
                }
                *ret_privileged = spec->caps_list_sys_admin;
                return 0;
        }
        if (!spec->caps_object_ok)
                return nvct_error_make(err, 0,
                                       "%s: process.capabilities must be an object of "
                                       "capability lists (bounding, effective, ...)",
                                       nvct_quoted(qname));
        *ret_privileged = spec->caps_object_sys_admin;
        return 0;
}
