/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/oci: strings as Go's encoding/json decodes them. */
#ifndef NVCT_OCI_GOSTRING_H
#define NVCT_OCI_GOSTRING_H

#include <stddef.h>

/* A NUL-terminated copy of the len bytes of a JSON string (escapes already
 * decoded) in which each byte that starts no valid UTF-8 sequence is
 * replaced with U+FFFD, as encoding/json does instead of rejecting the
 * document, so that the same strings reach the decision as in the
 * reference. Its length in *ret_len; NULL on OOM. */
char *nvct_go_string_copy(const char *s, size_t len, size_t *ret_len);

#endif
