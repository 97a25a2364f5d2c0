/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the hook's own command line: the input, split at NUL bytes, is
 * argv (argv[0] first; an empty input is argc == 0), handed to
 * nvct_cli_parse with the hook's flags (the table the hook itself uses).
 * Checks that first_arg stays within argv, that -config points into argv,
 * that everything before first_arg is flags, flag values or "--", and that a
 * failed parse stores nothing. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cli.h"
#include "basic/error.h"
#include "cmd/nvidia-container-runtime-hook/flags.h"
#include "fuzz.h"

/* Whether a flag argument (one or two dashes) names -config with no
 * "=value": its value is then the next argument. */
static bool takes_next_value(const char *s) {
        const char *name = s + 1;
        if (*name == '-')
                name++;
        return strcmp(name, "config") == 0;
}

/* The hook's flags as parsed, and where parsing stopped. */
typedef struct hook_cmdline {
        hook_flags f;
        bool help;
        int first_arg;
} hook_cmdline;

static void check_result(int argc, char *const *argv, const hook_cmdline *c) {
        CHECK(c->first_arg >= 1);
        CHECK(c->first_arg <= (argc > 1 ? argc : 1));
        if (c->f.config != NULL) {
                /* A pointer into one of the arguments, not a copy, and
                 * never empty (-config= means no -config). */
                CHECK(c->f.config[0] != '\0');
                bool inside = false;
                for (int i = 1; i < c->first_arg && !inside; i++) {
                        size_t len = strlen(argv[i]);
                        inside = c->f.config >= argv[i] && c->f.config < argv[i] + len;
                }
                CHECK(inside);
        }
        /* Before first_arg: flags (one or two dashes) and -config values;
         * "--" only as the last of them. */
        for (int i = 1; i < c->first_arg; i++) {
                const char *s = argv[i];
                CHECK(strlen(s) >= 2 && s[0] == '-');
                if (strcmp(s, "--") == 0) {
                        CHECK(i + 1 == c->first_arg);
                        continue;
                }
                if (takes_next_value(s) && i + 1 < c->first_arg)
                        i++; /* its value may be anything */
                else if (takes_next_value(s))
                        CHECK(false && "-config without its value");
        }
        /* Unless -h stopped parsing, what follows is not a flag, or comes
         * after "--". */
        if (!c->help && c->first_arg < argc) {
                const char *next = argv[c->first_arg];
                bool after_dashes = strcmp(argv[c->first_arg - 1], "--") == 0;
                CHECK(after_dashes || strlen(next) < 2 || next[0] != '-');
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* One malloc'd, exact-size string per argument, like a kernel-made
         * argv would not be, so that ASan sees any overread. */
        size_t n = 0;
        if (size > 0) {
                n = 1;
                for (size_t i = 0; i < size; i++)
                        n += data[i] == '\0';
        }
        if (n > 1u << 16)
                return 0;
        char **argv = calloc(n + 1, sizeof(*argv));
        if (argv == NULL)
                return 0;
        int argc = (int)n;
        size_t start = 0;
        for (size_t k = 0; k < n; k++) {
                const uint8_t *nul = memchr(data + start, '\0', size - start);
                size_t end = nul ? (size_t)(nul - data) : size;
                argv[k] = malloc(end - start + 1);
                CHECK(argv[k] != NULL);
                memcpy(argv[k], data + start, end - start);
                argv[k][end - start] = '\0';
                start = end + 1;
        }
        argv[n] = NULL;

        /* Sentinels: a failed parse must leave every output as it was. */
        static const char sentinel[] = "sentinel";
        hook_cmdline c = { .f = { true, false, true, sentinel }, .help = true, .first_arg = -1 };
        const nvct_cli_opt opts[] = HOOK_FLAGS_OPTIONS(&c.f);
        nvct_error *err = NULL;
        if (nvct_cli_parse(NVCT_CLI_GO, argc, argv, 1, opts, sizeof(opts) / sizeof(opts[0]), NULL,
                           &c.help, &c.first_arg, &err) < 0) {
                CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
                nvct_error_free(&err);
                CHECK(c.f.debug && !c.f.dry_run && c.f.version && c.f.config == sentinel);
                CHECK(c.help && c.first_arg == -1);
        } else {
                CHECK(err == NULL);
                /* A -config not given keeps what it held. */
                if (c.f.config == sentinel)
                        c.f.config = NULL;
                check_result(argc, argv, &c);
        }

        for (size_t k = 0; k < n; k++)
                free(argv[k]);
        free(argv);
        return 0;
}
