/* SPDX-License-Identifier: Apache-2.0 */
/* TOML's scalars: basic and literal strings (escapes, multi-line), offset
 * and local date/times, integers in four bases and floats. */
#define _GNU_SOURCE
#include "toml-internal.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/hash.h"
#include "basic/quote.h"
#include "basic/utf8.h"

/* ---- strings ---- */

static int toml_append_utf8(text_buf *b, uint32_t cp) {
        char s[4];
        return text_buf_append(b, s, nvct_utf8_encode(cp, s));
}

/* At the character after a backslash in a basic string. */
static int parse_escape(parser *p, bool multiline, text_buf *out) {
        size_t start = p->pos - 1;
        int c = peek(p);
        const char *simple = NULL;

        switch (c) {
        case 'b':
                simple = "\b";
                break;
        case 't':
                simple = "\t";
                break;
        case 'n':
                simple = "\n";
                break;
        case 'f':
                simple = "\f";
                break;
        case 'r':
                simple = "\r";
                break;
        case '"':
                simple = "\"";
                break;
        case '\\':
                simple = "\\";
                break;
        case 'u':
        case 'U': {
                size_t n_digits = c == 'u' ? 4 : 8;
                uint32_t cp = 0;
                p->pos++;
                for (size_t i = 0; i < n_digits; i++) {
                        int d = peek(p);
                        if (!is_hex_digit(d))
                                return toml_parser_fail(
                                        p, start, "\\%c escape needs %zu hex digits", c, n_digits);
                        cp = cp << 4 | (uint32_t)(is_digit(d) ? d - '0' : (d | 0x20) - 'a' + 10);
                        p->pos++;
                }
                if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return toml_parser_fail(p, start,
                                                "escape \\%c%0*X is not a Unicode scalar value", c,
                                                (int)n_digits, (unsigned)cp);
                return toml_append_utf8(out, cp) < 0 ? toml_parser_oom(p) : 0;
        }
        default:
                break;
        }

        if (simple != NULL) {
                p->pos++;
                return text_buf_putc(out, simple[0]) < 0 ? toml_parser_oom(p) : 0;
        }

        if (multiline && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
                /* Line-ending backslash: only whitespace may stand between it
                 * and the newline; then all whitespace and newlines go. */
                toml_skip_whitespace(p);
                if (!toml_consume_newline(p))
                        return toml_parser_fail(
                                p, start, "backslash followed by whitespace must end the line");
                for (;;) {
                        toml_skip_whitespace(p);
                        if (!toml_consume_newline(p))
                                return 0;
                }
        }

        char buf[32];
        return toml_parser_fail(p, start, "invalid escape sequence: backslash followed by %s",
                                toml_describe_at(p, p->pos, buf));
}

/* At an opening quote. Multi-line strings are refused unless allowed (keys).
 * Newlines in multi-line strings are normalised to LF. */
int toml_parse_string(parser *p, bool allow_multiline, char **ret, size_t *ret_len) {
        _cleanup_(text_buf_clear) text_buf out = {};
        size_t start = p->pos;
        char quote = p->data[p->pos];
        bool literal = quote == '\'';
        bool multiline = peek_at(p, 1) == quote && peek_at(p, 2) == quote;

        if (multiline) {
                if (!allow_multiline)
                        return toml_parser_fail(p, start, "a multi-line string cannot be a key");
                p->pos += 3;
                /* A newline right after the opening delimiter is trimmed. */
                (void)toml_consume_newline(p);
        } else
                p->pos++;

        for (;;) {
                if (p->pos >= p->len)
                        return toml_parser_fail(p, start, "unterminated string");

                int c = (unsigned char)p->data[p->pos];
                if (c == quote) {
                        if (!multiline) {
                                p->pos++;
                                break;
                        }
                        size_t run = 0;
                        while (peek_at(p, run) == quote)
                                run++;
                        if (run >= 3) {
                                /* Up to two quotes may sit right before the
                                 * closing delimiter and belong to the text. */
                                if (run > 5)
                                        return toml_parser_fail(p, p->pos + 5,
                                                                "too many quotes at end of string");
                                if (text_buf_append(&out, p->data + p->pos, run - 3) < 0)
                                        return toml_parser_oom(p);
                                p->pos += run;
                                break;
                        }
                        if (text_buf_append(&out, p->data + p->pos, run) < 0)
                                return toml_parser_oom(p);
                        p->pos += run;
                        continue;
                }

                if (c == '\\' && !literal) {
                        p->pos++;
                        int r = parse_escape(p, multiline, &out);
                        if (r < 0)
                                return r;
                        continue;
                }

                if (c == '\n' || c == '\r') {
                        if (!multiline)
                                return toml_parser_fail(p, p->pos, "newline in single-line string");
                        if (!toml_consume_newline(p))
                                return toml_parser_fail(
                                        p, p->pos,
                                        "carriage return not followed by newline in string");
                        if (text_buf_putc(&out, '\n') < 0)
                                return toml_parser_oom(p);
                        continue;
                }

                if (is_control(c))
                        return toml_parser_fail(p, p->pos, "control character U+%04X in string",
                                                (unsigned)c);

                /* Copy a run of ordinary bytes at once. */
                size_t run_start = p->pos;
                while (p->pos < p->len) {
                        int d = (unsigned char)p->data[p->pos];
                        if (d == quote || (d == '\\' && !literal) || d == '\n' || d == '\r' ||
                            is_control(d))
                                break;
                        p->pos++;
                }
                if (text_buf_append(&out, p->data + run_start, p->pos - run_start) < 0)
                        return toml_parser_oom(p);
        }

        if (text_buf_take(&out, ret, ret_len) < 0)
                return toml_parser_oom(p);
        return 0;
}

