/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the config.json editor: the input is written as BUNDLE/config.json
 * and loaded; a few mutations are applied (each may be refused, as when
 * process.env is not an array); the result is written and loaded again. A
 * refusal is one line naming the file; a config.json no mutation changed
 * is not rewritten; what was changed is there after the reload, and the
 * reloaded tree is the one written (Go's escapes written back read the
 * same); the CDI edits (put a device and a mount, sort the mounts) hold:
 * the mounts come back in depth order. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/error.h"
#include "basic/gocompat.h"
#include "document/document.h"
#include "fuzz.h"
#include "oci/edit.h"

static char bundle[64];
static char path[128];

static void check_error(int r, nvct_error **err) {
        if (r == 0) {
                CHECK(*err == NULL);
                return;
        }
        CHECK(r < 0);
        CHECK(*err != NULL && (*err)->msg != NULL);
        CHECK(strstr((*err)->msg, "config.json") != NULL);
        CHECK(strchr((*err)->msg, '\n') == NULL);
        nvct_error_free(err);
}

static bool has_env(const nvct_oci_edit *e, const char *entry) {
        const nvct_document_node *env = NULL;
        if (nvct_oci_edit_env(e, &env, NULL) < 0 || env == NULL)
                return false;
        for (size_t i = 0; i < nvct_document_array_size(env); i++) {
                const nvct_document_node *item = nvct_document_array_get(env, i);
                const char *text = nvct_document_text(item, NULL);
                if (nvct_document_kind_of(item) == NVCT_DOCUMENT_STRING && strcmp(text, entry) == 0)
                        return true;
        }
        return false;
}

static const char *last_path(const nvct_document_node *array) {
        size_t n = nvct_document_array_size(array);
        if (n == 0)
                return NULL;
        const nvct_document_node *p =
                nvct_document_object_get(nvct_document_array_get(array, n - 1), "path");
        return p != NULL ? nvct_document_text(p, NULL) : NULL;
}

/* The '/'s of filepath.Clean(destination), as sort_mounts counts them. */
static size_t depth(const nvct_document_node *mount) {
        const nvct_document_node *d = nvct_document_object_get(mount, "destination");
        size_t len = 0;
        const char *text = d != NULL && nvct_document_kind_of(d) == NVCT_DOCUMENT_STRING
                                   ? nvct_document_text(d, &len)
                                   : "";
        char *clean = nvct_go_clean_path(text, len, &len);
        CHECK(clean != NULL);
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
                n += clean[i] == '/';
        free(clean);
        return n;
}

