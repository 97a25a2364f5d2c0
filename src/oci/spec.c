/* SPDX-License-Identifier: Apache-2.0 */
/* config.json, decoded as the reference's *Spec with encoding/json, in one
 * streaming pass (reader.h) that keeps only what the caller's filter asks
 * for: ociVersion, process.env, process.capabilities, root.path and the
 * /dev/null mounts. Each field has its slot and its handler below; the slot
 * table at the end says which fields of each object are read. */
#define _GNU_SOURCE
#include "oci.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gostring.h"
#include "goslice.h"
#include "reader.h"
#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/gocompat.h"
#include "basic/quote.h"

#define CAP_SYS_ADMIN_NAME "CAP_SYS_ADMIN"

typedef enum spec_slot {
        SLOT_SPEC = SLOT_SKIP + 1,
        SLOT_SPEC_ROOT_ONLY, /* the spec, when the filter reads root only */
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
} spec_slot;

/* process.capabilities, read both ways the reference may read it: as a
 * plain list (OCI 1.0.0-rc1 up to rc5) or as an object whose `bounding`
 * list matters. *_ok is false when the JSON does not fit that shape. */
struct nvct_spec_caps {
        bool list_ok, list_sys_admin;
        bool object_ok, object_sys_admin;
};

/* process.env[i]: 0 the zero value (""), 1 an entry the filter dropped,
 * else 2 + its index in spec_reader.kept. Four bytes an entry whatever its
 * size: a 100k-entry environment costs 400 KiB, not its 9 MB. */
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

typedef struct spec_reader {
        reader r; /* first: the handlers get &r */
        nvct_spec spec;
        const nvct_spec_filter *filter; /* may be NULL */
        bool has_version, has_process, has_root;
        bool top_is_null;
        bool has_caps;
        struct nvct_spec_caps caps; /* object_sys_admin comes from bounding */
        goslice env;                /* of env_item: process.env */
        kept_string *kept;          /* the env entries kept, referenced by env_item */
        size_t n_kept, cap_kept;
        size_t kept_bytes;  /* env entries and mount destinations held */
        goslice mounts;     /* of mount_item */
        goslice bounding;   /* of bounding_item: process.capabilities.bounding */
        size_t mount_index; /* the mounts[] element being decoded */
} spec_reader;

static void free_mount_item(void *item) {
        free(((mount_item *)item)->destination);
}

static bool is_sys_admin(const char *s, size_t len) {
        return len == strlen(CAP_SYS_ADMIN_NAME) && memcmp(s, CAP_SYS_ADMIN_NAME, len) == 0;
}

static bool is_ascii(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if ((unsigned char)s[i] >= 0x80)
                        return false;
        return true;
}

/* What is kept adds up: a bound on the total, not only on each string, so
 * that memory stays a small multiple of it whatever the document holds. */
static int add_kept(spec_reader *sr, size_t n) {
        if (n > NVCT_SPEC_MAX_KEPT - sr->kept_bytes)
                return reader_fail(&sr->r,
                                   "the environment entries and mounts kept for the decision "
                                   "total more than the limit of %u bytes",
                                   NVCT_SPEC_MAX_KEPT);
        sr->kept_bytes += n;
        return 1;
}

/* ---- the document, ociVersion, process, root ---- */

static int on_spec(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        (void)s;
        (void)len;
        if (k == KIND_OBJECT)
                return reader_push(r, slot, SLOT_SKIP);
        if (k == KIND_NULL) {
                /* encoding/json decodes a top-level null as "no value":
                 * no spec at all. */
                ((spec_reader *)r)->top_is_null = true;
                r->done = true;
                return 1;
        }
        return reader_type_error(r, slot, k);
}

static int on_version(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        if (k == KIND_NULL) {
                sr->has_version = false;
                free(sr->spec.version);
                sr->spec.version = NULL;
                sr->spec.version_len = 0;
                return 1;
        }
        if (k != KIND_STRING)
                return reader_type_error(r, slot, k);
        sr->has_version = true;
        return reader_set_string(r, slot, &sr->spec.version, &sr->spec.version_len, s, len);
}

