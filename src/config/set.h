/* SPDX-License-Identifier: Apache-2.0 */
/* `nvidia-ctk config --set KEY[=VALUE]`: keys of the toolkit's config.toml
 * set by their dotted path, typed by the key table (config.h) as NVIDIA's
 * command types them by its Config struct:
 *   - the key must be one of the table's (exact path); anything else, a
 *     table included, is an error;
 *   - a boolean takes strconv.ParseBool's spellings (1 t T TRUE true True,
 *     0 f F FALSE false False); a bare KEY, without '=', means true;
 *   - a string takes VALUE as is ("" included; "true" and "5" stay strings);
 *   - a list is VALUE split on the separator (",": "a,b" is two items; ""
 *     is one empty item, as Go's strings.Split gives);
 *   - KEY=VALUE splits at the first '=', so values may hold '='.
 * The document is edited with formats/tomledit: every comment, blank line
 * and untouched value stays byte for byte, a value already equal changes
 * nothing, and a missing table gets a [header]. Assignments apply in order
 * (the last of one key wins); any failure leaves no result. */
#ifndef NVCT_CONFIG_SET_H
#define NVCT_CONFIG_SET_H

#include <stddef.h>

#include "basic/error.h"

/* The most assignments one call takes (each re-checks the whole text). */
#define NVCT_CONFIG_SET_MAX 256

/* The TOML text of KEY[=VALUE] for the key table's key: `true`, `"a\"b"`,
 * `["/a", "/b"]`. *ret_key is the key's table entry path (static). Fails
 * naming the assignment: unknown key, a non-boolean without '=', a bad
 * boolean, a value that is not UTF-8. list_separator NULL means ",". */
int nvct_config_set_value_text(const char *assignment, const char *list_separator,
                               const char **ret_key, char **ret_value_toml, nvct_error **err);

/* Applies the assignments, in order, to `data` (len bytes, a config.toml
 * named `name` in messages; need not be NUL-terminated) and gives the new
 * text (malloc'd, NUL-terminated after *ret_len bytes; the same bytes when
 * nothing changed). An invalid document is an error naming "NAME":LINE:COL;
 * an invalid assignment one naming it. list_separator: NULL for ",";
 * empty is an error. */
int nvct_config_set_text(const char *data, size_t len, const char *name,
                         const char *const *assignments, size_t n, const char *list_separator,
                         char **ret_data, size_t *ret_len, nvct_error **err);

#endif
