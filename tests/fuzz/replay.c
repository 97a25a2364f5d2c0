/* SPDX-License-Identifier: Apache-2.0 */
/* Runs a libFuzzer harness without libFuzzer: calls LLVMFuzzerTestOneInput
 * once on every file named on the command line and on every file in the
 * directories named there (and in their immediate subdirectories). Names
 * starting with '.' (.gitkeep) are skipped. Each input is handed over in a
 * buffer of exactly its size. Exits 0 when every input ran; a harness that
 * finds a fault aborts, and the input it was running is named on stderr.
 * Usage: replay_HARNESS [-v] FILE|DIR...   (-v: name every input) */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t n_run;
static bool verbose;
/* The input being run, for the crash handler. */
static const char *volatile current;

static void write_str(const char *s) {
        size_t len = strlen(s);
        while (len > 0) {
                ssize_t n = write(STDERR_FILENO, s, len);
                if (n <= 0)
                        return;
                s += n;
                len -= (size_t)n;
        }
}

static void on_fatal_signal(int sig) {
        const char *path = current;
        if (path != NULL) {
                write_str("replay: crashed on input ");
                write_str(path);
                write_str("\n");
        }
        signal(sig, SIG_DFL);
        raise(sig);
}

static int run_file(const char *path) {
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        size_t cap = 4096, len = 0;
        uint8_t *buf = malloc(cap);
        if (buf == NULL) {
                fclose(f);
                fprintf(stderr, "replay: %s: out of memory\n", path);
                return -1;
        }
        for (;;) {
                if (len == cap) {
                        uint8_t *bigger = realloc(buf, cap * 2);
                        if (bigger == NULL) {
                                free(buf);
                                fclose(f);
                                fprintf(stderr, "replay: %s: out of memory\n", path);
                                return -1;
                        }
                        buf = bigger;
                        cap *= 2;
                }
                size_t n = fread(buf + len, 1, cap - len, f);
                if (n == 0)
                        break;
                len += n;
        }
        int failed = ferror(f);
        fclose(f);
        if (failed) {
                free(buf);
                fprintf(stderr, "replay: %s: read error\n", path);
                return -1;
        }
        /* Exactly `len` bytes, so that a read past the end is caught by a
         * sanitizer or valgrind. */
        uint8_t *exact = malloc(len ? len : 1);
        if (exact == NULL) {
                free(buf);
                fprintf(stderr, "replay: %s: out of memory\n", path);
                return -1;
        }
        if (len > 0)
                memcpy(exact, buf, len);
        free(buf);
        if (verbose)
                fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
        current = path;
        LLVMFuzzerTestOneInput(exact, len);
        current = NULL;
        free(exact);
        n_run++;
        return 0;
}

static int run_path(const char *path, int depth) {
        struct stat st;
        if (stat(path, &st) < 0) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode))
                return run_file(path);
        if (depth > 1)
                return 0;
        struct dirent **entries = NULL;
        int n = scandir(path, &entries, NULL, alphasort);
        if (n < 0) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        int r = 0;
        for (int i = 0; i < n; i++) {
                const char *name = entries[i]->d_name;
                if (name[0] != '.') {
                        char *child = NULL;
                        if (asprintf(&child, "%s/%s", path, name) < 0) {
                                r = -1;
                        } else {
                                if (run_path(child, depth + 1) < 0)
                                        r = -1;
                                free(child);
                        }
                }
                free(entries[i]);
        }
        free(entries);
        return r;
}

int main(int argc, char **argv) {
        int first = 1;
        if (argc > 1 && strcmp(argv[1], "-v") == 0) {
                verbose = true;
                first = 2;
        }
        if (first >= argc) {
                fprintf(stderr, "usage: %s [-v] FILE|DIR...\n", argv[0]);
                return 2;
        }
        const int fatal[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
        for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
                signal(fatal[i], on_fatal_signal);
        int r = 0;
        for (int i = first; i < argc; i++)
                if (run_path(argv[i], 0) < 0)
                        r = 1;
        printf("replay: %zu inputs run\n", n_run);
        return r;
}
