/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk system create-device-nodes: the NVIDIA device nodes a host
 * lacks (the control nodes, /dev/nvidia<minor> per GPU), made with the
 * majors the running kernel lists in /proc/devices, mode 0666, as NVIDIA's
 * command makes them; an existing node is left as it is. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/quote.h"
#include "cdi/cdigen.h"
#include "driver/devnodes.h"
#include "driver/nvml.h"
#include "engines/command.h"

#include "ctk.h"

static const char *arg_driver_root, *arg_dev_root;
static bool arg_control, arg_gpus, arg_dry_run, arg_load_modules;

static const nvct_cli_opt options[] = {
        { "control-devices", NULL, NVCT_CLI_BOOL, NULL,
          "create the control nodes: nvidiactl, nvidia-modeset, nvidia-uvm, nvidia-uvm-tools",
          .ret_bool = &arg_control },
        { "gpu-devices", NULL, NVCT_CLI_BOOL, NULL,
          "create /dev/nvidia<minor> for each GPU NVML reports", .ret_bool = &arg_gpus },
        { "driver-root", NULL, NVCT_CLI_STRING, "DIR",
          "where the driver's files are, NVML among them (default: $DRIVER_ROOT, else /)",
          .ret_string = &arg_driver_root },
        { "dev-root", NULL, NVCT_CLI_STRING, "DIR",
          "the nodes are made in DIR/dev (default: the driver root)", .ret_string = &arg_dev_root },
        { "load-kernel-modules", NULL, NVCT_CLI_BOOL, NULL,
          "first load the nvidia, nvidia-uvm and nvidia-modeset modules (modprobe; chroot into\n"
          "the driver root when it is not /)",
          .ret_bool = &arg_load_modules },
        { "dry-run", NULL, NVCT_CLI_BOOL, NULL, "print the commands, make and load nothing",
          .ret_bool = &arg_dry_run },
};

typedef struct make_ctx {
        const nvct_cli_call *call;
        const char *dev_root;
        int dev_fd;
        int status;
} make_ctx;

/* The node's path as the user knows it: DEV_ROOT/dev/NAME. */
static char *node_path(const make_ctx *ctx, const char *name) {
        char *path = NULL;
        const char *root = ctx->dev_root;
        if (asprintf(&path, "%s/dev/%s", strcmp(root, "/") == 0 ? "" : root, name) < 0)
                return NULL;
        return path;
}

static void make_node(make_ctx *ctx, const char *name, int major, unsigned minor) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *path = node_path(ctx, name);
        _cleanup_free_ char *qp = nvct_quote_path(path != NULL ? path : name);
        nvct_devnode_state state;
        bool created;

        /* A dry run on a dev root without /dev (dev_fd -1): every node is
         * missing. */
        if (ctx->dev_fd < 0) {
                created = true;
                state = NVCT_DEVNODE_OK;
        } else if (nvct_devnode_create(ctx->dev_fd, name, (unsigned)major, minor, arg_dry_run,
                                       &created, &state, &err) < 0) {
                fprintf(ctx->call->err, PROGRAM ": %s\n", err->msg);
                ctx->status = EXIT_FAILURE;
                return;
        }
        if (created && arg_dry_run)
                printf("mknod --mode=0666 %s c %d %u\n", nvct_quoted(qp), major, minor);
        else if (created && !ctk_quiet)
                fprintf(ctx->call->err, PROGRAM ": created %s (c %d:%u, mode 0666)\n",
                        nvct_quoted(qp), major, minor);
        else if (state == NVCT_DEVNODE_NOT_CHAR || state == NVCT_DEVNODE_WRONG_NUMBERS) {
                /* NVIDIA's leaves any existing entry alone; so does this, but
                 * a node with other numbers gives a container the wrong device:
                 * said, and the run fails. */
                fprintf(ctx->call->err,
                        PROGRAM ": %s exists but is %s c %d:%u; left as it is: remove it and "
                                "run this again\n",
                        nvct_quoted(qp),
                        state == NVCT_DEVNODE_NOT_CHAR ? "not a character device," : "not", major,
                        minor);
                ctx->status = EXIT_FAILURE;
        }
}

static void make_control_nodes(make_ctx *ctx, const nvct_proc_devices *devices) {
        for (size_t i = 0; i < NVCT_DEVNODE_N_CONTROL; i++) {
                const nvct_devnode *node = &nvct_devnode_control[i];
                int major = nvct_devnode_major_number(devices, node->major_of);
                if (major < 0) {
                        const char *driver =
                                node->major_of == NVCT_DEVNODE_MAJOR_UVM ? "nvidia-uvm" : "nvidia";
                        fprintf(ctx->call->err,
                                PROGRAM ": cannot create /dev/%s: the kernel lists no %s driver "
                                        "in /proc/devices (load it: modprobe %s)\n",
                                node->name, driver, driver);
                        ctx->status = EXIT_FAILURE;
                        continue;
                }
                make_node(ctx, node->name, major, node->minor);
        }
}

