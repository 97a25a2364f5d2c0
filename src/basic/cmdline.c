/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "cmdline.h"

#include <string.h>

#include "gocompat.h"

typedef enum { FLAG_BOOL, FLAG_STRING } flag_kind;

int nvct_cmdline_parse(int argc, char *const *argv, nvct_cmdline *ret_cmdline, nvct_error **err) {
        nvct_cmdline c = { 0 };
        int i = 1;
        while (i < argc) {
                const char *s = argv[i];
                size_t len = strlen(s);
                if (len < 2 || s[0] != '-')
                        break;
                size_t minuses = 1;
                if (s[1] == '-') {
                        minuses = 2;
                        if (len == 2) { /* "--" ends the flags */
                                i++;
                                break;
                        }
                }
                const char *name = s + minuses;
                if (name[0] == '-' || name[0] == '=')
                        return nvct_error_make(err, 0, "bad flag syntax: %s", s);
                i++;

                const char *eq = strchr(name + 1, '=');
                size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
                const char *value = eq ? eq + 1 : NULL;

                bool *bool_target = NULL;
                const char **string_target = NULL;
#define IS(lit) (name_len == strlen(lit) && strncmp(name, lit, name_len) == 0)
                if (IS("debug"))
                        bool_target = &c.debug;
                else if (IS("dry-run"))
                        bool_target = &c.dry_run;
                else if (IS("version"))
                        bool_target = &c.version;
                else if (IS("config"))
                        string_target = &c.config;
                else if (IS("h") || IS("help")) {
                        c.help = true;
                        break;
                } else
                        return nvct_error_make(err, 0, "flag provided but not defined: -%.*s",
                                               (int)name_len, name);
#undef IS
                if (bool_target != NULL) {
                        if (value == NULL) {
                                *bool_target = true;
                        } else if (!nvct_go_parse_bool(value, strlen(value), bool_target)) {
                                return nvct_error_make(err, 0,
                                                       "invalid boolean value \"%s\" for -%.*s",
                                                       value, (int)name_len, name);
                        }
                        continue;
                }
                if (value == NULL) {
                        if (i >= argc)
                                return nvct_error_make(err, 0, "flag needs an argument: -%.*s",
                                                       (int)name_len, name);
                        value = argv[i++];
                }
                *string_target = value;
        }
        /* The reference treats -config="" as "no -config". */
        if (c.config != NULL && c.config[0] == '\0')
                c.config = NULL;
        c.first_arg = i;
        *ret_cmdline = c;
        return 0;
}
