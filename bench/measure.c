/* SPDX-License-Identifier: Apache-2.0 */
/* measure: runs the commands of a plan, interleaved, and records for each run
 * the wall time (CLOCK_MONOTONIC around fork .. wait4), the child's peak RSS
 * (ru_maxrss from wait4, which covers every image the process exec'd) and its
 * CPU time.
 *
 * Usage: measure [-n ROUNDS] [-w WARMUP] [-o OUT.tsv] PLAN
 *
 * PLAN has one command per line, fields separated by tabs:
 *     LABEL  CWD  STDIN-FILE  [OPTION...]  PROGRAM  [ARG...]
 * PROGRAM is exec'd as is (no PATH search) and is also argv[0]. In any field,
 * "@ID@" is replaced with a string unique to the run (pid-round-index), e.g.
 * for container ids. stdout and stderr go to /dev/null. The OPTIONs, before
 * PROGRAM (which starts with '/'):
 *     env:NAME=VALUE   put NAME=VALUE into the child's environment
 *     copy:SRC:DST     before every run (outside the clock), replace DST with
 *                      a fresh copy of SRC (written to DST.measure-tmp, then
 *                      renamed): restores a file the command rewrites
 *
 * Every round runs each command once; round r starts at command r mod K and
 * goes round the list (K commands), so that every command runs as often in
 * every position and slow drifts of the machine hit all of them alike. The
 * first WARMUP rounds are run the same way and not recorded.
 *
 * OUT gets one line per recorded run:
 *     LABEL  ROUND  WALL_NS  MAXRSS_KIB  CPU_NS  STATUS  USER_NS  SYS_NS  MINFLT
 * CPU_NS = USER_NS + SYS_NS (exact; the kernel splits it into user and system
 * time by tick samples, so the split of one short run means little); STATUS
 * is the exit status, or 128+signal; MINFLT the minor page faults.
 * measure exits 1 if any run failed (after all rounds), 2 on a usage or
 * setup error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 64
#define MAX_ARGS 4096
#define MAX_OPTS 16

typedef struct {
        char *label;
        char *cwd;
        char *in;
        int argc;
        char **argv;
        int n_env;
        char *env[MAX_OPTS];
        int n_copy;
        char *copy_src[MAX_OPTS];
        char *copy_dst[MAX_OPTS];
        int failures;
} command;

static command cmds[MAX_CMDS];
static int n_cmds;

static void die(const char *fmt, const char *arg) {
        fprintf(stderr, "measure: ");
        fprintf(stderr, fmt, arg);
        fputc('\n', stderr);
        exit(2);
}

static void parse_plan(const char *path) {
        FILE *f = fopen(path, "r");
        if (f == NULL)
                die("cannot open plan %s", path);
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, f)) >= 0) {
                if (len > 0 && line[len - 1] == '\n')
                        line[--len] = '\0';
                if (len == 0 || line[0] == '#')
                        continue;
                if (n_cmds == MAX_CMDS)
                        die("more than 64 commands in %s", path);
                char **fields = calloc(MAX_ARGS + 4, sizeof(*fields));
                if (fields == NULL)
                        die("out of memory%s", "");
                int n = 0;
                char *save = NULL;
                for (char *t = strtok_r(line, "\t", &save); t != NULL;
                     t = strtok_r(NULL, "\t", &save)) {
                        if (n == MAX_ARGS + 3)
                                die("too many arguments in %s", path);
                        fields[n++] = strdup(t);
                }
                if (n < 4)
                        die("a plan line needs LABEL CWD STDIN PROGRAM: %s", path);
                command *c = &cmds[n_cmds++];
                c->label = fields[0];
                c->cwd = fields[1];
                c->in = fields[2];
                int k = 3;
                for (; k < n && fields[k][0] != '/'; k++) {
                        char *f = fields[k];
                        if (c->n_env == MAX_OPTS || c->n_copy == MAX_OPTS)
                                die("too many options in %s", path);
                        if (strncmp(f, "env:", 4) == 0 && strchr(f + 4, '=') != NULL) {
                                c->env[c->n_env++] = f + 4;
                        } else if (strncmp(f, "copy:", 5) == 0 && strchr(f + 5, ':') != NULL) {
                                char *colon = strchr(f + 5, ':');
                                *colon = '\0';
                                c->copy_src[c->n_copy] = f + 5;
                                c->copy_dst[c->n_copy++] = colon + 1;
                        } else {
                                die("not an option nor an absolute PROGRAM: %s", f);
                        }
                }
                if (k == n)
                        die("a plan line needs LABEL CWD STDIN PROGRAM: %s", path);
                c->argv = fields + k;
                c->argc = n - k;
        }
        free(line);
        fclose(f);
        if (n_cmds == 0)
                die("no commands in %s", path);
}

/* s with every @ID@ replaced by id (malloc'd). */
static char *subst(const char *s, const char *id) {
        size_t n = 0;
        for (const char *p = s; (p = strstr(p, "@ID@")) != NULL; p += 4)
                n++;
        char *out = malloc(strlen(s) + n * strlen(id) + 1);
        if (out == NULL)
                return NULL;
        char *o = out;
        for (;;) {
                const char *p = strstr(s, "@ID@");
                size_t k = p ? (size_t)(p - s) : strlen(s);
                memcpy(o, s, k);
                o += k;
                if (p == NULL)
                        break;
                o = stpcpy(o, id);
                s = p + 4;
        }
        *o = '\0';
        return out;
}

