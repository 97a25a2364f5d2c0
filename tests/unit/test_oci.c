/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the readers of the container state and of config.json.
 * The expected results are what the reference hook's encoding/json decoding
 * (json.NewDecoder(r).Decode into HookState / *Spec, then isPrivileged's
 * json.Unmarshal of process.capabilities) makes of the same bytes.
 *
 * For readability, JSON in these tests is written with ' for " and turned
 * into real JSON by tr() before parsing; the *_raw helpers take exact
 * bytes. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci/env.h"
#include "basic/error.h"
#include "config/hookconfig.h"
#include "oci/oci.h"
#include "policy/specfilter.h"

#define NAME "/bundle/config.json"
/* A literal's bytes, NULs included, and its length. */
#define RAW(s) (s), (sizeof(s) - 1)

/* ---- helpers ---- */

static char *tr(const char *s) {
        char *out = strdup(s);
        assert_non_null(out);
        for (char *p = out; *p != '\0'; p++)
                if (*p == '\'')
                        *p = '"';
        return out;
}

static void assert_bytes(const char *got, size_t got_len, const char *want, size_t want_len) {
        assert_non_null(got);
        if (got_len != want_len || memcmp(got, want, want_len) != 0) {
                print_error("got %zu bytes:", got_len);
                for (size_t i = 0; i < got_len; i++)
                        print_error(" %02x", (unsigned char)got[i]);
                print_error("\nwant %zu bytes:", want_len);
                for (size_t i = 0; i < want_len; i++)
                        print_error(" %02x", (unsigned char)want[i]);
                print_error("\n");
                fail();
        }
        /* Always NUL-terminated after the bytes. */
        assert_int_equal(got[got_len], '\0');
}

static void assert_str(const char *got, size_t got_len, const char *want) {
        assert_bytes(got, got_len, want, strlen(want));
}

static bool bytes_equal(const char *got, size_t got_len, const char *want, size_t want_len) {
        if (got != NULL && got_len == want_len && memcmp(got, want, want_len) == 0)
                return true;
        print_error("got %zu bytes:", got_len);
        for (size_t i = 0; got != NULL && i < got_len; i++)
                print_error(" %02x", (unsigned char)got[i]);
        print_error("\nwant %zu bytes:", want_len);
        for (size_t i = 0; i < want_len; i++)
                print_error(" %02x", (unsigned char)want[i]);
        print_error("\n");
        return false;
}

static bool msg_has(const char *msg, const char *needle) {
        if (needle != NULL && strstr(msg, needle) == NULL) {
                print_error("error \"%s\" lacks \"%s\"\n", msg, needle);
                return false;
        }
        return true;
}

/* A message meant for a person: one line, no raw control bytes. */
static bool msg_clean(const char *msg) {
        for (const char *p = msg; *p != '\0'; p++) {
                if ((unsigned char)*p < 0x20 || *p == 0x7f) {
                        print_error("error \"%s\" holds control byte 0x%02x\n", msg,
                                    (unsigned char)*p);
                        return false;
                }
        }
        return true;
}

static void assert_msg_has(const char *msg, const char *needle) {
        assert_true(msg_has(msg, needle));
}

/* The helpers below report a mismatch and return false, leaving nothing
 * allocated, so that callers can free their own inputs before failing. */

/* -- state -- */

static bool try_state_ok(const char *data, size_t len, nvct_state *ret) {
        nvct_state st = { 0 };
        nvct_error *err = NULL;
        if (nvct_state_parse(data, len, &st, &err) < 0) {
                print_error("state rejected: %s\n", err ? err->msg : "(no error)");
                nvct_error_free(&err);
                return false;
        }
        if (err != NULL || st.bundle == NULL) {
                print_error("state parsed with an error set or a NULL bundle\n");
                nvct_error_free(&err);
                nvct_state_clear(&st);
                return false;
        }
        *ret = st;
        return true;
}

static nvct_state state_ok_raw(const char *data, size_t len) {
        nvct_state st = { 0 };
        assert_true(try_state_ok(data, len, &st));
        return st;
}

static nvct_state state_ok(const char *json) {
        char *j = tr(json);
        nvct_state st = { 0 };
        bool ok = try_state_ok(j, strlen(j), &st);
        free(j);
        assert_true(ok);
        return st;
}

static bool try_state_fails(const char *data, size_t len, const char *needle1,
                            const char *needle2) {
        nvct_state st = { .pid = 77, .bundle = NULL };
        nvct_error *err = NULL;
        if (nvct_state_parse(data, len, &st, &err) >= 0) {
                print_error("state accepted: %.*s\n", (int)(len > 300 ? 300 : len),
                            data ? data : "");
                nvct_state_clear(&st);
                return false;
        }
        /* The output is left alone. */
        bool ok = err != NULL && st.pid == 77 && st.bundle == NULL;
        if (!ok)
                print_error("failed state parse: no error, or output touched\n");
        ok = ok && msg_has(err->msg, "container state") && msg_has(err->msg, needle1) &&
             msg_has(err->msg, needle2) && msg_clean(err->msg);
        nvct_error_free(&err);
        return ok;
}

static void state_fails_raw(const char *data, size_t len, const char *needle1,
                            const char *needle2) {
        assert_true(try_state_fails(data, len, needle1, needle2));
}

static void state_fails(const char *json, const char *needle1, const char *needle2) {
        char *j = tr(json);
        bool ok = try_state_fails(j, strlen(j), needle1, needle2);
        free(j);
        assert_true(ok);
}

/* -- spec -- */

static bool try_spec_ok(const char *data, size_t len, nvct_spec *ret) {
        nvct_spec spec = { 0 };
        nvct_error *err = NULL;
        if (nvct_spec_parse(data, len, NAME, NULL, &spec, &err) < 0) {
                print_error("spec rejected: %s\n", err ? err->msg : "(no error)");
                nvct_error_free(&err);
                return false;
        }
        if (err != NULL || spec.version == NULL || spec.root_path == NULL) {
                print_error("spec parsed with an error set or NULL version/root path\n");
                nvct_error_free(&err);
                nvct_spec_clear(&spec);
                return false;
        }
        *ret = spec;
        return true;
}

static nvct_spec spec_ok_raw(const char *data, size_t len) {
        nvct_spec spec = { 0 };
        assert_true(try_spec_ok(data, len, &spec));
        return spec;
}

static nvct_spec spec_ok(const char *json) {
        char *j = tr(json);
        nvct_spec spec = { 0 };
        bool ok = try_spec_ok(j, strlen(j), &spec);
        free(j);
        assert_true(ok);
        return spec;
}

static bool try_spec_fails(const char *data, size_t len, const char *needle1, const char *needle2) {
        nvct_spec spec = { 0 };
        nvct_error *err = NULL;
        if (nvct_spec_parse(data, len, NAME, NULL, &spec, &err) >= 0) {
                print_error("spec accepted: %.*s\n", (int)(len > 300 ? 300 : len),
                            data ? data : "");
                nvct_spec_clear(&spec);
                return false;
        }
        bool ok = err != NULL && spec.version == NULL && spec.env.n_vars == 0;
        if (!ok)
                print_error("failed spec parse: no error, or output touched\n");
        ok = ok && msg_has(err->msg, NAME) && msg_has(err->msg, needle1) &&
             msg_has(err->msg, needle2) && msg_clean(err->msg);
        nvct_error_free(&err);
        return ok;
}

static void spec_fails_raw(const char *data, size_t len, const char *needle1, const char *needle2) {
        assert_true(try_spec_fails(data, len, needle1, needle2));
}

static void spec_fails(const char *json, const char *needle1, const char *needle2) {
        char *j = tr(json);
        bool ok = try_spec_fails(j, strlen(j), needle1, needle2);
        free(j);
        assert_true(ok);
}

/* A spec around `process_body` (the inside of the process object). */
static char *spec_with_process(const char *version, const char *process_body) {
        char *s = NULL;
        assert_true(asprintf(&s, "{'ociVersion':'%s','process':{%s},'root':{'path':'rootfs'}}",
                             version, process_body) > 0);
        char *j = tr(s);
        free(s);
        return j;
}

static char *spec_with_caps(const char *version, const char *caps) {
        char *body = NULL;
        assert_true(asprintf(&body, "'capabilities':%s", caps) > 0);
        char *j = spec_with_process(version, body);
        free(body);
        return j;
}

/* The reference's isPrivileged() on a spec that must decode, with
 * capabilities of the shape the version implies. */
static bool try_privileged(const char *json, bool *ret_priv) {
        nvct_spec spec = { 0 };
        if (!try_spec_ok(json, strlen(json), &spec))
                return false;
        nvct_error *err = NULL;
        bool priv = false;
        int r = nvct_spec_is_privileged(&spec, NAME, &priv, &err);
        nvct_spec_clear(&spec);
        if (r < 0 || err != NULL) {
                print_error("isPrivileged failed: %s\nfor: %s\n", err ? err->msg : "(no error)",
                            json);
                nvct_error_free(&err);
                return false;
        }
        *ret_priv = priv;
        return true;
}

static bool privileged_json(const char *json) {
        bool priv = false;
        assert_true(try_privileged(json, &priv));
        return priv;
}

static bool caps_privileged(const char *version, const char *caps) {
        char *j = spec_with_caps(version, caps);
        bool priv = false;
        bool ok = try_privileged(j, &priv);
        free(j);
        assert_true(ok);
        return priv;
}

/* What isPrivileged makes of a decoded spec's capabilities when its
 * ociVersion is `version` (the shape that version implies): 1 privileged,
 * 0 not, -1 the capabilities do not have that shape. 1.0.0-rc2 reads them
 * as a list, 1.0.0 as an object. */
static int privileged_as(const nvct_spec *spec, const char *version) {
        nvct_spec s = *spec;
        s.version = (char *)version;
        s.version_len = strlen(version);
        nvct_error *err = NULL;
        bool priv = false;
        int r = nvct_spec_is_privileged(&s, NAME, &priv, &err);
        assert_true((r < 0) == (err != NULL));
        nvct_error_free(&err);
        return r < 0 ? -1 : priv;
}

/* The spec decodes, but isPrivileged() fails: the reference panics in
 * json.Unmarshal of the capabilities. */
static void caps_privileged_fails(const char *version, const char *caps) {
        char *j = spec_with_caps(version, caps);
        nvct_spec spec = { 0 };
        bool ok = try_spec_ok(j, strlen(j), &spec);
        free(j);
        assert_true(ok);
        nvct_error *err = NULL;
        bool priv = false;
        int r = nvct_spec_is_privileged(&spec, NAME, &priv, &err);
        nvct_spec_clear(&spec);
        if (r >= 0) {
                print_error("isPrivileged accepted capabilities %s for ociVersion %s\n", caps,
                            version);
                fail();
        }
        assert_non_null(err);
        ok = msg_has(err->msg, NAME) && msg_has(err->msg, "process.capabilities") &&
             msg_clean(err->msg);
        nvct_error_free(&err);
        assert_true(ok);
}

static void assert_env(const nvct_spec *spec, const char *name, const char *value) {
        const nvct_env_var *v = nvct_env_get(&spec->env, name);
        if (v == NULL) {
                print_error("env %s is not set, want %s\n", name, value);
                fail();
        }
        assert_str(v->value, v->value_len, value);
}

/* ---- container state ---- */

static void test_state_basic(void **state) {
        (void)state;
        nvct_state st = state_ok("{'ociVersion':'1.0.2','id':'c1','status':'created',"
                                 "'pid':4242,'bundle':'/run/containerd/b1',"
                                 "'annotations':{'a':'b','n':[1,2,{'x':null}]}}");
        assert_int_equal(st.pid, 4242);
        assert_str(st.bundle, st.bundle_len, "/run/containerd/b1");
        nvct_state_clear(&st);
        assert_null(st.bundle);
        assert_int_equal(st.pid, 0);
        nvct_state_clear(&st);

        /* Nothing known: zero pid, empty (not NULL) bundle. */
        st = state_ok("{}");
        assert_int_equal(st.pid, 0);
        assert_str(st.bundle, st.bundle_len, "");
        nvct_state_clear(&st);

        /* Leading white space of all four JSON kinds. */
        st = state_ok(" \t\r\n{'pid':3}");
        assert_int_equal(st.pid, 3);
        nvct_state_clear(&st);
}

