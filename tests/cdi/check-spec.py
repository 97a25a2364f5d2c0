#!/usr/bin/env python3
"""Checks a generated CDI spec against the fake host it was generated for,
device by device: names for every strategy, device nodes with the host's
numbers, MIG capability nodes from mig-minors, the "all" device, the common
edits (control nodes, mounts that exist, hooks with their own env), and the
schema in ../shared/cdi.

Usage: check-spec.py HOSTFILE DRIVER_ROOT SPEC.json STRATEGIES SCHEMA_DIR
STRATEGIES is a comma list (index,uuid,type-index). Prints what is wrong and
exits 1, or exits 0 silently."""
import json
import os
import re
import stat
import sys

problems = []


def bad(msg):
    problems.append(msg)


def parse_host(path):
    host = {"driver": None, "gpus": [], "migs": [], "graphics": False, "newlibs": []}
    with open(path) as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            word, _, rest = line.partition(" ")
            if word == "driver":
                host["driver"] = rest.strip()
            elif word == "graphics":
                host["graphics"] = rest.strip() == "yes"
            elif word == "nvvm70":
                host["nvvm70"] = rest.strip() == "yes"
            elif word == "newlib":
                host["newlibs"].append(rest.split()[0])
            elif word in ("gpu", "mig"):
                fields = {}
                # name= runs to the end of the line; other fields are k=v words.
                m = re.search(r"\bname=(.*)$", rest)
                if m:
                    fields["name"] = m.group(1).strip()
                    rest = rest[: m.start()]
                for kv in rest.split():
                    k, _, v = kv.partition("=")
                    fields[k] = v
                host["gpus" if word == "gpu" else "migs"].append(fields)
    return host


def node_of(root, path):
    """The node as the spec must have it: a node that is not world
    read-write carries its mode and group (and "rwm" for the cgroup)."""
    st = os.stat(root + path)
    node = {"path": path, "hostPath": root + path, "type": "c",
            "major": os.major(st.st_rdev), "minor": os.minor(st.st_rdev)}
    if st.st_mode & 0o006 != 0o006:
        node.update({"fileMode": stat.S_IMODE(st.st_mode), "permissions": "rwm",
                     "uid": st.st_uid, "gid": st.st_gid})
    return node


def gids_of(nodes):
    gids = []
    for n in nodes:
        if n.get("gid", 0) != 0 and n["gid"] not in gids:
            gids.append(n["gid"])
    return gids


def mig_minor(root, key):
    with open(os.path.join(root, "proc/driver/nvidia-caps/mig-minors")) as f:
        for line in f:
            k, _, v = line.strip().partition(" ")
            if k == key:
                return int(v)
    bad(f"{key} not in mig-minors")
    return -1


