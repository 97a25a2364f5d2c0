# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# The runc wrapper's part of `make bench` (sourced by bench/run, which sets
# TOP, R, W, BIN, CLI, RES, WARMUP, CLEAN_ENV, WR_*_RUNS, WRAPPER_BUILD and
# the functions say and note).
#
# The wrapper (nvidia-container-runtime) runs in front of runc on every call
# an engine makes. Measured, interleaved by bench/measure:
#   pass-through  `state` (with containerd's --log/--log-format), `list` and
#                 `--version` through the wrapper to the no-op program as the
#                 runtime, against the no-op alone and exec-only (a static
#                 program that only execs: the floor any wrapper pays);
#   runc          `--root PRIVATE list` by runc alone, through exec-only and
#                 through the wrapper (runtimes = [runc]);
#   create        `create --bundle B ID` of docker's busybox config.json with
#                 NVIDIA_VISIBLE_DEVICES=0 and the no-op as the runtime: the
#                 no-op alone, exec-only, the wrapper on the same config.json
#                 without NVIDIA_VISIBLE_DEVICES (no GPU: nothing to edit), the
#                 wrapper in cdi mode (the 8-GPU spec of
#                 tests/cdi/hosts/eight-gpus.host in its spec-dirs) and in
#                 jit-cdi mode (the spec made from the fake NVML of that host);
#                 config.json is put back (copied, renamed) before every run,
#                 outside the clock; and nvml-probe (bench/nvml-probe.c) with
#                 and without loading that host's NVML: NVML's own cost,
#                 counted apart from jit-cdi's edit.
# Then one run of each under callgrind (instructions, where they go) and
# strace -c (system calls). Results: $RES/wrapper-*.tsv, $RES/wrapper/.