static void clear_capabilities(spec_reader *sr) {
        goslice_nil(&sr->bounding);
        sr->has_caps = false;
        sr->caps = (struct nvct_spec_caps){ 0 };
}

static int on_process(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        (void)s;
        (void)len;
        if (k == KIND_NULL) {
                sr->has_process = false;
                goslice_nil(&sr->env);
                clear_capabilities(sr);
                return 1;
        }
        if (k != KIND_OBJECT)
                return reader_type_error(r, slot, k);
        /* A repeated "process" decodes into the same struct, as
         * encoding/json does with a pointer field: fields merge. */
        sr->has_process = true;
        return reader_push(r, slot, SLOT_SKIP);
}

static int on_root(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        (void)s;
        (void)len;
        if (k == KIND_NULL) {
                sr->has_root = false;
                free(sr->spec.root_path);
                sr->spec.root_path = NULL;
                sr->spec.root_path_len = 0;
                return 1;
        }
        if (k != KIND_OBJECT)
                return reader_type_error(r, slot, k);
        sr->has_root = true;
        return reader_push(r, slot, SLOT_SKIP);
}

static int on_root_path(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        if (k == KIND_NULL)
                return 1;
        if (k != KIND_STRING)
                return reader_type_error(r, slot, k);
        return reader_set_string(r, slot, &sr->spec.root_path, &sr->spec.root_path_len, s, len);
}

/* ---- process.env ---- */

static void release_env_ref(spec_reader *sr, uint32_t ref) {
        if (ref >= ENV_KEPT_BASE) {
                sr->kept_bytes -= sr->kept[ref - ENV_KEPT_BASE].len;
                free(sr->kept[ref - ENV_KEPT_BASE].s);
                sr->kept[ref - ENV_KEPT_BASE].s = NULL;
        }
}

static bool keeps_env(const nvct_spec_filter *f, const char *name, size_t len) {
        return f == NULL || f->keep_env == NULL || f->keep_env(name, len, f->keep_env_data);
}

static int keep_env_item(spec_reader *sr, env_item *item, char *copy, size_t n) {
        if (add_kept(sr, n) == 0) {
                free(copy);
                return 0;
        }
        if (sr->n_kept == sr->cap_kept) {
                size_t cap = sr->cap_kept ? sr->cap_kept * 2 : 16;
                kept_string *kept = reallocarray(sr->kept, cap, sizeof(*kept));
                if (kept == NULL) {
                        free(copy);
                        return reader_fail(&sr->r, "out of memory");
                }
                sr->kept = kept;
                sr->cap_kept = cap;
        }
        sr->kept[sr->n_kept] = (kept_string){ .s = copy, .len = n };
        item->ref = (uint32_t)(ENV_KEPT_BASE + sr->n_kept++);
        return 1;
}

static int on_env(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        (void)s;
        (void)len;
        if (k == KIND_NULL) {
                goslice_nil(&sr->env);
                return 1;
        }
        if (k != KIND_ARRAY)
                return reader_type_error(r, slot, k);
        goslice_begin(&sr->env);
        return reader_push(r, slot, SLOT_ENV_ITEM);
}

/* The hot path: one call per entry of the image's environment. */
static int on_env_item(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        if (k != KIND_NULL && k != KIND_STRING)
                return reader_type_error(r, slot, k);
        if (sr->env.next >= NVCT_ENV_MAX_ENTRIES)
                return reader_fail(r, "process.env has more than %u entries", NVCT_ENV_MAX_ENTRIES);
        env_item *item = goslice_next(&sr->env);
        if (item == NULL)
                return reader_fail(r, "out of memory");
        if (k == KIND_NULL)
                return 1; /* keeps the element as it was */
        if (len > NVCT_JSON_MAX_STRING)
                return reader_too_long(r, slot, len);

        /* Most entries are dropped: decide on the raw bytes when that is
         * the same as deciding on the decoded ones (an ASCII name). An
         * entry without '=' is kept: it is an error. */
        const nvct_spec_filter *f = sr->filter;
        const char *eq = memchr(s, '=', len);
        bool decided = false;
        if (f != NULL && f->keep_env != NULL && eq != NULL && is_ascii(s, (size_t)(eq - s))) {
                if (!f->keep_env(s, (size_t)(eq - s), f->keep_env_data)) {
                        release_env_ref(sr, item->ref);
                        item->ref = ENV_DROPPED;
                        return 1;
                }
                decided = true; /* kept: asked once */
        }

        size_t n = 0;
        char *copy = nvct_go_string_copy(s, len, &n);
        if (copy == NULL)
                return reader_fail(r, "out of memory");
        const char *ceq = memchr(copy, '=', n);
        release_env_ref(sr, item->ref);
        if (!decided && ceq != NULL && !keeps_env(f, copy, (size_t)(ceq - copy))) {
                free(copy);
                item->ref = ENV_DROPPED;
                return 1;
        }
        return keep_env_item(sr, item, copy, n);
}

