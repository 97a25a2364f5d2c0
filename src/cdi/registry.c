/* SPDX-License-Identifier: Apache-2.0 */
/* The spec directories, read as the CDI reference's registry reads them:
 * every spec of each directory, later directories overriding earlier ones,
 * and conflicts within one directory reported, with the device left out.
 * What `nvidia-ctk cdi list` shows. */
#define _GNU_SOURCE
#include "registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "names.h"
#include "basic/cleanup.h"
#include "basic/hash.h"
#include "basic/quote.h"
#include "basic/strv.h"

typedef struct found {
        char *qualified_name;
        char *spec_path;
        size_t priority; /* the index of its directory */
        bool conflict;
} found;

typedef struct lister {
        found *found;
        size_t n_found;
        size_t *slots; /* open addressing: index + 1 into found, 0 empty */
        size_t n_slots;
        nvct_cdi_list_problem *problems;
        size_t n_problems;
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
        *l = (lister){ 0 };
}

/* The slot of `name`: its entry, or the empty slot it would go in. Keyed
 * (hash.h): names crafted to collide made listing quadratic (60000 devices:
 * 8 s instead of 0.07 s). */
static size_t *lister_slot(lister *l, const char *name) {
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

static int lister_add(lister *l, const char *qualified_name, const char *spec_path,
                      size_t priority) {
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
                                        .priority = priority };
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
                nvct_cdi_spec spec;
                _cleanup_error_ nvct_error *load_err = NULL;
                bool parsed;
                if (cdi_load_unnamed(spec_path, &spec, &parsed, &load_err) < 0) {
                        if (load_err == NULL || load_err->msg == NULL)
                                r = -1;
                        else
                                r = lister_problem(l, spec_path, load_err->msg);
                        continue;
                }
                for (size_t k = 0; r == 0 && k < spec.n_devices; k++) {
                        _cleanup_free_ char *qualified =
                                nvct_cdi_qualified_name(spec.kind, spec.devices[k].name);
                        if (qualified == NULL) {
                                r = -1;
                                break;
                        }
                        r = lister_add(l, qualified, spec_path, priority);
                }
                nvct_cdi_spec_clear(&spec);
        }
        nvct_strv_clear(&names);
        return r;
}

static int cmp_listed(const void *a, const void *b) {
        return strcmp(((const nvct_cdi_listed_device *)a)->qualified_name,
                      ((const nvct_cdi_listed_device *)b)->qualified_name);
}

int nvct_cdi_list(const char *const *dirs, nvct_cdi_listing *ret_listing, nvct_error **err) {
        lister l = { 0 };
        for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++) {
                if (list_dir(&l, dirs[i], i) < 0) {
                        lister_clear(&l);
                        return cdi_oom(err);
                }
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
