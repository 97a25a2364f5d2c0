/* SPDX-License-Identifier: Apache-2.0 */
/* Writes the KEYS section of nvidia-container-runtime-config.toml(5), in
 * scdoc, from the table every program reads config.toml with
 * (nvct_config_keys): each key, its type, its default for each program that
 * reads it, and its documentation. Generated at build time, so that the page
 * cannot miss a key or show a stale default. Not installed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

/* scdoc's inline markup (*bold*, _underline_) and its escape character are
 * literal in the table's text. */
static void put_text(const char *s) {
        for (; *s; s++) {
                if (*s == '*' || *s == '_' || *s == '\\')
                        putchar('\\');
                putchar(*s);
        }
}

static const char *type_name(nvct_config_type type) {
        switch (type) {
        case NVCT_CONFIG_BOOL:
                return "boolean";
        case NVCT_CONFIG_STRING:
                return "string";
        case NVCT_CONFIG_STRV:
                return "list of strings";
        }
        return "?";
}

/* A default as TOML would write it; "unset" for a string without one. */
static void put_default(nvct_config_type type, const nvct_config_default *def) {
        switch (type) {
        case NVCT_CONFIG_BOOL:
                fputs(def->b ? "*true*" : "*false*", stdout);
                return;
        case NVCT_CONFIG_STRING:
                if (def->s == NULL) {
                        fputs("unset", stdout);
                        return;
                }
                fputs("*\"", stdout);
                put_text(def->s);
                fputs("\"*", stdout);
                return;
        case NVCT_CONFIG_STRV:
                fputs("*[", stdout);
                for (size_t i = 0; def->v != NULL && def->v[i] != NULL; i++) {
                        fputs(i ? ", \"" : "\"", stdout);
                        put_text(def->v[i]);
                        putchar('"');
                }
                fputs("]*", stdout);
                return;
        }
}

static bool same_default(nvct_config_type type, const nvct_config_default *a,
                         const nvct_config_default *b) {
        switch (type) {
        case NVCT_CONFIG_BOOL:
                return a->b == b->b;
        case NVCT_CONFIG_STRING:
                return a->s == NULL ? b->s == NULL : b->s != NULL && strcmp(a->s, b->s) == 0;
        case NVCT_CONFIG_STRV:
                for (size_t i = 0;; i++) {
                        const char *x = a->v ? a->v[i] : NULL, *y = b->v ? b->v[i] : NULL;
                        if (x == NULL || y == NULL)
                                return x == y;
                        if (strcmp(x, y) != 0)
                                return false;
                }
        }
        return false;
}

static void put_key(const nvct_config_key *key, const char *name) {
        bool hook = nvct_config_key_read_by(key, NVCT_CONFIG_PROFILE_HOOK);
        bool toolkit = nvct_config_key_read_by(key, NVCT_CONFIG_PROFILE_TOOLKIT);
        const nvct_config_default *tk = &key->defaults[NVCT_CONFIG_PROFILE_TOOLKIT];
        const nvct_config_default *hk = &key->defaults[NVCT_CONFIG_PROFILE_HOOK];

        fputs("*", stdout);
        put_text(name);
        printf("* (%s)\n\t", type_name(key->type));
        /* A sentence: the table's text starts in lower case. */
        putchar(toupper((unsigned char)key->doc[0]));
        put_text(key->doc + 1);
        fputs(".\n\n\tDefault: ", stdout);
        put_default(key->type, toolkit ? tk : hk);
        if (hook && toolkit && !same_default(key->type, hk, tk)) {
                fputs("; for nvidia-container-runtime-hook: ", stdout);
                put_default(key->type, hk);
        }
        fputs(". Read by: ", stdout);
        if (hook)
                fputs(toolkit ? "nvidia-container-runtime-hook, " : "nvidia-container-runtime-hook",
                      stdout);
        if (toolkit)
                fputs("nvidia-container-runtime, nvidia-ctk", stdout);
        fputs(".\n\n", stdout);
}

int main(void) {
        const char *table = NULL;
        size_t table_len = 0;

        fputs("# KEYS\n\n", stdout);
        for (size_t i = 0; i < nvct_config_n_keys; i++) {
                const nvct_config_key *key = &nvct_config_keys[i];
                const char *dot = strrchr(key->path, '.');
                size_t len = dot ? (size_t)(dot - key->path) : 0;
                /* The table's keys come grouped by TOML table: a subsection
                 * each time the table changes. */
                if (i == 0 || len != table_len || strncmp(key->path, table, len) != 0) {
                        if (len == 0)
                                fputs("## Top level\n\n", stdout);
                        else
                                printf("## [%.*s]\n\n", (int)len, key->path);
                        table = key->path;
                        table_len = len;
                }
                put_key(key, dot ? dot + 1 : key->path);
        }
        return ferror(stdout) || fflush(stdout) != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
