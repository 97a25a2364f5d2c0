/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes runtime/argv, the runc wrapper's reading of runc's command line:
 * the input, split at NUL bytes, is argv (argv[0] first). Checks that argv
 * is never changed, that the results point into it, that a create is only
 * ever "create" in the subcommand's place, and two relations: a boolean
 * global flag put in front shifts the subcommand by one and changes nothing
 * else; a "--bundle=" appended to a create (with no "--" among its
 * arguments) becomes its bundle, the last one winning. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "runtime/argv.h"

static bool points_into(const char *p, char *const *argv, int from, int argc) {
        for (int i = from; i < argc; i++)
                if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
                        return true;
        return false;
}

static void check_result(int argc, char *const *argv, const nvct_runtime_argv *r) {
        CHECK(r->subcommand_index >= -1 && r->subcommand_index < (argc > 1 ? argc : 1));
        CHECK(r->subcommand_index != 0);
        if (r->subcommand_index < 0)
                CHECK(r->subcommand == NULL && !r->is_create);
        else
                CHECK(r->subcommand == argv[r->subcommand_index]);
        if (!r->is_create) {
                CHECK(r->bundle == NULL && r->config == NULL && r->container_id == NULL);
                CHECK(r->container_id_index == -1);
                return;
        }
        CHECK(strcmp(r->subcommand, "create") == 0 && !r->help);
        if (r->bundle != NULL) {
                CHECK(r->bundle[0] != '\0');
                CHECK(points_into(r->bundle, argv, r->subcommand_index + 1, argc));
        }
        if (r->config != NULL) {
                CHECK(r->config[0] != '\0');
                CHECK(points_into(r->config, argv, r->subcommand_index + 1, argc));
        }
        if (r->container_id != NULL) {
                CHECK(r->container_id_index > r->subcommand_index);
                CHECK(r->container_id_index < argc);
                CHECK(r->container_id == argv[r->container_id_index]);
        } else {
                CHECK(r->container_id_index == -1);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t n = 1;
        for (size_t i = 0; i < size; i++)
                n += data[i] == '\0';
        if (n > 1u << 12)
                return 0;
        /* Room for a global flag in front and a --bundle= at the end. */
        char **argv = calloc(n + 3, sizeof(*argv));
        char **saved = calloc(n + 1, sizeof(*saved));
        CHECK(argv != NULL && saved != NULL);
        int argc = (int)n;
        size_t start = 0;
        for (size_t k = 0; k < n; k++) {
                const uint8_t *nul = memchr(data + start, '\0', size - start);
                size_t end = nul ? (size_t)(nul - data) : size;
                argv[k] = malloc(end - start + 1);
                saved[k] = malloc(end - start + 1);
                CHECK(argv[k] != NULL && saved[k] != NULL);
                memcpy(argv[k], data + start, end - start);
                argv[k][end - start] = '\0';
                memcpy(saved[k], argv[k], end - start + 1);
                start = end + 1;
        }
        char **pointers = calloc(n + 1, sizeof(*pointers));
        CHECK(pointers != NULL);
        memcpy(pointers, argv, n * sizeof(*argv));

        nvct_runtime_argv r;
        nvct_runtime_argv_scan(argc, argv, &r);
        for (size_t k = 0; k < n; k++)
                CHECK(argv[k] == pointers[k] && strcmp(argv[k], saved[k]) == 0);
        check_result(argc, argv, &r);

        /* A boolean global in front: argv[0], "--debug", argv[1..]. */
        char debug[] = "--debug";
        char **shifted = calloc(n + 2, sizeof(*shifted));
        CHECK(shifted != NULL);
        shifted[0] = argv[0];
        shifted[1] = debug;
        memcpy(shifted + 2, argv + 1, (n - 1) * sizeof(*argv));
        nvct_runtime_argv s;
        nvct_runtime_argv_scan(argc + 1, shifted, &s);
        check_result(argc + 1, shifted, &s);
        CHECK(s.is_create == r.is_create && s.help == r.help);
        CHECK(s.subcommand == r.subcommand && s.bundle == r.bundle && s.config == r.config);
        CHECK(s.container_id == r.container_id);
        CHECK(r.subcommand_index < 0 ? s.subcommand_index == -1
                                     : s.subcommand_index == r.subcommand_index + 1);

        if (r.is_create) {
                bool dashes = false;
                for (int i = r.subcommand_index + 1; i < argc; i++)
                        dashes = dashes || strcmp(argv[i], "--") == 0;
                if (!dashes) {
                        char last[] = "--bundle=/fuzz-last";
                        argv[argc] = last;
                        nvct_runtime_argv t;
                        nvct_runtime_argv_scan(argc + 1, argv, &t);
                        check_result(argc + 1, argv, &t);
                        CHECK(t.is_create && t.bundle == last + 9);
                        CHECK(t.container_id == r.container_id);
                        argv[argc] = NULL;
                }
        }

        for (size_t k = 0; k < n; k++) {
                free(argv[k]);
                free(saved[k]);
        }
        free(argv);
        free(saved);
        free(pointers);
        free(shifted);
        return 0;
}
