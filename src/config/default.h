/* SPDX-License-Identifier: Apache-2.0 */
/* The default config.toml as text, written from the key table (config.h):
 * what `nvidia-ctk config default` prints. The layout is NVIDIA's (its
 * `nvidia-ctk config default`, go-toml's encoder): the top-level keys, then
 * one [table] per section in tree order (a table's own keys, then its
 * sub-tables, an empty header for a table that has only sub-tables), keys
 * sorted by name within a table. Each key has its documentation line above
 * it.
 *
 * A key is written out with its default when it has one that every program
 * reading it shares; otherwise it is commented out ("#key = value"): unset
 * by default (a string without default, an empty list), or a default the
 * 1.3.0 hook does not share (nvidia-container-cli.ldconfig). The value
 * shown there is the toolkit's default, else an example, else an empty
 * value. So the text decodes, under either profile, to exactly that
 * profile's defaults. */
#ifndef NVCT_CONFIG_DEFAULT_H
#define NVCT_CONFIG_DEFAULT_H

#include <stddef.h>

#include "basic/error.h"

/* The default config.toml, NUL-terminated after *ret_len bytes (malloc'd).
 * Fails only when memory runs out. */
int nvct_config_write_default(char **ret_data, size_t *ret_len, nvct_error **err);

/* The example the commented-out line of a string key without default shows
 * (the value NVIDIA's default file shows there); NULL when there is none
 * (the line then shows ""). */
const char *nvct_config_default_example(const char *path);

#endif
