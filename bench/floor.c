/* SPDX-License-Identifier: Apache-2.0 */
/* Baseline "floor": a process that does nothing but exec the no-op CLI.
 * Usage: floor CLI   (run like the hook: cwd = bundle, stdin = state) */
#include <unistd.h>

int main(int argc, char **argv) {
        if (argc < 2)
                return 2;
        char *args[] = { argv[1], NULL };
        execv(argv[1], args);
        return 127;
}
