/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes what nvidia-cdi-hook reads of an image's files: the CUDA compat
 * library's ELF note (enable-cuda-compat: section headers, names, the note,
 * its JSON), from a memfd holding the input, and the driver's params text
 * rewrite (disable-device-node-modification). Checks that neither reads past
 * what it was given nor leaks, that a note read is well formed (a
 * NUL-terminated CUDA version, at most 64 drivers), and that the rewrite
 * leaves no "ModifyDeviceFiles: 1" line and is at most one byte longer. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "basic/error.h"
#include "cdihook/cudacompat.h"
#include "cdihook/params.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_note(const uint8_t *data, size_t size) {
        int fd = memfd_create("note", MFD_CLOEXEC);
        if (fd < 0)
                return;
        if (size > 0 && write(fd, data, size) != (ssize_t)size) {
                close(fd);
                return;
        }
        nvct_cuda_compat_note note;
        memset(&note, 0xa5, sizeof(note));
        int r = nvct_cuda_compat_read_note(fd, &note);
        CHECK(r == 0 || r == 1);
        if (r == 1) {
                CHECK(memchr(note.cuda_version, '\0', sizeof(note.cuda_version)) != NULL);
                CHECK(note.n_drivers <= sizeof(note.drivers) / sizeof(note.drivers[0]));
                /* The decision is a pure function of the note. */
                (void)nvct_cuda_compat_note_use(&note, 550, "12.4");
                (void)nvct_cuda_compat_note_use(&note, 0, note.cuda_version);
        }
        close(fd);
}

static void fuzz_params(const uint8_t *data, size_t size) {
        char *buf = fuzz_copy_input(data, size);
        if (buf == NULL)
                return;
        nvct_error *err = NULL;
        char *out = NULL;
        size_t len = 0;
        if (nvct_params_disable_modify(buf, size, &out, &len, &err) == 0 && out != NULL) {
                /* Bytes, NULs included: lengths, not strlen. */
                CHECK(len <= size + 1 && out[len] == '\0');
                CHECK(len > 0 && out[len - 1] == '\n');
                CHECK(len < 21 || memcmp(out, "ModifyDeviceFiles: 1\n", 21) != 0);
                CHECK(memmem(out, len, "\nModifyDeviceFiles: 1\n", 22) == NULL);
        }
        free(out);
        nvct_error_free(&err);
        free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        fuzz_note(data, size);
        fuzz_params(data, size);
        return 0;
}
