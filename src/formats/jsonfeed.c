/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "jsonfeed.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/buf.h"
#include "basic/cleanup.h"

/* Where the lexer is between two bytes. */
typedef enum lex_state {
        LX_OUT,         /* between tokens */
        LX_STRING,      /* inside a string, held until it ends */
        LX_NUMBER,      /* inside a number, held until it ends */
        LX_SKIP_STRING, /* the rest of a string that was cut */
        LX_SKIP_NUMBER, /* the rest of a number that was cut */
        LX_STOPPED,     /* the first value is complete: nothing more is read */
} lex_state;

/* JSON's number grammar, one state per position. */
typedef enum num_phase {
        NP_START, /* nothing yet */
        NP_SIGN,  /* "-" */
        NP_ZERO,  /* a leading 0 */
        NP_INT,   /* integer digits */
        NP_DOT,   /* "." */
        NP_FRAC,  /* fraction digits */
        NP_E,     /* "e" or "E" */
        NP_ESIGN, /* the exponent's sign */
        NP_EXP,   /* exponent digits */
        NP_END,   /* the byte does not continue the number */
} num_phase;

/* Inside a skipped string: 0 plain, 1 after a backslash, 2 to 5 after "\u"
 * and 0 to 3 hex digits. */
#define ESC_PLAIN 0
#define ESC_BACKSLASH 1
#define ESC_HEX0 2

struct nvct_json_feed {
        yajl_handle h;
        nvct_error **err;
        const char *name;
        const bool *done;
        size_t max_raw_string;
        /* The fast path's stride: no token that fits in it is ever cut, so
         * handing yajl whole segments gives the same events as the
         * token-by-token path. */
        size_t fast_segment;
        lex_state state;
        num_phase phase; /* LX_NUMBER, LX_SKIP_NUMBER */
        int esc;         /* LX_SKIP_STRING */
        bool truncated;
        /* The current token's bytes from its first one, when it began in an
         * earlier push (LX_STRING, LX_NUMBER). */
        nvct_buf tok;
        /* Backslashes that end tok (LX_STRING): whether the next quote is
         * escaped. */
        size_t tok_backslashes;
};

size_t nvct_json_feed_max_raw_string(size_t max_string) {
        /* Every escape decodes to at least a sixth of its length ("\u0041"
         * to one byte): past 6 × (max + 1) raw bytes, plus room for an
         * escape cut at the end and the quote, the decoded string is longer
         * than max whatever the text. */
        return 6 * (max_string + 1) + 16;
}

nvct_json_feed *nvct_json_feed_new(const yajl_callbacks *callbacks, void *ctx, const char *name,
                                   size_t max_string, const bool *done, nvct_error **err) {
        nvct_json_feed *f = calloc(1, sizeof(*f));
        if (f == NULL)
                return NULL;
        f->h = yajl_alloc(callbacks, NULL, ctx);
        if (f->h == NULL) {
                free(f);
                return NULL;
        }
        /* Go's json.Decoder reads one value and ignores what follows it. */
        yajl_config(f->h, yajl_allow_trailing_garbage, 1);
        /* Invalid UTF-8 is replaced, as Go does, rather than rejected. */
        yajl_config(f->h, yajl_dont_validate_strings, 1);
        f->err = err;
        f->name = name;
        f->done = done;
        f->max_raw_string = nvct_json_feed_max_raw_string(max_string);
        f->fast_segment = f->max_raw_string < NVCT_JSON_MAX_NUMBER_TEXT ? f->max_raw_string
                                                                        : NVCT_JSON_MAX_NUMBER_TEXT;
        return f;
}

void nvct_json_feed_free(nvct_json_feed *f) {
        if (f == NULL)
                return;
        yajl_free(f->h);
        nvct_buf_clear(&f->tok);
        free(f);
}

bool nvct_json_feed_truncated(const nvct_json_feed *f) {
        return f->truncated;
}

static int hex_value(unsigned char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : -1;
}

/* The \uXXXX escape at s[i] (i + 6 <= n), or -1 when it is not one. */
static int u_escape(const char *s, size_t i, size_t n) {
        if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u')
                return -1;
        int v = 0;
        for (size_t k = 2; k < 6; k++) {
                int d = hex_value((unsigned char)s[i + k]);
                if (d < 0)
                        return -1;
                v = v * 16 + d;
        }
        return v;
}

