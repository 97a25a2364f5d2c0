/* SPDX-License-Identifier: Apache-2.0 */
/* The NVIDIA driver's device nodes: majors from /proc/devices, the nodes a
 * host needs, checked and made through an fd of the dev root's /dev. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devnodes.h"
#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "basic/rootfs.h"

const nvct_devnode nvct_devnode_control[NVCT_DEVNODE_N_CONTROL] = {
        { "nvidiactl", NVCT_DEVNODE_MAJOR_NVIDIA, 255 },
        { "nvidia-modeset", NVCT_DEVNODE_MAJOR_NVIDIA, 254 },
        { "nvidia-uvm", NVCT_DEVNODE_MAJOR_UVM, 0 },
        { "nvidia-uvm-tools", NVCT_DEVNODE_MAJOR_UVM, 1 },
};

/* The kernel's largest character major (CHRDEV_MAJOR_MAX - 1). */
#define MAX_MAJOR 4095

/* One line "  195 nvidia": the major, then the name up to the end of the
 * line. false for anything else. */
static bool parse_line(const char *p, const char *end, int *ret_major, const char **ret_name,
                       size_t *ret_name_len) {
        while (p < end && (*p == ' ' || *p == '\t'))
                p++;
        int major = 0;
        size_t digits = 0;
        for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
                major = major * 10 + (*p - '0');
                if (major > MAX_MAJOR)
                        return false;
        }
        if (digits == 0 || p == end || (*p != ' ' && *p != '\t'))
                return false;
        while (p < end && (*p == ' ' || *p == '\t'))
                p++;
        const char *name = p;
        while (end > name && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
                end--;
        if (end == name)
                return false;
        *ret_major = major;
        *ret_name = name;
        *ret_name_len = (size_t)(end - name);
        return true;
}

static bool name_is(const char *name, size_t len, const char *want) {
        return len == strlen(want) && memcmp(name, want, len) == 0;
}

void nvct_proc_devices_parse(const char *data, size_t len, nvct_proc_devices *ret) {
        nvct_proc_devices d = { -1, -1, -1 };
        int frontend = -1;
        bool in_char = false;
        const char *end = data + len;

        for (const char *p = data; p < end;) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *eol = nl != NULL ? nl : end;
                const char *name;
                size_t name_len;
                int major;

                /* Only the character section: a block driver named nvidia*
                 * says nothing about the nodes (the kernel lists both). */
                if (eol - p >= 18 && memcmp(p, "Character devices:", 18) == 0)
                        in_char = true;
                else if (eol - p >= 14 && memcmp(p, "Block devices:", 14) == 0)
                        in_char = false;
                else if (in_char && parse_line(p, eol, &major, &name, &name_len)) {
                        if (name_is(name, name_len, "nvidia"))
                                d.nvidia = major;
                        else if (name_is(name, name_len, "nvidia-frontend"))
                                frontend = major;
                        else if (name_is(name, name_len, "nvidia-uvm"))
                                d.nvidia_uvm = major;
                        else if (name_is(name, name_len, "nvidia-caps"))
                                d.nvidia_caps = major;
                }
                p = eol + (nl != NULL);
        }
        /* Drivers before 550.40 called the GPUs' driver "nvidia-frontend". */
        if (d.nvidia < 0)
                d.nvidia = frontend;
        *ret = d;
}

int nvct_proc_devices_read(const char *proc_root, nvct_proc_devices *ret, nvct_error **err) {
        _cleanup_free_ char *path = NULL;
        _cleanup_free_ char *data = NULL;
        size_t len;

        if (asprintf(&path, "%s/devices", proc_root != NULL ? proc_root : "/proc") < 0)
                return nvct_error_make(err, ENOMEM, "/proc/devices");
        /* procfs reports size 0: nvct_read_regular reads to EOF, bounded. */
        if (nvct_read_regular(path, "the kernel's device list", NVCT_PROC_DEVICES_MAX_SIZE, false,
                              &data, &len, err) < 0)
                return -1;
        nvct_proc_devices_parse(data, len, ret);
        return 0;
}

int nvct_devnode_major_number(const nvct_proc_devices *devices, nvct_devnode_major major_of) {
        return major_of == NVCT_DEVNODE_MAJOR_UVM ? devices->nvidia_uvm : devices->nvidia;
}

