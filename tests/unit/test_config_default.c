/* SPDX-License-Identifier: Apache-2.0 */
/* config/default: the default config.toml `nvidia-ctk config default`
 * prints. It must name every key of the table once, in its section, decode
 * under both profiles to exactly their defaults (also with any one commented
 * line uncommented, to the value it shows), agree with NVIDIA's default
 * file on the keys both have, and agree with the installed
 * data/config.toml. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/strv.h"
#include "config/config.h"
#include "config/default.h"

#include "testutil.h"

static const nvct_config_profile profiles[] = { NVCT_CONFIG_PROFILE_HOOK,
                                                NVCT_CONFIG_PROFILE_TOOLKIT };

/* noinline: inlined at -O3, GCC 12 takes the returned buffer for a pointer
 * to the local `data` (a false -Wdangling-pointer, an error under -Werror). */
static __attribute__((noinline)) char *generate(size_t *len) {
        char *data = NULL;
        nvct_error *err = NULL;
        if (nvct_config_write_default(&data, len, &err) < 0)
                fail_msg("%s", err->msg);
        assert_int_equal(strlen(data), *len);
        return data;
}

static char *read_file(const char *path, size_t *len) {
        char *data = NULL;
        nvct_error *err = NULL;
        if (nvct_read_regular(path, "test file", NVCT_CONFIG_MAX_SIZE, false, &data, len, &err) < 0)
                fail_msg("%s", err->msg);
        return data;
}

static void parse_ok(const char *data, size_t len, nvct_config_profile p, nvct_config *c) {
        nvct_error *err = NULL;
        if (nvct_config_parse(data, len, "default.toml", p, c, &err) < 0)
                fail_msg("%s\n%s", err->msg, data);
}

static bool strv_equal(const nvct_strv *a, const nvct_strv *b) {
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (strcmp(a->v[i], b->v[i]) != 0)
                        return false;
        return true;
}

/* Whether a key's field holds the same value in both configs. */
static bool same_value(const nvct_config *a, const nvct_config *b, const nvct_config_key *k) {
        const void *fa = nvct_config_field_const(a, k), *fb = nvct_config_field_const(b, k);
        switch (k->type) {
        case NVCT_CONFIG_BOOL:
                return *(const bool *)fa == *(const bool *)fb;
        case NVCT_CONFIG_STRING: {
                const char *sa = *(char *const *)fa, *sb = *(char *const *)fb;
                return sa == NULL || sb == NULL ? sa == sb : strcmp(sa, sb) == 0;
        }
        case NVCT_CONFIG_STRV:
                return strv_equal(fa, fb);
        }
        return false;
}

/* Every key of `c` holds profile p's default. */
static void assert_defaults(const nvct_config *c, nvct_config_profile p) {
        nvct_config d;
        nvct_error *err = NULL;
        assert_int_equal(nvct_config_init_defaults(&d, p, &err), 0);
        for (size_t i = 0; i < nvct_config_n_keys; i++)
                if (!same_value(c, &d, &nvct_config_keys[i]))
                        fail_msg("%s: not the default of profile %d", nvct_config_keys[i].path,
                                 (int)p);
        nvct_config_clear(&d);
}

/* ---- the text, line by line ---- */

/* A key line of a TOML file as these files write them: "name = value" or
 * "#name = value" (a comment line starts "# "), under the last [section]. */
typedef struct key_line {
        char *path; /* section.name */
        bool commented;
        char *text;  /* the whole line without its '#' */
        size_t line; /* 0-based */
} key_line;

typedef struct key_lines {
        key_line *v;
        size_t n;
        nvct_strv sections; /* the headers, in order */
} key_lines;

static bool is_key_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
}

static void scan(const char *data, key_lines *out) {
        *out = (key_lines){ 0 };
        char *section = strdup("");
        size_t lineno = 0;
        for (const char *p = data; *p != '\0'; lineno++) {
                const char *end = strchrnul(p, '\n');
                size_t len = (size_t)(end - p);
                if (len > 2 && p[0] == '[' && p[len - 1] == ']') {
                        free(section);
                        section = strndup(p + 1, len - 2);
                        assert_int_equal(nvct_strv_add(&out->sections, section), 0);
                } else {
                        bool commented = len > 0 && p[0] == '#';
                        const char *k = p + commented, *q = k;
                        while (q < end && is_key_char(*q))
                                q++;
                        if (q > k && (size_t)(end - q) >= 3 && memcmp(q, " = ", 3) == 0) {
                                out->v = realloc(out->v, (out->n + 1) * sizeof(*out->v));
                                assert_non_null(out->v);
                                key_line *l = &out->v[out->n++];
                                l->path = section[0] != '\0'
                                                  ? xasprintf("%s.%.*s", section, (int)(q - k), k)
                                                  : strndup(k, (size_t)(q - k));
                                l->commented = commented;
                                l->text = strndup(k, (size_t)(end - k));
                                l->line = lineno;
                        }
                }
                p = *end != '\0' ? end + 1 : end;
        }
        free(section);
}

