/* SPDX-License-Identifier: Apache-2.0 */
/* A surgical TOML editor: sets and removes keys in a TOML document by
 * splicing its text, so that every comment, blank line and untouched value
 * stays byte for byte and setting a value a second time changes nothing.
 * Engines' configuration files (containerd's config.toml, CRI-O's drop-ins,
 * the toolkit's config.toml) are the admin's: decoding and re-encoding them
 * would lose what the admin wrote.
 *
 * Every edit is checked: the new text is decoded with nvct_toml_parse and
 * must give the old tree plus exactly the change, else the edit fails and
 * the text stays as it was.
 *
 * Key paths are arrays of keys, never dotted strings: a key may hold dots
 * ("io.containerd.grpc.v1.cri"). A path goes through tables only: through a
 * [header] table, an inline table (edited inside its braces) or a table made
 * by dotted keys (a dotted key is added next to its siblings); a path through
 * an array of tables or any other value is an error naming the key. */
#ifndef NVCT_TOMLEDIT_H
#define NVCT_TOMLEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "basic/error.h"
#include "toml.h"

/* The largest document edited (the toolkit's config.toml bound). */
#define NVCT_TOML_EDIT_MAX_SIZE (4u << 20)
/* The longest key path accepted. */
#define NVCT_TOML_EDIT_MAX_PATH 64

typedef struct nvct_toml_edit nvct_toml_edit;

/* Parses `data` (len bytes, at most NVCT_TOML_EDIT_MAX_SIZE; need not be
 * NUL-terminated). An invalid document is an error naming "NAME":LINE:COL.
 * `name` (a file name; NULL for <input>) prefixes every error. */
int nvct_toml_edit_parse(const char *data, size_t len, const char *name, nvct_toml_edit **ret,
                         nvct_error **err);
void nvct_toml_edit_free(nvct_toml_edit *e);
static inline void nvct_toml_edit_freep(nvct_toml_edit **e) {
        nvct_toml_edit_free(*e);
}
#define _cleanup_toml_edit_ __attribute__((cleanup(nvct_toml_edit_freep)))

/* The value at a key path in the current text; NULL when absent or when the
 * path goes through something that is not a table. Valid until the next
 * edit. n == 0 gives the root table. */
const nvct_toml_value *nvct_toml_edit_get(nvct_toml_edit *e, const char *const *path, size_t n);

/* Sets the key at path (n >= 1) to `value_toml`, one TOML value as text
 * ("\"io.containerd.runc.v2\"", "true", "[\"a\"]", "{ a = 1 }"), written as
 * given. An existing value's text is replaced in place (comments inside a
 * multi-line value are part of it and go with it). A new key goes at the
 * end of its table's key block, indented like its last key; in an inline
 * table before the '}'; under a table made by dotted keys, as a dotted key in
 * the section that holds its siblings. A missing table gets a new [header]
 * after the last table whose path is a prefix of it and all of that table's
 * subtables (else at the end of the file), after a blank line. When the
 * value is already equal, nothing changes. Replacing a table that is not an
 * inline table, or an array of tables, is an error. */
int nvct_toml_edit_set(nvct_toml_edit *e, const char *const *path, size_t n, const char *value_toml,
                       nvct_error **err);

/* nvct_toml_edit_set with the string `s` written as a TOML basic string
 * (nvct_toml_string_text). */
int nvct_toml_edit_set_string(nvct_toml_edit *e, const char *const *path, size_t n, const char *s,
                              nvct_error **err);

/* Removes the key at path with its line (from an inline table, with its
 * comma); nothing when absent. Removing a table defined by a [header] or by
 * dotted keys, or an array of tables, is an error. */
int nvct_toml_edit_remove(nvct_toml_edit *e, const char *const *path, size_t n, nvct_error **err);

/* Copies the table at `from` (its keys and subtables, each value's text as
 * written, one set at a time) to `to`, unless something is at `to` already:
 * how runc's `options` become the new runtime's. Tables from headers or
 * dotted keys under `from` become [header] tables under `to` (inside an
 * inline table or among dotted keys: inline tables). All or nothing: on
 * failure the text is as before. A missing or non-table `from`, `to` inside
 * `from`, or an array of tables in `from` is an error. */
int nvct_toml_edit_copy_table(nvct_toml_edit *e, const char *const *from, size_t nfrom,
                              const char *const *to, size_t nto, nvct_error **err);

/* The current text, NUL-terminated (valid until the next edit), and whether
 * any edit changed it since parse. */
const char *nvct_toml_edit_text(const nvct_toml_edit *e, size_t *ret_len);
bool nvct_toml_edit_changed(const nvct_toml_edit *e);

/* A key as TOML writes it: bare when it is non-empty [A-Za-z0-9_-]+, else a
 * basic string with \" \\ and control characters escaped. NULL on OOM. */
char *nvct_toml_key_text(const char *key);
/* s[0..len) as a TOML basic string, quoted: \" \\ \b \t \n \f \r and
 * \uXXXX for the other control characters and DEL, every other byte as it
 * is. The one TOML string writer (keys, the engines' edits, config --set,
 * the default config). NULL when out of memory. */
char *nvct_toml_string_text(const char *s, size_t len);
/* The same, written to f (a stream's error state says whether it failed). */
void nvct_toml_string_write(FILE *f, const char *s, size_t len);

#endif