/* Rewrites each unpaired surrogate escape in buf to \ufffd (same length),
 * as Go decodes it; yajl would make "?" or invalid UTF-8 of it. A piece
 * never ends inside an escape, except an unterminated string at the end of
 * the input, which is an error whatever it holds. */
static void rewrite_lone_surrogates(char *buf, size_t n) {
        char *p = memchr(buf, '\\', n);
        while (p != NULL) {
                size_t i = (size_t)(p - buf);
                int v = u_escape(buf, i, n);
                size_t next = i + 2;
                if (v >= 0xd800 && v <= 0xdfff) {
                        int low = v <= 0xdbff ? u_escape(buf, i + 6, n) : -1;
                        if (low >= 0xdc00 && low <= 0xdfff) {
                                next = i + 12;
                        } else {
                                memcpy(buf + i + 2, "fffd", 4);
                                next = i + 6;
                        }
                }
                p = next < n ? memchr(buf + next, '\\', n - next) : NULL;
        }
}

/* Turns a yajl status into our error, unless a callback already set one. */
static int check_status(nvct_json_feed *f, yajl_status st, const unsigned char *buf, size_t len) {
        if (st == yajl_status_ok)
                return 0;
        if (st == yajl_status_client_canceled || *f->err != NULL) {
                if (*f->err == NULL)
                        nvct_error_make(f->err, 0, "%s: decoding stopped", f->name);
                return -1;
        }
        unsigned char *msg = yajl_get_error(f->h, 0, buf, len);
        /* yajl's messages end in a newline; keep the error on one line. */
        size_t mlen = msg ? strlen((char *)msg) : 0;
        while (mlen > 0 && (msg[mlen - 1] == '\n' || msg[mlen - 1] == ' '))
                msg[--mlen] = '\0';
        nvct_error_make(f->err, 0, "%s: invalid JSON: %s", f->name,
                        msg ? (char *)msg : "parse error");
        if (msg)
                yajl_free_error(f->h, msg);
        return -1;
}

/* Gives yajl a piece of text that starts and ends between tokens (or is one
 * whole token). Once the first value is complete nothing more is read. */
static int feed(nvct_json_feed *f, char *buf, size_t n) {
        if (n == 0 || f->state == LX_STOPPED)
                return 0;
        rewrite_lone_surrogates(buf, n);
        const unsigned char *ubuf = (const unsigned char *)buf;
        if (check_status(f, yajl_parse(f->h, ubuf, n), ubuf, n) < 0)
                return -1;
        if (*f->done)
                f->state = LX_STOPPED;
        return 0;
}

static int tok_append(nvct_json_feed *f, const char *data, size_t n) {
        if (nvct_buf_append(&f->tok, data, n) < 0)
                return nvct_error_make(f->err, 0, "out of memory");
        return 0;
}

static int feed_tok(nvct_json_feed *f) {
        int r = feed(f, f->tok.data, f->tok.len);
        f->tok.len = 0;
        return r;
}

static num_phase number_step(num_phase ph, unsigned char c) {
        bool digit = c >= '0' && c <= '9';
        switch (ph) {
        case NP_START:
                return c == '-' ? NP_SIGN : c == '0' ? NP_ZERO : digit ? NP_INT : NP_END;
        case NP_SIGN:
                return c == '0' ? NP_ZERO : digit ? NP_INT : NP_END;
        case NP_ZERO:
                return c == '.' ? NP_DOT : c == 'e' || c == 'E' ? NP_E : NP_END;
        case NP_INT:
                return digit ? NP_INT : c == '.' ? NP_DOT : c == 'e' || c == 'E' ? NP_E : NP_END;
        case NP_DOT:
                return digit ? NP_FRAC : NP_END;
        case NP_FRAC:
                return digit ? NP_FRAC : c == 'e' || c == 'E' ? NP_E : NP_END;
        case NP_E:
                return c == '+' || c == '-' ? NP_ESIGN : digit ? NP_EXP : NP_END;
        case NP_ESIGN:
        case NP_EXP:
                return digit ? NP_EXP : NP_END;
        case NP_END:
                break;
        }
        return NP_END;
}

/* Whether a number may end in this phase. */
static bool number_complete(num_phase ph) {
        return ph == NP_ZERO || ph == NP_INT || ph == NP_FRAC || ph == NP_EXP;
}

