/* SPDX-License-Identifier: Apache-2.0 */
/* Reading runc's command line as nvidia-container-runtime must: which
 * subcommand it names, runc's own logging flags, and for `create` the
 * bundle and the container id.
 * The wrapper passes every argument to the low-level runtime unchanged, so
 * this only reads argv; it never fails: a command line it cannot read is
 * simply not a create, and runc reports the usage error itself. */
#ifndef NVCT_RUNTIME_ARGV_H
#define NVCT_RUNTIME_ARGV_H

#include <stdbool.h>

typedef struct nvct_runtime_argv {
        /* The subcommand: the first argument after runc's global flags (and
         * after a "--" that ends them); -1 and NULL when there is none. */
        int subcommand_index;
        const char *subcommand;
        /* The subcommand is "create" and runc would run it: its flags read
         * (a value flag with no value, "---x" or "-=x" is runc's usage
         * error, not a create), and no -h/--help or -v/--version (global,
         * or create's -h) asked for help instead. */
        bool is_create;
        /* -h/--help or -v/--version before the subcommand, or -h/--help
         * among create's flags. */
        bool help;
        /* runc's global logging flags, whatever the subcommand (a failed
         * `start` or `delete` is logged too), as far as the globals could be
         * read: the last --log and --log-format values (NULL when none or
         * empty: runc then logs to stderr, in text) and --debug's last
         * value (NVIDIA's runtime logs at debug level under it). Into argv. */
        const char *log;
        const char *log_format;
        bool debug;
        /* Set only when is_create (NULL and -1 otherwise); into argv. */
        /* The last -b/--bundle value; NULL when none or empty: runc then
         * uses its working directory, which the caller resolves (getcwd). */
        const char *bundle;
        /* The last --config value (runc >= 1.3: the spec's file, relative
         * to the bundle); NULL when none or empty: "config.json". */
        const char *config;
        /* The first argument among create's that is not a flag or a flag's
         * value (urfave/cli lets flags follow it); -1 and NULL when none. */
        int container_id_index;
        const char *container_id;
} nvct_runtime_argv;

/* Reads argv[0..argc) (argv[0] is the program). Linear in argc; allocates
 * nothing; the result points into argv. */
void nvct_runtime_argv_scan(int argc, char *const *argv, nvct_runtime_argv *ret);

#endif
