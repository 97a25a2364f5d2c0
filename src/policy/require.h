/* SPDX-License-Identifier: Apache-2.0 */
/* libnvidia-container's requirement grammar (its cli/dsl.c and the rules in
 * cli/configure.c), evaluated in-process for the runc wrapper's CDI modes,
 * where no nvidia-container-cli runs to check NVIDIA_REQUIRE_* for us.
 *
 * Grammar: groups separated by spaces are ORed; conditions separated by
 * commas inside a group are ANDed; empty groups and conditions are skipped. A
 * condition is PREDICATE OPERATOR VALUE: predicates cuda, driver, arch, brand
 * (any case); operators = != < <= > >= (and "!", which dsl.c takes for !=);
 * cuda, driver and arch values are versions (digits and dots, starting with a
 * digit), compared part by part as numbers, missing parts counting as 0
 * (12 = 12.0, 12.10 > 12.9); brand values are compared ignoring ASCII case,
 * with = and != only. The whole expression must hold for every GPU the
 * container gets, each GPU evaluated on its own as configure.c does (so
 * "brand=tesla brand=geforce" holds for one Tesla and one GeForce). */
#ifndef NVCT_REQUIRE_H
#define NVCT_REQUIRE_H

#include <stddef.h>

#include "basic/error.h"

/* Longest requirement accepted. libnvidia-container has no bound of its own;
 * the CUDA images' NVIDIA_REQUIRE_CUDA is under 2 KiB. */
#define NVCT_REQUIRE_MAX (64 * 1024)

typedef struct nvct_require_gpu {
        const char *arch;  /* compute capability "9.0"; NULL: unknown */
        const char *brand; /* NVML brand name as libnvidia-container names it, e.g. "tesla"; NULL:
                              unknown */
} nvct_require_gpu;

typedef struct nvct_require_host {
        const char *cuda;             /* CUDA driver version "12.4"; NULL: unknown */
        const char *driver;           /* driver version "550.54.15"; NULL: unknown */
        const nvct_require_gpu *gpus; /* the GPUs the container gets */
        size_t n_gpus;
} nvct_require_host;

/* Checks one requirement, `expr[0..len)` (untrusted: any bytes; bounded,
 * linear time in len for each GPU), from the variable `origin`
 * ("NVIDIA_REQUIRE_CUDA"). 0: met. -1: a syntax error, or unmet: the message
 * names the origin, the requirement and the host's value(s) that failed, e.g.
 *   unsatisfied requirement "cuda>=12.6" (NVIDIA_REQUIRE_CUDA): the host's CUDA driver version
 * is 12.4
 *
 * Evaluation is dsl.c's, lazy: a group is evaluated until a condition fails,
 * and groups until one holds, so a malformed condition that is never reached
 * is no error (as with nvidia-container-cli). A group of commas only ends the
 * evaluation with the result of the group before it (dsl.c's loop does so).
 * Unknown facts hold, as in configure.c: an unknown CUDA or driver version
 * meets every cuda or driver condition; with no GPUs, or a GPU whose arch or
 * brand is unknown, every arch and brand condition holds. Differences from
 * dsl.c, all stricter and only for text it refuses on other hosts: a
 * condition that is evaluated is checked whole even where the host's value is
 * unknown (a bad version, or brand with <, is an error everywhere); a
 * version part of UINTMAX_MAX or more is always an error; a NUL byte, or more
 * than NVCT_REQUIRE_MAX bytes, is an error before anything is evaluated. */
int nvct_require_check(const char *expr, size_t len, const char *origin,
                       const nvct_require_host *host, nvct_error **err);

/* Checks the syntax of every condition of `expr`, reached or not: 0, or -1
 * with the message nvct_require_check gives for the first bad one. */
int nvct_require_validate(const char *expr, size_t len, const char *origin, nvct_error **err);

/* libnvidia-container's name for an nvmlBrandType_t value ("tesla",
 * "geforce", ...), lower-cased as the CUDA images write them (the comparison
 * ignores case); "unknown" for any value it does not name. */
const char *nvct_require_brand_name(int nvml_brand);

#endif