static void on_env_end(reader *r, unsigned slot) {
        (void)slot;
        goslice_end(&((spec_reader *)r)->env);
}

/* getEnvMap: the first entry without '=' is the error. */
static int build_env(spec_reader *sr) {
        for (size_t i = 0; i < sr->env.len; i++) {
                uint32_t ref = ((env_item *)goslice_at(&sr->env, i))->ref;
                if (ref == ENV_DROPPED)
                        continue;
                const kept_string *k = ref >= ENV_KEPT_BASE ? &sr->kept[ref - ENV_KEPT_BASE] : NULL;
                _cleanup_error_ nvct_error *e = NULL;
                if (nvct_env_add_entry(&sr->spec.env, k ? k->s : "", k ? k->len : 0, i, &e) < 0)
                        return nvct_error_make(sr->r.err, 0, "%s: %s", sr->r.name, e->msg);
        }
        return 0;
}

/* ---- process.capabilities ---- */

/* A RawMessage: a repeated key replaces it whole, and the reference decodes
 * it into a fresh struct. */
static int on_caps(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        (void)s;
        (void)len;
        clear_capabilities(sr);
        if (k == KIND_NULL)
                return 1;
        sr->has_caps = true;
        if (k == KIND_ARRAY) {
                sr->caps.list_ok = true;
                return reader_push(r, slot, SLOT_CAPS_LIST_ITEM);
        }
        if (k == KIND_OBJECT) {
                sr->caps.object_ok = true;
                return reader_push(r, slot, SLOT_SKIP);
        }
        return 1; /* neither shape */
}

/* Skips a value that breaks the shape of process.capabilities: that is only
 * an error if the reference would read the capabilities that way. */
static int caps_mismatch(reader *r, json_kind k, bool *shape_ok) {
        *shape_ok = false;
        if (k == KIND_OBJECT || k == KIND_ARRAY)
                return reader_push(r, SLOT_SKIP, SLOT_SKIP);
        return 1;
}

static int on_caps_list_item(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        (void)slot;
        if (k == KIND_STRING) {
                if (is_sys_admin(s, len))
                        sr->caps.list_sys_admin = true;
                return 1;
        }
        if (k == KIND_NULL)
                return 1;
        return caps_mismatch(r, k, &sr->caps.list_ok);
}

static int on_caps_bounding(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        (void)s;
        (void)len;
        if (k == KIND_NULL) {
                goslice_nil(&sr->bounding);
                return 1;
        }
        if (k == KIND_ARRAY) {
                goslice_begin(&sr->bounding);
                return reader_push(r, slot, SLOT_CAPS_BOUNDING_ITEM);
        }
        return caps_mismatch(r, k, &sr->caps.object_ok);
}

static int on_caps_bounding_item(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        (void)slot;
        if (k != KIND_NULL && k != KIND_STRING)
                return caps_mismatch(r, k, &sr->caps.object_ok);
        if (sr->bounding.next >= NVCT_SPEC_MAX_CAPABILITIES)
                return reader_fail(r, "process.capabilities.bounding has more than %u elements",
                                   NVCT_SPEC_MAX_CAPABILITIES);
        bounding_item *item = goslice_next(&sr->bounding);
        if (item == NULL)
                return reader_fail(r, "out of memory");
        if (k == KIND_STRING)
                item->sys_admin = is_sys_admin(s, len);
        return 1;
}

