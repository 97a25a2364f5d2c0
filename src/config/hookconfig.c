/* SPDX-License-Identifier: Apache-2.0 */
#include "hookconfig.h"

const char *const nvct_default_config_paths[] = { NVCT_DRIVER_CONFIG_PATH, NVCT_CONFIG_PATH, NULL };

void nvct_hook_config_init_defaults(nvct_hook_config *config) {
        /* The hook's defaults are booleans, NULL strings and empty lists
         * (tests/unit/test_hookconfig.c checks the table for it): nothing to
         * allocate, so this cannot fail. */
        (void)nvct_config_init_defaults(config, NVCT_CONFIG_PROFILE_HOOK, NULL);
}

void nvct_hook_config_clear(nvct_hook_config *config) {
        nvct_config_clear(config);
        nvct_hook_config_init_defaults(config);
}

int nvct_hook_config_parse(const char *data, size_t len, const char *name,
                           nvct_hook_config *ret_config, nvct_error **err) {
        return nvct_config_parse(data, len, name, NVCT_CONFIG_PROFILE_HOOK, ret_config, err);
}

int nvct_hook_config_load(const char *explicit_path, const char *const *search_paths,
                          nvct_hook_config *ret_config, nvct_error **err) {
        return nvct_config_load(explicit_path, search_paths, NVCT_CONFIG_PROFILE_HOOK, ret_config,
                                err);
}
