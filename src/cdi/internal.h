/* SPDX-License-Identifier: Apache-2.0 */
/* What the CDI modules share and nvct_cdi_* callers never see: the version
 * table, growth of the model's arrays, field paths for errors, and the one
 * validation the writer and the loader both run. */
#ifndef NVCT_CDI_INTERNAL_H
#define NVCT_CDI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"
#include "model.h"
#include "basic/error.h"

/* The released versions of SPEC.md's table, oldest first. */
enum { V030, V040, V050, V060, V070, V080, V100, V110, N_VERSIONS };
extern const char *const cdi_versions[N_VERSIONS];

/* The index of a version in cdi_versions; -1 when unknown. */
int cdi_version_index(const char *v);

/* The lowest version a spec needs, and what needs it. */
typedef struct version_need {
        int version;        /* index into cdi_versions */
        const char *reason; /* what needs it; NULL for V030 */
} version_need;

void cdi_need_at_least(version_need *n, int version, const char *reason);
version_need cdi_spec_need(const nvct_cdi_spec *spec);

static inline int cdi_oom(nvct_error **err) {
        return nvct_error_make(err, 0, "out of memory");
}

/* Makes room for `extra` more elements after the n there are, growing
 * geometrically (see model.c). */
bool cdi_reserve(void **array, size_t n, size_t extra, size_t size);
#define RESERVE(array, n, extra) cdi_reserve((void **)&(array), (n), (extra), sizeof(*(array)))

static inline bool cdi_is_digit(char c) {
        return c >= '0' && c <= '9';
}

static inline bool cdi_is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool cdi_is_alnum(char c) {
        return cdi_is_alpha(c) || cdi_is_digit(c);
}

/* A k8s qualified name, as the reference checks annotation keys. */
bool cdi_is_annotation_key(const char *key);

/* The format a spec file's name says, as CDI readers match it (lowercase
 * extensions only): 0 when none. */
nvct_cdi_format cdi_format_of_name(const char *name);

static inline bool cdi_edits_empty(const nvct_cdi_edits *e) {
        return e->n_env == 0 && e->n_device_nodes == 0 && e->n_mounts == 0 && e->n_hooks == 0 &&
               e->n_additional_gids == 0;
}

/* Where a value is: a chain of field names and list indices, rendered as
 * "devices[0].containerEdits.mounts[1].hostPath". Names are ours (static),
 * never the document's. */
typedef struct field_path {
        const struct field_path *up;
        const char *key; /* NULL: an index */
        size_t index;
} field_path;

#define FIELD(up_, key_) ((field_path){ .up = (up_), .key = (key_) })
#define INDEX(up_, i_) ((field_path){ .up = (up_), .index = (i_) })

/* An error placed at a field: "PATH: message". */
int cdi_field_error(nvct_error **err, const field_path *p, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* What the loader read and dropped (intelRdt, netDevices): it counts for
 * the minimum version and for whether a device has edits. */
typedef struct dropped {
        version_need need;
        bool *device_has_dropped; /* per device; NULL: nothing dropped */
} dropped;

/* Everything the CDI reference checks of a spec, on the model: `version`
 * is the cdiVersion it is (or will be written) with. */
int cdi_validate(const nvct_cdi_spec *spec, const char *version, const dropped *drop,
                 nvct_error **err);

/* Loads a spec file; a parse error carries no file name (*ret_parsed tells
 * it apart from one that does). */
int cdi_load_unnamed(const char *path, nvct_cdi_spec *ret_spec, bool *ret_parsed, nvct_error **err);

#endif
