#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates the benchmark's fixtures (see docs/PERFORMANCE.md).

Usage: gen_fixtures.py OUTDIR CLI HOOK FLOOR BUSYBOX

OUTDIR/config.toml          the hook config: [nvidia-container-cli] path = CLI
OUTDIR/fixtures/NAME/       one bundle per fixture: config.json (compact JSON,
                            as docker writes it; root.path "rootfs"), rootfs/
                            (empty: the hook never looks inside), state.json
                            (what runc gives the hook on stdin)
OUTDIR/fixtures.tsv         NAME, entries in process.env, mounts, bytes
OUTDIR/runc/rootfs/         busybox-static and nothing else
OUTDIR/runc/hook/, plain/,  `runc run` bundles of the same trivial container
  floor/                    (/bin/busybox true, NVIDIA_VISIBLE_DEVICES=0):
                            with HOOK as its prestart hook, without a hook,
                            with FLOOR (which only execs CLI) as the hook
OUTDIR/wrapper/config.json  for the runc wrapper's `create`: what docker 26
                            writes for `docker run --runtime=nvidia -e
                            NVIDIA_VISIBLE_DEVICES=0 busybox` (compact; the
                            seccomp profile, mounts and hooks of
                            tests/unit/data/config-docker.json, a real one)
OUTDIR/wrapper/config-nogpu.json  the same without NVIDIA_VISIBLE_DEVICES

