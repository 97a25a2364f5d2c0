/* SPDX-License-Identifier: Apache-2.0 */
/* Decoded TOML values written back as TOML text, for copying a table from
 * one document into another through the surgical editor: how a runtime's
 * options in containerd's config.toml or crio.conf reach a drop-in file.
 * Within one document nvct_toml_edit_copy_table keeps each value's text as
 * written; across documents only the decoded value is known, so it is
 * written in TOML's plainest form (basic strings, decimal integers). */
#ifndef NVCT_ENGINES_TOMLTEXT_H
#define NVCT_ENGINES_TOMLTEXT_H

#include <stddef.h>

#include "basic/error.h"
#include "formats/toml.h"
#include "formats/tomledit.h"

/* One value as TOML text: a table as an inline table, an array of tables
 * as an array of inline tables. *ret (malloc'ed) only on success; a key
 * holding a NUL is an error. */
int nvct_toml_value_text(const nvct_toml_value *v, char **ret, nvct_error **err);

/* Sets every key of `table` under the table at `to` (nto >= 1) in `e`:
 * subtables as [header] tables (an empty one as `key = {}`), other values
 * as text. What is already under `to` stays: its values are kept, its
 * tables filled in with the keys they lack. On failure the keys set so far stay: callers copy only
 * into a document they have not written yet. */
int nvct_toml_copy_into(nvct_toml_edit *e, const char *const *to, size_t nto,
                        const nvct_toml_value *table, nvct_error **err);

/* The runtime whose table a new runtime starts from, as NVIDIA's toolkit
 * picks it: the one the string at default_path names, else runc, else crun,
 * never `name` itself; the first that is a table under runtimes_path. NULL
 * when none is; *ret_from (may be NULL) names it. */
const nvct_toml_value *nvct_engine_source_runtime(nvct_toml_edit *e,
                                                  const char *const *default_path, size_t n_default,
                                                  const char *const *runtimes_path,
                                                  size_t n_runtimes, const char *name,
                                                  const char **ret_from);

#endif