/* One byte of a skipped string: its escape state, or -1 when the byte is
 * invalid there, or -2 at the closing quote. */
static int skip_string_step(int esc, unsigned char c) {
        if (esc == ESC_PLAIN) {
                if (c == '"')
                        return -2;
                if (c == '\\')
                        return ESC_BACKSLASH;
                return c < 0x20 ? -1 : ESC_PLAIN;
        }
        if (esc == ESC_BACKSLASH) {
                if (c == 'u')
                        return ESC_HEX0;
                return strchr("\"\\/bfnrt", c) != NULL && c != '\0' ? ESC_PLAIN : -1;
        }
        if (hex_value(c) < 0)
                return -1;
        return esc == ESC_HEX0 + 3 ? ESC_PLAIN : esc + 1;
}

static int stop_error(nvct_json_feed *f, const char *what) {
        return nvct_error_make(f->err, 0, "%s: invalid JSON: %s", f->name, what);
}

/* tok holds a string's first max_raw_string bytes and no closing quote:
 * gives yajl its longest prefix that ends between escapes, closed, and
 * skips the rest. */
static int cut_string(nvct_json_feed *f) {
        int esc = ESC_PLAIN;
        size_t boundary = 1;
        for (size_t i = 1; i < f->tok.len; i++) {
                esc = skip_string_step(esc, (unsigned char)f->tok.data[i]);
                if (esc == -1)
                        break; /* yajl reports it in the prefix */
                if (esc == ESC_PLAIN)
                        boundary = i + 1;
        }
        /* The buffer keeps a byte past its length (the NUL): room for the
         * closing quote even when the boundary is the end. */
        f->tok.len = boundary;
        f->tok.data[f->tok.len++] = '"';
        f->truncated = true;
        int r = feed_tok(f);
        f->truncated = false;
        if (r < 0)
                return -1;
        if (esc == -1)
                return stop_error(f, "invalid character inside string");
        if (f->state != LX_STOPPED) {
                f->state = LX_SKIP_STRING;
                f->esc = esc;
        }
        return 0;
}

/* tok holds a number's first NVCT_JSON_MAX_NUMBER_TEXT bytes: yajl gets
 * them, completed to a valid number and ended, and the rest is checked and
 * skipped. */
static int cut_number(nvct_json_feed *f) {
        if (!number_complete(f->phase) && tok_append(f, "0", 1) < 0)
                return -1;
        if (tok_append(f, " ", 1) < 0)
                return -1;
        f->truncated = true;
        int r = feed_tok(f);
        f->truncated = false;
        if (r < 0)
                return -1;
        if (f->state != LX_STOPPED)
                f->state = LX_SKIP_NUMBER;
        return 0;
}

/* The end of the string that starts at data[ts] (or in tok, ts 0), searching
 * data[i..len): the index after its closing quote, or SIZE_MAX. */
static size_t string_end(nvct_json_feed *f, const char *data, size_t len, size_t ts, size_t i) {
        while (i < len) {
                const char *q = memchr(data + i, '"', len - i);
                if (q == NULL)
                        return SIZE_MAX;
                size_t at = (size_t)(q - data), k = at, run = 0;
                /* A quote after an odd run of backslashes is escaped. */
                while (k > ts && data[k - 1] == '\\') {
                        k--;
                        run++;
                }
                if (k == ts && ts == 0)
                        run += f->tok_backslashes;
                if (run % 2 == 0)
                        return at + 1;
                i = at + 1;
        }
        return SIZE_MAX;
}

static size_t trailing_backslashes(const char *data, size_t from, size_t len, size_t carried) {
        size_t run = 0;
        while (len > from && data[len - 1] == '\\') {
                len--;
                run++;
        }
        return len == from ? run + carried : run;
}

static bool is_number_byte(unsigned char c) {
        return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* Sixteen bytes at a time with GCC's portable vector types (SSE2 on x86-64,
 * NEON on arm64, plain code elsewhere): a compare gives -1 per quote, and
 * byte-wide sums cannot overflow within 255 rounds. */
typedef uint8_t bytes16 __attribute__((vector_size(16)));

