/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "default.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "formats/tomledit.h"
#include "config.h"

/* Example values for the commented-out line of a string key that has no
 * default (the values NVIDIA's default file shows there). Not a list of
 * keys: a key missing here is written with an empty value, and the unit
 * test checks that every path here names a string key of the table that is
 * unset by default. */
static const struct {
        const char *path, *value;
} examples[] = {
        { "swarm-resource", "DOCKER_RESOURCE_GPU" },
        { "nvidia-container-cli.root", "/run/nvidia/driver" },
        { "nvidia-container-cli.path", "/usr/bin/nvidia-container-cli" },
        { "nvidia-container-cli.debug", "/var/log/nvidia-container-toolkit.log" },
        { "nvidia-container-cli.ldcache", "/etc/ld.so.cache" },
        { "nvidia-container-cli.user", "root:video" },
};

const char *nvct_config_default_example(const char *path) {
        for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
                if (strcmp(examples[i].path, path) == 0)
                        return examples[i].value;
        return NULL;
}

/* Where a key's name starts in its dotted path (after its section). */
static const char *key_name(const char *path) {
        const char *dot = strrchr(path, '.');
        return dot != NULL ? dot + 1 : path;
}

static size_t section_len(const char *path) {
        const char *dot = strrchr(path, '.');
        return dot != NULL ? (size_t)(dot - path) : 0;
}

/* Compares two sections (dotted, given by length) segment by segment, so
 * that a table's sub-tables come right after it, before a sibling whose
 * name merely extends it: go-toml's order ("a" < "a.b" < "a-b"). */
static int compare_sections(const char *a, size_t alen, const char *b, size_t blen) {
        size_t i = 0, j = 0;
        while (i < alen && j < blen) {
                size_t ai = i, bj = j;
                while (ai < alen && a[ai] != '.')
                        ai++;
                while (bj < blen && b[bj] != '.')
                        bj++;
                size_t la = ai - i, lb = bj - j;
                int c = memcmp(a + i, b + j, la < lb ? la : lb);
                if (c != 0)
                        return c;
                if (la != lb)
                        return la < lb ? -1 : 1;
                i = ai + 1;
                j = bj + 1;
        }
        return (i < alen) - (j < blen);
}

static int compare_keys(const void *pa, const void *pb) {
        const nvct_config_key *a = *(const nvct_config_key *const *)pa;
        const nvct_config_key *b = *(const nvct_config_key *const *)pb;
        int c = compare_sections(a->path, section_len(a->path), b->path, section_len(b->path));
        return c != 0 ? c : strcmp(key_name(a->path), key_name(b->path));
}

/* A TOML basic string, escaped as go-toml escapes it (the one TOML string
 * writer, formats/tomledit). */
static void write_string(FILE *f, const char *s) {
        nvct_toml_string_write(f, s, strlen(s));
}

static void write_list(FILE *f, const char *const *v) {
        fputc('[', f);
        for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
                if (i > 0)
                        fputs(", ", f);
                write_string(f, v[i]);
        }
        fputc(']', f);
}

/* Whether the key has a default every profile that reads it shares, so
 * that writing it out changes nothing for any of them. */
static bool shared_default(const nvct_config_key *k) {
        const nvct_config_default *t = &k->defaults[NVCT_CONFIG_PROFILE_TOOLKIT];
        bool hook = nvct_config_key_read_by(k, NVCT_CONFIG_PROFILE_HOOK);
        const nvct_config_default *h = &k->defaults[NVCT_CONFIG_PROFILE_HOOK];
        switch (k->type) {
        case NVCT_CONFIG_BOOL:
                return !hook || h->b == t->b;
        case NVCT_CONFIG_STRING:
                return t->s != NULL && (!hook || (h->s != NULL && strcmp(h->s, t->s) == 0));
        case NVCT_CONFIG_STRV:
                if (t->v == NULL || t->v[0] == NULL)
                        return false;
                if (!hook)
                        return true;
                for (size_t i = 0;; i++) {
                        if (h->v == NULL || h->v[i] == NULL || t->v[i] == NULL)
                                return h->v != NULL && h->v[i] == NULL && t->v[i] == NULL;
                        if (strcmp(h->v[i], t->v[i]) != 0)
                                return false;
                }
        }
        return false;
}

