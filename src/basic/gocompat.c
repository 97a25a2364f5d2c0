/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "gocompat.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "quote.h"

char *nvct_go_clean_path(const char *path, size_t n, size_t *ret_len) {
        /* The result is never longer than the input, except "" -> "." and
         * the leading separator: len + 2 always fits. */
        char *out = malloc(n + 2);
        if (out == NULL)
                return NULL;
        if (n == 0) {
                strcpy(out, ".");
                if (ret_len != NULL)
                        *ret_len = 1;
                return out;
        }

        bool rooted = path[0] == '/';
        size_t w = 0, r = 0, dotdot = 0;
        if (rooted) {
                out[w++] = '/';
                r = dotdot = 1;
        }
        while (r < n) {
                if (path[r] == '/') {
                        r++;
                } else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
                        r++;
                } else if (path[r] == '.' && r + 1 < n && path[r + 1] == '.' &&
                           (r + 2 == n || path[r + 2] == '/')) {
                        r += 2;
                        if (w > dotdot) {
                                /* Back up over the last element. */
                                w--;
                                while (w > dotdot && out[w] != '/')
                                        w--;
                        } else if (!rooted) {
                                /* Cannot back up: keep the "..". */
                                if (w > 0)
                                        out[w++] = '/';
                                out[w++] = '.';
                                out[w++] = '.';
                                dotdot = w;
                        }
                } else {
                        if ((rooted && w != 1) || (!rooted && w != 0))
                                out[w++] = '/';
                        for (; r < n && path[r] != '/'; r++)
                                out[w++] = path[r];
                }
        }
        if (w == 0)
                out[w++] = '.';
        out[w] = '\0';
        if (ret_len != NULL)
                *ret_len = w;
        return out;
}

char *nvct_go_join_path(const char *a, const char *b) {
        size_t alen = strlen(a), blen = strlen(b);
        if (alen == 0 && blen == 0)
                return strdup("");
        if (alen == 0)
                return nvct_go_clean_path(b, blen, NULL);
        if (blen == 0)
                return nvct_go_clean_path(a, alen, NULL);

        char *joined = malloc(alen + blen + 2);
        if (joined == NULL)
                return NULL;
        memcpy(joined, a, alen);
        joined[alen] = '/';
        memcpy(joined + alen + 1, b, blen);
        char *cleaned = nvct_go_clean_path(joined, alen + 1 + blen, NULL);
        free(joined);
        return cleaned;
}

/* ---- semver, as golang.org/x/mod/semver ---- */

typedef struct {
        const char *s;
        size_t len;
} span;

typedef struct {
        span major, minor, patch, prerelease;
} semver_parsed;

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_ident_char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-';
}

/* A numeric identifier with a leading zero ("01") is invalid. */
static bool is_bad_num(const char *s, size_t len) {
        size_t i = 0;
        while (i < len && is_digit(s[i]))
                i++;
        return i == len && i > 1 && s[0] == '0';
}

static bool is_num(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (!is_digit(s[i]))
                        return false;
        return true;
}

static bool parse_int(const char *s, size_t len, size_t *pos, span *ret) {
        size_t start = *pos, i = start;
        if (i >= len || !is_digit(s[i]))
                return false;
        i++;
        while (i < len && is_digit(s[i]))
                i++;
        if (s[start] == '0' && i != start + 1)
                return false;
        *ret = (span){ s + start, i - start };
        *pos = i;
        return true;
}

