/* SPDX-License-Identifier: Apache-2.0 */
#include "cdimode.h"

#include <string.h>

#include "basic/cleanup.h"
#include "cdi/apply.h"
#include "cdi/registry.h"
#include "legacy.h"

int nvct_runtime_cdi_modify(nvct_oci_edit *edit, const nvct_cdi_mode_options *opt,
                            nvct_error **err) {
        static const char *const no_dirs[] = { NULL };
        nvct_cdi_registry *registry = NULL;
        nvct_cdi_edits edits = { 0 };
        int r;

        /* Resolve before changing anything: an unresolvable device leaves
         * config.json as it was. */
        const char *const *dirs = no_dirs;
        if (opt->spec_dirs != NULL && opt->spec_dirs->n > 0)
                dirs = (const char *const *)opt->spec_dirs->v;
        r = nvct_cdi_registry_load(dirs, &registry, err);
        if (r == 0 && opt->generated != NULL)
                r = nvct_cdi_registry_add_spec(registry, opt->generated,
                                               "the spec generated for jit-cdi", err);
        if (r == 0)
                r = nvct_cdi_registry_resolve(registry, (const char *const *)opt->names->v,
                                              opt->names->n, &edits, err);
        if (r == 0)
                r = nvct_oci_edit_remove_hooks(edit, NVCT_OCI_HOOK_PRESTART,
                                               nvct_runtime_is_nvidia_hook, NULL, NULL, err);
        if (r == 0)
                r = nvct_cdi_apply(edit, &edits, err);
        nvct_cdi_edits_clear(&edits);
        nvct_cdi_registry_free(registry);
        return r < 0 ? -1 : 0;
}