static void remove_bundle(void) {
        unlink(path);
        rmdir(bundle);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (bundle[0] == '\0') {
                strcpy(bundle, "/tmp/fuzz_oci_edit.XXXXXX");
                CHECK(mkdtemp(bundle) != NULL);
                snprintf(path, sizeof(path), "%s/config.json", bundle);
                atexit(remove_bundle);
        }
        FILE *f = fopen(path, "we");
        CHECK(f != NULL);
        CHECK(fwrite(data, 1, size, f) == size);
        CHECK(fclose(f) == 0);
        struct stat before, after;
        CHECK(stat(path, &before) == 0);

        nvct_oci_edit *e = NULL;
        nvct_error *err = NULL;
        int r = nvct_oci_edit_load(bundle, &e, &err);
        check_error(r, &err);
        if (r < 0) {
                CHECK(e == NULL);
                return 0;
        }
        int r_env = nvct_oci_edit_set_env(e, "NVIDIA_FUZZ=1", &err);
        check_error(r_env, &err);
        uint32_t uid, gid;
        check_error(nvct_oci_edit_user_ids(e, &uid, &gid, &err), &err);
        nvct_oci_device put = { .path = "/dev/fuzz-put",
                                .type = 'c',
                                .major = 3,
                                .minor = 4,
                                .file_mode = -1,
                                .uid = -1,
                                .gid = -1 };
        int r_put = nvct_oci_edit_put_device(e, &put, &err);
        check_error(r_put, &err);
        const char *options[] = { "ro", "bind", NULL };
        nvct_oci_mount m = { .destination = "/usr/lib/fuzz/x.so",
                             .source = "/x",
                             .options = options };
        int r_mount = nvct_oci_edit_put_mount(e, &m, &err);
        check_error(r_mount, &err);
        int r_sort = nvct_oci_edit_sort_mounts(e, &err);
        check_error(r_sort, &err);
        nvct_oci_device d = { .path = "/dev/fuzz",
                              .type = 'c',
                              .major = 1,
                              .minor = 2,
                              .file_mode = 438,
                              .uid = -1,
                              .gid = 0 };
        int r_dev = nvct_oci_edit_add_device(e, &d, &err);
        check_error(r_dev, &err);
        const char *args[] = { "fuzz-hook", NULL };
        nvct_oci_hook h = { .path = "/bin/fuzz-hook", .args = args, .timeout = 3 };
        int r_rm = nvct_oci_edit_remove_hooks(e, NVCT_OCI_HOOK_PRESTART, nvct_oci_hook_has_basename,
                                              (void *)"nvidia-container-runtime-hook", NULL, &err);
        check_error(r_rm, &err);
        int r_hook = nvct_oci_edit_add_hook(e, NVCT_OCI_HOOK_CREATE_CONTAINER, &h, &err);
        check_error(r_hook, &err);
        check_error(nvct_oci_edit_add_gid(e, 4242, &err), &err);
        bool changed = nvct_oci_edit_changed(e);
        nvct_document_node *written = nvct_document_copy(nvct_oci_edit_root(e));
        CHECK(written != NULL);
        int r_write = nvct_oci_edit_write(e, &err);
        check_error(r_write, &err);
        nvct_oci_edit_free(e);
        CHECK(stat(path, &after) == 0);
        if (!changed || r_write < 0) {
                /* Not rewritten. */
                CHECK(before.st_ino == after.st_ino);
                nvct_document_free(written);
                return 0;
        }
        e = NULL;
        r = nvct_oci_edit_load(bundle, &e, &err);
        if (r < 0) /* Go mode keeps what it read; only the bounds may refuse. */
                fprintf(stderr, "%s\n", err->msg);
        CHECK(r == 0);
        CHECK(nvct_document_equal(written, nvct_oci_edit_root(e)));
        nvct_document_free(written);
        CHECK(r_env < 0 || has_env(e, "NVIDIA_FUZZ=1"));
        const nvct_document_node *node = NULL;
        if (r_dev == 0) {
                CHECK(nvct_oci_edit_devices(e, &node, NULL) == 0 && node != NULL);
                CHECK(strcmp(last_path(node), "/dev/fuzz") == 0);
        }
        if (r_put == 0) {
                CHECK(nvct_oci_edit_devices(e, &node, NULL) == 0 && node != NULL);
                bool seen = false;
                for (size_t i = 0; i < nvct_document_array_size(node); i++) {
                        const nvct_document_node *p =
                                nvct_document_object_get(nvct_document_array_get(node, i), "path");
                        seen |= p != NULL && nvct_document_kind_of(p) == NVCT_DOCUMENT_STRING &&
                                strcmp(nvct_document_text(p, NULL), "/dev/fuzz-put") == 0;
                }
                CHECK(seen);
        }
        if (r_sort == 0) {
                CHECK(nvct_oci_edit_mounts(e, &node, NULL) == 0);
                for (size_t i = 1; i < nvct_document_array_size(node); i++)
                        CHECK(depth(nvct_document_array_get(node, i - 1)) <=
                              depth(nvct_document_array_get(node, i)));
                CHECK(r_mount < 0 || node != NULL);
        }
        if (r_hook == 0) {
                CHECK(nvct_oci_edit_hooks(e, NVCT_OCI_HOOK_CREATE_CONTAINER, &node, NULL) == 0 &&
                      node != NULL);
                CHECK(strcmp(last_path(node), "/bin/fuzz-hook") == 0);
        }
        if (r_rm == 0) {
                CHECK(nvct_oci_edit_hooks(e, NVCT_OCI_HOOK_PRESTART, &node, NULL) == 0);
                for (size_t i = 0; i < nvct_document_array_size(node); i++)
                        CHECK(!nvct_oci_hook_has_basename(nvct_document_array_get(node, i),
                                                          (void *)"nvidia-container-runtime-hook"));
        }
        /* Written once more unchanged: not rewritten. */
        CHECK(stat(path, &before) == 0);
        CHECK(nvct_oci_edit_write(e, NULL) == 0);
        CHECK(stat(path, &after) == 0 && before.st_ino == after.st_ino);
        nvct_oci_edit_free(e);
        return 0;
}
