/* SPDX-License-Identifier: Apache-2.0 */
/* Scope-bound cleanup, systemd style: a variable declared with one of these
 * attributes is released when it goes out of scope, so every early return
 * stays leak-free without a ladder of gotos. Also the small memory helpers
 * every module needs. */
#ifndef NVCT_CLEANUP_H
#define NVCT_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void nvct_freep(void *p) {
        free(*(void **)p);
}

static inline void nvct_closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}

static inline void nvct_fclosep(FILE **f) {
        if (*f != NULL)
                fclose(*f);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(nvct_freep)
#define _cleanup_close_ _cleanup_(nvct_closep)
#define _cleanup_fclose_ _cleanup_(nvct_fclosep)

/* Hand ownership out of a cleanup-scoped variable. */
#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                __typeof__(p) _taken = (p);                                                        \
                (p) = NULL;                                                                        \
                _taken;                                                                            \
        })

#define TAKE_FD(fd)                                                                                \
        ({                                                                                         \
                int _taken_fd = (fd);                                                              \
                (fd) = -1;                                                                         \
                _taken_fd;                                                                         \
        })

/* A NUL-terminated copy of len bytes that may themselves hold NUL. */
static inline char *nvct_memdup0(const void *s, size_t len) {
        char *d = malloc(len + 1);
        if (d != NULL) {
                if (len > 0)
                        memcpy(d, s, len);
                d[len] = '\0';
        }
        return d;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
