/* SPDX-License-Identifier: Apache-2.0 */
/* ldconfig run for a container, from the host, as root, when the image's
 * author controls every path in its root: ldconfig runs with the container
 * root pivoted to "/", so every path it reads or writes resolves inside by
 * construction; it gets no capability it does not need, no environment, and
 * a deadline. */
#define _GNU_SOURCE
#include "ldconfig.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/quote.h"
#include "basic/rootfs.h"

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

static unsigned ldconfig_timeout_ms = NVCT_LDCONFIG_TIMEOUT_MS;

void nvct_ldconfig_set_timeout(unsigned ms) {
        ldconfig_timeout_ms = ms > 0 ? ms : NVCT_LDCONFIG_TIMEOUT_MS;
}

/* Paths in messages are the image's bytes or the hook's arguments: quoted,
 * so that no escape sequence reaches a terminal. */
static char *quote(const char *s) {
        return nvct_quote(s, strlen(s));
}

static const char *q(const char *quoted) {
        return quoted != NULL ? quoted : "\"(out of memory)\"";
}

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

int nvct_ldconfig_existing_folders(int root_fd, const char *rootfs, const char *const *folders,
                                   const char ***ret_folders, nvct_error **err) {
        _cleanup_free_ char *qr = quote(rootfs);
        size_t n_folders = 0;
        while (folders != NULL && folders[n_folders] != NULL)
                n_folders++;
        _cleanup_free_ const char **existing = calloc(n_folders + 1, sizeof(*existing));
        if (existing == NULL)
                return nvct_error_make(err, ENOMEM, "could not run ldconfig");
        size_t n = 0;
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
                _cleanup_error_ nvct_error *lookup = NULL;
                int fd = -1;
                if (nvct_rootfs_open(root_fd, f, O_PATH | O_DIRECTORY, &fd, &lookup) < 0) {
                        if (lookup->status == ENOENT)
                                continue;
                        return nvct_error_make(err, 0, "folder %s in the container root %s: %s",
                                               q(qf), q(qr), lookup->msg);
                }
                close(fd);
                existing[n++] = f;
        }
        existing[n] = NULL;
        *ret_folders = TAKE_PTR(existing);
        return 0;
}

/* ldconfig's arguments: explicit -f and -C (the host's ldconfig may have
 * been built to read another file by default), then the folders that exist
 * in the container. */
static int ldconfig_argv(int root_fd, const char *ldconfig_path, const char *const *folders,
                         const char *rootfs, const char ***ret_argv, nvct_error **err) {
        _cleanup_free_ const char **existing = NULL;
        if (nvct_ldconfig_existing_folders(root_fd, rootfs, folders, &existing, err) < 0)
                return -1;
        size_t n_folders = 0;
        while (existing[n_folders] != NULL)
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
        for (size_t i = 0; i < n_folders; i++)
                argv[argc++] = existing[i];
        argv[argc] = NULL;
        *ret_argv = TAKE_PTR(argv);
        return 0;
}

int nvct_ldconfig_run(const char *rootfs, const char *ldconfig_path, const char *const *folders,
                      nvct_error **err) {
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
        if (ldconfig_argv(root_fd, ldconfig_path, folders, rootfs, &argv, err) < 0)
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
