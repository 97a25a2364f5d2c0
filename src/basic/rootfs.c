/* SPDX-License-Identifier: Apache-2.0 */
/* Acting inside a container's root filesystem from the host. The image's
 * author controls every name under the root: any directory may be a symlink
 * to "/", "/etc" or "../../..", any file a symlink to a host file, a FIFO or
 * a directory. The hooks run as root on the host (in the container's mount
 * namespace, before pivot_root), so a single path resolved by the host's
 * rules would let an image write the host. Hence:
 *  - every lookup is relative to an fd of the root and resolves symlinks and
 *    ".." as the kernel would with the root as "/": openat2(RESOLVE_IN_ROOT)
 *    or, without openat2, a walk that does the same by hand;
 *  - every change is made with an *at() call on a directory fd obtained that
 *    way, on a single name, never through a symlink.
 * ldconfig, which runs with the container root pivoted to "/", is in
 * cdihook/ldconfig.c. */
#define _GNU_SOURCE
#include "rootfs.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "quote.h"

/* Directories the fallback walk keeps open at once. Each level of the path
 * holds an fd, so that ".." goes back to the directory we came from (never
 * above the root) rather than to whatever ".." is now. */
#define ROOTFS_MAX_DEPTH 256
/* openat2 fails with EAGAIN when a rename or mount raced with a ".." lookup
 * under RESOLVE_IN_ROOT; after this many tries the walk takes over. */
#define OPENAT2_TRIES 16
/* Times the walk creates a missing directory and opens it again before
 * giving up on a tree that keeps changing under it. */
#define MKDIR_TRIES 8
/* Names tried for the temporary symlink before giving up. */
#define TMPNAME_TRIES 16
/* A lookup returns -errno, or one of these: a limit of ours, which no errno
 * names, so that the message can. */
#define ROOTFS_E_DEPTH (-100000)
#define ROOTFS_E_COMPONENTS (-100001)

#define STR_(x) #x
#define STR(x) STR_(x)

static bool force_fallback;
static bool openat2_missing;

void nvct_rootfs_force_fallback(bool force) {
        force_fallback = force;
}

/* ---- messages ---- */

/* Paths in messages are the image's bytes (symlink contents, names) or the
 * hook's arguments: quoted, so that no escape sequence reaches a terminal. */
static char *quote(const char *s) {
        return nvct_quote(s, strlen(s));
}

static const char *q(const char *quoted) {
        return quoted != NULL ? quoted : "\"(out of memory)\"";
}

#define DEPTH_TEXT STR(ROOTFS_MAX_DEPTH)
#define COMPONENTS_TEXT STR(NVCT_ROOTFS_MAX_COMPONENTS)
static const char depth_reason[] = "more than " DEPTH_TEXT " directories deep (the walk's limit)";
static const char components_reason[] = "more than " COMPONENTS_TEXT " path components, symlink "
                                        "contents included (the limit of one lookup)";

/* What follows ": " in the message of a lookup that failed with `r`. */
static const char *lookup_reason(int r) {
        if (r == ROOTFS_E_DEPTH)
                return depth_reason;
        if (r == ROOTFS_E_COMPONENTS)
                return components_reason;
        return strerror(-r);
}

/* A limit hit has status 0: no errno says it. */
#define lookup_error(err, r, fmt, ...)                                                             \
        ((r) <= ROOTFS_E_DEPTH                                                                     \
                 ? nvct_error_make(err, 0, fmt ": %s", __VA_ARGS__, lookup_reason(r))              \
                 : nvct_error_make(err, -(r), fmt, __VA_ARGS__))

/* ---- resolution: the walk ---- */

/* The walk: a stack of the directories entered below the root, and what
 * one lookup has spent. */
typedef struct walker {
        int root_fd; /* borrowed */
        int fds[ROOTFS_MAX_DEPTH];
        size_t depth;
        unsigned links;      /* symlinks followed */
        unsigned components; /* path components visited */
        size_t origin_end;   /* the path asked for, up to the component that led here */
        bool mkdir_failed;   /* the error is mkdirat's */
} walker;

