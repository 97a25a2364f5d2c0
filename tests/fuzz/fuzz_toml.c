/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the TOML decoder and the config on top of it: nvct_toml_parse over
 * arbitrary bytes, a walk of the whole tree through the public accessors,
 * then nvct_hook_config_parse and the toolkit's profile of nvct_config_parse
 * on the same bytes. Checks memory
 * safety, leaks, and that the tree is well formed: unique keys that find
 * their own values, NUL-terminated strings, date/times in the normalised
 * RFC 3339 shapes the header promises, accessors neutral on other types. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/error.h"
#include "config/hookconfig.h"
#include "formats/toml.h"
#include "fuzz.h"

#define CONFIG_NAME "/etc/nvidia-container-runtime/config.toml"

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* Matches `pattern` at s: 'D' a digit, any other character itself.
 * Returns the end of the match, or NULL. */
static const char *match(const char *s, const char *pattern) {
        for (; *pattern != '\0'; pattern++, s++) {
                if (*pattern == 'D' ? !is_digit(*s) : *s != *pattern)
                        return NULL;
        }
        return s;
}

/* HH:MM:SS, then optionally '.' and at least one digit. */
static const char *match_time(const char *s) {
        s = match(s, "DD:DD:DD");
        if (s == NULL || *s != '.')
                return s;
        s++;
        if (!is_digit(*s))
                return NULL;
        while (is_digit(*s))
                s++;
        return s;
}

static void check_datetime(nvct_toml_type t, const char *s) {
        CHECK(s != NULL);
        const char *end = s;
        switch (t) {
        case NVCT_TOML_DATE_LOCAL:
                end = match(s, "DDDD-DD-DD");
                break;
        case NVCT_TOML_TIME_LOCAL:
                end = match_time(s);
                break;
        case NVCT_TOML_DATETIME_LOCAL:
        case NVCT_TOML_DATETIME:
                end = match(s, "DDDD-DD-DDT");
                if (end != NULL)
                        end = match_time(end);
                if (end != NULL && t == NVCT_TOML_DATETIME) {
                        if (*end == 'Z')
                                end++;
                        else if (*end == '+' || *end == '-')
                                end = match(end + 1, "DD:DD");
                        else
                                end = NULL;
                }
                break;
        default:
                CHECK(false && "not a date/time type");
        }
        CHECK(end != NULL && *end == '\0');
}

static void walk(const nvct_toml_value *v, unsigned depth) {
        CHECK(v != NULL);
        /* Tables, arrays and inline tables nest at most this deep (the root
         * table and a value below the deepest container add two). */
        CHECK(depth <= NVCT_TOML_MAX_DEPTH + 2);
        nvct_toml_type t = nvct_toml_type_of(v);
        const char *type_name = nvct_toml_type_name(t);
        CHECK(type_name != NULL && strcmp(type_name, "unknown") != 0);

        /* Accessors of another type answer neutrally. */
        if (t != NVCT_TOML_TABLE) {
                CHECK(nvct_toml_table_size(v) == 0);
                CHECK(nvct_toml_table_key(v, 0, NULL) == NULL);
                CHECK(nvct_toml_table_value(v, 0) == NULL);
                CHECK(nvct_toml_table_get(v, "") == NULL);
        }
        if (t != NVCT_TOML_ARRAY) {
                CHECK(nvct_toml_array_size(v) == 0);
                CHECK(nvct_toml_array_get(v, 0) == NULL);
        }
        if (t != NVCT_TOML_STRING)
                CHECK(nvct_toml_string(v, NULL) == NULL);
        if (t != NVCT_TOML_INTEGER)
                CHECK(nvct_toml_integer(v) == 0);
        if (t != NVCT_TOML_BOOL)
                CHECK(!nvct_toml_bool(v));

        switch (t) {
        case NVCT_TOML_TABLE: {
                size_t n = nvct_toml_table_size(v);
                for (size_t i = 0; i < n; i++) {
                        size_t len = (size_t)-1;
                        const char *key = nvct_toml_table_key(v, i, &len);
                        CHECK(key != NULL && len != (size_t)-1);
                        CHECK(key[len] == '\0');
                        const nvct_toml_value *child = nvct_toml_table_value(v, i);
                        CHECK(child != NULL);
                        /* Keys are unique: each finds its own value. */
                        if (memchr(key, '\0', len) == NULL)
                                CHECK(nvct_toml_table_get(v, key) == child);
                        walk(child, depth + 1);
                }
                CHECK(nvct_toml_table_key(v, n, NULL) == NULL);
                CHECK(nvct_toml_table_value(v, n) == NULL);
                break;
        }
        case NVCT_TOML_ARRAY: {
                size_t n = nvct_toml_array_size(v);
                for (size_t i = 0; i < n; i++)
                        walk(nvct_toml_array_get(v, i), depth + 1);
                CHECK(nvct_toml_array_get(v, n) == NULL);
                break;
        }
        case NVCT_TOML_STRING: {
                size_t len = (size_t)-1;
                const char *s = nvct_toml_string(v, &len);
                CHECK(s != NULL && len != (size_t)-1);
                CHECK(s[len] == '\0');
                break;
        }
        case NVCT_TOML_INTEGER:
                (void)nvct_toml_integer(v);
                break;
        case NVCT_TOML_FLOAT: {
                /* NaN and the infinities are valid TOML floats. */
                volatile double d = nvct_toml_float(v);
                (void)d;
                break;
        }
        case NVCT_TOML_BOOL:
                (void)nvct_toml_bool(v);
                break;
        case NVCT_TOML_DATETIME:
        case NVCT_TOML_DATETIME_LOCAL:
        case NVCT_TOML_DATE_LOCAL:
        case NVCT_TOML_TIME_LOCAL:
                check_datetime(t, nvct_toml_datetime(v));
                break;
        }
        if (t < NVCT_TOML_DATETIME)
                CHECK(nvct_toml_datetime(v) == NULL);
}

