/* SPDX-License-Identifier: Apache-2.0 */
/* The config.json editor (edit.h). Members are found by walking fixed paths
 * of keys; each key on a path carries the field order of its specs-go
 * struct, so that a member created is placed where json.Marshal puts it. */
#define _GNU_SOURCE
#include "edit.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/gocompat.h"
#include "basic/quote.h"
#include "basic/strcount.h"

/* An array whose entries are keyed by a string member (mounts by
 * destination, linux.devices by path), with the values of that member
 * counted: put_keyed and remove_first scan for an entry only when its value
 * is there, so that n puts into an array of m entries cost O(n + m), not
 * O(n * m). Counted on first use; dropped, and counted again when next
 * needed, when memory runs out. */
typedef struct keyed {
        const struct step *path;
        size_t n;
        const char *key;
        bool counted;
        nvct_strcount values;
} keyed;

struct nvct_oci_edit {
        char *path;
        char *qpath; /* quoted, for messages */
        mode_t mode;
        nvct_document_node *root;
        bool changed;
        size_t added;
        keyed mounts, devices;
};

/* An entry with key == value went into k's array (delta 1) or out (-1). */
static void keyed_note(keyed *k, const char *value, int delta);

/* specs-go's field orders (json.Marshal writes a struct's fields in order). */
static const char *const spec_order[] = { "ociVersion", "process", "root",    "hostname",
                                          "domainname", "mounts",  "hooks",   "annotations",
                                          "linux",      "solaris", "windows", "vm",
                                          "zos",        NULL };
static const char *const process_order[] = { "terminal",
                                             "consoleSize",
                                             "user",
                                             "args",
                                             "commandLine",
                                             "env",
                                             "cwd",
                                             "capabilities",
                                             "rlimits",
                                             "noNewPrivileges",
                                             "apparmorProfile",
                                             "oomScoreAdj",
                                             "scheduler",
                                             "selinuxLabel",
                                             "ioPriority",
                                             "execCPUAffinity",
                                             NULL };
static const char *const user_order[] = {
        "uid", "gid", "umask", "additionalGids", "username", NULL
};
static const char *const hooks_order[] = {
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
        NULL
};
static const char *const linux_order[] = { "uidMappings", "gidMappings",   "sysctl",
                                           "resources",   "cgroupsPath",   "namespaces",
                                           "devices",     "seccomp",       "rootfsPropagation",
                                           "maskedPaths", "readonlyPaths", "mountLabel",
                                           "intelRdt",    "personality",   "timeOffsets",
                                           NULL };
static const char *const resources_order[] = { "devices", "memory",  "cpu",
                                               "pids",    "blockIO", "hugepageLimits",
                                               "network", "rdma",    "unified",
                                               NULL };

/* One step of a path: a key, and the order of the object that holds it. */
typedef struct step {
        const char *key;
        const char *const *order;
} step;

#define STEP(k, o)                                                                                 \
        { k, o }
#define N(a) (sizeof(a) / sizeof((a)[0]))
static const step p_env[] = { STEP("process", spec_order), STEP("env", process_order) };
static const step p_annotations[] = { STEP("annotations", spec_order) };
static const step p_mounts[] = { STEP("mounts", spec_order) };
static const step p_devices[] = { STEP("linux", spec_order), STEP("devices", linux_order) };
static const step p_rules[] = { STEP("linux", spec_order), STEP("resources", linux_order),
                                STEP("devices", resources_order) };
static const step p_gids[] = { STEP("process", spec_order), STEP("user", process_order),
                               STEP("additionalGids", user_order) };

const char *nvct_oci_hook_kind_name(nvct_oci_hook_kind kind) {
        return (unsigned)kind < NVCT_OCI_HOOK_KIND_COUNT ? hooks_order[kind] : "(unknown)";
}

static int edit_error(const nvct_oci_edit *e, int errno_, const char *field, const char *what,
                      nvct_error **err) {
        return nvct_error_make(err, errno_, "%s: %s: %s", nvct_quoted(e->qpath), field, what);
}

/* The path's text ("linux.resources.devices"), for messages. */
static void path_text(const step *path, size_t n, char *buf, size_t size) {
        size_t used = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < n && used < size; i++) {
                int r = snprintf(buf + used, size - used, "%s%s", i ? "." : "", path[i].key);
                if (r < 0)
                        break;
                used += (size_t)r;
        }
}

/* Walks a path. *ret NULL when a member on it is absent or null; an object
 * above or the last member of another kind than `kind` is an error. */
