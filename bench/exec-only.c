/* SPDX-License-Identifier: Apache-2.0 */
/* Baseline "exec-only": the floor any runc wrapper pays. Built static (no
 * dynamic loader, no relocations), it does nothing but exec the runtime with
 * the rest of its arguments, as the wrapper hands a call on unchanged.
 * Usage: exec-only RUNTIME [ARG...] */
#include <unistd.h>

int main(int argc, char **argv) {
        if (argc < 2)
                return 2;
        execv(argv[1], argv + 1);
        return 127;
}