static int walker_top(const walker *w) {
        return w->depth == 0 ? w->root_fd : w->fds[w->depth - 1];
}

static void walker_pop(walker *w) {
        if (w->depth > 0)
                close(w->fds[--w->depth]);
}

static void walker_reset(walker *w) {
        while (w->depth > 0)
                walker_pop(w);
}

static int walker_push(walker *w, int fd) {
        if (w->depth >= ROOTFS_MAX_DEPTH) {
                close(fd);
                return ROOTFS_E_DEPTH;
        }
        w->fds[w->depth++] = fd;
        return 0;
}

/* The content of a symlink. readlinkat never follows anything: `name` ""
 * reads the link an O_PATH|O_NOFOLLOW fd refers to. */
static int read_link_at(int dir_fd, const char *name, char **ret_target) {
        char buf[PATH_MAX];
        ssize_t n = readlinkat(dir_fd, name, buf, sizeof(buf));
        if (n < 0)
                return -errno;
        if ((size_t)n >= sizeof(buf))
                return -ENAMETOOLONG;
        char *target = nvct_memdup0(buf, (size_t)n);
        if (target == NULL)
                return -ENOMEM;
        *ret_target = target;
        return 0;
}

/* Opens `name` in the walk's current directory without following it. With
 * `create`, a missing name is made a directory (0755) first. */
