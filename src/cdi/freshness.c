/* SPDX-License-Identifier: Apache-2.0 */
/* A CDI spec against the host's driver version and GPUs. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "freshness.h"
#include "basic/cleanup.h"
#include "basic/strv.h"
#include "driver/root.h"

/* "550.54.15", "470.82": 3 digits or more, then one or two numbers. */
static bool is_driver_version(const char *s, size_t len) {
        size_t i = 0, digits = 0, dots = 0;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
                digits++;
        if (digits < 3)
                return false;
        while (i < len) {
                if (s[i] != '.' || ++dots > 2)
                        return false;
                i++;
                size_t n = 0;
                for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
                        n++;
                if (n == 0)
                        return false;
        }
        return dots >= 1;
}

static bool is_driver_library(const char *name, size_t len) {
        for (const char *const *lib = nvct_driver_libraries; *lib != NULL; lib++)
                if (strlen(*lib) == len && memcmp(*lib, name, len) == 0)
                        return true;
        return len > 3 && memcmp(name, "lib", 3) == 0 && memmem(name, len, "nvidia", 6) != NULL;
}

/* The version in one path or name (no "::"): s[0..len). */
static bool version_in_part(const char *s, size_t len, const char **ret, size_t *ret_len) {
        static const char firmware[] = "/firmware/nvidia/";
        const char *fw = memmem(s, len, firmware, sizeof(firmware) - 1);
        if (fw != NULL) {
                const char *v = fw + sizeof(firmware) - 1;
                const char *slash = memchr(v, '/', (size_t)(s + len - v));
                size_t vlen = (size_t)((slash != NULL ? slash : s + len) - v);
                if (is_driver_version(v, vlen)) {
                        *ret = v;
                        *ret_len = vlen;
                        return true;
                }
        }
        const char *base = s;
        for (const char *p = s; p < s + len; p++)
                if (*p == '/')
                        base = p + 1;
        size_t blen = (size_t)(s + len - base);
        const char *so = memmem(base, blen, ".so.", 4);
        if (so == NULL || !is_driver_library(base, (size_t)(so - base)))
                return false;
        const char *v = so + 4;
        size_t vlen = (size_t)(base + blen - v);
        if (!is_driver_version(v, vlen))
                return false;
        *ret = v;
        *ret_len = vlen;
        return true;
}

int nvct_cdi_driver_version_in(const char *text, char **ret, nvct_error **err) {
        static const char flag[] = "--host-driver-version=";
        const char *v = NULL;
        size_t vlen = 0;
        bool found = false;

        if (strncmp(text, flag, sizeof(flag) - 1) == 0) {
                v = text + sizeof(flag) - 1;
                vlen = strlen(v);
                found = is_driver_version(v, vlen);
        }
        /* create-symlinks' "TARGET::LINK": either side may name it. */
        for (const char *p = text; !found && p != NULL;) {
                const char *sep = strstr(p, "::");
                size_t len = sep != NULL ? (size_t)(sep - p) : strlen(p);
                found = version_in_part(p, len, &v, &vlen);
                p = sep != NULL ? sep + 2 : NULL;
        }
        if (!found) {
                *ret = NULL;
                return 0;
        }
        char *copy = nvct_memdup0(v, vlen);
        if (copy == NULL)
                return nvct_error_make(err, ENOMEM, "CDI spec freshness");
        *ret = copy;
        return 0;
}

typedef struct scan {
        const char *driver_version;
        nvct_strv others;
        nvct_cdi_staleness *out;
} scan;

static int note_text(scan *sc, const char *text, nvct_error **err) {
        _cleanup_free_ char *v = NULL;
        if (text == NULL)
                return 0;
        if (nvct_cdi_driver_version_in(text, &v, err) < 0)
                return -1;
        if (v == NULL)
                return 0;
        if (sc->out->named_version == NULL && (sc->out->named_version = strdup(v)) == NULL)
                return nvct_error_make(err, ENOMEM, "CDI spec freshness");
        /* Bounded: the distinct versions kept (and compared with each new
         * one) stop at 64, so a spec naming a million is still linear. */
        if (strcmp(v, sc->driver_version) == 0 || sc->others.n >= 64 ||
            nvct_strv_contains(&sc->others, v))
                return 0;
        if (sc->out->other_version == NULL && (sc->out->other_version = strdup(v)) == NULL)
                return nvct_error_make(err, ENOMEM, "CDI spec freshness");
        sc->out->n_other_versions++;
        if (nvct_strv_push(&sc->others, TAKE_PTR(v)) < 0)
                return nvct_error_make(err, ENOMEM, "CDI spec freshness");
        return 0;
}

static int note_edits(scan *sc, const nvct_cdi_edits *e, nvct_error **err) {
        for (size_t i = 0; i < e->n_mounts; i++)
                if (note_text(sc, e->mounts[i].host_path, err) < 0 ||
                    note_text(sc, e->mounts[i].container_path, err) < 0)
                        return -1;
        for (size_t i = 0; i < e->n_hooks; i++)
                for (size_t j = 0; j < e->hooks[i].n_args; j++)
                        if (note_text(sc, e->hooks[i].args[j], err) < 0)
                                return -1;
        return 0;
}

static bool is_uuid_name(const char *name) {
        return strncmp(name, "GPU-", 4) == 0 || strncmp(name, "MIG-", 4) == 0;
}

int nvct_cdi_spec_staleness(const nvct_cdi_spec *spec, const char *driver_version,
                            const char *const *uuids, size_t n_uuids, nvct_cdi_staleness *ret,
                            nvct_error **err) {
        nvct_cdi_staleness out = { 0 };
        scan sc = { driver_version, { 0 }, &out };
        int r = note_edits(&sc, &spec->edits, err);

        for (size_t i = 0; r == 0 && i < spec->n_devices; i++) {
                const nvct_cdi_device *dev = &spec->devices[i];
                r = note_edits(&sc, &dev->edits, err);
                if (r < 0 || !is_uuid_name(dev->name))
                        continue;
                bool present = false;
                for (size_t j = 0; j < n_uuids && !present; j++)
                        present = strcmp(uuids[j], dev->name) == 0;
                if (present)
                        continue;
                /* Device names are unique in a valid spec: each counts once. */
                if (out.missing_uuid == NULL && (out.missing_uuid = strdup(dev->name)) == NULL)
                        r = nvct_error_make(err, ENOMEM, "CDI spec freshness");
                out.n_missing_uuids++;
        }
        nvct_strv_clear(&sc.others);
        if (r < 0) {
                nvct_cdi_staleness_clear(&out);
                return -1;
        }
        *ret = out;
        return 0;
}

void nvct_cdi_staleness_clear(nvct_cdi_staleness *s) {
        free(s->other_version);
        free(s->missing_uuid);
        free(s->named_version);
        *s = (nvct_cdi_staleness){ 0 };
}
