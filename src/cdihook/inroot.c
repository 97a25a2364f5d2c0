/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "inroot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/quote.h"

/* Names tried for a temporary file before giving up. */
#define TMPNAME_TRIES 16

static uint64_t random_u64(void) {
        uint64_t r = 0;
        if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                r ^= (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() << 32;
        }
        return r;
}

/* A name in `where` for messages: "WHERE/NAME", quoted. */
static char *quote_in(const char *where, const char *name) {
        _cleanup_free_ char *path = NULL;
        size_t wl = strlen(where);
        bool slash = wl > 0 && where[wl - 1] == '/';
        if (asprintf(&path, "%s%s%s", where, slash ? "" : "/", name) < 0)
                return NULL;
        return nvct_quote_path(path);
}

int nvct_cdihook_write_at(int dir_fd, const char *where, const char *name, const void *data,
                          size_t len, mode_t mode, bool replace, nvct_error **err) {
        _cleanup_free_ char *qn = quote_in(where, name);
        char tmp[64];
        _cleanup_close_ int fd = -1;

        /* Security: a new file under a name nobody else uses, in the
         * directory fd rootfs resolved inside the root; O_EXCL|O_NOFOLLOW
         * never opens what is already there, so no symlink planted by the
         * image is written through. Hidden (a leading '.'), so that a glob
         * such as ld.so.conf's "*.conf" never reads it half-written. */
        for (int tries = 0;; tries++) {
                snprintf(tmp, sizeof(tmp), ".nvct-%016llx.tmp", (unsigned long long)random_u64());
                fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                            mode & 0777);
                if (fd >= 0)
                        break;
                if (errno != EEXIST || tries >= TMPNAME_TRIES)
                        return nvct_error_make(err, errno, "could not create %s", nvct_quoted(qn));
        }
        int r = nvct_write_all(fd, data, len);
        /* The umask applied at creation: the mode asked for, exactly. */
        if (r == 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r == 0 && close(TAKE_FD(fd)) < 0)
                r = -errno;
        if (r < 0) {
                unlinkat(dir_fd, tmp, 0);
                return nvct_error_make(err, -r, "could not write %s", nvct_quoted(qn));
        }
        /* rename replaces a file or symlink at `name` rather than writing
         * to it; a directory there fails (EISDIR). */
        unsigned flags = replace ? 0 : RENAME_NOREPLACE;
        if (renameat2(dir_fd, tmp, dir_fd, name, flags) < 0) {
                int e = errno;
                unlinkat(dir_fd, tmp, 0);
                if (e == EEXIST && !replace)
                        return -EEXIST;
                return nvct_error_make(err, e, "could not create %s", nvct_quoted(qn));
        }
        return 0;
}

int nvct_cdihook_list_dir(int dir_fd, const char *where, nvct_cdihook_dirent_fn fn, void *userdata,
                          nvct_error **err) {
        _cleanup_free_ char *qw = nvct_quote_path(where);
        /* Reopening "." of an fd the lookup resolved: the same directory,
         * nothing resolved again by name. O_NONBLOCK|O_DIRECTORY: nothing
         * but a directory is opened. */
        int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return nvct_error_make(err, errno, "could not read the directory %s",
                                       nvct_quoted(qw));
        DIR *d = fdopendir(fd);
        if (d == NULL) {
                int e = errno;
                close(fd);
                return nvct_error_make(err, e, "could not read the directory %s", nvct_quoted(qw));
        }
        size_t n = 0;
        int r = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (de == NULL) {
                        if (errno != 0)
                                r = nvct_error_make(err, errno, "could not read the directory %s",
                                                    nvct_quoted(qw));
                        break;
                }
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (++n > NVCT_CDIHOOK_MAX_DIR_ENTRIES) {
                        r = nvct_error_make(err, 0,
                                            "the directory %s has more than %d entries (the "
                                            "limit of one listing)",
                                            nvct_quoted(qw), NVCT_CDIHOOK_MAX_DIR_ENTRIES);
                        break;
                }
                r = fn(dirfd(d), de->d_name, de->d_type, userdata, err);
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}