static void on_caps_bounding_end(reader *r, unsigned slot) {
        (void)slot;
        goslice_end(&((spec_reader *)r)->bounding);
}

/* effective, inheritable, permitted, ambient: shape only. */
static int on_caps_set(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        (void)s;
        (void)len;
        if (k == KIND_NULL)
                return 1;
        if (k == KIND_ARRAY)
                return reader_push(r, slot, SLOT_CAPS_SET_ITEM);
        return caps_mismatch(r, k, &((spec_reader *)r)->caps.object_ok);
}

static int on_caps_set_item(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        (void)slot;
        (void)s;
        (void)len;
        if (k == KIND_STRING || k == KIND_NULL)
                return 1;
        return caps_mismatch(r, k, &((spec_reader *)r)->caps.object_ok);
}

/* ---- mounts ---- */

static int on_mounts(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        (void)s;
        (void)len;
        if (k == KIND_NULL) {
                goslice_nil(&sr->mounts);
                return 1;
        }
        if (k != KIND_ARRAY)
                return reader_type_error(r, slot, k);
        goslice_begin(&sr->mounts);
        return reader_push(r, slot, SLOT_MOUNT);
}

static void on_mounts_end(reader *r, unsigned slot) {
        (void)slot;
        goslice_end(&((spec_reader *)r)->mounts);
}

static int on_mount(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        (void)s;
        (void)len;
        if (k != KIND_NULL && k != KIND_OBJECT)
                return reader_type_error(r, slot, k);
        if (sr->mounts.next >= NVCT_SPEC_MAX_MOUNTS)
                return reader_fail(r, "mounts has more than %u elements", NVCT_SPEC_MAX_MOUNTS);
        if (goslice_next(&sr->mounts) == NULL)
                return reader_fail(r, "out of memory");
        if (k == KIND_NULL)
                return 1; /* keeps the element as it was */
        sr->mount_index = sr->mounts.next - 1;
        return reader_push(r, slot, SLOT_SKIP);
}

/* A JSON string decoded as Go does, then cleaned as filepath.Clean does. */
static int cleaned_path(reader *r, unsigned slot, const char *s, size_t len, char **ret,
                        size_t *ret_len) {
        _cleanup_free_ char *raw = NULL;
        size_t raw_len = 0;
        if (reader_set_string(r, slot, &raw, &raw_len, s, len) == 0)
                return 0;
        *ret = nvct_go_clean_path(raw, raw_len, ret_len);
        return *ret != NULL ? 1 : reader_fail(r, "out of memory");
}

static int set_mount_source(spec_reader *sr, mount_item *m, const char *s, size_t len) {
        _cleanup_free_ char *clean = NULL;
        size_t clean_len = 0;
        if (cleaned_path(&sr->r, SLOT_MOUNT_SOURCE, s, len, &clean, &clean_len) == 0)
                return 0;
        m->source_is_dev_null =
                clean_len == strlen("/dev/null") && memcmp(clean, "/dev/null", clean_len) == 0;
        return 1;
}

static int set_mount_destination(spec_reader *sr, mount_item *m, const char *s, size_t len) {
        char *clean = NULL;
        size_t clean_len = 0;
        if (cleaned_path(&sr->r, SLOT_MOUNT_DESTINATION, s, len, &clean, &clean_len) == 0)
                return 0;
        if (m->destination != NULL)
                sr->kept_bytes -= m->destination_len;
        free(m->destination);
        m->destination = NULL;
        m->destination_len = 0;
        const char *prefix = sr->filter ? sr->filter->mount_prefix : NULL;
        if (prefix != NULL &&
            (clean_len < strlen(prefix) || memcmp(clean, prefix, strlen(prefix)) != 0)) {
                free(clean);
                m->destination_dropped = true;
                return 1;
        }
        if (add_kept(sr, clean_len) == 0) {
                free(clean);
                return 0;
        }
        m->destination_dropped = false;
        m->destination = clean;
        m->destination_len = clean_len;
        return 1;
}

