/* SPDX-License-Identifier: Apache-2.0 */
/* libnvidia-container's requirement grammar; see require.h for the rules and
 * where this differs from its dsl.c. Everything works on (pointer, length)
 * spans of the caller's bytes: nothing is copied, nothing is allocated until
 * a message is built, and each pass over the expression is linear. */
#define _GNU_SOURCE
#include "require.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/quote.h"

typedef enum { PRED_CUDA, PRED_DRIVER, PRED_ARCH, PRED_BRAND, PRED_COUNT } predicate;
typedef enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } comparator;

static const char *const predicate_names[PRED_COUNT] = { "cuda", "driver", "arch", "brand" };

/* dsl.c's operator table, matched the way it matches: the whole run of
 * operator bytes must be a prefix of one of these, the first in this order
 * winning, so "!" alone is !=, and "==" or "=<" are no operator. */
static const struct {
        const char *text;
        comparator cmp;
} operators[] = {
        { "=", CMP_EQ },  { "!=", CMP_NE }, { "<", CMP_LT },
        { "<=", CMP_LE }, { ">", CMP_GT },  { ">=", CMP_GE },
};

typedef struct condition {
        predicate pred;
        comparator cmp;
        const char *value;
        size_t value_len;
} condition;

/* What is being checked, for messages and for evaluation. */
typedef struct require_ctx {
        const char *expr;
        size_t len;
        const char *origin;
        const nvct_require_host *host;
        const nvct_require_gpu *gpu; /* NULL: no GPU (arch and brand hold) */
        size_t gpu_index;
        unsigned failed; /* 1 << predicate for each condition that did not hold */
} require_ctx;

static bool is_operator_byte(char c) {
        return c == '<' || c == '>' || c == '=' || c == '!';
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static char ascii_lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* strcasecmp's equality (libnvidia-container's str_case_equal) on spans. */
static bool span_case_equal(const char *a, size_t alen, const char *b, size_t blen) {
        if (alen != blen)
                return false;
        for (size_t i = 0; i < alen; i++)
                if (ascii_lower(a[i]) != ascii_lower(b[i]))
                        return false;
        return true;
}

/* A name shown as is when it is plain, else quoted: the origin is a variable
 * name, part of which comes from the image. */
static char *show(const char *s, size_t len) {
        if (nvct_is_plain(s, len))
                return strndup(s, len);
        return nvct_quote(s, len);
}

static const char *shown(const char *s) {
        return s != NULL ? s : "(out of memory)";
}

/* One dotted part of a valid version at v[*pos], which is a digit; moves
 * *pos past it and the dots after it. */
static uintmax_t version_part(const char *v, size_t len, size_t *pos) {
        uintmax_t n = 0;
        size_t i = *pos;
        for (; i < len && is_digit(v[i]); i++)
                n = n * 10 + (uintmax_t)(v[i] - '0');
        while (i < len && v[i] == '.')
                i++;
        *pos = i;
        return n;
}

/* Whether v is a version dsl.c compares: digits and dots only, a digit first
 * (strtoumax finds no number at a dot), no part reaching UINTMAX_MAX (its
 * overflow value, which dsl.c refuses). */
static bool version_valid(const char *v, size_t len) {
        if (len == 0 || !is_digit(v[0]))
                return false;
        uintmax_t n = 0;
        for (size_t i = 0; i < len; i++) {
                if (v[i] == '.') {
                        n = 0;
                        continue;
                }
                if (!is_digit(v[i]))
                        return false;
                unsigned d = (unsigned)(v[i] - '0');
                if (n > (UINTMAX_MAX - d) / 10)
                        return false;
                n = n * 10 + d;
                if (n == UINTMAX_MAX)
                        return false;
        }
        return true;
}

/* Whether the rest of a version from pos has a part other than 0: dsl.c
 * skips dots and zeros and looks for anything left. */
static bool version_rest_nonzero(const char *v, size_t len, size_t pos) {
        for (; pos < len; pos++)
                if (v[pos] != '.' && v[pos] != '0')
                        return true;
        return false;
}

/* <0, 0, >0 as a is below, equal to or above b; both valid. Parts compare as
 * numbers and missing parts as 0, so 12 = 12.0 = 12.0.0 and 12.10 > 12.9. */
static int version_compare(const char *a, size_t alen, const char *b, size_t blen) {
        size_t i = 0, j = 0;
        while (i < alen && j < blen) {
                uintmax_t x = version_part(a, alen, &i);
                uintmax_t y = version_part(b, blen, &j);
                if (x != y)
                        return x < y ? -1 : 1;
        }
        if (version_rest_nonzero(a, alen, i))
                return 1;
        if (version_rest_nonzero(b, blen, j))
                return -1;
        return 0;
}

