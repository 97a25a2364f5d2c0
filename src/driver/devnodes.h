/* SPDX-License-Identifier: Apache-2.0 */
/* The NVIDIA driver's character device nodes: which major numbers the
 * running kernel gave its drivers (/proc/devices), which nodes a host needs
 * (the control nodes and /dev/nvidia<minor> per GPU), whether a dev root
 * has them with the right numbers, and creating the missing ones, as
 * NVIDIA's `nvidia-ctk system create-device-nodes` does: mode 0666, an
 * existing node left as it is. Nodes are made and looked at through an fd
 * of the dev root's /dev, never through a path string, so that a symlink in
 * the dev root cannot send a node elsewhere. */
#ifndef NVCT_DRIVER_DEVNODES_H
#define NVCT_DRIVER_DEVNODES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "basic/error.h"

/* /proc/devices is a few KiB; read at most this much of it. */
#define NVCT_PROC_DEVICES_MAX_SIZE (1u << 20)

/* The majors of the NVIDIA drivers, from /proc/devices' "Character
 * devices:" section; -1 where the kernel lists none. */
typedef struct nvct_proc_devices {
        int nvidia; /* "nvidia", or before 550.40 "nvidia-frontend": GPUs, nvidiactl, nvidia-modeset
                     */
        int nvidia_uvm;  /* "nvidia-uvm": nvidia-uvm, nvidia-uvm-tools */
        int nvidia_caps; /* "nvidia-caps": /dev/nvidia-caps/nvidia-cap<N> */
} nvct_proc_devices;

/* Reads /proc/devices' text. Lines that are not "<major> <name>" are
 * skipped, as are majors over 4095 (the kernel's limit); a later line for
 * the same name wins; "nvidia" wins over "nvidia-frontend" wherever it is.
 * Never fails. */
void nvct_proc_devices_parse(const char *data, size_t len, nvct_proc_devices *ret);

/* The same from PROC_ROOT/devices (proc_root NULL: "/proc"). A missing file
 * is an error naming it. */
int nvct_proc_devices_read(const char *proc_root, nvct_proc_devices *ret, nvct_error **err);

typedef enum nvct_devnode_major {
        NVCT_DEVNODE_MAJOR_NVIDIA,
        NVCT_DEVNODE_MAJOR_UVM,
} nvct_devnode_major;

/* A node under /dev: its name there and its numbers. */
typedef struct nvct_devnode {
        const char *name; /* "nvidiactl" */
        nvct_devnode_major major_of;
        unsigned minor;
} nvct_devnode;

/* nvidiactl (255), nvidia-modeset (254) on the nvidia major; nvidia-uvm (0),
 * nvidia-uvm-tools (1) on nvidia-uvm's: NVIDIA's order. */
extern const nvct_devnode nvct_devnode_control[];
#define NVCT_DEVNODE_N_CONTROL 4

/* The major the node needs on this kernel; -1 when /proc/devices has none. */
int nvct_devnode_major_number(const nvct_proc_devices *devices, nvct_devnode_major major_of);

typedef enum nvct_devnode_state {
        NVCT_DEVNODE_OK,            /* a character device with the numbers asked */
        NVCT_DEVNODE_MISSING,       /* nothing of that name */
        NVCT_DEVNODE_NOT_CHAR,      /* something else (a symlink, a file, a block device) */
        NVCT_DEVNODE_WRONG_NUMBERS, /* a character device with other numbers */
} nvct_devnode_state;

/* Opens DEV_ROOT/dev (O_PATH), resolved inside dev_root (absolute): a
 * symlink there leads nowhere outside it. With `create`, a missing /dev is
 * made (0755). -ENOENT without an error when it is missing and not made. */
int nvct_devnode_open_dev(const char *dev_root, bool create, int *ret_fd, nvct_error **err);

/* How /dev's entry `name` (no '/') compares with major:minor; the entry's
 * stat (not following a symlink) in *ret_st when it exists (may be NULL). */
int nvct_devnode_inspect(int dev_fd, const char *name, unsigned major, unsigned minor,
                         nvct_devnode_state *ret_state, struct stat *ret_st, nvct_error **err);

/* Makes the character device `name` (no '/') in /dev, mode 0666 whatever
 * the umask; an existing entry is left as it is (*ret_state says how it
 * compares: the caller reports a wrong one). With `dry_run` nothing is
 * made. *ret_created: whether it made the node (or, dry, would have). */
int nvct_devnode_create(int dev_fd, const char *name, unsigned major, unsigned minor, bool dry_run,
                        bool *ret_created, nvct_devnode_state *ret_state, nvct_error **err);

#endif