static int lookup(const nvct_oci_edit *e, const step *path, size_t n, nvct_document_kind kind,
                  nvct_document_node **ret, nvct_error **err) {
        nvct_document_node *node = e->root;
        for (size_t i = 0; i < n; i++) {
                node = nvct_document_object_get(node, path[i].key);
                if (node == NULL || nvct_document_kind_of(node) == NVCT_DOCUMENT_NULL) {
                        *ret = NULL;
                        return 0;
                }
                nvct_document_kind want = i + 1 == n ? kind : NVCT_DOCUMENT_OBJECT;
                if (nvct_document_kind_of(node) != want) {
                        char field[128], what[64];
                        path_text(path, i + 1, field, sizeof(field));
                        snprintf(what, sizeof(what), "an %s expected, not a %s",
                                 nvct_document_kind_name(want),
                                 nvct_document_kind_name(nvct_document_kind_of(node)));
                        return edit_error(e, 0, field, what, err);
                }
        }
        *ret = node;
        return 0;
}

static ssize_t rank(const char *const *order, const char *key) {
        for (size_t i = 0; order[i] != NULL; i++)
                if (strcmp(order[i], key) == 0)
                        return (ssize_t)i;
        return -1;
}

/* Where a new member `key` goes in obj: after the last member that comes
 * before it in `order`; with none, before the first that comes after it;
 * with neither, last. */
static size_t insert_position(const nvct_document_node *obj, const char *key,
                              const char *const *order) {
        ssize_t r = rank(order, key);
        size_t n = nvct_document_object_size(obj), after = SIZE_MAX, before = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
                ssize_t ri = rank(order, nvct_document_object_key(obj, i, NULL));
                if (ri < 0)
                        continue;
                if (ri < r)
                        after = i;
                else if (before == SIZE_MAX)
                        before = i;
        }
        if (after != SIZE_MAX)
                return after + 1;
        return before != SIZE_MAX ? before : n;
}

/* lookup, creating what is absent or null: objects above, `kind` at the
 * end. */
static int ensure(nvct_oci_edit *e, const step *path, size_t n, nvct_document_kind kind,
                  nvct_document_node **ret, nvct_error **err) {
        nvct_document_node *node;
        if (lookup(e, path, n, kind, &node, err) < 0)
                return -1;
        if (node != NULL) {
                *ret = node;
                return 0;
        }
        nvct_document_node *obj = e->root;
        for (size_t i = 0; i < n; i++) {
                nvct_document_kind want = i + 1 == n ? kind : NVCT_DOCUMENT_OBJECT;
                const char *key = path[i].key;
                nvct_document_node *child = nvct_document_object_get(obj, key);
                if (child != NULL && nvct_document_kind_of(child) != NVCT_DOCUMENT_NULL) {
                        obj = child;
                        continue;
                }
                nvct_document_node *fresh = want == NVCT_DOCUMENT_OBJECT
                                                    ? nvct_document_new_object()
                                                    : nvct_document_new_array();
                if (fresh == NULL)
                        return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
                /* A null member becomes the container in place, keeping its
                 * position (Go reads null as absent); an absent one goes
                 * where the runtime spec's field order puts it, in place:
                 * a failure (no memory) leaves obj as it was. */
                size_t pos = child != NULL ? SIZE_MAX : insert_position(obj, key, path[i].order);
                if (nvct_document_object_insert(obj, pos, key, strlen(key), fresh, &child, err) < 0)
                        return nvct_error_prefix(err, "%s", nvct_quoted(e->qpath));
                e->changed = true;
                obj = child;
        }
        *ret = obj;
        return 0;
}

int nvct_oci_edit_load(const char *bundle, nvct_oci_edit **ret_edit, nvct_error **err) {
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/config.json", bundle) < 0)
                return nvct_error_make(err, ENOMEM, "config.json");
        _cleanup_free_ char *qpath = nvct_quote_path(path);
        _cleanup_close_ int fd = -1;
        size_t size;
        if (nvct_open_regular(path, "OCI spec", NVCT_OCI_EDIT_MAX_SIZE, false, &fd, &size, err) < 0)
                return -1;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return nvct_error_make(err, errno, "%s: fstat", nvct_quoted(qpath));
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (nvct_read_opened(fd, path, "OCI spec", size, NVCT_OCI_EDIT_MAX_SIZE, &data, &len, err) <
            0)
                return -1;
        nvct_document_options opts = {
                .mode = NVCT_DOCUMENT_GO,
                .max_size = NVCT_OCI_EDIT_MAX_SIZE,
                .max_depth = NVCT_DOCUMENT_GO_MAX_DEPTH,
        };
        _cleanup_document_ nvct_document_node *root = NULL;
        if (nvct_document_parse(data, len, NVCT_DOCUMENT_JSON, path, &opts, &root, err) < 0)
                return -1;
        if (nvct_document_kind_of(root) != NVCT_DOCUMENT_OBJECT)
                return nvct_error_make(err, 0, "%s: an object expected, not a %s",
                                       nvct_quoted(qpath),
                                       nvct_document_kind_name(nvct_document_kind_of(root)));
        nvct_oci_edit *e = calloc(1, sizeof(*e));
        if (e == NULL)
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(qpath));
        e->path = TAKE_PTR(path);
        e->qpath = TAKE_PTR(qpath);
        e->mode = st.st_mode & 07777;
        e->root = TAKE_PTR(root);
        e->mounts = (keyed){ .path = p_mounts, .n = N(p_mounts), .key = "destination" };
        e->devices = (keyed){ .path = p_devices, .n = N(p_devices), .key = "path" };
        *ret_edit = e;
        return 0;
}

