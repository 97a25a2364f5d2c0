/* SPDX-License-Identifier: Apache-2.0 */
/* Formats: by name on a command line, and by a spec file's extension, as
 * CDI readers tell them. */
#define _GNU_SOURCE
#include "format.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "basic/cleanup.h"
#include "basic/quote.h"

int nvct_cdi_format_parse(const char *name, nvct_cdi_format *ret_format, nvct_error **err) {
        if (name != NULL && strcasecmp(name, "json") == 0) {
                *ret_format = NVCT_CDI_JSON;
                return 0;
        }
        if (name != NULL && (strcasecmp(name, "yaml") == 0 || strcasecmp(name, "yml") == 0)) {
                *ret_format = NVCT_CDI_YAML;
                return 0;
        }
        _cleanup_free_ char *q = name != NULL ? nvct_quote(name, strlen(name)) : NULL;
        return nvct_error_make(err, 0, "unknown CDI spec format %s: json, yaml or yml",
                               q ? q : "(none)");
}

static bool ends_with(const char *s, const char *suffix, bool any_case) {
        size_t n = strlen(s), m = strlen(suffix);
        if (n < m)
                return false;
        return any_case ? strcasecmp(s + n - m, suffix) == 0 : memcmp(s + n - m, suffix, m) == 0;
}

static nvct_cdi_format format_of(const char *name, bool any_case) {
        if (ends_with(name, ".json", any_case))
                return NVCT_CDI_JSON;
        if (ends_with(name, ".yaml", any_case) || ends_with(name, ".yml", any_case))
                return NVCT_CDI_YAML;
        return 0;
}

nvct_cdi_format cdi_format_of_name(const char *name) {
        return format_of(name, false);
}

int nvct_cdi_format_of_path(const char *path, nvct_cdi_format *ret_format, nvct_error **err) {
        nvct_cdi_format f = format_of(path, false);
        if (f == 0 && format_of(path, true) != 0) {
                _cleanup_free_ char *q = nvct_quote_path(path);
                return nvct_error_make(err, 0,
                                       "%s: use a lowercase extension (.json, .yaml or .yml): CDI "
                                       "readers ignore a spec file whose extension has capitals",
                                       nvct_quoted(q));
        }
        *ret_format = f;
        return 0;
}
