/* SPDX-License-Identifier: Apache-2.0 */
/* The spec directories, read as the CDI reference's registry reads them:
 * every spec of each directory, later directories overriding earlier ones,
 * and conflicts within one directory reported, with the device left out.
 * One walker serves both what `nvidia-ctk cdi list` shows (the specs are
 * dropped once their names are known) and the registry that resolves
 * qualified names (the specs are kept). */
#define _GNU_SOURCE
#include "registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "names.h"
#include "version.h"
#include "basic/buf.h"
#include "basic/cleanup.h"
#include "basic/hash.h"
#include "basic/quote.h"
#include "basic/strv.h"

typedef struct found {
        char *qualified_name;
        char *spec_path; /* or the origin of an in-memory spec */
        size_t priority; /* the index of its directory */
        bool conflict;
        size_t spec, device; /* where it is among the kept specs (keep mode) */
} found;

/* A spec the registry keeps, and where it came from. */
typedef struct kept {
        nvct_cdi_spec spec;
        char *origin; /* the file, or the caller's words for an in-memory spec */
        bool in_memory;
} kept;

typedef struct lister {
        found *found;
        size_t n_found;
        size_t *slots; /* open addressing: index + 1 into found, 0 empty */
        size_t n_slots;
        nvct_cdi_list_problem *problems;
        size_t n_problems;
        bool keep; /* the registry: specs are kept, not dropped */
        kept *specs;
        size_t n_specs;
        /* What was loaded so far, against the NVCT_CDI_REGISTRY_MAX_* bounds. */
        size_t n_files, n_devices;
        uint64_t n_bytes;
} lister;

static void lister_clear(lister *l) {
        for (size_t i = 0; i < l->n_found; i++) {
                free(l->found[i].qualified_name);
                free(l->found[i].spec_path);
        }
        free(l->found);
        free(l->slots);
        for (size_t i = 0; i < l->n_problems; i++) {
                free(l->problems[i].path);
                free(l->problems[i].reason);
        }
        free(l->problems);
        for (size_t i = 0; i < l->n_specs; i++) {
                nvct_cdi_spec_clear(&l->specs[i].spec);
                free(l->specs[i].origin);
        }
        free(l->specs);
        *l = (lister){ 0 };
}

/* The slot of `name`: its entry, or the empty slot it would go in. Keyed
 * (hash.h): names crafted to collide made listing quadratic (60000 devices:
 * 8 s instead of 0.07 s). */
static size_t *lister_slot(const lister *l, const char *name) {
        size_t mask = l->n_slots - 1;
        for (size_t i = (size_t)nvct_hash(name, strlen(name)) & mask;; i = (i + 1) & mask) {
                size_t *s = &l->slots[i];
                if (*s == 0 || strcmp(l->found[*s - 1].qualified_name, name) == 0)
                        return s;
        }
}

static int lister_grow(lister *l) {
        if (l->n_found * 2 < l->n_slots)
                return 0;
        size_t n = l->n_slots ? l->n_slots * 2 : 64;
        size_t *old = l->slots, old_n = l->n_slots;
        l->slots = calloc(n, sizeof(*l->slots));
        if (l->slots == NULL) {
                l->slots = old;
                return -1;
        }
        l->n_slots = n;
        for (size_t i = 0; i < old_n; i++)
                if (old[i] != 0)
                        *lister_slot(l, l->found[old[i] - 1].qualified_name) = old[i];
        free(old);
        return 0;
}