/* DST becomes a new file with SRC's bytes, as a writer that renames into
 * place leaves it. */
static void copy_file(const char *src, const char *dst) {
        char tmp[4096];
        static char buf[1 << 16];
        if (snprintf(tmp, sizeof(tmp), "%s.measure-tmp", dst) >= (int)sizeof(tmp))
                die("path too long: %s", dst);
        int in = open(src, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                die("cannot open %s", src);
        int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0)
                die("cannot create %s", tmp);
        ssize_t n;
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t)n) != n)
                        die("cannot write %s", tmp);
        if (n < 0 || close(out) < 0)
                die("cannot copy %s", src);
        close(in);
        if (rename(tmp, dst) < 0)
                die("cannot rename to %s", dst);
}

static long long ns(const struct timespec *t) {
        return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long tv_ns(const struct timeval *t) {
        return (long long)t->tv_sec * 1000000000LL + (long long)t->tv_usec * 1000LL;
}

/* Runs c once; fills wall time, rusage and status. Everything the child
 * needs is prepared before the clock starts. */
static int run_one(command *c, const char *id, long long *wall, struct rusage *ru, int *status) {
        char *cwd = subst(c->cwd, id);
        char *in = subst(c->in, id);
        char **argv = calloc((size_t)c->argc + 1, sizeof(*argv));
        if (cwd == NULL || in == NULL || argv == NULL)
                die("out of memory%s", "");
        for (int i = 0; i < c->argc; i++)
                if ((argv[i] = subst(c->argv[i], id)) == NULL)
                        die("out of memory%s", "");
        int infd = open(in, O_RDONLY | O_CLOEXEC);
        if (infd < 0)
                die("cannot open stdin file %s", in);
        int nullfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (nullfd < 0)
                die("cannot open %s", "/dev/null");
        for (int i = 0; i < c->n_copy; i++)
                copy_file(c->copy_src[i], c->copy_dst[i]);

        /* The child's environment is built here, outside the clock: a
         * putenv() in the forked child would copy environ there, and its
         * copy-on-write page faults would be charged to the command. */
        extern char **environ;
        size_t n_environ = 0;
        while (environ[n_environ] != NULL)
                n_environ++;
        char **envp = calloc(n_environ + (size_t)c->n_env + 1, sizeof(char *));
        if (envp == NULL)
                die("out of memory%s", "");
        size_t n_envp = 0;
        for (size_t i = 0; i < n_environ; i++) {
                const char *eq = strchr(environ[i], '=');
                size_t name_len = eq != NULL ? (size_t)(eq - environ[i]) : strlen(environ[i]);
                bool replaced = false;
                for (int j = 0; j < c->n_env; j++)
                        if (strncmp(c->env[j], environ[i], name_len) == 0 &&
                            c->env[j][name_len] == '=')
                                replaced = true;
                if (!replaced)
                        envp[n_envp++] = environ[i];
        }
        for (int j = 0; j < c->n_env; j++)
                envp[n_envp++] = c->env[j];

        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        pid_t pid = fork();
        if (pid < 0)
                die("fork failed%s", "");
        if (pid == 0) {
                if (chdir(cwd) < 0 || dup2(infd, 0) < 0 || dup2(nullfd, 1) < 0 ||
                    dup2(nullfd, 2) < 0)
                        _exit(126);
                execve(argv[0], argv, envp);
                _exit(127);
        }
        int st;
        pid_t r;
        while ((r = wait4(pid, &st, 0, ru)) < 0 && errno == EINTR)
                ;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (r < 0)
                die("wait4 failed%s", "");
        *wall = ns(&t1) - ns(&t0);
        *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);

        free(envp);
        close(infd);
        close(nullfd);
        for (int i = 0; i < c->argc; i++)
                free(argv[i]);
        free(argv);
        free(cwd);
        free(in);
        return 0;
}