/* mounts[].source and mounts[].destination. */
static int on_mount_path(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        spec_reader *sr = (spec_reader *)r;
        if (k == KIND_NULL)
                return 1;
        if (k != KIND_STRING)
                return reader_type_error(r, slot, k);
        /* Not read by the decision: type-checked, nothing more. */
        if (sr->filter != NULL && sr->filter->drop_mounts)
                return 1;
        mount_item *m = goslice_at(&sr->mounts, sr->mount_index);
        if (slot == SLOT_MOUNT_SOURCE)
                return set_mount_source(sr, m, s, len);
        return set_mount_destination(sr, m, s, len);
}

/* mounts[].type and mounts[].options[]: type-checked only. */
static int on_mount_string(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        (void)s;
        (void)len;
        if (k != KIND_NULL && k != KIND_STRING)
                return reader_type_error(r, slot, k);
        return 1;
}

static int on_mount_options(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        (void)s;
        (void)len;
        if (k == KIND_NULL)
                return 1;
        if (k != KIND_ARRAY)
                return reader_type_error(r, slot, k);
        return reader_push(r, slot, SLOT_MOUNT_OPTION);
}

static int add_dev_null_mount(spec_reader *sr, const mount_item *m) {
        if (!m->source_is_dev_null || m->destination_dropped)
                return 0;
        size_t cleaned_len = 1;
        _cleanup_free_ char *cleaned = m->destination
                                               ? nvct_memdup0(m->destination, m->destination_len)
                                               : strdup("."); /* Clean("") */
        if (cleaned == NULL)
                return nvct_error_make(sr->r.err, 0, "out of memory");
        if (m->destination)
                cleaned_len = m->destination_len;

        /* The arrays were sized for every mount before the first call. */
        nvct_spec *spec = &sr->spec;
        size_t n = spec->n_dev_null_mounts;
        spec->dev_null_mount_lens[n] = cleaned_len;
        spec->dev_null_mounts[n] = TAKE_PTR(cleaned);
        spec->n_dev_null_mounts = n + 1;
        return 0;
}

/* ---- the slots ---- */

static const slot_key spec_keys[] = { { "ociVersion", SLOT_VERSION },
                                      { "process", SLOT_PROCESS },
                                      { "root", SLOT_ROOT },
                                      { "mounts", SLOT_MOUNTS },
                                      { NULL, 0 } };
/* nvct_spec_filter.root_only: everything but root is skipped unread. */
static const slot_key spec_root_keys[] = { { "root", SLOT_ROOT }, { NULL, 0 } };
static const slot_key process_keys[] = { { "env", SLOT_ENV },
                                         { "capabilities", SLOT_CAPS },
                                         { NULL, 0 } };
static const slot_key root_keys[] = { { "path", SLOT_ROOT_PATH }, { NULL, 0 } };
static const slot_key mount_keys[] = { { "destination", SLOT_MOUNT_DESTINATION },
                                       { "type", SLOT_MOUNT_TYPE },
                                       { "source", SLOT_MOUNT_SOURCE },
                                       { "options", SLOT_MOUNT_OPTIONS },
                                       { NULL, 0 } };
static const slot_key caps_keys[] = {
        { "bounding", SLOT_CAPS_BOUNDING }, { "effective", SLOT_CAPS_SET },
        { "inheritable", SLOT_CAPS_SET },   { "permitted", SLOT_CAPS_SET },
        { "ambient", SLOT_CAPS_SET },       { NULL, 0 }
};

/* Each slot: its path (for messages), its handler, the fields it reads when
 * it holds an object, and what ends an array it holds. */
