/* SPDX-License-Identifier: Apache-2.0 */
/* What a driver root holds besides its libraries: the driver's binaries,
 * its daemons' IPC sockets, its GSP firmware. Each found through the root's
 * lookups (root.c): resolved inside the root, remembered. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "root.h"
#include "rootlibs.h"
#include "basic/cleanup.h"
#include "basic/quote.h"

/* Where binaries are looked for, first match wins. */
static const char *const binary_dirs[] = {
        "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin",
};

/* Sockets and pipe directories of the driver's daemons. */
static const struct {
        const char *path;
        mode_t type;
        const char *what;
} ipc_paths[] = {
        { "/run/nvidia-persistenced/socket", S_IFSOCK, "socket" },
        { "/run/nvidia-fabricmanager/socket", S_IFSOCK, "socket" },
        { "/tmp/nvidia-mps", S_IFDIR, "directory" },
};

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int nvct_driver_root_find_binary(const nvct_driver_root *root, const char *name, char **ret_path,
                                 nvct_error **err) {
        for (size_t d = 0; d < ARRAY_SIZE(binary_dirs); d++) {
                /* Joined by hand: asprintf cost more than the lookup. */
                char path[PATH_MAX];
                size_t dl = strlen(binary_dirs[d]), nl = strlen(name);
                if (dl + 1 + nl >= sizeof(path))
                        return -ENOENT;
                memcpy(path, binary_dirs[d], dl);
                path[dl] = '/';
                memcpy(path + dl + 1, name, nl + 1);
                int r = nvct_driver_root_resolve_regular(root, path, ret_path, err);
                if (r != -ENOENT)
                        return r;
        }
        return -ENOENT;
}

int nvct_driver_root_find_ipc(const nvct_driver_root *root, nvct_strv *paths, nvct_error **err) {
        for (size_t i = 0; i < ARRAY_SIZE(ipc_paths); i++) {
                _cleanup_free_ char *resolved = NULL;
                mode_t type;
                int r = nvct_driver_root_resolve_type(root, ipc_paths[i].path, &resolved, &type,
                                                      err);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return -1;
                if (type != ipc_paths[i].type) {
                        _cleanup_free_ char *host_path =
                                nvct_driver_root_host_path(root, ipc_paths[i].path);
                        _cleanup_free_ char *q = host_path ? nvct_quote_path(host_path) : NULL;
                        nvct_warnf(root->warn, root->userdata, "%s is not a %s: left out",
                                   nvct_quoted(q), ipc_paths[i].what);
                        continue;
                }
                if (nvct_driver_root_add_unique(paths, resolved, err) < 0)
                        return -1;
        }
        return 0;
}

static int firmware_entry(const char *name, unsigned char type, void *userdata, nvct_error **err) {
        (void)type;
        size_t len = strlen(name);
        if (strncmp(name, "gsp", 3) == 0 && len >= 4 && strcmp(name + len - 4, ".bin") == 0)
                return nvct_driver_root_add_unique(userdata, name, err);
        return 0;
}

int nvct_driver_root_find_firmware(const nvct_driver_root *root, const char *version,
                                   nvct_strv *paths, nvct_strv *resolved, nvct_error **err) {
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "/lib/firmware/nvidia/%s", version) < 0)
                return nvct_driver_root_oom(err);
        /* The gsp*.bin names, sorted; listed through the memo, which then
         * knows each one's type. */
        nvct_strv names = { 0 };
        int r = nvct_driver_root_list_dir(root, dir, firmware_entry, &names, err);
        if (r == -ENOENT) {
                nvct_strv_clear(&names);
                return 0;
        }
        if (r == 0 && names.n > 1)
                qsort(names.v, names.n, sizeof(*names.v), cmp_str);
        for (size_t i = 0; r == 0 && i < names.n; i++) {
                _cleanup_free_ char *path = NULL, *real = NULL;
                if (asprintf(&path, "%s/%s", dir, names.v[i]) < 0) {
                        r = nvct_driver_root_oom(err);
                        break;
                }
                int s = nvct_driver_root_resolve_regular(root, path, &real, err);
                if (s == -ENOENT)
                        continue;
                if (s < 0)
                        r = -1;
                else if (nvct_strv_add(paths, path) < 0 || nvct_strv_add(resolved, real) < 0)
                        r = nvct_driver_root_oom(err);
        }
        nvct_strv_clear(&names);
        return r;
}