/* A problem: its reason made one line (a file name may hold anything). */
static int lister_problem(lister *l, const char *where, const char *reason) {
        _cleanup_free_ char *p = strdup(where), *r = strdup(reason);
        if (p == NULL || r == NULL || !RESERVE(l->problems, l->n_problems, 1))
                return -1;
        for (char *c = r; *c != '\0'; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        *c = '?';
        l->problems[l->n_problems++] =
                (nvct_cdi_list_problem){ .path = TAKE_PTR(p), .reason = TAKE_PTR(r) };
        return 0;
}

/* The entry of a name; NULL when none. */
static const found *lister_find(const lister *l, const char *name) {
        if (l->n_slots == 0)
                return NULL;
        size_t *slot = lister_slot(l, name);
        return *slot != 0 ? &l->found[*slot - 1] : NULL;
}

/* A device of spec `spec` (its index among the kept specs, keep mode) at
 * `priority`; `overrides`: an in-memory spec, which replaces even a name
 * left out for a conflict. */
static int lister_add(lister *l, const char *qualified_name, const char *spec_path, size_t priority,
                      size_t spec, size_t device, bool overrides) {
        if (lister_grow(l) < 0)
                return -1;
        size_t *slot = lister_slot(l, qualified_name);
        if (*slot != 0) {
                found *f = &l->found[*slot - 1];
                if (priority > f->priority) {
                        /* A later directory overrides an earlier one. */
                        char *p = strdup(spec_path);
                        if (p == NULL)
                                return -1;
                        free(f->spec_path);
                        f->spec_path = p;
                        f->priority = priority;
                        f->spec = spec;
                        f->device = device;
                        if (overrides)
                                f->conflict = false;
                        return 0;
                }
                /* Two files of one directory: as the reference, the device
                 * is left out altogether. */
                f->conflict = true;
                _cleanup_free_ char *q = nvct_quote(qualified_name, strlen(qualified_name));
                _cleanup_free_ char *other = nvct_quote_path(f->spec_path);
                _cleanup_free_ char *reason = NULL;
                if (q == NULL || other == NULL ||
                    asprintf(&reason, "device %s is also defined by %s: left out", q, other) < 0) {
                        reason = NULL;
                        return -1;
                }
                return lister_problem(l, spec_path, reason);
        }
        _cleanup_free_ char *n = strdup(qualified_name), *p = strdup(spec_path);
        if (n == NULL || p == NULL || !RESERVE(l->found, l->n_found, 1))
                return -1;
        l->found[l->n_found] = (found){ .qualified_name = TAKE_PTR(n),
                                        .spec_path = TAKE_PTR(p),
                                        .priority = priority,
                                        .spec = spec,
                                        .device = device };
        *slot = ++l->n_found;
        return 0;
}

static int cmp_str_ptr(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The spec file names of a directory, sorted. -ENOENT when it is missing;
 * -1 with *ret_reason (or without it: out of memory) when unreadable. */
static int read_spec_names(const char *dir, nvct_strv *ret_names, char **ret_reason) {
        *ret_reason = NULL;
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ENOENT)
                        return -ENOENT;
                if (asprintf(ret_reason, "cannot read the directory: %s", strerror(errno)) < 0)
                        *ret_reason = NULL;
                return -1;
        }
        DIR *d = fdopendir(fd);
        if (d == NULL) {
                if (asprintf(ret_reason, "cannot read the directory: %s", strerror(errno)) < 0)
                        *ret_reason = NULL;
                close(fd);
                return -1;
        }
        nvct_strv names = { 0 };
        int r = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (de == NULL) {
                        int saved = errno;
                        if (saved != 0) {
                                r = -1;
                                if (asprintf(ret_reason, "cannot read the directory: %s",
                                             strerror(saved)) < 0)
                                        *ret_reason = NULL;
                        }
                        break;
                }
                /* As the reference, subdirectories are not searched. */
                if (de->d_type == DT_DIR || cdi_format_of_name(de->d_name) == 0)
                        continue;
                if (nvct_strv_add(&names, de->d_name) < 0) {
                        r = -1;
                        break;
                }
        }
        closedir(d);
        if (r < 0) {
                nvct_strv_clear(&names);
                return -1;
        }
        if (names.n > 1)
                qsort(names.v, names.n, sizeof(*names.v), cmp_str_ptr);
        *ret_names = names;
        return 0;
}

/* Adds the devices of a loaded spec (taken over: kept in keep mode, else
 * left to the caller to clear) at `priority`. Kept first, then named: when
 * memory runs out midway, every name added points at a kept spec. */
static int lister_take_spec(lister *l, nvct_cdi_spec *spec, const char *origin, size_t priority,
                            bool in_memory) {
        size_t index = l->n_specs;
        const nvct_cdi_spec *named = spec;
        if (l->keep) {
                _cleanup_free_ char *o = strdup(origin);
                if (o == NULL || !RESERVE(l->specs, l->n_specs, 1))
                        return -1;
                l->specs[l->n_specs++] =
                        (kept){ .spec = *spec, .origin = TAKE_PTR(o), .in_memory = in_memory };
                *spec = (nvct_cdi_spec){ 0 };
                named = &l->specs[index].spec;
        }
        for (size_t k = 0; k < named->n_devices; k++) {
                _cleanup_free_ char *qualified =
                        nvct_cdi_qualified_name(named->kind, named->devices[k].name);
                if (qualified == NULL ||
                    lister_add(l, qualified, origin, priority, index, k, in_memory) < 0)
                        return -1;
        }
        return 0;
}