static bool compare_holds(comparator cmp, int c) {
        switch (cmp) {
        case CMP_EQ:
                return c == 0;
        case CMP_NE:
                return c != 0;
        case CMP_LT:
                return c < 0;
        case CMP_LE:
                return c <= 0;
        case CMP_GT:
                return c > 0;
        case CMP_GE:
                return c >= 0;
        }
        return false;
}

/* The one-line message for a requirement that cannot be evaluated:
 * `invalid requirement "EXPR" (ORIGIN): condition "COND": WHAT`. */
static int syntax_error(const require_ctx *ctx, const char *cond, size_t cond_len, nvct_error **err,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int syntax_error(const require_ctx *ctx, const char *cond, size_t cond_len, nvct_error **err,
                        const char *fmt, ...) {
        _cleanup_free_ char *what = NULL;
        _cleanup_free_ char *qexpr = nvct_quote(ctx->expr, ctx->len);
        _cleanup_free_ char *origin = show(ctx->origin, strlen(ctx->origin));
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&what, fmt, ap);
        va_end(ap);
        if (n < 0)
                what = NULL;
        if (cond == NULL)
                return nvct_error_make(err, 0, "invalid requirement %s (%s): %s",
                                       nvct_quoted(qexpr), shown(origin), shown(what));
        _cleanup_free_ char *qcond = nvct_quote(cond, cond_len);
        return nvct_error_make(err, 0, "invalid requirement %s (%s): condition %s: %s",
                               nvct_quoted(qexpr), shown(origin), nvct_quoted(qcond), shown(what));
}

/* Splits one condition, checking it whole. dsl.c's order: the predicate's
 * text runs to the first operator byte, the operator is the whole run of
 * operator bytes, the value is the rest (operator bytes included). */
static int parse_condition(const require_ctx *ctx, const char *c, size_t len, condition *ret_cond,
                           nvct_error **err) {
        size_t name_len = 0;
        while (name_len < len && !is_operator_byte(c[name_len]))
                name_len++;
        if (name_len == len)
                return syntax_error(ctx, c, len, err, "no operator (one of = != < <= > >=)");
        if (name_len == 0)
                return syntax_error(ctx, c, len, err, "no predicate before the operator");
        size_t op_len = 0;
        while (name_len + op_len < len && is_operator_byte(c[name_len + op_len]))
                op_len++;
        const char *op = c + name_len;
        size_t k = 0;
        while (k < ARRAY_SIZE(operators) &&
               (op_len > strlen(operators[k].text) || memcmp(op, operators[k].text, op_len) != 0))
                k++;
        if (k == ARRAY_SIZE(operators)) {
                _cleanup_free_ char *qop = nvct_quote(op, op_len);
                return syntax_error(ctx, c, len, err, "unknown operator %s (one of = != < <= > >=)",
                                    nvct_quoted(qop));
        }
        condition cond = { .cmp = operators[k].cmp,
                           .value = op + op_len,
                           .value_len = len - name_len - op_len };
        if (cond.value_len == 0)
                return syntax_error(ctx, c, len, err, "empty value");
        size_t p = 0;
        while (p < PRED_COUNT &&
               !span_case_equal(c, name_len, predicate_names[p], strlen(predicate_names[p])))
                p++;
        if (p == PRED_COUNT) {
                _cleanup_free_ char *qname = nvct_quote(c, name_len);
                return syntax_error(ctx, c, len, err,
                                    "unknown predicate %s (one of cuda, driver, arch, brand)",
                                    nvct_quoted(qname));
        }
        cond.pred = (predicate)p;
        if (cond.pred == PRED_BRAND) {
                if (cond.cmp != CMP_EQ && cond.cmp != CMP_NE)
                        return syntax_error(ctx, c, len, err, "brand takes only = and !=, not %s",
                                            operators[k].text);
        } else if (!version_valid(cond.value, cond.value_len)) {
                _cleanup_free_ char *qvalue = nvct_quote(cond.value, cond.value_len);
                return syntax_error(ctx, c, len, err,
                                    "%s is not a version (digits and dots, a digit first, "
                                    "each part below 2^64-1)",
                                    nvct_quoted(qvalue));
        }
        *ret_cond = cond;
        return 0;
}

/* A host's version against a condition's: 1 held, 0 not, -1 when the host's
 * text is no version (dsl.c fails the whole requirement then). */
