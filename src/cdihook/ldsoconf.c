/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "ldsoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "basic/rootfs.h"

#include "inroot.h"

/* The file's whole text is compared when looking for one already there. */
#define CONTENT_MAX (64u << 10)

typedef struct conf_match {
        const char *prefix, *content;
        size_t len;
        char *name; /* an existing file with that content */
} conf_match;

static bool is_conf_name(const char *name, const char *prefix) {
        size_t len = strlen(name), pl = strlen(prefix), sl = strlen(NVCT_LDSOCONF_SUFFIX);
        return len >= pl + sl && strncmp(name, prefix, pl) == 0 &&
               strcmp(name + len - sl, NVCT_LDSOCONF_SUFFIX) == 0;
}

static int match_conf(int dir_fd, const char *name, unsigned char d_type, void *userdata,
                      nvct_error **err) {
        conf_match *m = userdata;
        if (m->name != NULL || !is_conf_name(name, m->prefix) ||
            (d_type != DT_REG && d_type != DT_UNKNOWN))
                return 0;
        /* Security: never followed, never blocking; only a regular file of
         * exactly the expected size is read. */
        _cleanup_close_ int fd =
                openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != m->len)
                return 0;
        _cleanup_free_ char *buf = malloc(m->len + 1);
        if (buf == NULL)
                return nvct_error_make(err, ENOMEM, "ld.so.conf.d");
        if (pread(fd, buf, m->len, 0) != (ssize_t)m->len || memcmp(buf, m->content, m->len) != 0)
                return 0;
        if ((m->name = strdup(name)) == NULL)
                return nvct_error_make(err, ENOMEM, "ld.so.conf.d");
        return 0;
}

/* The file's text: each folder once, in the order given, a line each. */
static int conf_text(const char *const *folders, size_t n, char **ret, nvct_error **err) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        if (f == NULL)
                return nvct_error_make(err, ENOMEM, "ld.so.conf.d");
        for (size_t i = 0; i < n; i++) {
                bool seen = false;
                for (size_t j = 0; j < i && !seen; j++)
                        seen = strcmp(folders[i], folders[j]) == 0;
                if (!seen)
                        fprintf(f, "%s\n", folders[i]);
        }
        if (fclose(f) != 0 || text == NULL)
                return nvct_error_make(err, ENOMEM, "ld.so.conf.d");
        if (size > CONTENT_MAX)
                return nvct_error_make(err, 0, "%zu bytes of folders for %s: more than %u", size,
                                       NVCT_LDSOCONFD, CONTENT_MAX);
        *ret = TAKE_PTR(text);
        return 0;
}

int nvct_ldsoconf_write(int root_fd, const char *prefix, const char *const *folders,
                        size_t n_folders, bool create, char **ret_name, nvct_error **err) {
        for (size_t i = 0; i < n_folders; i++) {
                /* Each becomes one line of the file: one absolute path. */
                if (folders[i][0] != '/' || strchr(folders[i], '\n') != NULL ||
                    strlen(folders[i]) >= PATH_MAX) {
                        _cleanup_free_ char *qf = nvct_quote_path(folders[i]);
                        return nvct_error_make(err, 0, "the folder %s is not one absolute path",
                                               nvct_quoted(qf));
                }
        }
        _cleanup_free_ char *content = NULL;
        if (conf_text(folders, n_folders, &content, err) < 0)
                return -1;
        size_t len = strlen(content);

        /* Security: opened (or made) inside the root; each file written
         * under a temporary name and renamed to a new name, never over an
         * existing one. */
        _cleanup_close_ int dir_fd = -1;
        if (create) {
                if (nvct_rootfs_mkdir_p(root_fd, NVCT_LDSOCONFD, &dir_fd, err) < 0)
                        return -1;
        } else {
                _cleanup_error_ nvct_error *e = NULL;
                if (nvct_rootfs_open(root_fd, NVCT_LDSOCONFD, O_PATH | O_DIRECTORY, &dir_fd, &e) <
                    0) {
                        if (e->status == ENOENT)
                                return -ENOENT;
                        *err = TAKE_PTR(e);
                        return -1;
                }
        }
        conf_match m = { prefix, content, len, NULL };
        if (nvct_cdihook_list_dir(dir_fd, NVCT_LDSOCONFD, match_conf, &m, err) < 0) {
                free(m.name);
                return -1;
        }
        if (m.name != NULL) {
                if (ret_name != NULL)
                        *ret_name = m.name;
                else
                        free(m.name);
                return 0;
        }
        for (int tries = 0; tries < 16; tries++) {
                uint32_t n = 0;
                if (getrandom(&n, sizeof(n), GRND_NONBLOCK) != (ssize_t)sizeof(n))
                        n = (uint32_t)getpid() * 2654435761u + (uint32_t)tries;
                char name[128];
                snprintf(name, sizeof(name), "%s%u" NVCT_LDSOCONF_SUFFIX, prefix, (unsigned)n);
                int r = nvct_cdihook_write_at(dir_fd, NVCT_LDSOCONFD, name, content, len, 0644,
                                              false, err);
                if (r == -EEXIST)
                        continue;
                if (r < 0)
                        return -1;
                if (ret_name != NULL && (*ret_name = strdup(name)) == NULL)
                        return nvct_error_make(err, ENOMEM, "ld.so.conf.d");
                return 0;
        }
        return nvct_error_make(err, EEXIST, "could not find a free name in %s", NVCT_LDSOCONFD);
}

bool nvct_ldsoconf_includes_confd(int root_fd) {
        _cleanup_close_ int fd = -1;
        /* Security: read inside the root, never blocking (a FIFO there),
         * a regular file only, bounded. */
        if (nvct_rootfs_open(root_fd, "/etc/ld.so.conf", O_RDONLY | O_NONBLOCK | O_NOCTTY, &fd,
                             NULL) < 0)
                return false;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > CONTENT_MAX)
                return false;
        _cleanup_free_ char *data = NULL;
        size_t len;
        if (nvct_read_opened(fd, "/etc/ld.so.conf", "ld.so.conf", (size_t)st.st_size, CONTENT_MAX,
                             &data, &len, NULL) < 0)
                return false;
        for (char *line = data; line != NULL && *line != '\0';) {
                char *next = strchr(line, '\n');
                if (next != NULL)
                        *next++ = '\0';
                line += strspn(line, " \t");
                if (strncmp(line, "include", 7) == 0 && (line[7] == ' ' || line[7] == '\t') &&
                    strstr(line, "ld.so.conf.d/") != NULL)
                        return true;
                line = next;
        }
        return false;
}
