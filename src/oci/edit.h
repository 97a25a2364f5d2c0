/* SPDX-License-Identifier: Apache-2.0 */
/* The config.json editor: what nvidia-container-runtime changes in a bundle's
 * config.json on `create`, over the document tree in Go mode (bytes, number
 * text and member order kept), so that everything it does not change is
 * written back exactly as it was.
 *
 * A member that does not exist is created where Go's json.Marshal of
 * runtime-spec's specs-go structs would put it (their field order), after
 * the members that come before it; members the editor does not know stay
 * where they are. Writing is atomic, keeps the file's mode, is compact, and
 * happens only when something changed: an untouched config.json is not
 * rewritten at all.
 *
 * Every function fails with one message naming the file (quoted) and the
 * field ("process.env[2]"); a NULL err is allowed. Not thread-safe. */
#ifndef NVCT_OCI_EDIT_H
#define NVCT_OCI_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"
#include "document/document.h"

/* The largest config.json loaded (the hook's bound, NVCT_SPEC_MAX_SIZE). */
#define NVCT_OCI_EDIT_MAX_SIZE (64u << 20)
/* Security: at most this many entries added (env, mounts, devices, rules,
 * hooks, GIDs) in one edit, and no added string longer than
 * NVCT_OCI_EDIT_MAX_STRING bytes, nor more than NVCT_OCI_EDIT_MAX_STRV items
 * in one added list (mount options, hook args or env): a caller bug cannot
 * grow the file without bound. */
#define NVCT_OCI_EDIT_MAX_ADDED 4096
#define NVCT_OCI_EDIT_MAX_STRING (128u << 10)
#define NVCT_OCI_EDIT_MAX_STRV 1024

typedef struct nvct_oci_edit nvct_oci_edit;

typedef enum nvct_oci_hook_kind {
        NVCT_OCI_HOOK_PRESTART,
        NVCT_OCI_HOOK_CREATE_RUNTIME,
        NVCT_OCI_HOOK_CREATE_CONTAINER,
        NVCT_OCI_HOOK_START_CONTAINER,
        NVCT_OCI_HOOK_POSTSTART,
        NVCT_OCI_HOOK_POSTSTOP,
        NVCT_OCI_HOOK_KIND_COUNT,
} nvct_oci_hook_kind;

/* "prestart", "createRuntime", ...: the member's name in hooks. */
const char *nvct_oci_hook_kind_name(nvct_oci_hook_kind kind);

/* Loads BUNDLE/config.json: a regular file (never blocking on a FIFO) of at
 * most NVCT_OCI_EDIT_MAX_SIZE bytes whose value is an object. *ret_edit
 * untouched on failure; free with nvct_oci_edit_free. */
int nvct_oci_edit_load(const char *bundle, nvct_oci_edit **ret_edit, nvct_error **err);
void nvct_oci_edit_free(nvct_oci_edit *edit);
static inline void nvct_oci_edit_freep(nvct_oci_edit **edit) {
        nvct_oci_edit_free(*edit);
}
#define _cleanup_oci_edit_ __attribute__((cleanup(nvct_oci_edit_freep)))

/* The path loaded from, and the tree (the editor's; valid until the next
 * mutation or free). */
const char *nvct_oci_edit_path(const nvct_oci_edit *edit);
const nvct_document_node *nvct_oci_edit_root(const nvct_oci_edit *edit);
/* Whether a mutation changed the tree since the load (or the last write). */
bool nvct_oci_edit_changed(const nvct_oci_edit *edit);

/* Read accessors: *ret_node is the member (valid until the next mutation),
 * or NULL when it or an object above it is absent or null; a member or an
 * object above it of another kind is an error ("\"B/config.json\":
 * process.env: an array expected, not a string"). */
int nvct_oci_edit_env(const nvct_oci_edit *edit, const nvct_document_node **ret_node,
                      nvct_error **err);
int nvct_oci_edit_annotations(const nvct_oci_edit *edit, const nvct_document_node **ret_node,
                              nvct_error **err);
int nvct_oci_edit_mounts(const nvct_oci_edit *edit, const nvct_document_node **ret_node,
                         nvct_error **err);
int nvct_oci_edit_hooks(const nvct_oci_edit *edit, nvct_oci_hook_kind kind,
                        const nvct_document_node **ret_node, nvct_error **err);
int nvct_oci_edit_devices(const nvct_oci_edit *edit, const nvct_document_node **ret_node,
                          nvct_error **err);
int nvct_oci_edit_device_rules(const nvct_oci_edit *edit, const nvct_document_node **ret_node,
                               nvct_error **err);
int nvct_oci_edit_additional_gids(const nvct_oci_edit *edit, const nvct_document_node **ret_node,
                                  nvct_error **err);

/* Sets process.env's NAME to VALUE: `entry` is "NAME=VALUE" (NAME not
 * empty); every entry for NAME is replaced in place, else it is appended.
 * Nothing changes when they all already say so. */
int nvct_oci_edit_set_env(nvct_oci_edit *edit, const char *entry, nvct_error **err);