void nvct_oci_edit_free(nvct_oci_edit *edit) {
        if (edit == NULL)
                return;
        nvct_document_free(edit->root);
        nvct_strcount_clear(&edit->mounts.values);
        nvct_strcount_clear(&edit->devices.values);
        free(edit->path);
        free(edit->qpath);
        free(edit);
}

const char *nvct_oci_edit_path(const nvct_oci_edit *edit) {
        return edit->path;
}
const nvct_document_node *nvct_oci_edit_root(const nvct_oci_edit *edit) {
        return edit->root;
}
bool nvct_oci_edit_changed(const nvct_oci_edit *edit) {
        return edit->changed;
}

static int get(const nvct_oci_edit *e, const step *path, size_t n, nvct_document_kind kind,
               const nvct_document_node **ret_node, nvct_error **err) {
        nvct_document_node *node;
        if (lookup(e, path, n, kind, &node, err) < 0)
                return -1;
        *ret_node = node;
        return 0;
}

int nvct_oci_edit_env(const nvct_oci_edit *e, const nvct_document_node **ret, nvct_error **err) {
        return get(e, p_env, N(p_env), NVCT_DOCUMENT_ARRAY, ret, err);
}
int nvct_oci_edit_annotations(const nvct_oci_edit *e, const nvct_document_node **ret,
                              nvct_error **err) {
        return get(e, p_annotations, N(p_annotations), NVCT_DOCUMENT_OBJECT, ret, err);
}
int nvct_oci_edit_mounts(const nvct_oci_edit *e, const nvct_document_node **ret, nvct_error **err) {
        return get(e, p_mounts, N(p_mounts), NVCT_DOCUMENT_ARRAY, ret, err);
}
int nvct_oci_edit_devices(const nvct_oci_edit *e, const nvct_document_node **ret,
                          nvct_error **err) {
        return get(e, p_devices, N(p_devices), NVCT_DOCUMENT_ARRAY, ret, err);
}
int nvct_oci_edit_device_rules(const nvct_oci_edit *e, const nvct_document_node **ret,
                               nvct_error **err) {
        return get(e, p_rules, N(p_rules), NVCT_DOCUMENT_ARRAY, ret, err);
}
int nvct_oci_edit_additional_gids(const nvct_oci_edit *e, const nvct_document_node **ret,
                                  nvct_error **err) {
        return get(e, p_gids, N(p_gids), NVCT_DOCUMENT_ARRAY, ret, err);
}

static int hooks_path(nvct_oci_hook_kind kind, step path[2]) {
        if ((unsigned)kind >= NVCT_OCI_HOOK_KIND_COUNT)
                return -1;
        path[0] = (step)STEP("hooks", spec_order);
        path[1] = (step)STEP(hooks_order[kind], hooks_order);
        return 0;
}

int nvct_oci_edit_hooks(const nvct_oci_edit *e, nvct_oci_hook_kind kind,
                        const nvct_document_node **ret, nvct_error **err) {
        step path[2];
        if (hooks_path(kind, path) < 0)
                return edit_error(e, EINVAL, "hooks", "no such hook kind", err);
        return get(e, path, 2, NVCT_DOCUMENT_ARRAY, ret, err);
}

/* Security: every mutation that adds counts against one bound. */
/* One more entry added to the array at `path`; the field's name is made
 * only for the error. */
static int count_added(nvct_oci_edit *e, const step *path, size_t n, nvct_error **err) {
        if (e->added >= NVCT_OCI_EDIT_MAX_ADDED) {
                char field[128];
                path_text(path, n, field, sizeof(field));
                return edit_error(e, E2BIG, field, "too many entries added (at most 4096)", err);
        }
        e->added++;
        return 0;
}

static int check_string(const nvct_oci_edit *e, const char *field, const char *s,
                        nvct_error **err) {
        if (s == NULL)
                return edit_error(e, EINVAL, field, "missing", err);
        if (strnlen(s, NVCT_OCI_EDIT_MAX_STRING + 1u) > NVCT_OCI_EDIT_MAX_STRING)
                return edit_error(e, E2BIG, field, "longer than 131072 bytes", err);
        return 0;
}