Everything is deterministic: the same input gives the same bytes.
"""
import json
import os
import shutil
import sys

# `runc spec` of runc 1.1.5, as the base of every fixture.
RUNC_SPEC = {
    "ociVersion": "1.0.2-dev",
    "process": {
        "terminal": True,
        "user": {"uid": 0, "gid": 0},
        "args": ["sh"],
        "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
        "cwd": "/",
        "capabilities": {
            k: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
            for k in ("bounding", "effective", "permitted", "ambient")
        },
        "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
        "noNewPrivileges": True,
    },
    "root": {"path": "rootfs", "readonly": True},
    "hostname": "runc",
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
         "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
    ],
    "linux": {
        "resources": {"devices": [{"allow": False, "access": "rwm"}]},
        "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
        "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                        "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
        "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                          "/proc/sysrq-trigger"],
    },
}

CID = "4f3c1e8a9b2d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e"

# What a CUDA application image typically carries (nvidia/cuda base + python
# + the application's own settings): 30 variables.
TYPICAL_ENV = [
    "PATH=/opt/conda/bin:/usr/local/nvidia/bin:/usr/local/cuda/bin:/usr/local/sbin:"
    "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOSTNAME=4f3c1e8a9b2d",
    "TERM=xterm",
    "HOME=/root",
    "LANG=C.UTF-8",
    "LC_ALL=C.UTF-8",
    "TZ=Etc/UTC",
    "DEBIAN_FRONTEND=noninteractive",
    "NVARCH=x86_64",
    "NV_CUDA_CUDART_VERSION=11.8.89-1",
    "NV_CUDA_COMPAT_PACKAGE=cuda-compat-11-8",
    "NV_CUDA_LIB_VERSION=11.8.0-1",
    "NV_LIBCUBLAS_VERSION=11.11.3.6-1",
    "NV_LIBNPP_VERSION=11.8.0.86-1",
    "NV_LIBCUSPARSE_VERSION=11.7.5.86-1",
    "NV_LIBNCCL_PACKAGE_VERSION=2.15.5-1",
    "NCCL_VERSION=2.15.5-1",
    "LD_LIBRARY_PATH=/usr/local/nvidia/lib:/usr/local/nvidia/lib64",
    "LIBRARY_PATH=/usr/local/cuda/lib64/stubs",
    "CONDA_DIR=/opt/conda",
    "PYTHONUNBUFFERED=1",
    "PYTHONDONTWRITEBYTECODE=1",
    "PIP_NO_CACHE_DIR=1",
    "TORCH_CUDA_ARCH_LIST=7.0 7.5 8.0 8.6 8.9 9.0+PTX",
    "HF_HOME=/models/huggingface",
    "TRANSFORMERS_CACHE=/models/huggingface/transformers",
    "MODEL_DIR=/models",
    "APP_ENV=production",
    "WORKERS=4",
    "PORT=8080",
]

NVIDIA_ENV = [
    "NVIDIA_VISIBLE_DEVICES=0",
    "NVIDIA_DRIVER_CAPABILITIES=compute,utility",
    "CUDA_VERSION=11.8.0",
    "NVIDIA_REQUIRE_CUDA=cuda>=11.8 brand=tesla,driver>=450,driver<451 "
    "brand=tesla,driver>=470,driver<471 brand=unknown,driver>=470,driver<471 "
    "brand=nvidia,driver>=470,driver<471 brand=nvidiartx,driver>=470,driver<471 "
    "brand=tesla,driver>=510,driver<511 brand=tesla,driver>=515,driver<516",
]

# A value long enough that 100k entries make a file of about 9 MB.
FILLER = ("/opt/conda/lib/python3.10/site-packages/torch/lib:/usr/local/cuda/lib64:"
          "/usr/local/nvidia/lib64:/usr/lib/x86_64-linux-gnu")
ENTRY_LEN = 86


def var_entry(i):
    head = "VAR_%d=value_%d:" % (i, i)
    return head + FILLER[:max(0, ENTRY_LEN - len(head))]


def docker_like(env):
    """A config.json as docker 20.10/24 writes it for `docker run --gpus`."""
    d = json.loads(json.dumps(RUNC_SPEC))
    p = d["process"]
    p["terminal"] = False
    p["args"] = ["python3", "-m", "app.serve", "--port", "8080"]
    p["env"] = env
    p["cwd"] = "/workspace"
    p["capabilities"] = {
        k: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
            "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
        for k in ("bounding", "effective", "permitted")
    }
    p["apparmorProfile"] = "docker-default"
    p["oomScoreAdj"] = 0
    d["root"] = {"path": "rootfs"}
    d["hostname"] = CID[:12]
    cdir = "/var/lib/docker/containers/" + CID
    d["mounts"] += [
        {"destination": "/etc/resolv.conf", "type": "bind", "source": cdir + "/resolv.conf",
         "options": ["rbind", "rprivate"]},
        {"destination": "/etc/hostname", "type": "bind", "source": cdir + "/hostname",
         "options": ["rbind", "rprivate"]},
        {"destination": "/etc/hosts", "type": "bind", "source": cdir + "/hosts",
         "options": ["rbind", "rprivate"]},
        {"destination": "/models", "type": "bind", "source": "/srv/models",
         "options": ["rbind", "ro", "rprivate"]},
        {"destination": "/workspace/data", "type": "bind",
         "source": "/var/lib/docker/volumes/data/_data", "options": ["rbind", "rprivate"]},
        {"destination": "/root/.cache", "type": "bind",
         "source": "/var/lib/docker/volumes/cache/_data", "options": ["rbind", "rprivate"]},
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "nodev", "size=1g"]},
        {"destination": "/run/secrets", "type": "bind", "source": cdir + "/secrets",
         "options": ["rbind", "ro", "rprivate"]},
    ]  # 7 + 8 = 15
    d["hooks"] = {"prestart": [{"path": "/usr/bin/nvidia-container-runtime-hook",
                                "args": ["nvidia-container-runtime-hook", "prestart"]}]}
    d["annotations"] = {"org.opencontainers.image.ref.name": "ubuntu",
                        "org.opencontainers.image.version": "22.04",
                        "com.example.app": "serve"}
    lx = d["linux"]
    lx["sysctl"] = {"net.ipv4.ip_unprivileged_port_start": "0", "net.ipv4.ping_group_range": "0 2147483647"}
    lx["resources"] = {
        "devices": [{"allow": False, "access": "rwm"}] + [
            dict({"allow": True, "type": "c", "major": ma, "access": "rwm"},
                 **({} if mi is None else {"minor": mi}))
            for ma, mi in ((1, 5), (1, 3), (1, 9), (1, 8), (5, 0), (5, 1), (136, None), (10, 200))
        ],
        "memory": {"limit": 17179869184, "swap": 17179869184},
        "cpu": {"shares": 1024, "quota": 400000, "period": 100000},
        "pids": {"limit": 4096},
        "blockIO": {"weight": 0},
    }
    lx["cgroupsPath"] = "system.slice:docker:" + CID
    lx["namespaces"] = [{"type": t} for t in ("mount", "network", "uts", "pid", "ipc", "cgroup")]
    lx["maskedPaths"] += ["/proc/interrupts", "/proc/kcore", "/sys/devices/virtual/powercap"]
    return d


def write_bundle(root, name, spec):
    b = os.path.join(root, "fixtures", name)
    os.makedirs(os.path.join(b, "rootfs"), exist_ok=True)
    data = json.dumps(spec, separators=(",", ":")).encode()
    with open(os.path.join(b, "config.json"), "wb") as f:
        f.write(data)
    state = {"ociVersion": "1.0.2", "id": "bench", "pid": 1, "bundle": os.path.abspath(b)}
    with open(os.path.join(b, "state.json"), "w") as f:
        json.dump(state, f, separators=(",", ":"))
    return len(spec["process"]["env"]), len(spec["mounts"]), len(data)


def runc_bundles(root, hook, floor, cli, conf, busybox):
    r = os.path.join(root, "runc")
    rootfs = os.path.join(r, "rootfs")
    shutil.rmtree(r, ignore_errors=True)
    for sub in ("bin", "dev", "proc", "sys", "tmp", "etc"):
        os.makedirs(os.path.join(rootfs, sub))
    shutil.copy2(busybox, os.path.join(rootfs, "bin", "busybox"))
    hooks = {
        "hook": {"path": os.path.abspath(hook),
                 "args": ["nvidia-container-runtime-hook", "-config", os.path.abspath(conf),
                          "prestart"]},
        "plain": None,
        "floor": {"path": os.path.abspath(floor), "args": ["floor", os.path.abspath(cli)]},
    }
    for name, h in hooks.items():
        d = json.loads(json.dumps(RUNC_SPEC))
        d["process"]["terminal"] = False
        d["process"]["args"] = ["/bin/busybox", "true"]
        d["process"]["env"] = ["PATH=/bin", "NVIDIA_VISIBLE_DEVICES=0"]
        d["root"] = {"path": os.path.abspath(rootfs), "readonly": True}
        if h is not None:
            d["hooks"] = {"prestart": [h]}
        os.makedirs(os.path.join(r, name))
        with open(os.path.join(r, name, "config.json"), "w") as f:
            json.dump(d, f, indent=1)


# The checked-in docker config.json (docker 26, `--runtime=nvidia`): seccomp
# profile, capabilities, mounts, createRuntime hook as docker writes them.
DOCKER_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "unit",
                             "data", "config-docker.json")


def docker_busybox():
    """docker run --runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=0 busybox: no
    prestart hook (that is --gpus), busybox's environment, `sh`."""
    with open(DOCKER_CONFIG) as f:
        d = json.load(f)
    p = d["process"]
    p["args"] = ["sh"]
    p["env"] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOSTNAME=" + d["hostname"], "NVIDIA_VISIBLE_DEVICES=0"]
    p["user"] = {"uid": 0, "gid": 0, "additionalGids": [0, 10]}
    d.get("hooks", {}).pop("prestart", None)
    return d


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: gen_fixtures.py OUTDIR CLI HOOK FLOOR BUSYBOX")
    out, cli, hook, floor, busybox = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    conf = os.path.join(out, "config.toml")
    with open(conf, "w") as f:
        f.write("# nvct benchmark: the CLI is a no-op stand-in, no PATH search\n"
                '[nvidia-container-cli]\npath = "%s"\n' % os.path.abspath(cli))

    base = TYPICAL_ENV + NVIDIA_ENV
    fixtures = [("docker", docker_like(base))]
    for n, label in ((1000, "1k"), (10000, "10k"), (100000, "100k")):
        extra = n - len(base)
        env = TYPICAL_ENV + [var_entry(i) for i in range(1, extra + 1)] + NVIDIA_ENV
        fixtures.append(("env-" + label, docker_like(env)))
    d = docker_like(base)
    d["mounts"] += [{"destination": "/mnt/vol%d" % i, "type": "bind",
                     "source": "/var/lib/docker/volumes/vol%d/_data" % i,
                     "options": ["rbind", "rprivate"]} for i in range(1, 10001)]
    fixtures.append(("mounts-10k", d))
    fixtures.append(("require-1k", docker_like(
        base + ["NVIDIA_REQUIRE_%d=driver>=418" % i for i in range(1, 1001)])))

    with open(os.path.join(out, "fixtures.tsv"), "w") as f:
        for name, spec in fixtures:
            n_env, n_mounts, size = write_bundle(out, name, spec)
            f.write("%s\t%d\t%d\t%d\n" % (name, n_env, n_mounts, size))
    if os.path.exists(busybox):
        runc_bundles(out, hook, floor, cli, conf, busybox)
    os.makedirs(os.path.join(out, "wrapper"), exist_ok=True)
    gpu = docker_busybox()
    nogpu = docker_busybox()
    nogpu["process"]["env"] = [e for e in nogpu["process"]["env"]
                               if not e.startswith("NVIDIA_VISIBLE_DEVICES=")]
    for name, spec in (("config.json", gpu), ("config-nogpu.json", nogpu)):
        with open(os.path.join(out, "wrapper", name), "wb") as f:
            f.write(json.dumps(spec, separators=(",", ":")).encode())


if __name__ == "__main__":
    main()
