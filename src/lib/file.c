/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

int nvct_open_regular(const char *path, const char *what, size_t max_size, bool missing_ok,
                      int *ret_fd, size_t *ret_size, nvct_error **err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
                if (missing_ok && errno == ENOENT)
                        return -ENOENT;
                return nvct_error_make(err, errno, "could not open %s %s", what, path);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return nvct_error_make(err, errno, "could not stat %s %s", what, path);
        if (!S_ISREG(st.st_mode))
                return nvct_error_make(err, 0, "%s %s is not a regular file", what, path);
        if ((uint64_t)st.st_size > max_size)
                return nvct_error_make(err, 0, "%s %s is larger than %zu bytes", what, path,
                                       max_size);
        *ret_fd = TAKE_FD(fd);
        *ret_size = (size_t)st.st_size;
        return 0;
}
