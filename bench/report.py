#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Turns the results of bench/run into docs/PERFORMANCE.md and a summary on
stdout (with a FAIL line per missed target).

Usage: report.py WORKDIR OUT.md    (WORKDIR: build-release/bench)
"""
import datetime
import os
import platform
import random
import statistics
import subprocess
import sys

FIXTURE_TITLES = {
    "docker": "docker-like",
    "env-1k": "1k env entries",
    "env-10k": "10k env entries",
    "env-100k": "100k env entries",
    "mounts-10k": "10k mounts",
    "require-1k": "1k requirement variables",
}
RSS_LIMIT_KIB = 4096
DOCKER_LIMIT = 1.15
READ_LIMIT = 8.0
LINEAR_LIMIT = 11.0


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def ms(ns):
    return "%.3f ms" % (ns / 1e6) if ns == ns else "n/a"


def mib(kib):
    return "%.1f MiB" % (kib / 1024.0)


def size(n):
    if n >= 1 << 20:
        return "%.1f MB" % (n / 1e6)
    return "%.1f KB" % (n / 1e3)


def ratio(a, b):
    return a / b if b else float("nan")


def boot_ci(a, b, n=2000):
    """95% bootstrap interval of median(a) - median(b)."""
    rnd = random.Random(1)
    diffs = sorted(statistics.median(rnd.choices(a, k=len(a))) -
                   statistics.median(rnd.choices(b, k=len(b))) for _ in range(n))
    return diffs[int(n * .025)], diffs[int(n * .975)]


def top_functions(w, name, k=6):
    """The k functions with the most self Ir in callgrind's profile of NAME."""
    d = os.path.join(w, "callgrind")
    files = [os.path.join(d, f) for f in os.listdir(d) if f.startswith(name + ".out")]
    files = [f for f in files if os.path.getsize(f) > 0]
    if not files:
        return []
    f = max(files, key=os.path.getsize)
    try:
        text = subprocess.run(["callgrind_annotate", "--threshold=100", f], capture_output=True,
                              text=True, check=False).stdout
    except OSError:
        return []
    out, seen = [], 0
    for line in text.splitlines():
        if "file:function" in line:
            seen += 1
            continue
        if seen and "(" in line and "%)" in line and "PROGRAM TOTALS" not in line:
            ir, rest = line.split("(", 1)
            pctv, fn = rest.split(")", 1)
            fn = fn.strip()
            lib = ""
            if fn.endswith("]") and "[" in fn:
                fn, lib = fn[:fn.rindex("[")].strip(), os.path.basename(fn[fn.rindex("[") + 1:-1])
            fn = fn.split(":", 1)[1] if ":" in fn else fn
            out.append((ir.strip(), pctv, fn, lib))
            if len(out) == k:
                break
    return out


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def load_runs(path):
    """label -> dict(wall=[ns], rss=[KiB], cpu=[ns], user=[ns], sys=[ns], minflt=[n],
    bad=[status])"""
    out = {}
    for row in read_tsv(path):
        label, _round, wall, rss, cpu, status = row[:6]
        d = out.setdefault(label, {"wall": [], "rss": [], "cpu": [], "bad": [], "user": [],
                                   "sys": [], "minflt": []})
        d["wall"].append(int(wall))
        d["rss"].append(int(rss))
        d["cpu"].append(int(cpu))
        if len(row) >= 9:
            d["user"].append(int(row[6]))
            d["sys"].append(int(row[7]))
            d["minflt"].append(int(row[8]))
        if status != "0":
            d["bad"].append(int(status))
    return out


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                                text=True, check=False).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    return {
        "cpu": cpu,
        "kernel": "%s %s" % (platform.system(), platform.release()),
        "nproc": str(len(os.sched_getaffinity(0))),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
    }


# ==================================================================== the runc wrapper
WRAPPER_PASS_LIMIT = 1.25      # own cost of a pass-through call, × exec-only's own cost
WRAPPER_CPU_LIMIT_NS = 1000000  # create: user + sys of the wrapper process
WRAPPER_RSS_LIMIT_KIB = 3072
# The create path's phases, as functions whose inclusive counts callgrind
# gives (a phase includes what it calls; "↳" rows are inside the row above).
WRAPPER_PHASES = [
    ("_dl_relocate_static_pie", "start-up: the static PIE relocates itself", 1),
    ("nvct_config_load", "config.toml read", 0),
    ("nvct_runtime_decide", "the request: config.json streamed once (env, mounts)", 0),
    ("nvct_oci_edit_load", "config.json parsed into an editable document", 0),
    ("nvct_cdigen_query_nvml", "NVML loaded (dlopen) and queried", 0),
    ("nvct_cdigen_generate", "the spec generated from the driver root", 0),
    ("nvct_runtime_cdi_modify", "the names resolved, the edits applied", 0),
    ("nvct_cdi_registry_load", "the spec dirs loaded and parsed", 1),
    ("nvct_cdi_apply", "the device's edits applied to the document", 1),
    ("nvct_oci_edit_write", "config.json serialised, written to a temporary file, renamed", 0),
    ("nvct_oci_edit_free", "the document freed", 0),
]
PASS_CALLS = [("wrapper-state", "`state` (containerd's --log, --log-format json)"),
              ("wrapper-list", "`list`"), ("wrapper-version", "`--version`")]


