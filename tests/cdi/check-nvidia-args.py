#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The other direction of hook compatibility: every createContainer hook of
nvct's specs is a command line that NVIDIA's hook program accepts.

NVIDIA's binaries are not available here, so the check is against the
command lines of NVIDIA's nvidia-cdi-hook (and `nvidia-ctk hook`) as its
sources define them, v1.16 to v1.20: the subcommands, the flags each one
takes, and the release that first has them (urfave/cli: `--flag value` or
`--flag=value`; a boolean flag takes no value). A spec passes when each hook
runs `nvidia-cdi-hook SUB ...` or `nvidia-ctk hook SUB ...`, SUB and every
flag are NVIDIA's, and each flag has the value form NVIDIA parses. It prints
the oldest NVIDIA release that runs every hook of the spec.

Usage: check-nvidia-args.py SPEC.json...   (exit 1 on the first spec that fails)
"""
import json
import os
import sys

# subcommand -> (release that has it, {flag: (takes a value, release)})
NVIDIA_HOOKS = {
    "create-symlinks": ((1, 16), {"link": (True, (1, 16)), "host-root": (True, (1, 16)),
                                  "csv-filename": (True, (1, 16)),
                                  "container-spec": (True, (1, 16))}),
    "update-ldcache": ((1, 16), {"folder": (True, (1, 16)), "ldconfig-path": (True, (1, 16)),
                                 "container-spec": (True, (1, 16))}),
    "chmod": ((1, 16), {"mode": (True, (1, 16)), "path": (True, (1, 16)),
                        "container-spec": (True, (1, 16))}),
    "enable-cuda-compat": ((1, 17, 5), {"host-driver-version": (True, (1, 17, 5)),
                                        "host-cuda-version": (True, (1, 19)),
                                        "cuda-compat-container-root": (True, (1, 19)),
                                        "container-spec": (True, (1, 17, 5))}),
    "disable-device-node-modification": ((1, 17, 8), {"container-spec": (True, (1, 17, 8))}),
    "update-application-profile": ((1, 20), {"container-spec": (True, (1, 20))}),
}


def check_args(args):
    """The release a hook needs, or raises ValueError naming what NVIDIA's
    program would refuse."""
    if len(args) >= 2 and os.path.basename(args[0]) == "nvidia-cdi-hook":
        rest = args[1:]
    elif len(args) >= 3 and os.path.basename(args[0]) == "nvidia-ctk" and args[1] == "hook":
        rest = args[2:]
    else:
        raise ValueError("not nvidia-cdi-hook SUB or nvidia-ctk hook SUB: %r" % args)
    sub, flags = rest[0], rest[1:]
    if sub not in NVIDIA_HOOKS:
        raise ValueError("NVIDIA's hook has no subcommand %r" % sub)
    need, known = NVIDIA_HOOKS[sub]
    i = 0
    while i < len(flags):
        a = flags[i]
        if not a.startswith("-") or a in ("-", "--"):
            raise ValueError("%s: %r is not a flag (NVIDIA's subcommands take no arguments)" % (sub, a))
        name, eq, _ = a.lstrip("-").partition("=")
        if name not in known:
            raise ValueError("%s: NVIDIA's hook has no flag --%s" % (sub, name))
        takes_value, since = known[name]
        if takes_value and not eq:
            if i + 1 >= len(flags):
                raise ValueError("%s: --%s without its value" % (sub, name))
            i += 1
        elif not takes_value and eq:
            raise ValueError("%s: --%s takes no value" % (sub, name))
        need = max(need, since)
        i += 1
    return need


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    for path in sys.argv[1:]:
        spec = json.load(open(path))
        edits = [spec.get("containerEdits", {})] + [d.get("containerEdits", {}) for d in spec.get("devices", [])]
        need, count = (1, 16), 0
        for e in edits:
            for h in e.get("hooks", []):
                try:
                    need = max(need, check_args(h.get("args", [])))
                except ValueError as why:
                    print("%s: %s" % (path, why))
                    return 1
                count += 1
        print("%s: %d hooks, NVIDIA's nvidia-cdi-hook %s or later runs them" % (
            path, count, ".".join(str(x) for x in need)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
