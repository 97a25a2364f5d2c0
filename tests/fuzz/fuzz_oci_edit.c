/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the config.json editor: the input is written as BUNDLE/config.json
 * and loaded; a few mutations are applied (each may be refused, as when
 * process.env is not an array); the result is written and loaded again. A
 * refusal is one line naming the file; a config.json no mutation changed
 * is not rewritten; what was changed is there after the reload. */
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
        int r_write = nvct_oci_edit_write(e, &err);
        check_error(r_write, &err);
        nvct_oci_edit_free(e);
        CHECK(stat(path, &after) == 0);
        if (!changed || r_write < 0) {
                /* Not rewritten. */
                CHECK(before.st_ino == after.st_ino);
                return 0;
        }
        e = NULL;
        r = nvct_oci_edit_load(bundle, &e, &err);
        if (r < 0) /* Go mode keeps what it read; only the bounds may refuse. */
                fprintf(stderr, "%s\n", err->msg);
        CHECK(r == 0);
        CHECK(r_env < 0 || has_env(e, "NVIDIA_FUZZ=1"));
        const nvct_document_node *node = NULL;
        if (r_dev == 0) {
                CHECK(nvct_oci_edit_devices(e, &node, NULL) == 0 && node != NULL);
                CHECK(strcmp(last_path(node), "/dev/fuzz") == 0);
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