static bool read_fixed_digits(parser *p, size_t n, unsigned *ret) {
        unsigned v = 0;
        for (size_t i = 0; i < n; i++) {
                int c = peek_at(p, i);
                if (!is_digit(c))
                        return false;
                v = v * 10 + (unsigned)(c - '0');
        }
        if (is_digit(peek_at(p, n)))
                return false;
        p->pos += n;
        *ret = v;
        return true;
}

static bool is_leap_year(unsigned year) {
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned days_in_month(unsigned year, unsigned month) {
        static const unsigned days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        if (month == 2 && is_leap_year(year))
                return 29;
        return days[month - 1];
}

static int parse_time(parser *p, size_t start, text_buf *out) {
        unsigned hour, minute, second;

        if (!read_fixed_digits(p, 2, &hour) || peek(p) != ':')
                return toml_parser_fail(p, start, "invalid time: expected HH:MM:SS");
        p->pos++;
        if (!read_fixed_digits(p, 2, &minute))
                return toml_parser_fail(p, start, "invalid time: expected HH:MM:SS");
        if (peek(p) != ':')
                return toml_parser_fail(p, start, "invalid time: seconds are required");
        p->pos++;
        if (!read_fixed_digits(p, 2, &second))
                return toml_parser_fail(p, start, "invalid time: expected HH:MM:SS");
        if (hour > 23 || minute > 59 || second > 60)
                return toml_parser_fail(p, start, "invalid time: %02u:%02u:%02u is out of range",
                                        hour, minute, second);

        char text[16];
        snprintf(text, sizeof(text), "%02u:%02u:%02u", hour, minute, second);
        if (text_buf_append(out, text, strlen(text)) < 0)
                return toml_parser_oom(p);

        if (peek(p) == '.') {
                size_t frac_start = p->pos++;
                if (!is_digit(peek(p)))
                        return toml_parser_fail(p, start,
                                                "invalid time: expected digits after '.'");
                while (is_digit(peek(p)))
                        p->pos++;
                if (text_buf_append(out, p->data + frac_start, p->pos - frac_start) < 0)
                        return toml_parser_oom(p);
        }
        return 0;
}

int toml_parse_datetime(parser *p, nvct_toml_value **ret) {
        _cleanup_(text_buf_clear) text_buf text = {};
        size_t start = p->pos;
        nvct_toml_type type;
        int r;

        if (peek_at(p, 2) == ':') {
                r = parse_time(p, start, &text);
                if (r < 0)
                        return r;
                type = NVCT_TOML_TIME_LOCAL;
        } else {
                unsigned year, month, day;
                if (!read_fixed_digits(p, 4, &year) || peek(p) != '-')
                        return toml_parser_fail(p, start, "invalid date: expected YYYY-MM-DD");
                p->pos++;
                if (!read_fixed_digits(p, 2, &month) || peek(p) != '-')
                        return toml_parser_fail(p, start, "invalid date: expected YYYY-MM-DD");
                p->pos++;
                if (!read_fixed_digits(p, 2, &day))
                        return toml_parser_fail(p, start, "invalid date: expected YYYY-MM-DD");
                if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
                        return toml_parser_fail(p, start,
                                                "invalid date: %04u-%02u-%02u does not exist", year,
                                                month, day);

                char date[32]; /* room for any unsigned, though each field is range-checked */
                snprintf(date, sizeof(date), "%04u-%02u-%02u", year, month, day);
                if (text_buf_append(&text, date, strlen(date)) < 0)
                        return toml_parser_oom(p);

                int c = peek(p);
                bool has_time = c == 'T' || c == 't' ||
                                (c == ' ' && is_digit(peek_at(p, 1)) && is_digit(peek_at(p, 2)) &&
                                 peek_at(p, 3) == ':');
                if (!has_time)
                        type = NVCT_TOML_DATE_LOCAL;
                else {
                        p->pos++;
                        if (text_buf_putc(&text, 'T') < 0)
                                return toml_parser_oom(p);
                        r = parse_time(p, start, &text);
                        if (r < 0)
                                return r;

                        c = peek(p);
                        if (c == 'Z' || c == 'z') {
                                p->pos++;
                                if (text_buf_putc(&text, 'Z') < 0)
                                        return toml_parser_oom(p);
                                type = NVCT_TOML_DATETIME;
                        } else if (c == '+' || c == '-') {
                                unsigned offset_hour, offset_minute;
                                p->pos++;
                                if (!read_fixed_digits(p, 2, &offset_hour) || peek(p) != ':')
                                        return toml_parser_fail(
                                                p, start, "invalid time offset: expected +HH:MM");
                                p->pos++;
                                if (!read_fixed_digits(p, 2, &offset_minute))
                                        return toml_parser_fail(
                                                p, start, "invalid time offset: expected +HH:MM");
                                if (offset_hour > 23 || offset_minute > 59)
                                        return toml_parser_fail(
                                                p, start, "invalid time offset: out of range");
                                char offset[16];
                                snprintf(offset, sizeof(offset), "%c%02u:%02u", c, offset_hour,
                                         offset_minute);
                                if (text_buf_append(&text, offset, strlen(offset)) < 0)
                                        return toml_parser_oom(p);
                                type = NVCT_TOML_DATETIME;
                        } else
                                type = NVCT_TOML_DATETIME_LOCAL;
                }
        }

        _cleanup_toml_ nvct_toml_value *v = toml_value_new(type);
        if (v == NULL)
                return toml_parser_oom(p);
        if (text_buf_take(&text, &v->string.text, &v->string.len) < 0)
                return toml_parser_oom(p);
        *ret = TAKE_PTR(v);
        return 0;
}

static int digit_value(int c, unsigned base) {
        int v;
        if (is_digit(c))
                v = c - '0';
        else if (c >= 'a' && c <= 'f')
                v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
                v = c - 'A' + 10;
        else
                return -1;
        return v < (int)base ? v : -1;
}

/* Reads digits of `base` where single underscores may separate digits;
 * the caller checked that the first one is a digit. The digits, without
 * underscores, go to out. */
static int read_digits(parser *p, unsigned base, text_buf *out) {
        size_t run_start = p->pos;

        for (;;) {
                int c = peek(p);
                if (digit_value(c, base) >= 0) {
                        p->pos++;
                        continue;
                }
                if (c == '_') {
                        if (text_buf_append(out, p->data + run_start, p->pos - run_start) < 0)
                                return toml_parser_oom(p);
                        if (digit_value(peek_at(p, 1), base) < 0)
                                return toml_parser_fail(
                                        p, p->pos, "'_' in a number must stand between digits");
                        p->pos++;
                        run_start = p->pos;
                        continue;
                }
                break;
        }
        if (text_buf_append(out, p->data + run_start, p->pos - run_start) < 0)
                return toml_parser_oom(p);
        return 0;
}

static int make_integer(parser *p, int64_t i, nvct_toml_value **ret) {
        nvct_toml_value *v = toml_value_new(NVCT_TOML_INTEGER);
        if (v == NULL)
                return toml_parser_oom(p);
        v->integer = i;
        *ret = v;
        return 0;
}

static int make_float(parser *p, double d, nvct_toml_value **ret) {
        nvct_toml_value *v = toml_value_new(NVCT_TOML_FLOAT);
        if (v == NULL)
                return toml_parser_oom(p);
        v->number = d;
        *ret = v;
        return 0;
}

/* 0x, 0o or 0b and their digits, at the prefix. */
static int parse_prefixed_integer(parser *p, size_t start, nvct_toml_value **ret) {
        _cleanup_(text_buf_clear) text_buf digits = {};
        int prefix = peek_at(p, 1);
        unsigned base = prefix == 'x' ? 16 : prefix == 'o' ? 8 : 2;
        p->pos += 2;
        if (digit_value(peek(p), base) < 0)
                return toml_parser_fail(p, start, "expected digits after '0%c'", prefix);
        int r = read_digits(p, base, &digits);
        if (r < 0)
                return r;
        uint64_t acc = 0;
        for (size_t i = 0; i < digits.len; i++) {
                unsigned d = (unsigned)digit_value((unsigned char)digits.data[i], base);
                if (acc > ((uint64_t)INT64_MAX - d) / base)
                        return toml_parser_fail(p, start, "integer does not fit in 64 bits");
                acc = acc * base + d;
        }
        return make_integer(p, (int64_t)acc, ret);
}

/* The fraction and exponent after a decimal integer's digits, appended to
 * digits as "." and "e[sign]"; *ret_is_float when there was either. */
static int read_float_tail(parser *p, size_t start, text_buf *digits, bool *ret_is_float) {
        bool is_float = false;
        int r;
        if (peek(p) == '.') {
                is_float = true;
                p->pos++;
                if (!is_digit(peek(p)))
                        return toml_parser_fail(p, start,
                                                "expected a digit after the decimal point");
                if (text_buf_putc(digits, '.') < 0)
                        return toml_parser_oom(p);
                r = read_digits(p, 10, digits);
                if (r < 0)
                        return r;
        }
        int c = peek(p);
        if (c == 'e' || c == 'E') {
                is_float = true;
                p->pos++;
                if (text_buf_putc(digits, 'e') < 0)
                        return toml_parser_oom(p);
                c = peek(p);
                if (c == '+' || c == '-') {
                        if (text_buf_putc(digits, (char)c) < 0)
                                return toml_parser_oom(p);
                        p->pos++;
                }
                if (!is_digit(peek(p)))
                        return toml_parser_fail(p, start, "expected digits in the exponent");
                r = read_digits(p, 10, digits);
                if (r < 0)
                        return r;
        }
        *ret_is_float = is_float;
        return 0;
}

/* The float whose digits (with "." and "e") were read. */
static int make_float_from(parser *p, size_t start, bool negative, const text_buf *digits,
                           nvct_toml_value **ret) {
        /* strtod() honours the locale's decimal point, so spell it that way. */
        _cleanup_(text_buf_clear) text_buf number = {};
        const char *decimal_point = localeconv()->decimal_point;
        if (decimal_point == NULL || decimal_point[0] == '\0')
                decimal_point = ".";
        if (negative && text_buf_putc(&number, '-') < 0)
                return toml_parser_oom(p);
        for (size_t i = 0; i < digits->len; i++) {
                int r = digits->data[i] == '.'
                                ? text_buf_append(&number, decimal_point, strlen(decimal_point))
                                : text_buf_putc(&number, digits->data[i]);
                if (r < 0)
                        return toml_parser_oom(p);
        }
        char *end = NULL;
        errno = 0;
        double d = strtod(number.data, &end);
        if (end == NULL || *end != '\0')
                return toml_parser_fail(p, start, "invalid float");
        if (errno == ERANGE && isinf(d))
                return toml_parser_fail(p, start, "float out of range");
        return make_float(p, d, ret);
}

int toml_parse_number(parser *p, nvct_toml_value **ret) {
        _cleanup_(text_buf_clear) text_buf digits = {};
        size_t start = p->pos;
        bool negative = false, has_sign = false;

        int c = peek(p);
        if (c == '+' || c == '-') {
                negative = c == '-';
                has_sign = true;
                p->pos++;
        }
        if (p->len - p->pos >= 3 &&
            (memcmp(p->data + p->pos, "inf", 3) == 0 || memcmp(p->data + p->pos, "nan", 3) == 0)) {
                bool is_nan = p->data[p->pos] == 'n';
                p->pos += 3;
                double d = is_nan ? NAN : INFINITY;
                return make_float(p, negative ? -d : d, ret);
        }
        if (!has_sign && peek(p) == '0' &&
            (peek_at(p, 1) == 'x' || peek_at(p, 1) == 'o' || peek_at(p, 1) == 'b'))
                return parse_prefixed_integer(p, start, ret);

        if (!is_digit(peek(p)))
                return toml_parser_fail(p, start, "invalid number");
        if (peek(p) == '0' && (is_digit(peek_at(p, 1)) || peek_at(p, 1) == '_'))
                return toml_parser_fail(p, start, "leading zeros are not allowed");
        int r = read_digits(p, 10, &digits);
        if (r < 0)
                return r;
        size_t n_integer_digits = digits.len;
        bool is_float = false;
        if (read_float_tail(p, start, &digits, &is_float) < 0)
                return -1;
        if (is_float)
                return make_float_from(p, start, negative, &digits, ret);

        uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        uint64_t acc = 0;
        for (size_t i = 0; i < n_integer_digits; i++) {
                unsigned d = (unsigned)(digits.data[i] - '0');
                if (acc > (limit - d) / 10)
                        return toml_parser_fail(p, start, "integer does not fit in 64 bits");
                acc = acc * 10 + d;
        }
        int64_t i = acc > (uint64_t)INT64_MAX ? INT64_MIN : negative ? -(int64_t)acc : (int64_t)acc;
        return make_integer(p, i, ret);
}