static void test_state_bundle_path(void **state) {
        (void)state;
        /* Before runc 17.06: bundlePath. */
        nvct_state st = state_ok("{'pid':1,'bundlePath':'/old'}");
        assert_str(st.bundle, st.bundle_len, "/old");
        nvct_state_clear(&st);
        /* bundle wins when not empty, wherever it appears. */
        st = state_ok("{'bundlePath':'/old','bundle':'/new'}");
        assert_str(st.bundle, st.bundle_len, "/new");
        nvct_state_clear(&st);
        st = state_ok("{'bundle':'/new','bundlePath':'/old'}");
        assert_str(st.bundle, st.bundle_len, "/new");
        nvct_state_clear(&st);
        /* An empty bundle falls back to bundlePath. */
        st = state_ok("{'bundle':'','bundlePath':'/old'}");
        assert_str(st.bundle, st.bundle_len, "/old");
        nvct_state_clear(&st);
        st = state_ok("{'bundle':null,'bundlePath':'/old'}");
        assert_str(st.bundle, st.bundle_len, "/old");
        nvct_state_clear(&st);
        st = state_ok("{'bundle':'','bundlePath':''}");
        assert_str(st.bundle, st.bundle_len, "");
        nvct_state_clear(&st);
        /* A later duplicate wins; null leaves a string as it was. */
        st = state_ok("{'bundle':'/a','bundle':'/b'}");
        assert_str(st.bundle, st.bundle_len, "/b");
        nvct_state_clear(&st);
        st = state_ok("{'bundle':'/a','bundle':null}");
        assert_str(st.bundle, st.bundle_len, "/a");
        nvct_state_clear(&st);
        st = state_ok("{'bundle':'/a','bundle':'','bundlePath':'/p'}");
        assert_str(st.bundle, st.bundle_len, "/p");
        nvct_state_clear(&st);
        st = state_ok("{'bundlePath':'/p','bundlePath':'/q'}");
        assert_str(st.bundle, st.bundle_len, "/q");
        nvct_state_clear(&st);
}

static void test_state_key_folding(void **state) {
        (void)state;
        nvct_state st = state_ok("{'PID':12,'Bundle':'/B'}");
        assert_int_equal(st.pid, 12);
        assert_str(st.bundle, st.bundle_len, "/B");
        nvct_state_clear(&st);
        st = state_ok("{'pId':13,'BUNDLEPATH':'/P'}");
        assert_int_equal(st.pid, 13);
        assert_str(st.bundle, st.bundle_len, "/P");
        nvct_state_clear(&st);
        /* Escapes in keys are decoded before matching. */
        st = state_ok("{'\\u0070id':14,'bundle\\u0050ath':'/E'}");
        assert_int_equal(st.pid, 14);
        assert_str(st.bundle, st.bundle_len, "/E");
        nvct_state_clear(&st);
        /* A NUL byte is part of the key. */
        st = state_ok("{'pid\\u0000':5,'bundle\\u0000':'/n'}");
        assert_int_equal(st.pid, 0);
        assert_str(st.bundle, st.bundle_len, "");
        nvct_state_clear(&st);
        /* Near misses are unknown fields. */
        st = state_ok("{'pid ':'x','bundle_path':1,'Bundle-Path':[],'bundles':{},'p':true}");
        assert_int_equal(st.pid, 0);
        assert_str(st.bundle, st.bundle_len, "");
        nvct_state_clear(&st);
}

static void test_state_pid(void **state) {
        (void)state;
        static const struct {
                const char *json;
                int64_t pid;
        } good[] = {
                { "{'pid':0}", 0 },
                { "{'pid':-1}", -1 },
                { "{'pid':-0}", 0 },
                { "{'pid':9223372036854775807}", INT64_MAX },
                { "{'pid':-9223372036854775808}", INT64_MIN },
                { "{'pid':null}", 0 },
                { "{'pid':5,'pid':null}", 5 },
                { "{'pid':5,'pid':6}", 6 },
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                nvct_state st = state_ok(good[i].json);
                if (st.pid != good[i].pid) {
                        print_error("%s: pid %lld, want %lld\n", good[i].json, (long long)st.pid,
                                    (long long)good[i].pid);
                        nvct_state_clear(&st);
                        fail();
                }
                nvct_state_clear(&st);
        }
        /* An int field takes only integers: no fraction, no exponent, no
         * overflow, no other JSON type. */
        state_fails("{'pid':1.5}", "pid", "1.5");
        state_fails("{'pid':1.0}", "pid", "1.0");
        state_fails("{'pid':1e3}", "pid", "1e3");
        state_fails("{'pid':1E3}", "pid", "1E3");
        state_fails("{'pid':-0.0}", "pid", NULL);
        state_fails("{'pid':9223372036854775808}", "pid", "9223372036854775808");
        state_fails("{'pid':-9223372036854775809}", "pid", NULL);
        state_fails("{'pid':99999999999999999999999999}", "pid", NULL);
        state_fails("{'pid':'1'}", "pid", "string");
        state_fails("{'pid':true}", "pid", "boolean");
        state_fails("{'pid':[]}", "pid", "array");
        state_fails("{'pid':{}}", "pid", "object");
        /* A bad value later in the document still fails the whole. */
        state_fails("{'pid':1,'bundle':'/b','pid':2.5}", "pid", NULL);
}

static void test_state_types(void **state) {
        (void)state;
        state_fails("{'bundle':1}", "bundle", "number");
        state_fails("{'bundle':true}", "bundle", "boolean");
        state_fails("{'bundle':['/b']}", "bundle", "array");
        state_fails("{'bundlePath':{}}", "bundlePath", "object");
        state_fails("{'Bundle':false}", "bundle", NULL);
        /* Unknown fields: anything goes. */
        nvct_state st = state_ok("{'id':1,'status':[true,false,null],'annotations':"
                                 "{'pid':'not this one','bundle':7},'x':{'y':{'z':[[[]]]}},"
                                 "'bundle':'/ok'}");
        assert_int_equal(st.pid, 0);
        assert_str(st.bundle, st.bundle_len, "/ok");
        nvct_state_clear(&st);
}

static void test_state_top_level(void **state) {
        (void)state;
        /* A top-level null decodes into HookState as "nothing". */
        nvct_state st = state_ok("null");
        assert_int_equal(st.pid, 0);
        assert_str(st.bundle, st.bundle_len, "");
        nvct_state_clear(&st);
        st = state_ok("  null  ");
        assert_int_equal(st.pid, 0);
        nvct_state_clear(&st);

        /* Anything else that is not an object is a type error. */
        state_fails("[]", "array", NULL);
        state_fails("[{'pid':1}]", "array", NULL);
        state_fails("'x'", "string", NULL);
        state_fails("1", "number", NULL);
        state_fails("true", "boolean", NULL);

        /* Syntax errors and truncation. */
        state_fails("", NULL, NULL);
        state_fails("   \n", NULL, NULL);
        state_fails("{", NULL, NULL);
        state_fails("{'pid':", NULL, NULL);
        state_fails("{'pid':1", NULL, NULL);
        state_fails("{'pid':1,}", NULL, NULL);
        state_fails("{'pid':01}", NULL, NULL);
        state_fails("{'pid' 1}", NULL, NULL);
        state_fails("{pid:1}", NULL, NULL);
        state_fails_raw(RAW("\xef\xbb\xbf{}"), NULL, NULL); /* a BOM */
        state_fails_raw(RAW("{\"bundle\":\"a\0\"}"), NULL, NULL);
        state_fails_raw(NULL, 0, NULL, NULL);
}

static void test_state_trailing_data(void **state) {
        (void)state;
        /* Only the first value is read; what follows is never looked at. */
        nvct_state st = state_ok("{'pid':1} garbage ] } {");
        assert_int_equal(st.pid, 1);
        nvct_state_clear(&st);
        st = state_ok("{'pid':1}{'pid':2}");
        assert_int_equal(st.pid, 1);
        nvct_state_clear(&st);
        st = state_ok_raw(RAW("{\"pid\":1}\n\0\xff"));
        assert_int_equal(st.pid, 1);
        nvct_state_clear(&st);
        st = state_ok("null{'pid':2}");
        assert_int_equal(st.pid, 0);
        nvct_state_clear(&st);
}

static void test_state_strings(void **state) {
        (void)state;
        /* Escapes decode. */
        nvct_state st = state_ok("{'bundle':'\\/run\\/b\\u00e9\\t'}");
        assert_str(st.bundle, st.bundle_len, "/run/b\xc3\xa9\t");
        nvct_state_clear(&st);
        /* A NUL byte from \u0000 stays, and the length says so. */
        st = state_ok("{'bundle':'/a\\u0000b'}");
        assert_bytes(st.bundle, st.bundle_len, "/a\0b", 4);
        nvct_state_clear(&st);
        /* Invalid UTF-8 becomes U+FFFD byte by byte, as encoding/json does. */
        st = state_ok("{'bundle':'/b\xff\xfe'}");
        assert_str(st.bundle, st.bundle_len, "/b\xef\xbf\xbd\xef\xbf\xbd");
        nvct_state_clear(&st);
        st = state_ok("{'bundlePath':'\xc3'}");
        assert_str(st.bundle, st.bundle_len, "\xef\xbf\xbd");
        nvct_state_clear(&st);
}

/* runc writes the state to the hook's stdin and need not close the pipe:
 * the read must end when the value does, not at EOF. */
static void test_state_read_pipe_left_open(void **state) {
        (void)state;
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        static const char json[] = "{\"ociVersion\":\"1.0.2\",\"pid\":99,\"bundle\":\"/b\"}";
        assert_int_equal(write(fds[1], json, strlen(json)), (ssize_t)strlen(json));

        alarm(20); /* a hang fails the test instead of the whole run */
        nvct_state st = { 0 };
        nvct_error *err = NULL;
        int r = nvct_state_read(fds[0], &st, &err);
        alarm(0);
        if (r < 0)
                print_error("%s\n", err->msg);
        assert_int_equal(r, 0);
        assert_null(err);
        assert_int_equal(st.pid, 99);
        assert_str(st.bundle, st.bundle_len, "/b");
        nvct_state_clear(&st);

        /* A top-level null must not wait either. */
        assert_int_equal(write(fds[1], "null", 4), 4);
        alarm(20);
        r = nvct_state_read(fds[0], &st, &err);
        alarm(0);
        assert_int_equal(r, 0);
        assert_int_equal(st.pid, 0);
        nvct_state_clear(&st);
        close(fds[0]);
        close(fds[1]);
}

/* The same with the value arriving in pieces, on a non-blocking pipe. */
static void test_state_read_pipe_in_pieces(void **state) {
        (void)state;
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                close(fds[0]);
                static const char *const pieces[] = { " {\"pi",   "d\":",        "12",
                                                      "3,\"bund", "le\":\"/x\"", "}" };
                for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
                        if (write(fds[1], pieces[i], strlen(pieces[i])) < 0)
                                _exit(1);
                        struct timespec ts = { 0, 50 * 1000 * 1000 };
                        nanosleep(&ts, NULL);
                }
                /* Keep the pipe open well past the parent's read. */
                sleep(30);
                _exit(0);
        }
        close(fds[1]);
        int fl = fcntl(fds[0], F_GETFL);
        assert_true(fl >= 0);
        assert_int_equal(fcntl(fds[0], F_SETFL, fl | O_NONBLOCK), 0);

        alarm(20);
        nvct_state st = { 0 };
        nvct_error *err = NULL;
        int r = nvct_state_read(fds[0], &st, &err);
        alarm(0);
        kill(child, SIGKILL);
        assert_int_equal(waitpid(child, NULL, 0), child);
        close(fds[0]);
        if (r < 0)
                print_error("%s\n", err->msg);
        assert_int_equal(r, 0);
        assert_int_equal(st.pid, 123);
        assert_str(st.bundle, st.bundle_len, "/x");
        nvct_state_clear(&st);
}

static void test_state_read_eof(void **state) {
        (void)state;
        static const char *const inputs[] = { "", "  ", "{\"pid\":1", "{\"pid\":1,", "nul" };
        for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
                int fds[2];
                assert_int_equal(pipe(fds), 0);
                size_t len = strlen(inputs[i]);
                assert_int_equal(write(fds[1], inputs[i], len), (ssize_t)len);
                close(fds[1]);
                nvct_state st = { 0 };
                nvct_error *err = NULL;
                alarm(20);
                int r = nvct_state_read(fds[0], &st, &err);
                alarm(0);
                close(fds[0]);
                if (r >= 0) {
                        print_error("truncated state \"%s\" accepted\n", inputs[i]);
                        nvct_state_clear(&st);
                        fail();
                }
                assert_non_null(err);
                assert_msg_has(err->msg, "container state");
                nvct_error_free(&err);
        }

        /* A bad descriptor is an error too. */
        nvct_state st = { 0 };
        nvct_error *err = NULL;
        assert_true(nvct_state_read(-1, &st, &err) < 0);
        assert_non_null(err);
        assert_msg_has(err->msg, "container state");
        nvct_error_free(&err);
}

static int make_temp_file(char *path_template) {
        int fd = mkstemp(path_template);
        assert_true(fd >= 0);
        return fd;
}