static void key_lines_clear(key_lines *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].path);
                free(l->v[i].text);
        }
        free(l->v);
        nvct_strv_clear(&l->sections);
}

static const key_line *find_line(const key_lines *l, const char *path) {
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i].path, path) == 0)
                        return &l->v[i];
        return NULL;
}

/* Whether a key's default is the same for every profile that reads it: the
 * keys that must be written out. */
static bool written_out(const nvct_config_key *k) {
        nvct_config h, t;
        nvct_error *err = NULL;
        assert_int_equal(nvct_config_init_defaults(&h, NVCT_CONFIG_PROFILE_HOOK, &err), 0);
        assert_int_equal(nvct_config_init_defaults(&t, NVCT_CONFIG_PROFILE_TOOLKIT, &err), 0);
        const void *f = nvct_config_field_const(&t, k);
        bool set = k->type == NVCT_CONFIG_BOOL     ? true
                   : k->type == NVCT_CONFIG_STRING ? *(char *const *)f != NULL
                                                   : ((const nvct_strv *)f)->n > 0;
        bool shared =
                !nvct_config_key_read_by(k, NVCT_CONFIG_PROFILE_HOOK) || same_value(&h, &t, k);
        nvct_config_clear(&h);
        nvct_config_clear(&t);
        return set && shared;
}

static void test_every_key_once(void **state) {
        (void)state;
        size_t len = 0;
        char *data = generate(&len);
        key_lines l;
        scan(data, &l);
        /* Nothing but the table's keys, each once... */
        assert_int_equal(l.n, nvct_config_n_keys);
        for (size_t i = 0; i < l.n; i++) {
                const nvct_config_key *k = nvct_config_key_find(l.v[i].path);
                if (k == NULL)
                        fail_msg("%s: not a key of the table", l.v[i].path);
                assert_ptr_equal(find_line(&l, k->path), &l.v[i]);
                /* ...written out exactly when every reader shares a default,
                 * and documented on the line above. */
                if (l.v[i].commented == written_out(k))
                        fail_msg("%s: commented out: %d", k->path, l.v[i].commented);
                assert_contains(data, k->doc);
        }
        /* The cases the rule is for. */
        assert_false(find_line(&l, "disable-require")->commented);
        assert_false(find_line(&l, "nvidia-container-cli.load-kmods")->commented);
        assert_true(find_line(&l, "swarm-resource")->commented);
        assert_true(find_line(&l, "nvidia-container-cli.environment")->commented);
        assert_string_equal(find_line(&l, "nvidia-container-cli.ldconfig")->text,
                            "ldconfig = \"@/sbin/ldconfig\"");
        assert_true(find_line(&l, "nvidia-container-cli.ldconfig")->commented);
        assert_string_equal(find_line(&l, "nvidia-container-runtime.runtimes")->text,
                            "runtimes = [\"runc\", \"crun\"]");
        /* Tree order: a table's sub-tables before a sibling that extends its
         * name, the empty parent table written; keys sorted in a table. */
        const char *const order[] = {
                "features",
                "nvidia-container-cli",
                "nvidia-container-runtime",
                "nvidia-container-runtime.modes",
                "nvidia-container-runtime.modes.cdi",
                "nvidia-container-runtime.modes.csv",
                "nvidia-container-runtime.modes.jit-cdi",
                "nvidia-container-runtime.modes.legacy",
                "nvidia-container-runtime-hook",
                "nvidia-ctk",
        };
        assert_int_equal(l.sections.n, ARRAY_SIZE(order));
        for (size_t i = 0; i < ARRAY_SIZE(order); i++)
                assert_string_equal(l.sections.v[i], order[i]);
        assert_string_equal(l.v[0].path, "accept-nvidia-visible-devices-as-volume-mounts");
        key_lines_clear(&l);
        free(data);
}

static void test_decodes_to_defaults(void **state) {
        (void)state;
        size_t len = 0;
        char *data = generate(&len);
        for (size_t j = 0; j < ARRAY_SIZE(profiles); j++) {
                nvct_config c;
                parse_ok(data, len, profiles[j], &c);
                assert_defaults(&c, profiles[j]);
                nvct_config_clear(&c);
        }
        nvct_strv unknown = { 0 };
        nvct_error *err = NULL;
        assert_int_equal(nvct_config_unknown_keys(data, len, "default.toml", &unknown, &err), 0);
        assert_int_equal(unknown.n, 0);
        free(data);
}

/* Uncommenting any one line gives a valid file that sets that key to the
 * value shown, for the toolkit, and changes nothing else. */