static int check_version(const require_ctx *ctx, const char *what, const char *host_value,
                         const condition *cond, nvct_error **err) {
        size_t hlen = strlen(host_value);
        if (!version_valid(host_value, hlen)) {
                _cleanup_free_ char *qexpr = nvct_quote(ctx->expr, ctx->len);
                _cleanup_free_ char *qhost = nvct_quote(host_value, hlen);
                _cleanup_free_ char *origin = show(ctx->origin, strlen(ctx->origin));
                return nvct_error_make(err, 0,
                                       "cannot check requirement %s (%s): %s %s is not a version",
                                       nvct_quoted(qexpr), shown(origin), what, nvct_quoted(qhost));
        }
        return compare_holds(cond->cmp,
                             version_compare(host_value, hlen, cond->value, cond->value_len));
}

/* One condition against the host and ctx's GPU: 1 held, 0 not, -1 error.
 * Unknown facts hold, as configure.c's check_* functions decide. */
static int eval_condition(require_ctx *ctx, const char *c, size_t len, nvct_error **err) {
        condition cond;
        if (parse_condition(ctx, c, len, &cond, err) < 0)
                return -1;
        int r = 1;
        switch (cond.pred) {
        case PRED_CUDA:
                if (ctx->host->cuda != NULL)
                        r = check_version(ctx, "the host's CUDA driver version", ctx->host->cuda,
                                          &cond, err);
                break;
        case PRED_DRIVER:
                if (ctx->host->driver != NULL)
                        r = check_version(ctx, "the host's driver version", ctx->host->driver,
                                          &cond, err);
                break;
        case PRED_ARCH:
                /* configure.c would read a NULL arch; unknown holds here as
                 * an unknown brand does there. */
                if (ctx->gpu != NULL && ctx->gpu->arch != NULL)
                        r = check_version(ctx, "the GPU's compute capability", ctx->gpu->arch,
                                          &cond, err);
                break;
        case PRED_BRAND:
                if (ctx->gpu != NULL && ctx->gpu->brand != NULL) {
                        bool eq = span_case_equal(ctx->gpu->brand, strlen(ctx->gpu->brand),
                                                  cond.value, cond.value_len);
                        r = cond.cmp == CMP_EQ ? eq : !eq;
                }
                break;
        case PRED_COUNT:
                break;
        }
        if (r == 0)
                ctx->failed |= 1u << cond.pred;
        return r;
}

/* The end of the span from `from` to the next `sep` or `end`. */
static size_t span_end(const char *s, size_t from, size_t end, char sep) {
        const char *p = from < end ? memchr(s + from, sep, end - from) : NULL;
        return p != NULL ? (size_t)(p - s) : end;
}

/* dsl_evaluate's loop on the whole expression for ctx's GPU: 1 held, 0 not,
 * -1 error. Groups are split at each space, conditions at each comma, as
 * strsep does; the result is that of the last condition evaluated. */
static int eval_expr(require_ctx *ctx, nvct_error **err) {
        int ret = 1;
        for (size_t g = 0; g <= ctx->len;) {
                size_t gend = span_end(ctx->expr, g, ctx->len, ' ');
                size_t start = g;
                g = gend + 1;
                if (gend == start)
                        continue;
                bool all_held = true;
                for (size_t c = start; c <= gend;) {
                        size_t cend = span_end(ctx->expr, c, gend, ',');
                        size_t cstart = c;
                        c = cend + 1;
                        if (cend == cstart)
                                continue;
                        ret = eval_condition(ctx, ctx->expr + cstart, cend - cstart, err);
                        if (ret < 0)
                                return -1;
                        if (ret == 0) {
                                all_held = false;
                                break;
                        }
                }
                /* A group whose conditions all held, or that had none. */
                if (all_held)
                        break;
        }
        return ret;
}

