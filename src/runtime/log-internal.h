/* SPDX-License-Identifier: Apache-2.0 */
/* Private to runtime/log.c and its unit test: where a record's time comes
 * from, so that the test can compare whole records. */
#ifndef NVCT_RUNTIME_LOG_INTERNAL_H
#define NVCT_RUNTIME_LOG_INTERNAL_H

#include <time.h>

typedef time_t (*nvct_runtime_log_clock_fn)(void);

/* Replaces the clock (time(NULL)); NULL restores it. */
void nvct_runtime_log_set_clock(nvct_runtime_log_clock_fn clock_fn);

#endif