/* Sets key to a new string in a standalone object being built. */
static int put_string(const nvct_oci_edit *e, nvct_document_node *obj, const char *key,
                      const char *s, nvct_error **err) {
        if (check_string(e, key, s, err) < 0)
                return -1;
        nvct_document_node *v = nvct_document_new_string(s, strlen(s));
        if (v == NULL)
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
        return nvct_document_object_set(obj, key, strlen(key), v, NULL, err);
}

static int put_int(const nvct_oci_edit *e, nvct_document_node *obj, const char *key, int64_t n,
                   nvct_error **err) {
        char text[32];
        int len = snprintf(text, sizeof(text), "%" PRId64, n);
        nvct_document_node *v = nvct_document_new_number(text, (size_t)len);
        if (v == NULL)
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
        return nvct_document_object_set(obj, key, strlen(key), v, NULL, err);
}

static int put_strv(const nvct_oci_edit *e, nvct_document_node *obj, const char *key,
                    const char *const *strv, nvct_error **err) {
        if (strv == NULL)
                return 0;
        _cleanup_document_ nvct_document_node *a = nvct_document_new_array();
        if (a == NULL)
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
        for (size_t i = 0; strv[i] != NULL; i++) {
                if (i >= NVCT_OCI_EDIT_MAX_STRV)
                        return edit_error(e, E2BIG, key, "more than 1024 items", err);
                if (check_string(e, key, strv[i], err) < 0)
                        return -1;
                nvct_document_node *v = nvct_document_new_string(strv[i], strlen(strv[i]));
                if (v == NULL)
                        return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
                if (nvct_document_array_append(a, v, NULL, err) < 0)
                        return -1;
        }
        return nvct_document_object_set(obj, key, strlen(key), TAKE_PTR(a), NULL, err);
}

/* Appends a built entry (standalone, taken over) to the array at path. */
static int append_at(nvct_oci_edit *e, const step *path, size_t n, nvct_document_node *entry,
                     nvct_error **err) {
        _cleanup_document_ nvct_document_node *v = entry;
        if (count_added(e, path, n, err) < 0)
                return -1;
        nvct_document_node *array = NULL;
        if (ensure(e, path, n, NVCT_DOCUMENT_ARRAY, &array, err) < 0)
                return -1;
        if (nvct_document_array_append(array, TAKE_PTR(v), NULL, err) < 0)
                return -1;
        e->changed = true;
        return 0;
}

int nvct_oci_edit_set_env(nvct_oci_edit *e, const char *entry, nvct_error **err) {
        if (check_string(e, "process.env", entry, err) < 0)
                return -1;
        const char *eq = strchr(entry, '=');
        if (eq == NULL || eq == entry)
                return edit_error(e, EINVAL, "process.env", "an entry must be NAME=VALUE", err);
        size_t name_len = (size_t)(eq - entry) + 1, len = strlen(entry);
        nvct_document_node *env;
        if (lookup(e, p_env, N(p_env), NVCT_DOCUMENT_ARRAY, &env, err) < 0)
                return -1;
        bool found = false;
        for (size_t i = 0; i < nvct_document_array_size(env); i++) {
                nvct_document_node *item = nvct_document_array_get(env, i);
                size_t ilen;
                const char *text = nvct_document_text(item, &ilen);
                if (nvct_document_kind_of(item) != NVCT_DOCUMENT_STRING || ilen < name_len ||
                    memcmp(text, entry, name_len) != 0)
                        continue;
                found = true;
                if (ilen == len && memcmp(text, entry, len) == 0)
                        continue;
                if (nvct_document_set_string(item, entry, len, err) < 0)
                        return -1;
                e->changed = true;
        }
        if (found)
                return 0;
        nvct_document_node *v = nvct_document_new_string(entry, len);
        if (v == NULL)
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
        return append_at(e, p_env, N(p_env), v, err);
}

/* A mount entry, standalone (*ret_obj the caller's). */
static int build_mount(const nvct_oci_edit *e, const nvct_oci_mount *m,
                       nvct_document_node **ret_obj, nvct_error **err) {
        _cleanup_document_ nvct_document_node *obj = nvct_document_new_object();
        if (obj == NULL)
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
        if (put_string(e, obj, "destination", m->destination, err) < 0 ||
            (m->type != NULL && put_string(e, obj, "type", m->type, err) < 0) ||
            (m->source != NULL && put_string(e, obj, "source", m->source, err) < 0) ||
            put_strv(e, obj, "options", m->options, err) < 0)
                return nvct_error_prefix(err, "mounts");
        *ret_obj = TAKE_PTR(obj);
        return 0;
}