static void test_uncommented_lines_are_valid(void **state) {
        (void)state;
        size_t len = 0;
        char *data = generate(&len);
        key_lines l;
        scan(data, &l);
        size_t n_commented = 0;
        for (size_t i = 0; i < l.n; i++) {
                if (!l.v[i].commented)
                        continue;
                n_commented++;
                /* Drop the '#' of that line. */
                const char *text = strstr(data, l.v[i].text);
                assert_non_null(text);
                size_t at = (size_t)(text - data) - 1;
                assert_int_equal(data[at], '#');
                char *edited = xasprintf("%.*s%s", (int)at, data, data + at + 1);
                const nvct_config_key *k = nvct_config_key_find(l.v[i].path);
                nvct_config c, d;
                nvct_error *err = NULL;
                parse_ok(edited, strlen(edited), NVCT_CONFIG_PROFILE_TOOLKIT, &c);
                assert_int_equal(nvct_config_init_defaults(&d, NVCT_CONFIG_PROFILE_TOOLKIT, &err),
                                 0);
                for (size_t j = 0; j < nvct_config_n_keys; j++)
                        if (&nvct_config_keys[j] != k)
                                assert_true(same_value(&c, &d, &nvct_config_keys[j]));
                const void *f = nvct_config_field_const(&c, k);
                if (k->type == NVCT_CONFIG_STRING) {
                        const char *shown = strchr(l.v[i].text, '"') + 1;
                        assert_non_null(*(char *const *)f);
                        assert_int_equal(strlen(*(char *const *)f), strlen(shown) - 1);
                        assert_int_equal(strncmp(*(char *const *)f, shown, strlen(shown) - 1), 0);
                } else if (k->type == NVCT_CONFIG_STRV) {
                        assert_true(strv_equal(f, nvct_config_field_const(&d, k)));
                }
                nvct_config_clear(&c);
                nvct_config_clear(&d);
                free(edited);
        }
        assert_true(n_commented >= 8);
        key_lines_clear(&l);
        free(data);
}

/* The examples are for string keys without a default; a renamed key would
 * lose its example silently, hence the count. */
static void test_examples(void **state) {
        (void)state;
        size_t n = 0;
        for (size_t i = 0; i < nvct_config_n_keys; i++) {
                const nvct_config_key *k = &nvct_config_keys[i];
                if (nvct_config_default_example(k->path) == NULL)
                        continue;
                n++;
                assert_int_equal(k->type, NVCT_CONFIG_STRING);
                assert_null(k->defaults[NVCT_CONFIG_PROFILE_TOOLKIT].s);
        }
        assert_int_equal(n, 6);
        assert_string_equal(nvct_config_default_example("nvidia-container-cli.root"),
                            "/run/nvidia/driver");
        assert_null(nvct_config_default_example("no-such-key"));
}

/* NVIDIA's default file (tests/unit/data/config-default-nvidia.toml,
 * written by hand from NVIDIA's code): every key it names is ours, in the
 * same section and order, on the same line (commented out or not) but
 * where we differ on purpose; every line it writes out we write out, but
 * where we leave the key commented out on purpose; its values are our
 * defaults. */
static void test_against_nvidia(void **state) {
        (void)state;
        /* Written out by NVIDIA, commented out by us: the hook does not share
         * the toolkit's ldconfig, nor its defaults for the newer keys it
         * reads (unset there: 1.3.0's behaviour), and an empty list is
         * unset. */
        static const char *const commented_here[] = {
                "nvidia-container-cli.ldconfig",
                "nvidia-container-cli.environment",
                "supported-driver-capabilities",
                "nvidia-container-runtime.mode",
                "nvidia-container-runtime.modes.legacy.cuda-compat-mode",
        };
        size_t len = 0, nlen = 0;
        char *data = generate(&len);
        char *nvidia = read_file(TEST_SRCDIR "/data/config-default-nvidia.toml", &nlen);
        key_lines ours, theirs;
        scan(data, &ours);
        scan(nvidia, &theirs);
        assert_int_equal(theirs.n, 26);
        size_t last = 0;
        for (size_t i = 0; i < theirs.n; i++) {
                const key_line *t = &theirs.v[i];
                const key_line *o = find_line(&ours, t->path);
                if (o == NULL)
                        fail_msg("%s: NVIDIA's key is missing", t->path);
                assert_true(i == 0 || o->line > last);
                last = o->line;
                if (t->commented) {
                        /* It shows an example; we write the default out. */
                        if (strcmp(t->path, "nvidia-container-runtime.debug") != 0)
                                assert_string_equal(o->text, t->text);
                        continue;
                }
                bool expected = false;
                for (size_t j = 0; j < ARRAY_SIZE(commented_here); j++)
                        expected |= strcmp(t->path, commented_here[j]) == 0;
                if (!expected && o->commented)
                        fail_msg("%s: NVIDIA writes it out, we comment it out", t->path);
                assert_string_equal(o->text, t->text);
        }
        /* Its headers, ours in the same order (ours has two more). */
        size_t j = 0;
        for (size_t i = 0; i < theirs.sections.n; i++) {
                while (j < ours.sections.n && strcmp(ours.sections.v[j], theirs.sections.v[i]) != 0)
                        j++;
                if (j == ours.sections.n)
                        fail_msg("[%s]: missing or out of order", theirs.sections.v[i]);
        }
        /* What NVIDIA's file means is the toolkit's defaults. */
        nvct_config c;
        parse_ok(nvidia, nlen, NVCT_CONFIG_PROFILE_TOOLKIT, &c);
        assert_defaults(&c, NVCT_CONFIG_PROFILE_TOOLKIT);
        nvct_config_clear(&c);
        key_lines_clear(&ours);
        key_lines_clear(&theirs);
        free(nvidia);
        free(data);
}

