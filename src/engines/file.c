/* SPDX-License-Identifier: Apache-2.0 */
/* An engine's configuration file read and replaced: see file.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/quote.h"

#include "file.h"

int nvct_engine_file_read(const char *path, const char *what, size_t max_size,
                          nvct_engine_file *ret, nvct_error **err) {
        _cleanup_close_ int fd = -1;
        size_t size = 0;
        int r = nvct_open_regular(path, what, max_size, true, &fd, &size, err);
        if (r == -ENOENT) {
                *ret = (nvct_engine_file){ .mode = 0644, .uid = (uid_t)-1, .gid = (gid_t)-1 };
                return 0;
        }
        if (r < 0)
                return r;
        struct stat st;
        if (fstat(fd, &st) < 0) {
                _cleanup_free_ char *q = nvct_quote_path(path);
                return nvct_error_make(err, errno, "cannot stat %s %s", what, nvct_quoted(q));
        }
        char *data = NULL;
        size_t len = 0;
        if (nvct_read_opened(fd, path, what, size, max_size, &data, &len, err) < 0)
                return -1;
        *ret = (nvct_engine_file){
                .data = data,
                .len = len,
                .exists = true,
                .mode = st.st_mode & 07777,
                .uid = st.st_uid,
                .gid = st.st_gid,
        };
        return 0;
}

void nvct_engine_file_clear(nvct_engine_file *file) {
        free(file->data);
        *file = (nvct_engine_file){ 0 };
}

/* mkdir -p of path's folder, 0755, as NVIDIA's os.MkdirAll. */
static int make_parents(const char *path, nvct_error **err) {
        _cleanup_free_ char *dir = strdup(path);
        if (dir == NULL)
                return nvct_error_make(err, ENOMEM, "out of memory");
        char *slash = strrchr(dir, '/');
        if (slash == NULL || slash == dir)
                return 0;
        *slash = '\0';
        for (char *p = dir + 1;; p++) {
                bool end = *p == '\0';
                if (!end && *p != '/')
                        continue;
                *p = '\0';
                if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                        _cleanup_free_ char *q = nvct_quote_path(dir);
                        return nvct_error_make(err, errno, "cannot create %s", nvct_quoted(q));
                }
                if (end)
                        return 0;
                *p = '/';
        }
}

int nvct_engine_file_update(const char *path, const nvct_engine_file *old, const char *data,
                            size_t len, bool *ret_changed, nvct_error **err) {
        if (old->exists && old->len == len && memcmp(old->data, data, len) == 0) {
                if (ret_changed)
                        *ret_changed = false;
                return 0;
        }
        /* A symlink (a config kept elsewhere, as configuration management
         * does) is written through, as NVIDIA's os.Create does: the link
         * stays, its target is replaced. */
        _cleanup_free_ char *target = NULL;
        struct stat st;
        if (old->exists && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
                target = realpath(path, NULL);
                if (target == NULL) {
                        _cleanup_free_ char *q = nvct_quote_path(path);
                        return nvct_error_make(err, errno, "cannot resolve %s", nvct_quoted(q));
                }
                path = target;
        }
        if (!old->exists && make_parents(path, err) < 0)
                return -1;
        if (nvct_write_file_atomic_owned(path, data, len, old->mode, old->uid, old->gid, err) < 0)
                return -1;
        if (ret_changed)
                *ret_changed = true;
        return 0;
}
