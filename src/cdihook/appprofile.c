/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "appprofile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/rootfs.h"

#include "inroot.h"

/* "nvidia" and digits only: ^nvidia[0-9]+$. */
static bool is_gpu_node_name(const char *name) {
        if (strncmp(name, "nvidia", 6) != 0 || name[6] == '\0')
                return false;
        for (const char *p = name + 6; *p != '\0'; p++)
                if (*p < '0' || *p > '9')
                        return false;
        return true;
}

static int add_gpu(int dir_fd, const char *name, unsigned char d_type, void *userdata,
                   nvct_error **err) {
        (void)err;
        uint64_t *mask = userdata;
        if (!is_gpu_node_name(name) || (d_type != DT_CHR && d_type != DT_UNKNOWN))
                return 0;
        /* Security: the entry itself, never followed (a symlink named
         * nvidia0 is not a GPU of the container). */
        struct stat st;
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISCHR(st.st_mode))
                return 0;
        unsigned minor_number = minor(st.st_rdev);
        if (minor_number < 64)
                *mask |= (uint64_t)1 << minor_number;
        return 0;
}

int nvct_cdihook_gpu_mask(int root_fd, uint64_t *ret_mask, nvct_error **err) {
        _cleanup_close_ int dev_fd = -1;
        _cleanup_error_ nvct_error *lookup_err = NULL;
        /* Security: /dev resolved inside the root; the runtime made the
         * device nodes there (a tmpfs), an image may have put anything. */
        if (nvct_rootfs_open(root_fd, "/dev", O_PATH | O_DIRECTORY, &dev_fd, &lookup_err) < 0) {
                if (lookup_err->status == ENOENT) {
                        *ret_mask = 0;
                        return 0;
                }
                *err = TAKE_PTR(lookup_err);
                return -1;
        }
        uint64_t mask = 0;
        if (nvct_cdihook_list_dir(dev_fd, "/dev", add_gpu, &mask, err) < 0)
                return -1;
        *ret_mask = mask;
        return 0;
}

size_t nvct_cdihook_app_profile(uint64_t mask, char *buf, size_t size) {
        int n = snprintf(buf, size,
                         "{\"profiles\":[{\"name\":\"_container_\",\"settings\":"
                         "[\"EGLVisibleDGPUDevices\",0x%llx]}],"
                         "\"rules\":[{\"pattern\":[],\"profile\":\"_container_\"}]}",
                         (unsigned long long)mask);
        return n < 0 ? 0 : (size_t)n;
}

int nvct_cdihook_write_app_profile(int root_fd, uint64_t mask, nvct_error **err) {
        char text[256];
        size_t len = nvct_cdihook_app_profile(mask, text, sizeof(text));
        _cleanup_close_ int dir_fd = -1;
        /* Security: made and opened inside the root; the file is written
         * under a temporary name there and renamed over the old one. */
        if (nvct_rootfs_mkdir_p(root_fd, NVCT_APP_PROFILE_DIR, &dir_fd, err) < 0)
                return -1;
        return nvct_cdihook_write_at(dir_fd, NVCT_APP_PROFILE_DIR, NVCT_APP_PROFILE_NAME, text, len,
                                     0444, true, err);
}
