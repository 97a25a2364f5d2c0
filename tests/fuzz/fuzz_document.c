/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the document tree: the first input byte picks the format (bit 0:
 * YAML, else JSON) and the mode (bit 1: Go, else strict); the rest is the
 * document. Besides memory safety and leaks: a refused input leaves the
 * output untouched and gets one line naming the input; a tree that parses
 * is written as compact JSON, indented JSON and YAML, and each parses back
 * (in the same mode) to an equal tree, which is written to the same bytes
 * again. The only writes allowed to fail: JSON deeper than yajl_gen's 128
 * levels, and YAML of text that is not UTF-8 (Go mode keeps such bytes). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/error.h"
#include "basic/utf8.h"
#include "document/document.h"
#include "fuzz.h"

static size_t depth_of(const nvct_document_node *n) {
        size_t deepest = 0;
        for (size_t i = 0; i < nvct_document_object_size(n); i++) {
                size_t d = depth_of(nvct_document_object_value(n, i));
                deepest = d > deepest ? d : deepest;
        }
        for (size_t i = 0; i < nvct_document_array_size(n); i++) {
                size_t d = depth_of(nvct_document_array_get(n, i));
                deepest = d > deepest ? d : deepest;
        }
        nvct_document_kind k = nvct_document_kind_of(n);
        return deepest + (k == NVCT_DOCUMENT_OBJECT || k == NVCT_DOCUMENT_ARRAY);
}

static bool all_utf8(const nvct_document_node *n) {
        size_t len;
        const char *text = nvct_document_text(n, &len);
        if (text != NULL && !nvct_utf8_valid(text, len))
                return false;
        for (size_t i = 0; i < nvct_document_object_size(n); i++) {
                const char *key = nvct_document_object_key(n, i, &len);
                if (!nvct_utf8_valid(key, len) || !all_utf8(nvct_document_object_value(n, i)))
                        return false;
        }
        for (size_t i = 0; i < nvct_document_array_size(n); i++)
                if (!all_utf8(nvct_document_array_get(n, i)))
                        return false;
        return true;
}

static void check_error(nvct_error *err, const char *name) {
        CHECK(err != NULL && err->msg != NULL);
        CHECK(err->msg[0] == '"' && strncmp(err->msg + 1, name, strlen(name)) == 0 &&
              err->msg[1 + strlen(name)] == '"');
        CHECK(strchr(err->msg, '\n') == NULL);
}

/* Writes root as format, parses it back, compares, writes again. */
static void round_trip(const nvct_document_node *root, nvct_document_format format, unsigned flags,
                       const nvct_document_options *opts) {
        char *out = NULL;
        size_t len = 0;
        nvct_error *err = NULL;
        if (nvct_document_write(root, format, flags, &out, &len, &err) < 0) {
                CHECK(err != NULL && err->msg != NULL && out == NULL);
                if (format == NVCT_DOCUMENT_JSON)
                        CHECK(depth_of(root) > NVCT_DOCUMENT_MAX_WRITE_DEPTH);
                else
                        CHECK(!all_utf8(root));
                nvct_error_free(&err);
                return;
        }
        CHECK(err == NULL && out != NULL && out[len] == '\0');
        const char *name = format == NVCT_DOCUMENT_JSON ? "again.json" : "again.yaml";
        nvct_document_node *back = NULL;
        if (nvct_document_parse(out, len, format, name, opts, &back, &err) < 0) {
                fprintf(stderr, "written document does not parse: %s\n---\n%s\n---\n", err->msg,
                        out);
                CHECK(false);
        }
        if (!nvct_document_equal(root, back)) {
                fprintf(stderr, "written document parses differently:\n---\n%s\n---\n", out);
                CHECK(false);
        }
        char *again = NULL;
        size_t again_len = 0;
        CHECK(nvct_document_write(back, format, flags, &again, &again_len, &err) == 0);
        CHECK(again_len == len && memcmp(again, out, len) == 0);
        free(again);
        nvct_document_free(back);
        free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        nvct_document_format format = data[0] & 1 ? NVCT_DOCUMENT_YAML : NVCT_DOCUMENT_JSON;
        nvct_document_options opts = { .mode = data[0] & 2 ? NVCT_DOCUMENT_GO
                                                           : NVCT_DOCUMENT_STRICT,
                                       .max_depth = data[0] & 2 ? 200 : 0 };
        const char *name = format == NVCT_DOCUMENT_YAML ? "fuzz.yaml" : "fuzz.json";
        char *buf = fuzz_copy_input(data + 1, size - 1);
        if (buf == NULL)
                return 0;
        nvct_document_node *const untouched = (nvct_document_node *)&untouched;
        nvct_document_node *root = untouched;
        nvct_error *err = NULL;
        if (nvct_document_parse(buf, size - 1, format, name, &opts, &root, &err) < 0) {
                check_error(err, name);
                CHECK(root == untouched);
                nvct_error_free(&err);
                free(buf);
                return 0;
        }
        CHECK(err == NULL && root != NULL && root != untouched);
        if (opts.mode == NVCT_DOCUMENT_STRICT)
                CHECK(all_utf8(root));
        round_trip(root, NVCT_DOCUMENT_JSON, 0, &opts);
        round_trip(root, NVCT_DOCUMENT_JSON, NVCT_DOCUMENT_INDENT, &opts);
        round_trip(root, NVCT_DOCUMENT_YAML, 0, &opts);
        nvct_document_node *copy = nvct_document_copy(root);
        if (copy != NULL) {
                CHECK(nvct_document_equal(root, copy));
                nvct_document_free(copy);
        }
        nvct_document_free(root);
        free(buf);
        return 0;
}