static void write_all(int fd, const char *buf, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                assert_true(n > 0);
                buf += n;
                len -= (size_t)n;
        }
}

static void test_state_read_size_limit(void **state) {
        (void)state;
        size_t pad = NVCT_STATE_MAX_SIZE + 1;
        char *spaces = malloc(pad);
        assert_non_null(spaces);
        memset(spaces, ' ', pad);

        /* A value that ends early is read, however much follows it. */
        char path[] = "/tmp/nvct-test-state-XXXXXX";
        int fd = make_temp_file(path);
        write_all(fd, "{\"pid\":8}", 9);
        write_all(fd, spaces, pad);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        nvct_state st = { 0 };
        nvct_error *err = NULL;
        assert_int_equal(nvct_state_read(fd, &st, &err), 0);
        assert_int_equal(st.pid, 8);
        nvct_state_clear(&st);
        close(fd);
        unlink(path);

        /* A value that does not end within the limit is refused. */
        char path2[] = "/tmp/nvct-test-state-XXXXXX";
        fd = make_temp_file(path2);
        write_all(fd, spaces, pad);
        write_all(fd, "{}", 2);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_true(nvct_state_read(fd, &st, &err) < 0);
        assert_non_null(err);
        assert_msg_has(err->msg, "container state");
        assert_msg_has(err->msg, "larger than");
        nvct_error_free(&err);
        close(fd);
        unlink(path2);
        free(spaces);
}

/* ---- config.json ---- */

static void test_spec_minimal(void **state) {
        (void)state;
        nvct_spec spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{}}");
        assert_str(spec.version, spec.version_len, "1.0.0");
        assert_int_equal(spec.env.n_vars, 0);
        assert_str(spec.root_path, spec.root_path_len, "");
        assert_null(spec.caps);
        assert_int_equal(spec.n_dev_null_mounts, 0);
        bool priv = true;
        nvct_error *err = NULL;
        assert_int_equal(nvct_spec_is_privileged(&spec, NAME, &priv, &err), 0);
        assert_false(priv);
        nvct_spec_clear(&spec);
        assert_null(spec.version);
        assert_null(spec.root_path);
        nvct_spec_clear(&spec);

        /* An empty ociVersion is still present. */
        spec = spec_ok("{'ociVersion':'','process':{},'root':{}}");
        assert_str(spec.version, spec.version_len, "");
        nvct_spec_clear(&spec);
}

static void test_spec_realistic(void **state) {
        (void)state;
        nvct_spec spec = spec_ok(
                "{\n"
                "  'ociVersion': '1.0.2-dev',\n"
                "  'process': {\n"
                "    'terminal': true,\n"
                "    'user': {'uid': 0, 'gid': 0, 'additionalGids': [10]},\n"
                "    'args': ['sh', '-c', 'nvidia-smi'],\n"
                "    'env': [\n"
                "      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin',\n"
                "      'NVIDIA_VISIBLE_DEVICES=all',\n"
                "      'NVIDIA_DRIVER_CAPABILITIES=compute,utility',\n"
                "      'CUDA_VERSION=11.0.3',\n"
                "      'NVIDIA_REQUIRE_CUDA=cuda>=11.0 brand=tesla,driver>=418',\n"
                "      'HOSTNAME=',\n"
                "      'TERM=xterm'\n"
                "    ],\n"
                "    'cwd': '/',\n"
                "    'capabilities': {\n"
                "      'bounding': ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_SYS_ADMIN'],\n"
                "      'effective': ['CAP_CHOWN'],\n"
                "      'inheritable': ['CAP_CHOWN'],\n"
                "      'permitted': ['CAP_CHOWN'],\n"
                "      'ambient': []\n"
                "    },\n"
                "    'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 1024}],\n"
                "    'noNewPrivileges': true,\n"
                "    'apparmorProfile': 'docker-default',\n"
                "    'oomScoreAdj': 0\n"
                "  },\n"
                "  'root': {'path': '/var/lib/docker/overlay2/abc/merged', 'readonly': false},\n"
                "  'hostname': 'abc',\n"
                "  'mounts': [\n"
                "    {'destination': '/proc', 'type': 'proc', 'source': 'proc',\n"
                "     'options': ['nosuid', 'noexec', 'nodev']},\n"
                "    {'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs',\n"
                "     'options': ['nosuid', 'strictatime', 'mode=755', 'size=65536k']},\n"
                "    {'destination': '/var/run/nvidia-container-devices/GPU-1',\n"
                "     'type': 'bind', 'source': '/dev/null', 'options': ['rbind', 'rprivate']},\n"
                "    {'destination': '/etc/hosts', 'type': 'bind',\n"
                "     'source': '/var/lib/docker/containers/abc/hosts',\n"
                "     'options': ['rbind', 'rprivate']},\n"
                "    {'destination': '/var/run/nvidia-container-devices/2',\n"
                "     'type': 'bind', 'source': '/dev/null', 'options': ['rbind', 'ro']}\n"
                "  ],\n"
                "  'hooks': {'prestart': [{'path': '/usr/bin/nvidia-container-runtime-hook',\n"
                "                          'args': ['nvidia-container-runtime-hook', "
                "'prestart']}]},\n"
                "  'linux': {'resources': {'devices': [{'allow': false, 'access': 'rwm'}]},\n"
                "            'namespaces': [{'type': 'mount'}, {'type': 'pid'}],\n"
                "            'maskedPaths': ['/proc/kcore'], 'seccomp': {'defaultAction': "
                "'SCMP_ACT_ERRNO'}}\n"
                "}\n");
        assert_str(spec.version, spec.version_len, "1.0.2-dev");
        assert_str(spec.root_path, spec.root_path_len, "/var/lib/docker/overlay2/abc/merged");
        assert_int_equal(spec.env.n_vars, 7);
        assert_str(spec.env.vars[0].name, spec.env.vars[0].name_len, "PATH");
        assert_str(spec.env.vars[6].name, spec.env.vars[6].name_len, "TERM");
        assert_env(&spec, "NVIDIA_VISIBLE_DEVICES", "all");
        assert_env(&spec, "NVIDIA_REQUIRE_CUDA", "cuda>=11.0 brand=tesla,driver>=418");
        assert_env(&spec, "CUDA_VERSION", "11.0.3");
        assert_env(&spec, "HOSTNAME", "");
        assert_non_null(spec.caps);
        assert_int_equal(privileged_as(&spec, "1.0.0"), 1);
        assert_int_equal(privileged_as(&spec, "1.0.0-rc2"), -1);
        assert_int_equal(spec.n_dev_null_mounts, 2);
        assert_str(spec.dev_null_mounts[0], spec.dev_null_mount_lens[0],
                   "/var/run/nvidia-container-devices/GPU-1");
        assert_str(spec.dev_null_mounts[1], spec.dev_null_mount_lens[1],
                   "/var/run/nvidia-container-devices/2");
        bool priv = false;
        nvct_error *err = NULL;
        assert_int_equal(nvct_spec_is_privileged(&spec, NAME, &priv, &err), 0);
        assert_true(priv);
        nvct_spec_clear(&spec);
}

static void test_spec_required_fields(void **state) {
        (void)state;
        /* loadSpec's checks: Version, Process, Root must be non-nil. */
        spec_fails("{'process':{},'root':{}}", "ociVersion", NULL);
        spec_fails("{'ociVersion':null,'process':{},'root':{}}", "ociVersion", NULL);
        spec_fails("{'ociVersion':'1.0.0','ociVersion':null,'process':{},'root':{}}", "ociVersion",
                   NULL);
        spec_fails("{'ociVersion':'1.0.0','root':{}}", "process", NULL);
        spec_fails("{'ociVersion':'1.0.0','process':null,'root':{}}", "process", NULL);
        spec_fails("{'ociVersion':'1.0.0','process':{'env':['A=1']},'process':null,'root':{}}",
                   "process", NULL);
        spec_fails("{'ociVersion':'1.0.0','process':{}}", "root", NULL);
        spec_fails("{'ociVersion':'1.0.0','process':{},'root':null}", "root", NULL);
        spec_fails("{'ociVersion':'1.0.0','process':{},'root':{'path':'/r'},'root':null}", "root",
                   NULL);
        /* In loadSpec's order: the version is reported first. */
        spec_fails("{}", "ociVersion", NULL);
        spec_fails("{'ociVersion':'1'}", "process", NULL);

        /* A pointer set to null and then set again is present. */
        nvct_spec spec = spec_ok("{'ociVersion':null,'process':null,'root':null,"
                                 "'ociVersion':'1.1.0','process':{},'root':{}}");
        assert_str(spec.version, spec.version_len, "1.1.0");
        nvct_spec_clear(&spec);

        /* A top-level null leaves *Spec nil: the reference dereferences it
         * and panics. */
        spec_fails("null", NULL, NULL);
        spec_fails("[]", "array", NULL);
        spec_fails("'1.0.0'", "string", NULL);
        spec_fails("1", "number", NULL);
        spec_fails("false", "boolean", NULL);
        spec_fails("", NULL, NULL);
        spec_fails_raw(NULL, 0, NULL, NULL);
}