def inclusive_ir(w, name):
    """function -> inclusive Ir in callgrind's profile of NAME (the largest dump)."""
    d = os.path.join(w, "callgrind")
    files = [os.path.join(d, f) for f in os.listdir(d) if f.startswith(name + ".out")]
    files = [f for f in files if os.path.getsize(f) > 0]
    if not files:
        return {}
    try:
        text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                               max(files, key=os.path.getsize)], capture_output=True, text=True,
                              check=False).stdout
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        if "(" not in line or "%)" not in line or "PROGRAM TOTALS" in line:
            continue
        ir, rest = line.split("(", 1)
        fn = rest.split(")", 1)[1].strip()
        if fn.endswith("]") and "[" in fn:
            fn = fn[:fn.rindex("[")].strip()
        fn = fn.split(":", 1)[1] if ":" in fn else fn
        try:
            out.setdefault(fn, int(ir.strip().replace(",", "")))
        except ValueError:
            pass
    return out


def strace_top(path, k=8):
    """[(calls, errors, syscall)] of an `strace -c -S calls` summary, most called first."""
    if not os.path.exists(path):
        return [], None
    rows, total = [], None
    for line in open(path).read().splitlines():
        f = line.split()
        if len(f) < 5 or not f[3].isdigit():
            continue
        calls = int(f[3])
        errors = int(f[4]) if len(f) == 6 and f[4].isdigit() else 0
        if f[-1] == "total":
            total = calls
        else:
            rows.append((calls, errors, f[-1]))
    rows.sort(key=lambda r: -r[0])
    return rows[:k], total