/* Why a set default is commented out: the hook's own default, told. */
static void write_hook_default(FILE *f, const nvct_config_key *k) {
        const nvct_config_default *h = &k->defaults[NVCT_CONFIG_PROFILE_HOOK];
        fputs("# nvidia-container-runtime-hook's default: ", f);
        if (k->type == NVCT_CONFIG_BOOL)
                fputs(h->b ? "true" : "false", f);
        else if (k->type == NVCT_CONFIG_STRING && h->s != NULL)
                write_string(f, h->s);
        else if (k->type == NVCT_CONFIG_STRV && h->v != NULL && h->v[0] != NULL)
                write_list(f, h->v);
        else
                fputs("unset", f);
        fputc('\n', f);
}

static void write_key(FILE *f, const nvct_config_key *k) {
        const nvct_config_default *t = &k->defaults[NVCT_CONFIG_PROFILE_TOOLKIT];
        bool hook = nvct_config_key_read_by(k, NVCT_CONFIG_PROFILE_HOOK);
        bool shared = shared_default(k);

        fprintf(f, "# %s%s\n", k->doc, hook ? "" : " (not read by the hook)");
        if (!shared && hook &&
            (k->type == NVCT_CONFIG_BOOL || t->s != NULL || (t->v != NULL && t->v[0] != NULL)))
                write_hook_default(f, k);
        fprintf(f, "%s%s = ", shared ? "" : "#", key_name(k->path));
        switch (k->type) {
        case NVCT_CONFIG_BOOL:
                fputs(t->b ? "true" : "false", f);
                break;
        case NVCT_CONFIG_STRING: {
                const char *example = nvct_config_default_example(k->path);
                write_string(f, t->s != NULL ? t->s : example != NULL ? example : "");
                break;
        }
        case NVCT_CONFIG_STRV:
                write_list(f, t->v);
                break;
        }
        fputc('\n', f);
}

/* Headers for the tables from the last one written down to `section`: the
 * ancestors that have no keys of their own get an empty header, as go-toml
 * writes them. */
static void write_headers(FILE *f, const char *last, size_t last_len, const char *section,
                          size_t len) {
        for (size_t end = 0; end < len;) {
                end++;
                while (end < len && section[end] != '.')
                        end++;
                /* An ancestor was written when it is the last table or one of
                 * its ancestors: the tables come in tree order. */
                bool written = end <= last_len && memcmp(last, section, end) == 0 &&
                               (end == last_len || last[end] == '.');
                if (!written)
                        fprintf(f, "\n[%.*s]\n", (int)end, section);
        }
}

static const char header[] =
        "# NVIDIA Container Toolkit configuration (nvct): every key, as `nvidia-ctk\n"
        "# config default` prints it. A key written out holds its default. A key\n"
        "# commented out (#key = value) is unset by default, or its default is not\n"
        "# the same for both programs that read this file; the value shown is the\n"
        "# runtime's default, else an example. Unknown keys are ignored; a known key\n"
        "# of the wrong type is an error.\n"
        "#\n"
        "# The hook (nvidia-container-runtime-hook) reads the keys the 1.3.0 hook\n"
        "# knew, with 1.3.0's defaults, and the newer keys it acts on, unset unless\n"
        "# set; nvidia-container-runtime and nvidia-ctk read every key.\n"
        "\n";

int nvct_config_write_default(char **ret_data, size_t *ret_len, nvct_error **err) {
        _cleanup_free_ const nvct_config_key **keys = calloc(nvct_config_n_keys, sizeof(*keys));
        if (keys == NULL)
                return nvct_error_make(err, ENOMEM, "cannot write the default config");
        for (size_t i = 0; i < nvct_config_n_keys; i++)
                keys[i] = &nvct_config_keys[i];
        qsort(keys, nvct_config_n_keys, sizeof(*keys), compare_keys);

        char *data = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&data, &len);
        if (f == NULL)
                return nvct_error_make(err, errno, "cannot write the default config");
        fputs(header, f);
        const char *last = "";
        size_t last_len = 0;
        for (size_t i = 0; i < nvct_config_n_keys; i++) {
                const char *path = keys[i]->path;
                size_t slen = section_len(path);
                if (slen != last_len || memcmp(path, last, slen) != 0) {
                        write_headers(f, last, last_len, path, slen);
                        last = path;
                        last_len = slen;
                }
                write_key(f, keys[i]);
        }
        /* A memory stream fails only for memory: one check at the end. */
        bool failed = ferror(f) != 0;
        if (fclose(f) != 0 || failed) {
                free(data);
                return nvct_error_make(err, ENOMEM, "cannot write the default config");
        }
        *ret_data = data;
        *ret_len = len;
        return 0;
}
