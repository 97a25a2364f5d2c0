/* SPDX-License-Identifier: Apache-2.0 */
/* What nvidia-ctk's commands share: --quiet, and the command table's
 * entries. */
#ifndef NVCT_CMD_CTK_H
#define NVCT_CMD_CTK_H

#include <stdbool.h>

#include "basic/cli.h"

#define PROGRAM "nvidia-ctk"

/* --quiet: print only errors. */
extern bool ctk_quiet;

extern const nvct_cli_command ctk_cdi_generate;
extern const nvct_cli_command ctk_cdi_list;
extern const nvct_cli_command ctk_runtime_configure;
extern const nvct_cli_command ctk_config;
extern const nvct_cli_command ctk_hook;
extern const nvct_cli_command ctk_system_create_device_nodes;
extern const nvct_cli_command ctk_doctor;

#endif
