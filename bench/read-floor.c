/* SPDX-License-Identifier: Apache-2.0 */
/* Baseline "read floor": reads the spec file once, in 64 KiB chunks, then
 * execs the no-op CLI: the least any hook that looks at every byte of
 * config.json can do.
 * Usage: read-floor SPEC CLI   (run like the hook: cwd = bundle, stdin = state) */
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv) {
        if (argc < 3)
                return 2;
        int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 1;
        static char buf[65536];
        unsigned sum = 0;
        ssize_t n;
        while ((n = read(fd, buf, sizeof(buf))) > 0)
                sum += (unsigned char)buf[0]; /* touch the data */
        if (n < 0)
                return 1;
        close(fd);
        char *args[] = { argv[2], NULL };
        execv(argv[2], args);
        return 127 + (int)(sum & 0);
}