static bool semver_parse(const char *s, size_t len, semver_parsed *p) {
        static const char zero[] = "0";
        size_t pos = 1;

        *p = (semver_parsed){ { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
        if (len == 0 || s[0] != 'v')
                return false;
        if (!parse_int(s, len, &pos, &p->major))
                return false;
        if (pos == len) {
                /* Shorthand "vMAJ" means vMAJ.0.0. */
                p->minor = p->patch = (span){ zero, 1 };
                return true;
        }
        if (s[pos] != '.')
                return false;
        pos++;
        if (!parse_int(s, len, &pos, &p->minor))
                return false;
        if (pos == len) {
                p->patch = (span){ zero, 1 };
                return true;
        }
        if (s[pos] != '.')
                return false;
        pos++;
        if (!parse_int(s, len, &pos, &p->patch))
                return false;

        if (pos < len && s[pos] == '-') {
                size_t start = pos + 1, i = pos + 1;
                for (; i < len && s[i] != '+'; i++) {
                        if (!is_ident_char(s[i]) && s[i] != '.')
                                return false;
                        if (s[i] == '.') {
                                if (start == i || is_bad_num(s + start, i - start))
                                        return false;
                                start = i + 1;
                        }
                }
                if (start == i || is_bad_num(s + start, i - start))
                        return false;
                p->prerelease = (span){ s + pos, i - pos };
                pos = i;
        }
        if (pos < len && s[pos] == '+') {
                size_t start = pos + 1, i = pos + 1;
                for (; i < len; i++) {
                        if (!is_ident_char(s[i]) && s[i] != '.')
                                return false;
                        if (s[i] == '.') {
                                if (start == i)
                                        return false;
                                start = i + 1;
                        }
                }
                if (start == i)
                        return false;
                pos = i;
        }
        return pos == len;
}

static int span_cmp(span x, span y) {
        size_t n = x.len < y.len ? x.len : y.len;
        int c = n > 0 ? memcmp(x.s, y.s, n) : 0;
        if (c != 0)
                return c < 0 ? -1 : 1;
        if (x.len == y.len)
                return 0;
        return x.len < y.len ? -1 : 1;
}

static bool span_eq(span x, span y) {
        return span_cmp(x, y) == 0;
}

static int compare_int(span x, span y) {
        if (span_eq(x, y))
                return 0;
        if (x.len != y.len)
                return x.len < y.len ? -1 : 1;
        return span_cmp(x, y);
}

static span next_ident(span *rest) {
        size_t i = 0;
        while (i < rest->len && rest->s[i] != '.')
                i++;
        span ident = { rest->s, i };
        rest->s += i;
        rest->len -= i;
        return ident;
}

static int compare_prerelease(span x, span y) {
        if (span_eq(x, y))
                return 0;
        if (x.len == 0)
                return 1;
        if (y.len == 0)
                return -1;
        while (x.len > 0 && y.len > 0) {
                /* Skip the '-' or '.' before each identifier. */
                x.s++, x.len--;
                y.s++, y.len--;
                span dx = next_ident(&x), dy = next_ident(&y);
                if (!span_eq(dx, dy)) {
                        bool ix = is_num(dx.s, dx.len), iy = is_num(dy.s, dy.len);
                        if (ix != iy)
                                return ix ? -1 : 1;
                        if (ix && dx.len != dy.len)
                                return dx.len < dy.len ? -1 : 1;
                        return span_cmp(dx, dy) < 0 ? -1 : 1;
                }
        }
        return x.len == 0 ? -1 : 1;
}

bool nvct_go_semver_is_valid(const char *v, size_t len) {
        semver_parsed p;
        return semver_parse(v, len, &p);
}

int nvct_go_semver_compare(const char *v, size_t vlen, const char *w, size_t wlen) {
        semver_parsed pv, pw;
        bool ok1 = semver_parse(v, vlen, &pv), ok2 = semver_parse(w, wlen, &pw);
        if (!ok1 && !ok2)
                return 0;
        if (!ok1)
                return -1;
        if (!ok2)
                return 1;
        int c;
        if ((c = compare_int(pv.major, pw.major)) != 0)
                return c;
        if ((c = compare_int(pv.minor, pw.minor)) != 0)
                return c;
        if ((c = compare_int(pv.patch, pw.patch)) != 0)
                return c;
        return compare_prerelease(pv.prerelease, pw.prerelease);
}

/* ---- fmt.Sscanf ---- */

/* Length of the white-space rune at s (fmt's isSpace table), 0 if none.
 * Each of these code points has exactly one valid UTF-8 encoding, so matching
 * bytes is the same as decoding; invalid UTF-8 decodes to U+FFFD, no space. */
static size_t go_space_len(const unsigned char *s, size_t len) {
        if (len == 0)
                return 0;
        if ((s[0] >= 0x09 && s[0] <= 0x0d) || s[0] == ' ')
                return 1;
        if (len >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
                return 2;
        if (len < 3)
                return 0;
        if (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) /* U+1680 */
                return 3;
        if (s[0] == 0xe2 && s[1] == 0x80 &&
            (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf) && s[2] >= 0x80)
                return 3;                                 /* U+2000..200A, U+2028, U+2029, U+202F */
        if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) /* U+205F */
                return 3;
        if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) /* U+3000 */
                return 3;
        return 0;
}

/* One Sscanf attempt with format "%d" ("." "%d"){nverbs-1} "\n". */
static bool go_scan_uints(const unsigned char *s, size_t len, size_t nverbs, uint32_t *out) {
        size_t pos = 0;
        for (size_t k = 0; k < nverbs; k++) {
                if (k > 0) {
                        /* The literal '.' must be the very next rune. */
                        if (pos >= len || s[pos] != '.')
                                return false;
                        pos++;
                }
                /* SkipSpace: spaces go, a newline is an error ("\r\n" too). */
                for (;;) {
                        if (pos >= len)
                                break;
                        if (s[pos] == '\r' && pos + 1 < len && s[pos + 1] == '\n')
                                return false;
                        if (s[pos] == '\n')
                                return false;
                        size_t w = go_space_len(s + pos, len - pos);
                        if (w == 0)
                                break;
                        pos += w;
                }
                if (pos >= len)
                        return false;
                /* scanNumber accepts digits and '_'; ParseUint(tok, 10, 64)
                 * then refuses any '_'. */
                size_t start = pos;
                while (pos < len && (is_digit((char)s[pos]) || s[pos] == '_'))
                        pos++;
                if (pos == start)
                        return false;
                uint64_t value = 0;
                for (size_t i = start; i < pos; i++) {
                        if (s[i] == '_')
                                return false;
                        unsigned digit = (unsigned)(s[i] - '0');
                        if (value > (UINT64_MAX - digit) / 10)
                                return false;
                        value = value * 10 + digit;
                }
                if (value > UINT32_MAX)
                        return false;
                out[k] = (uint32_t)value;
        }
        /* The format's trailing newline: spaces, then a newline or the end.
         * Whatever follows that newline is never looked at. */
        for (;;) {
                if (pos >= len)
                        return true;
                if (s[pos] == '\n')
                        return true;
                size_t w = go_space_len(s + pos, len - pos);
                if (w == 0)
                        return false;
                pos += w;
        }
}

bool nvct_go_parse_cuda_version(const char *str, size_t len, uint32_t *ret_major,
                                uint32_t *ret_minor, uint32_t *ret_patch) {
        const unsigned char *s = (const unsigned char *)str;
        uint32_t v[3] = { 0, 0, 0 };
        for (size_t nverbs = 3; nverbs >= 1; nverbs--) {
                if (go_scan_uints(s, len, nverbs, v)) {
                        for (size_t k = nverbs; k < 3; k++)
                                v[k] = 0;
                        *ret_major = v[0];
                        *ret_minor = v[1];
                        *ret_patch = v[2];
                        return true;
                }
        }
        return false;
}

/* ---- strconv.ParseBool ---- */

static bool str_is(const char *s, size_t len, const char *lit) {
        return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

bool nvct_go_parse_bool(const char *s, size_t len, bool *ret) {
        static const char *const truths[] = { "1", "t", "T", "TRUE", "true", "True" };
        static const char *const falsehoods[] = { "0", "f", "F", "FALSE", "false", "False" };
        for (size_t i = 0; i < sizeof(truths) / sizeof(truths[0]); i++)
                if (str_is(s, len, truths[i])) {
                        *ret = true;
                        return true;
                }
        for (size_t i = 0; i < sizeof(falsehoods) / sizeof(falsehoods[0]); i++)
                if (str_is(s, len, falsehoods[i])) {
                        *ret = false;
                        return true;
                }
        return false;
}

bool nvct_go_parse_bool_lenient(const char *s, size_t len) {
        bool value = false;
        return nvct_go_parse_bool(s, len, &value) && value;
}

/* ---- key folding ---- */

bool nvct_go_key_matches(const char *key, size_t len, const char *name) {
        const unsigned char *k = (const unsigned char *)key;
        size_t pos = 0;
        /* Folding only ever lengthens a key (a 1-byte letter matched by a
         * 2- or 3-byte rune): a shorter key cannot match. */
        size_t name_len = strlen(name);
        if (len < name_len)
                return false;
        if (len > name_len && memchr(key, 0xc5, len) == NULL && memchr(key, 0xe2, len) == NULL)
                return false;
        for (const char *n = name; *n != '\0'; n++) {
                char lower = (char)((*n >= 'A' && *n <= 'Z') ? *n + ('a' - 'A') : *n);
                if (pos < len && k[pos] < 0x80) {
                        char c = (char)k[pos];
                        char kl = (char)((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
                        if (kl != lower)
                                return false;
                        pos++;
                } else if (lower == 's' && pos + 1 < len && k[pos] == 0xc5 && k[pos + 1] == 0xbf) {
                        pos += 2; /* U+017F LATIN SMALL LETTER LONG S */
                } else if (lower == 'k' && pos + 2 < len && k[pos] == 0xe2 && k[pos + 1] == 0x84 &&
                           k[pos + 2] == 0xaa) {
                        pos += 3; /* U+212A KELVIN SIGN */
                } else {
                        return false;
                }
        }
        return pos == len;
}

int nvct_find_executable(const char *name, const char *search_path, char **ret_path,
                         nvct_error **err) {
        const char *p = search_path;
        for (;;) {
                const char *colon = strchr(p, ':');
                size_t n = colon ? (size_t)(colon - p) : strlen(p);
                if (n > 0 && p[0] == '/') {
                        _cleanup_free_ char *dir = strndup(p, n);
                        _cleanup_free_ char *candidate = dir ? nvct_go_join_path(dir, name) : NULL;
                        if (candidate == NULL)
                                return nvct_error_make(err, 0, "out of memory");
                        struct stat st;
                        if (stat(candidate, &st) == 0 && !S_ISDIR(st.st_mode) &&
                            (st.st_mode & 0111) != 0) {
                                *ret_path = TAKE_PTR(candidate);
                                return 0;
                        }
                }
                if (colon == NULL)
                        break;
                p = colon + 1;
        }
        /* The search path holds config.toml's root and the hook's PATH. */
        _cleanup_free_ char *qname = nvct_quote_path(name);
        _cleanup_free_ char *qpath = nvct_quote_path(search_path);
        return nvct_error_make(err, 0, "could not find %s in PATH %s", nvct_quoted(qname),
                               nvct_quoted(qpath));
}
