/* SPDX-License-Identifier: Apache-2.0 */
/* The lowest cdiVersion a spec's content needs, by SPEC.md's version table.
 * The loader adds what it read and dropped (intelRdt, netDevices). */
#include "version.h"

#include <string.h>

#include "internal.h"

const char *const cdi_versions[N_VERSIONS] = {
        "0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0", "0.8.0", "1.0.0", "1.1.0",
};

int cdi_version_index(const char *v) {
        for (int i = 0; i < N_VERSIONS; i++)
                if (strcmp(v, cdi_versions[i]) == 0)
                        return i;
        return -1;
}

void cdi_need_at_least(version_need *n, int version, const char *reason) {
        if (version > n->version) {
                n->version = version;
                n->reason = reason;
        }
}

static void edits_need(const nvct_cdi_edits *e, version_need *n) {
        for (size_t i = 0; i < e->n_mounts; i++)
                if (e->mounts[i].type != NULL && e->mounts[i].type[0] != '\0')
                        cdi_need_at_least(n, V040, "a mount type");
        for (size_t i = 0; i < e->n_device_nodes; i++)
                if (e->device_nodes[i].host_path != NULL && e->device_nodes[i].host_path[0] != '\0')
                        cdi_need_at_least(n, V050, "a device node hostPath");
        if (e->n_additional_gids > 0)
                cdi_need_at_least(n, V070, "additionalGids");
}

version_need cdi_spec_need(const nvct_cdi_spec *spec) {
        version_need n = { V030, NULL };
        edits_need(&spec->edits, &n);
        if (spec->n_annotations > 0)
                cdi_need_at_least(&n, V060, "annotations");
        const char *slash = spec->kind != NULL ? strchr(spec->kind, '/') : NULL;
        if (slash != NULL && strchr(slash + 1, '.') != NULL)
                cdi_need_at_least(&n, V060, "a '.' in the kind's class");
        for (size_t i = 0; i < spec->n_devices; i++) {
                const nvct_cdi_device *d = &spec->devices[i];
                if (d->name != NULL && cdi_is_digit(d->name[0]))
                        cdi_need_at_least(&n, V050, "a device name starting with a digit");
                if (d->n_annotations > 0)
                        cdi_need_at_least(&n, V060, "annotations");
                edits_need(&d->edits, &n);
        }
        return n;
}

const char *nvct_cdi_minimum_version(const nvct_cdi_spec *spec) {
        return cdi_versions[cdi_spec_need(spec).version];
}
