/* SPDX-License-Identifier: Apache-2.0 */
#include "mode.h"

#include <string.h>

#include "basic/cleanup.h"
#include "basic/quote.h"

static const char *const mode_names[] = {
        [NVCT_MODE_AUTO] = "auto",
        [NVCT_MODE_LEGACY] = "legacy",
        [NVCT_MODE_CDI] = "cdi",
        [NVCT_MODE_JIT_CDI] = "jit-cdi",
};

int nvct_mode_parse(const char *text, nvct_runtime_mode *ret_mode, nvct_error **err) {
        if (text == NULL || text[0] == '\0') {
                *ret_mode = NVCT_MODE_AUTO;
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++) {
                if (strcmp(text, mode_names[i]) == 0) {
                        *ret_mode = (nvct_runtime_mode)i;
                        return 0;
                }
        }
        _cleanup_free_ char *q = nvct_quote(text, strlen(text));
        if (strcmp(text, "csv") == 0)
                return nvct_error_make(err, 0,
                                       "nvidia-container-runtime.mode %s (Tegra) is not supported "
                                       "by nvct: use auto, legacy, cdi or jit-cdi",
                                       nvct_quoted(q));
        return nvct_error_make(err, 0,
                               "unknown nvidia-container-runtime.mode %s: use auto, legacy, cdi "
                               "or jit-cdi",
                               nvct_quoted(q));
}

const char *nvct_mode_name(nvct_runtime_mode mode) {
        return (size_t)mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "?";
}

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
}

nvct_runtime_mode nvct_mode_for_program(const char *argv0, nvct_runtime_mode configured) {
        if (argv0 == NULL)
                return configured;
        const char *slash = strrchr(argv0, '/');
        const char *base = slash ? slash + 1 : argv0;
        if (ends_with(base, ".cdi"))
                return NVCT_MODE_CDI;
        if (ends_with(base, ".legacy"))
                return NVCT_MODE_LEGACY;
        return configured;
}

nvct_runtime_mode nvct_mode_resolve(nvct_runtime_mode mode, const nvct_mode_inputs *in) {
        if (mode != NVCT_MODE_AUTO)
                return mode;
        if (in->all_qualified)
                return NVCT_MODE_CDI;
        if (in->nvml_loads != NULL && in->nvml_loads(in->userdata))
                return NVCT_MODE_JIT_CDI;
        return NVCT_MODE_LEGACY;
}
