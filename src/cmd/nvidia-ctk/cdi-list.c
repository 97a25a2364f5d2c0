/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk cdi list: the devices the CDI spec directories define, and
 * every spec file that cannot be used. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/quote.h"
#include "basic/strv.h"
#include "cdi/cdi.h"

#include "ctk.h"

static nvct_strv arg_dirs;

static const nvct_cli_opt options[] = {
        { "spec-dir", NULL, NVCT_CLI_STRINGS, "DIR",
          "a CDI spec directory (default: /etc/cdi and /var/run/cdi)", .ret_strings = &arg_dirs },
};

static int cdi_list(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        static const char *const default_dirs[] = { "/etc/cdi", "/var/run/cdi", NULL };
        int status = EXIT_FAILURE;
        nvct_cdi_listing listing = { 0 };

        const char *const *search = arg_dirs.n ? (const char *const *)arg_dirs.v : default_dirs;
        if (nvct_cdi_list(search, &listing, &err) < 0) {
                status = nvct_cli_fail(call, &err);
                goto out;
        }
        for (size_t i = 0; i < listing.n_devices; i++)
                printf("%s\n", listing.devices[i].qualified_name);
        for (size_t i = 0; i < listing.n_problems; i++) {
                /* Security: a spec file's name is chosen by whoever can write
                 * a spec directory; quoted, it cannot forge a line of its own
                 * (the reason is one line, its paths and values quoted). */
                _cleanup_free_ char *qp = nvct_quote_path(listing.problems[i].path);
                fprintf(stderr, PROGRAM ": %s: %s\n", nvct_quoted(qp), listing.problems[i].reason);
        }
        if (fflush(stdout) != 0) {
                nvct_error_make(&err, errno, "cannot write the list");
                status = nvct_cli_fail(call, &err);
                goto out;
        }
        status = listing.n_problems > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
out:
        nvct_cdi_listing_clear(&listing);
        return status;
}

const nvct_cli_command ctk_cdi_list = {
        .name = "list",
        .summary = "list the CDI devices of the spec directories",
        .description = "List the fully qualified names of the CDI devices the spec directories "
                       "define;\nreport every spec file that cannot be used. Exits 1 when there "
                       "is one.",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = cdi_list,
};