typedef struct nvct_oci_mount {
        const char *destination;    /* required */
        const char *type;           /* NULL: omitted */
        const char *source;         /* NULL: omitted */
        const char *const *options; /* NULL-terminated; NULL: omitted */
} nvct_oci_mount;
/* Appends to mounts. */
int nvct_oci_edit_add_mount(nvct_oci_edit *edit, const nvct_oci_mount *mount, nvct_error **err);

typedef struct nvct_oci_device {
        const char *path; /* required */
        char type;        /* 'c', 'b', 'u' or 'p' */
        int64_t major, minor;
        /* Each below: -1 omits it. */
        int64_t file_mode;
        int64_t uid, gid;
} nvct_oci_device;
/* Appends to linux.devices. */
int nvct_oci_edit_add_device(nvct_oci_edit *edit, const nvct_oci_device *device, nvct_error **err);

typedef struct nvct_oci_device_rule {
        bool allow;
        const char *type;     /* "a", "c", "b"; NULL: omitted */
        int64_t major, minor; /* -1: omitted (any) */
        const char *access;   /* "rwm" and its subsets; NULL: omitted */
} nvct_oci_device_rule;
/* Appends to linux.resources.devices. */
int nvct_oci_edit_add_device_rule(nvct_oci_edit *edit, const nvct_oci_device_rule *rule,
                                  nvct_error **err);

typedef struct nvct_oci_hook {
        const char *path;        /* required */
        const char *const *args; /* NULL-terminated; NULL: omitted */
        const char *const *env;  /* NULL-terminated; NULL: omitted */
        int64_t timeout;         /* -1: omitted */
} nvct_oci_hook;
/* Appends to hooks.KIND. */
int nvct_oci_edit_add_hook(nvct_oci_edit *edit, nvct_oci_hook_kind kind, const nvct_oci_hook *hook,
                           nvct_error **err);

/* A hook's path (its "path" member when a string), else NULL. */
const char *nvct_oci_hook_path(const nvct_document_node *hook);
/* Removes every entry of hooks.KIND for which match(hook, userdata) is
 * true; *ret_removed (may be NULL) counts them. */
int nvct_oci_edit_remove_hooks(nvct_oci_edit *edit, nvct_oci_hook_kind kind,
                               bool (*match)(const nvct_document_node *hook, void *userdata),
                               void *userdata, size_t *ret_removed, nvct_error **err);
/* A match for nvct_oci_edit_remove_hooks: the hook's path ends in the
 * basename given as userdata (a const char *). */
bool nvct_oci_hook_has_basename(const nvct_document_node *hook, void *basename);

/* What the CDI reference's generator does (runtime-tools' RemoveDevice,
 * AddDevice, RemoveMount, AddMount): entries are matched by their "path" or
 * "destination" string member, byte for byte.
 *
 * remove_*: removes the FIRST entry that matches; *ret_removed (may be NULL)
 * says whether there was one.
 *
 * put_device: RemoveDevice then AddDevice: the first entry with the path
 * is removed, then the device replaces the next entry with that path (in
 * its place), or is appended. put_mount: RemoveMount then AddMount: the
 * first entry with the destination is removed, the mount appended. Either
 * changes nothing when the entry is already the last one, and the only one
 * with its key, and the same (nvct_document_equal). */
int nvct_oci_edit_remove_device(nvct_oci_edit *edit, const char *path, bool *ret_removed,
                                nvct_error **err);
int nvct_oci_edit_put_device(nvct_oci_edit *edit, const nvct_oci_device *device, nvct_error **err);
int nvct_oci_edit_remove_mount(nvct_oci_edit *edit, const char *destination, bool *ret_removed,
                               nvct_error **err);
int nvct_oci_edit_put_mount(nvct_oci_edit *edit, const nvct_oci_mount *mount, nvct_error **err);

/* Sorts mounts, stably, by the number of '/' in filepath.Clean(destination)
 * (the CDI reference's sortMounts, after Docker's): parents before what is
 * mounted under them. An entry without a string destination counts 0.
 * Changes nothing (and the file is not rewritten) when already in order. */
int nvct_oci_edit_sort_mounts(nvct_oci_edit *edit, nvct_error **err);

/* process.user.uid and .gid as encoding/json reads them into uint32: 0 when
 * absent or null; a value that is not a decimal integer of 32 bits ("1e3",
 * -1, "0") is an error naming the field. */
int nvct_oci_edit_user_ids(const nvct_oci_edit *edit, uint32_t *ret_uid, uint32_t *ret_gid,
                           nvct_error **err);

/* Adds gid to process.user.additionalGids unless it is there. */
int nvct_oci_edit_add_gid(nvct_oci_edit *edit, uint32_t gid, nvct_error **err);

/* When something changed: writes the tree back compact, atomically, with the
 * mode the file had, and clears `changed`. Otherwise does nothing. Strings
 * are written as encoding/json writes them (<, >, &, U+2028 and U+2029 as
 * \u escapes, other escapes only where JSON needs one), so that the bytes of
 * a compact config.json written by Go come back unchanged wherever the edit
 * did not touch them; numbers keep their text. */
int nvct_oci_edit_write(nvct_oci_edit *edit, nvct_error **err);

#endif
