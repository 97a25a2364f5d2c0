/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "chmod.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/quote.h"
#include "basic/rootfs.h"

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452 /* every architecture: the unified table of 5.1+ */
#endif

/* Longest --mode read: "0000...0777" with leading zeros is still a mode. */
#define MODE_MAX_LEN 32

int nvct_cdihook_parse_mode(const char *s, mode_t *ret_mode, nvct_error **err) {
        size_t len = strlen(s);
        _cleanup_free_ char *qs = nvct_quote(s, len);
        size_t i = 0;
        while (i < len && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
                i++;
        if (i == len)
                return nvct_error_make(err, 0, "--mode: a non-empty mode must be specified");
        if (len > MODE_MAX_LEN)
                return nvct_error_make(err, 0, "--mode %s: not an octal mode", nvct_quoted(qs));
        unsigned long value = 0;
        for (i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '7')
                        return nvct_error_make(err, 0, "--mode %s: not an octal mode",
                                               nvct_quoted(qs));
                value = value * 8 + (unsigned long)(s[i] - '0');
                if (value > 07777777777ul)
                        return nvct_error_make(err, 0, "--mode %s: out of range", nvct_quoted(qs));
        }
        if (value > 0777)
                return nvct_error_make(err, 0,
                                       "--mode %s: only permission bits (0 to 0777) may be set; "
                                       "setuid, setgid and sticky bits are refused",
                                       nvct_quoted(qs));
        *ret_mode = (mode_t)value;
        return 0;
}

/* chmod of the inode `fd` (O_PATH) refers to; 0 or -errno. */
static int chmod_fd(int fd, mode_t mode) {
        if (syscall(__NR_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
                return 0;
        if (errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
                return -errno;
        /* A kernel before 6.6: the fd's entry in our own /proc/self/fd,
         * which names that inode whatever its path; the host's procfs,
         * checked to be one, never anything in the container's root. */
        _cleanup_close_ int proc_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct statfs sfs;
        if (proc_fd < 0 || fstatfs(proc_fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
                return -ENOSYS;
        char name[32];
        snprintf(name, sizeof(name), "%d", fd);
        if (fchmodat(proc_fd, name, mode, 0) < 0)
                return -errno;
        return 0;
}

int nvct_cdihook_chmod(int root_fd, const char *path, mode_t mode, nvct_chmod_result *ret_result,
                       nvct_error **err) {
        _cleanup_free_ char *qp = nvct_quote_path(path);
        _cleanup_close_ int fd = -1;
        _cleanup_error_ nvct_error *lookup_err = NULL;

        /* Security: resolved inside the root (rootfs.h): a symlink to "/etc"
         * or "../../.." leads to the root's own. O_PATH opens nothing: a
         * device node or FIFO there is not opened. */
        if (nvct_rootfs_open(root_fd, path, O_PATH, &fd, &lookup_err) < 0) {
                if (lookup_err->status == ENOENT || lookup_err->status == ENOTDIR) {
                        *ret_result = NVCT_CHMOD_MISSING;
                        return 0;
                }
                *err = TAKE_PTR(lookup_err);
                return nvct_error_prefix(err, "could not change the mode of %s", nvct_quoted(qp));
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return nvct_error_make(err, errno, "could not stat %s in the container root",
                                       nvct_quoted(qp));
        if (S_ISLNK(st.st_mode))
                /* Not reachable: the lookup followed it. Never chmod a link. */
                return nvct_error_make(err, ELOOP, "could not change the mode of %s",
                                       nvct_quoted(qp));
        if ((st.st_mode & 07777) == mode) {
                *ret_result = NVCT_CHMOD_UNCHANGED;
                return 0;
        }
        int r = chmod_fd(fd, mode);
        if (r == -EPERM) {
                *ret_result = NVCT_CHMOD_DENIED;
                return 0;
        }
        if (r < 0)
                return nvct_error_make(err, -r, "could not change the mode of %s to %04o",
                                       nvct_quoted(qp), (unsigned)mode);
        *ret_result = NVCT_CHMOD_CHANGED;
        return 0;
}
