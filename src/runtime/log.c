/* SPDX-License-Identifier: Apache-2.0 */
/* The wrapper's log in logrus's two formats, byte for byte where it
 * matters (containerd parses the JSON; people grep the text):
 *   text: time="2006-01-02T15:04:05Z07:00" level=info msg="..."
 *         (a value is written bare when it is only [A-Za-z0-9-._/@^+],
 *         otherwise quoted as Go's %q; an empty msg is left out);
 *   json: {"level":"info","msg":"...","time":"..."} (keys sorted, strings
 *         escaped as encoding/json with its HTML escaping);
 * the time in RFC 3339 to the second, local time, as logrus's default
 * formatters write it. NVIDIA's runtime writes both of its files through
 * the one formatter (an io.MultiWriter), so the debug file gets JSON too
 * when runc was asked for JSON; so does this. */
#define _GNU_SOURCE
#include "log.h"
#include "log-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "basic/buf.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "basic/utf8.h"

struct nvct_runtime_log {
        int fds[2]; /* the debug file, runc's log; -1 when none */
        /* Records at levels <= max are written; logrus's panic and fatal
         * are below error, so they leave nothing to write. */
        int max;
        bool json;
};

#define LEVEL_PANIC (-2)
#define LEVEL_FATAL (-1)

static nvct_runtime_log_clock_fn log_clock;

void nvct_runtime_log_set_clock(nvct_runtime_log_clock_fn clock_fn) {
        log_clock = clock_fn;
}

static const char *const level_names[] = {
        [NVCT_LOG_ERROR] = "error", [NVCT_LOG_WARNING] = "warning", [NVCT_LOG_INFO] = "info",
        [NVCT_LOG_DEBUG] = "debug", [NVCT_LOG_TRACE] = "trace",
};

/* logrus.ParseLevel: its names, compared after strings.ToLower (whose
 * Unicode folds cannot make any of these names out of non-ASCII). */
static bool parse_level(const char *s, int *ret) {
        static const struct {
                const char *name;
                int level;
        } names[] = {
                { "panic", LEVEL_PANIC },        { "fatal", LEVEL_FATAL },
                { "error", NVCT_LOG_ERROR },     { "warn", NVCT_LOG_WARNING },
                { "warning", NVCT_LOG_WARNING }, { "info", NVCT_LOG_INFO },
                { "debug", NVCT_LOG_DEBUG },     { "trace", NVCT_LOG_TRACE },
        };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (strcasecmp(s, names[i].name) == 0) {
                        *ret = names[i].level;
                        return true;
                }
        return false;
}

/* A record being built; `oom` once an append failed (the record is then
 * dropped: a log line is never worth failing for). */
typedef struct record {
        nvct_buf b;
        bool oom;
} record;

static void put(record *r, const void *p, size_t n) {
        if (!r->oom && nvct_buf_append(&r->b, p, n) < 0)
                r->oom = true;
}

static void put_str(record *r, const char *s) {
        put(r, s, strlen(s));
}

static void put_hex(record *r, const char *prefix, uint32_t v, int digits) {
        static const char hex[] = "0123456789abcdef";
        char out[16];
        size_t n = strlen(prefix);
        memcpy(out, prefix, n);
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
                out[n++] = hex[(v >> shift) & 0xf];
        put(r, out, n);
}

/* Go's time.Format(time.RFC3339) of `t` in local time. */
static void put_time(record *r, time_t t) {
        struct tm tm;
        if (localtime_r(&t, &tm) == NULL) {
                put_str(r, "0001-01-01T00:00:00Z"); /* Go's zero time; localtime_r fails only on
                                                       overflow */
                return;
        }
        char out[64];
        size_t n = strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%S", &tm);
        long off = tm.tm_gmtoff;
        if (off == 0)
                snprintf(out + n, sizeof(out) - n, "Z");
        else
                snprintf(out + n, sizeof(out) - n, "%c%02ld:%02ld", off < 0 ? '-' : '+',
                         labs(off) / 3600, labs(off) % 3600 / 60);
        put_str(r, out);
}