static void test_spec_wrong_types(void **state) {
        (void)state;
        static const struct {
                const char *json;
                const char *field;
                const char *kind;
        } cases[] = {
                { "{'ociVersion':1,'process':{},'root':{}}", "ociVersion", "number" },
                { "{'ociVersion':{},'process':{},'root':{}}", "ociVersion", "object" },
                { "{'ociVersion':['1.0.0'],'process':{},'root':{}}", "ociVersion", "array" },
                { "{'ociVersion':'1.0.0','process':[],'root':{}}", "process", "array" },
                { "{'ociVersion':'1.0.0','process':'p','root':{}}", "process", "string" },
                { "{'ociVersion':'1.0.0','process':{},'root':true}", "root", "boolean" },
                { "{'ociVersion':'1.0.0','process':{},'root':'/r'}", "root", "string" },
                { "{'ociVersion':'1.0.0','process':{'env':{}},'root':{}}", "process.env",
                  "object" },
                { "{'ociVersion':'1.0.0','process':{'env':'A=1'},'root':{}}", "process.env",
                  "string" },
                { "{'ociVersion':'1.0.0','process':{'env':['A=1',1]},'root':{}}", "process.env[]",
                  "number" },
                { "{'ociVersion':'1.0.0','process':{'env':[true]},'root':{}}", "process.env[]",
                  "boolean" },
                { "{'ociVersion':'1.0.0','process':{'env':[['A=1']]},'root':{}}", "process.env[]",
                  "array" },
                { "{'ociVersion':'1.0.0','process':{'env':[{}]},'root':{}}", "process.env[]",
                  "object" },
                { "{'ociVersion':'1.0.0','process':{},'root':{'path':1}}", "root.path", "number" },
                { "{'ociVersion':'1.0.0','process':{},'root':{'path':['/r']}}", "root.path",
                  "array" },
                { "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':{}}", "mounts", "object" },
                { "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':'/m'}", "mounts",
                  "string" },
                { "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':['/m']}", "mounts[]",
                  "string" },
                { "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':[[]]}", "mounts[]",
                  "array" },
                { "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':[{'type':1}]}",
                  "mounts[].type", "number" },
                { "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':[{'type':{}}]}",
                  "mounts[].type", "object" },
                { "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':[{'source':1}]}",
                  "mounts[].source", "number" },
                { "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':[{'destination':true}]}",
                  "mounts[].destination", "boolean" },
                { "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':[{'options':'rw'}]}",
                  "mounts[].options", "string" },
                { "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':[{'options':{}}]}",
                  "mounts[].options", "object" },
                { "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':[{'options':[1]}]}",
                  "mounts[].options[]", "number" },
                { "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':[{'options':"
                  "['rw',['ro']]}]}",
                  "mounts[].options[]", "array" },
                /* Case-folded keys are the same fields. */
                { "{'ociVersion':'1.0.0','Process':{'ENV':5},'root':{}}", "process.env", "number" },
                { "{'ociVersion':'1.0.0','process':{},'ROOT':{'Path':false}}", "root.path",
                  "boolean" },
                /* A type error wins even when everything else is fine. */
                { "{'ociVersion':'1.0.0','process':{'env':['A=1']},'root':{'path':'/r'},"
                  "'mounts':[{'source':'/dev/null','destination':'/d','options':[0]}]}",
                  "mounts[].options[]", "number" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                spec_fails(cases[i].json, cases[i].field, cases[i].kind);
}

static void test_spec_unknown_fields(void **state) {
        (void)state;
        /* Fields the hook does not know are skipped whatever they hold,
         * including names it knows elsewhere. */
        nvct_spec spec =
                spec_ok("{'pid':'x','env':5,'path':[],'bounding':1,'source':{},'hostname':1,"
                        "'ociVersion':'1.0.0',"
                        "'process':{'args':[1,{'a':[null]}],'path':7,'root':'x','mounts':1,"
                        "'env':['A=1'],'user':{'env':3},'terminal':null},"
                        "'root':{'env':1,'readonly':'yes','path':'/r','source':[]},"
                        "'mounts':[{'env':1,'bounding':{},'uidMappings':[{'x':1}],"
                        "'source':'/dev/null','destination':'/d'}],"
                        "'linux':{'process':1,'root':2,'mounts':3},"
                        "'annotations':{'ociVersion':4,'process':5,'root':6},"
                        "'x':[[[[[[[{'y':[true,false,null,1.5e300,-0,'s']}]]]]]]]}");
        assert_str(spec.version, spec.version_len, "1.0.0");
        assert_int_equal(spec.env.n_vars, 1);
        assert_env(&spec, "A", "1");
        assert_str(spec.root_path, spec.root_path_len, "/r");
        assert_int_equal(spec.n_dev_null_mounts, 1);
        assert_str(spec.dev_null_mounts[0], spec.dev_null_mount_lens[0], "/d");
        assert_null(spec.caps);
        nvct_spec_clear(&spec);
}

static void test_spec_key_folding(void **state) {
        (void)state;
        nvct_spec spec = spec_ok("{'OCIVERSION':'1.0.0','PROCESS':{'Env':['A=1'],"
                                 "'CAPABILITIES':{'BOUNDING':['CAP_SYS_ADMIN']}},"
                                 "'Root':{'PATH':'/r'},"
                                 "'Mounts':[{'SOURCE':'/dev/null','Destination':'/d'}]}");
        assert_str(spec.version, spec.version_len, "1.0.0");
        assert_env(&spec, "A", "1");
        assert_str(spec.root_path, spec.root_path_len, "/r");
        assert_non_null(spec.caps);
        assert_int_equal(privileged_as(&spec, "1.0.0"), 1);
        assert_int_equal(spec.n_dev_null_mounts, 1);
        assert_str(spec.dev_null_mounts[0], spec.dev_null_mount_lens[0], "/d");
        nvct_spec_clear(&spec);

        /* U+017F folds to 's' (and U+212A to 'k'), as in encoding/json. */
        spec = spec_ok("{'ociVer\xc5\xbfion':'1.0.0','proce\\u017f\\u017f':{},'root':{},"
                       "'mounts':[{'\\u017fource':'/dev/null','de\xc5\xbftination':'/d'}]}");
        assert_str(spec.version, spec.version_len, "1.0.0");
        assert_int_equal(spec.n_dev_null_mounts, 1);
        assert_str(spec.dev_null_mounts[0], spec.dev_null_mount_lens[0], "/d");
        nvct_spec_clear(&spec);

        /* A later duplicate under another spelling still replaces. */
        spec = spec_ok("{'ociVersion':'1.0.0','OciVersion':'1.0.0-rc2','process':{},'root':{}}");
        assert_str(spec.version, spec.version_len, "1.0.0-rc2");
        nvct_spec_clear(&spec);

        /* Near misses are unknown fields. */
        spec_fails("{'oci_version':'1.0.0','process':{},'root':{}}", "ociVersion", NULL);
        spec_fails("{'ociVersion':'1.0.0','processes':{},'root':{}}", "process", NULL);
        spec_fails("{'ociVersion':'1.0.0','process':{},'r\xc3\xb6ot':{}}", "root", NULL);
}

static void test_spec_env(void **state) {
        (void)state;
        nvct_spec spec = spec_ok("{'ociVersion':'1.0.0','process':{'env':["
                                 "'B=1','A=x=y','B=2','EMPTY=','=noname','C=\\u0000z',"
                                 "'D\\u0000E=1','U=\xff']},'root':{}}");
        assert_int_equal(spec.env.n_vars, 7);
        assert_str(spec.env.vars[0].name, spec.env.vars[0].name_len, "B");
        assert_env(&spec, "B", "2");
        assert_env(&spec, "A", "x=y");
        assert_env(&spec, "EMPTY", "");
        assert_env(&spec, "", "noname");
        const nvct_env_var *v = nvct_env_get(&spec.env, "C");
        assert_non_null(v);
        assert_bytes(v->value, v->value_len, "\0z", 2);
        v = nvct_env_lookup(&spec.env, "D\0E", 3);
        assert_non_null(v);
        assert_str(v->value, v->value_len, "1");
        assert_null(nvct_env_get(&spec.env, "D"));
        assert_env(&spec, "U", "\xef\xbf\xbd");
        nvct_spec_clear(&spec);

        /* null and [] are both "no environment". */
        spec = spec_ok("{'ociVersion':'1.0.0','process':{'env':null},'root':{}}");
        assert_int_equal(spec.env.n_vars, 0);
        nvct_spec_clear(&spec);
        spec = spec_ok("{'ociVersion':'1.0.0','process':{'env':['A=1'],'env':[]},'root':{}}");
        assert_int_equal(spec.env.n_vars, 0);
        nvct_spec_clear(&spec);
        spec = spec_ok("{'ociVersion':'1.0.0','process':{'env':['A=1'],'env':null},'root':{}}");
        assert_int_equal(spec.env.n_vars, 0);
        nvct_spec_clear(&spec);
        /* A later list replaces an earlier one. */
        spec = spec_ok("{'ociVersion':'1.0.0','process':{'env':['A=1','B=2'],'env':['C=3']},"
                       "'root':{}}");
        assert_int_equal(spec.env.n_vars, 1);
        assert_env(&spec, "C", "3");
        assert_null(nvct_env_get(&spec.env, "A"));
        nvct_spec_clear(&spec);
}

static void test_spec_env_errors(void **state) {
        (void)state;
        /* getEnvMap panics on an entry without '=': the error names the
         * first such entry and where it is. */
        spec_fails("{'ociVersion':'1.0.0','process':{'env':['A=1','NOEQ','ALSO']},'root':{}}",
                   "process.env[1]", "\"NOEQ\"");
        spec_fails("{'ociVersion':'1.0.0','process':{'env':['']},'root':{}}", "process.env[0]",
                   "NAME=VALUE");
        /* A null item decodes as "": not NAME=VALUE either. */
        spec_fails("{'ociVersion':'1.0.0','process':{'env':['A=1',null]},'root':{}}",
                   "process.env[1]", "not of the form NAME=VALUE");
        /* Untrusted bytes are quoted, not printed raw. */
        spec_fails("{'ociVersion':'1.0.0','process':{'env':['\\u001b[2J\\n']},'root':{}}",
                   "process.env[0]", NULL);

        /* The check comes after decoding: a later list that replaces the
         * bad one makes the spec good... */
        nvct_spec spec = spec_ok("{'ociVersion':'1.0.0','process':{'env':['BAD'],"
                                 "'env':['A=1']},'root':{}}");
        assert_int_equal(spec.env.n_vars, 1);
        assert_env(&spec, "A", "1");
        nvct_spec_clear(&spec);
        spec = spec_ok("{'ociVersion':'1.0.0','process':{'env':[null]},'process':{'env':null},"
                       "'root':{}}");
        assert_int_equal(spec.env.n_vars, 0);
        nvct_spec_clear(&spec);
        spec = spec_ok("{'ociVersion':'1.0.0','process':{'env':['BAD']},'process':null,"
                       "'process':{},'root':{}}");
        assert_int_equal(spec.env.n_vars, 0);
        nvct_spec_clear(&spec);
        /* ... and a later bad list makes it bad. */
        spec_fails("{'ociVersion':'1.0.0','process':{'env':['A=1']},'process':{'env':['BAD']},"
                   "'root':{}}",
                   "process.env[0]", "\"BAD\"");
        /* The required fields are checked first, as in loadSpec. */
        spec_fails("{'ociVersion':'1.0.0','process':{'env':['BAD']}}", "root", NULL);
}

static void test_spec_process_merge(void **state) {
        (void)state;
        /* A repeated "process" decodes into the same *Process: fields that
         * the second one lacks keep their values. */
        nvct_spec spec = spec_ok("{'ociVersion':'1.0.0','process':{'env':['A=1']},"
                                 "'process':{'capabilities':{'bounding':['CAP_SYS_ADMIN']}},"
                                 "'root':{}}");
        assert_env(&spec, "A", "1");
        assert_non_null(spec.caps);
        assert_int_equal(privileged_as(&spec, "1.0.0"), 1);
        nvct_spec_clear(&spec);

        spec = spec_ok("{'ociVersion':'1.0.0','process':{'capabilities':['CAP_SYS_ADMIN'],"
                       "'env':['A=1']},'process':{'env':['B=2']},'root':{}}");
        assert_int_equal(spec.env.n_vars, 1);
        assert_env(&spec, "B", "2");
        assert_non_null(spec.caps);
        assert_int_equal(privileged_as(&spec, "1.0.0-rc2"), 1);
        assert_int_equal(privileged_as(&spec, "1.0.0"), -1);
        nvct_spec_clear(&spec);

        /* But null in between drops the old one. */
        spec = spec_ok("{'ociVersion':'1.0.0','process':{'env':['A=1'],'capabilities':"
                       "{'bounding':['CAP_SYS_ADMIN']}},'process':null,'process':{},'root':{}}");
        assert_int_equal(spec.env.n_vars, 0);
        assert_null(spec.caps);
        nvct_spec_clear(&spec);

        /* Same for root. */
        spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{'path':'/a'},'root':{}}");
        assert_str(spec.root_path, spec.root_path_len, "/a");
        nvct_spec_clear(&spec);
        spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{'path':'/a'},"
                       "'root':{'path':null}}");
        assert_str(spec.root_path, spec.root_path_len, "/a");
        nvct_spec_clear(&spec);
        spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{'path':'/a'},"
                       "'root':{'path':'/b'}}");
        assert_str(spec.root_path, spec.root_path_len, "/b");
        nvct_spec_clear(&spec);
        spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{'path':'/a'},'root':null,"
                       "'root':{}}");
        assert_str(spec.root_path, spec.root_path_len, "");
        nvct_spec_clear(&spec);
}

/* ociVersions for which the reference reads process.capabilities as a
 * plain list: "v"+ociVersion in [v1.0.0-rc1, v1.0.0-rc5). */
static const char *const list_versions[] = {
        "1.0.0-rc1",   "1.0.0-rc2",     "1.0.0-rc3",     "1.0.0-rc4",
        "1.0.0-rc10",  "1.0.0-rc1.1",   "1.0.0-rc1+dev", "1.0.0-rc2-dev",
        "1.0.0-rc4.9", "1.0.0-rc1-dev", "1.0.0-rc49999", "1.0.0-rc2+a.b",
};

/* ... and some for which it reads an object (LinuxCapabilities). */
static const char *const object_versions[] = {
        "1.0.0",      "1.0.0-rc5", "1.0.0-rc6",  "1.0.0-rc",   "1.0.0-rc01", "1.0.0-rc0",
        "1.0.0-1",    "1.0.0-RC2", "0.6.0",      "1.0",        "1",          "1.0.1",
        "1.1.0-rc1",  "1.0.2-dev", "v1.0.0-rc2", "1.0-rc2",    "rc2",        "",
        "1.0.0-rc2 ", "2.0.0",     "1.0.0-rc1.", "01.0.0-rc2",
};

static void test_spec_caps_object(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof(object_versions) / sizeof(object_versions[0]); i++) {
                const char *v = object_versions[i];
                assert_true(caps_privileged(v, "{'bounding':['CAP_SYS_ADMIN']}"));
                assert_true(caps_privileged(v, "{'bounding':['CAP_CHOWN',null,'CAP_SYS_ADMIN'],"
                                               "'effective':null}"));
                assert_false(caps_privileged(v, "{'bounding':['CAP_CHOWN']}"));
                assert_false(caps_privileged(v, "{}"));
                assert_false(caps_privileged(v, "{'bounding':null}"));
                assert_false(caps_privileged(v, "{'bounding':[]}"));
                /* Only the bounding set counts. */
                assert_false(caps_privileged(v, "{'effective':['CAP_SYS_ADMIN'],"
                                                "'permitted':['CAP_SYS_ADMIN'],"
                                                "'inheritable':['CAP_SYS_ADMIN'],"
                                                "'ambient':['CAP_SYS_ADMIN']}"));
                /* The list shape is an error for these versions. */
                caps_privileged_fails(v, "['CAP_SYS_ADMIN']");
                caps_privileged_fails(v, "[]");
        }
        static const char *const v = "1.0.0";
        /* Exact, case-sensitive names. */
        assert_false(caps_privileged(v, "{'bounding':['cap_sys_admin']}"));
        assert_false(caps_privileged(v, "{'bounding':['SYS_ADMIN']}"));
        assert_false(caps_privileged(v, "{'bounding':[' CAP_SYS_ADMIN']}"));
        assert_false(caps_privileged(v, "{'bounding':['CAP_SYS_ADMIN\\u0000']}"));
        assert_false(caps_privileged(v, "{'bounding':['CAP_SYS_ADMINS']}"));
        assert_true(caps_privileged(v, "{'bounding':['CAP_SYS_\\u0041DMIN']}"));
        /* Keys fold; unknown keys hold anything. */
        assert_true(caps_privileged(v, "{'BOUNDING':['CAP_SYS_ADMIN']}"));
        assert_true(caps_privileged(v, "{'Bounding':['CAP_SYS_ADMIN'],'foo':[1,{}],'bar':3}"));
        /* A later bounding list replaces the earlier one. */
        assert_false(caps_privileged(v, "{'bounding':['CAP_SYS_ADMIN','X'],'bounding':['Y']}"));
        assert_true(caps_privileged(v, "{'bounding':['Y'],'bounding':['X','CAP_SYS_ADMIN']}"));
        assert_false(caps_privileged(v, "{'bounding':['CAP_SYS_ADMIN'],'bounding':[]}"));
        assert_false(caps_privileged(v, "{'bounding':['CAP_SYS_ADMIN'],'bounding':null}"));
        /* Other sets do not touch it. */
        assert_true(caps_privileged(v, "{'bounding':['CAP_SYS_ADMIN'],'effective':[]}"));
}