def read_int(path):
    try:
        return int(open(path).read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def wrapper_section(w, res, ir, notes):
    """The markdown of the wrapper's section, its targets, and stdout lines."""
    L, targets, out = [], [], []
    wres = os.path.join(res, "wrapper")
    skipped = [n for n in notes if n.startswith("wrapper: SKIPPED")]
    L += ["## The runc wrapper: `nvidia-container-runtime`", ""]
    if skipped:
        L += ["Skipped on this machine: %s" % skipped[0].split(": ", 2)[-1], ""]
        targets.append(("runc wrapper", "skipped", "FAIL"))
        return L, targets, [skipped[0]]

    def verdict(good):
        return "PASS" if good else "FAIL"

    def stats(d):
        return statistics.median(d["wall"]), statistics.median(d["cpu"])

    def irs(name):
        v = ir.get(name)
        return "{:,}".format(v) if v else "n/a"

    # ------------------------------------------------ pass-through
    p = load_runs(os.path.join(res, "wrapper-pass.tsv"))
    L += ["It runs in front of runc on every call an engine makes, GPU or not, so its "
          "own cost is paid many times per container. Each call below is a whole process, "
          "fork to exit, run alternately with the others by `bench/measure`: the runtime "
          "alone, **exec-only** (`bench/exec-only.c`, static: a program that only execs "
          "the runtime, the floor any wrapper pays) and the wrapper "
          "(`NVIDIA_CTK_CONFIG_FILE_PATH` a cdi-mode config, the runtime its first "
          "`runtimes` entry). A call's **own cost** is its median minus the runtime "
          "alone's median.", ""]
    if "noop" in p and "exec-only" in p:
        base_w, base_c = stats(p["noop"])
        eo_w, eo_c = stats(p["exec-only"])
        eo_own = eo_w - base_w
        L += ["### Pass-through calls, the runtime a static no-op program", "",
              "The runtime is the no-op (static, exits 0), so that the wrapper's cost is not "
              "lost in runc's. %d runs each." % len(p["noop"]["wall"]), "",
              "| call | median | p10 – p90 | own cost | own / exec-only's own | CPU | CPU above the runtime "
              "| page faults | peak RSS | Ir |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]

        def row(label, d, own_ratio, ir_name):
            mw, mc = stats(d)
            bad = " (ERROR: exits %s)" % sorted(set(d["bad"])) if d["bad"] else ""
            flt = "%d" % statistics.median(d["minflt"]) if d["minflt"] else "n/a"
            L.append("| %s | %s%s | %s – %s | %s | %s | %s | %s | %s | %s | %s |" % (
                label, ms(mw), bad, ms(pct(d["wall"], .1)), ms(pct(d["wall"], .9)),
                ms(mw - base_w) if d is not p["noop"] else "", own_ratio, ms(mc),
                ms(mc - base_c) if d is not p["noop"] else "", flt, mib(max(d["rss"])),
                irs(ir_name) if ir_name else ""))
        row("the runtime alone (no-op)", p["noop"], "", None)
        row("exec-only → no-op", p["exec-only"], "1.00×", "wrapper-exec-only")
        rss_pass = 0
        for label, title in PASS_CALLS:
            if label not in p:
                targets.append(("runc wrapper, %s through the wrapper: own cost ≤ %.2f× exec-only's"
                                % (title, WRAPPER_PASS_LIMIT), "no result", "FAIL"))
                continue
            d = p[label]
            mw, mc = stats(d)
            x = ratio(mw - base_w, eo_own)
            xc = ratio(mc - base_c, eo_c - base_c)
            xm = ratio(min(d["wall"]) - min(p["noop"]["wall"]),
                       min(p["exec-only"]["wall"]) - min(p["noop"]["wall"]))
            row("wrapper %s → no-op" % title, d, "**%.3f×**" % x,
                {"wrapper-state": "wrapper-state", "wrapper-list": "wrapper-list"}.get(label))
            rss_pass = max(rss_pass, max(d["rss"]))
            targets.append(("runc wrapper, %s: own cost ≤ %.2f× exec-only's own cost"
                            % (title, WRAPPER_PASS_LIMIT),
                            "**%.3f×** (%s against %s; of the minima %.2f×, of CPU %.2f×)" % (
                                x, ms(mw - base_w), ms(eo_own), xm, xc),
                            verdict(x <= WRAPPER_PASS_LIMIT and not d["bad"])))
            out.append("wrapper %-10s own %s, exec-only's own %s: %.3fx" % (
                label.split("-", 1)[1], ms(mw - base_w), ms(eo_own), x))
        targets.append(("runc wrapper, pass-through calls: peak RSS ≤ %s" % mib(WRAPPER_RSS_LIMIT_KIB),
                        mib(rss_pass), verdict(0 < rss_pass <= WRAPPER_RSS_LIMIT_KIB)))
        L.append("")
    else:
        L += ["No pass-through results.", ""]
        targets.append(("runc wrapper, pass-through calls", "no result", "FAIL"))

    # ------------------------------------------------ runc list
    q = load_runs(os.path.join(res, "wrapper-runc.tsv"))
    if all(k in q for k in ("runc", "exec-only-runc", "wrapper-runc")):
        rb, eo, wr_ = (statistics.median(q[k]["wall"]) for k in ("runc", "exec-only-runc", "wrapper-runc"))
        x = ratio(wr_ - rb, eo - rb)
        lo, hi = boot_ci(q["wrapper-runc"]["wall"], q["runc"]["wall"])
        bad = q["runc"]["bad"] + q["exec-only-runc"]["bad"] + q["wrapper-runc"]["bad"]
        L += ["### Pass-through to the real runc: `runc --root PRIVATE list`", "",
              "%d runs each%s. runc's own start (Go) dominates, and its noise is larger than "
              "the wrapper's cost: read the 95%% bootstrap interval." % (
                  len(q["runc"]["wall"]), ", ERRORS: exits %s" % sorted(set(bad)) if bad else ""), "",
              "| | median | p10 – p90 | own cost | CPU | peak RSS |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for k, title in (("runc", "runc alone"), ("exec-only-runc", "exec-only → runc"),
                         ("wrapper-runc", "**the wrapper → runc**")):
            d = q[k]
            L.append("| %s | %s | %s – %s | %s | %s | %s |" % (
                title, ms(statistics.median(d["wall"])), ms(pct(d["wall"], .1)),
                ms(pct(d["wall"], .9)),
                "" if k == "runc" else ms(statistics.median(d["wall"]) - rb),
                ms(statistics.median(d["cpu"])), mib(max(d["rss"]))))
        L += ["", "The wrapper's own cost on `runc list`: %s (95%%: %s … %s), %.2f× exec-only's "
              "%s." % (ms(wr_ - rb), ms(lo), ms(hi), x, ms(eo - rb)), ""]
        targets.append(("runc wrapper, `runc list` through it: own cost ≤ %.2f× exec-only's own cost"
                        % WRAPPER_PASS_LIMIT,
                        "**%.3f×** (%s against %s; 95%% interval of the wrapper's: %s … %s)" % (
                            x, ms(wr_ - rb), ms(eo - rb), ms(lo), ms(hi)),
                        verdict(x <= WRAPPER_PASS_LIMIT and not bad)))
        out.append("wrapper runc list: own %s, exec-only's own %s: %.2fx" % (
            ms(wr_ - rb), ms(eo - rb), x))
    else:
        why = [n for n in notes if n.startswith("wrapper with runc: SKIPPED")]
        L += ["`runc list` through the wrapper: %s" % (why[0].split(": ", 2)[-1] if why else "no results"), ""]

    # ------------------------------------------------ create
    c = load_runs(os.path.join(res, "wrapper-create.tsv"))
    cskip = [n for n in notes if n.startswith("wrapper create: SKIPPED")]
    L += ["### `create`: the edit of config.json", ""]
    if cskip or "create-noop" not in c:
        why = cskip[0].split(": ", 2)[-1] if cskip else "no results"
        L += ["Skipped: %s" % why, ""]
        targets.append(("runc wrapper, create: CPU ≤ 1 ms", why, "FAIL"))
    else:
        size0 = read_int(os.path.join(wres, "config.size"))
        spec = read_int(os.path.join(wres, "spec.size"))
        L += ["`create --bundle B ID` (with containerd's --log and --log-format json) of what "
              "docker writes for `docker run --runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=0 "
              "busybox` (%s compact, the seccomp profile and mounts of a real one), the runtime "
              "the static no-op. **cdi**: the spec of an eight-GPU host "
              "(`tests/cdi/hosts/eight-gpus.host`, `nvidia-ctk cdi generate`, %s) in the spec "
              "dirs; **jit-cdi**: the spec made at create from that host's driver root and the "
              "fake NVML. **no GPU**: the same config.json without `NVIDIA_VISIBLE_DEVICES`, "
              "which the wrapper must leave as it is (what every other container pays). "
              "Before every run config.json is put back (a fresh copy renamed into "
              "place, outside the clock); a run of each was checked beforehand to give GPU 0's "
              "nodes and `NVIDIA_VISIBLE_DEVICES=void` (no GPU: config.json byte for byte "
              "unchanged). CPU is user + system time of the whole process (the wrapper, then "
              "the no-op it execs). The target is on the edit: what a GPU create costs above "
              "the same wrapper's no-GPU create, which reads config.json and decides too "
              "(starting any process costs the floor's CPU already). In jit-cdi mode NVML's "
              "own cost is counted apart: **nvml-probe** (`bench/nvml-probe.c`, static as the "
              "wrapper is) dlopens the fake host's NVML, initialises it, shuts it down and "
              "closes it, the wrapper's first and last steps with NVML; what that costs above "
              "the same probe loading nothing is the driver library's price (its dlopen maps "
              "and relocates the host's C library once more; a real NVML also initialises the "
              "driver, which takes far longer), the same for any program that asks NVML. "
              "%d runs each." % (
                  size(size0) if size0 else "?", size(spec) if spec else "?",
                  len(c["create-noop"]["wall"])), "",
              "| | config.json after | wall median | p10 – p90 | **CPU median** | CPU p90 "
              "| CPU above exec-only | CPU above no GPU | page faults | peak RSS | Ir |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        n_w, n_c = stats(c["create-noop"])
        e_c = stats(c["create-exec-only"])[1] if "create-exec-only" in c else float("nan")
        g_c = stats(c["create-nogpu"])[1] if "create-nogpu" in c else float("nan")
        # NVML's own cost: CPU median and peak RSS of nvml-probe loading the
        # fake host's NVML, above the same probe that loads nothing.
        nvml = None
        if "nvml-init" in c and "nvml-none" in c and not c["nvml-init"]["bad"]:
            nvml = (stats(c["nvml-init"])[1] - stats(c["nvml-none"])[1],
                    max(c["nvml-init"]["rss"]) - max(c["nvml-none"]["rss"]))
        for k, title, mode in (("create-noop", "the runtime alone (no-op)", None),
                               ("create-exec-only", "exec-only → no-op", None),
                               ("create-nogpu", "wrapper, no GPU (cdi mode)", "nogpu"),
                               ("create-cdi", "**wrapper, cdi**", "cdi"),
                               ("create-jit-cdi", "**wrapper, jit-cdi**", "jit-cdi"),
                               ("nvml-none", "nvml-probe, loading nothing", None),
                               ("nvml-init", "nvml-probe, NVML loaded and initialised", None)):
            if k not in c:
                if mode and mode != "nogpu":
                    targets.append(("runc wrapper, create in %s mode: CPU ≤ 1 ms" % mode,
                                    "no result", "FAIL"))
                continue
            d = c[k]
            mw, mc = stats(d)
            edited = mode in ("cdi", "jit-cdi")
            after = read_int(os.path.join(wres, "create-%s.size" % mode)) if edited else None
            bad = " (ERROR: exits %s)" % sorted(set(d["bad"])) if d["bad"] else ""
            flt = "%d" % statistics.median(d["minflt"]) if d["minflt"] else "n/a"
            L.append("| %s | %s | %s%s | %s – %s | %s | %s | %s | %s | %s | %s | %s |" % (
                title, size(after) if after else "", ms(mw), bad, ms(pct(d["wall"], .1)),
                ms(pct(d["wall"], .9)), ms(mc), ms(pct(d["cpu"], .9)),
                ms(mc - e_c) if mode else "", ms(mc - g_c) if edited else "", flt,
                mib(max(d["rss"])), irs("wrapper-create-" + mode) if mode else ""))
            if mode == "nogpu":
                out.append("wrapper create, no GPU: CPU %s (exec-only %s), wall %s" % (
                    ms(mc), ms(e_c), ms(mw)))
            if edited:
                # jit-cdi's NVML (its library dlopen'ed, with the host's C
                # library it links, initialised and shut down) is the
                # driver's cost, not the edit's: nvml-probe measures it in
                # the same runs and it is counted apart.
                nv_c = nv_rss = 0
                if mode == "jit-cdi" and nvml:
                    nv_c, nv_rss = nvml
                edit = mc - g_c - nv_c
                apart = (" less NVML's own load and initialisation (%s, nvml-probe)" % ms(nv_c)
                         if nv_c else "")
                targets.append(("runc wrapper, the create-path edit in %s mode: CPU above "
                                "the no-GPU create%s ≤ %s" % (
                                    mode, " less NVML's own" if nv_c else "",
                                    ms(WRAPPER_CPU_LIMIT_NS)),
                    "**%s** (above the no-GPU create: %s%s; the whole create %s, p90 %s; the "
                    "process floor, exec-only → no-op: %s)" % (
                        ms(edit), ms(mc - g_c), apart, ms(mc), ms(pct(d["cpu"], .9)), ms(e_c)),
                    verdict(edit <= WRAPPER_CPU_LIMIT_NS and not d["bad"])))
                rss = max(d["rss"]) - nv_rss
                targets.append(("runc wrapper, create in %s mode: peak RSS%s ≤ %s" % (
                    mode, " less NVML's own" if nv_rss else "", mib(WRAPPER_RSS_LIMIT_KIB)),
                    "%s (%d KiB%s)" % (mib(rss), rss, "; %d KiB with NVML's %d KiB" % (
                        max(d["rss"]), nv_rss) if nv_rss else ""),
                    verdict(rss <= WRAPPER_RSS_LIMIT_KIB and not d["bad"])))
                out.append("wrapper create, %s: CPU %s, wall %s, peak RSS %s" % (
                    mode, ms(mc), ms(mw), mib(max(d["rss"]))))
        L += ["", "config.json is replaced atomically (a temporary file renamed over it) "
              "without fsync: a bundle does not outlive a crash.", ""]

    # ------------------------------------------------ where the cost goes
    profiles = ("wrapper-state", "wrapper-create-nogpu", "wrapper-create-cdi",
                "wrapper-create-jit-cdi")
    prof = {m: inclusive_ir(w, m) for m in profiles}
    if any(prof.values()):
        L += ["### Where the wrapper spends its instructions", "",
              "Inclusive instruction counts (callgrind, up to the exec of the runtime) of the "
              "phases of a pass-through call and of create; ↳ rows are part of the row above "
              "them.", "",
              "| phase | function | `state` | create, no GPU | create, cdi | create, jit-cdi |",
              "| --- | --- | ---: | ---: | ---: | ---: |"]

        def cells(vals):
            return " | ".join("{:,}".format(v) if v else "" for v in vals)
        outside = [ir[m] - prof[m]["main"] if ir.get(m) and "main" in prof[m] else None
                   for m in profiles]
        L.append("| outside `main`: C library start-up and exit | | %s |" % cells(outside))
        for fn, title, depth in WRAPPER_PHASES:
            vals = [prof[m].get(fn) for m in profiles]
            if not any(vals):
                continue
            L.append("| %s%s | `%s` | %s |" % ("↳ " if depth else "", title, fn, cells(vals)))
        L.append("| **the whole process** | | %s |" % " | ".join(irs(m) for m in profiles))
        parsed = prof["wrapper-create-nogpu"].get("nvct_oci_edit_load")
        if parsed and ir.get("wrapper-create-nogpu"):
            L += ["", "A container that asks for no GPU still has its config.json parsed into an "
                  "editable document: %s instructions, %.0f%% of its create." % (
                      "{:,}".format(parsed), 100.0 * parsed / ir["wrapper-create-nogpu"])]
        L.append("")
        for m in ("cdi", "jit-cdi"):
            t = top_functions(w, "wrapper-create-" + m, k=8)
            if t:
                L += ["Functions with the most instructions of their own, %s:" % m, "",
                      "| Ir | share | function | object |", "| ---: | ---: | --- | --- |"]
                L += ["| %s | %s | `%s` | %s |" % x for x in t]
                L.append("")
    sc = [(n, title) + strace_top(os.path.join(wres, "strace-%s.txt" % n))
          for n, title in (("exec-only", "exec-only → no-op"), ("state", "wrapper `state`"),
                           ("create-nogpu", "wrapper create, no GPU"),
                           ("create-cdi", "wrapper create, cdi"),
                           ("create-jit-cdi", "wrapper create, jit-cdi"))]
    sc = [x for x in sc if x[2]]
    if sc:
        L += ["### System calls", "",
              "`strace -c` of one run each (the no-op runtime's few calls included): the most "
              "frequent calls (errors in parentheses).", "",
              "| process | total | most frequent |", "| --- | ---: | --- |"]
        for n, title, top, total in sc:
            L.append("| %s | %s | %s |" % (title, total if total is not None else "?", ", ".join(
                "%s %d%s" % (name, calls, " (%d)" % err if err else "") for calls, err, name in top)))
        L.append("")
    libs = []
    for n, title in (("create-cdi", "cdi"), ("create-jit-cdi", "jit-cdi")):
        path = os.path.join(wres, "libs-%s.txt" % n)
        if os.path.exists(path):
            found = [os.path.basename(x) for x in open(path).read().split()]
            libs.append("- %s: %s" % (title, ", ".join("`%s`" % x for x in found) if found else "none"))
    if libs:
        L += ["Shared objects the wrapper opens at create (it is static: any is a dlopen, NVML's "
              "library and whatever that library links, the host's C library and dynamic "
              "loader included, each mapped, relocated and initialised once more):", ""] + libs + [""]
    return L, targets, out


def main():
    w, out_md = sys.argv[1], sys.argv[2]
    res = os.path.join(w, "results")
    meta = dict(l.split("=", 1) for l in open(os.path.join(res, "meta.txt")).read().splitlines())
    notes = [l for l in open(os.path.join(res, "notes.txt")).read().splitlines() if l]
    fixtures = [(r[0], int(r[1]), int(r[2]), int(r[3]))
                for r in read_tsv(os.path.join(w, "fixtures.tsv"))]
    ir = {k: (int(v) if v else None) for k, v in read_tsv(os.path.join(res, "ir.tsv"))}
    floor_ir = ir.get("floor")
    m = machine()

    rows = {}
    for name, n_env, n_mounts, nbytes in fixtures:
        runs = load_runs(os.path.join(res, name + ".tsv"))
        r = {"env": n_env, "mounts": n_mounts, "bytes": nbytes, "runs": runs}
        if all(k in runs for k in ("hook", "floor", "read-floor")):
            for k in ("hook", "floor", "read-floor"):
                r[k] = statistics.median(runs[k]["wall"])
            r["n"] = len(runs["hook"]["wall"])
            for k, key in (("hook", "hook_min"), ("floor", "floor_min"), ("read-floor", "read_min")):
                r[key] = min(runs[k]["wall"])
            r["rss"] = max(runs["hook"]["rss"])
            r["floor_rss"] = max(runs["floor"]["rss"])
            r["read_rss"] = max(runs["read-floor"]["rss"])
            r["bad"] = runs["hook"]["bad"] + runs["floor"]["bad"] + runs["read-floor"]["bad"]
        else:
            r["bad"] = ["no results"]
        r["ir"] = ir.get(name + ":hook")
        r["read_ir"] = ir.get(name + ":read-floor")
        rows[name] = r

    def ok(name):
        return name in rows and "hook" in rows[name] and not rows[name]["bad"]

    L = []  # the markdown document
    L += ["# Performance", "",
          "Generated by `make bench` (bench/run, bench/report.py): do not edit by hand; "
          "rerun it. The numbers come from one machine, shared and noisy: read the "
          "**ratios**, not the absolute times.", ""]
    busy = ""
    try:
        loads = [float(x) for x in meta.get("load_start", "").split()[:1] + meta.get("load_end", "").split()[:1]]
        if loads and max(loads) > 0.5 * int(m["nproc"]):
            busy = ("the machine was busy while this ran (load average %s on %s CPUs): "
                    "long runs (the large fixtures) suffer more from it than the "
                    "baselines, so their ratios are inflated; compare the minima" % (
                        "%.1f" % max(loads), m["nproc"]))
    except ValueError:
        pass
    if busy:
        L += ["**Note: %s.**" % busy, ""]
    if meta.get("quick", "0") not in ("", "0"):
        L += ["**Quick run (NVCT_BENCH_QUICK=1): a tenth of the runs; rough numbers.**", ""]
    L += ["## Machine", "",
          "| | |", "| --- | --- |",
          "| CPU | %s |" % m["cpu"],
          "| kernel | %s |" % m["kernel"],
          "| nproc | %s |" % m["nproc"],
          "| date | %s |" % m["date"],
          "| tree | `%s` |" % m["commit"],
          "| load average (1, 5, 15 min) | %s at the start, %s at the end |" % (
              meta.get("load_start", "?"), meta.get("load_end", "?")),
          "| suite run time | %s s |" % meta.get("elapsed_s", "?"), ""]

    # ---------------------------------------------------------------- per fixture
    L += ["## Per fixture", "",
          "Whole processes, from fork to the end of the no-op CLI that each one execs: "
          "the hook (`-config` bench config, `prestart`, cwd = bundle, state on stdin), "
          "**floor** (a program that only execs the CLI) and **read floor** (reads "
          "config.json once in 64 KiB chunks, then execs the CLI), run alternately. "
          "The baselines are ordinary C programs: dynamically linked, with the "
          "release build's optimisation and hardening flags. The hook is a static PIE "
          "(static yajl): starting cheaply is part of what it is measured on. Every "
          "binary is run as installed (copied into place, not straight from the linker). "
          "Times are medians; peak RSS is the largest `ru_maxrss` of the hook's runs; "
          "Ir is the hook's instruction count (callgrind, up to its execve).", "",
          "| fixture | env entries | mounts | config.json | runs | hook | floor | read floor "
          "| hook / floor | hook / read floor | hook peak RSS | hook Ir |",
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, r in rows.items():
        title = FIXTURE_TITLES.get(name, name)
        irs = "{:,}".format(r["ir"]) if r["ir"] else "n/a"
        if "hook" not in r:
            L.append("| %s | %d | %d | %s | 0 | ERROR | | | | | | %s |"
                     % (title, r["env"], r["mounts"], size(r["bytes"]), irs))
            continue
        err = " (ERROR: runs exited %s)" % sorted(set(r["bad"])) if r["bad"] else ""
        L.append("| %s | %d | %d | %s | %d | %s%s | %s | %s | **%.2f×** | **%.2f×** | %s | %s |" % (
            title, r["env"], r["mounts"], size(r["bytes"]), r["n"], ms(r["hook"]), err,
            ms(r["floor"]), ms(r["read-floor"]), ratio(r["hook"], r["floor"]),
            ratio(r["hook"], r["read-floor"]), mib(r["rss"]), irs))
    if rows and any("hook" in r for r in rows.values()):
        anyr = next(r for r in rows.values() if "hook" in r)
        L += ["", "For scale: floor peak RSS %s, read floor %s; floor Ir %s." % (
            mib(anyr["floor_rss"]), mib(anyr["read_rss"]),
            "{:,}".format(floor_ir) if floor_ir else "n/a")]
    L.append("")

    # ---------------------------------------------------------------- per entry
    L += ["## Cost per environment entry", "",
          "The hook's own cost: its time above the floor (median hook − median floor of "
          "the same fixture) and its instructions above the floor's.", "",
          "| fixture | entries | time above floor | per entry | Ir above floor | Ir per entry |",
          "| --- | ---: | ---: | ---: | ---: | ---: |"]
    env_fix = ["env-1k", "env-10k", "env-100k"]
    above_t, above_ir = {}, {}
    for name in env_fix:
        r = rows.get(name)
        if r is None or not ok(name):
            continue
        above_t[name] = r["hook"] - r["floor"]
        t_per = "%.0f ns" % (above_t[name] / r["env"])
        if r["ir"] and floor_ir:
            above_ir[name] = r["ir"] - floor_ir
            ir_s, ir_per = "{:,}".format(above_ir[name]), "%.0f" % (above_ir[name] / r["env"])
        else:
            ir_s = ir_per = "n/a"
        L.append("| %s | %d | %s | %s | %s | %s |" % (FIXTURE_TITLES[name], r["env"],
                                                     ms(above_t[name]), t_per, ir_s, ir_per))
    L.append("")
    for a, b in (("env-1k", "env-10k"), ("env-10k", "env-100k")):
        if a in above_ir and b in above_ir:
            da = rows[b]["env"] - rows[a]["env"]
            L.append("- marginal cost, %s → %s: %.0f instructions and %.0f ns per added entry" % (
                FIXTURE_TITLES[a].split()[0], FIXTURE_TITLES[b].split()[0],
                (above_ir[b] - above_ir[a]) / da, (above_t[b] - above_t[a]) / da))
    L.append("")

    # ---------------------------------------------------------------- targets
    targets = []  # (target, measured, result)

    def missing(name):
        return "runs failed" if name in rows and "hook" in rows[name] else "no result"

    def verdict(good):
        return "PASS" if good else "FAIL"

    if ok("docker"):
        x = ratio(rows["docker"]["hook"], rows["docker"]["floor"])
        xm = ratio(rows["docker"]["hook_min"], rows["docker"]["floor_min"])
        targets.append(("docker-like spec: wall time ≤ %.2f× the floor" % DOCKER_LIMIT,
                        "**%.2f×** (of the minima: %.2f×)" % (x, xm), verdict(x <= DOCKER_LIMIT)))
    else:
        targets.append(("docker-like spec: wall time ≤ %.2f× the floor" % DOCKER_LIMIT,
                        missing("docker"), "FAIL"))
    if ok("env-100k"):
        x = ratio(rows["env-100k"]["hook"], rows["env-100k"]["read-floor"])
        xm = ratio(rows["env-100k"]["hook_min"], rows["env-100k"]["read_min"])
        targets.append(("100k-entry spec: wall time ≤ %g× the read floor" % READ_LIMIT,
                        "**%.2f×** (of the minima: %.2f×)" % (x, xm), verdict(x <= READ_LIMIT)))
    else:
        targets.append(("100k-entry spec: wall time ≤ %g× the read floor" % READ_LIMIT,
                        missing("env-100k"), "FAIL"))
    for name, r in rows.items():
        t = "peak RSS ≤ 4 MiB: %s" % FIXTURE_TITLES.get(name, name)
        if "rss" in r:
            targets.append((t, mib(r["rss"]), verdict(r["rss"] <= RSS_LIMIT_KIB and not r["bad"])))
        else:
            targets.append((t, "no result", "FAIL"))
    for a, b in (("env-1k", "env-10k"), ("env-10k", "env-100k")):
        t = "linear: %s → %s entries, hook's cost above the floor ≤ %g×" % (
            FIXTURE_TITLES[a].split()[0], FIXTURE_TITLES[b].split()[0], LINEAR_LIMIT)
        wall_x = ratio(above_t[b], above_t[a]) if a in above_t and b in above_t else None
        ir_x = ratio(above_ir[b], above_ir[a]) if a in above_ir and b in above_ir else None
        wall_s = "%.2f× wall" % wall_x if wall_x is not None else "wall n/a"
        if ir_x is not None:
            targets.append((t, "**%.2f× Ir** (%s)" % (ir_x, wall_s), verdict(ir_x <= LINEAR_LIMIT)))
        elif wall_x is not None:
            targets.append((t, "**%s** (no Ir)" % wall_s, verdict(wall_x <= LINEAR_LIMIT)))
        else:
            targets.append((t, "no result", "FAIL"))

    wrapper_lines, wrapper_targets, wrapper_out = wrapper_section(w, res, ir, notes)
    targets += wrapper_targets

    L += ["## Targets", "",
          "Wall time targets are judged by the ratio of the medians; the ratio of the "
          "fastest runs (noise only ever adds time) is shown beside it. Linearity is judged "
          "by instruction counts (deterministic), not by wall time, which on this shared "
          "2-core machine moves by more than the margin; the wall time ratio is shown beside "
          "it.", "",
          "| target | measured | result |", "| --- | --- | --- |"]
    L += ["| %s | %s | **%s** |" % t for t in targets]
    L.append("")

    # ---------------------------------------------------------------- runc
    L += ["## What a user feels: `runc run`", ""]
    runc = load_runs(os.path.join(res, "runc.tsv"))
    skipped = [n for n in notes if n.startswith("runc: SKIPPED")]
    if "runc-hook" in runc and "runc-plain" in runc:
        h, p = runc["runc-hook"], runc["runc-plain"]
        fl = runc.get("runc-floor")
        mh, mp = statistics.median(h["wall"]), statistics.median(p["wall"])
        bad = h["bad"] + p["bad"] + (fl["bad"] if fl else [])
        L += ["`runc run` of a trivial container (busybox-static rootfs, `/bin/busybox true`, "
              "`NVIDIA_VISIBLE_DEVICES=0`): without a prestart hook, with the hook (`-config` "
              "the bench config: the no-op CLI) and, to tell runc's own cost of running any "
              "hook from the hook's, with the floor program as the hook; alternately, %d runs "
              "each, unique container ids.%s" % (
                  len(h["wall"]), " ERRORS: exit statuses %s." % sorted(set(bad)) if bad else ""), "",
              "| | median | p25 – p75 | added to `runc run` |", "| --- | ---: | ---: | ---: |",
              "| no hook | %s | %s – %s | |" % (ms(mp), ms(pct(p["wall"], .25)), ms(pct(p["wall"], .75)))]
        if fl:
            mf = statistics.median(fl["wall"])
            L.append("| floor as the hook (execs the no-op CLI) | %s | %s – %s | %s (%.1f%%) |" % (
                ms(mf), ms(pct(fl["wall"], .25)), ms(pct(fl["wall"], .75)), ms(mf - mp),
                100.0 * (mf - mp) / mp))
        lo, hi = boot_ci(h["wall"], p["wall"])
        L.append("| **the hook** | %s | %s – %s | **%s (%.1f%%)**, 95%%: %s … %s |" % (
            ms(mh), ms(pct(h["wall"], .25)), ms(pct(h["wall"], .75)), ms(mh - mp),
            100.0 * (mh - mp) / mp, ms(lo), ms(hi)))
        runc_line = "runc run: +%s with the hook (%.1f%% of %s)" % (
            ms(mh - mp), 100.0 * (mh - mp) / mp, ms(mp))
        if fl:
            lo, hi = boot_ci(h["wall"], fl["wall"])
            L += ["", "The hook against a trivial hook (the floor as the hook: both pay what runc "
                  "spends on running any prestart hook): %s, 95%% bootstrap "
                  "interval %s … %s%s." % (
                      ms(mh - mf), ms(lo), ms(hi),
                      ": within runc's noise" if lo <= 0 <= hi else "")]
            runc_line += "; a trivial hook adds %s" % ms(mf - mp)
        L.append("")
    else:
        why = skipped[0] if skipped else "runc: SKIPPED: no results"
        L += ["Skipped on this machine: %s" % why.split(": ", 2)[-1], ""]
        runc_line = why

    L += wrapper_lines

    # ---------------------------------------------------------------- profile
    prof = [(n, top_functions(w, n + ":hook")) for n in ("docker", "env-100k", "mounts-10k",
                                                         "require-1k")]
    prof = [(n, t) for n, t in prof if t]
    if prof:
        L += ["## Where the instructions go", "",
              "Functions with the most instructions of their own (callgrind_annotate of the "
              "hook's run; a bare address is code in libyajl, which has no symbol for it).", ""]
        for n, t in prof:
            L += ["%s:" % FIXTURE_TITLES.get(n, n), "", "| Ir | share | function | object |",
                  "| ---: | ---: | --- | --- |"]
            L += ["| %s | %s | `%s` | %s |" % x for x in t]
            L.append("")

    # ---------------------------------------------------------------- details
    L += ["## Details", "",
          "Wall time percentiles and CPU time (user + system, median) of every program, "
          "to judge the noise.", "",
          "| fixture | program | min | p10 | median | p90 | CPU | peak RSS |",
          "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, r in rows.items():
        for prog in ("hook", "floor", "read-floor"):
            d = r["runs"].get(prog)
            if not d:
                continue
            L.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                FIXTURE_TITLES.get(name, name), prog, ms(min(d["wall"])), ms(pct(d["wall"], .1)),
                ms(statistics.median(d["wall"])), ms(pct(d["wall"], .9)),
                ms(statistics.median(d["cpu"])), mib(max(d["rss"]))))
    L.append("")

    L += ["## How it was measured", "",
          "- `make bench` (as root for the runc part) builds the hook in `build-release/` "
          "(`meson setup build-release -Dbuildtype=release`), the helpers of `bench/` and the "
          "fixtures into `build-release/bench/` (`bench/gen_fixtures.py`), then measures. "
          "`NVCT_BENCH_QUICK=1 make bench` runs a tenth of the runs.",
          "- Fixtures: a docker-like config.json (compact, as docker writes it: `runc spec` "
          "defaults plus docker's process, capabilities, resources; 30 typical variables plus "
          "`NVIDIA_VISIBLE_DEVICES=0`, `NVIDIA_DRIVER_CAPABILITIES`, `CUDA_VERSION`, "
          "`NVIDIA_REQUIRE_CUDA`; 15 mounts). The large ones are that spec with "
          "`VAR_i=value_i...` entries (86 bytes each) up to 1k, 10k and 100k entries in all, "
          "with 10k extra bind mounts, or with `NVIDIA_REQUIRE_i=driver>=418` for i = 1..1000. "
          "The state on stdin is `{\"ociVersion\":\"1.0.2\",\"id\":\"bench\",\"pid\":1,"
          "\"bundle\":BUNDLE}`; the hook config sets `[nvidia-container-cli] path` to the "
          "no-op CLI, so the hook does its full work, exec included.",
          "- `bench/measure.c` forks and execs each command with stdin from the state file, "
          "timing fork .. wait4 with CLOCK_MONOTONIC and taking ru_maxrss from wait4 (the "
          "largest of the hook and the CLI it execs). Each round runs hook, floor and read "
          "floor once, starting at a rotating position; %s warm-up rounds are dropped."
          % meta.get("warmup", "?"),
          "- Instructions: one run of each under `valgrind --tool=callgrind "
          "--trace-children=no --dump-before=execve`, the counts of every dump summed: the "
          "program up to its execve, without the CLI.",
          "- `runc run`: three bundles sharing one read-only busybox rootfs (no hook, the "
          "hook, the floor as the hook), run by `bench/measure` in turn, with warm-up; "
          "containers left over are removed with `runc delete -f`; skipped, saying why, "
          "where runc cannot run containers.",
          "- The runc wrapper (`bench/wrapper.sh`): built in the same release build, "
          "installed next to `nvidia-cdi-hook` (jit-cdi names it in its spec); the fake "
          "host made by `tests/cdi/make-host` (root: device nodes) with the built fake "
          "NVML; `bench/measure` gives each wrapper process `NVIDIA_CTK_CONFIG_FILE_PATH` "
          "and restores config.json before each create (`copy:` in its plan, outside the "
          "clock); %s warm-up rounds dropped. One run of each under callgrind (up to the "
          "exec of the runtime) and under `strace -c`." % meta.get("warmup", "?"),
          ]
    L += ["- " + n for n in notes]
    L.append("")

    with open(out_md, "w") as f:
        f.write("\n".join(L))

    # ---------------------------------------------------------------- stdout
    print()
    print("%-26s %9s %9s %10s %10s %9s %14s" % ("fixture", "hook", "floor", "hook/floor",
                                             "hook/read", "peak RSS", "hook Ir"))
    for name, r in rows.items():
        if "hook" not in r:
            print("%-26s ERROR" % FIXTURE_TITLES.get(name, name))
            continue
        print("%-26s %9s %9s %9.2fx %9.2fx %9s %14s%s" % (
            FIXTURE_TITLES.get(name, name), "%.3f" % (r["hook"] / 1e6), "%.3f" % (r["floor"] / 1e6),
            ratio(r["hook"], r["floor"]), ratio(r["hook"], r["read-floor"]), mib(r["rss"]),
            "{:,}".format(r["ir"]) if r["ir"] else "n/a",
            "  ERROR exit %s" % sorted(set(r["bad"])) if r["bad"] else ""))
    print("(times: median ms)")
    if busy:
        print("WARNING: " + busy)
    print(runc_line)
    for line in wrapper_out:
        print(line)
    print()
    for t, measured, result in targets:
        print("%s: %s — %s" % (result, t, measured.replace("**", "")))
    fails = [t for t in targets if t[2] != "PASS"]
    print()
    print("bench: %d targets, %d passed, %d FAILED" % (len(targets), len(targets) - len(fails), len(fails)))


if __name__ == "__main__":
    main()
