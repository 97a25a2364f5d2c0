/* SPDX-License-Identifier: Apache-2.0 */
/* What a container asks for, read by nvidia-container-runtime on `create`:
 * the hook's decision over config.json (policy/decision: the environment,
 * the device-list mounts, the swarm variable, the unprivileged rule), so
 * that the wrapper and the hook never disagree about which containers are
 * GPU containers; and, in the CDI modes, the CDI device names of the
 * annotations with the configured prefixes (set by the orchestrator). */
#ifndef NVCT_RUNTIME_REQUEST_H
#define NVCT_RUNTIME_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"
#include "basic/strv.h"
#include "config/config.h"
#include "oci/edit.h"
#include "policy/decision.h"

/* Security: config.json is the image's. At most this many device names are
 * taken from it (the environment and the annotations together), none longer
 * than NVCT_RUNTIME_MAX_DEVICE_NAME bytes: a CDI name is a DNS vendor (253),
 * a class (63) and a device name; a longer one is refused, not cut. */
#define NVCT_RUNTIME_MAX_DEVICES 1024
#define NVCT_RUNTIME_MAX_DEVICE_NAME 1024

/* The decision over config.json's bytes (`path` names it in errors), read
 * exactly as the hook reads it. */
int nvct_runtime_decide(const nvct_config *config, const char *data, size_t len, const char *path,
                        nvct_request *ret_request, nvct_error **err);

/* Appends the non-empty comma-separated entries of list[0..len) to `names`,
 * skipping ones already there; "none" and "void" request nothing (the
 * decision's NVIDIA_VISIBLE_DEVICES values). `origin` names the list in
 * errors (a NUL byte, a name too long, too many names). */
int nvct_runtime_add_device_list(nvct_strv *names, const char *list, size_t len, const char *origin,
                                 nvct_error **err);

/* Appends the devices named by every annotation whose key starts with one
 * of `prefixes` (comma-separated CDI names, as the CDI reference reads
 * "cdi.k8s.io/..." annotations), in the annotations' order, skipping ones
 * already there. Every entry must be a qualified name: an empty one,
 * "none" or a bare "0" is an error naming the annotation, as in the CDI
 * reference and NVIDIA's runtime. */
int nvct_runtime_add_annotation_devices(nvct_strv *names, const nvct_oci_edit *edit,
                                        const nvct_strv *prefixes, nvct_error **err);

/* Whether config.json's bytes may hold an annotation with one of
 * `prefixes`: a plain search, so that the document tree is built only for
 * containers that have one. A prefix written with JSON escapes
 * ("cdi.k8s.io\/") is missed: that annotation then gives nothing, never
 * more (engines write annotations with Go's encoding/json, which does not
 * escape these characters). */
bool nvct_runtime_may_have_annotations(const nvct_strv *prefixes, const char *data, size_t len);

/* Appends the devices a container requests, as NVIDIA's runtime reads them:
 * the devices of the annotations with `prefixes` when `edit` is given (the
 * CDI modes) and they name any; only otherwise, for a GPU container, the
 * decision's device list (environment, volume mounts, swarm): an image's
 * NVIDIA_VISIBLE_DEVICES=all must not widen what an orchestrator asked for
 * in annotations. *ret_from_annotations (may be NULL) says which it was. */
int nvct_runtime_requested_devices(const nvct_request *request, const nvct_oci_edit *edit,
                                   const nvct_strv *prefixes, nvct_strv *names,
                                   bool *ret_from_annotations, nvct_error **err);

/* "vendor/class=name" with a valid kind and device name. */
bool nvct_runtime_is_qualified(const char *name);

/* `name` as a qualified CDI name: itself when qualified, else
 * "DEFAULT_KIND=name". NULL when out of memory. */
char *nvct_runtime_qualify(const char *name, const char *default_kind);

#endif