static int open_component(walker *w, const char *name, bool create) {
        for (int tries = 0;; tries++) {
                int fd = openat(walker_top(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0)
                        return fd;
                if (errno != ENOENT || !create || tries >= MKDIR_TRIES)
                        return -errno;
                /* Security: one name in a directory fd the walk holds,
                 * which it reached inside the root: the new directory
                 * cannot land outside, and nothing is resolved again from
                 * the root. EEXIST: it appeared meanwhile (a symlink
                 * perhaps); the next open sees what it is. */
                if (mkdirat(walker_top(w), name, 0755) < 0 && errno != EEXIST) {
                        w->mkdir_failed = true;
                        return -errno;
                }
        }
}

/* Splices the content of the symlink `link_fd` in front of `rest` (the path
 * after the link, kept when `tail`): the walk goes on with *pending. */
static int splice_link(walker *w, int link_fd, const char *rest, bool tail, char **pending,
                       size_t *pending_len) {
        if (++w->links > NVCT_ROOTFS_MAX_SYMLINKS)
                return -ELOOP;
        _cleanup_free_ char *target = NULL;
        int r = read_link_at(link_fd, "", &target);
        if (r < 0)
                return r;
        if (target[0] == '\0')
                return -ENOENT; /* as the kernel treats an empty symlink */
        /* Security: an absolute target starts again at the container's
         * root, not the host's. */
        if (target[0] == '/')
                walker_reset(w);
        size_t tlen = strlen(target);
        size_t len = tail ? tlen + 1 + strlen(rest) : tlen;
        char *next = malloc(len + 1);
        if (next == NULL)
                return -ENOMEM;
        memcpy(next, target, tlen);
        if (tail) {
                next[tlen] = '/';
                memcpy(next + tlen + 1, rest, len - tlen - 1);
        }
        next[len] = '\0';
        free(*pending);
        *pending = next;
        *pending_len = len;
        return 0;
}

/* How walk() treats the last component. */
typedef enum walk_mode {
        WALK_PARENT, /* stop before it, not following a symlink there */
        WALK_FOLLOW, /* stop before it, having followed a symlink there */
        WALK_MKDIR,  /* enter it, following symlinks and making what is missing */
} walk_mode;

/* Resolves `path` inside the root one component at a time, as the kernel
 * does under RESOLVE_IN_ROOT: each component is opened O_PATH|O_NOFOLLOW
 * relative to the directory before it, so the kernel never follows a symlink
 * for us; a symlink's content is spliced into the rest of the path, and an
 * absolute one restarts at the root fd, never at the host's "/". On success
 * w holds the directory that contains the final component and *ret_name is
 * that component (NULL when the path names the directory itself: "/", ".",
 * "a/..", and always with WALK_MKDIR, where w's top is the directory). A
 * missing final component is not an error here: opening it reports ENOENT.
 * Security: the work is bounded in total, not only in depth: 40 symlinks
 * and NVCT_ROOTFS_MAX_COMPONENTS components for the whole lookup, and
 * nothing is ever resolved twice (a chain of dangling symlinks, each 2,000
 * components long, made the old prefix-by-prefix mkdir run for minutes). */
static int walk(walker *w, const char *path, walk_mode mode, char **ret_name) {
        size_t origin_len = strlen(path), pending_len = origin_len;
        _cleanup_free_ char *pending = nvct_memdup0(path, pending_len);
        if (pending == NULL)
                return -ENOMEM;
        const char *p = pending;
        size_t origin_left = origin_len; /* the end of pending that is path's own */

        for (;;) {
                while (*p == '/')
                        p++;
                if (*p == '\0') {
                        *ret_name = NULL;
                        return 0;
                }
                if (++w->components > NVCT_ROOTFS_MAX_COMPONENTS)
                        return ROOTFS_E_COMPONENTS;
                size_t len = strcspn(p, "/");
                const char *rest = p + len;
                bool trailing_slash = *rest == '/';
                while (*rest == '/')
                        rest++;
                bool last = *rest == '\0';
                size_t rest_len = pending_len - (size_t)(rest - pending);
                if (pending_len - (size_t)(p - pending) <= origin_left) {
                        origin_left = rest_len;
                        w->origin_end = origin_len - (pending_len - (size_t)(p + len - pending));
                }

                if (len == 1 && p[0] == '.') {
                        p = rest;
                        continue;
                }
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        /* Security: ".." goes back to the directory we
                         * came from, and at the root stays there, as in
                         * chroot. Popping our own stack instead of opening
                         * ".." also means a directory moved out of the root
                         * meanwhile cannot take us along. */
                        walker_pop(w);
                        p = rest;
                        continue;
                }

                _cleanup_free_ char *name = strndup(p, len);
                if (name == NULL)
                        return -ENOMEM;
                /* A trailing slash makes the kernel follow a final symlink
                 * too; so do we. */
                if (last && mode == WALK_PARENT && !trailing_slash) {
                        *ret_name = TAKE_PTR(name);
                        return 0;
                }
                _cleanup_close_ int fd = open_component(w, name, mode == WALK_MKDIR);
                if (fd == -ENOENT && last && mode != WALK_MKDIR) {
                        *ret_name = TAKE_PTR(name);
                        return 0;
                }
                if (fd < 0)
                        return fd;
                struct stat st;
                if (fstat(fd, &st) < 0)
                        return -errno;

                if (S_ISLNK(st.st_mode)) {
                        int r = splice_link(w, fd, rest, !last || trailing_slash, &pending,
                                            &pending_len);
                        if (r < 0)
                                return r;
                        p = pending;
                        continue;
                }
                if (!S_ISDIR(st.st_mode) && (!last || trailing_slash || mode == WALK_MKDIR))
                        return -ENOTDIR;
                if (last && mode != WALK_MKDIR) {
                        *ret_name = TAKE_PTR(name);
                        return 0;
                }
                int r = walker_push(w, TAKE_FD(fd));
                if (r < 0)
                        return r;
                p = rest;
        }
}

static int walk_open(int root_fd, const char *path, int flags) {
        walker w = { .root_fd = root_fd };
        _cleanup_free_ char *name = NULL;
        int r = walk(&w, path, (flags & O_NOFOLLOW) ? WALK_PARENT : WALK_FOLLOW, &name);
        if (r >= 0) {
                /* Security: the walk followed or refused a final symlink;
                 * O_NOFOLLOW makes the open fail rather than follow one
                 * swapped in since. */
                if (name != NULL)
                        r = openat(walker_top(&w), name, flags | O_NOFOLLOW | O_CLOEXEC);
                else
                        r = openat(walker_top(&w), ".", flags | O_CLOEXEC);
                if (r < 0)
                        r = -errno;
        }
        walker_reset(&w);
        return r;
}