/* The installed data/config.toml is hand-written (its comments say more)
 * and sets one value on purpose: nvidia-container-cli.ldconfig for the
 * hook too, as NVIDIA's packages do. Otherwise it means what the generated
 * file means, for both programs. */
static void test_installed_config_agrees(void **state) {
        (void)state;
        size_t len = 0, ilen = 0;
        char *data = generate(&len);
        char *installed = read_file(TEST_SRCDIR "/../../data/config.toml", &ilen);
        for (size_t j = 0; j < ARRAY_SIZE(profiles); j++) {
                nvct_config a, b;
                parse_ok(data, len, profiles[j], &a);
                parse_ok(installed, ilen, profiles[j], &b);
                for (size_t i = 0; i < nvct_config_n_keys; i++) {
                        const nvct_config_key *k = &nvct_config_keys[i];
                        bool differs = profiles[j] == NVCT_CONFIG_PROFILE_HOOK &&
                                       strcmp(k->path, "nvidia-container-cli.ldconfig") == 0;
                        if (same_value(&a, &b, k) == differs)
                                fail_msg("%s: profile %d", k->path, (int)profiles[j]);
                }
                nvct_config_clear(&a);
                nvct_config_clear(&b);
        }
        free(installed);
        free(data);
}

/* The command: stdout and --output carry the same bytes; --output replaces
 * a file (mode 0644), and a bad target fails with nothing written. */
static void test_command(void **state) {
        (void)state;
        size_t len = 0, out_len = 0;
        char *data = generate(&len);
        char *dir = make_tmpdir_named("config-default");
        char *out = xasprintf("%s/out.toml", dir);
        char *cmd = xasprintf("%s config default > %s", NVIDIA_CTK, out);
        assert_int_equal(system(cmd), 0);
        char *got = read_file(out, &out_len);
        assert_int_equal(out_len, len);
        assert_memory_equal(got, data, len);
        free(got);
        free(cmd);
        /* NVIDIA's aliases. */
        const char *const aliases[] = { "create-default", "generate-default" };
        for (size_t i = 0; i < ARRAY_SIZE(aliases); i++) {
                cmd = xasprintf("%s config %s > %s", NVIDIA_CTK, aliases[i], out);
                assert_int_equal(system(cmd), 0);
                got = read_file(out, &out_len);
                assert_int_equal(out_len, len);
                assert_memory_equal(got, data, len);
                free(got);
                free(cmd);
        }

        char *file = xasprintf("%s/config.toml", dir);
        cmd = xasprintf("echo old > %s && %s --quiet config default --output %s", file, NVIDIA_CTK,
                        file);
        assert_int_equal(system(cmd), 0);
        got = read_file(file, &out_len);
        assert_int_equal(out_len, len);
        assert_memory_equal(got, data, len);
        struct stat st;
        assert_int_equal(stat(file, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        free(got);
        free(cmd);

        cmd = xasprintf("%s config default -o %s/missing/config.toml 2>/dev/null", NVIDIA_CTK, dir);
        assert_int_not_equal(system(cmd), 0);
        free(cmd);
        cmd = xasprintf("%s config default --no-such-flag 2>/dev/null >/dev/null", NVIDIA_CTK);
        assert_int_equal(WEXITSTATUS(system(cmd)), 2);
        free(cmd);

        remove_tree(dir);
        free(file);
        free(out);
        free(dir);
        free(data);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_key_once),
                cmocka_unit_test(test_decodes_to_defaults),
                cmocka_unit_test(test_uncommented_lines_are_valid),
                cmocka_unit_test(test_examples),
                cmocka_unit_test(test_against_nvidia),
                cmocka_unit_test(test_installed_config_agrees),
                cmocka_unit_test(test_command),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
