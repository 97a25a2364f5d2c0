/* SPDX-License-Identifier: Apache-2.0 */
/* The cdiVersion a spec needs: the rules of SPEC.md's version table. */
#ifndef NVCT_CDI_VERSION_H
#define NVCT_CDI_VERSION_H

#include "model.h"

/* The lowest cdiVersion the content needs ("0.3.0", "0.4.0", "0.5.0",
 * "0.6.0", "0.7.0" or "1.1.0"), by the rules of SPEC.md's version table:
 * mount type 0.4.0; device node hostPath or a device name starting with a
 * digit 0.5.0; annotations or a '.' in the kind's class 0.6.0;
 * additionalGids / intelRdt 0.7.0; netDevices, intelRdt schemata or
 * enableMonitoring 1.1.0. The model holds no intelRdt or netDevices: those
 * rules apply when a spec is loaded. Static string. */
const char *nvct_cdi_minimum_version(const nvct_cdi_spec *spec);

#endif
