/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "quote.h"

enum path_failure { CANNOT_OPEN, CANNOT_STAT, CANNOT_READ, NOT_REGULAR, TOO_LARGE };

/* Security: the path may come from the state (the bundle), name a file in a
 * CDI spec directory, or be the config given with -config: it is quoted in
 * every message, so that its bytes cannot start a line or an escape sequence
 * of their own. */
static int path_error(nvct_error **err, int errno_, enum path_failure failure, const char *what,
                      const char *path, size_t max_size) {
        _cleanup_free_ char *q = nvct_quote_path(path);
        const char *shown = nvct_quoted(q);
        switch (failure) {
        case CANNOT_OPEN:
                return nvct_error_make(err, errno_, "could not open %s %s", what, shown);
        case CANNOT_STAT:
                return nvct_error_make(err, errno_, "could not stat %s %s", what, shown);
        case CANNOT_READ:
                return nvct_error_make(err, errno_, "could not read %s %s", what, shown);
        case NOT_REGULAR:
                return nvct_error_make(err, errno_, "%s %s is not a regular file", what, shown);
        default:
                return nvct_error_make(err, errno_, "%s %s is larger than %zu bytes", what, shown,
                                       max_size);
        }
}

int nvct_open_regular(const char *path, const char *what, size_t max_size, bool missing_ok,
                      int *ret_fd, size_t *ret_size, nvct_error **err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
                if (missing_ok && errno == ENOENT)
                        return -ENOENT;
                return path_error(err, errno, CANNOT_OPEN, what, path, 0);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return path_error(err, errno, CANNOT_STAT, what, path, 0);
        if (!S_ISREG(st.st_mode))
                return path_error(err, 0, NOT_REGULAR, what, path, 0);
        if ((uint64_t)st.st_size > max_size)
                return path_error(err, 0, TOO_LARGE, what, path, max_size);
        *ret_fd = TAKE_FD(fd);
        *ret_size = (size_t)st.st_size;
        return 0;
}

int nvct_read_opened(int fd, const char *path, const char *what, size_t size, size_t max_size,
                     char **ret_data, size_t *ret_len, nvct_error **err) {
        /* The size fstat saw, one byte more to notice a file that grew since
         * (procfs files say 0), and the terminating NUL. */
        size_t cap = size + 1, len = 0;
        _cleanup_free_ char *data = malloc(cap + 1);
        if (data == NULL)
                return path_error(err, ENOMEM, CANNOT_READ, what, path, 0);
        for (;;) {
                if (len == cap) {
                        /* Still bounded, however it grew. */
                        if (cap > max_size)
                                return path_error(err, 0, TOO_LARGE, what, path, max_size);
                        size_t bigger = cap * 2 > max_size + 1 ? max_size + 1 : cap * 2;
                        char *b = realloc(data, bigger + 1);
                        if (b == NULL)
                                return path_error(err, ENOMEM, CANNOT_READ, what, path, 0);
                        data = b;
                        cap = bigger;
                }
                ssize_t n = read(fd, data + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return path_error(err, errno, CANNOT_READ, what, path, 0);
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        data[len] = '\0';
        *ret_data = TAKE_PTR(data);
        *ret_len = len;
        return 0;
}

int nvct_read_regular(const char *path, const char *what, size_t max_size, bool missing_ok,
                      char **ret_data, size_t *ret_len, nvct_error **err) {
        _cleanup_close_ int fd = -1;
        size_t size = 0;
        int r = nvct_open_regular(path, what, max_size, missing_ok, &fd, &size, err);
        if (r < 0)
                return r;
        return nvct_read_opened(fd, path, what, size, max_size, ret_data, ret_len, err);
}

int nvct_write_all(int fd, const void *buf, size_t len) {
        const char *data = buf;
        while (len > 0) {
                ssize_t n = write(fd, data, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                data += n;
                len -= (size_t)n;
        }
        return 0;
}

/* The owner a replaced file gets; (uid_t)-1 / (gid_t)-1: the creator's. */
typedef struct file_owner {
        uid_t uid;
        gid_t gid;
} file_owner;

static const file_owner creator = { (uid_t)-1, (gid_t)-1 };

static int write_replace(const char *path, const void *data, size_t len, mode_t mode,
                         const file_owner *owner, bool durable, nvct_error **err) {
        _cleanup_free_ char *dir = NULL, *tmp = NULL;
        const char *slash = strrchr(path, '/');
        dir = slash == NULL ? strdup(".")
                            : nvct_memdup0(path, slash == path ? 1 : (size_t)(slash - path));
        _cleanup_free_ char *q = nvct_quote_path(path);
        if (dir == NULL || asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
                tmp = NULL;
                return nvct_error_make(err, ENOMEM, "cannot write %s", nvct_quoted(q));
        }
        /* Only a file is replaced: a directory, FIFO, socket or device at
         * `path` is refused before anything is created (rename would replace
         * a FIFO or device silently and fail late on a directory). A symlink
         * is replaced itself, never followed. */
        struct stat st;
        if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
                return nvct_error_make(err, 0, "cannot write %s: not a regular file",
                                       nvct_quoted(q));
        /* mkostemp: O_EXCL, so a file or symlink planted under the temporary
         * name is never written through. */
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return nvct_error_make(err, errno, "cannot create a temporary file for %s",
                                       nvct_quoted(q));
        /* fchown before fchmod: a change of owner clears set-id bits. */
        int r = 0;
        if ((owner->uid != (uid_t)-1 || owner->gid != (gid_t)-1) &&
            fchown(fd, owner->uid, owner->gid) < 0)
                r = -errno;
        if (r == 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r == 0)
                r = nvct_write_all(fd, data, len);
        if (r == 0 && durable && fsync(fd) < 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return nvct_error_make(err, -r, "cannot write %s", nvct_quoted(q));
        }
        if (!durable)
                return 0;
        /* The rename is durable once the directory is. */
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0)
                (void)fsync(dfd);
        return 0;
}

int nvct_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
                           nvct_error **err) {
        return write_replace(path, data, len, mode, &creator, true, err);
}

int nvct_write_file_atomic_owned(const char *path, const void *data, size_t len, mode_t mode,
                                 uid_t uid, gid_t gid, nvct_error **err) {
        const file_owner owner = { uid, gid };
        return write_replace(path, data, len, mode, &owner, true, err);
}

int nvct_write_file_replace(const char *path, const void *data, size_t len, mode_t mode,
                            nvct_error **err) {
        return write_replace(path, data, len, mode, &creator, false, err);
}