static void test_spec_caps_list(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof(list_versions) / sizeof(list_versions[0]); i++) {
                const char *v = list_versions[i];
                assert_true(caps_privileged(v, "['CAP_SYS_ADMIN']"));
                assert_true(caps_privileged(v, "['CAP_CHOWN',null,'CAP_SYS_ADMIN']"));
                assert_false(caps_privileged(v, "['CAP_CHOWN']"));
                assert_false(caps_privileged(v, "[]"));
                assert_false(caps_privileged(v, "[null]"));
                /* The object shape is an error for these versions. */
                caps_privileged_fails(v, "{'bounding':['CAP_SYS_ADMIN']}");
                caps_privileged_fails(v, "{}");
        }
        assert_false(caps_privileged("1.0.0-rc2", "['cap_sys_admin']"));
        assert_false(caps_privileged("1.0.0-rc2", "['CAP_SYS_ADMIN ']"));
}

static void test_spec_caps_shapes(void **state) {
        (void)state;
        /* Shapes that json.Unmarshal into LinuxCapabilities refuses. */
        static const char *const bad_objects[] = {
                "'CAP_SYS_ADMIN'",
                "1",
                "true",
                "['CAP_SYS_ADMIN']",
                "[{'bounding':['CAP_SYS_ADMIN']}]",
                "{'bounding':'CAP_SYS_ADMIN'}",
                "{'bounding':{}}",
                "{'bounding':1}",
                "{'bounding':[1]}",
                "{'bounding':['CAP_SYS_ADMIN',true]}",
                "{'bounding':[['CAP_SYS_ADMIN']]}",
                "{'bounding':[{}]}",
                "{'effective':'x','bounding':['CAP_SYS_ADMIN']}",
                "{'bounding':['CAP_SYS_ADMIN'],'permitted':[true]}",
                "{'ambient':{}}",
                "{'inheritable':1}",
                "{'Effective':[[]]}",
        };
        for (size_t i = 0; i < sizeof(bad_objects) / sizeof(bad_objects[0]); i++)
                caps_privileged_fails("1.0.0", bad_objects[i]);

        /* Shapes that json.Unmarshal into []string refuses. */
        static const char *const bad_lists[] = {
                "'CAP_SYS_ADMIN'",
                "1",
                "false",
                "{}",
                "{'bounding':['CAP_SYS_ADMIN']}",
                "[1]",
                "['CAP_SYS_ADMIN',1]",
                "[true]",
                "[{}]",
                "[['CAP_SYS_ADMIN']]",
                "[{'bounding':['CAP_SYS_ADMIN']}]",
        };
        for (size_t i = 0; i < sizeof(bad_lists) / sizeof(bad_lists[0]); i++)
                caps_privileged_fails("1.0.0-rc2", bad_lists[i]);

        /* The shape the version does not pick does not matter: each of
         * these decodes as its own version wants. */
        assert_true(caps_privileged("1.0.0", "{'bounding':['CAP_SYS_ADMIN'],'x':[1]}"));
        assert_true(caps_privileged("1.0.0-rc2", "['CAP_SYS_ADMIN']"));

        /* Both interpretations are tracked independently. */
        char *j = spec_with_caps("1.0.0", "['CAP_SYS_ADMIN']");
        nvct_spec spec = spec_ok_raw(j, strlen(j));
        assert_non_null(spec.caps);
        assert_int_equal(privileged_as(&spec, "1.0.0-rc2"), 1);
        assert_int_equal(privileged_as(&spec, "1.0.0"), -1);
        nvct_spec_clear(&spec);
        free(j);
        j = spec_with_caps("1.0.0-rc2", "{'bounding':['CAP_SYS_ADMIN']}");
        spec = spec_ok_raw(j, strlen(j));
        assert_non_null(spec.caps);
        assert_int_equal(privileged_as(&spec, "1.0.0-rc2"), -1);
        assert_int_equal(privileged_as(&spec, "1.0.0"), 1);
        nvct_spec_clear(&spec);
        free(j);
        j = spec_with_caps("1.0.0", "{'bounding':[1],'effective':['CAP_SYS_ADMIN']}");
        spec = spec_ok_raw(j, strlen(j));
        assert_non_null(spec.caps);
        assert_int_equal(privileged_as(&spec, "1.0.0-rc2"), -1);
        assert_int_equal(privileged_as(&spec, "1.0.0"), -1);
        nvct_spec_clear(&spec);
        free(j);
}

static void test_spec_caps_absent(void **state) {
        (void)state;
        /* Capabilities nil: not privileged, whatever the version, and no
         * shape to get wrong. */
        static const char *const versions[] = { "1.0.0", "1.0.0-rc2", "junk" };
        for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
                assert_false(caps_privileged(versions[i], "null"));
                char *j = spec_with_process(versions[i], "'env':['A=1']");
                assert_false(privileged_json(j));
                free(j);
        }
        char *j = spec_with_caps("1.0.0", "null");
        nvct_spec spec = spec_ok_raw(j, strlen(j));
        assert_null(spec.caps);
        nvct_spec_clear(&spec);
        free(j);

        /* A repeated key replaces the whole raw message. */
        j = spec_with_process("1.0.0", "'capabilities':{'bounding':['CAP_SYS_ADMIN']},"
                                       "'capabilities':null");
        assert_false(privileged_json(j));
        free(j);
        j = spec_with_process("1.0.0", "'capabilities':{'bounding':['CAP_SYS_ADMIN']},"
                                       "'capabilities':{}");
        assert_false(privileged_json(j));
        free(j);
        j = spec_with_process("1.0.0", "'capabilities':1,"
                                       "'capabilities':{'bounding':['CAP_SYS_ADMIN']}");
        assert_true(privileged_json(j));
        free(j);
        j = spec_with_process("1.0.0-rc3", "'capabilities':{'bounding':[]},"
                                           "'capabilities':['CAP_SYS_ADMIN']");
        assert_true(privileged_json(j));
        free(j);
        j = spec_with_process("1.0.0-rc3", "'capabilities':['CAP_SYS_ADMIN'],"
                                           "'capabilities':[[]]");
        spec = spec_ok_raw(j, strlen(j));
        bool priv = false;
        nvct_error *err = NULL;
        assert_true(nvct_spec_is_privileged(&spec, NAME, &priv, &err) < 0);
        assert_non_null(err);
        nvct_error_free(&err);
        nvct_spec_clear(&spec);
        free(j);
}

static void test_spec_mounts(void **state) {
        (void)state;
        nvct_spec spec = spec_ok(
                "{'ociVersion':'1.0.0','process':{},'root':{},'mounts':["
                "{'source':'/dev/null','destination':'/var/run/nvidia-container-devices/0'},"
                "{'source':'/dev/nvidia0','destination':'/var/run/nvidia-container-devices/1'},"
                "{'destination':'/a//b/../c/','source':'/dev/../dev/null'},"
                "{'source':'//dev/./null/','destination':'rel/./x'},"
                "{'source':'dev/null','destination':'/no-relative'},"
                "{'source':'/dev/null/x/..','destination':'/y','type':null,'options':null},"
                "{'source':'/dev/nul','destination':'/no-typo'},"
                "{'source':'/dev/null2','destination':'/no-suffix'},"
                "{'destination':'/no-source'},"
                "{'source':null,'destination':'/null-source'},"
                "{'source':'','destination':'/empty-source'},"
                "null,"
                "{},"
                "{'source':'/dev/null'},"
                "{'source':'/dev/null','destination':''},"
                "{'source':'/dev/null','destination':null},"
                "{'source':'/dev/null','options':['rbind',null],'type':'bind',"
                "'destination':'/z'}"
                "]}");
        static const char *const want[] = {
                "/var/run/nvidia-container-devices/0", "/a/c", "rel/x", "/y", ".", ".", ".", "/z",
        };
        assert_int_equal(spec.n_dev_null_mounts, sizeof(want) / sizeof(want[0]));
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
                assert_str(spec.dev_null_mounts[i], spec.dev_null_mount_lens[i], want[i]);
        nvct_spec_clear(&spec);
        assert_null(spec.dev_null_mounts);
        assert_int_equal(spec.n_dev_null_mounts, 0);

        /* Within one mount a later key wins, and null leaves a string. */
        spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{},'mounts':["
                       "{'source':'/dev/null','source':'/x','destination':'/1'},"
                       "{'source':'/x','source':'/dev/null','destination':'/2'},"
                       "{'destination':'/3a','source':'/dev/null','destination':'/3b'},"
                       "{'source':'/dev/null','source':null,'destination':'/4'},"
                       "{'source':'/dev/null','destination':'/5','destination':null}"
                       "]}");
        assert_int_equal(spec.n_dev_null_mounts, 4);
        assert_str(spec.dev_null_mounts[0], spec.dev_null_mount_lens[0], "/2");
        assert_str(spec.dev_null_mounts[1], spec.dev_null_mount_lens[1], "/3b");
        assert_str(spec.dev_null_mounts[2], spec.dev_null_mount_lens[2], "/4");
        assert_str(spec.dev_null_mounts[3], spec.dev_null_mount_lens[3], "/5");
        nvct_spec_clear(&spec);

        /* Destinations keep NUL bytes and get invalid UTF-8 replaced. */
        spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{},'mounts':["
                       "{'source':'/dev/null','destination':'/a\\u0000b/../c'},"
                       "{'source':'/dev/null','destination':'/\xff/x/..'}]}");
        assert_int_equal(spec.n_dev_null_mounts, 2);
        assert_bytes(spec.dev_null_mounts[0], spec.dev_null_mount_lens[0], "/c", 2);
        assert_str(spec.dev_null_mounts[1], spec.dev_null_mount_lens[1], "/\xef\xbf\xbd");
        nvct_spec_clear(&spec);
        /* A NUL in the source makes it another path. */
        spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{},'mounts':["
                       "{'source':'/dev/null\\u0000','destination':'/a'}]}");
        assert_int_equal(spec.n_dev_null_mounts, 0);
        nvct_spec_clear(&spec);

        /* A later "mounts" replaces the list; null and [] empty it. */
        spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{},"
                       "'mounts':[{'source':'/dev/null','destination':'/a'}],"
                       "'mounts':[{'source':'/x','destination':'/b'},"
                       "{'source':'/dev/null','destination':'/c'}]}");
        assert_int_equal(spec.n_dev_null_mounts, 1);
        assert_str(spec.dev_null_mounts[0], spec.dev_null_mount_lens[0], "/c");
        nvct_spec_clear(&spec);
        spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{},"
                       "'mounts':[{'source':'/dev/null','destination':'/a'}],'mounts':[]}");
        assert_int_equal(spec.n_dev_null_mounts, 0);
        nvct_spec_clear(&spec);
        spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{},"
                       "'mounts':[{'source':'/dev/null','destination':'/a'}],'mounts':null}");
        assert_int_equal(spec.n_dev_null_mounts, 0);
        nvct_spec_clear(&spec);

        /* Many mounts. */
        size_t n = 3000;
        size_t cap = 200 + n * 64;
        char *big = malloc(cap);
        assert_non_null(big);
        size_t w = (size_t)snprintf(big, cap,
                                    "{\"ociVersion\":\"1.0.0\",\"process\":{},\"root\":{},"
                                    "\"mounts\":[");
        for (size_t i = 0; i < n; i++)
                w += (size_t)snprintf(big + w, cap - w,
                                      "%s{\"source\":\"/dev/%s\",\"destination\":\"/d/%zu\"}",
                                      i ? "," : "", i % 3 ? "null" : "zero", i);
        w += (size_t)snprintf(big + w, cap - w, "]}");
        spec = spec_ok_raw(big, w);
        assert_int_equal(spec.n_dev_null_mounts, n - n / 3);
        assert_str(spec.dev_null_mounts[0], spec.dev_null_mount_lens[0], "/d/1");
        assert_str(spec.dev_null_mounts[spec.n_dev_null_mounts - 1],
                   spec.dev_null_mount_lens[spec.n_dev_null_mounts - 1], "/d/2999");
        nvct_spec_clear(&spec);
        free(big);
}

