/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for jsonfeed.c: yajl fed whole tokens, whatever the chunks. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "formats/jsonfeed.h"
#include "basic/quote.h"
#include "testutil.h"

/* A client that logs every event, with strings shown by length, head and
 * tail, and whether the feed said they were cut. */
typedef struct recorder {
        FILE *log;
        char *text;
        size_t text_len;
        size_t depth;
        bool done;
        nvct_json_feed *feed;
        size_t max_string_seen;
} recorder;

static void note(recorder *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(recorder *r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vfprintf(r->log, fmt, ap);
        va_end(ap);
        fputc(' ', r->log);
}

static void value_done(recorder *r) {
        if (r->depth == 0)
                r->done = true;
}

static int on_null(void *ctx) {
        note(ctx, "null");
        value_done(ctx);
        return 1;
}
static int on_bool(void *ctx, int b) {
        note(ctx, "%s", b ? "true" : "false");
        value_done(ctx);
        return 1;
}
static int on_number(void *ctx, const char *s, size_t len) {
        recorder *r = ctx;
        if (len > 40)
                note(r, "n%s(%zu:%.8s..%.8s)", nvct_json_feed_truncated(r->feed) ? "!" : "", len, s,
                     s + len - 8);
        else
                note(r, "n%s(%.*s)", nvct_json_feed_truncated(r->feed) ? "!" : "", (int)len, s);
        value_done(r);
        return 1;
}
static void string_note(recorder *r, char kind, const unsigned char *s, size_t len) {
        if (len > r->max_string_seen)
                r->max_string_seen = len;
        _cleanup_free_ char *head = nvct_quote_full((const char *)s, len < 8 ? len : 8);
        _cleanup_free_ char *tail =
                nvct_quote_full((const char *)s + (len < 8 ? 0 : len - 8), len < 8 ? len : 8);
        note(r, "%c%s(%zu:%s..%s)", kind, nvct_json_feed_truncated(r->feed) ? "!" : "", len, head,
             tail);
}
static int on_string(void *ctx, const unsigned char *s, size_t len) {
        string_note(ctx, 's', s, len);
        value_done(ctx);
        return 1;
}
static int on_key(void *ctx, const unsigned char *s, size_t len) {
        string_note(ctx, 'k', s, len);
        return 1;
}
static int on_open(void *ctx) {
        recorder *r = ctx;
        note(r, "(");
        r->depth++;
        return 1;
}
static int on_close(void *ctx) {
        recorder *r = ctx;
        note(r, ")");
        r->depth--;
        value_done(r);
        return 1;
}

static const yajl_callbacks callbacks = {
        .yajl_null = on_null,
        .yajl_boolean = on_bool,
        .yajl_number = on_number,
        .yajl_string = on_string,
        .yajl_map_key = on_key,
        .yajl_start_map = on_open,
        .yajl_end_map = on_close,
        .yajl_start_array = on_open,
        .yajl_end_array = on_close,
};

#define MAX_STRING 64

/* The events for `doc` pushed in chunks of `chunk` bytes (0: one push),
 * then "ERROR: message" when it failed. */
static char *run(const char *doc, size_t len, size_t chunk, size_t *ret_max_string) {
        recorder r = { 0 };
        r.log = open_memstream(&r.text, &r.text_len);
        assert_non_null(r.log);
        _cleanup_error_ nvct_error *err = NULL;
        r.feed = nvct_json_feed_new(&callbacks, &r, "doc", MAX_STRING, &r.done, &err);
        assert_non_null(r.feed);
        _cleanup_free_ char *copy = nvct_memdup0(doc, len);
        int rc = 0;
        if (chunk == 0)
                chunk = len > 0 ? len : 1;
        for (size_t off = 0; off < len && rc == 0 && !r.done; off += chunk) {
                size_t n = len - off < chunk ? len - off : chunk;
                rc = nvct_json_feed_push(r.feed, copy + off, n);
        }
        if (rc == 0)
                rc = nvct_json_feed_finish(r.feed);
        if (rc < 0)
                fprintf(r.log, "ERROR: %s", err ? err->msg : "(no message)");
        else
                assert_null(err);
        nvct_json_feed_free(r.feed);
        fclose(r.log);
        if (ret_max_string != NULL)
                *ret_max_string = r.max_string_seen;
        return r.text;
}

/* The same events whatever the chunks, down to one byte at a time. */
static void assert_chunk_invariant(const char *doc, size_t len, const char *want) {
        _cleanup_free_ char *whole = run(doc, len, 0, NULL);
        if (want != NULL && strcmp(whole, want) != 0) {
                print_error("doc %.60s\n got: %s\nwant: %s\n", doc, whole, want);
                fail();
        }
        for (size_t chunk = 1; chunk <= len; chunk++) {
                _cleanup_free_ char *got = run(doc, len, chunk, NULL);
                if (strcmp(got, whole) != 0) {
                        print_error("doc %.60s, chunks of %zu:\n got: %s\nwant: %s\n", doc, chunk,
                                    got, whole);
                        fail();
                }
        }
}

#define INVARIANT(doc, want) assert_chunk_invariant(doc, sizeof(doc) - 1, want)

static void test_events_do_not_depend_on_chunks(void **state) {
        (void)state;
        INVARIANT("{\"a\":[1,-2.5e+3,true,false,null,\"x\"]}",
                  "( k(1:\"a\"..\"a\") ( n(1) n(-2.5e+3) true false null s(1:\"x\"..\"x\") ) ) ");
        INVARIANT("{\"k\\\"\\\\\":\"v\\\\\\\"\\n\"}", NULL);
        INVARIANT("[\"\\\\\",\"\\\\\\\\\",\"a\\\"b\"]", NULL);
        INVARIANT("  [ 0 , 10 , 0.5 , 1E9 , -0 ]  ", NULL);
        INVARIANT("[\"\\ud83d\\ude00\",\"\\ud800\",\"\\udc00x\",\"\\ud800\\u0041\"]", NULL);
        INVARIANT("123", "n(123) ");
        INVARIANT("{\"a\":1} trailing \f garbage \"unterminated", "( k(1:\"a\"..\"a\") n(1) ) ");
}

static void test_lone_surrogates_become_replacement_characters(void **state) {
        (void)state;
        INVARIANT("[\"\\ud800\",\"\\udfff\",\"\\ud83d\\ude00\"]",
                  "( s(3:\"\\xef\\xbf\\xbd\"..\"\\xef\\xbf\\xbd\") "
                  "s(3:\"\\xef\\xbf\\xbd\"..\"\\xef\\xbf\\xbd\") "
                  "s(4:\"\\xf0\\x9f\\x98\\x80\"..\"\\xf0\\x9f\\x98\\x80\") ) ");
}

static void test_errors_do_not_depend_on_chunks(void **state) {
        (void)state;
        /* Go refuses form feed and vertical tab as white space. */
        INVARIANT("[1,\f2]", "( n(1) ERROR: doc: invalid JSON: invalid character '\\f'");
        INVARIANT("[1,\v2]", "( n(1) ERROR: doc: invalid JSON: invalid character '\\v'");
        INVARIANT("[\"abc", "( ERROR: doc: invalid JSON: parse error: premature EOF");
        INVARIANT("{\"a\":",
                  "( k(1:\"a\"..\"a\") ERROR: doc: invalid JSON: parse error: premature EOF");
        INVARIANT("", "ERROR: doc: invalid JSON: parse error: premature EOF");
        INVARIANT("[\"a\\qb\"]", NULL);
        INVARIANT("[1.]", NULL);
        INVARIANT("[-]", NULL);
}

/* A document whose one string holds `n` copies of `piece`. */
static char *long_string_doc(const char *before, const char *piece, size_t n, const char *after,
                             size_t *ret_len) {
        size_t plen = strlen(piece);
        size_t len = strlen(before) + plen * n + strlen(after);
        char *doc = malloc(len + 1);
        assert_non_null(doc);
        char *w = stpcpy(doc, before);
        for (size_t i = 0; i < n; i++)
                w = mempcpy(w, piece, plen);
        strcpy(w, after);
        *ret_len = len;
        return doc;
}

static void test_long_string_is_cut(void **state) {
        (void)state;
        size_t raw = nvct_json_feed_max_raw_string(MAX_STRING);
        /* Escapes that decode to a sixth of their length: still over the
         * limit once cut, and the cut string says so. */
        size_t len = 0;
        _cleanup_free_ char *doc = long_string_doc("[\"", "\\u003c", raw, "\",7]", &len);
        size_t max_seen = 0;
        _cleanup_free_ char *ev = run(doc, len, 0, &max_seen);
        assert_contains(ev, "s!(");
        assert_contains(ev, "n(7) ) ");
        assert_true(max_seen > MAX_STRING);
        assert_true(max_seen <= raw);
        /* Whatever the chunks: the same events. */
        for (size_t chunk = 1; chunk < 64; chunk += 7) {
                _cleanup_free_ char *got = run(doc, len, chunk, NULL);
                assert_string_equal(got, ev);
        }
        _cleanup_free_ char *got = run(doc, len, raw / 3, NULL);
        assert_string_equal(got, ev);
}

static void test_string_at_the_bound_is_whole(void **state) {
        (void)state;
        size_t raw = nvct_json_feed_max_raw_string(MAX_STRING);
        size_t len = 0;
        /* Quotes included, exactly raw bytes: not cut. */
        _cleanup_free_ char *doc = long_string_doc("[\"", "a", raw - 2, "\"]", &len);
        _cleanup_free_ char *ev = run(doc, len, 5, NULL);
        _cleanup_free_ char *want = xasprintf("( s(%zu:\"aaaaaaaa\"..\"aaaaaaaa\") ) ", raw - 2);
        assert_string_equal(ev, want);
        /* One more byte: cut. */
        _cleanup_free_ char *doc2 = long_string_doc("[\"", "a", raw - 1, "\"]", &len);
        _cleanup_free_ char *ev2 = run(doc2, len, 5, NULL);
        assert_contains(ev2, "s!(");
}

static void test_rest_of_a_cut_string_is_validated(void **state) {
        (void)state;
        size_t raw = nvct_json_feed_max_raw_string(MAX_STRING);
        size_t len = 0;
        _cleanup_free_ char *bad_escape = long_string_doc("[\"", "ab", raw, "\\q\"]", &len);
        _cleanup_free_ char *ev = run(bad_escape, len, 3, NULL);
        assert_contains(ev, "ERROR: doc: invalid JSON: invalid character inside string");

        _cleanup_free_ char *control = long_string_doc("[\"", "ab", raw, "\n\"]", &len);
        _cleanup_free_ char *ev2 = run(control, len, 0, NULL);
        assert_contains(ev2, "ERROR: doc: invalid JSON: invalid character inside string");

        _cleanup_free_ char *bad_hex = long_string_doc("[\"", "ab", raw, "\\u12x4\"]", &len);
        _cleanup_free_ char *ev3 = run(bad_hex, len, 0, NULL);
        assert_contains(ev3, "ERROR: doc:");

        _cleanup_free_ char *open = long_string_doc("[\"", "ab", raw, "", &len);
        _cleanup_free_ char *ev4 = run(open, len, 100, NULL);
        assert_contains(ev4, "ERROR: doc: unexpected end of JSON input");

        /* Escaped quotes and backslashes in the skipped part. */
        _cleanup_free_ char *escaped = long_string_doc("[\"", "\\\"\\\\", raw, "\\\\\",1]", &len);
        _cleanup_free_ char *ev5 = run(escaped, len, 7, NULL);
        assert_contains(ev5, "s!(");
        assert_contains(ev5, "n(1) ) ");
}

static void test_cut_never_splits_an_escape(void **state) {
        (void)state;
        size_t raw = nvct_json_feed_max_raw_string(MAX_STRING);
        /* Shift the escapes across the cut point one byte at a time. */
        for (size_t shift = 0; shift < 12; shift++) {
                size_t len = 0;
                _cleanup_free_ char *prefix = malloc(shift + 3);
                assert_non_null(prefix);
                strcpy(prefix, "[\"");
                memset(prefix + 2, 'x', shift);
                prefix[2 + shift] = '\0';
                _cleanup_free_ char *doc =
                        long_string_doc(prefix, "\\ud83d\\ude00", raw / 12 + 2, "\"]", &len);
                _cleanup_free_ char *ev = run(doc, len, 0, NULL);
                assert_contains(ev, "s!(");
                assert_contains(ev, ") ");
                assert_null(strstr(ev, "ERROR"));
        }
}

static void test_long_key_is_cut(void **state) {
        (void)state;
        size_t raw = nvct_json_feed_max_raw_string(MAX_STRING);
        size_t len = 0;
        _cleanup_free_ char *doc = long_string_doc("{\"", "k", raw * 3, "\":1,\"a\":2}", &len);
        _cleanup_free_ char *ev = run(doc, len, 1000, NULL);
        assert_contains(ev, "k!(");
        assert_contains(ev, "n(1) k(1:\"a\"..\"a\") n(2) ) ");
}

static void test_long_number_is_cut(void **state) {
        (void)state;
        size_t len = 0;
        _cleanup_free_ char *doc =
                long_string_doc("[1", "0", 3 * NVCT_JSON_MAX_NUMBER_TEXT, ",2]", &len);
        _cleanup_free_ char *ev = run(doc, len, 0, NULL);
        _cleanup_free_ char *want =
                xasprintf("( n!(%u:10000000..00000000) n(2) ) ", NVCT_JSON_MAX_NUMBER_TEXT);
        assert_string_equal(ev, want);
        _cleanup_free_ char *chunked = run(doc, len, 333, NULL);
        assert_string_equal(chunked, want);

        /* Cut in the fraction or exponent: completed, then the rest checked. */
        _cleanup_free_ char *frac =
                long_string_doc("[0.", "5", 2 * NVCT_JSON_MAX_NUMBER_TEXT, "e+7]", &len);
        _cleanup_free_ char *ev2 = run(frac, len, 0, NULL);
        assert_contains(ev2, "n!(");
        assert_contains(ev2, ") ");
        assert_null(strstr(ev2, "ERROR"));

        _cleanup_free_ char *bad =
                long_string_doc("[1", "0", 2 * NVCT_JSON_MAX_NUMBER_TEXT, "e]", &len);
        _cleanup_free_ char *ev3 = run(bad, len, 0, NULL);
        assert_contains(ev3, "ERROR: doc: invalid JSON: malformed number");

        _cleanup_free_ char *end =
                long_string_doc("", "9", 2 * NVCT_JSON_MAX_NUMBER_TEXT, "", &len);
        _cleanup_free_ char *ev4 = run(end, len, 1000, NULL);
        assert_contains(ev4, "n!(");
        assert_null(strstr(ev4, "ERROR"));
}

/* A string much longer than the chunks (but under the bound) arrives whole
 * and uncut, as from a single push. That each token is lexed once is shown
 * end to end by the black-box suite (a 60 MiB document ends in time). */
static void test_long_token_across_many_chunks(void **state) {
        (void)state;
        size_t raw = nvct_json_feed_max_raw_string(MAX_STRING);
        size_t len = 0;
        _cleanup_free_ char *doc = long_string_doc("[\"", "\\n", raw / 2 - 4, "\",\"end\"]", &len);
        _cleanup_free_ char *whole = run(doc, len, 0, NULL);
        _cleanup_free_ char *tiny = run(doc, len, 3, NULL);
        assert_string_equal(whole, tiny);
        assert_null(strstr(whole, "s!("));
        assert_contains(whole, "s(3:\"end\"..\"end\") ) ");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_events_do_not_depend_on_chunks),
                cmocka_unit_test(test_lone_surrogates_become_replacement_characters),
                cmocka_unit_test(test_errors_do_not_depend_on_chunks),
                cmocka_unit_test(test_long_string_is_cut),
                cmocka_unit_test(test_string_at_the_bound_is_whole),
                cmocka_unit_test(test_rest_of_a_cut_string_is_validated),
                cmocka_unit_test(test_cut_never_splits_an_escape),
                cmocka_unit_test(test_long_key_is_cut),
                cmocka_unit_test(test_long_number_is_cut),
                cmocka_unit_test(test_long_token_across_many_chunks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