def main():
    hostfile, root, spec_path, strategies, schema_dir = sys.argv[1:6]
    strategies = strategies.split(",")
    host = parse_host(hostfile)
    with open(spec_path) as f:
        spec = json.load(f)

    import jsonschema
    with open(os.path.join(schema_dir, "schema.json")) as f:
        schema = json.load(f)
    with open(os.path.join(schema_dir, "defs.json")) as f:
        defs = json.load(f)
    try:  # jsonschema >= 4.18
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7
        registry = Registry().with_resource(
            "defs.json", Resource.from_contents(defs, default_specification=DRAFT7))
        validator = jsonschema.Draft7Validator(schema, registry=registry)
    except ImportError:  # Debian 12's 4.10
        resolver = jsonschema.RefResolver("", schema, store={"defs.json": defs})
        validator = jsonschema.Draft7Validator(schema, resolver=resolver)
    for e in validator.iter_errors(spec):
        bad(f"schema: {e.message} at {list(e.absolute_path)}")
    if problems:  # the checks below assume the schema's shape
        print("\n".join(problems))
        return 1

    if spec.get("kind") != "nvidia.com/gpu":
        bad(f"kind {spec.get('kind')!r}")
    any_gids = any("additionalGids" in d["containerEdits"] for d in spec["devices"]) or \
        "additionalGids" in spec.get("containerEdits", {})
    want_version = "0.7.0" if any_gids else "0.5.0"
    if spec.get("cdiVersion") != want_version:
        bad(f"cdiVersion {spec.get('cdiVersion')!r}, want {want_version} "
            "(hostPath, names with digits; additionalGids: 0.7.0)")

    devices = {d["name"]: d["containerEdits"] for d in spec["devices"]}
    if len(devices) != len(spec["devices"]):
        bad("duplicate device names")
    want_names = []
    union = []
    union_hooks = []

    def expect(names, nodes, links=None):
        for n in names:
            want_names.append(n)
            if n not in devices:
                bad(f"device {n} missing")
                continue
            got = devices[n].get("deviceNodes", [])
            if got != nodes:
                bad(f"device {n}: nodes {got} != {nodes}")
            if devices[n].get("additionalGids", []) != gids_of(nodes):
                bad(f"device {n}: additionalGids {devices[n].get('additionalGids')} "
                    f"!= {gids_of(nodes)}")
            hooks = devices[n].get("hooks", [])
            got_links = [h["args"][2:] for h in hooks]
            want_links = [sum((["--link", x] for x in links), [])] if links else []
            if got_links != want_links or any(h["args"][1] != "create-symlinks" for h in hooks):
                bad(f"device {n}: hooks {hooks}, want the links {links}")
            for h in hooks:
                if h not in union_hooks:
                    union_hooks.append(h)
            if set(devices[n]) - {"deviceNodes", "hooks", "additionalGids"}:
                bad(f"device {n}: unexpected edits {sorted(devices[n])}")
        for nd in nodes:
            if nd not in union:
                union.append(nd)

    for index, gpu in enumerate(host["gpus"]):
        minor = int(gpu["minor"])
        gpu_node = node_of(root, f"/dev/nvidia{minor}")
        if gpu_node["major"] != 195 or gpu_node["minor"] != minor:
            bad(f"fake host node /dev/nvidia{minor} has numbers {gpu_node}")
        names = {"index": str(index), "uuid": gpu["uuid"], "type-index": f"gpu{index}"}
        nodes, links = [gpu_node], []
        if host["graphics"]:
            # The DRM nodes udev names by the GPU's bus, and the by-path
            # links at their container paths (never under the dev root).
            bus = gpu["pci"][4:].lower()
            nodes += [node_of(root, f"/dev/dri/card{minor}"),
                      node_of(root, f"/dev/dri/renderD{128 + minor}")]
            links = [f"../card{minor}::/dev/dri/by-path/pci-{bus}-card",
                     f"../renderD{128 + minor}::/dev/dri/by-path/pci-{bus}-render"]
        expect([names[s] for s in strategies], nodes, links)
        if gpu.get("mig") != "1":
            continue
        for mig in (m for m in host["migs"] if int(m["gpu"]) == index):
            gi, ci, mi = int(mig["gi"]), int(mig["ci"]), int(mig["index"])
            gi_minor = mig_minor(root, f"gpu{minor}/gi{gi}/access")
            ci_minor = mig_minor(root, f"gpu{minor}/gi{gi}/ci{ci}/access")
            nodes = [gpu_node,
                     node_of(root, f"/dev/nvidia-caps/nvidia-cap{gi_minor}"),
                     node_of(root, f"/dev/nvidia-caps/nvidia-cap{ci_minor}")]
            names = {"index": f"{index}:{mi}", "uuid": mig["uuid"], "type-index": f"mig{index}:{mi}"}
            expect([names[s] for s in strategies], nodes)

    if devices.get("all", {}).get("deviceNodes") != union:
        bad(f"device all: nodes {devices.get('all')} != {union}")
    if devices.get("all", {}).get("hooks", []) != union_hooks:
        bad(f"device all: hooks {devices.get('all', {}).get('hooks')} != {union_hooks}")
    if devices.get("all", {}).get("additionalGids", []) != gids_of(union):
        bad(f"device all: additionalGids {devices.get('all', {}).get('additionalGids')}")
    if [d["name"] for d in spec["devices"]] != want_names + ["all"]:
        bad(f"device order {[d['name'] for d in spec['devices']]} != {want_names + ['all']}")

    edits = spec.get("containerEdits", {})
    libdir = "/usr/lib/x86_64-linux-gnu"
    if edits.get("env") != ["NVIDIA_VISIBLE_DEVICES=void", f"NVIDIA_CTK_LIBCUDA_DIR={libdir}"]:
        bad(f"env {edits.get('env')}")
    if edits.get("additionalGids", []) != gids_of(edits.get("deviceNodes", [])):
        bad(f"common additionalGids {edits.get('additionalGids')}")
    paths = [n["path"] for n in edits.get("deviceNodes", [])]
    for p in ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset"):
        if os.path.exists(root + p):
            if node_of(root, p) not in edits["deviceNodes"]:
                bad(f"control node {p} missing or wrong")
        elif p in paths:
            bad(f"control node {p} listed but absent")
    for m in edits.get("mounts", []):
        # The firmware goes where the kernel looks, the Vulkan files under
        # /etc/vulkan wherever the driver put them.
        if m["hostPath"] != root + m["containerPath"] and \
                not m["containerPath"].startswith(("/lib/firmware/", "/etc/vulkan/")):
            bad(f"mount {m} is not at its host path")
        if not os.path.lexists(m["hostPath"]):
            bad(f"mount source {m['hostPath']} does not exist")
        want = ["ro", "nosuid", "nodev", "bind"]
        if m["containerPath"].startswith(("/run/", "/tmp/nvidia-mps")):
            want.append("noexec")  # the daemons' sockets: nothing to run
        if m.get("options") != want:
            bad(f"mount {m['containerPath']} options {m.get('options')}")
    driver = host["driver"]
    mounted = [m["containerPath"] for m in edits.get("mounts", [])]
    # Every library of the driver's version, listed or not, is mounted.
    if os.path.isdir(root + libdir):
        for name in sorted(os.listdir(root + libdir)):
            if name.endswith(f".so.{driver}") and f"{libdir}/{name}" not in mounted:
                bad(f"{libdir}/{name} not mounted")
    if host.get("nvvm70") and f"{libdir}/libnvidia-nvvm70.so.4.0.0" not in mounted:
        bad("the legacy libnvidia-nvvm70.so.4.0.0 not mounted")
    for name in host["newlibs"]:
        if f"{libdir}/{name}.so.{driver}" not in mounted:
            bad(f"new library {name} not mounted")
    if host["graphics"]:
        for path in ("/etc/vulkan/icd.d/nvidia_icd.json",
                     "/etc/vulkan/implicit_layer.d/nvidia_layers.json",
                     "/usr/share/glvnd/egl_vendor.d/10_nvidia.json",
                     "/usr/share/egl/egl_external_platform.d/15_nvidia_gbm.json",
                     "/usr/share/egl/egl_external_platform.d/10_nvidia_wayland.json",
                     "/usr/share/egl/egl_external_platform.d/20_nvidia_xcb.json",
                     "/usr/share/egl/egl_external_platform.d/20_nvidia_xlib.json",
                     "/usr/share/nvidia/nvoptix.bin",
                     "/usr/lib/xorg/modules/drivers/nvidia_drv.so",
                     f"/usr/lib/xorg/modules/extensions/libglxserver_nvidia.so.{driver}",
                     f"{libdir}/libnvidia-egl-gbm.so.1.1.2",
                     f"{libdir}/libnvidia-vulkan-producer.so.{driver}"):
            if path not in mounted:
                bad(f"graphics file {path} not mounted")
    libcuda = f"/usr/lib/x86_64-linux-gnu/libcuda.so.{driver}"
    if os.path.exists(root + libcuda) and libcuda not in [m["containerPath"] for m in edits.get("mounts", [])]:
        bad(f"{libcuda} not mounted")
    for h in edits.get("hooks", []):
        if h.get("hookName") != "createContainer" or not h.get("path", "").startswith("/"):
            bad(f"hook {h}")
        if "env" not in h or any(e.startswith(("LD_", "PATH=")) for e in h["env"]):
            bad(f"hook without an env of its own: {h}")
        # A bound the runtime enforces, above update-ldcache's own 10 s.
        if not isinstance(h.get("timeout"), int) or not 10 < h["timeout"] <= 300:
            bad(f"hook without a timeout between 10 and 300 s: {h}")
    hooks = {h["args"][1]: h["args"] for h in edits.get("hooks", [])}
    if os.path.exists(root + libcuda):
        links = hooks.get("create-symlinks", [])
        if "libcuda.so.1::/usr/lib/x86_64-linux-gnu/libcuda.so.1" not in links and \
           f"libcuda.so.{driver}::/usr/lib/x86_64-linux-gnu/libcuda.so.1" not in links:
            bad(f"no libcuda.so.1 link in {links}")
        folders = hooks.get("update-ldcache", [])
        if "/usr/lib/x86_64-linux-gnu" not in folders:
            bad(f"no library folder in {folders}")
        if hooks.get("enable-cuda-compat", [])[2:] != [f"--host-driver-version={driver}"]:
            bad(f"enable-cuda-compat {hooks.get('enable-cuda-compat')}")
        for name in ("disable-device-node-modification", "update-application-profile"):
            if hooks.get(name) != ["nvidia-cdi-hook", name]:
                bad(f"no {name} hook without arguments: {hooks.get(name)}")
        if host["graphics"]:
            for link in (f"../libnvidia-allocator.so.1::{libdir}/gbm/nvidia-drm_gbm.so",
                         f"libnvidia-vulkan-producer.so.{driver}::{libdir}/libnvidia-vulkan-producer.so",
                         f"libglxserver_nvidia.so.{driver}::/usr/lib/xorg/modules/extensions/libglxserver_nvidia.so"):
                if link not in links:
                    bad(f"graphics link {link} missing")
    if [h["args"][1] for h in edits.get("hooks", [])] != \
            ["create-symlinks", "enable-cuda-compat", "update-ldcache",
             "disable-device-node-modification", "update-application-profile"][
                0 if os.path.exists(root + libcuda) else 1:]:
        bad(f"hooks {[h['args'][1] for h in edits.get('hooks', [])]}")

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