/* ---- resolution: openat2 ---- */

static bool use_openat2(void) {
        return !force_fallback && !openat2_missing;
}

/* Opens `path` inside the root; returns the fd or -errno. */
static int open_in_root(int root_fd, const char *path, int flags) {
        if (use_openat2()) {
                /* Security: RESOLVE_IN_ROOT makes "/" and ".." stop at
                 * root_fd for every component, symlink contents included;
                 * RESOLVE_NO_MAGICLINKS refuses /proc's fd and root links,
                 * which would jump anywhere. Bind mounts inside the root
                 * are crossed: the runtime put them there. */
                struct open_how how = {
                        .flags = (uint64_t)(flags | O_CLOEXEC),
                        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
                };
                for (int i = 0; i < OPENAT2_TRIES; i++) {
                        long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
                        if (fd >= 0)
                                return (int)fd;
                        if (errno == EAGAIN)
                                continue;
                        if (errno == ENOSYS) {
                                openat2_missing = true;
                                break;
                        }
                        /* A seccomp filter that does not know openat2 may
                         * answer EPERM; the walk then gives the real answer. */
                        if (errno == EPERM)
                                break;
                        return -errno;
                }
        }
        return walk_open(root_fd, path, flags);
}

/* ---- public: open ---- */

int nvct_rootfs_open_root(const char *rootfs, int *ret_root_fd, nvct_error **err) {
        /* The root's own path is the engine's (runc refuses one with a
         * symlink in it); still, never follow a final symlink. */
        int fd = open(rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                _cleanup_free_ char *qr = quote(rootfs);
                return nvct_error_make(err, errno, "could not open the container root %s", q(qr));
        }
        *ret_root_fd = fd;
        return 0;
}

int nvct_rootfs_open(int root_fd, const char *path, int flags, int *ret_fd, nvct_error **err) {
        _cleanup_free_ char *qp = quote(path);
        if (path[0] == '\0')
                return nvct_error_make(err, ENOENT, "could not open \"\" in the container root");
        /* Creating files is not part of this API: no mode to apply. */
        if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
                return nvct_error_make(err, EINVAL, "could not open %s in the container root",
                                       q(qp));
        int fd = open_in_root(root_fd, path, flags);
        if (fd < 0)
                return lookup_error(err, fd, "could not open %s in the container root", q(qp));
        *ret_fd = fd;
        return 0;
}

/* ---- public: mkdir_p ---- */

int nvct_rootfs_mkdir_p(int root_fd, const char *path, int *ret_dir_fd, nvct_error **err) {
        _cleanup_free_ char *qp = quote(path);
        /* Most directories exist: one openat2, whose work the kernel
         * bounds (40 symlinks), finds them. A loop, or a magic link that
         * RESOLVE_NO_MAGICLINKS refused, is its answer too; anything else
         * (a missing component) the walk below resolves and reports. */
        if (use_openat2()) {
                int fd = open_in_root(root_fd, path, O_PATH | O_DIRECTORY);
                if (fd >= 0) {
                        *ret_dir_fd = fd;
                        return 0;
                }
                if (fd == -ELOOP)
                        return lookup_error(err, fd,
                                            "could not create directory %s in the "
                                            "container root",
                                            q(qp));
        }

        /* Security: one walk, resolving each component once and creating
         * a missing one with mkdirat on the directory fd it holds, then
         * going on from there: never a path resolved again from the root,
         * and the whole of it bounded (see walk()). A dangling symlink on
         * the way leads to its target, which is made, inside the root. */
        walker w = { .root_fd = root_fd };
        _cleanup_free_ char *name = NULL;
        int r = walk(&w, path, WALK_MKDIR, &name);
        if (r >= 0) {
                /* The directory reached: the walk's top, handed over. */
                if (w.depth > 0)
                        r = w.fds[--w.depth];
                else if ((r = fcntl(root_fd, F_DUPFD_CLOEXEC, 3)) < 0)
                        r = -errno;
        }
        walker_reset(&w);
        if (r < 0) {
                /* The part of the path that led to the failure: the
                 * component, or the symlink whose content it was in. */
                _cleanup_free_ char *at = nvct_memdup0(path, w.origin_end);
                _cleanup_free_ char *qa = at != NULL ? quote(at) : NULL;
                return lookup_error(err, r,
                                    "could not create directory %s in the container root: "
                                    "could not %s %s",
                                    q(qp), w.mkdir_failed ? "create" : "resolve", q(qa));
        }
        *ret_dir_fd = r;
        return 0;
}