static size_t count_quotes(const char *s, size_t n) {
        const bytes16 quote = { '"', '"', '"', '"', '"', '"', '"', '"',
                                '"', '"', '"', '"', '"', '"', '"', '"' };
        size_t quotes = 0, k = 0;
        while (n - k >= 16) {
                bytes16 sum = { 0 };
                for (size_t round = 0; round < 255 && n - k >= 16; round++, k += 16) {
                        bytes16 v;
                        memcpy(&v, s + k, sizeof(v));
                        sum -= (bytes16)(v == quote);
                }
                for (size_t lane = 0; lane < 16; lane++)
                        quotes += sum[lane];
        }
        for (; k < n; k++)
                quotes += s[k] == '"';
        return quotes;
}

/* Most text has no escape: there a quote always opens or closes a string,
 * so counting quotes (a loop the compiler vectorises) says whether a segment
 * ends inside a string, and the last quote is where that string starts.
 * From data[i], between tokens, returns the furthest p (at most one segment
 * on) such that data[i..p) holds only whole tokens and ends between them;
 * *ret_scanned is how far it looked. A backslash, form feed or vertical tab
 * ends the segment early: the token-by-token path handles those. */
static size_t fast_forward(const nvct_json_feed *f, const char *data, size_t i, size_t len,
                           size_t *ret_scanned) {
        size_t end = len - i > f->fast_segment ? i + f->fast_segment : len;
        /* The segment ends at the first byte the fast path cannot judge
         * (memchr: a few instructions per 32 bytes). */
        static const char special[] = { '\\', '\f', '\v' };
        for (size_t k = 0; k < sizeof(special); k++) {
                const char *at = memchr(data + i, special[k], end - i);
                if (at != NULL)
                        end = (size_t)(at - data);
        }
        size_t quotes = count_quotes(data + i, end - i);
        *ret_scanned = end;
        size_t p = end;
        if (quotes % 2 == 1)
                p = (size_t)((const char *)memrchr(data + i, '"', end - i) - data);
        /* A number is complete only at the byte after it. */
        while (p > i && is_number_byte((unsigned char)data[p - 1]))
                p--;
        return p;
}

/* Bytes the lexer must look at between tokens: the start of a string or a
 * number, and the two that Go does not take as white space. */
static bool starts_something(unsigned char c) {
        return c == '"' || c == '-' || (c >= '0' && c <= '9') || c == '\f' || c == '\v';
}

/* The current token, at the end of the data, is kept for the next push;
 * what came before it goes to yajl now. */
static int hold_token(nvct_json_feed *f, char *data, size_t len, size_t es, size_t ts, bool held) {
        if (!held) {
                if (feed(f, data + es, ts - es) < 0)
                        return -1;
                if (f->state == LX_STOPPED)
                        return 0;
        }
        size_t from = held ? 0 : ts;
        if (f->state == LX_STRING)
                f->tok_backslashes = trailing_backslashes(data, from, len, f->tok_backslashes);
        return tok_append(f, data + from, len - from);
}

/* The token that starts at data[ts] (or in tok) reached its length limit at
 * data[cut]: yajl gets what came before it, then its cut form. */
static int cut_token(nvct_json_feed *f, char *data, size_t es, size_t ts, bool held, size_t cut) {
        if (!held) {
                if (feed(f, data + es, ts - es) < 0)
                        return -1;
                if (f->state == LX_STOPPED)
                        return 0;
        }
        size_t from = held ? 0 : ts;
        if (tok_append(f, data + from, cut - from) < 0)
                return -1;
        return f->state == LX_STRING ? cut_string(f) : cut_number(f);
}

/* The lexer over one push, a state machine: each state consumes bytes and
 * says where the next one starts. es is the first byte neither given to
 * yajl nor held, ts where the current token starts when it started in this
 * push (held: it started in an earlier one and its head is in tok). */