int nvct_oci_edit_add_mount(nvct_oci_edit *e, const nvct_oci_mount *m, nvct_error **err) {
        nvct_document_node *obj = NULL;
        if (build_mount(e, m, &obj, err) < 0 || append_at(e, p_mounts, N(p_mounts), obj, err) < 0)
                return -1;
        keyed_note(&e->mounts, m->destination, 1);
        return 0;
}

/* A linux.devices entry, standalone (*ret_obj the caller's). */
static int build_device(const nvct_oci_edit *e, const nvct_oci_device *d,
                        nvct_document_node **ret_obj, nvct_error **err) {
        if (d->type != 'c' && d->type != 'b' && d->type != 'u' && d->type != 'p')
                return edit_error(e, EINVAL, "linux.devices", "type must be c, b, u or p", err);
        if (d->major < 0 || d->minor < 0)
                return edit_error(e, EINVAL, "linux.devices", "a negative major or minor", err);
        if (d->file_mode > UINT32_MAX || d->uid > UINT32_MAX || d->gid > UINT32_MAX)
                return edit_error(e, ERANGE, "linux.devices",
                                  "fileMode, uid and gid must fit in 32 bits", err);
        _cleanup_document_ nvct_document_node *obj = nvct_document_new_object();
        if (obj == NULL)
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
        char type[2] = { d->type, '\0' };
        if (put_string(e, obj, "path", d->path, err) < 0 ||
            put_string(e, obj, "type", type, err) < 0 ||
            put_int(e, obj, "major", d->major, err) < 0 ||
            put_int(e, obj, "minor", d->minor, err) < 0 ||
            (d->file_mode >= 0 && put_int(e, obj, "fileMode", d->file_mode, err) < 0) ||
            (d->uid >= 0 && put_int(e, obj, "uid", d->uid, err) < 0) ||
            (d->gid >= 0 && put_int(e, obj, "gid", d->gid, err) < 0))
                return nvct_error_prefix(err, "linux.devices");
        *ret_obj = TAKE_PTR(obj);
        return 0;
}

int nvct_oci_edit_add_device(nvct_oci_edit *e, const nvct_oci_device *d, nvct_error **err) {
        nvct_document_node *obj = NULL;
        if (build_device(e, d, &obj, err) < 0 ||
            append_at(e, p_devices, N(p_devices), obj, err) < 0)
                return -1;
        keyed_note(&e->devices, d->path, 1);
        return 0;
}

int nvct_oci_edit_add_device_rule(nvct_oci_edit *e, const nvct_oci_device_rule *r,
                                  nvct_error **err) {
        if (r->access != NULL && strspn(r->access, "rwm") != strlen(r->access))
                return edit_error(e, EINVAL, "linux.resources.devices",
                                  "access must be made of r, w and m", err);
        _cleanup_document_ nvct_document_node *obj = nvct_document_new_object();
        nvct_document_node *allow = nvct_document_new_bool(r->allow);
        if (obj == NULL || allow == NULL) {
                nvct_document_free(allow);
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
        }
        if (nvct_document_object_set(obj, "allow", 5, allow, NULL, err) < 0 ||
            (r->type != NULL && put_string(e, obj, "type", r->type, err) < 0) ||
            (r->major >= 0 && put_int(e, obj, "major", r->major, err) < 0) ||
            (r->minor >= 0 && put_int(e, obj, "minor", r->minor, err) < 0) ||
            (r->access != NULL && put_string(e, obj, "access", r->access, err) < 0))
                return nvct_error_prefix(err, "linux.resources.devices");
        return append_at(e, p_rules, N(p_rules), TAKE_PTR(obj), err);
}

int nvct_oci_edit_add_hook(nvct_oci_edit *e, nvct_oci_hook_kind kind, const nvct_oci_hook *h,
                           nvct_error **err) {
        step path[2];
        if (hooks_path(kind, path) < 0)
                return edit_error(e, EINVAL, "hooks", "no such hook kind", err);
        _cleanup_document_ nvct_document_node *obj = nvct_document_new_object();
        if (obj == NULL)
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
        if (put_string(e, obj, "path", h->path, err) < 0 ||
            put_strv(e, obj, "args", h->args, err) < 0 ||
            put_strv(e, obj, "env", h->env, err) < 0 ||
            (h->timeout >= 0 && put_int(e, obj, "timeout", h->timeout, err) < 0))
                return nvct_error_prefix(err, "hooks.%s", path[1].key);
        return append_at(e, path, 2, TAKE_PTR(obj), err);
}

const char *nvct_oci_hook_path(const nvct_document_node *hook) {
        nvct_document_node *p = nvct_document_object_get(hook, "path");
        return p != NULL && nvct_document_kind_of(p) == NVCT_DOCUMENT_STRING
                       ? nvct_document_text(p, NULL)
                       : NULL;
}

