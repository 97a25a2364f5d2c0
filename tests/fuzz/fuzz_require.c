/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes policy/require, libnvidia-container's requirement grammar: the
 * input is one NVIDIA_REQUIRE_* value, checked against a few hosts. Besides
 * the sanitizers, checks that a message is one line of printable ASCII that
 * says which kind of failure it is; that nvct_require_validate accepts what
 * never fails as invalid, and that a valid requirement holds where every fact
 * is unknown; and three relations: ASCII upper case changes no outcome, "E E"
 * has E's outcome, and two GPUs meet a requirement exactly when each alone
 * does. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/error.h"
#include "fuzz.h"
#include "policy/require.h"

typedef enum { MET, UNMET, INVALID } outcome;

static const nvct_require_gpu gpus[] = {
        { .arch = "9.0", .brand = "tesla" },
        { .arch = "8.6", .brand = "geforce" },
};

static const nvct_require_host hosts[] = {
        { 0 },
        { .cuda = "12.4", .driver = "550.54.15" },
        { .cuda = "12.4", .driver = "550.54.15", .gpus = gpus, .n_gpus = 2 },
        { .cuda = "12.4", .driver = "550.54.15", .gpus = &gpus[0], .n_gpus = 1 },
        { .cuda = "12.4", .driver = "550.54.15", .gpus = &gpus[1], .n_gpus = 1 },
};
enum { HOST_UNKNOWN, HOST_NO_GPU, HOST_TWO, HOST_GPU0, HOST_GPU1, N_HOSTS };

static bool starts_with(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

static outcome check(const char *expr, size_t len, const nvct_require_host *host) {
        nvct_error *err = NULL;
        int r = nvct_require_check(expr, len, "NVIDIA_REQUIRE_FUZZ", host, &err);
        CHECK(r == 0 || r == -1);
        CHECK((r == 0) == (err == NULL));
        if (r == 0)
                return MET;
        for (const char *p = err->msg; *p != '\0'; p++)
                CHECK(*p >= 0x20 && *p <= 0x7e);
        outcome o = starts_with(err->msg, "unsatisfied requirement ") ? UNMET : INVALID;
        CHECK(o == UNMET || starts_with(err->msg, "invalid requirement "));
        CHECK(strstr(err->msg, "(NVIDIA_REQUIRE_FUZZ)") != NULL);
        nvct_error_free(&err);
        return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > NVCT_REQUIRE_MAX + 16)
                return 0;
        char *expr = fuzz_copy_input(data, size);
        CHECK(expr != NULL);

        outcome got[N_HOSTS];
        for (int h = 0; h < N_HOSTS; h++)
                got[h] = check(expr, size, &hosts[h]);

        nvct_error *err = NULL;
        int valid = nvct_require_validate(expr, size, "NVIDIA_REQUIRE_FUZZ", &err);
        CHECK((valid == 0) == (err == NULL));
        nvct_error_free(&err);
        if (valid == 0) {
                for (int h = 0; h < N_HOSTS; h++)
                        CHECK(got[h] != INVALID);
                CHECK(got[HOST_UNKNOWN] == MET);
        }

        /* Each GPU is evaluated alone: two meet it when both alone do. */
        CHECK((got[HOST_TWO] == MET) == (got[HOST_GPU0] == MET && got[HOST_GPU1] == MET));
        if (got[HOST_TWO] == INVALID)
                CHECK(got[HOST_GPU0] == INVALID || got[HOST_GPU1] == INVALID);

        /* Predicates and brands ignore case; versions have no letters. */
        char *upper = fuzz_copy_input(data, size);
        CHECK(upper != NULL);
        for (size_t i = 0; i < size; i++)
                if (upper[i] >= 'a' && upper[i] <= 'z')
                        upper[i] = (char)(upper[i] - 'a' + 'A');
        for (int h = 0; h < N_HOSTS; h++)
                CHECK(check(upper, size, &hosts[h]) == got[h]);
        free(upper);

        /* "E E": the first E's groups are E's, and a second E decides as the
         * first did. */
        if (2 * size + 1 <= NVCT_REQUIRE_MAX && memchr(expr, '\0', size) == NULL) {
                char *twice = malloc(2 * size + 1);
                CHECK(twice != NULL);
                memcpy(twice, expr, size);
                twice[size] = ' ';
                memcpy(twice + size + 1, expr, size);
                for (int h = 0; h < N_HOSTS; h++)
                        CHECK(check(twice, 2 * size + 1, &hosts[h]) == got[h]);
                free(twice);
        }
        free(expr);
        return 0;
}