/* Appends "; PART" (or the first PART) to *msg. -1 on OOM. */
static int append(char **msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int append(char **msg, const char *fmt, ...) {
        _cleanup_free_ char *part = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&part, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -1;
        char *joined = NULL;
        if (asprintf(&joined, "%s%s%s", *msg ? *msg : "", *msg ? "; " : "", part) < 0)
                return -1;
        free(*msg);
        *msg = joined;
        return 0;
}

/* The unmet message: the requirement and the host's facts that failed. */
static int unsatisfied(const require_ctx *ctx, nvct_error **err) {
        const nvct_require_host *h = ctx->host;
        _cleanup_free_ char *facts = NULL;
        _cleanup_free_ char *cuda = h->cuda ? show(h->cuda, strlen(h->cuda)) : NULL;
        _cleanup_free_ char *driver = h->driver ? show(h->driver, strlen(h->driver)) : NULL;
        const nvct_require_gpu *gpu = ctx->gpu;
        _cleanup_free_ char *arch = gpu && gpu->arch ? show(gpu->arch, strlen(gpu->arch)) : NULL;
        _cleanup_free_ char *brand =
                gpu && gpu->brand ? show(gpu->brand, strlen(gpu->brand)) : NULL;
        int r = 0;
        if (ctx->failed & (1u << PRED_CUDA))
                r |= append(&facts,
                            "the host's CUDA driver version is %s (please update the driver, or "
                            "use an earlier CUDA image)",
                            shown(cuda));
        if (ctx->failed & (1u << PRED_DRIVER))
                r |= append(&facts, "the host's driver version is %s", shown(driver));
        if (ctx->failed & (1u << PRED_ARCH))
                r |= append(&facts, "GPU %zu's compute capability is %s", ctx->gpu_index,
                            shown(arch));
        if (ctx->failed & (1u << PRED_BRAND))
                r |= append(&facts, "GPU %zu's brand is %s", ctx->gpu_index, shown(brand));
        _cleanup_free_ char *qexpr = nvct_quote(ctx->expr, ctx->len);
        _cleanup_free_ char *origin = show(ctx->origin, strlen(ctx->origin));
        return nvct_error_make(err, 0, "unsatisfied requirement %s (%s): %s", nvct_quoted(qexpr),
                               shown(origin), r == 0 && facts ? facts : "(no condition held)");
}

/* What is refused before anything is evaluated: a NUL (no environment
 * variable or nvidia-container-cli argument holds one) and the size bound. */
static int check_bytes(const require_ctx *ctx, nvct_error **err) {
        if (ctx->len > NVCT_REQUIRE_MAX)
                return syntax_error(ctx, NULL, 0, err, "longer than %d bytes", NVCT_REQUIRE_MAX);
        if (memchr(ctx->expr, '\0', ctx->len) != NULL)
                return syntax_error(ctx, NULL, 0, err, "contains a NUL byte");
        return 0;
}

int nvct_require_check(const char *expr, size_t len, const char *origin,
                       const nvct_require_host *host, nvct_error **err) {
        require_ctx ctx = {
                .expr = expr, .len = len, .origin = origin ? origin : "requirement", .host = host
        };
        if (check_bytes(&ctx, err) < 0)
                return -1;
        /* configure.c: once per GPU the container gets, or once with none. */
        size_t n = host->n_gpus > 0 ? host->n_gpus : 1;
        for (size_t i = 0; i < n; i++) {
                ctx.gpu = host->n_gpus > 0 ? &host->gpus[i] : NULL;
                ctx.gpu_index = i;
                ctx.failed = 0;
                int r = eval_expr(&ctx, err);
                if (r < 0)
                        return -1;
                if (r == 0)
                        return unsatisfied(&ctx, err);
        }
        return 0;
}

int nvct_require_validate(const char *expr, size_t len, const char *origin, nvct_error **err) {
        require_ctx ctx = { .expr = expr, .len = len, .origin = origin ? origin : "requirement" };
        if (check_bytes(&ctx, err) < 0)
                return -1;
        for (size_t c = 0; c <= len;) {
                size_t end = c;
                while (end < len && expr[end] != ' ' && expr[end] != ',')
                        end++;
                condition cond;
                if (end > c && parse_condition(&ctx, expr + c, end - c, &cond, err) < 0)
                        return -1;
                c = end + 1;
        }
        return 0;
}

const char *nvct_require_brand_name(int nvml_brand) {
        /* libnvidia-container's driver.c names these "Quadro", "Tesla",
         * "GRID", "NvidiaVApps", ...; it compares them ignoring case, and the
         * CUDA images write them lower-case ("brand=nvidiartx"). */
        static const char *const names[] = {
                [0] = "unknown",     [1] = "quadro",      [2] = "tesla",
                [3] = "nvs",         [4] = "grid",        [5] = "geforce",
                [6] = "titan",       [7] = "nvidiavapps", [8] = "nvidiavpc",
                [9] = "nvidiavcs",   [10] = "nvidiavws",  [11] = "nvidiacloudgaming",
                [12] = "quadrortx",  [13] = "nvidiartx",  [14] = "nvidia",
                [15] = "geforcertx", [16] = "titanrtx",
        };
        if (nvml_brand < 0 || (size_t)nvml_brand >= ARRAY_SIZE(names))
                return "unknown";
        return names[nvml_brand];
}