/* Whether Go's strconv.IsPrint holds for a scalar value past ASCII: every
 * separator but U+0020, format character, private-use character,
 * noncharacter and C1 control is escaped, as Go escapes them (a bidi
 * override must not reorder the line). Code points that are only
 * unassigned, which Go escapes too, are written as is: they are harmless
 * and a table of them would be larger than this module. */
static bool go_is_print(uint32_t c) {
        static const struct {
                uint32_t lo, hi;
        } not_print[] = {
                { 0x0080, 0x00a0 },    { 0x00ad, 0x00ad },   { 0x0600, 0x0605 },
                { 0x061c, 0x061c },    { 0x06dd, 0x06dd },   { 0x070f, 0x070f },
                { 0x0890, 0x0891 },    { 0x08e2, 0x08e2 },   { 0x1680, 0x1680 },
                { 0x180e, 0x180e },    { 0x2000, 0x200f },   { 0x2028, 0x202f },
                { 0x205f, 0x206f },    { 0x3000, 0x3000 },   { 0xd800, 0xf8ff },
                { 0xfdd0, 0xfdef },    { 0xfeff, 0xfeff },   { 0xfff9, 0xfffb },
                { 0x110bd, 0x110bd },  { 0x110cd, 0x110cd }, { 0x13430, 0x1343f },
                { 0x1bca0, 0x1bca3 },  { 0x1d173, 0x1d17a }, { 0xe0000, 0xe00ff },
                { 0xe01f0, 0x10ffff },
        };
        if ((c & 0xfffe) == 0xfffe)
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(not_print); i++)
                if (c >= not_print[i].lo && c <= not_print[i].hi)
                        return false;
        return true;
}

/* The next character of s[0..len): its length (1 for a byte that starts no
 * valid sequence, as Go's utf8.DecodeRune reads it) and *ret_cp, or
 * UINT32_MAX for that invalid byte. */
static size_t next_char(const char *s, size_t len, uint32_t *ret_cp) {
        const unsigned char *u = (const unsigned char *)s;
        if (u[0] < 0x80) {
                *ret_cp = u[0];
                return 1;
        }
        size_t n = nvct_utf8_decode(u, len, ret_cp, NULL);
        if (n == 0) {
                *ret_cp = UINT32_MAX;
                return 1;
        }
        return n;
}

/* Go's strconv.Quote (fmt's %q of a string). */
static void put_go_quoted(record *r, const char *s, size_t len) {
        put(r, "\"", 1);
        for (size_t i = 0; i < len;) {
                uint32_t c;
                size_t n = next_char(s + i, len - i, &c);
                static const char short_esc[] = "\a\b\f\n\r\t\v";
                static const char short_name[] = "abfnrtv";
                const char *e = c != 0 && c < 0x80 ? strchr(short_esc, (int)c) : NULL;
                if (c == UINT32_MAX)
                        put_hex(r, "\\x", (unsigned char)s[i], 2);
                else if (c == '"' || c == '\\') {
                        char esc[2] = { '\\', (char)c };
                        put(r, esc, 2);
                } else if (c < 0x80 ? c >= 0x20 && c < 0x7f : go_is_print(c))
                        put(r, s + i, n);
                else if (e != NULL) {
                        char esc[2] = { '\\', short_name[e - short_esc] };
                        put(r, esc, 2);
                } else if (c < 0x20 || c == 0x7f)
                        put_hex(r, "\\x", c, 2);
                else if (c < 0x10000)
                        put_hex(r, "\\u", c, 4);
                else
                        put_hex(r, "\\U", c, 8);
                i += n;
        }
        put(r, "\"", 1);
}

/* logrus's TextFormatter value: bare when every byte is one of its safe
 * characters (needsQuoting), %q otherwise. */
static bool is_text_safe(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c != '\0' && strchr("-._/@^+", c) != NULL);
}

static void put_text_value(record *r, const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (!is_text_safe(s[i])) {
                        put_go_quoted(r, s, len);
                        return;
                }
        put(r, s, len);
}

