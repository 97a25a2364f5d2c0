/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "bundle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/gocompat.h"
#include "basic/quote.h"

int nvct_bundle_spec_path(const nvct_state *state, bool require_bundle, char **ret_path,
                          nvct_error **err) {
        /* The bundle path comes from the runtime, but a NUL inside it would
         * make us open another file than the one named. */
        if (memchr(state->bundle, '\0', state->bundle_len) != NULL)
                return nvct_error_make(err, 0, "invalid container state: bundle contains a NUL");
        if (require_bundle && state->bundle_len == 0)
                return nvct_error_make(err, 0, "invalid container state: no bundle");
        char *path = nvct_go_join_path(state->bundle, "config.json");
        if (path == NULL)
                return nvct_error_make(err, 0, "out of memory");
        *ret_path = path;
        return 0;
}

/* os.Getwd: $PWD when it names the working directory, else getcwd(). */
static char *go_getwd(void) {
        const char *pwd = getenv("PWD");
        if (pwd != NULL && pwd[0] == '/') {
                struct stat a, b;
                if (stat(pwd, &a) == 0 && stat(".", &b) == 0 && a.st_dev == b.st_dev &&
                    a.st_ino == b.st_ino)
                        return strdup(pwd);
        }
        return getcwd(NULL, 0);
}

int nvct_rootfs_path(const char *root_path, size_t len, char **ret_rootfs, nvct_error **err) {
        /* root.path becomes the CLI's last argument; a NUL would cut it. */
        if (memchr(root_path, '\0', len) != NULL)
                return nvct_error_make(err, 0, "root.path contains a NUL character");
        char *rootfs;
        if (len > 0 && root_path[0] == '/') {
                rootfs = nvct_go_clean_path(root_path, len, NULL);
        } else {
                _cleanup_free_ char *cwd = go_getwd();
                if (cwd == NULL)
                        return nvct_error_make(err, errno,
                                               "could not make root.path absolute: getcwd");
                rootfs = nvct_go_join_path(cwd, root_path);
        }
        if (rootfs == NULL)
                return nvct_error_make(err, 0, "out of memory");
        *ret_rootfs = rootfs;
        return 0;
}

int nvct_bundle_rootfs_path(const char *bundle, const char *spec_path, const char *root_path,
                            size_t len, char **ret_rootfs, nvct_error **err) {
        /* Security: the bundle comes from the state, root.path from
         * config.json: paths are quoted in every message, so that a bundle
         * "/x\n\e[31m" cannot print a line or a colour of its own. */
        _cleanup_free_ char *qspec = nvct_quote_path(spec_path);
        if (memchr(root_path, '\0', len) != NULL)
                return nvct_error_make(err, 0, "%s: root.path contains a NUL character",
                                       nvct_quoted(qspec));
        if (len == 0)
                return nvct_error_make(err, 0, "%s: no root.path", nvct_quoted(qspec));
        _cleanup_free_ char *rootfs = root_path[0] == '/' ? nvct_go_clean_path(root_path, len, NULL)
                                                          : nvct_go_join_path(bundle, root_path);
        if (rootfs == NULL)
                return nvct_error_make(err, ENOMEM, "could not load the OCI spec");
        /* Acting "inside" "/" would be acting on the host. */
        if (strcmp(rootfs, "/") == 0)
                return nvct_error_make(err, 0, "%s: root.path is the host's root \"/\"",
                                       nvct_quoted(qspec));
        *ret_rootfs = TAKE_PTR(rootfs);
        return 0;
}

int nvct_bundle_read_rootfs(int state_fd, const char *where, char **ret_rootfs, nvct_error **err) {
        nvct_state state = { 0 };
        nvct_spec spec = { 0 };
        _cleanup_free_ char *spec_path = NULL;
        int r = -1;

        if (nvct_state_read(state_fd, &state, err) < 0) {
                nvct_error_prefix(err, "could not decode the container state %s", where);
                goto out;
        }
        if (nvct_bundle_spec_path(&state, true, &spec_path, err) < 0)
                goto out;
        /* Only root.path matters: the rest (the image's environment among
         * it) is skipped unread, so nothing in it can fail the hook. */
        nvct_spec_filter filter = { .root_only = true };
        if (nvct_spec_load(spec_path, &filter, &spec, err) < 0) {
                nvct_error_prefix(err, "could not load the OCI spec");
                goto out;
        }
        r = nvct_bundle_rootfs_path(state.bundle, spec_path, spec.root_path, spec.root_path_len,
                                    ret_rootfs, err);
out:
        nvct_spec_clear(&spec);
        nvct_state_clear(&state);
        return r;
}