/* `levels` nested arrays in an ignored field of a spec (or state). */
static char *nested(bool spec, size_t levels) {
        const char *head = spec ? "{\"ociVersion\":\"1.0.0\",\"process\":{},\"root\":{},\"x\":"
                                : "{\"pid\":1,\"x\":";
        size_t hl = strlen(head);
        char *s = malloc(hl + 2 * levels + 2);
        assert_non_null(s);
        memcpy(s, head, hl);
        memset(s + hl, '[', levels);
        memset(s + hl + levels, ']', levels);
        s[hl + 2 * levels] = '}';
        s[hl + 2 * levels + 1] = '\0';
        return s;
}

static void test_depth_limit(void **state) {
        (void)state;
        /* encoding/json allows 10000 levels, the top-level object included. */
        char *s = nested(true, NVCT_JSON_MAX_DEPTH - 1);
        nvct_spec spec = spec_ok_raw(s, strlen(s));
        nvct_spec_clear(&spec);
        free(s);
        s = nested(true, NVCT_JSON_MAX_DEPTH);
        spec_fails_raw(s, strlen(s), "nested", NULL);
        free(s);
        s = nested(true, 100000);
        spec_fails_raw(s, strlen(s), "nested", NULL);
        free(s);

        s = nested(false, NVCT_JSON_MAX_DEPTH - 1);
        nvct_state st = state_ok_raw(s, strlen(s));
        assert_int_equal(st.pid, 1);
        nvct_state_clear(&st);
        free(s);
        s = nested(false, NVCT_JSON_MAX_DEPTH);
        state_fails_raw(s, strlen(s), "nested", NULL);
        free(s);

        /* Deep objects count the same as deep arrays. */
        size_t levels = NVCT_JSON_MAX_DEPTH + 1;
        size_t cap = levels * 6 + 64;
        s = malloc(cap);
        assert_non_null(s);
        size_t w = 0;
        for (size_t i = 0; i < levels; i++) {
                memcpy(s + w, "{\"a\":", 5);
                w += 5;
        }
        s[w++] = '1';
        memset(s + w, '}', levels);
        w += levels;
        s[w] = '\0';
        state_fails_raw(s, w, "nested", NULL);
        /* One level less: fine (the top-level object counts). */
        nvct_state st2 = state_ok_raw(s + 5, w - 6);
        nvct_state_clear(&st2);
        free(s);
}

