/* SPDX-License-Identifier: Apache-2.0 */
/* toml-decode: the toml-test decoder protocol. Reads TOML on stdin; on success
 * prints the tagged JSON form of the document on stdout and exits 0, else
 * prints one error line on stderr and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "formats/toml.h"

/* The decoder is meant for configuration files; anything bigger is refused
 * rather than buffered. */
#define MAX_INPUT_SIZE (64u * 1024u * 1024u)

static int read_all(int fd, char **ret_data, size_t *ret_len, nvct_error **err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0, n_allocated = 0;

        for (;;) {
                if (len == n_allocated) {
                        if (n_allocated > MAX_INPUT_SIZE)
                                return nvct_error_make(err, 0, "input is larger than %u MiB",
                                                       MAX_INPUT_SIZE / (1024u * 1024u));
                        size_t n = n_allocated == 0 ? 65536 : n_allocated * 2;
                        if (n > MAX_INPUT_SIZE + 1)
                                n = MAX_INPUT_SIZE + 1;
                        char *p = realloc(data, n);
                        if (p == NULL)
                                return nvct_error_make(err, ENOMEM, "cannot read input");
                        data = p;
                        n_allocated = n;
                }
                ssize_t k = read(fd, data + len, n_allocated - len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return nvct_error_make(err, errno, "cannot read input");
                }
                if (k == 0)
                        break;
                len += (size_t)k;
                if (len > MAX_INPUT_SIZE)
                        return nvct_error_make(err, 0, "input is larger than %u MiB",
                                               MAX_INPUT_SIZE / (1024u * 1024u));
        }

        *ret_len = len;
        *ret_data = TAKE_PTR(data);
        return 0;
}

static void print_json_string(FILE *f, const char *s, size_t len) {
        fputc('"', f);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                switch (c) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\b':
                        fputs("\\b", f);
                        break;
                case '\f':
                        fputs("\\f", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\r':
                        fputs("\\r", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                default:
                        /* The decoder guarantees valid UTF-8, so bytes past
                         * ASCII pass through. */
                        if (c < 0x20 || c == 0x7f)
                                fprintf(f, "\\u%04x", c);
                        else
                                fputc(c, f);
                }
        }
        fputc('"', f);
}

static void print_tagged(FILE *f, const char *type, const char *value) {
        fputs("{\"type\":\"", f);
        fputs(type, f);
        fputs("\",\"value\":", f);
        print_json_string(f, value, strlen(value));
        fputc('}', f);
}

/* Shortest %g form that reads back as the same double. */
static void format_float(double d, char buf[static 64]) {
        if (isnan(d)) {
                strcpy(buf, "nan");
                return;
        }
        if (isinf(d)) {
                strcpy(buf, d < 0 ? "-inf" : "inf");
                return;
        }
        for (int precision = 1; precision <= 17; precision++) {
                snprintf(buf, 64, "%.*g", precision, d);
                if (strtod(buf, NULL) == d)
                        return;
        }
}

/* Recursion is bounded: the decoder refuses trees deeper than
 * NVCT_TOML_MAX_DEPTH. */
static void print_value(FILE *f, const nvct_toml_value *v) {
        nvct_toml_type type = nvct_toml_type_of(v);
        char buf[64];

        switch (type) {
        case NVCT_TOML_TABLE:
                fputc('{', f);
                for (size_t i = 0; i < nvct_toml_table_size(v); i++) {
                        size_t key_len;
                        const char *key = nvct_toml_table_key(v, i, &key_len);
                        if (i > 0)
                                fputc(',', f);
                        print_json_string(f, key, key_len);
                        fputc(':', f);
                        print_value(f, nvct_toml_table_value(v, i));
                }
                fputc('}', f);
                break;
        case NVCT_TOML_ARRAY:
                fputc('[', f);
                for (size_t i = 0; i < nvct_toml_array_size(v); i++) {
                        if (i > 0)
                                fputc(',', f);
                        print_value(f, nvct_toml_array_get(v, i));
                }
                fputc(']', f);
                break;
        case NVCT_TOML_STRING: {
                size_t len;
                const char *s = nvct_toml_string(v, &len);
                fputs("{\"type\":\"string\",\"value\":", f);
                print_json_string(f, s, len);
                fputc('}', f);
                break;
        }
        case NVCT_TOML_INTEGER:
                snprintf(buf, sizeof(buf), "%" PRId64, nvct_toml_integer(v));
                print_tagged(f, "integer", buf);
                break;
        case NVCT_TOML_FLOAT:
                format_float(nvct_toml_float(v), buf);
                print_tagged(f, "float", buf);
                break;
        case NVCT_TOML_BOOL:
                print_tagged(f, "bool", nvct_toml_bool(v) ? "true" : "false");
                break;
        case NVCT_TOML_DATETIME:
        case NVCT_TOML_DATETIME_LOCAL:
        case NVCT_TOML_DATE_LOCAL:
        case NVCT_TOML_TIME_LOCAL:
                print_tagged(f, nvct_toml_type_name(type), nvct_toml_datetime(v));
                break;
        }
}

static int decode(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_toml_ nvct_toml_value *root = NULL;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;

        if (read_all(STDIN_FILENO, &data, &len, &err) < 0 ||
            nvct_toml_parse(data, len, "<stdin>", &root, &err) < 0)
                return nvct_cli_fail(call, &err);

        print_value(stdout, root);
        fputc('\n', stdout);
        if (fflush(stdout) != 0 || ferror(stdout)) {
                nvct_error_make(&err, errno, "cannot write output");
                return nvct_cli_fail(call, &err);
        }
        return 0;
}

static const nvct_cli_command root = {
        .synopsis = "< FILE.toml",
        .description = "Decodes TOML on stdin into toml-test's tagged JSON on stdout.",
        .run = decode,
};
static const nvct_cli_program program = { "toml-decode", NVCT_CLI_URFAVE, .root = &root };

int main(int argc, char *argv[]) {
        return nvct_cli_run(&program, argc, argv, stdout, stderr);
}