bool nvct_oci_hook_has_basename(const nvct_document_node *hook, void *basename) {
        const char *path = nvct_oci_hook_path(hook);
        if (path == NULL)
                return false;
        const char *slash = strrchr(path, '/');
        return strcmp(slash != NULL ? slash + 1 : path, (const char *)basename) == 0;
}

int nvct_oci_edit_remove_hooks(nvct_oci_edit *e, nvct_oci_hook_kind kind,
                               bool (*match)(const nvct_document_node *hook, void *userdata),
                               void *userdata, size_t *ret_removed, nvct_error **err) {
        step path[2];
        if (hooks_path(kind, path) < 0)
                return edit_error(e, EINVAL, "hooks", "no such hook kind", err);
        nvct_document_node *hooks;
        if (lookup(e, path, 2, NVCT_DOCUMENT_ARRAY, &hooks, err) < 0)
                return -1;
        size_t removed = 0;
        if (hooks == NULL)
                goto done;
        /* Backwards: removing an item moves only those after it. */
        for (size_t i = nvct_document_array_size(hooks); i-- > 0;) {
                if (match(nvct_document_array_get(hooks, i), userdata)) {
                        nvct_document_array_remove(hooks, i);
                        removed++;
                }
        }
        if (removed > 0)
                e->changed = true;
done:
        if (ret_removed != NULL)
                *ret_removed = removed;
        return 0;
}

int nvct_oci_edit_add_gid(nvct_oci_edit *e, uint32_t gid, nvct_error **err) {
        nvct_document_node *gids;
        if (lookup(e, p_gids, N(p_gids), NVCT_DOCUMENT_ARRAY, &gids, err) < 0)
                return -1;
        char text[16];
        int len = snprintf(text, sizeof(text), "%" PRIu32, gid);
        for (size_t i = 0; i < nvct_document_array_size(gids); i++) {
                nvct_document_node *item = nvct_document_array_get(gids, i);
                size_t ilen;
                const char *t = nvct_document_text(item, &ilen);
                if (nvct_document_kind_of(item) == NVCT_DOCUMENT_NUMBER && ilen == (size_t)len &&
                    memcmp(t, text, ilen) == 0)
                        return 0;
        }
        nvct_document_node *v = nvct_document_new_number(text, (size_t)len);
        if (v == NULL)
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
        return append_at(e, p_gids, N(p_gids), v, err);
}

int nvct_oci_edit_write(nvct_oci_edit *e, nvct_error **err) {
        if (!e->changed)
                return 0;
        _cleanup_free_ char *data = NULL;
        size_t len;
        /* Go's escapes: a config.json from a Go engine (Docker, containerd,
         * Podman, CRI-O) comes back byte for byte where it was not changed. */
        if (nvct_document_write(e->root, NVCT_DOCUMENT_JSON, NVCT_DOCUMENT_GO_ESCAPES, &data, &len,
                                err) < 0)
                return nvct_error_prefix(err, "%s", nvct_quoted(e->qpath));
        /* Atomic, not durable: runc must never read half a file, but the
         * bundle does not outlive a crash (the engine recreates it), so the
         * two fsyncs of a durable write would only slow every create. */
        if (nvct_write_file_replace(e->path, data, len, e->mode, err) < 0)
                return -1;
        e->changed = false;
        return 0;
}

/* ---- entries keyed by a string member (devices by path, mounts by
 * destination), as runtime-tools' generator edits them for the CDI
 * reference ---- */

/* Whether `entry` is an object whose member `key` is the string `value`
 * (bytes and length: a JSON string may hold NUL). */
static bool entry_has(const nvct_document_node *entry, const char *key, const char *value) {
        nvct_document_node *m = nvct_document_object_get(entry, key);
        size_t len;
        const char *text = nvct_document_text(m, &len);
        return m != NULL && nvct_document_kind_of(m) == NVCT_DOCUMENT_STRING &&
               len == strlen(value) && memcmp(text, value, len) == 0;
}

/* The index of the first entry of `array` at or after `from` with
 * key == value; SIZE_MAX when none. */
static size_t find_entry(const nvct_document_node *array, size_t from, const char *key,
                         const char *value) {
        size_t n = nvct_document_array_size(array);
        for (size_t i = from; i < n; i++)
                if (entry_has(nvct_document_array_get(array, i), key, value))
                        return i;
        return SIZE_MAX;
}