static void test_spec_utf8(void **state) {
        (void)state;
        static const struct {
                const char *in;
                const char *out;
        } cases[] = {
                { "plain", "plain" },
                { "\xc3\xa9", "\xc3\xa9" },                 /* é */
                { "\xe2\x82\xac", "\xe2\x82\xac" },         /* € */
                { "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" }, /* U+1F600 */
                { "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" }, /* U+10FFFF */
                { "a\xff"
                  "b",
                  "a\xef\xbf\xbd"
                  "b" },
                { "\x80", "\xef\xbf\xbd" },
                { "\xc3", "\xef\xbf\xbd" },
                { "\xc3(", "\xef\xbf\xbd(" },
                { "\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd" },
                { "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },                 /* overlong */
                { "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* overlong */
                { "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* surrogate */
                { "\xf4\x90\x80\x80",
                  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* > U+10FFFF */
                { "\xf8\x88\x80\x80\x80",
                  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
                { "\xfe\xff", "\xef\xbf\xbd\xef\xbf\xbd" },
                { "\xef\xbf\xbd", "\xef\xbf\xbd" }, /* U+FFFD itself */
                { "\x7f", "\x7f" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *json = NULL;
                assert_true(asprintf(&json,
                                     "{\"ociVersion\":\"%s\",\"process\":{\"env\":[\"V=%s\"]},"
                                     "\"root\":{\"path\":\"%s\"}}",
                                     cases[i].in, cases[i].in, cases[i].in) > 0);
                nvct_spec spec = spec_ok_raw(json, strlen(json));
                assert_str(spec.version, spec.version_len, cases[i].out);
                assert_str(spec.root_path, spec.root_path_len, cases[i].out);
                assert_env(&spec, "V", cases[i].out);
                nvct_spec_clear(&spec);
                free(json);
        }
        /* Raw control bytes are not allowed inside JSON strings. */
        spec_fails_raw(RAW("{\"ociVersion\":\"1\x01\",\"process\":{},\"root\":{}}"), NULL, NULL);
        spec_fails_raw(RAW("{\"ociVersion\":\"1\n\",\"process\":{},\"root\":{}}"), NULL, NULL);
        spec_fails_raw(RAW("{\"ociVersion\":\"1\0\",\"process\":{},\"root\":{}}"), NULL, NULL);
        spec_fails_raw(RAW("{\"ociVersion\":\"1\x1f\",\"process\":{},\"root\":{}}"), NULL, NULL);
}

static void test_spec_escapes(void **state) {
        (void)state;
        nvct_spec spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{'path':"
                                 "'\\/\\\\\\'\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac"
                                 "\\ud83d\\ude00\\udbff\\udfff\\u0000.'}}");
        static const char want[] =
                "/\\\"\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\0.";
        assert_bytes(spec.root_path, spec.root_path_len, want, sizeof(want) - 1);
        nvct_spec_clear(&spec);
        spec_fails("{'ociVersion':'\\x41','process':{},'root':{}}", NULL, NULL);
        spec_fails("{'ociVersion':'\\u00g0','process':{},'root':{}}", NULL, NULL);
        spec_fails("{'ociVersion':'\\u00','process':{},'root':{}}", NULL, NULL);
}

/* encoding/json decodes an unpaired UTF-16 surrogate escape to U+FFFD (one
 * per escape), and keeps what follows it. */
static void test_spec_escaped_lone_surrogates(void **state) {
        (void)state;
        static const struct {
                const char *in;
                const char *out;
        } cases[] = {
                { "a\\ud800b", "a\xef\xbf\xbd"
                               "b" },
                { "\\ud800", "\xef\xbf\xbd" },
                { "\\udc00", "\xef\xbf\xbd" },
                { "\\udfff.", "\xef\xbf\xbd." },
                { "\\ud800\\u0041", "\xef\xbf\xbd"
                                    "A" },
                { "\\ud800\\ud800", "\xef\xbf\xbd\xef\xbf\xbd" },
                { "\\udc00\\ud800", "\xef\xbf\xbd\xef\xbf\xbd" },
                { "\\ud800\\n", "\xef\xbf\xbd\n" },
                { "\\ud83d\\ude00\\ud83d", "\xf0\x9f\x98\x80\xef\xbf\xbd" },
                { "\\ud83d\\ude00", "\xf0\x9f\x98\x80" }, /* a valid pair */
        };
        size_t failures = 0;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *json = NULL;
                assert_true(asprintf(&json,
                                     "{\"ociVersion\":\"1.0.0\",\"process\":{},"
                                     "\"root\":{\"path\":\"%s\"}}",
                                     cases[i].in) > 0);
                nvct_spec spec = { 0 };
                bool ok = try_spec_ok(json, strlen(json), &spec);
                free(json);
                if (ok) {
                        ok = bytes_equal(spec.root_path, spec.root_path_len, cases[i].out,
                                         strlen(cases[i].out));
                        nvct_spec_clear(&spec);
                }
                if (!ok) {
                        print_error("  ^ for JSON string \"%s\"\n", cases[i].in);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

static void test_spec_syntax(void **state) {
        (void)state;
        static const char *const bad[] = {
                "{",
                "{'ociVersion':'1.0.0'",
                "{'ociVersion':'1.0.0','process':{},'root':{},}",
                "{'ociVersion':'1.0.0','process':{},'root':{}",
                "{'ociVersion':'1.0.0' 'process':{},'root':{}}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':[1,]}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':01}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':1.}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':.5}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':+1}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':NaN}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':Infinity}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':True}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':nul}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':'a}",
                "{'ociVersion':'1.0.0','process':{},'root':{},x:1}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':1 /* c */}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':1 // c\n}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':[}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x':{]}",
                "{'ociVersion':'1.0.0','process':{},'root':{},'x'}",
                "{'ociVersion':'1.0.0','process':{},'root':{},1:1}",
                "{'ociVersion'::'1.0.0','process':{},'root':{}}",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                spec_fails(bad[i], NULL, NULL);
        /* Single quotes are not JSON (bytes given as is here). */
        spec_fails_raw(RAW("{'ociVersion':'1.0.0','process':{},'root':{}}"), NULL, NULL);
        spec_fails_raw(RAW("\xef\xbb\xbf{\"ociVersion\":\"1.0.0\",\"process\":{},\"root\":{}}"),
                       NULL, NULL);

        /* Only the first value is read: what follows is never looked at. */
        nvct_spec spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{}} trailing ]]");
        assert_str(spec.version, spec.version_len, "1.0.0");
        nvct_spec_clear(&spec);
        spec = spec_ok("{'ociVersion':'1.0.0','process':{},'root':{}}{'ociVersion':null}");
        assert_str(spec.version, spec.version_len, "1.0.0");
        nvct_spec_clear(&spec);
        /* White space JSON allows: space, tab, CR, LF. */
        spec = spec_ok(" \t\r\n{ \t\r\n'ociVersion' \t\r\n: \t\r\n'1.0.0' \t\r\n, 'process'"
                       ":{ }\n,'root':{\n}\r} \t\r\n");
        nvct_spec_clear(&spec);
}

/* JSON white space is space, tab, CR and LF only; encoding/json rejects a
 * form feed or vertical tab between tokens. */
static void test_spec_json_whitespace_strict(void **state) {
        (void)state;
        static const char *const specs[] = {
                "{'ociVersion':'1.0.0',\f'process':{},'root':{}}",
                "\v{'ociVersion':'1.0.0','process':{},'root':{}}",
                "{'ociVersion'\v:'1.0.0','process':{},'root':{}}",
                "{'ociVersion':'1.0.0','process':{'env':[\f'A=1']},'root':{}}",
        };
        size_t failures = 0;
        for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
                char *j = tr(specs[i]);
                if (!try_spec_fails(j, strlen(j), NULL, NULL))
                        failures++;
                free(j);
        }
        if (!try_state_fails(RAW("\f{\"pid\":1}"), NULL, NULL))
                failures++;
        assert_int_equal(failures, 0);
}

/* encoding/json decodes an array into an existing slice in place: element i
 * of the new array is decoded into element i of the old slice while i is
 * below its length, so a null element (ignored for a string or struct)
 * leaves the old element, and an object merges into the old struct. */
static bool env_is(const nvct_spec *spec, const char *name, const char *value) {
        const nvct_env_var *v = nvct_env_get(&spec->env, name);
        if (v == NULL) {
                print_error("env %s is not set, want %s\n", name, value ? value : "unset");
                return value == NULL;
        }
        if (value == NULL) {
                print_error("env %s is set, want it unset\n", name);
                return false;
        }
        return bytes_equal(v->value, v->value_len, value, strlen(value));
}

static bool mounts_are(const nvct_spec *spec, const char *const *want, size_t n) {
        if (spec->n_dev_null_mounts != n) {
                print_error("%zu /dev/null mounts, want %zu\n", spec->n_dev_null_mounts, n);
                return false;
        }
        for (size_t i = 0; i < n; i++)
                if (!bytes_equal(spec->dev_null_mounts[i], spec->dev_null_mount_lens[i], want[i],
                                 strlen(want[i])))
                        return false;
        return true;
}

static void test_spec_go_slice_reuse(void **state) {
        (void)state;
        size_t failures = 0;
        nvct_spec spec = { 0 };
        char *j;
        bool ok;

        /* process.env: null leaves the old string at that index. */
        j = tr("{'ociVersion':'1.0.0','process':{'env':['A=1','B=2'],'env':['C=3',null]},"
               "'root':{}}");
        ok = try_spec_ok(j, strlen(j), &spec);
        if (ok) {
                ok = spec.env.n_vars == 2 && env_is(&spec, "C", "3") && env_is(&spec, "B", "2") &&
                     env_is(&spec, "A", NULL);
                nvct_spec_clear(&spec);
        }
        if (!ok) {
                print_error("  ^ for %s\n", j);
                failures++;
        }
        free(j);

        j = tr("{'ociVersion':'1.0.0','process':{'env':['A=1']},'process':{'env':[null]},"
               "'root':{}}");
        ok = try_spec_ok(j, strlen(j), &spec);
        if (ok) {
                ok = spec.env.n_vars == 1 && env_is(&spec, "A", "1");
                nvct_spec_clear(&spec);
        }
        if (!ok) {
                print_error("  ^ for %s\n", j);
                failures++;
        }
        free(j);

        /* mounts: an object merges into the old Mount, null keeps it. */
        static const struct {
                const char *json;
                const char *want[2];
                size_t n;
        } mounts[] = {
                { "{'ociVersion':'1.0.0','process':{},'root':{},"
                  "'mounts':[{'source':'/dev/null','destination':'/a'}],"
                  "'mounts':[{'destination':'/b'}]}",
                  { "/b", NULL },
                  1 },
                { "{'ociVersion':'1.0.0','process':{},'root':{},"
                  "'mounts':[{'source':'/dev/null','destination':'/a'}],'mounts':[null]}",
                  { "/a", NULL },
                  1 },
                { "{'ociVersion':'1.0.0','process':{},'root':{},"
                  "'mounts':[{'source':'/x','destination':'/a'},"
                  "{'source':'/dev/null','destination':'/b'}],"
                  "'mounts':[{'source':'/dev/null'},{'source':'/y'}]}",
                  { "/a", NULL },
                  1 },
        };
        for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
                j = tr(mounts[i].json);
                ok = try_spec_ok(j, strlen(j), &spec);
                if (ok) {
                        ok = mounts_are(&spec, mounts[i].want, mounts[i].n);
                        nvct_spec_clear(&spec);
                }
                if (!ok) {
                        print_error("  ^ for %s\n", j);
                        failures++;
                }
                free(j);
        }

        /* capabilities.bounding (json.Unmarshal into LinuxCapabilities). */
        static const char *const caps[] = {
                "{'bounding':['CAP_SYS_ADMIN'],'bounding':[null]}",
                "{'bounding':['X','CAP_SYS_ADMIN'],'bounding':['Y',null]}",
        };
        for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
                j = spec_with_caps("1.0.0", caps[i]);
                bool priv = false;
                if (!try_privileged(j, &priv) || !priv) {
                        print_error("not privileged, want privileged, for %s\n", j);
                        failures++;
                }
                free(j);
        }
        assert_int_equal(failures, 0);
}

/* ---- nvct_spec_load ---- */

typedef struct tmpdir {
        char path[64];
} tmpdir;

static void make_tmpdir(tmpdir *d) {
        snprintf(d->path, sizeof(d->path), "/tmp/nvct-test-oci-XXXXXX");
        assert_non_null(mkdtemp(d->path));
}

static char *path_in(const tmpdir *d, const char *name) {
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", d->path, name) > 0);
        return p;
}

static void write_file(const char *path, const char *data, size_t len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        write_all(fd, data, len);
        assert_int_equal(close(fd), 0);
}

static void spec_load_fails(const char *path, const char *needle) {
        nvct_spec spec = { 0 };
        nvct_error *err = NULL;
        alarm(20); /* a FIFO must not hang the load */
        int r = nvct_spec_load(path, NULL, &spec, &err);
        alarm(0);
        if (r >= 0) {
                print_error("loaded %s\n", path);
                nvct_spec_clear(&spec);
                fail();
        }
        assert_non_null(err);
        assert_null(spec.version);
        assert_msg_has(err->msg, path);
        assert_msg_has(err->msg, needle);
        nvct_error_free(&err);
}

static void test_spec_load(void **state) {
        (void)state;
        tmpdir d;
        make_tmpdir(&d);
        char *config = path_in(&d, "config.json");
        static const char good[] = "{\"ociVersion\":\"1.0.0\",\"process\":{\"env\":[\"A=1\"]},"
                                   "\"root\":{\"path\":\"rootfs\"}}\n";
        write_file(config, good, strlen(good));

        nvct_spec spec = { 0 };
        nvct_error *err = NULL;
        assert_int_equal(nvct_spec_load(config, NULL, &spec, &err), 0);
        assert_null(err);
        assert_str(spec.version, spec.version_len, "1.0.0");
        assert_str(spec.root_path, spec.root_path_len, "rootfs");
        assert_env(&spec, "A", "1");
        nvct_spec_clear(&spec);

        /* Through a symlink, as os.Open follows it. */
        char *link = path_in(&d, "link.json");
        assert_int_equal(symlink(config, link), 0);
        assert_int_equal(nvct_spec_load(link, NULL, &spec, &err), 0);
        assert_str(spec.version, spec.version_len, "1.0.0");
        nvct_spec_clear(&spec);

        /* Errors name the file. */
        char *missing = path_in(&d, "missing.json");
        spec_load_fails(missing, "No such file");
        char *empty = path_in(&d, "empty.json");
        write_file(empty, "", 0);
        spec_load_fails(empty, NULL);
        char *bad = path_in(&d, "bad.json");
        write_file(bad, "{\"ociVersion\":1}", 16);
        spec_load_fails(bad, "ociVersion");
        char *noroot = path_in(&d, "noroot.json");
        write_file(noroot, "{\"ociVersion\":\"1\",\"process\":{}}", 31);
        spec_load_fails(noroot, "root");

        /* Not regular files: fail at once instead of hanging. */
        spec_load_fails(d.path, NULL);
        char *fifo = path_in(&d, "fifo.json");
        assert_int_equal(mkfifo(fifo, 0600), 0);
        spec_load_fails(fifo, NULL);

        /* Too large, checked before reading (a sparse file). */
        char *huge = path_in(&d, "huge.json");
        write_file(huge, good, strlen(good));
        assert_int_equal(truncate(huge, (off_t)NVCT_SPEC_MAX_SIZE + 1), 0);
        spec_load_fails(huge, "larger than");

        /* Trailing data after the value, even a lot, is never read. */
        char *trailing = path_in(&d, "trailing.json");
        write_file(trailing, good, strlen(good));
        assert_int_equal(truncate(trailing, (off_t)NVCT_SPEC_MAX_SIZE), 0);
        assert_int_equal(nvct_spec_load(trailing, NULL, &spec, &err), 0);
        assert_str(spec.version, spec.version_len, "1.0.0");
        nvct_spec_clear(&spec);

        char *all[] = { config, link, missing, empty, bad, noroot, fifo, huge, trailing };
        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
                unlink(all[i]);
                free(all[i]);
        }
        assert_int_equal(rmdir(d.path), 0);
}

/* A writer that stalls mid-value: the read gives up at the deadline
 * instead of hanging container start. */
static void test_state_read_deadline(void **state) {
        (void)state;
        int fds[2];
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        const char *partial = "{\"pid\":1,\"bundle\":\"/b";
        assert_int_equal(write(fds[1], partial, strlen(partial)), (ssize_t)strlen(partial));
        nvct_state st = { 0 };
        nvct_error *err = NULL;
        assert_int_equal(nvct_state_read_timeout(fds[0], 200, &st, &err), -1);
        assert_non_null(strstr(err->msg, "incomplete after 200 ms"));
        nvct_error_free(&err);

        /* A complete value on the same kind of pipe is read at once. */
        int fds2[2];
        assert_int_equal(pipe2(fds2, O_CLOEXEC), 0);
        const char *whole = "{\"pid\":7,\"bundle\":\"/b\"}";
        assert_int_equal(write(fds2[1], whole, strlen(whole)), (ssize_t)strlen(whole));
        assert_int_equal(nvct_state_read_timeout(fds2[0], 200, &st, &err), 0);
        assert_int_equal(st.pid, 7);
        nvct_state_clear(&st);
        close(fds[0]);
        close(fds[1]);
        close(fds2[0]);
        close(fds2[1]);
}

/* ---- the hook's filter ---- */

static nvct_spec filtered(const char *json, const nvct_spec_filter *filter) {
        nvct_spec spec = { 0 };
        nvct_error *err = NULL;
        if (nvct_spec_parse(json, strlen(json), NAME, filter, &spec, &err) < 0) {
                fprintf(stderr, "unexpected error: %s\n", err->msg);
                nvct_error_free(&err);
                fail();
        }
        return spec;
}

/* The CDI hooks read root only: nothing else in the spec can fail them. */
static void test_spec_root_only(void **state) {
        (void)state;
        const nvct_spec_filter root_only = { .root_only = true };
        nvct_spec spec =
                filtered("{\"process\":{\"env\":[\"FOO\",5,{\"x\":[]}],\"capabilities\":1},"
                         "\"mounts\":7,\"root\":{\"path\":\"rootfs\"}}",
                         &root_only);
        assert_string_equal(spec.root_path, "rootfs");
        assert_int_equal(spec.env.n_vars, 0);
        assert_int_equal(spec.n_dev_null_mounts, 0);
        assert_null(spec.caps);
        nvct_spec_clear(&spec);

        spec = filtered("{\"root\":{}}", &root_only);
        assert_string_equal(spec.root_path, "");
        /* ociVersion is not read, and is "" as every string field left
         * unset: isPrivileged on it, with no capabilities read, is false
         * (it copied from a NULL version). */
        assert_non_null(spec.version);
        assert_int_equal(spec.version_len, 0);
        assert_null(spec.caps);
        bool priv = true;
        nvct_error *perr = NULL;
        assert_int_equal(nvct_spec_is_privileged(&spec, NAME, &priv, &perr), 0);
        assert_null(perr);
        assert_false(priv);
        nvct_spec_clear(&spec);

        /* Nor does it copy from a NULL version when there are
         * capabilities (a spec whose reader left version unset). */
        spec = filtered("{\"ociVersion\":\"1.0.0\",\"process\":{\"capabilities\":{"
                        "\"bounding\":[\"CAP_SYS_ADMIN\"]}},\"root\":{}}",
                        NULL);
        nvct_spec unversioned = spec;
        unversioned.version = NULL;
        unversioned.version_len = 0;
        assert_int_equal(nvct_spec_is_privileged(&unversioned, NAME, &priv, &perr), 0);
        assert_true(priv);
        nvct_spec_clear(&spec);

        /* A version given is still not read. */
        spec = filtered("{\"ociVersion\":\"1.0.0-rc2\",\"root\":{}}", &root_only);
        assert_string_equal(spec.version, "");
        nvct_spec_clear(&spec);

        /* Still required, still typed: root. */
        const char *bad[] = { "{\"process\":{}}", "{\"root\":null}", "{\"root\":{\"path\":1}}" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                nvct_spec out = { 0 };
                nvct_error *err = NULL;
                assert_int_equal(
                        nvct_spec_parse(bad[i], strlen(bad[i]), NAME, &root_only, &out, &err), -1);
                assert_non_null(err);
                assert_contains(err->msg, "root");
                nvct_error_free(&err);
        }
}

/* The hook's filter (policy/specfilter.h) over the reader. */
static void test_spec_filter(void **state) {
        (void)state;
        nvct_hook_config config = { .swarm_resource = (char *)"DOCKER_RESOURCE_GPU",
                                    .accept_volume_mounts = true };
        const nvct_spec_filter filter = nvct_decision_spec_filter(&config);
        nvct_spec spec = filtered(
                "{\"ociVersion\":\"1.0.2\",\"process\":{\"env\":[\"PATH=/"
                "bin\",\"NVIDIA_VISIBLE_DEVICES=0\","
                "\"CUDA_VERSION=10.1\",\"DOCKER_RESOURCE_GPU=GPU-1\",\"HOME=/"
                "root\",\"CUDA_VERSIONX=1\","
                "\"NVIDIA_REQUIRE_X=x\"]},\"root\":{\"path\":\"r\"},\"mounts\":["
                "{\"source\":\"/dev/null\",\"destination\":\"/var/run/nvidia-container-devices/"
                "1\"},"
                "{\"source\":\"/dev/null\",\"destination\":\"/elsewhere\"},"
                "{\"destination\":\"/var/run/nvidia-container-devices/2\",\"source\":\"/tmp\"}]}",
                &filter);
        /* Kept: NVIDIA_*, CUDA_VERSION and the swarm variable; in order. */
        assert_int_equal(spec.env.n_vars, 4);
        assert_string_equal(spec.env.vars[0].name, "NVIDIA_VISIBLE_DEVICES");
        assert_string_equal(spec.env.vars[1].name, "CUDA_VERSION");
        assert_string_equal(spec.env.vars[2].name, "DOCKER_RESOURCE_GPU");
        assert_string_equal(spec.env.vars[3].name, "NVIDIA_REQUIRE_X");
        assert_null(nvct_env_get(&spec.env, "PATH"));
        assert_null(nvct_env_get(&spec.env, "CUDA_VERSIONX"));
        /* Only the /dev/null mount under the prefix. */
        assert_int_equal(spec.n_dev_null_mounts, 1);
        assert_string_equal(spec.dev_null_mounts[0], "/var/run/nvidia-container-devices/1");
        nvct_spec_clear(&spec);

        /* An entry without '=' is an error whether or not it would be kept. */
        nvct_spec bad = { 0 };
        nvct_error *err = NULL;
        const char *json = "{\"ociVersion\":\"1.0.2\",\"process\":{\"env\":[\"A=1\",\"JUNK\"]},"
                           "\"root\":{}}";
        assert_int_equal(nvct_spec_parse(json, strlen(json), NAME, &filter, &bad, &err), -1);
        assert_non_null(strstr(err->msg, "process.env[1]"));
        nvct_error_free(&err);

        /* Slice reuse still works across dropped entries: the null keeps
         * the earlier (dropped, valid) entry, so nothing is malformed. */
        spec = filtered("{\"ociVersion\":\"1.0.2\",\"process\":{\"env\":[\"A=1\",\"NVIDIA_X=1\"],"
                        "\"env\":[null,\"NVIDIA_X=2\"]},\"root\":{}}",
                        &filter);
        assert_int_equal(spec.env.n_vars, 1);
        assert_string_equal(nvct_env_get(&spec.env, "NVIDIA_X")->value, "2");
        nvct_spec_clear(&spec);

        /* A dropped destination is not "unset": a later source /dev/null
         * does not turn it into a device. */
        spec = filtered("{\"ociVersion\":\"1.0.2\",\"process\":{},\"root\":{},\"mounts\":["
                        "{\"destination\":\"/x\"}],\"mounts\":[{\"source\":\"/dev/null\"}]}",
                        &filter);
        assert_int_equal(spec.n_dev_null_mounts, 0);
        nvct_spec_clear(&spec);

        /* drop_mounts keeps none, but still type-checks them. */
        const nvct_spec_filter no_mounts = { .drop_mounts = true };
        spec = filtered("{\"ociVersion\":\"1.0.2\",\"process\":{},\"root\":{},\"mounts\":["
                        "{\"source\":\"/dev/null\",\"destination\":"
                        "\"/var/run/nvidia-container-devices/0\"}]}",
                        &no_mounts);
        assert_int_equal(spec.n_dev_null_mounts, 0);
        nvct_spec_clear(&spec);
        json = "{\"ociVersion\":\"1.0.2\",\"process\":{},\"root\":{},\"mounts\":[{\"source\":1}]}";
        assert_int_equal(nvct_spec_parse(json, strlen(json), NAME, &no_mounts, &bad, &err), -1);
        assert_non_null(strstr(err->msg, "mounts[].source"));
        nvct_error_free(&err);
}

/* The reader's filter is the caller's: a name predicate and its data. */
static size_t keep_calls;
static char last_name[64];
static size_t last_len;

static bool keep_prefixed(const char *name, size_t len, const void *data) {
        const char *prefix = data;
        keep_calls++;
        last_len = len < sizeof(last_name) ? len : sizeof(last_name);
        memcpy(last_name, name, last_len);
        return len >= strlen(prefix) && memcmp(name, prefix, strlen(prefix)) == 0;
}

static void test_spec_filter_predicate(void **state) {
        (void)state;
        const nvct_spec_filter filter = { .keep_env = keep_prefixed, .keep_env_data = "KEEP_" };
        keep_calls = 0;
        nvct_spec spec = filtered("{\"ociVersion\":\"1\",\"process\":{\"env\":[\"KEEP_A=1\","
                                  "\"DROP=2\",\"NVIDIA_X=3\",\"KEEP_B=4\"]},\"root\":{}}",
                                  &filter);
        /* Asked once an entry; the hook's names mean nothing here. */
        assert_int_equal(keep_calls, 4);
        assert_int_equal(spec.env.n_vars, 2);
        assert_string_equal(spec.env.vars[0].name, "KEEP_A");
        assert_string_equal(spec.env.vars[1].name, "KEEP_B");
        nvct_spec_clear(&spec);

        /* A name that is not ASCII is asked as Go decodes it: invalid UTF-8
         * turned into U+FFFD. */
        keep_calls = 0;
        spec = filtered(
                "{\"ociVersion\":\"1\",\"process\":{\"env\":[\"KEEP_\xff=1\"]},\"root\":{}}",
                &filter);
        assert_int_equal(keep_calls, 1);
        assert_int_equal(last_len, 8);
        assert_memory_equal(last_name, "KEEP_\xef\xbf\xbd", 8);
        assert_int_equal(spec.env.n_vars, 1);
        assert_string_equal(spec.env.vars[0].name, "KEEP_\xef\xbf\xbd");
        nvct_spec_clear(&spec);

        /* An entry without '=' is not asked about: it is kept, to fail. */
        keep_calls = 0;
        nvct_spec out = { 0 };
        nvct_error *err = NULL;
        const char *json = "{\"ociVersion\":\"1\",\"process\":{\"env\":[\"JUNK\"]},\"root\":{}}";
        assert_int_equal(nvct_spec_parse(json, strlen(json), NAME, &filter, &out, &err), -1);
        assert_int_equal(keep_calls, 0);
        assert_contains(err->msg, "process.env[0]");
        nvct_error_free(&err);

        /* No predicate: every entry, even with mounts dropped. */
        const nvct_spec_filter all_env = { .drop_mounts = true };
        spec = filtered("{\"ociVersion\":\"1\",\"process\":{\"env\":[\"A=1\",\"B=2\"]},"
                        "\"root\":{}}",
                        &all_env);
        assert_int_equal(spec.env.n_vars, 2);
        nvct_spec_clear(&spec);
}

/* What the hook's filter keeps follows its config. */
static void test_spec_hook_filter_config(void **state) {
        (void)state;
        const char *json = "{\"ociVersion\":\"1\",\"process\":{\"env\":[\"DOCKER_RESOURCE_GPU=1\","
                           "\"NVIDIA_VISIBLE_DEVICES=0\",\"CUDA_VERSION=12\",\"NVIDIA_=x\","
                           "\"NVIDIA=y\",\"CUDA_VERSIO=z\"]},\"root\":{},\"mounts\":[{"
                           "\"source\":\"/dev/null\",\"destination\":"
                           "\"/var/run/nvidia-container-devices/0\"}]}";
        /* No swarm resource, volume mounts not accepted. */
        nvct_hook_config config = { 0 };
        nvct_spec_filter filter = nvct_decision_spec_filter(&config);
        assert_true(filter.drop_mounts);
        nvct_spec spec = filtered(json, &filter);
        assert_int_equal(spec.env.n_vars, 3);
        assert_string_equal(spec.env.vars[0].name, "NVIDIA_VISIBLE_DEVICES");
        assert_string_equal(spec.env.vars[1].name, "CUDA_VERSION");
        assert_string_equal(spec.env.vars[2].name, "NVIDIA_");
        assert_int_equal(spec.n_dev_null_mounts, 0);
        nvct_spec_clear(&spec);

        config.swarm_resource = (char *)"DOCKER_RESOURCE_GPU";
        config.accept_volume_mounts = true;
        filter = nvct_decision_spec_filter(&config);
        spec = filtered(json, &filter);
        assert_int_equal(spec.env.n_vars, 4);
        assert_string_equal(spec.env.vars[0].name, "DOCKER_RESOURCE_GPU");
        assert_int_equal(spec.n_dev_null_mounts, 1);
        nvct_spec_clear(&spec);

        assert_true(nvct_decision_reads_env(RAW("NVIDIA_REQUIRE_CUDA"), &config));
        assert_true(nvct_decision_reads_env(RAW("DOCKER_RESOURCE_GPU"), &config));
        assert_false(nvct_decision_reads_env(RAW("DOCKER_RESOURCE_GP"), &config));
        assert_false(nvct_decision_reads_env(RAW("CUDA_VERSION\0"), &config));
        assert_false(nvct_decision_reads_env(RAW("PATH"), &config));
}

/* error.h allows a NULL err: every entry point then fails without a
 * message, and without crashing (the feed used to read *err). */
static void test_null_err(void **state) {
        (void)state;
        nvct_spec spec = { 0 };
        const char *bad_specs[] = {
                "{\"ociVersion\":1}",                    /* a type error */
                "{\"ociVersion\":\"1\"",                 /* invalid JSON */
                "{\"ociVersion\":\"1\",\"process\":{}}", /* no root */
                "{\"ociVersion\":\"1\",\"process\":{\"env\":[\"A\"]},\"root\":{}}", /* env */
                "null",
        };
        for (size_t i = 0; i < sizeof(bad_specs) / sizeof(bad_specs[0]); i++) {
                const char *b = bad_specs[i];
                assert_int_equal(nvct_spec_parse(b, strlen(b), NAME, NULL, &spec, NULL), -1);
                const nvct_spec_filter root_only = { .root_only = true };
                if (i < 3)
                        assert_int_equal(
                                nvct_spec_parse(b, strlen(b), NAME, &root_only, &spec, NULL), -1);
                assert_null(spec.version);
        }
        assert_int_equal(nvct_spec_load("/nonexistent/config.json", NULL, &spec, NULL), -1);

        const char *caps = "{\"ociVersion\":\"1.0.0\",\"process\":{\"capabilities\":[]},"
                           "\"root\":{}}";
        assert_int_equal(nvct_spec_parse(caps, strlen(caps), NAME, NULL, &spec, NULL), 0);
        bool priv = true;
        assert_int_equal(nvct_spec_is_privileged(&spec, NAME, &priv, NULL), -1);
        nvct_spec_clear(&spec);

        nvct_state st = { .pid = 3 };
        assert_int_equal(nvct_state_parse(RAW("{\"pid\":\"1\"}"), &st, NULL), -1);
        assert_int_equal(nvct_state_parse(RAW("{\"pid\":"), &st, NULL), -1);
        assert_int_equal(nvct_state_parse(RAW("{\"pid\":1.5}"), &st, NULL), -1);
        assert_int_equal(st.pid, 3);
        int fds[2];
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        assert_int_equal(write(fds[1], "{\"pid\":", 7), 7);
        assert_int_equal(nvct_state_read_timeout(fds[0], 50, &st, NULL), -1);
        close(fds[1]);
        assert_int_equal(nvct_state_read(fds[0], &st, NULL), -1);
        close(fds[0]);
        assert_int_equal(nvct_state_read(-1, &st, NULL), -1);
        assert_int_equal(st.pid, 3);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_state_basic),
                cmocka_unit_test(test_state_bundle_path),
                cmocka_unit_test(test_state_key_folding),
                cmocka_unit_test(test_state_pid),
                cmocka_unit_test(test_state_types),
                cmocka_unit_test(test_state_top_level),
                cmocka_unit_test(test_state_trailing_data),
                cmocka_unit_test(test_state_strings),
                cmocka_unit_test(test_state_read_pipe_left_open),
                cmocka_unit_test(test_state_read_pipe_in_pieces),
                cmocka_unit_test(test_state_read_eof),
                cmocka_unit_test(test_state_read_size_limit),
                cmocka_unit_test(test_spec_minimal),
                cmocka_unit_test(test_spec_realistic),
                cmocka_unit_test(test_spec_required_fields),
                cmocka_unit_test(test_spec_wrong_types),
                cmocka_unit_test(test_spec_unknown_fields),
                cmocka_unit_test(test_spec_key_folding),
                cmocka_unit_test(test_spec_env),
                cmocka_unit_test(test_spec_env_errors),
                cmocka_unit_test(test_spec_process_merge),
                cmocka_unit_test(test_spec_caps_object),
                cmocka_unit_test(test_spec_caps_list),
                cmocka_unit_test(test_spec_caps_shapes),
                cmocka_unit_test(test_spec_caps_absent),
                cmocka_unit_test(test_spec_mounts),
                cmocka_unit_test(test_depth_limit),
                cmocka_unit_test(test_spec_utf8),
                cmocka_unit_test(test_spec_escapes),
                cmocka_unit_test(test_spec_escaped_lone_surrogates),
                cmocka_unit_test(test_spec_syntax),
                cmocka_unit_test(test_spec_json_whitespace_strict),
                cmocka_unit_test(test_spec_go_slice_reuse),
                cmocka_unit_test(test_spec_load),
                cmocka_unit_test(test_spec_filter),
                cmocka_unit_test(test_spec_root_only),
                cmocka_unit_test(test_spec_filter_predicate),
                cmocka_unit_test(test_spec_hook_filter_config),
                cmocka_unit_test(test_null_err),
                cmocka_unit_test(test_state_read_deadline),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