static const slot_def spec_slots[_SLOT_MAX] = {
        [SLOT_SKIP] = { "(ignored field)", reader_skip, NULL, NULL },
        [SLOT_SPEC] = { "OCI spec", on_spec, spec_keys, NULL },
        [SLOT_SPEC_ROOT_ONLY] = { "OCI spec", on_spec, spec_root_keys, NULL },
        [SLOT_VERSION] = { "ociVersion", on_version, NULL, NULL },
        [SLOT_PROCESS] = { "process", on_process, process_keys, NULL },
        [SLOT_ENV] = { "process.env", on_env, NULL, on_env_end },
        [SLOT_ENV_ITEM] = { "process.env[]", on_env_item, NULL, NULL },
        [SLOT_CAPS] = { "process.capabilities", on_caps, caps_keys, NULL },
        [SLOT_CAPS_LIST_ITEM] = { "process.capabilities[]", on_caps_list_item, NULL, NULL },
        [SLOT_CAPS_BOUNDING] = { "process.capabilities.bounding", on_caps_bounding, NULL,
                                 on_caps_bounding_end },
        [SLOT_CAPS_BOUNDING_ITEM] = { "process.capabilities.bounding[]", on_caps_bounding_item,
                                      NULL, NULL },
        [SLOT_CAPS_SET] = { "process.capabilities", on_caps_set, NULL, NULL },
        [SLOT_CAPS_SET_ITEM] = { "process.capabilities", on_caps_set_item, NULL, NULL },
        [SLOT_ROOT] = { "root", on_root, root_keys, NULL },
        [SLOT_ROOT_PATH] = { "root.path", on_root_path, NULL, NULL },
        [SLOT_MOUNTS] = { "mounts", on_mounts, NULL, on_mounts_end },
        [SLOT_MOUNT] = { "mounts[]", on_mount, mount_keys, NULL },
        [SLOT_MOUNT_SOURCE] = { "mounts[].source", on_mount_path, NULL, NULL },
        [SLOT_MOUNT_DESTINATION] = { "mounts[].destination", on_mount_path, NULL, NULL },
        [SLOT_MOUNT_TYPE] = { "mounts[].type", on_mount_string, NULL, NULL },
        [SLOT_MOUNT_OPTIONS] = { "mounts[].options", on_mount_options, NULL, NULL },
        [SLOT_MOUNT_OPTION] = { "mounts[].options[]", on_mount_string, NULL, NULL },
};

/* ---- the result ---- */

static void clear_mounts(nvct_spec *spec) {
        for (size_t i = 0; i < spec->n_dev_null_mounts; i++)
                free(spec->dev_null_mounts[i]);
        free(spec->dev_null_mounts);
        free(spec->dev_null_mount_lens);
        spec->dev_null_mounts = NULL;
        spec->dev_null_mount_lens = NULL;
        spec->n_dev_null_mounts = 0;
}

void nvct_spec_clear(nvct_spec *spec) {
        free(spec->version);
        nvct_env_clear(&spec->env);
        free(spec->root_path);
        clear_mounts(spec);
        free(spec->caps);
        *spec = (nvct_spec){ 0 };
}

static int finish_mounts(spec_reader *sr) {
        nvct_spec *spec = &sr->spec;
        if (sr->mounts.len > 0) {
                spec->dev_null_mounts = calloc(sr->mounts.len, sizeof(char *));
                spec->dev_null_mount_lens = calloc(sr->mounts.len, sizeof(size_t));
                if (spec->dev_null_mounts == NULL || spec->dev_null_mount_lens == NULL)
                        return nvct_error_make(sr->r.err, 0, "out of memory");
        }
        for (size_t i = 0; i < sr->mounts.len; i++)
                if (add_dev_null_mount(sr, goslice_at(&sr->mounts, i)) < 0)
                        return -1;
        return 0;
}

static int finish_caps(spec_reader *sr) {
        if (!sr->has_caps)
                return 0;
        for (size_t i = 0; i < sr->bounding.len; i++)
                if (((bounding_item *)goslice_at(&sr->bounding, i))->sys_admin)
                        sr->caps.object_sys_admin = true;
        sr->spec.caps = malloc(sizeof(*sr->spec.caps));
        if (sr->spec.caps == NULL)
                return nvct_error_make(sr->r.err, 0, "out of memory");
        *sr->spec.caps = sr->caps;
        return 0;
}

/* A string field the document did not set is "", never NULL. */
static int finish_string(spec_reader *sr, char **s) {
        if (*s == NULL && (*s = strdup("")) == NULL)
                return nvct_error_make(sr->r.err, 0, "out of memory");
        return 0;
}