static void make_gpu_nodes(make_ctx *ctx, const nvct_proc_devices *devices,
                           const char *driver_root) {
        _cleanup_error_ nvct_error *err = NULL;
        nvct_nvml_info info = { 0 };

        if (devices->nvidia < 0) {
                fprintf(ctx->call->err,
                        PROGRAM ": cannot create the GPUs' nodes: the kernel lists no nvidia "
                                "driver in /proc/devices (load it: modprobe nvidia)\n");
                ctx->status = EXIT_FAILURE;
                return;
        }
        /* The GPUs' minors are NVML's (nvmlDeviceGetMinorNumber), as the CDI
         * spec names them: not the NVML index, which differs from the minor
         * on hosts where the driver numbered the GPUs otherwise. */
        if (nvct_cdigen_query_nvml(driver_root, &info, &err) < 0) {
                fprintf(ctx->call->err, PROGRAM ": cannot create the GPUs' nodes: %s\n", err->msg);
                ctx->status = EXIT_FAILURE;
                return;
        }
        for (size_t i = 0; i < info.n_gpus; i++) {
                char name[32];
                /* 254 and 255 are nvidia-modeset's and nvidiactl's: a GPU
                 * with such a minor is a broken NVML, not a node to make. */
                if (info.gpus[i].minor >= 254) {
                        fprintf(ctx->call->err,
                                PROGRAM ": NVML gives GPU %u the minor %u, which is no GPU's: "
                                        "its node is not made\n",
                                info.gpus[i].index, info.gpus[i].minor);
                        ctx->status = EXIT_FAILURE;
                        continue;
                }
                snprintf(name, sizeof(name), "nvidia%u", info.gpus[i].minor);
                make_node(ctx, name, devices->nvidia, info.gpus[i].minor);
        }
        nvct_nvml_info_clear(&info);
}

/* NVIDIA's --load-kernel-modules: modprobe each module, inside the driver
 * root when it is not "/" (a driver container's modprobe and modules). The
 * admin's command: their environment, a deadline, its output discarded. */
static int load_modules(const nvct_cli_call *call, const char *driver_root) {
        static const char *const modules[] = { "nvidia", "nvidia-uvm", "nvidia-modeset" };
        bool chroot = strcmp(driver_root, "/") != 0;
        for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
                _cleanup_error_ nvct_error *err = NULL;
                _cleanup_free_ char *out = NULL;
                size_t len;
                const char *argv[] = { "chroot", driver_root, "/sbin/modprobe", modules[i], NULL };
                const char *const *cmd = chroot ? argv : argv + 2;
                if (arg_dry_run) {
                        _cleanup_free_ char *q = nvct_quote_path(driver_root);
                        printf("%s%s%s/sbin/modprobe %s\n", chroot ? "chroot " : "",
                               chroot ? nvct_quoted(q) : "", chroot ? " " : "", modules[i]);
                        continue;
                }
                if (nvct_engine_command_output(cmd, 1u << 20, &out, &len, &err) < 0) {
                        nvct_error_prefix(&err, "cannot load the %s module", modules[i]);
                        return nvct_cli_fail(call, &err);
                }
        }
        return 0;
}

static int root_flag(const nvct_cli_call *call, const char *flag, const char *value) {
        _cleanup_error_ nvct_error *err = NULL;
        if (value[0] == '/')
                return 0;
        _cleanup_free_ char *q = nvct_quote_path(value);
        nvct_error_make(&err, 0, "--%s must be an absolute path, not %s", flag, nvct_quoted(q));
        return nvct_cli_usage_error(call, &err);
}

static int create_device_nodes(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_close_ int dev_fd = -1;
        nvct_proc_devices devices;
        int r;

        /* NVIDIA's reads $DRIVER_ROOT when the flag is not given. */
        const char *driver_root = arg_driver_root;
        if (driver_root == NULL)
                driver_root = getenv("DRIVER_ROOT");
        if (driver_root == NULL || driver_root[0] == '\0')
                driver_root = "/";
        const char *dev_root = arg_dev_root != NULL ? arg_dev_root : driver_root;
        if ((r = root_flag(call, "driver-root", driver_root)) != 0 ||
            (r = root_flag(call, "dev-root", dev_root)) != 0)
                return r;
        bool control = arg_control || !arg_gpus, gpus = arg_gpus || !arg_control;

        if (arg_load_modules && (r = load_modules(call, driver_root)) != 0)
                return r;
        /* The kernel's list. NVCT_PROC_ROOT, for the tests only, stands a
         * directory holding a `devices` file in for /proc: the fake GPU
         * hosts have no driver in the kernel. */
        if (nvct_proc_devices_read(getenv("NVCT_PROC_ROOT"), &devices, &err) < 0)
                return nvct_cli_fail(call, &err);
        if (nvct_devnode_open_dev(dev_root, !arg_dry_run, &dev_fd, &err) < 0 && err != NULL)
                return nvct_cli_fail(call, &err);
        make_ctx ctx = { call, dev_root, dev_fd, EXIT_SUCCESS };
        if (control)
                make_control_nodes(&ctx, &devices);
        if (gpus)
                make_gpu_nodes(&ctx, &devices, driver_root);
        if (fflush(stdout) != 0) {
                nvct_error_make(&err, errno, "cannot write the commands");
                return nvct_cli_fail(call, &err);
        }
        return ctx.status;
}

const nvct_cli_command ctk_system_create_device_nodes = {
        .name = "create-device-nodes",
        .summary = "create the NVIDIA device nodes this host lacks",
        .description =
                "Create the missing NVIDIA device nodes in DEV_ROOT/dev: the control nodes\n"
                "(nvidiactl, nvidia-modeset on the nvidia major; nvidia-uvm, nvidia-uvm-tools on\n"
                "nvidia-uvm's) and /dev/nvidia<minor> for each GPU NVML reports, with the majors\n"
                "the kernel lists in /proc/devices, mode 0666. An existing node is left as it\n"
                "is; one with other numbers is reported, and the command exits 1. Without\n"
                "--control-devices or --gpu-devices, both kinds are made.",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = create_device_nodes,
};