wrapper_part() {
        local wr="$W/wrapper" wrapper="$BIN/nvidia-container-runtime" runc why=""
        local T=$'\t'
        mkdir -p "$RES/wrapper" "$W/callgrind"
        if [ -n "$WRAPPER_BUILD" ]; then
                note "wrapper: SKIPPED: $WRAPPER_BUILD"
                return
        fi
        if ! { install -m 0755 "$R/nvidia-container-runtime" "$wrapper" &&
                install -m 0755 "$R/nvidia-cdi-hook" "$BIN/nvidia-cdi-hook"; }; then
                note "wrapper: SKIPPED: cannot install the wrapper into $BIN"
                return
        fi
        mkdir -p "$wr/state" "$wr/runc-state" "$wr/cdi" "$wr/b-noop" "$wr/b-eo" "$wr/b-nogpu" \
                "$wr/b-cdi" "$wr/b-jit"
        cp "$wr/config.json" "$wr/config.orig"

        # The 8-GPU fake host (device nodes: needs root) and its CDI spec.
        if [ "$(id -u)" != 0 ]; then
                why="the fake GPU host needs root (mknod)"
        elif ! FAKE_NVML_LIB="$R/tests/cdi/libnvidia-ml.so.1" "$TOP/tests/cdi/make-host" \
                "$TOP/tests/cdi/hosts/eight-gpus.host" "$wr/host" > "$RES/wrapper/make-host.log" 2>&1; then
                why="make-host: $(tail -n 1 "$RES/wrapper/make-host.log")"
        elif ! "$R/nvidia-ctk" --quiet cdi generate --driver-root "$wr/host" \
                --nvidia-cdi-hook-path "$BIN/nvidia-cdi-hook" --output "$wr/cdi/nvidia.json" \
                2> "$RES/wrapper/generate.err"; then
                why="nvidia-ctk cdi generate: $(head -n 1 "$RES/wrapper/generate.err")"
        fi
        local m
        for m in cdi jit-cdi; do
                cat > "$wr/$m.toml" << EOF
[nvidia-container-cli]
root = "$wr/host"

[nvidia-container-runtime]
mode = "$m"
runtimes = ["$CLI"]
log-level = "info"

[nvidia-container-runtime.modes.cdi]
spec-dirs = ["$wr/cdi"]
EOF
        done
        runc=$(command -v runc || true)
        [ -n "$runc" ] && sed "s|^runtimes = .*|runtimes = [\"$runc\"]|" "$wr/cdi.toml" > "$wr/runc.toml"
        local conf_env="env:NVIDIA_CTK_CONFIG_FILE_PATH=$wr/cdi.toml"

        # Each create must really edit: the GPU's node in, the variable voided.
        local create_ok=""
        if [ -z "$why" ]; then
                for m in cdi jit-cdi; do
                        cp "$wr/config.orig" "$wr/b-noop/config.json"
                        if ! "${CLEAN_ENV[@]}" NVIDIA_CTK_CONFIG_FILE_PATH="$wr/$m.toml" "$wrapper" \
                                --root "$wr/state" create --bundle "$wr/b-noop" bench \
                                > /dev/null 2> "$RES/wrapper/create-$m.stderr"; then
                                why="create in $m mode fails: $(head -n 1 "$RES/wrapper/create-$m.stderr")"
                        elif ! python3 - "$wr/b-noop/config.json" > "$RES/wrapper/create-$m.check" << 'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
nodes = [x["path"] for x in d.get("linux", {}).get("devices", [])]
env = d["process"]["env"]
print("devices: %s" % " ".join(nodes))
print("mounts: %d" % len(d["mounts"]))
print("NVIDIA_VISIBLE_DEVICES=void: %s" % ("NVIDIA_VISIBLE_DEVICES=void" in env))
sys.exit(0 if "/dev/nvidia0" in nodes and "/dev/nvidia1" not in nodes
         and "NVIDIA_VISIBLE_DEVICES=void" in env else 1)
EOF
                        then
                                why="create in $m mode does not give the container GPU 0: $(tr '\n' ' ' < "$RES/wrapper/create-$m.check")"
                        fi
                        [ -n "$why" ] && break
                        stat -c %s "$wr/b-noop/config.json" > "$RES/wrapper/create-$m.size"
                done
                # A container that asks for no GPU keeps its config.json byte for byte.
                if [ -z "$why" ]; then
                        cp "$wr/config-nogpu.json" "$wr/b-noop/config.json"
                        if ! "${CLEAN_ENV[@]}" NVIDIA_CTK_CONFIG_FILE_PATH="$wr/cdi.toml" "$wrapper" \
                                --root "$wr/state" create --bundle "$wr/b-noop" bench \
                                > /dev/null 2> "$RES/wrapper/create-nogpu.stderr"; then
                                why="create without a GPU fails: $(head -n 1 "$RES/wrapper/create-nogpu.stderr")"
                        elif ! cmp -s "$wr/config-nogpu.json" "$wr/b-noop/config.json"; then
                                why="create without a GPU changes config.json"
                        fi
                fi
                [ -z "$why" ] && create_ok=1
        fi
        [ -n "$why" ] && note "wrapper create: SKIPPED: $why"
        stat -c %s "$wr/config.orig" > "$RES/wrapper/config.size"
        stat -c %s "$wr/cdi/nvidia.json" > "$RES/wrapper/spec.size" 2> /dev/null
        "$wrapper" --version > "$RES/wrapper/version.txt" 2>&1

        # ------------------------------------------------ pass-through
        local st="$wr/state" log="$wr/log.json" t
        {
                echo "noop$T$wr$T/dev/null$T$CLI$T--root$T$st$T--log$T$log$T--log-format${T}json${T}state${T}bench"
                echo "exec-only$T$wr$T/dev/null$T$BIN/exec-only$T$CLI$T--root$T$st$T--log$T$log$T--log-format${T}json${T}state${T}bench"
                echo "wrapper-state$T$wr$T/dev/null$T$conf_env$T$wrapper$T--root$T$st$T--log$T$log$T--log-format${T}json${T}state${T}bench"
                echo "wrapper-list$T$wr$T/dev/null$T$conf_env$T$wrapper$T--root$T$st${T}list"
                echo "wrapper-version$T$wr$T/dev/null$T$conf_env$T$wrapper$T--version"
        } > "$RES/wrapper-pass.plan"
        t=$(date +%s)
        "${CLEAN_ENV[@]}" "$BIN/measure" -n "$WR_PASS_RUNS" -w "$WARMUP" -o "$RES/wrapper-pass.tsv" \
                "$RES/wrapper-pass.plan" || say "some wrapper pass-through runs failed (see above)"
        say "wrapper pass-through: $WR_PASS_RUNS runs x 5 processes, $(($(date +%s) - t)) s"

        # ------------------------------------------------ real runc
        if [ -n "$runc" ]; then
                local rs="$wr/runc-state"
                {
                        echo "runc$T$wr$T/dev/null$T$runc$T--root$T$rs${T}list"
                        echo "exec-only-runc$T$wr$T/dev/null$T$BIN/exec-only$T$runc$T--root$T$rs${T}list"
                        echo "wrapper-runc$T$wr$T/dev/null${T}env:NVIDIA_CTK_CONFIG_FILE_PATH=$wr/runc.toml$T$wrapper$T--root$T$rs${T}list"
                } > "$RES/wrapper-runc.plan"
                t=$(date +%s)
                "${CLEAN_ENV[@]}" "$BIN/measure" -n "$WR_RUNC_RUNS" -w "$WARMUP" -o "$RES/wrapper-runc.tsv" \
                        "$RES/wrapper-runc.plan" || say "some runc list runs failed (see above)"
                say "wrapper with runc list: $WR_RUNC_RUNS runs x 3 processes, $(($(date +%s) - t)) s"
        else
                note "wrapper with runc: SKIPPED: runc is not installed"
        fi

        # ------------------------------------------------ create
        # The library jit-cdi loads, for nvml-probe (NVML's cost apart).
        local nvml_lib=""
        if [ -n "$create_ok" ] && [ -x "$BIN/nvml-probe" ]; then
                nvml_lib=$(readlink -f "$wr/host/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1")
                if ! "$BIN/nvml-probe" "$nvml_lib" 2> "$RES/wrapper/nvml-probe.err"; then
                        note "wrapper create: NVML's own cost unmeasured: $(head -n 1 "$RES/wrapper/nvml-probe.err")"
                        nvml_lib=""
                fi
        elif [ -n "$create_ok" ]; then
                note "wrapper create: NVML's own cost unmeasured: no static nvml-probe"
        fi
        if [ -n "$create_ok" ]; then
                local args="--root$T$st$T--log$T$log$T--log-format${T}json${T}create$T--bundle"
                {
                        echo "create-noop$T$wr/b-noop$T/dev/null${T}copy:$wr/config.orig:$wr/b-noop/config.json$T$CLI$T$args$T$wr/b-noop${T}bench"
                        echo "create-exec-only$T$wr/b-eo$T/dev/null${T}copy:$wr/config.orig:$wr/b-eo/config.json$T$BIN/exec-only$T$CLI$T$args$T$wr/b-eo${T}bench"
                        echo "create-nogpu$T$wr/b-nogpu$T/dev/null${T}copy:$wr/config-nogpu.json:$wr/b-nogpu/config.json${T}env:NVIDIA_CTK_CONFIG_FILE_PATH=$wr/cdi.toml$T$wrapper$T$args$T$wr/b-nogpu${T}bench"
                        echo "create-cdi$T$wr/b-cdi$T/dev/null${T}copy:$wr/config.orig:$wr/b-cdi/config.json${T}env:NVIDIA_CTK_CONFIG_FILE_PATH=$wr/cdi.toml$T$wrapper$T$args$T$wr/b-cdi${T}bench"
                        echo "create-jit-cdi$T$wr/b-jit$T/dev/null${T}copy:$wr/config.orig:$wr/b-jit/config.json${T}env:NVIDIA_CTK_CONFIG_FILE_PATH=$wr/jit-cdi.toml$T$wrapper$T$args$T$wr/b-jit${T}bench"
                        # NVML's own load and initialisation, as jit-cdi pays it.
                        if [ -n "$nvml_lib" ]; then
                                echo "nvml-none$T$wr$T/dev/null$T$BIN/nvml-probe"
                                echo "nvml-init$T$wr$T/dev/null$T$BIN/nvml-probe$T$nvml_lib"
                        fi
                } > "$RES/wrapper-create.plan"
                t=$(date +%s)
                "${CLEAN_ENV[@]}" "$BIN/measure" -n "$WR_CREATE_RUNS" -w "$WARMUP" -o "$RES/wrapper-create.tsv" \
                        "$RES/wrapper-create.plan" || say "some wrapper create runs failed (see above)"
                say "wrapper create: $WR_CREATE_RUNS runs x $(wc -l < "$RES/wrapper-create.plan") processes, $(($(date +%s) - t)) s"
        fi

        # ------------------------------------------------ instructions, system calls
        # wr_trace NAME MODE CONFIG ARGS...: one run under callgrind (up to the
        # exec of the runtime) and one under strace -c (the runtime's few calls
        # included), b-noop/config.json made a copy of CONFIG before each.
        wr_trace() {
                local name=$1 mode=$2 orig=$3 ir
                shift 3
                local envs=("${CLEAN_ENV[@]}" NVIDIA_CTK_CONFIG_FILE_PATH="$wr/$mode.toml")
                if command -v valgrind > /dev/null; then
                        cp "$orig" "$wr/b-noop/config.json"
                        (cd "$wr" && "${envs[@]}" valgrind --tool=callgrind --trace-children=no \
                                --dump-before=execve --callgrind-out-file="$W/callgrind/wrapper-$name.out" \
                                "$@" < /dev/null > /dev/null 2> "$W/callgrind/wrapper-$name.log")
                        ir=$(cat "$W/callgrind/wrapper-$name.out"* 2> /dev/null |
                                sed -n 's/^totals: *\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { if (NR) print s }')
                        printf '%s\t%s\n' "wrapper-$name" "${ir:-}" >> "$RES/ir.tsv"
                fi
                if command -v strace > /dev/null; then
                        cp "$orig" "$wr/b-noop/config.json"
                        (cd "$wr" && "${envs[@]}" strace -c -S calls \
                                -o "$RES/wrapper/strace-$name.txt" "$@" < /dev/null > /dev/null 2>&1)
                        # The shared objects it maps (dlopen: NVML and what it links).
                        cp "$orig" "$wr/b-noop/config.json"
                        (cd "$wr" && "${envs[@]}" strace -e trace=openat -o "$RES/wrapper/opens-$name.txt" \
                                "$@" < /dev/null > /dev/null 2>&1)
                        sed -n 's/^openat([^"]*"\([^"]*\.so[.0-9]*\)".* = [0-9][0-9]*$/\1/p' \
                                "$RES/wrapper/opens-$name.txt" > "$RES/wrapper/libs-$name.txt"
                fi
        }
        local t0
        t0=$(date +%s)
        local o="$wr/config.orig"
        wr_trace exec-only cdi "$o" "$BIN/exec-only" "$CLI" --root "$st" list
        wr_trace state cdi "$o" "$wrapper" --root "$st" --log "$log" --log-format json state bench
        wr_trace list cdi "$o" "$wrapper" --root "$st" list
        if [ -n "$create_ok" ]; then
                wr_trace create-nogpu cdi "$wr/config-nogpu.json" "$wrapper" --root "$st" --log "$log" \
                        --log-format json create --bundle "$wr/b-noop" bench
                for m in cdi jit-cdi; do
                        wr_trace "create-$m" "$m" "$o" "$wrapper" --root "$st" --log "$log" --log-format json \
                                create --bundle "$wr/b-noop" bench
                done
        fi
        say "wrapper callgrind and strace: $(($(date +%s) - t0)) s"
        command -v valgrind > /dev/null || note "wrapper: valgrind not installed: no instruction counts"
}