/* A JSON string as encoding/json writes it (Go >= 1.22, HTML escaping on,
 * as logrus's JSONFormatter leaves it): invalid bytes become U+FFFD. */
static void put_json_string(record *r, const char *s, size_t len) {
        put(r, "\"", 1);
        for (size_t i = 0; i < len;) {
                uint32_t c;
                size_t n = next_char(s + i, len - i, &c);
                static const char short_esc[] = "\b\f\n\r\t";
                static const char short_name[] = "bfnrt";
                const char *e = c != 0 && c < 0x20 ? strchr(short_esc, (int)c) : NULL;
                if (c == UINT32_MAX)
                        put_str(r, "\\ufffd");
                else if (c == '"' || c == '\\') {
                        char esc[2] = { '\\', (char)c };
                        put(r, esc, 2);
                } else if (e != NULL) {
                        char esc[2] = { '\\', short_name[e - short_esc] };
                        put(r, esc, 2);
                } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 ||
                           c == 0x2029)
                        put_hex(r, "\\u", c, 4);
                else
                        put(r, s + i, n);
                i += n;
        }
        put(r, "\"", 1);
}

static void format_record(record *r, bool json, nvct_log_level level, time_t t, const char *msg,
                          size_t len) {
        if (json) {
                put_str(r, "{\"level\":\"");
                put_str(r, level_names[level]);
                put_str(r, "\",\"msg\":");
                put_json_string(r, msg, len);
                put_str(r, ",\"time\":\"");
                put_time(r, t);
                put_str(r, "\"}\n");
                return;
        }
        /* The time always holds ':', so logrus always quotes it. */
        put_str(r, "time=\"");
        put_time(r, t);
        put_str(r, "\" level=");
        put_str(r, level_names[level]);
        if (len > 0) {
                put_str(r, " msg=");
                put_text_value(r, msg, len);
        }
        put(r, "\n", 1);
}

/* Where a message past NVCT_RUNTIME_LOG_MSG_MAX is cut to make room for
 * "...": back to a character boundary, so that the cut leaves no broken
 * sequence to escape. */
static size_t cut_length(const char *msg, size_t len) {
        if (len <= NVCT_RUNTIME_LOG_MSG_MAX)
                return len;
        size_t n = NVCT_RUNTIME_LOG_MSG_MAX - 3;
        for (int k = 0; k < 3 && n > 0 && ((unsigned char)msg[n] & 0xc0) == 0x80; k++)
                n--;
        return n;
}

static void log_message(nvct_runtime_log *log, nvct_log_level level, char *msg, size_t len) {
        size_t cut = cut_length(msg, len);
        if (cut < len) {
                /* Within vasprintf's buffer: cut + 3 <= MAX < len. */
                memcpy(msg + cut, "...", 3);
                len = cut + 3;
        }
        record r = { 0 };
        format_record(&r, log->json, level, log_clock != NULL ? log_clock() : time(NULL), msg, len);
        /* One write() per record per file: with O_APPEND, concurrent
         * writers' records (runc's own, another wrapper's) never interleave
         * within a line. Failures are dropped: there is nowhere to report
         * them but the log itself. */
        for (size_t i = 0; !r.oom && i < ARRAY_SIZE(log->fds); i++)
                if (log->fds[i] >= 0)
                        (void)nvct_write_all(log->fds[i], r.b.data, r.b.len);
        nvct_buf_clear(&r.b);
}

static void log_vf(nvct_runtime_log *log, nvct_log_level level, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));
static void log_vf(nvct_runtime_log *log, nvct_log_level level, const char *fmt, va_list ap) {
        if (log == NULL || (int)level > log->max || (unsigned)level >= ARRAY_SIZE(level_names))
                return;
        if (log->fds[0] < 0 && log->fds[1] < 0)
                return;
        _cleanup_free_ char *msg = NULL;
        int n = vasprintf(&msg, fmt, ap);
        if (n < 0) {
                msg = NULL;
                return;
        }
        log_message(log, level, msg, (size_t)n);
}