static void check_strv_entry(const char *s) {
        if (s != NULL)
                CHECK(strlen(s) < SIZE_MAX);
}

static void check_config(const nvct_hook_config *c) {
        CHECK(c->source != NULL && strcmp(c->source, CONFIG_NAME) == 0);
        check_strv_entry(c->swarm_resource);
        const nvct_cli_config *cli = &c->cli;
        check_strv_entry(cli->root);
        check_strv_entry(cli->path);
        check_strv_entry(cli->debug);
        check_strv_entry(cli->ldcache);
        check_strv_entry(cli->user);
        check_strv_entry(cli->ldconfig);
        CHECK(cli->n_environment == 0 || cli->environment != NULL);
        for (size_t i = 0; i < cli->n_environment; i++)
                CHECK(cli->environment[i] != NULL);
}

/* Every field the table names holds what its type promises. */
static void check_full_config(const nvct_config *c) {
        CHECK(c->source != NULL && strcmp(c->source, CONFIG_NAME) == 0);
        for (size_t i = 0; i < nvct_config_n_keys; i++) {
                const nvct_config_key *k = &nvct_config_keys[i];
                const void *field = nvct_config_field_const(c, k);
                if (k->type == NVCT_CONFIG_STRING) {
                        check_strv_entry(*(char *const *)field);
                } else if (k->type == NVCT_CONFIG_STRV) {
                        const nvct_strv *v = field;
                        CHECK(v->n == 0 || (v->v != NULL && v->v[v->n] == NULL));
                        for (size_t j = 0; j < v->n; j++)
                                CHECK(v->v[j] != NULL);
                }
        }
}

/* The toolkit's profile of the same bytes: a TOML error passes through as
 * it is; a document the decoder refuses is never accepted. */
static void check_toolkit_profile(const char *buf, size_t size, const nvct_error *toml_err) {
        nvct_config config;
        nvct_error *err = NULL;
        int r = nvct_config_parse(buf, size, CONFIG_NAME, NVCT_CONFIG_PROFILE_TOOLKIT, &config,
                                  &err);
        if (r < 0) {
                CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
                if (toml_err != NULL)
                        CHECK(strcmp(err->msg, toml_err->msg) == 0);
                nvct_error_free(&err);
                return;
        }
        CHECK(r == 0 && err == NULL && toml_err == NULL);
        check_full_config(&config);
        nvct_config_clear(&config);
        CHECK(config.source == NULL && config.runtime.runtimes.v == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *buf = fuzz_copy_input(data, size);
        if (buf == NULL)
                return 0;

        nvct_toml_value *root = NULL;
        nvct_error *toml_err = NULL;
        int r = nvct_toml_parse(buf, size, CONFIG_NAME, &root, &toml_err);
        if (r < 0) {
                CHECK(toml_err != NULL && toml_err->msg != NULL);
                /* "\"NAME\":LINE:COL: what is wrong" */
                CHECK(strncmp(toml_err->msg,
                              "\"" CONFIG_NAME "\":", strlen("\"" CONFIG_NAME "\":")) == 0);
                const char *p = toml_err->msg + strlen("\"" CONFIG_NAME "\":");
                CHECK(is_digit(*p));
                while (is_digit(*p))
                        p++;
                CHECK(*p == ':');
                p++;
                CHECK(is_digit(*p));
                while (is_digit(*p))
                        p++;
                CHECK(p[0] == ':' && p[1] == ' ' && p[2] != '\0');
        } else {
                CHECK(r == 0 && toml_err == NULL);
                CHECK(root != NULL);
                CHECK(nvct_toml_type_of(root) == NVCT_TOML_TABLE);
                walk(root, 0);
                nvct_toml_free(root);
        }

        nvct_hook_config config;
        nvct_hook_config_init_defaults(&config);
        nvct_error *err = NULL;
        r = nvct_hook_config_parse(buf, size, CONFIG_NAME, &config, &err);
        if (r < 0) {
                CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
                /* A TOML error is passed on as it is. */
                if (toml_err != NULL)
                        CHECK(strcmp(err->msg, toml_err->msg) == 0);
                nvct_error_free(&err);
        } else {
                CHECK(r == 0 && err == NULL);
                /* It decodes only what the TOML decoder accepts. */
                CHECK(toml_err == NULL);
                check_config(&config);
                nvct_hook_config_clear(&config);
                CHECK(config.source == NULL && config.cli.environment == NULL);
        }
        check_toolkit_profile(buf, size, toml_err);
        nvct_error_free(&toml_err);
        free(buf);
        return 0;
}
