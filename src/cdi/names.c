/* SPDX-License-Identifier: Apache-2.0 */
/* CDI names, checked as the CDI reference's parser checks them: a kind
 * "vendor/class", a device name, an annotation key, and the qualified name
 * "vendor/class=name" that joins a kind and a device name. */
#define _GNU_SOURCE
#include "names.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "basic/cleanup.h"
#include "basic/quote.h"

/* A DNS subdomain (RFC 1123, either case: DNS names are case-insensitive):
 * dot-separated labels of alphanumerics and '-', each starting and ending
 * alphanumeric and at most 63 bytes, 253 bytes in all. */
static bool is_dns_subdomain(const char *s, size_t len) {
        if (len == 0 || len > 253)
                return false;
        size_t label = 0;
        for (size_t i = 0; i <= len; i++) {
                if (i == len || s[i] == '.') {
                        if (label == 0 || label > 63 || !cdi_is_alnum(s[i - 1]))
                                return false;
                        label = 0;
                        continue;
                }
                if (label == 0 && !cdi_is_alnum(s[i]))
                        return false;
                if (!cdi_is_alnum(s[i]) && s[i] != '-')
                        return false;
                label++;
        }
        return true;
}

/* A kind's class, or an annotation key's name part: at most 63 bytes of
 * alphanumerics, '-', '_' and '.', starting and ending alphanumeric. */
static bool is_class_name(const char *s, size_t len) {
        if (len == 0 || len > 63 || !cdi_is_alnum(s[0]) || !cdi_is_alnum(s[len - 1]))
                return false;
        for (size_t i = 1; i + 1 < len; i++)
                if (!cdi_is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
                        return false;
        return true;
}

int nvct_cdi_validate_kind(const char *kind, nvct_error **err) {
        if (kind == NULL || kind[0] == '\0')
                return nvct_error_make(err, 0, "the kind is empty: it must be VENDOR/CLASS");
        const char *slash = strchr(kind, '/');
        size_t len = strlen(kind);
        _cleanup_free_ char *q = nvct_quote(kind, len);
        if (slash == NULL)
                return nvct_error_make(err, 0, "invalid kind %s: it must be VENDOR/CLASS",
                                       q ? q : "?");
        if (!is_dns_subdomain(kind, (size_t)(slash - kind)))
                return nvct_error_make(err, 0,
                                       "invalid kind %s: the vendor must be a DNS subdomain "
                                       "(labels of letters, digits and '-', separated by '.')",
                                       q ? q : "?");
        const char *class = slash + 1;
        if (!is_class_name(class, strlen(class)))
                return nvct_error_make(err, 0,
                                       "invalid kind %s: the class must be at most 63 letters, "
                                       "digits, '-', '_' or '.', starting and ending with a "
                                       "letter or digit",
                                       q ? q : "?");
        return 0;
}

int nvct_cdi_validate_device_name(const char *name, nvct_error **err) {
        size_t len = name != NULL ? strlen(name) : 0;
        if (len == 0)
                return nvct_error_make(err, 0, "the device name is empty");
        /* As the CDI reference's parser: ':' is allowed inside, for the
         * MIG devices' "GPU:MIG" names. */
        bool ok = cdi_is_alnum(name[0]) && cdi_is_alnum(name[len - 1]);
        for (size_t i = 1; ok && i + 1 < len; i++)
                ok = cdi_is_alnum(name[i]) || name[i] == '-' || name[i] == '_' || name[i] == '.' ||
                     name[i] == ':';
        if (ok)
                return 0;
        _cleanup_free_ char *q = nvct_quote(name, len);
        return nvct_error_make(err, 0,
                               "invalid device name %s: letters, digits, '-', '_', '.' and ':', "
                               "starting and ending with a letter or digit",
                               q ? q : "?");
}

/* [DNS-subdomain "/"] name. */
bool cdi_is_annotation_key(const char *key) {
        const char *slash = strchr(key, '/');
        if (slash == NULL)
                return is_class_name(key, strlen(key));
        return is_dns_subdomain(key, (size_t)(slash - key)) &&
               is_class_name(slash + 1, strlen(slash + 1));
}

char *nvct_cdi_qualified_name(const char *kind, const char *name) {
        char *s = NULL;
        if (asprintf(&s, "%s=%s", kind, name) < 0)
                return NULL;
        return s;
}

int nvct_cdi_parse_qualified_name(const char *qualified, char **ret_kind, char **ret_name,
                                  nvct_error **err) {
        const char *eq = qualified != NULL ? strchr(qualified, '=') : NULL;
        if (eq == NULL) {
                _cleanup_free_ char *q =
                        qualified != NULL ? nvct_quote(qualified, strlen(qualified)) : NULL;
                return nvct_error_make(err, 0,
                                       "invalid qualified device name %s: it must be "
                                       "VENDOR/CLASS=NAME",
                                       q ? q : "(none)");
        }
        _cleanup_free_ char *kind = strndup(qualified, (size_t)(eq - qualified));
        _cleanup_free_ char *name = strdup(eq + 1);
        if (kind == NULL || name == NULL)
                return cdi_oom(err);
        if (nvct_cdi_validate_kind(kind, err) < 0 || nvct_cdi_validate_device_name(name, err) < 0)
                return -1;
        *ret_kind = TAKE_PTR(kind);
        *ret_name = TAKE_PTR(name);
        return 0;
}
