/* SPDX-License-Identifier: Apache-2.0 */
/* A small dedicated scanner rather than basic/cli's nvct_cli_parse: the
 * wrapper must never fail where runc might succeed, and must not stop where
 * runc does not. nvct_cli_parse stops at the first argument, but runc's
 * urfave/cli reorders a subcommand's flags so that "create ID --bundle B"
 * sets the bundle; and nvct_cli_parse turns a bad boolean or a missing value
 * into an error, where here it only means "not a create". The flag syntax
 * is Go's flag package's, as in basic/cli: one or two dashes, "-name=value"
 * or "-name value" (the next argument, whatever it is), a boolean never
 * taking the next argument, "--" ending the flags. */
#include "argv.h"

#include <stddef.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/gocompat.h"

typedef enum flag_kind {
        FLAG_BOOL,
        FLAG_VALUE,
        FLAG_HELP, /* a boolean that shows help (or the version) instead */
} flag_kind;

typedef enum flag_id {
        FLAG_OTHER,
        FLAG_BUNDLE,
        FLAG_CONFIG,
        FLAG_LOG,
        FLAG_LOG_FORMAT,
        FLAG_DEBUG,
} flag_id;

typedef struct flag {
        const char *name;
        flag_kind kind;
        flag_id id;
} flag;

/* runc's global flags (main.go). --criu is gone from newer runc but older
 * ones take a value with it, and reading it as a value is harmless. */
static const flag global_flags[] = {
        { "debug", FLAG_BOOL, FLAG_DEBUG },
        { "log", FLAG_VALUE, FLAG_LOG },
        { "log-format", FLAG_VALUE, FLAG_LOG_FORMAT },
        { "root", FLAG_VALUE, FLAG_OTHER },
        { "criu", FLAG_VALUE, FLAG_OTHER },
        { "systemd-cgroup", FLAG_BOOL, FLAG_OTHER },
        { "rootless", FLAG_VALUE, FLAG_OTHER },
        { "help", FLAG_HELP, FLAG_OTHER },
        { "h", FLAG_HELP, FLAG_OTHER },
        { "version", FLAG_HELP, FLAG_OTHER },
        { "v", FLAG_HELP, FLAG_OTHER },
};

/* runc create's flags (create.go). */
static const flag create_flags[] = {
        { "bundle", FLAG_VALUE, FLAG_BUNDLE },
        { "b", FLAG_VALUE, FLAG_BUNDLE },
        { "config", FLAG_VALUE, FLAG_CONFIG },
        { "console-socket", FLAG_VALUE, FLAG_OTHER },
        { "pidfd-socket", FLAG_VALUE, FLAG_OTHER },
        { "pid-file", FLAG_VALUE, FLAG_OTHER },
        { "preserve-fds", FLAG_VALUE, FLAG_OTHER },
        { "no-pivot", FLAG_BOOL, FLAG_OTHER },
        { "no-new-keyring", FLAG_BOOL, FLAG_OTHER },
        { "help", FLAG_HELP, FLAG_OTHER },
        { "h", FLAG_HELP, FLAG_OTHER },
};

/* Whether `arg` is a flag rather than an argument: "-" and "" are
 * arguments; "--" is the terminator, which the caller checks first. */
static bool is_flag(const char *arg) {
        return arg[0] == '-' && arg[1] != '\0';
}

typedef enum step {
        STEP_OK,
        STEP_HELP,
        STEP_BAD, /* Go's flag package would fail: runc reports it */
} step;

/* Reads the flag at argv[*i], advancing *i past it and its value. An
 * unknown flag takes no value: runc rejects it anyway, and a newer runc's
 * new flag is likelier a boolean than not. A boolean's value is "true" or
 * "false" in *ret_value (a "-name=x" that Go's ParseBool refuses is runc's
 * usage error). */
