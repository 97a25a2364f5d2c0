/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the container state decoder (what runc writes on the hook's stdin):
 * nvct_state_parse over arbitrary bytes. Checks that it never reads past
 * the input, never leaks, and that what it returns is well formed, with or
 * without an error to fill. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/error.h"
#include "oci/oci.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *buf = fuzz_copy_input(data, size);
        if (buf == NULL)
                return 0;

        nvct_state st = { .pid = -7 };
        nvct_error *err = NULL;
        int r = nvct_state_parse(buf, size, &st, &err);
        /* Without an error to fill (error.h allows it): the same outcome. */
        nvct_state quiet = { 0 };
        CHECK(nvct_state_parse(buf, size, &quiet, NULL) == r);
        nvct_state_clear(&quiet);
        if (r < 0) {
                CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
                nvct_error_free(&err);
        } else {
                CHECK(r == 0);
                CHECK(err == NULL);
                CHECK(st.bundle != NULL);
                CHECK(st.bundle[st.bundle_len] == '\0');
                nvct_state_clear(&st);
                CHECK(st.bundle == NULL);
        }
        free(buf);
        return 0;
}