#define STR_(x) #x
#define STR(x) STR_(x)

/* Security: the spec directories are the host's, but a runtime reads them
 * at every container start, so what one registry holds is bounded (each
 * file is bounded by the loader). Returns 1 when the file is left out (a
 * problem says why), 2 when it and every file after it are, 0 when it may
 * be loaded, -1 on allocation. */
static int lister_over_bounds(lister *l, const char *spec_path) {
        struct stat st;
        uint64_t size = stat(spec_path, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
        const char *why = NULL;
        if (l->n_files >= NVCT_CDI_REGISTRY_MAX_FILES)
                /* One problem, not one per file: the walk stops. */
                return lister_problem(l, spec_path,
                                      "left out, with every spec file after it: more than " STR(
                                              NVCT_CDI_REGISTRY_MAX_FILES) " spec files") < 0
                               ? -1
                               : 2;
        if (l->n_bytes + size > NVCT_CDI_REGISTRY_MAX_BYTES)
                why = "left out: the spec files hold more than " STR(
                        NVCT_CDI_REGISTRY_MAX_BYTES) " bytes in all";
        if (why == NULL) {
                l->n_files++;
                l->n_bytes += size;
                return 0;
        }
        return lister_problem(l, spec_path, why) < 0 ? -1 : 1;
}

static int list_file(lister *l, const char *spec_path, size_t priority) {
        int r = lister_over_bounds(l, spec_path);
        if (r != 0)
                return r == 1 ? 0 : r;
        nvct_cdi_spec spec;
        _cleanup_error_ nvct_error *load_err = NULL;
        bool parsed;
        if (cdi_load_unnamed(spec_path, &spec, &parsed, &load_err) < 0) {
                if (load_err == NULL || load_err->msg == NULL)
                        return -1;
                return lister_problem(l, spec_path, load_err->msg);
        }
        if (spec.n_devices > NVCT_CDI_REGISTRY_MAX_DEVICES - l->n_devices)
                r = lister_problem(l, spec_path,
                                   "left out: more than " STR(
                                           NVCT_CDI_REGISTRY_MAX_DEVICES) " devices in all");
        else {
                l->n_devices += spec.n_devices;
                r = lister_take_spec(l, &spec, spec_path, priority, false);
        }
        nvct_cdi_spec_clear(&spec);
        return r;
}

static int list_dir(lister *l, const char *dir, size_t priority) {
        nvct_strv names = { 0 };
        _cleanup_free_ char *reason = NULL;
        int r = read_spec_names(dir, &names, &reason);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return reason != NULL ? lister_problem(l, dir, reason) : -1;
        size_t dlen = strlen(dir);
        bool slash = dlen > 0 && dir[dlen - 1] == '/';
        for (size_t i = 0; r == 0 && i < names.n; i++) {
                _cleanup_free_ char *spec_path = NULL;
                if (asprintf(&spec_path, "%s%s%s", dir, slash ? "" : "/", names.v[i]) < 0) {
                        spec_path = NULL;
                        r = -1;
                        break;
                }
                r = list_file(l, spec_path, priority);
        }
        nvct_strv_clear(&names);
        return r < 0 ? -1 : 0;
}

static int lister_load(lister *l, const char *const *dirs) {
        for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++)
                if (list_dir(l, dirs[i], i) < 0)
                        return -1;
        return 0;
}

static int cmp_listed(const void *a, const void *b) {
        return strcmp(((const nvct_cdi_listed_device *)a)->qualified_name,
                      ((const nvct_cdi_listed_device *)b)->qualified_name);
}

int nvct_cdi_list(const char *const *dirs, nvct_cdi_listing *ret_listing, nvct_error **err) {
        lister l = { 0 };
        if (lister_load(&l, dirs) < 0) {
                lister_clear(&l);
                return cdi_oom(err);
        }
        nvct_cdi_listing listing = { 0 };
        size_t n = 0;
        for (size_t i = 0; i < l.n_found; i++)
                n += !l.found[i].conflict;
        if (n > 0) {
                listing.devices = calloc(n, sizeof(*listing.devices));
                if (listing.devices == NULL) {
                        lister_clear(&l);
                        return cdi_oom(err);
                }
        }
        for (size_t i = 0; i < l.n_found; i++) {
                if (l.found[i].conflict)
                        continue;
                listing.devices[listing.n_devices++] = (nvct_cdi_listed_device){
                        .qualified_name = TAKE_PTR(l.found[i].qualified_name),
                        .spec_path = TAKE_PTR(l.found[i].spec_path),
                };
        }
        if (listing.n_devices > 1)
                qsort(listing.devices, listing.n_devices, sizeof(*listing.devices), cmp_listed);
        listing.problems = TAKE_PTR(l.problems);
        listing.n_problems = l.n_problems;
        l.n_problems = 0;
        lister_clear(&l);
        *ret_listing = listing;
        return 0;
}