static step read_flag(int argc, char *const *argv, int *i, const flag *table, size_t n_table,
                      flag_id *ret_id, const char **ret_value) {
        const char *arg = argv[*i];
        const char *name = arg[1] == '-' ? arg + 2 : arg + 1;
        *ret_id = FLAG_OTHER;
        *ret_value = NULL;
        (*i)++;
        if (name[0] == '\0' || name[0] == '-' || name[0] == '=')
                return STEP_BAD;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const flag *f = NULL;
        for (size_t k = 0; k < n_table; k++)
                if (strlen(table[k].name) == len && memcmp(table[k].name, name, len) == 0) {
                        f = &table[k];
                        break;
                }
        if (f == NULL)
                return STEP_OK;
        bool on = true;
        switch (f->kind) {
        case FLAG_BOOL:
                if (eq != NULL && !nvct_go_parse_bool(eq + 1, strlen(eq + 1), &on))
                        return STEP_BAD;
                *ret_id = f->id;
                *ret_value = on ? "true" : "false";
                return STEP_OK;
        case FLAG_HELP:
                if (eq != NULL && !nvct_go_parse_bool(eq + 1, strlen(eq + 1), &on))
                        return STEP_BAD;
                return on ? STEP_HELP : STEP_OK;
        case FLAG_VALUE:
                if (eq != NULL) {
                        *ret_value = eq + 1;
                } else {
                        if (*i >= argc)
                                return STEP_BAD;
                        *ret_value = argv[(*i)++];
                }
                *ret_id = f->id;
                return STEP_OK;
        }
        return STEP_OK;
}

/* create's arguments, argv[first..argc): flags anywhere before "--" (runc's
 * urfave/cli moves a subcommand's flags ahead of its arguments), the first
 * other argument being the container id. */
static void scan_create(int argc, char *const *argv, int first, nvct_runtime_argv *r) {
        bool flags_done = false;
        bool ok = true;
        for (int i = first; i < argc;) {
                const char *arg = argv[i];
                if (!flags_done && strcmp(arg, "--") == 0) {
                        flags_done = true;
                        i++;
                        continue;
                }
                if (flags_done || !is_flag(arg)) {
                        if (r->container_id == NULL) {
                                r->container_id_index = i;
                                r->container_id = arg;
                        }
                        i++;
                        continue;
                }
                flag_id id;
                const char *value;
                step s = read_flag(argc, argv, &i, create_flags, ARRAY_SIZE(create_flags), &id,
                                   &value);
                if (s == STEP_HELP)
                        r->help = true;
                else if (s == STEP_BAD)
                        ok = false;
                else if (id == FLAG_BUNDLE)
                        r->bundle = value[0] != '\0' ? value : NULL;
                else if (id == FLAG_CONFIG)
                        r->config = value[0] != '\0' ? value : NULL;
        }
        r->is_create = ok && !r->help;
}

void nvct_runtime_argv_scan(int argc, char *const *argv, nvct_runtime_argv *ret) {
        *ret = (nvct_runtime_argv){ .subcommand_index = -1, .container_id_index = -1 };
        int i = 1;
        while (i < argc) {
                const char *arg = argv[i];
                if (strcmp(arg, "--") == 0) {
                        i++;
                        break;
                }
                if (!is_flag(arg))
                        break;
                flag_id id;
                const char *value;
                step s = read_flag(argc, argv, &i, global_flags, ARRAY_SIZE(global_flags), &id,
                                   &value);
                if (s == STEP_BAD)
                        return; /* runc fails before any subcommand */
                if (s == STEP_HELP)
                        ret->help = true;
                else if (id == FLAG_LOG)
                        ret->log = value[0] != '\0' ? value : NULL;
                else if (id == FLAG_LOG_FORMAT)
                        ret->log_format = value[0] != '\0' ? value : NULL;
                else if (id == FLAG_DEBUG)
                        ret->debug = strcmp(value, "true") == 0;
        }
        if (i >= argc)
                return;
        ret->subcommand_index = i;
        ret->subcommand = argv[i];
        /* urfave/cli shows help or the version before it runs a subcommand. */
        if (ret->help || strcmp(argv[i], "create") != 0)
                return;
        scan_create(argc, argv, i + 1, ret);
        if (!ret->is_create) {
                ret->bundle = ret->config = ret->container_id = NULL;
                ret->container_id_index = -1;
        }
}