/* How many entries of k's array (`array`, not NULL) have key == value. */
static int keyed_count(const nvct_oci_edit *e, keyed *k, const nvct_document_node *array,
                       const char *value, size_t *ret_count, nvct_error **err) {
        for (size_t i = 0; !k->counted && i < nvct_document_array_size(array); i++) {
                nvct_document_node *m =
                        nvct_document_object_get(nvct_document_array_get(array, i), k->key);
                size_t len;
                const char *text = nvct_document_text(m, &len);
                if (m == NULL || nvct_document_kind_of(m) != NVCT_DOCUMENT_STRING)
                        continue;
                if (nvct_strcount_add(&k->values, text, len, 1) < 0) {
                        nvct_strcount_clear(&k->values);
                        return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
                }
        }
        k->counted = true;
        *ret_count = nvct_strcount_get(&k->values, value, strlen(value));
        return 0;
}

static void keyed_note(keyed *k, const char *value, int delta) {
        if (k->counted && nvct_strcount_add(&k->values, value, strlen(value), delta) < 0) {
                /* Counted again from the array when next needed. */
                nvct_strcount_clear(&k->values);
                k->counted = false;
        }
}

static int remove_first(nvct_oci_edit *e, keyed *k, const char *value, bool *ret_removed,
                        nvct_error **err) {
        nvct_document_node *array;
        size_t have = 0;
        if (lookup(e, k->path, k->n, NVCT_DOCUMENT_ARRAY, &array, err) < 0 ||
            (array != NULL && keyed_count(e, k, array, value, &have, err) < 0))
                return -1;
        size_t i = have > 0 ? find_entry(array, 0, k->key, value) : SIZE_MAX;
        if (i != SIZE_MAX) {
                nvct_document_array_remove(array, i);
                keyed_note(k, value, -1);
                e->changed = true;
        }
        if (ret_removed != NULL)
                *ret_removed = i != SIZE_MAX;
        return 0;
}

/* Remove(value) then Add(entry), as the generator does: the first entry
 * with key == value goes; then, when `replace_next`, the entry replaces the
 * next one with that key (AddDevice), else it is appended. Re-applying what
 * is already the last entry changes nothing, so that a config.json edited
 * twice the same way is not rewritten. `entry` is taken over. */
static int put_keyed(nvct_oci_edit *e, keyed *k, const char *value, bool replace_next,
                     nvct_document_node *entry, nvct_error **err) {
        _cleanup_document_ nvct_document_node *v = entry;
        nvct_document_node *array;
        size_t have = 0;
        if (lookup(e, k->path, k->n, NVCT_DOCUMENT_ARRAY, &array, err) < 0 ||
            (array != NULL && keyed_count(e, k, array, value, &have, err) < 0))
                return -1;
        size_t i = have > 0 ? find_entry(array, 0, k->key, value) : SIZE_MAX;
        size_t j = i != SIZE_MAX && replace_next && have > 1
                           ? find_entry(array, i + 1, k->key, value)
                           : SIZE_MAX;
        if (i != SIZE_MAX && j == SIZE_MAX && i + 1 == nvct_document_array_size(array) &&
            nvct_document_equal(nvct_document_array_get(array, i), v))
                return 0;
        if (i != SIZE_MAX) {
                nvct_document_array_remove(array, i);
                keyed_note(k, value, -1);
                e->changed = true;
        }
        if (j == SIZE_MAX) {
                if (append_at(e, k->path, k->n, TAKE_PTR(v), err) < 0)
                        return -1;
                keyed_note(k, value, 1);
                return 0;
        }
        if (count_added(e, k->path, k->n, err) < 0)
                return -1;
        /* j moved down by one with the removal of i. */
        nvct_document_array_remove(array, j - 1);
        keyed_note(k, value, -1);
        if (nvct_document_array_insert(array, j - 1, TAKE_PTR(v), NULL, err) < 0)
                return -1;
        keyed_note(k, value, 1);
        return 0;
}

int nvct_oci_edit_remove_device(nvct_oci_edit *e, const char *path, bool *ret_removed,
                                nvct_error **err) {
        if (check_string(e, "linux.devices", path, err) < 0)
                return -1;
        return remove_first(e, &e->devices, path, ret_removed, err);
}

int nvct_oci_edit_put_device(nvct_oci_edit *e, const nvct_oci_device *d, nvct_error **err) {
        nvct_document_node *obj = NULL;
        if (build_device(e, d, &obj, err) < 0)
                return -1;
        return put_keyed(e, &e->devices, d->path, true, obj, err);
}

int nvct_oci_edit_remove_mount(nvct_oci_edit *e, const char *destination, bool *ret_removed,
                               nvct_error **err) {
        if (check_string(e, "mounts", destination, err) < 0)
                return -1;
        return remove_first(e, &e->mounts, destination, ret_removed, err);
}

int nvct_oci_edit_put_mount(nvct_oci_edit *e, const nvct_oci_mount *m, nvct_error **err) {
        nvct_document_node *obj = NULL;
        if (build_mount(e, m, &obj, err) < 0)
                return -1;
        return put_keyed(e, &e->mounts, m->destination, false, obj, err);
}

