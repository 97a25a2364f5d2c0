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
 *    way, on a single name, never through a symlink;
 *  - ldconfig runs with the container root pivoted to "/", so every path it
 *    reads or writes resolves inside by construction. */
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
/* Rounds of detaching procfs mounts (each round may uncover one that was
 * mounted under another) before giving up. */
#define PROC_DETACH_ROUNDS 64
/* Largest mountinfo read: 64k mounts of generous length. */
#define MOUNTINFO_MAX_SIZE (64u << 20)
/* How long a killed ldconfig has to be reaped before we stop waiting. */
#define LDCONFIG_KILL_WAIT_MS 2000

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same on every architecture */
#endif

/* A lookup returns -errno, or one of these: a limit of ours, which no errno
 * names, so that the message can. */
#define ROOTFS_E_DEPTH (-100000)
#define ROOTFS_E_COMPONENTS (-100001)

#define STR_(x) #x
#define STR(x) STR_(x)

static bool force_fallback;
static bool openat2_missing;
static unsigned ldconfig_timeout_ms = NVCT_LDCONFIG_TIMEOUT_MS;

void nvct_rootfs_force_fallback(bool force) {
        force_fallback = force;
}

void nvct_rootfs_set_ldconfig_timeout(unsigned ms) {
        ldconfig_timeout_ms = ms > 0 ? ms : NVCT_LDCONFIG_TIMEOUT_MS;
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

/* ---- public: ldconfig ---- */

#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#elif defined(__powerpc64__)
#define NATIVE_MACHINE EM_PPC64
#elif defined(__s390x__)
#define NATIVE_MACHINE EM_S390
#elif defined(__riscv)
#define NATIVE_MACHINE EM_RISCV
#elif defined(__i386__)
#define NATIVE_MACHINE EM_386
#elif defined(__arm__)
#define NATIVE_MACHINE EM_ARM
#endif

#define ELF_MAX_PHNUM 1024

/* Reads up to len bytes, retrying short reads and EINTR: at offset `off`
 * (pread), or from the current position when `off` is negative. */
static ssize_t read_full(int fd, void *buf, size_t len, off_t off) {
        size_t done = 0;
        while (done < len) {
                ssize_t n = off < 0 ? read(fd, (char *)buf + done, len - done)
                                    : pread(fd, (char *)buf + done, len - done, off + (off_t)done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -1;
                if (n == 0)
                        break;
                done += (size_t)n;
        }
        return (ssize_t)done;
}

/* Security: the program runs with the container's root as "/". A dynamic
 * executable would have the kernel load its interpreter (PT_INTERP) from
 * there: the image's ld.so, run as root with every capability before the
 * container's own restrictions apply. A "#!" script would likewise run the
 * image's interpreter, and a foreign architecture a binfmt_misc handler. So
 * only a static executable of our own architecture is accepted. */
static int check_static_elf(int fd, const char *path, nvct_error **err) {
        _cleanup_free_ char *qp = quote(path);
        ElfW(Ehdr) eh;
        ssize_t n = read_full(fd, &eh, sizeof(eh), 0);
        if (n < 0)
                return nvct_error_make(err, errno, "could not read %s", q(qp));
        if ((size_t)n >= 2 && memcmp(&eh, "#!", 2) == 0)
                return nvct_error_make(err, 0,
                                       "%s is a script: it would run an interpreter from the "
                                       "container; give a static ldconfig executable",
                                       q(qp));
        if ((size_t)n < sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
                return nvct_error_make(err, 0, "%s is not an ELF executable", q(qp));
        unsigned char native_class = sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32;
        unsigned char native_data =
                __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
        bool native = eh.e_ident[EI_CLASS] == native_class && eh.e_ident[EI_DATA] == native_data;
#ifdef NATIVE_MACHINE
        native = native && eh.e_machine == NATIVE_MACHINE;
#endif
        if (!native)
                return nvct_error_make(err, 0, "%s is not an executable for this architecture",
                                       q(qp));
        if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
                return nvct_error_make(err, 0, "%s is not an ELF executable", q(qp));
        if (eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum == 0 || eh.e_phnum > ELF_MAX_PHNUM)
                return nvct_error_make(err, 0, "%s has an unexpected ELF program header table",
                                       q(qp));
        size_t size = (size_t)eh.e_phnum * sizeof(ElfW(Phdr));
        _cleanup_free_ ElfW(Phdr) *ph = malloc(size);
        if (ph == NULL)
                return nvct_error_make(err, ENOMEM, "could not read %s", q(qp));
        n = read_full(fd, ph, size, (off_t)eh.e_phoff);
        if (n < 0)
                return nvct_error_make(err, errno, "could not read %s", q(qp));
        if ((size_t)n < size)
                return nvct_error_make(err, 0, "%s is truncated", q(qp));
        for (size_t i = 0; i < eh.e_phnum; i++)
                if (ph[i].p_type == PT_INTERP)
                        return nvct_error_make(err, 0,
                                               "%s is dynamically linked: run inside the "
                                               "container it would load the container's dynamic "
                                               "loader as root; give a static ldconfig (Debian's "
                                               "/sbin/ldconfig, Ubuntu's /sbin/ldconfig.real)",
                                               q(qp));
        return 0;
}

/* What the child reports through the pipe when a step before exec fails. */
typedef enum child_step {
        STEP_PARENT_GONE,
        STEP_UNSHARE,
        STEP_MOUNT_SLAVE,
        STEP_BIND_ROOT,
        STEP_CHDIR_ROOT,
        STEP_CHECK_ROOT,
        STEP_PIVOT_ROOT,
        STEP_UMOUNT_OLD,
        STEP_CHDIR_NEW,
        STEP_OPEN_PROC,
        STEP_DETACH_PROC,
        STEP_DROP_CAPS,
        STEP_NO_NEW_PRIVS,
        STEP_EXEC,
} child_step;

static const char *const step_names[] = {
        [STEP_PARENT_GONE] = "start (the hook ended first)",
        [STEP_UNSHARE] = "enter a new mount namespace",
        [STEP_MOUNT_SLAVE] = "make the mounts of the new namespace slaves",
        [STEP_BIND_ROOT] = "bind-mount the container root onto itself",
        [STEP_CHDIR_ROOT] = "enter the container root",
        [STEP_CHECK_ROOT] = "check the container root (it is no longer the directory opened)",
        [STEP_PIVOT_ROOT] = "pivot_root into the container root",
        [STEP_UMOUNT_OLD] = "detach the host's root",
        [STEP_CHDIR_NEW] = "enter the new root",
        [STEP_OPEN_PROC] = "open the host's /proc",
        [STEP_DETACH_PROC] = "detach the procfs mounts inside the container root",
        [STEP_DROP_CAPS] = "drop capabilities",
        [STEP_NO_NEW_PRIVS] = "set no_new_privs",
        [STEP_EXEC] = "execute",
};

typedef struct child_report {
        int step;
        int error;
} child_report;

/* Capabilities ldconfig keeps: writing the cache and the links in
 * directories that root does not own. */
static bool cap_kept(unsigned long cap) {
        return cap == CAP_DAC_OVERRIDE || cap == CAP_FOWNER;
}

static int drop_capabilities(void) {
        struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
        if (syscall(SYS_capget, &hdr, data) < 0)
                return -1;
        /* An inheritable capability would survive the exec. */
        for (size_t i = 0; i < ARRAY_SIZE(data); i++)
                data[i].inheritable = 0;
        if (syscall(SYS_capset, &hdr, data) < 0)
                return -1;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -1;
        /* Root regains at exec every capability of the bounding set:
         * shrink that. */
        for (unsigned long cap = 0; cap < 64; cap++) {
                if (cap_kept(cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
                        if (errno == EINVAL)
                                break; /* past the kernel's last capability */
                        return -1;
                }
        }
        return 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s) {
        char *w = s;
        for (const char *r = s; *r != '\0';) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
                        r += 4;
                } else {
                        *w++ = *r++;
                }
        }
        *w = '\0';
}

/* The size of the buffer the child reads mountinfo into, found here, in
 * the parent, with nothing kept: twice our own mountinfo (the child sees a
 * part of our mounts, those under the root, with shorter paths) and 1 MiB
 * more, at most MOUNTINFO_MAX_SIZE. */
static size_t mountinfo_buffer_size(void) {
        size_t total = 0;
        _cleanup_close_ int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        char buf[16384];
        while (fd >= 0 && total < MOUNTINFO_MAX_SIZE) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                total += (size_t)n;
        }
        size_t size = 2 * total + (1u << 20);
        return size < MOUNTINFO_MAX_SIZE ? size : MOUNTINFO_MAX_SIZE;
}

/* Reads `name` whole into buf, NUL-terminated; EFBIG when it does not fit.
 * In the child: system calls only. */
static int read_into(int dir_fd, const char *name, char *buf, size_t size) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        size_t len = 0;
        for (;;) {
                if (size - len < 2) {
                        errno = EFBIG;
                        return -1;
                }
                ssize_t n = read(fd, buf + len, size - len - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -1;
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        return 0;
}

/* Security: a procfs mounted inside the root (the runtime's /proc; with the
 * host's PID namespace, or a bind of the host's /proc, it shows host
 * processes) holds magic links, /proc/PID/root among them, that lead out of
 * any pivot_root: the image's ld.so.conf or a symlink in a folder could send
 * ldconfig through one and have it write its links in a host directory.
 * ldconfig needs no /proc, so every procfs mount in our namespace goes.
 * `proc_fd` is the host's /proc, opened before the pivot: mountinfo read
 * through it now lists our mounts relative to the new root. `buf` is the
 * parent's: the child allocates nothing. */
static int detach_procfs(int proc_fd, char *buf, size_t size) {
        for (int round = 0; round < PROC_DETACH_ROUNDS; round++) {
                if (read_into(proc_fd, "self/mountinfo", buf, size) < 0)
                        return -1;
                int detached = 0;
                char *next;
                for (char *line = buf; *line != '\0'; line = next) {
                        next = strchr(line, '\n');
                        if (next != NULL)
                                *next++ = '\0';
                        else
                                next = line + strlen(line);
                        /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - FSTYPE ..." */
                        char *sep = strstr(line, " - ");
                        if (sep == NULL)
                                continue;
                        *sep = '\0';
                        char *fstype = sep + 3;
                        fstype[strcspn(fstype, " ")] = '\0';
                        if (strcmp(fstype, "proc") != 0)
                                continue;
                        char *mp = line;
                        for (int i = 0; i < 4 && mp != NULL; i++) {
                                mp = strchr(mp, ' ');
                                if (mp != NULL)
                                        mp++;
                        }
                        if (mp == NULL)
                                continue;
                        mp[strcspn(mp, " ")] = '\0';
                        unescape_octal(mp);
                        if (umount2(mp, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
                                detached++;
                        /* Gone with a parent detached before it, or covered
                         * by another mount: out of reach either way. */
                        else if (errno != EINVAL && errno != ENOENT && errno != ENOTDIR)
                                return -1;
                }
                if (detached == 0)
                        return 0;
        }
        errno = ELOOP;
        return -1;
}

static _Noreturn void child_fail(int report_fd, child_step step) {
        child_report rep = { .step = (int)step, .error = errno };
        ssize_t n;
        do
                n = write(report_fd, &rep, sizeof(rep));
        while (n < 0 && errno == EINTR);
        _exit(127);
}

/* Everything the child needs, made before the fork. Between fork and exec
 * the child makes system calls and touches this memory, nothing else: it
 * allocates nothing (malloc after fork is not async-signal-safe: a lock
 * another thread held at the fork stays held forever in the child). */
typedef struct child_args {
        int report_fd, devnull, exe_fd;
        pid_t parent;
        const char *rootfs;
        struct stat root_st;
        char *const *argv;
        char *mountinfo; /* the buffer detach_procfs() reads into */
        size_t mountinfo_size;
} child_args;

/* The child's first steps: signals, process group, death signal, stdin. */
static void child_start(const child_args *a) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        /* A process group of its own: at the deadline, the parent kills
         * the group, so whatever ldconfig might start goes too. The parent
         * makes the same call, whichever runs first. */
        setpgid(0, 0);
        /* Should the hook be killed (the runtime's hook timeout), so is
         * ldconfig. Security: a parent that died before this prctl sends
         * no signal, and ldconfig would run on unwatched, past any
         * deadline: checked after it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getppid() != a->parent) {
                errno = ESRCH;
                child_fail(a->report_fd, STEP_PARENT_GONE);
        }
        /* stdin is the runtime's state pipe: not ldconfig's business. */
        if (a->devnull >= 0)
                dup2(a->devnull, STDIN_FILENO);
}

/* In the child, between fork and exec: system calls only (see child_args). */
static _Noreturn void run_child(const child_args *a) {
        static char *const empty_env[] = { NULL };
        int report_fd = a->report_fd;
        child_start(a);

        /* A mount namespace of our own, whose changes go nowhere: slave
         * (not private, as runc does) so that unmounts on the host still
         * reach it and it pins nothing. */
        if (unshare(CLONE_NEWNS) < 0)
                child_fail(report_fd, STEP_UNSHARE);
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                child_fail(report_fd, STEP_MOUNT_SLAVE);
        /* pivot_root needs the new root to be a mount point. */
        if (mount(a->rootfs, a->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                child_fail(report_fd, STEP_BIND_ROOT);
        if (chdir(a->rootfs) < 0)
                child_fail(report_fd, STEP_CHDIR_ROOT);
        /* The path must still name the directory the parent opened and
         * checked the folders in. */
        struct stat st;
        if (stat(".", &st) < 0)
                child_fail(report_fd, STEP_CHECK_ROOT);
        if (st.st_dev != a->root_st.st_dev || st.st_ino != a->root_st.st_ino) {
                errno = ESTALE;
                child_fail(report_fd, STEP_CHECK_ROOT);
        }
        /* The host's /proc, kept for detach_procfs() after the pivot. */
        int proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct statfs sfs;
        if (proc_fd < 0 || fstatfs(proc_fd, &sfs) < 0)
                child_fail(report_fd, STEP_OPEN_PROC);
        if (sfs.f_type != PROC_SUPER_MAGIC) {
                errno = ENOENT;
                child_fail(report_fd, STEP_OPEN_PROC);
        }
        /* Security: after pivot_root and the detach of the old root, no
         * path leads to the host: "/", "..", absolute symlinks, ld.so.conf
         * includes, all resolve inside the container; once the procfs
         * mounts are gone, no magic link leads out either. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                child_fail(report_fd, STEP_PIVOT_ROOT);
        if (umount2(".", MNT_DETACH) < 0)
                child_fail(report_fd, STEP_UMOUNT_OLD);
        if (chdir("/") < 0)
                child_fail(report_fd, STEP_CHDIR_NEW);
        if (detach_procfs(proc_fd, a->mountinfo, a->mountinfo_size) < 0)
                child_fail(report_fd, STEP_DETACH_PROC);
        close(proc_fd);
        /* Security: ldconfig parses the image's ELF files; should that ever
         * go wrong, it does so without the capabilities (mounts, raw
         * devices, open_by_handle_at, ptrace access to other processes'
         * roots) that would reach the host again. */
        if (drop_capabilities() < 0)
                child_fail(report_fd, STEP_DROP_CAPS);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                child_fail(report_fd, STEP_NO_NEW_PRIVS);
        /* The program was opened on the host, before the pivot; the
         * environment is empty: nothing of the hook's or the container's
         * reaches it. */
        syscall(SYS_execveat, a->exe_fd, "", a->argv, empty_env, AT_EMPTY_PATH);
        child_fail(report_fd, STEP_EXEC);
}

/* ---- ldconfig: the parent ---- */

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for our child `pid` to end until `deadline` (now_ms()'s clock):
 * 0 with its status, -ETIMEDOUT at the deadline, or -errno. Sleeps in poll
 * on its pidfd; without one (a kernel before 5.3, a seccomp filter), looks
 * every 10 ms. A signal only makes it look again. */
static int wait_until(pid_t pid, int pidfd, int64_t deadline, int *ret_status) {
        for (;;) {
                int status = 0;
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w == pid) {
                        *ret_status = status;
                        return 0;
                }
                if (w < 0 && errno != EINTR)
                        return -errno;
                int64_t left = deadline - now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                if (pidfd >= 0) {
                        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
                        if (poll(&pfd, 1, left < INT_MAX ? (int)left : INT_MAX) < 0 &&
                            errno != EINTR)
                                return -errno;
                } else {
                        struct timespec ts = { .tv_nsec = (long)(left < 10 ? left : 10) * 1000000 };
                        nanosleep(&ts, NULL);
                }
        }
}

/* "10 s" or "250 ms". */
static void format_ms(char *buf, size_t size, unsigned ms) {
        if (ms % 1000 == 0)
                snprintf(buf, size, "%u s", ms / 1000);
        else
                snprintf(buf, size, "%u ms", ms);
}

/* Waits for the child, within ldconfig_timeout_ms. Security: the image can
 * make ldconfig block forever (its /etc/ld.so.conf, a file that includes,
 * or a library in a folder a FIFO: ldconfig opens them blocking), and a
 * hook that never returns holds the container's start, and the runtime, as
 * long. At the deadline the child's process group is killed and the child
 * reaped: no zombie, nothing left running in the container's root. */
static int wait_ldconfig(pid_t pid, const char *qr, int *ret_status, nvct_error **err) {
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        int status = 0;
        int r = wait_until(pid, pidfd, now_ms() + ldconfig_timeout_ms, &status);
        if (r == 0) {
                *ret_status = status;
                return 0;
        }
        /* Reaped by someone else (SIGCHLD ignored): its pid may be another
         * process's by now, so nothing is killed. */
        if (r == -ECHILD)
                return nvct_error_make(err, ECHILD, "could not wait for ldconfig");
        /* At the deadline, or when waiting failed: never left running. The
         * group has the child's pid, which no other process or group can
         * take before the child is reaped. */
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        int reaped = wait_until(pid, pidfd, now_ms() + LDCONFIG_KILL_WAIT_MS, &status);
        if (r != -ETIMEDOUT)
                return nvct_error_make(err, -r, "could not wait for ldconfig");
        char limit[32];
        format_ms(limit, sizeof(limit), ldconfig_timeout_ms);
        return nvct_error_make(err, 0,
                               "ldconfig in the container root %s did not finish within %s; "
                               "killed%s",
                               q(qr), limit, reaped == 0 ? "" : " (it has not exited yet)");
}

/* What the child's report and status say. */
static int ldconfig_result(int report_r, int status, const char *qp, const char *qr,
                           nvct_error **err) {
        /* The pipe closes at the exec (O_CLOEXEC): nothing read means the
         * exec happened; a report names the step that failed. The child is
         * gone: the read cannot block. */
        child_report rep;
        ssize_t got = read_full(report_r, &rep, sizeof(rep), -1);
        if (got < 0)
                return nvct_error_make(err, errno, "could not read from ldconfig's child");
        if (got == (ssize_t)sizeof(rep)) {
                const char *step = rep.step >= 0 && (size_t)rep.step < ARRAY_SIZE(step_names)
                                           ? step_names[rep.step]
                                           : "start";
                if (rep.step == STEP_EXEC)
                        return nvct_error_make(err, rep.error,
                                               "could not execute ldconfig %s in the container "
                                               "root %s",
                                               q(qp), q(qr));
                return nvct_error_make(err, rep.error,
                                       "could not run ldconfig in the container root %s: could "
                                       "not %s",
                                       q(qr), step);
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status))
                return nvct_error_make(err, 0,
                                       "ldconfig %s failed in the container root %s: exit status "
                                       "%d",
                                       q(qp), q(qr), WEXITSTATUS(status));
        if (WIFSIGNALED(status))
                return nvct_error_make(err, 0,
                                       "ldconfig %s was killed by signal %d (%s) in the container "
                                       "root %s",
                                       q(qp), WTERMSIG(status), strsignal(WTERMSIG(status)), q(qr));
        return nvct_error_make(err, 0, "ldconfig %s ended with status 0x%x", q(qp), status);
}

/* Runs the child, waits for it within the deadline, and says how it went. */
static int spawn_ldconfig(child_args *a, const char *qp, const char *qr, nvct_error **err) {
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return nvct_error_make(err, errno, "could not create a pipe");
        _cleanup_close_ int report_r = pipefd[0];
        _cleanup_close_ int report_w = pipefd[1];
        _cleanup_close_ int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        /* The child's buffer, allocated here: it allocates nothing. */
        a->mountinfo_size = mountinfo_buffer_size();
        _cleanup_free_ char *mountinfo = malloc(a->mountinfo_size);
        if (mountinfo == NULL)
                return nvct_error_make(err, ENOMEM, "could not run ldconfig");
        a->mountinfo = mountinfo;
        a->report_fd = report_w;
        a->devnull = devnull;
        a->parent = getpid();

        pid_t pid = fork();
        if (pid < 0)
                return nvct_error_make(err, errno, "could not fork to run ldconfig");
        if (pid == 0)
                run_child(a);
        /* As the child does (whichever runs first): the group exists before
         * any kill. EACCES once it has exec'd: it made the call itself. */
        setpgid(pid, pid);
        close(TAKE_FD(report_w));

        int status = 0;
        if (wait_ldconfig(pid, qr, &status, err) < 0)
                return -1;
        return ldconfig_result(report_r, status, qp, qr, err);
}

/* Opens the host's ldconfig and checks that it is a static executable. */
static int open_ldconfig(const char *ldconfig_path, const char *qp, int *ret_fd, nvct_error **err) {
        /* The program, opened on the host: the hook's argument, not a path
         * in the image. O_NONBLOCK: a FIFO there must not hang us. */
        _cleanup_close_ int exe_fd =
                open(ldconfig_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (exe_fd < 0)
                return nvct_error_make(err, errno, "could not open ldconfig %s", q(qp));
        struct stat exe_st;
        if (fstat(exe_fd, &exe_st) < 0)
                return nvct_error_make(err, errno, "could not stat ldconfig %s", q(qp));
        if (!S_ISREG(exe_st.st_mode))
                return nvct_error_make(err, 0, "ldconfig %s is not a regular file", q(qp));
        if ((exe_st.st_mode & 0111) == 0)
                return nvct_error_make(err, EACCES, "ldconfig %s is not executable", q(qp));
        if (check_static_elf(exe_fd, ldconfig_path, err) < 0)
                return -1;
        *ret_fd = TAKE_FD(exe_fd);
        return 0;
}

/* ldconfig's arguments: explicit -f and -C (the host's ldconfig may have
 * been built to read another file by default), then the folders that exist
 * in the container. */
static int ldconfig_argv(int root_fd, const char *ldconfig_path, const char *const *folders,
                         const char *qr, const char ***ret_argv, nvct_error **err) {
        size_t n_folders = 0;
        while (folders != NULL && folders[n_folders] != NULL)
                n_folders++;
        _cleanup_free_ const char **argv = calloc(n_folders + 6, sizeof(*argv));
        if (argv == NULL)
                return nvct_error_make(err, ENOMEM, "could not run ldconfig");
        size_t argc = 0;
        argv[argc++] = ldconfig_path;
        argv[argc++] = "-f";
        argv[argc++] = "/etc/ld.so.conf";
        argv[argc++] = "-C";
        argv[argc++] = "/etc/ld.so.cache";
        for (size_t i = 0; i < n_folders; i++) {
                const char *f = folders[i];
                _cleanup_free_ char *qf = quote(f);
                /* Absolute only: a folder starting with '-' would be an
                 * option to ldconfig. */
                if (f[0] != '/')
                        return nvct_error_make(err, 0, "folder %s is not an absolute path", q(qf));
                /* A folder that does not exist in the container is skipped,
                 * as NVIDIA's hook does: a spec lists every folder the
                 * driver may use. Anything else wrong with it is an error. */
                int fd = open_in_root(root_fd, f, O_PATH | O_DIRECTORY);
                if (fd == -ENOENT)
                        continue;
                if (fd < 0)
                        return lookup_error(err, fd, "folder %s in the container root %s", q(qf),
                                            q(qr));
                close(fd);
                argv[argc++] = f;
        }
        argv[argc] = NULL;
        *ret_argv = TAKE_PTR(argv);
        return 0;
}

int nvct_rootfs_run_ldconfig(const char *rootfs, const char *ldconfig_path,
                             const char *const *folders, nvct_error **err) {
        _cleanup_free_ char *qr = quote(rootfs);
        _cleanup_free_ char *qp = quote(ldconfig_path);
        _cleanup_close_ int root_fd = -1;
        if (nvct_rootfs_open_root(rootfs, &root_fd, err) < 0)
                return -1;
        child_args a = { .rootfs = rootfs };
        struct stat host_root_st;
        if (fstat(root_fd, &a.root_st) < 0)
                return nvct_error_make(err, errno, "could not stat the container root %s", q(qr));
        /* Running "in" the host's root would update the host's cache. */
        if (stat("/", &host_root_st) == 0 && a.root_st.st_dev == host_root_st.st_dev &&
            a.root_st.st_ino == host_root_st.st_ino)
                return nvct_error_make(err, 0, "the container root %s is the host's root", q(qr));

        _cleanup_close_ int exe_fd = -1;
        if (open_ldconfig(ldconfig_path, qp, &exe_fd, err) < 0)
                return -1;
        _cleanup_free_ const char **argv = NULL;
        if (ldconfig_argv(root_fd, ldconfig_path, folders, qr, &argv, err) < 0)
                return -1;

        /* ldconfig writes /etc/ld.so.cache: a root without /etc (a scratch
         * image) gets one, made safely, rather than a failed start. */
        _cleanup_close_ int etc_fd = -1;
        if (nvct_rootfs_mkdir_p(root_fd, "/etc", &etc_fd, err) < 0)
                return -1;

        a.exe_fd = exe_fd;
        a.argv = (char *const *)argv;
        return spawn_ldconfig(&a, qp, qr, err);
}