/* ---- public: symlink ---- */

static void random_name(char *buf, size_t size) {
        uint64_t r = 0;
        if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                r ^= (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() << 32;
        }
        snprintf(buf, size, ".nvct-link-%016llx", (unsigned long long)r);
}

int nvct_rootfs_symlink(int root_fd, const char *target, const char *link, nvct_error **err) {
        _cleanup_free_ char *ql = quote(link);
        _cleanup_free_ char *qt = quote(target);
        size_t len = strlen(link);

        if (target[0] == '\0')
                return nvct_error_make(err, 0, "could not create symlink %s: empty target", q(ql));
        if (strlen(target) >= PATH_MAX)
                return nvct_error_make(err, ENAMETOOLONG, "could not create symlink %s", q(ql));
        const char *slash = strrchr(link, '/');
        const char *base = slash != NULL ? slash + 1 : link;
        if (len == 0 || base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
                return nvct_error_make(err, 0, "could not create symlink %s: not a file name",
                                       q(ql));
        _cleanup_free_ char *dir = nvct_memdup0(link, slash != NULL ? (size_t)(slash - link) : 0);
        if (dir == NULL)
                return nvct_error_make(err, ENOMEM, "could not create symlink %s", q(ql));

        _cleanup_close_ int dir_fd = -1;
        if (nvct_rootfs_mkdir_p(root_fd, dir[0] ? dir : "/", &dir_fd, err) < 0)
                return nvct_error_prefix(err, "could not create symlink %s", q(ql));

        /* Security: from here on only *at() calls on dir_fd and the single
         * name `base`: lstat, readlink, symlink, rename. None follows a
         * symlink at `base`; whatever is there is replaced, never written. */
        struct stat st;
        if (fstatat(dir_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (S_ISLNK(st.st_mode)) {
                        _cleanup_free_ char *current = NULL;
                        if (read_link_at(dir_fd, base, &current) == 0 &&
                            strcmp(current, target) == 0)
                                return 0;
                } else if (S_ISDIR(st.st_mode)) {
                        return nvct_error_make(err, EISDIR, "could not create symlink %s", q(ql));
                }
        } else if (errno != ENOENT) {
                return nvct_error_make(err, errno, "could not create symlink %s", q(ql));
        }

        /* A new link under a name nobody else uses, then renamed over the
         * old entry: atomic, so the container never sees the name missing,
         * and rename replaces a symlink or file rather than writing to it.
         * A directory is never replaced: rename refuses (EISDIR). */
        char tmp[64];
        int tries = 0;
        for (;; tries++) {
                random_name(tmp, sizeof(tmp));
                if (symlinkat(target, dir_fd, tmp) == 0)
                        break;
                if (errno != EEXIST || tries >= TMPNAME_TRIES)
                        return nvct_error_make(err, errno, "could not create symlink %s -> %s",
                                               q(ql), q(qt));
        }
        if (renameat(dir_fd, tmp, dir_fd, base) < 0) {
                int e = errno;
                unlinkat(dir_fd, tmp, 0);
                return nvct_error_make(err, e, "could not create symlink %s -> %s", q(ql), q(qt));
        }
        return 0;
}