void nvct_runtime_logf(nvct_runtime_log *log, nvct_log_level level, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_vf(log, level, fmt, ap);
        va_end(ap);
}

void nvct_runtime_log_warn_fn(void *userdata, const char *message) {
        nvct_runtime_logf(userdata, NVCT_LOG_WARNING, "%s", message);
}

/* mkdir -p of path's directory, 0755 (less the umask), as NVIDIA's
 * os.MkdirAll; failures show in the open that follows. */
static void make_parents(const char *path) {
        _cleanup_free_ char *dir = strdup(path);
        if (dir == NULL)
                return;
        for (char *p = strchr(dir + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
                *p = '\0';
                (void)mkdir(dir, 0755);
                *p = '/';
        }
}

/* Opens one log file; -errno on failure. Both paths are trusted, so the
 * open follows symlinks as NVIDIA's does (an admin may link the debug file
 * elsewhere): runc's --log comes from the engine (containerd puts it in its
 * own state directory), the debug path from the admin's config.toml; no
 * container's image names either. O_NONBLOCK only for the open itself: a
 * FIFO with no reader at the path must not hang every runc call (it fails
 * with ENXIO instead); then the fd blocks again, so a FIFO that has a
 * reader gets whole records. O_CLOEXEC: the wrapper execs runc, which must
 * not inherit the fds. */
static int open_log_file(const char *path, int *ret_fd) {
        int fd =
                open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0644);
        if (fd < 0 && errno == ENOENT) {
                make_parents(path);
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
                          0644);
        }
        if (fd < 0)
                return -errno;
        /* F_SETFL changes only the status flags (O_APPEND, O_NONBLOCK,
         * O_ASYNC, O_DIRECT, O_NOATIME), and of those this open set
         * O_APPEND and O_NONBLOCK alone: setting O_APPEND clears
         * O_NONBLOCK without an F_GETFL first (one system call fewer on
         * every runc call that passes --log). */
        (void)fcntl(fd, F_SETFL, O_APPEND);
        *ret_fd = fd;
        return 0;
}

static bool is_none(const char *path) {
        return path == NULL || path[0] == '\0' || strcmp(path, "/dev/null") == 0;
}

int nvct_runtime_log_open(const nvct_runtime_log_options *options, nvct_runtime_log **ret_log,
                          nvct_error **err) {
        nvct_runtime_log *log = malloc(sizeof(*log));
        if (log == NULL)
                return nvct_error_make(err, ENOMEM, "runtime log");
        *log = (nvct_runtime_log){ .fds = { -1, -1 }, .max = NVCT_LOG_INFO };
        log->json =
                options->runc_log_format != NULL && strcmp(options->runc_log_format, "json") == 0;
        bool bad_level = options->level != NULL && !parse_level(options->level, &log->max);

        const char *paths[2] = { options->debug_path, options->runc_log_path };
        int errors[2] = { 0, 0 };
        for (size_t i = 0; i < 2; i++)
                if (!is_none(paths[i]))
                        errors[i] = open_log_file(paths[i], &log->fds[i]);

        /* The warnings go to whichever file did open, after both were
         * tried, in NVIDIA's order: the files, then the level. */
        for (size_t i = 0; i < 2; i++)
                if (errors[i] < 0) {
                        _cleanup_free_ char *q = nvct_quote_path(paths[i]);
                        nvct_runtime_logf(log, NVCT_LOG_WARNING, "failed to open log file %s: %s",
                                          nvct_quoted(q), strerror(-errors[i]));
                }
        if (bad_level) {
                _cleanup_free_ char *q = nvct_quote(options->level, strlen(options->level));
                nvct_runtime_logf(log, NVCT_LOG_WARNING, "invalid log-level %s: using \"info\"",
                                  nvct_quoted(q));
        }
        *ret_log = log;
        return 0;
}

void nvct_runtime_log_close(nvct_runtime_log *log) {
        if (log == NULL)
                return;
        for (size_t i = 0; i < ARRAY_SIZE(log->fds); i++)
                if (log->fds[i] >= 0)
                        close(log->fds[i]);
        free(log);
}
