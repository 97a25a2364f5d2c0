/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/quote.h"
#include "command.h"

extern char **environ;

static int command_timeout_ms = NVCT_ENGINE_COMMAND_TIMEOUT_MS;

void nvct_engine_command_set_timeout(int timeout_ms) {
        command_timeout_ms = timeout_ms > 0 ? timeout_ms : NVCT_ENGINE_COMMAND_TIMEOUT_MS;
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads fd to its end into a growing buffer of at most max bytes, within
 * the deadline (-ETIMEDOUT after it). */
static int read_all(int fd, size_t max, int64_t deadline, char **ret, size_t *ret_len) {
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap + 1);
        if (buf == NULL)
                return -ENOMEM;
        for (;;) {
                if (len == cap) {
                        if (cap > max)
                                return -EFBIG;
                        cap *= 2;
                        char *p = realloc(buf, cap + 1);
                        if (p == NULL)
                                return -ENOMEM;
                        buf = p;
                }
                int64_t left = deadline - now_ms();
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                int p = left > 0 ? poll(&pfd, 1, (int)left) : 0;
                if (p < 0 && errno == EINTR)
                        continue;
                if (p < 0)
                        return -errno;
                if (p == 0)
                        return -ETIMEDOUT;
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max)
                        return -EFBIG;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

int nvct_engine_command_output(const char *const *argv, size_t max_size, char **ret,
                               size_t *ret_len, nvct_error **err) {
        _cleanup_free_ char *q = nvct_quote(argv[0], strlen(argv[0]));
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return nvct_error_make(err, errno, "cannot run %s: pipe", nvct_quoted(q));
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        pid_t pid = 0;
        int r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        if (r != 0) {
                close(fds[0]);
                return nvct_error_make(err, r, "cannot run %s", nvct_quoted(q));
        }
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        /* A deadline for the child: an engine that hangs (a daemon it
         * waits on) must not hang the admin's command forever. */
        int rr = read_all(fds[0], max_size, now_ms() + command_timeout_ms, &out, &len);
        close(fds[0]);
        if (rr < 0)
                (void)kill(pid, SIGKILL);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (rr == -ETIMEDOUT)
                return nvct_error_make(err, 0, "%s did not finish within %g s: killed",
                                       nvct_quoted(q), command_timeout_ms / 1000.0);
        if (rr == -EFBIG)
                return nvct_error_make(err, 0, "%s wrote more than %zu bytes", nvct_quoted(q),
                                       max_size);
        if (rr < 0)
                return nvct_error_make(err, -rr, "cannot read the output of %s", nvct_quoted(q));
        if (WIFSIGNALED(status))
                return nvct_error_make(err, 0, "%s was killed by signal %d", nvct_quoted(q),
                                       WTERMSIG(status));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return nvct_error_make(err, 0, "%s exited with status %d", nvct_quoted(q),
                                       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        *ret = TAKE_PTR(out);
        *ret_len = len;
        return 0;
}