void nvct_cdi_listing_clear(nvct_cdi_listing *listing) {
        for (size_t i = 0; i < listing->n_devices; i++) {
                free(listing->devices[i].qualified_name);
                free(listing->devices[i].spec_path);
        }
        free(listing->devices);
        for (size_t i = 0; i < listing->n_problems; i++) {
                free(listing->problems[i].path);
                free(listing->problems[i].reason);
        }
        free(listing->problems);
        *listing = (nvct_cdi_listing){ 0 };
}

/* ---- the registry ---- */

struct nvct_cdi_registry {
        lister l;
        nvct_strv dirs;     /* searched, for messages */
        size_t n_in_memory; /* specs added */
};

int nvct_cdi_registry_load(const char *const *dirs, nvct_cdi_registry **ret_registry,
                           nvct_error **err) {
        nvct_cdi_registry *r = calloc(1, sizeof(*r));
        if (r == NULL)
                return cdi_oom(err);
        r->l.keep = true;
        for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++)
                if (nvct_strv_add(&r->dirs, dirs[i]) < 0) {
                        nvct_cdi_registry_free(r);
                        return cdi_oom(err);
                }
        if (lister_load(&r->l, dirs) < 0) {
                nvct_cdi_registry_free(r);
                return cdi_oom(err);
        }
        *ret_registry = r;
        return 0;
}

int nvct_cdi_registry_add_spec(nvct_cdi_registry *registry, nvct_cdi_spec *spec, const char *origin,
                               nvct_error **err) {
        _cleanup_(nvct_cdi_spec_clear) nvct_cdi_spec s = *spec;
        *spec = (nvct_cdi_spec){ 0 };
        const char *version = s.version != NULL ? s.version : nvct_cdi_minimum_version(&s);
        if (cdi_validate(&s, version, NULL, err) < 0)
                return nvct_error_prefix(err, "the CDI spec %s", origin);
        if (s.n_devices > NVCT_CDI_REGISTRY_MAX_DEVICES - registry->l.n_devices)
                return nvct_error_make(err, E2BIG,
                                       "the CDI spec %s: more than " STR(
                                               NVCT_CDI_REGISTRY_MAX_DEVICES) " devices in all",
                                       origin);
        /* Above every directory, and above the specs added before it. */
        size_t priority = registry->dirs.n + registry->n_in_memory;
        size_t n_devices = s.n_devices;
        if (lister_take_spec(&registry->l, &s, origin, priority, true) < 0)
                return cdi_oom(err);
        registry->l.n_devices += n_devices;
        registry->n_in_memory++;
        return 0;
}

void nvct_cdi_registry_free(nvct_cdi_registry *registry) {
        if (registry == NULL)
                return;
        lister_clear(&registry->l);
        nvct_strv_clear(&registry->dirs);
        free(registry);
}

/* Where the names were looked for, and what went wrong loading:
 * "searched \"/etc/cdi\", \"/var/run/cdi\"; \"/etc/cdi/x.yaml\": why". */
static int append_searched(const nvct_cdi_registry *r, nvct_buf *b) {
        enum { MAX_PROBLEMS = 8 };
        int bad = nvct_buf_append(b, "searched", 8);
        size_t shown = 0;
        for (size_t i = 0; bad == 0 && i < r->dirs.n; i++, shown++) {
                _cleanup_free_ char *q = nvct_quote_path(r->dirs.v[i]);
                bad = q == NULL || nvct_buf_append(b, shown ? ", " : " ", 1 + (shown > 0)) < 0 ||
                      nvct_buf_append(b, q, strlen(q)) < 0;
        }
        for (size_t i = 0; bad == 0 && i < r->l.n_specs; i++) {
                if (!r->l.specs[i].in_memory)
                        continue;
                const char *o = r->l.specs[i].origin;
                bad = nvct_buf_append(b, shown ? ", " : " ", 1 + (shown > 0)) < 0 ||
                      nvct_buf_append(b, "the spec ", 9) < 0 ||
                      nvct_buf_append(b, o, strlen(o)) < 0;
                shown++;
        }
        if (bad == 0 && shown == 0)
                bad = nvct_buf_append(b, " no spec directories", 20);
        for (size_t i = 0; bad == 0 && i < r->l.n_problems && i < MAX_PROBLEMS; i++) {
                const nvct_cdi_list_problem *p = &r->l.problems[i];
                _cleanup_free_ char *q = nvct_quote_path(p->path);
                bad = q == NULL || nvct_buf_append(b, "; ", 2) < 0 ||
                      nvct_buf_append(b, q, strlen(q)) < 0 || nvct_buf_append(b, ": ", 2) < 0 ||
                      nvct_buf_append(b, p->reason, strlen(p->reason)) < 0;
        }
        if (bad == 0 && r->l.n_problems > MAX_PROBLEMS) {
                char more[64];
                int len = snprintf(more, sizeof(more), "; and %zu more problems",
                                   r->l.n_problems - MAX_PROBLEMS);
                bad = nvct_buf_append(b, more, (size_t)len);
        }
        return bad == 0 ? 0 : -1;
}