int main(int argc, char **argv) {
        int rounds = 10, warmup = 0;
        const char *out_path = NULL;
        int opt;
        while ((opt = getopt(argc, argv, "n:w:o:")) != -1) {
                switch (opt) {
                case 'n':
                        rounds = atoi(optarg);
                        break;
                case 'w':
                        warmup = atoi(optarg);
                        break;
                case 'o':
                        out_path = optarg;
                        break;
                default:
                        fprintf(stderr,
                                "usage: measure [-n ROUNDS] [-w WARMUP] [-o OUT.tsv] PLAN\n");
                        return 2;
                }
        }
        if (optind != argc - 1 || rounds < 1 || warmup < 0) {
                fprintf(stderr, "usage: measure [-n ROUNDS] [-w WARMUP] [-o OUT.tsv] PLAN\n");
                return 2;
        }
        parse_plan(argv[optind]);
        FILE *out = stdout;
        if (out_path != NULL && (out = fopen(out_path, "w")) == NULL)
                die("cannot write %s", out_path);

        int failed = 0;
        for (int r = -warmup; r < rounds; r++) {
                int start = ((r % n_cmds) + n_cmds) % n_cmds;
                for (int k = 0; k < n_cmds; k++) {
                        int i = (start + k) % n_cmds;
                        command *c = &cmds[i];
                        char id[64];
                        snprintf(id, sizeof(id), "%ld-%d-%d", (long)getpid(), r + warmup, i);
                        long long wall;
                        struct rusage ru;
                        int status;
                        run_one(c, id, &wall, &ru, &status);
                        if (status != 0) {
                                if (c->failures++ == 0)
                                        fprintf(stderr, "measure: %s exited with status %d\n",
                                                c->label, status);
                                failed = 1;
                        }
                        if (r < 0)
                                continue;
                        fprintf(out, "%s\t%d\t%lld\t%ld\t%lld\t%d\t%lld\t%lld\t%ld\n", c->label, r,
                                wall, ru.ru_maxrss, tv_ns(&ru.ru_utime) + tv_ns(&ru.ru_stime),
                                status, tv_ns(&ru.ru_utime), tv_ns(&ru.ru_stime), ru.ru_minflt);
                }
        }
        if (out != stdout && fclose(out) != 0)
                die("cannot write %s", out_path);
        return failed;
}
