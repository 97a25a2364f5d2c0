/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "params.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "basic/rootfs.h"

#define MODIFY_KEY "ModifyDeviceFiles: "
#define SCRATCH_DIR "/var/run/nvidia-ctk-hook"
#define FILE_NAME "nvct-params"

static bool force_scratch;

void nvct_params_force_scratch(bool force) {
        force_scratch = force;
}

int nvct_params_disable_modify(const char *data, size_t len, char **ret_data, size_t *ret_len,
                               nvct_error **err) {
        /* Every line gets a "\n": at most one byte more than the input. */
        _cleanup_free_ char *out = malloc(len + 2);
        if (out == NULL)
                return nvct_error_make(err, ENOMEM, "could not rewrite %s", NVCT_NVIDIA_PARAMS);
        size_t n = 0;
        bool modified = false;
        const char *p = data, *end = data + len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *line_end = nl != NULL ? nl : end;
                size_t line_len = (size_t)(line_end - p);
                if (line_len > 0 && p[line_len - 1] == '\r')
                        line_len--; /* bufio.ScanLines drops it */
                const char *line = p;
                size_t klen = strlen(MODIFY_KEY);
                if (line_len >= klen && memcmp(line, MODIFY_KEY, klen) == 0) {
                        if (line_len == klen + 1 && line[klen] == '0') {
                                *ret_data = NULL;
                                *ret_len = 0;
                                return 0;
                        }
                        if (line_len == klen + 1 && line[klen] == '1') {
                                memcpy(out + n, MODIFY_KEY "0", klen + 1);
                                n += klen + 1;
                                out[n++] = '\n';
                                modified = true;
                                p = nl != NULL ? nl + 1 : end;
                                continue;
                        }
                }
                memcpy(out + n, line, line_len);
                n += line_len;
                out[n++] = '\n';
                p = nl != NULL ? nl + 1 : end;
        }
        out[n] = '\0';
        if (!modified) {
                *ret_data = NULL;
                *ret_len = 0;
                return 0;
        }
        *ret_data = TAKE_PTR(out);
        *ret_len = n;
        return 0;
}

/* ---- the mount ---- */

static int sys_fsopen(const char *fs, unsigned flags) {
        return (int)syscall(SYS_fsopen, fs, flags);
}
static int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux) {
        return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}
static int sys_fsmount(int fd, unsigned flags, unsigned attrs) {
        return (int)syscall(SYS_fsmount, fd, flags, attrs);
}
static int sys_open_tree(int dfd, const char *path, unsigned flags) {
        return (int)syscall(SYS_open_tree, dfd, path, flags);
}
static int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
                          unsigned flags) {
        return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}
static int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr) {
        return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

/* A new tmpfs, detached, holding FILE_NAME with `data` (mode 0444): the
 * fd of its mount, or -errno. */
static int make_tmpfs(const char *data, size_t len, const char **ret_step) {
        _cleanup_close_ int fs_fd = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
        *ret_step = "fsopen(tmpfs)";
        if (fs_fd < 0)
                return -errno;
        char size[32];
        snprintf(size, sizeof(size), "%zu", len + 4096);
        *ret_step = "configure the tmpfs";
        if (sys_fsconfig(fs_fd, FSCONFIG_SET_STRING, "size", size, 0) < 0 ||
            sys_fsconfig(fs_fd, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
            sys_fsconfig(fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        *ret_step = "fsmount the tmpfs";
        _cleanup_close_ int mnt_fd = sys_fsmount(
                fs_fd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (mnt_fd < 0)
                return -errno;
        *ret_step = "write the copy on the tmpfs";
        _cleanup_close_ int fd = openat(mnt_fd, FILE_NAME,
                                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
        if (fd < 0)
                return -errno;
        int r = nvct_write_all(fd, data, len);
        if (r < 0)
                return r;
        if (fchmod(fd, 0444) < 0)
                return -errno;
        return TAKE_FD(mnt_fd);
}

/* The scratch way: the tmpfs attached on SCRATCH_DIR in the root, the file
 * cloned from it, the tmpfs detached again. Returns the clone's fd. */
static int clone_through_scratch(int root_fd, int mnt_fd, const char **ret_step) {
        _cleanup_close_ int dir_fd = -1;
        _cleanup_error_ nvct_error *e = NULL;
        *ret_step = "create " SCRATCH_DIR " in the container root";
        if (nvct_rootfs_mkdir_p(root_fd, SCRATCH_DIR, &dir_fd, &e) < 0)
                return e->status != 0 ? -e->status : -EINVAL;
        /* Security: onto the directory fd resolved inside the root. */
        *ret_step = "attach the tmpfs on " SCRATCH_DIR;
        if (sys_move_mount(mnt_fd, "", dir_fd, "",
                           MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        int tree_fd = sys_open_tree(mnt_fd, FILE_NAME,
                                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
        int e_tree = errno;
        /* Detached at once, through our fd of its root (/proc/self/fd
         * names that mount whatever its path): the clone keeps the file. */
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", mnt_fd);
        umount2(self, MNT_DETACH);
        *ret_step = "clone the copy";
        return tree_fd >= 0 ? tree_fd : -e_tree;
}

int nvct_params_mount(int root_fd, const char *container_path, const char *data, size_t len,
                      nvct_error **err) {
        _cleanup_free_ char *qp = nvct_quote_path(container_path);
        const char *step = "";

        /* Security: the target resolved inside the root, to an fd, and
         * the mount made onto that fd: never a path the image could
         * redirect after the check. Only a regular file (procfs's params
         * is one) is covered. */
        _cleanup_close_ int target_fd = -1;
        if (nvct_rootfs_open(root_fd, container_path, O_PATH, &target_fd, err) < 0)
                return nvct_error_prefix(err, "could not cover %s", nvct_quoted(qp));
        struct stat st;
        if (fstat(target_fd, &st) < 0)
                return nvct_error_make(err, errno, "could not stat %s in the container root",
                                       nvct_quoted(qp));
        if (!S_ISREG(st.st_mode))
                return nvct_error_make(err, 0, "%s in the container root is not a regular file",
                                       nvct_quoted(qp));

        _cleanup_close_ int mnt_fd = make_tmpfs(data, len, &step);
        if (mnt_fd < 0)
                return nvct_error_make(err, -mnt_fd, "could not cover %s: could not %s",
                                       nvct_quoted(qp), step);
        _cleanup_close_ int tree_fd = -1;
        if (!force_scratch)
                tree_fd = sys_open_tree(mnt_fd, FILE_NAME,
                                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
        if (tree_fd < 0 && (force_scratch || errno == EINVAL))
                /* A kernel that clones only attached mounts. */
                tree_fd = clone_through_scratch(root_fd, mnt_fd, &step);
        else if (tree_fd < 0)
                tree_fd = -errno, step = "clone the copy";
        if (tree_fd < 0)
                return nvct_error_make(err, -tree_fd, "could not cover %s: could not %s",
                                       nvct_quoted(qp), step);
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                            MOUNT_ATTR_NOEXEC,
        };
        if (sys_mount_setattr(tree_fd, "", AT_EMPTY_PATH, &attr) < 0)
                return nvct_error_make(err, errno,
                                       "could not cover %s: could not make the copy "
                                       "read-only",
                                       nvct_quoted(qp));
        if (sys_move_mount(tree_fd, "", target_fd, "",
                           MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return nvct_error_make(err, errno, "could not mount over %s", nvct_quoted(qp));
        return 0;
}