static int spec_finish(spec_reader *sr) {
        const char *name = sr->r.name;
        nvct_error **err = sr->r.err;
        if (sr->top_is_null)
                return nvct_error_make(err, 0, "%s: the OCI spec is null", name);
        bool root_only = sr->filter != NULL && sr->filter->root_only;
        /* The reference's loadSpec checks, in its order. */
        if (!sr->has_version && !root_only)
                return nvct_error_make(err, 0, "%s: ociVersion is missing or null", name);
        if (!sr->has_process && !root_only)
                return nvct_error_make(err, 0, "%s: process is missing or null", name);
        if (!sr->has_root)
                return nvct_error_make(err, 0, "%s: root is missing or null", name);
        if (build_env(sr) < 0 || finish_mounts(sr) < 0 || finish_caps(sr) < 0)
                return -1;
        if (finish_string(sr, &sr->spec.version) < 0 || finish_string(sr, &sr->spec.root_path) < 0)
                return -1;
        return 0;
}

static void spec_reader_clear(spec_reader *sr) {
        reader_clear(&sr->r);
        goslice_nil(&sr->env);
        goslice_nil(&sr->mounts);
        goslice_nil(&sr->bounding);
        for (size_t i = 0; i < sr->n_kept; i++)
                free(sr->kept[i].s);
        free(sr->kept);
}

/* From fd (data NULL) or memory. */
static int spec_decode(int fd, const char *data, size_t len, const char *name,
                       const nvct_spec_filter *filter, nvct_spec *ret_spec, nvct_error **err) {
        /* The feed and the handlers share one error, and tell a failure by
         * it: a caller that passes none still needs one. */
        _cleanup_error_ nvct_error *local_err = NULL;
        if (err == NULL)
                err = &local_err;
        /* Security: the path comes from the state's bundle: quoted in every
         * message, so that a newline or an escape sequence in it prints as
         * text. */
        _cleanup_free_ char *quoted_name = nvct_quote_path(name);
        if (quoted_name == NULL)
                return nvct_error_make(err, 0, "out of memory");
        spec_reader sr = {
                .filter = filter,
                .env = GOSLICE_INIT(env_item, NULL),
                .mounts = GOSLICE_INIT(mount_item, free_mount_item),
                .bounding = GOSLICE_INIT(bounding_item, NULL),
        };
        bool root_only = filter != NULL && filter->root_only;
        reader_init(&sr.r, spec_slots, root_only ? SLOT_SPEC_ROOT_ONLY : SLOT_SPEC, quoted_name,
                    err);
        /* A regular file (checked by the caller): no deadline needed. */
        int r = data ? reader_parse_buffer(&sr.r, data, len)
                     : reader_parse_fd(&sr.r, fd, NVCT_SPEC_MAX_SIZE, -1);
        if (r >= 0)
                r = spec_finish(&sr);
        if (r < 0)
                nvct_spec_clear(&sr.spec);
        else
                *ret_spec = sr.spec;
        spec_reader_clear(&sr);
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

/* ---- isPrivileged ---- */

int nvct_spec_is_privileged(const nvct_spec *spec, const char *name, bool *ret_privileged,
                            nvct_error **err) {
        const struct nvct_spec_caps *caps = spec->caps;
        if (caps == NULL) {
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
        if (spec->version_len > 0)
                memcpy(v + 1, spec->version, spec->version_len);
        v[vlen] = '\0';
        int rc1 = nvct_go_semver_compare(v, vlen, "v1.0.0-rc1", strlen("v1.0.0-rc1"));
        int rc5 = nvct_go_semver_compare(v, vlen, "v1.0.0-rc5", strlen("v1.0.0-rc5"));
        if (rc1 >= 0 && rc5 < 0) {
                if (!caps->list_ok) {
                        _cleanup_free_ char *q = nvct_quote(v + 1, vlen - 1);
                        return nvct_error_make(err, 0,
                                               "%s: process.capabilities must be a list of "
                                               "strings for ociVersion %s",
                                               nvct_quoted(qname), q ? q : "");
                }
                *ret_privileged = caps->list_sys_admin;
                return 0;
        }
        if (!caps->object_ok)
                return nvct_error_make(err, 0,
                                       "%s: process.capabilities must be an object of "
                                       "capability lists (bounding, effective, ...)",
                                       nvct_quoted(qname));
        *ret_privileged = caps->object_sys_admin;
        return 0;
}