int nvct_devnode_open_dev(const char *dev_root, bool create, int *ret_fd, nvct_error **err) {
        _cleanup_close_ int root_fd = -1;
        _cleanup_close_ int dev_fd = -1;
        _cleanup_error_ nvct_error *local = NULL;

        if (nvct_rootfs_open_root(dev_root, &root_fd, err) < 0)
                return nvct_error_prefix(err, "dev root");
        /* Security: /dev is looked up inside the dev root (a symlink there
         * resolves within it), so that the nodes made below land in this
         * tree and nowhere else on the host. */
        if (create) {
                if (nvct_rootfs_mkdir_p(root_fd, "/dev", &dev_fd, err) < 0)
                        return nvct_error_prefix(err, "dev root");
        } else if (nvct_rootfs_open(root_fd, "/dev", O_PATH | O_DIRECTORY, &dev_fd, &local) < 0) {
                if (local != NULL && local->status == ENOENT)
                        return -ENOENT;
                *err = TAKE_PTR(local);
                return nvct_error_prefix(err, "dev root");
        }
        *ret_fd = TAKE_FD(dev_fd);
        return 0;
}

int nvct_devnode_inspect(int dev_fd, const char *name, unsigned major, unsigned minor,
                         nvct_devnode_state *ret_state, struct stat *ret_st, nvct_error **err) {
        struct stat st;

        if (fstatat(dev_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT) {
                        *ret_state = NVCT_DEVNODE_MISSING;
                        return 0;
                }
                _cleanup_free_ char *q = nvct_quote_path(name);
                return nvct_error_make(err, errno, "/dev/%s", nvct_quoted(q));
        }
        if (!S_ISCHR(st.st_mode))
                *ret_state = NVCT_DEVNODE_NOT_CHAR;
        else if (major(st.st_rdev) != major || minor(st.st_rdev) != minor)
                *ret_state = NVCT_DEVNODE_WRONG_NUMBERS;
        else
                *ret_state = NVCT_DEVNODE_OK;
        if (ret_st != NULL)
                *ret_st = st;
        return 0;
}

int nvct_devnode_create(int dev_fd, const char *name, unsigned major, unsigned minor, bool dry_run,
                        bool *ret_created, nvct_devnode_state *ret_state, nvct_error **err) {
        nvct_devnode_state state;

        if (strchr(name, '/') != NULL || name[0] == '\0' || strcmp(name, ".") == 0 ||
            strcmp(name, "..") == 0) {
                _cleanup_free_ char *q = nvct_quote_path(name);
                return nvct_error_make(err, 0, "device node name %s is not a name in /dev",
                                       nvct_quoted(q));
        }
        if (nvct_devnode_inspect(dev_fd, name, major, minor, &state, NULL, err) < 0)
                return -1;
        if (state != NVCT_DEVNODE_MISSING || dry_run) {
                *ret_created = state == NVCT_DEVNODE_MISSING;
                *ret_state = state == NVCT_DEVNODE_MISSING ? NVCT_DEVNODE_OK : state;
                return 0;
        }
        /* 0666 as NVIDIA's makes them, exactly: the umask is cleared for the
         * one call rather than fixed by a chmod afterwards, which would
         * follow a symlink put in the node's place in between. mknodat never
         * follows a final symlink (EEXIST). */
        mode_t old = umask(0);
        int r = mknodat(dev_fd, name, S_IFCHR | 0666, makedev(major, minor));
        int saved = errno;
        umask(old);
        if (r < 0 && saved == EEXIST) { /* made by someone else meanwhile: look once more */
                if (nvct_devnode_inspect(dev_fd, name, major, minor, &state, NULL, err) < 0)
                        return -1;
                if (state != NVCT_DEVNODE_MISSING) {
                        *ret_created = false;
                        *ret_state = state;
                        return 0;
                }
        }
        if (r < 0) {
                _cleanup_free_ char *q = nvct_quote_path(name);
                return nvct_error_make(err, saved, "cannot create /dev/%s (c %u:%u)",
                                       nvct_quoted(q), major, minor);
        }
        *ret_created = true;
        *ret_state = NVCT_DEVNODE_OK;
        return 0;
}
