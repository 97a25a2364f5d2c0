/* SPDX-License-Identifier: Apache-2.0 */
/* The parts of Go's standard library whose exact semantics the reference hook
 * depends on, reimplemented so that nvct decides exactly as it does:
 * path/filepath.Clean, path.Join, golang.org/x/mod/semver.Compare,
 * fmt.Sscanf("%d.%d.%d\n") for CUDA_VERSION, strconv.ParseBool, and the
 * case folding encoding/json uses to match object keys to struct fields.
 * All take explicit lengths: JSON strings may hold NUL bytes. */
#ifndef NVCT_GOCOMPAT_H
#define NVCT_GOCOMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* filepath.Clean: a newly allocated string (its length in *ret_len when not
 * NULL: the input may hold NUL bytes), or NULL on allocation failure. */
char *nvct_go_clean_path(const char *path, size_t len, size_t *ret_len);

/* path.Join(a, b): elements that are empty are dropped; the result is cleaned;
 * "" when both are empty. NULL on allocation failure. */
char *nvct_go_join_path(const char *a, const char *b);

/* semver.Compare(v, w): -1, 0 or +1. Invalid versions sort below every valid
 * one and equal to each other. */
int nvct_go_semver_compare(const char *v, size_t vlen, const char *w, size_t wlen);
bool nvct_go_semver_is_valid(const char *v, size_t len);

/* The reference's parseCudaVersion: fmt.Sscanf with "%d.%d.%d\n", then
 * "%d.%d\n", then "%d\n", into uint32s. Returns false when none matches. */
bool nvct_go_parse_cuda_version(const char *s, size_t len, uint32_t *ret_major, uint32_t *ret_minor,
                                uint32_t *ret_patch);

/* strconv.ParseBool, with errors read as false (the reference ignores them). */
bool nvct_go_parse_bool_lenient(const char *s, size_t len);

/* strconv.ParseBool: false when s is not a boolean. */
bool nvct_go_parse_bool(const char *s, size_t len, bool *ret);

/* Whether a JSON object key (or TOML key) names the struct field `name`
 * under Go's case folding: ASCII case-insensitive, plus U+017F (long s) for
 * 's' and U+212A (Kelvin sign) for 'k'. `name` is plain ASCII. */
bool nvct_go_key_matches(const char *key, size_t len, const char *name);

/* exec.LookPath over `search_path`: the first regular, executable file named
 * `name`. Relative directories (an empty PATH entry means ".") are skipped:
 * the working directory is the bundle, not a place to run binaries from. */
int nvct_find_executable(const char *name, const char *search_path, char **ret_path,
                         nvct_error **err);

#endif