/* The one-line error for unresolvable names (`missing`: their indexes). */
static int unresolvable(const nvct_cdi_registry *r, const char *const *names, const size_t *missing,
                        size_t n_missing, nvct_error **err) {
        enum { MAX_NAMES = 32 };
        _cleanup_(nvct_buf_clear) nvct_buf b = { 0 };
        int bad = 0;
        for (size_t i = 0; bad == 0 && i < n_missing && i < MAX_NAMES; i++) {
                const char *name = names[missing[i]];
                _cleanup_free_ char *q = nvct_quote(name, strlen(name));
                bad = q == NULL || (i > 0 && nvct_buf_append(&b, ", ", 2) < 0) ||
                      nvct_buf_append(&b, q, strlen(q)) < 0;
        }
        if (bad == 0 && n_missing > MAX_NAMES) {
                char more[64];
                int len = snprintf(more, sizeof(more), " and %zu more", n_missing - MAX_NAMES);
                bad = nvct_buf_append(&b, more, (size_t)len);
        }
        if (bad != 0 || nvct_buf_append(&b, " (", 2) < 0 || append_searched(r, &b) < 0 ||
            nvct_buf_append(&b, ")", 1) < 0)
                return cdi_oom(err);
        return nvct_error_make(err, 0, "unresolvable CDI devices %s", b.data);
}

int nvct_cdi_registry_resolve(const nvct_cdi_registry *registry, const char *const *names, size_t n,
                              nvct_cdi_edits *ret_edits, nvct_error **err) {
        const lister *l = &registry->l;
        /* Marks of what was met: each device's edits once, each spec's
         * spec-wide edits once (as InjectDevices' map of specs). */
        _cleanup_free_ bool *device_seen = calloc(l->n_found + 1, sizeof(bool));
        _cleanup_free_ bool *spec_seen = calloc(l->n_specs + 1, sizeof(bool));
        _cleanup_free_ size_t *missing = calloc(n + 1, sizeof(size_t));
        if (device_seen == NULL || spec_seen == NULL || missing == NULL)
                return cdi_oom(err);
        _cleanup_(nvct_cdi_edits_clear) nvct_cdi_edits edits = { 0 };
        size_t n_missing = 0;
        for (size_t i = 0; i < n; i++) {
                const found *f = lister_find(l, names[i]);
                if (f == NULL || f->conflict) {
                        /* A name asked twice is named once (among those
                         * shown: the message names at most 32). */
                        bool again = false;
                        for (size_t k = 0; k < n_missing && k < 32 && !again; k++)
                                again = strcmp(names[missing[k]], names[i]) == 0;
                        if (!again)
                                missing[n_missing++] = i;
                        continue;
                }
                size_t at = (size_t)(f - l->found);
                if (device_seen[at] || n_missing > 0)
                        continue;
                device_seen[at] = true;
                const nvct_cdi_spec *spec = &l->specs[f->spec].spec;
                if (!spec_seen[f->spec]) {
                        spec_seen[f->spec] = true;
                        if (nvct_cdi_edits_append(&edits, &spec->edits, err) < 0)
                                return -1;
                }
                if (nvct_cdi_edits_append(&edits, &spec->devices[f->device].edits, err) < 0)
                        return -1;
        }
        if (n_missing > 0)
                return unresolvable(registry, names, missing, n_missing, err);
        *ret_edits = edits;
        edits = (nvct_cdi_edits){ 0 };
        return 0;
}
