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
    host = {"driver": None, "gpus": [], "migs": []}
    with open(path) as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            word, _, rest = line.partition(" ")
            if word == "driver":
                host["driver"] = rest.strip()
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
    st = os.stat(root + path)
    return {"path": path, "hostPath": root + path, "type": "c",
            "major": os.major(st.st_rdev), "minor": os.minor(st.st_rdev)}


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
    if spec.get("cdiVersion") != "0.5.0":
        bad(f"cdiVersion {spec.get('cdiVersion')!r}, want 0.5.0 (hostPath, names with digits)")

    devices = {d["name"]: d["containerEdits"] for d in spec["devices"]}
    if len(devices) != len(spec["devices"]):
        bad("duplicate device names")
    want_names = []
    union = []

    def expect(names, nodes):
        for n in names:
            want_names.append(n)
            if n not in devices:
                bad(f"device {n} missing")
                continue
            got = devices[n].get("deviceNodes", [])
            if got != nodes:
                bad(f"device {n}: nodes {got} != {nodes}")
            if set(devices[n]) - {"deviceNodes"}:
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
        expect([names[s] for s in strategies], [gpu_node])
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
    if [d["name"] for d in spec["devices"]] != want_names + ["all"]:
        bad(f"device order {[d['name'] for d in spec['devices']]} != {want_names + ['all']}")

    edits = spec.get("containerEdits", {})
    if edits.get("env") != ["NVIDIA_VISIBLE_DEVICES=void"]:
        bad(f"env {edits.get('env')}")
    paths = [n["path"] for n in edits.get("deviceNodes", [])]
    for p in ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset"):
        if os.path.exists(root + p):
            if node_of(root, p) not in edits["deviceNodes"]:
                bad(f"control node {p} missing or wrong")
        elif p in paths:
            bad(f"control node {p} listed but absent")
    for m in edits.get("mounts", []):
        if m["hostPath"] != root + m["containerPath"] and not m["containerPath"].startswith("/lib/firmware/"):
            bad(f"mount {m} is not at its host path")
        if not os.path.lexists(m["hostPath"]):
            bad(f"mount source {m['hostPath']} does not exist")
        if m.get("options") != ["ro", "nosuid", "nodev", "bind"]:
            bad(f"mount {m['containerPath']} options {m.get('options')}")
    driver = host["driver"]
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

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