typedef struct ranked {
        size_t depth, index;
} ranked;

static int cmp_ranked(const void *a, const void *b) {
        const ranked *x = a, *y = b;
        if (x->depth != y->depth)
                return x->depth < y->depth ? -1 : 1;
        return x->index < y->index ? -1 : x->index > y->index;
}

/* The '/'s of filepath.Clean(destination): "" (absent, or not a string, as
 * Go would have left it) cleans to "." and counts 0. */
static int mount_depth(const nvct_oci_edit *e, const nvct_document_node *mount, size_t *ret_depth,
                       nvct_error **err) {
        nvct_document_node *d = nvct_document_object_get(mount, "destination");
        size_t len = 0;
        const char *text = d != NULL && nvct_document_kind_of(d) == NVCT_DOCUMENT_STRING
                                   ? nvct_document_text(d, &len)
                                   : "";
        _cleanup_free_ char *clean = nvct_go_clean_path(text, len, &len);
        if (clean == NULL)
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
        size_t depth = 0;
        for (size_t i = 0; i < len; i++)
                depth += clean[i] == '/';
        *ret_depth = depth;
        return 0;
}

int nvct_oci_edit_sort_mounts(nvct_oci_edit *e, nvct_error **err) {
        nvct_document_node *mounts;
        if (lookup(e, p_mounts, N(p_mounts), NVCT_DOCUMENT_ARRAY, &mounts, err) < 0)
                return -1;
        size_t n = nvct_document_array_size(mounts);
        if (mounts == NULL || n < 2)
                return 0;
        _cleanup_free_ ranked *order = calloc(n, sizeof(*order));
        if (order == NULL)
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
        for (size_t i = 0; i < n; i++) {
                order[i].index = i;
                if (mount_depth(e, nvct_document_array_get(mounts, i), &order[i].depth, err) < 0)
                        return -1;
        }
        /* The index breaks ties: a stable sort, as sort.Stable. */
        qsort(order, n, sizeof(*order), cmp_ranked);
        size_t first = 0;
        while (first < n && order[first].index == first)
                first++;
        if (first == n)
                return 0;
        _cleanup_free_ size_t *positions = calloc(n, sizeof(*positions));
        if (positions == NULL)
                return nvct_error_make(err, ENOMEM, "%s", nvct_quoted(e->qpath));
        for (size_t i = 0; i < n; i++)
                positions[i] = order[i].index;
        if (nvct_document_array_permute(mounts, positions, n, err) < 0)
                return -1;
        e->changed = true;
        return 0;
}

/* process.user.uid or .gid as encoding/json reads it into a uint32: absent
 * or null is 0; anything but a decimal integer in range is an error. */
static int user_id(const nvct_oci_edit *e, const nvct_document_node *user, const char *key,
                   uint32_t *ret, nvct_error **err) {
        nvct_document_node *v = user != NULL ? nvct_document_object_get(user, key) : NULL;
        if (v == NULL || nvct_document_kind_of(v) == NVCT_DOCUMENT_NULL) {
                *ret = 0;
                return 0;
        }
        char field[32];
        snprintf(field, sizeof(field), "process.user.%s", key);
        size_t len;
        const char *text = nvct_document_text(v, &len);
        if (nvct_document_kind_of(v) != NVCT_DOCUMENT_NUMBER)
                return edit_error(e, 0, field, "a number expected", err);
        uint64_t n = 0;
        bool ok = len > 0 && len <= 10;
        for (size_t i = 0; ok && i < len; i++) {
                ok = text[i] >= '0' && text[i] <= '9';
                n = n * 10 + (uint64_t)(text[i] - '0');
        }
        if (!ok || n > UINT32_MAX) {
                _cleanup_free_ char *q = nvct_quote(text, len);
                char what[160];
                snprintf(what, sizeof(what), "%s is not a 32-bit unsigned integer", nvct_quoted(q));
                return edit_error(e, 0, field, what, err);
        }
        *ret = (uint32_t)n;
        return 0;
}

int nvct_oci_edit_user_ids(const nvct_oci_edit *e, uint32_t *ret_uid, uint32_t *ret_gid,
                           nvct_error **err) {
        static const step p_user[] = { STEP("process", spec_order), STEP("user", process_order) };
        nvct_document_node *user;
        uint32_t uid = 0, gid = 0;
        if (lookup(e, p_user, N(p_user), NVCT_DOCUMENT_OBJECT, &user, err) < 0 ||
            user_id(e, user, "uid", &uid, err) < 0 || user_id(e, user, "gid", &gid, err) < 0)
                return -1;
        *ret_uid = uid;
        *ret_gid = gid;
        return 0;
}