int nvct_json_feed_push(nvct_json_feed *f, char *data, size_t len) {
        size_t i = 0, es = 0, ts = 0;
        /* Bytes up to here were looked at by fast_forward and left to the
         * token-by-token path: not looked at twice, so time stays linear. */
        size_t slow_until = 0;
        bool held = f->state == LX_STRING || f->state == LX_NUMBER;
        while (i < len && f->state != LX_STOPPED) {
                size_t start = held ? 0 : ts, have = held ? f->tok.len : 0;
                switch (f->state) {
                case LX_OUT: {
                        if (i >= slow_until) {
                                size_t p = fast_forward(f, data, i, len, &slow_until);
                                if (p > i) {
                                        i = p;
                                        break;
                                }
                        }
                        while (i < len && !starts_something((unsigned char)data[i]))
                                i++;
                        if (i == len)
                                break;
                        char c = data[i];
                        if (c == '\f' || c == '\v') {
                                /* An error only if the value is not complete
                                 * before it: what follows a value is never
                                 * read. */
                                if (feed(f, data + es, i - es) < 0)
                                        return -1;
                                if (f->state == LX_STOPPED)
                                        return 0;
                                return nvct_error_make(f->err, 0,
                                                       "%s: invalid JSON: invalid character '\\%c'",
                                                       f->name, c == '\f' ? 'f' : 'v');
                        }
                        ts = i;
                        held = false;
                        if (c == '"') {
                                f->state = LX_STRING;
                                f->tok_backslashes = 0;
                                i++;
                        } else {
                                f->state = LX_NUMBER;
                                f->phase = NP_START;
                        }
                        break;
                }
                case LX_STRING: {
                        /* Searched no further than the string may go. */
                        size_t room = f->max_raw_string - have;
                        size_t window = len - start > room ? start + room : len;
                        size_t end = string_end(f, data, window, start, i);
                        if (end != SIZE_MAX) {
                                if (held && (tok_append(f, data, end) < 0 || feed_tok(f) < 0))
                                        return -1;
                                if (held)
                                        es = end;
                                held = false;
                                f->state = f->state == LX_STOPPED ? LX_STOPPED : LX_OUT;
                                i = end;
                        } else if (window < len) {
                                if (cut_token(f, data, es, ts, held, window) < 0)
                                        return -1;
                                held = false;
                                i = es = window;
                        } else {
                                i = len;
                        }
                        break;
                }
                case LX_NUMBER: {
                        size_t room = NVCT_JSON_MAX_NUMBER_TEXT - have;
                        size_t window = len - start > room ? start + room : len;
                        num_phase ph = NP_END;
                        while (i < window &&
                               (ph = number_step(f->phase, (unsigned char)data[i])) != NP_END) {
                                f->phase = ph;
                                i++;
                        }
                        if (i < window) { /* it ended before data[i] */
                                if (held && (tok_append(f, data, i) < 0 || feed_tok(f) < 0))
                                        return -1;
                                if (held)
                                        es = i;
                                held = false;
                                f->state = f->state == LX_STOPPED ? LX_STOPPED : LX_OUT;
                        } else if (window < len) {
                                if (cut_token(f, data, es, ts, held, window) < 0)
                                        return -1;
                                held = false;
                                es = window;
                        }
                        break;
                }
                case LX_SKIP_STRING:
                        for (; i < len; i++) {
                                int esc = skip_string_step(f->esc, (unsigned char)data[i]);
                                if (esc == -1)
                                        return stop_error(f, "invalid character inside string");
                                if (esc == -2) {
                                        f->state = LX_OUT;
                                        i++;
                                        break;
                                }
                                f->esc = esc;
                        }
                        es = i;
                        break;
                case LX_SKIP_NUMBER:
                        for (; i < len; i++) {
                                num_phase ph = number_step(f->phase, (unsigned char)data[i]);
                                if (ph == NP_END) {
                                        if (!number_complete(f->phase))
                                                return stop_error(f, "malformed number");
                                        f->state = LX_OUT;
                                        break;
                                }
                                f->phase = ph;
                        }
                        es = i;
                        break;
                case LX_STOPPED:
                        break;
                }
        }
        switch (f->state) {
        case LX_OUT:
                return feed(f, data + es, len - es);
        case LX_STRING:
        case LX_NUMBER:
                return hold_token(f, data, len, es, ts, held);
        default:
                return 0;
        }
}

int nvct_json_feed_finish(nvct_json_feed *f) {
        if (f->state == LX_STOPPED)
                return 0;
        if (f->state == LX_SKIP_STRING ||
            (f->state == LX_SKIP_NUMBER && !number_complete(f->phase)))
                return nvct_error_make(f->err, 0, "%s: unexpected end of JSON input", f->name);
        if (f->tok.len > 0 && feed_tok(f) < 0)
                return -1;
        if (f->state == LX_STOPPED)
                return 0;
        if (check_status(f, yajl_complete_parse(f->h), NULL, 0) < 0)
                return -1;
        if (!*f->done)
                return nvct_error_make(f->err, 0, "%s: unexpected end of JSON input", f->name);
        return 0;
}
