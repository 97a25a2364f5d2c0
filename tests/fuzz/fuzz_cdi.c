/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the CDI spec loader: the first input byte picks the format (even:
 * JSON, odd: YAML), the rest is the spec. Besides memory safety and leaks,
 * checks that an error is one line naming the spec, and that whatever loads
 * is valid (a known cdiVersion, not lower than the content needs), is
 * written deterministically in both formats, and loads back from either as
 * the same spec. The one spec that loads but is not written is one whose
 * device had only intelRdt/netDevices edits, which the model drops. Every
 * device's qualified name parses back into the kind and the name. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdi/cdi.h"
#include "basic/error.h"
#include "fuzz.h"

static const char *const versions[] = { "0.3.0", "0.4.0", "0.5.0", "0.6.0",
                                        "0.7.0", "0.8.0", "1.0.0", "1.1.0" };

static int version_index(const char *v) {
        for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
                if (strcmp(v, versions[i]) == 0)
                        return (int)i;
        return -1;
}

static bool edits_empty(const nvct_cdi_edits *e) {
        return e->n_env == 0 && e->n_device_nodes == 0 && e->n_mounts == 0 && e->n_hooks == 0 &&
               e->n_additional_gids == 0;
}

static bool has_device_without_edits(const nvct_cdi_spec *s) {
        for (size_t i = 0; i < s->n_devices; i++)
                if (edits_empty(&s->devices[i].edits))
                        return true;
        return false;
}

static void check_error(nvct_error *err, const char *name) {
        CHECK(err != NULL && err->msg != NULL);
        /* The name first, quoted. */
        CHECK(err->msg[0] == '"' && strncmp(err->msg + 1, name, strlen(name)) == 0 &&
              err->msg[1 + strlen(name)] == '"');
        CHECK(strchr(err->msg, '\n') == NULL);
}

static void check_valid(const nvct_cdi_spec *s) {
        CHECK(s->version != NULL && s->kind != NULL);
        int vi = version_index(s->version);
        CHECK(vi >= 0);
        CHECK(version_index(nvct_cdi_minimum_version(s)) <= vi);
        CHECK(nvct_cdi_validate_kind(s->kind, NULL) == 0);
        CHECK(s->n_devices > 0);
        for (size_t i = 0; i < s->n_devices; i++) {
                CHECK(nvct_cdi_validate_device_name(s->devices[i].name, NULL) == 0);
                for (size_t k = 0; k < i; k++)
                        CHECK(strcmp(s->devices[i].name, s->devices[k].name) != 0);
                for (size_t h = 0; h < s->devices[i].edits.n_hooks; h++)
                        CHECK(s->devices[i].edits.hooks[h].path[0] == '/');
        }
        for (size_t h = 0; h < s->edits.n_hooks; h++)
                CHECK(s->edits.hooks[h].path[0] == '/');
        /* Every device's qualified name (what cdi list shows, what a runtime
         * is asked for) splits back into the kind and the name. */
        for (size_t i = 0; i < s->n_devices; i++) {
                char *q = nvct_cdi_qualified_name(s->kind, s->devices[i].name);
                if (q == NULL)
                        continue;
                char *kind = NULL, *name = NULL;
                nvct_error *err = NULL;
                CHECK(nvct_cdi_parse_qualified_name(q, &kind, &name, &err) == 0 && err == NULL);
                CHECK(strcmp(kind, s->kind) == 0 && strcmp(name, s->devices[i].name) == 0);
                free(kind);
                free(name);
                free(q);
        }
}

/* Writes `s` as `format`, loads it back and compares. */
static void round_trip(const nvct_cdi_spec *s, nvct_cdi_format format) {
        const char *name = format == NVCT_CDI_JSON ? "again.json" : "again.yaml";
        char *out = NULL;
        size_t len = 0;
        nvct_error *err = NULL;
        if (nvct_cdi_spec_write(s, format, &out, &len, &err) < 0) {
                CHECK(err != NULL && err->msg != NULL);
                CHECK(has_device_without_edits(s));
                nvct_error_free(&err);
                return;
        }
        CHECK(err == NULL && out != NULL && out[len] == '\0' && strlen(out) == len);
        CHECK(len > 0 && out[len - 1] == '\n');

        /* Deterministic: the same model, the same bytes. */
        char *out2 = NULL;
        size_t len2 = 0;
        CHECK(nvct_cdi_spec_write(s, format, &out2, &len2, &err) == 0);
        CHECK(len2 == len && memcmp(out, out2, len) == 0);
        free(out2);

        nvct_cdi_spec back = { 0 };
        if (nvct_cdi_spec_parse(out, len, name, &back, &err) < 0) {
                fprintf(stderr, "written spec does not load: %s\n---\n%s---\n", err->msg, out);
                CHECK(false);
        }
        CHECK(nvct_cdi_spec_equal(s, &back));
        /* And the reloaded spec is written the same. */
        CHECK(nvct_cdi_spec_write(&back, format, &out2, &len2, &err) == 0);
        CHECK(len2 == len && memcmp(out, out2, len) == 0);
        free(out2);
        nvct_cdi_spec_clear(&back);
        free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        const char *name = data[0] & 1 ? "fuzz.yaml" : "fuzz.json";
        char *buf = fuzz_copy_input(data + 1, size - 1);
        if (buf == NULL)
                return 0;
        nvct_cdi_spec spec = { .kind = (char *)"untouched" };
        nvct_error *err = NULL;
        if (nvct_cdi_spec_parse(buf, size - 1, name, &spec, &err) < 0) {
                check_error(err, name);
                CHECK(spec.kind != NULL && strcmp(spec.kind, "untouched") == 0);
                CHECK(spec.devices == NULL);
                nvct_error_free(&err);
                free(buf);
                return 0;
        }
        CHECK(err == NULL);
        check_valid(&spec);
        round_trip(&spec, NVCT_CDI_JSON);
        round_trip(&spec, NVCT_CDI_YAML);
        nvct_cdi_spec_clear(&spec);
        CHECK(spec.kind == NULL && spec.devices == NULL);
        free(buf);
        return 0;
}
