/* SPDX-License-Identifier: Apache-2.0 */
/* Container Device Interface specs (../shared/cdi/SPEC.md): the in-memory
 * model, the minimum cdiVersion its content needs, writing it as JSON (yajl's
 * generator) or YAML (libyaml's emitter), and loading spec files back, JSON
 * or YAML, strictly (unknown fields, a version lower than the content needs,
 * bad kinds or device names are errors, as in the CDI reference loader). */
#ifndef NVCT_CDI_H
#define NVCT_CDI_H

#include "apply.h"
#include "format.h"
#include "load.h"
#include "model.h"
#include "names.h"
#include "registry.h"
#include "version.h"
#include "write.h"

#endif
