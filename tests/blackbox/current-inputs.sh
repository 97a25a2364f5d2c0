# Black-box cases for the inputs NVIDIA's current hook reads and the 1.3.0
# hook did not (issue 13): IMEX channels, supported-driver-capabilities,
# cuda-compat-mode, the config path from the environment, several swarm
# variables, NVIDIA_REQUIRE_JETPACK, the runtime mode. Sourced by run, after
# the 1.3.0 cases, with lib.sh's helpers.
# shellcheck shell=bash
# RC and CASE_OK are lib.sh's, read by its expect_* and end.
# shellcheck disable=SC2034

# run_hook_with NAME=VALUE... -- FLAGS...: run_hook with these variables in
# the hook's environment.
run_hook_with() {
        local envs=()
        while [ "$1" != "--" ]; do
                envs+=("$1")
                shift
        done
        shift
        rm -f "$OUT/argv" "$OUT/env"
        (cd "$B" && printf '%s' "$STATE" | env "${envs[@]}" NVCT_TEST_OUT="$OUT" "$TIMEOUT" \
                "$T_LIMIT" "$HOOK" "$@" > "$T/stdout" 2> "$T/stderr")
        RC=$?
}

expect_no_stdout() { # a fixed string stdout must not contain
        ! grep -qF -- "$1" "$T/stdout" || check "stdout has '$1'"
}

DEVROOT=/var/run/nvidia-container-devices
devnull_mount() { printf '{"source":"/dev/null","destination":"%s"}' "$1"; }

# ---------------------------------------------------------------- IMEX channels
begin "NVIDIA_IMEX_CHANNELS=0,3: --imex-channel after the MIG flags, before the capabilities"
spec "$V"',"NVIDIA_MIG_CONFIG_DEVICES=all","NVIDIA_MIG_MONITOR_DEVICES=all","NVIDIA_IMEX_CHANNELS=0,3"' "$PRIV"
run_hook
expect_exec --load-kmods configure --device=0 --mig-config=all --mig-monitor=all --imex-channel=0,3 \
        "${DEFAULT_CAPS[@]}" "${END[@]}"
end

begin "NVIDIA_IMEX_CHANNELS entries are trimmed, empty ones skipped"
spec "$V"',"NVIDIA_IMEX_CHANNELS= 0 ,, 3,"'
run_hook
expect_exec --load-kmods configure --device=0 --imex-channel=0,3 "${DEFAULT_CAPS[@]}" "${END[@]}"
end

for v in all 0,all; do
        begin "NVIDIA_IMEX_CHANNELS=$v is ignored, as NVIDIA's hook ignores it"
        spec "$V"',"NVIDIA_IMEX_CHANNELS='"$v"'"'
        run_hook
        expect_exec --load-kmods configure --device=0 "${DEFAULT_CAPS[@]}" "${END[@]}"
        run_hook -dry-run -config "$CONF" prestart
        expect_stdout "dropped: NVIDIA_IMEX_CHANNELS=\"$v\": all is not a channel list"
        end
done

for v in none void "" 1,none 1,void; do
        begin "NVIDIA_IMEX_CHANNELS='$v' requests no channel"
        spec "$V"',"NVIDIA_IMEX_CHANNELS='"$v"'"'
        run_hook
        expect_exec --load-kmods configure --device=0 "${DEFAULT_CAPS[@]}" "${END[@]}"
        end
done

IMEX_MOUNTS="[$(devnull_mount $DEVROOT/GPU-aaaa),$(devnull_mount $DEVROOT/imex/1),$(devnull_mount $DEVROOT/imex/2),$(devnull_mount $DEVROOT//imex/1/),{\"source\":\"/tmp\",\"destination\":\"$DEVROOT/imex/9\"}]"
begin "imex/N volume mounts request channel N and are not GPUs"
spec "$V" "$UNPRIV" "$IMEX_MOUNTS"
hookconf 'accept-nvidia-visible-devices-as-volume-mounts = true'
run_hook
expect_exec --load-kmods configure --device=GPU-aaaa --imex-channel=1,2 "${DEFAULT_CAPS[@]}" "${END[@]}"
run_hook -dry-run -config "$CONF" prestart
expect_stdout "devices: GPU-aaaa (1 volume mount(s) under $DEVROOT)"
expect_stdout "imex-channels: 1,2 (3 volume mount(s) under $DEVROOT/imex/)"
end

begin "only imex/ mounts: the GPUs come from NVIDIA_VISIBLE_DEVICES"
spec "$V" "" "[$(devnull_mount $DEVROOT/imex/5)]"
hookconf 'accept-nvidia-visible-devices-as-volume-mounts = true'
run_hook
expect_exec --load-kmods configure --device=0 --imex-channel=5 "${DEFAULT_CAPS[@]}" "${END[@]}"
end

begin "only imex/ mounts and no variable: not a GPU container"
spec '"PATH=/bin"' "" "[$(devnull_mount $DEVROOT/imex/5)]"
hookconf 'accept-nvidia-visible-devices-as-volume-mounts = true'
run_hook
expect_rc 0; expect_no_exec
end

begin "imex/ mounts take precedence over NVIDIA_IMEX_CHANNELS"
spec "$V"',"NVIDIA_IMEX_CHANNELS=7"' "" "[$(devnull_mount $DEVROOT/imex/1)]"
hookconf 'accept-nvidia-visible-devices-as-volume-mounts = true'
run_hook
expect_exec --load-kmods configure --device=0 --imex-channel=1 "${DEFAULT_CAPS[@]}" "${END[@]}"
run_hook -dry-run -config "$CONF" prestart
expect_stdout 'dropped: NVIDIA_IMEX_CHANNELS="7": the channels requested by volume mounts take precedence'
end

begin "imex/ mounts are ignored unless accepted: NVIDIA_IMEX_CHANNELS"
spec "$V"',"NVIDIA_IMEX_CHANNELS=2"' "" "[$(devnull_mount $DEVROOT/imex/1)]"
run_hook
expect_exec --load-kmods configure --device=0 --imex-channel=2 "${DEFAULT_CAPS[@]}" "${END[@]}"
end

begin "unprivileged, env requests not accepted: no channels from env, GPUs from mounts kept"
spec "$V"',"NVIDIA_IMEX_CHANNELS=0"' "$UNPRIV" "[$(devnull_mount $DEVROOT/GPU-aaaa)]"
hookconf 'accept-nvidia-visible-devices-as-volume-mounts = true' \
        'accept-nvidia-visible-devices-envvar-when-unprivileged = false'
run_hook
expect_exec --load-kmods configure --device=GPU-aaaa "${DEFAULT_CAPS[@]}" "${END[@]}"
run_hook -dry-run -config "$CONF" prestart
expect_stdout 'dropped: NVIDIA_IMEX_CHANNELS="0": the container is not privileged and accept-nvidia-visible-devices-envvar-when-unprivileged is false'
end

begin "privileged, env requests not accepted: channels from env"
spec "$V"',"NVIDIA_IMEX_CHANNELS=0"' "$PRIV"
hookconf 'accept-nvidia-visible-devices-envvar-when-unprivileged = false'
run_hook
expect_exec --load-kmods configure --device=0 --imex-channel=0 "${DEFAULT_CAPS[@]}" "${END[@]}"
end

begin "[features] ignore-imex-channel-requests drops every request; imex/ mounts stay non-GPUs"
spec "$V"',"NVIDIA_IMEX_CHANNELS=0"' "" "[$(devnull_mount $DEVROOT/GPU-aaaa),$(devnull_mount $DEVROOT/imex/1)]"
hookconf 'accept-nvidia-visible-devices-as-volume-mounts = true' '[features]' 'ignore-imex-channel-requests = true'
run_hook
expect_exec --load-kmods configure --device=GPU-aaaa "${DEFAULT_CAPS[@]}" "${END[@]}"
run_hook -dry-run -config "$CONF" prestart
expect_stdout 'dropped: IMEX channels "1" (1 volume mount(s) under /var/run/nvidia-container-devices/imex/): [features] ignore-imex-channel-requests = true'
expect_stdout 'dropped: NVIDIA_IMEX_CHANNELS="0": [features] ignore-imex-channel-requests = true'
end

begin "[features] disable-imex-channel-creation: --no-create-imex-channels before configure"
spec "$V"',"NVIDIA_IMEX_CHANNELS=0"'
hookconf '[features]' 'disable-imex-channel-creation = true' '[nvidia-container-cli]' 'no-pivot = true'
# hookconf appends the path under a second [nvidia-container-cli]: write it whole.
printf '[features]\ndisable-imex-channel-creation = true\n[nvidia-container-cli]\npath = "%s"\nno-pivot = true\n' "$FAKE_CLI" > "$CONF"
run_hook
expect_exec --load-kmods --no-create-imex-channels --no-pivot configure --device=0 --imex-channel=0 \
        "${DEFAULT_CAPS[@]}" "${END[@]}"
run_hook -dry-run -config "$CONF" prestart
expect_stdout "imex-channel-creation: no (features.disable-imex-channel-creation = true)"
end

begin "NVIDIA_IMEX_CHANNELS alone does not make a GPU container"
spec '"NVIDIA_IMEX_CHANNELS=0"'
run_hook
expect_rc 0; expect_no_exec
end

begin "a NUL byte in an IMEX channel is refused before exec"
spec "$V"',"NVIDIA_IMEX_CHANNELS=1\u00002"'
run_hook
expect_error "NUL"
end

# ---------------------------------------------------------------- supported-driver-capabilities
begin "supported-driver-capabilities: a capability outside it is an error naming both lists"
spec "$V"',"NVIDIA_DRIVER_CAPABILITIES=compute,video"'
hookconf 'supported-driver-capabilities = "utility, compute"'
run_hook
expect_error 'unsupported driver capability "video" in NVIDIA_DRIVER_CAPABILITIES="compute,video": the config'"'"'s supported-driver-capabilities allows only compute,utility'
end

begin "supported-driver-capabilities: an unknown requested capability is outside it too"
spec "$V"',"NVIDIA_DRIVER_CAPABILITIES=compute,bogus"'
hookconf 'supported-driver-capabilities = "all"'
run_hook
expect_error 'unsupported driver capability "bogus"'
end

begin "supported-driver-capabilities: requested ones inside it keep their order"
spec "$V"',"NVIDIA_DRIVER_CAPABILITIES=video,compute"'
hookconf 'supported-driver-capabilities = "compute,video,utility"'
run_hook
expect_exec --load-kmods configure --device=0 --video --compute "${END[@]}"
end

begin "supported-driver-capabilities: NVIDIA_DRIVER_CAPABILITIES=all means the supported ones"
spec "$V"',"NVIDIA_DRIVER_CAPABILITIES=all"'
hookconf 'supported-driver-capabilities = "video,utility,compute"'
run_hook
expect_exec --load-kmods configure --device=0 --compute --utility --video "${END[@]}"
end

begin "supported-driver-capabilities: the defaults are intersected with it"
spec "$V"
hookconf 'supported-driver-capabilities = "compat32,compute"'
run_hook
expect_exec --load-kmods configure --device=0 --compute "${END[@]}"
run_hook -dry-run -config "$CONF" prestart
expect_stdout "capabilities: compute (default: NVIDIA_DRIVER_CAPABILITIES unset, within supported-driver-capabilities compute,compat32)"
expect_stdout "dropped: driver capabilities utility: not in supported-driver-capabilities (compute,compat32)"
end

begin "supported-driver-capabilities: a legacy image's all-capabilities are intersected with it"
spec '"CUDA_VERSION=10.1"'
hookconf 'supported-driver-capabilities = "graphics,compute"'
run_hook
expect_exec --load-kmods configure --device=all --compute --graphics --require=cuda">=10.1" "${END[@]}"
end

begin "supported-driver-capabilities = \"\": no capability at all"
spec "$V"
hookconf 'supported-driver-capabilities = ""'
run_hook
expect_exec --load-kmods configure --device=0 "${END[@]}"
end

begin "supported-driver-capabilities naming an unknown capability is an error"
spec "$V"
hookconf 'supported-driver-capabilities = "compute,bogus"'
run_hook
expect_error "invalid supported-driver-capabilities \"compute,bogus\" in \"$CONF\": \"bogus\" is not a driver capability"
end

begin "supported-driver-capabilities is not checked for a container without GPUs"
spec '"PATH=/bin"'
hookconf 'supported-driver-capabilities = "bogus"'
run_hook
expect_rc 0; expect_no_exec
end

# ---------------------------------------------------------------- cuda-compat-mode
for m in ldconfig:ldconfig mount:mount hook:disabled disabled:disabled; do
        begin "cuda-compat-mode = ${m%%:*} gives --cuda-compat-mode=${m#*:} right after configure"
        spec "$V"
        printf '[nvidia-container-cli]\npath = "%s"\nldconfig = "@/sbin/ldconfig"\n[nvidia-container-runtime.modes.legacy]\ncuda-compat-mode = "%s"\n' "$FAKE_CLI" "${m%%:*}" > "$CONF"
        run_hook
        expect_exec --load-kmods configure --cuda-compat-mode="${m#*:}" --ldconfig=@/sbin/ldconfig \
                --device=0 "${DEFAULT_CAPS[@]}" "${END[@]}"
        end
done

begin "an unknown cuda-compat-mode is an error naming it"
spec "$V"
hookconf '[nvidia-container-runtime.modes.legacy]' 'cuda-compat-mode = "symlink"'
run_hook
expect_error "invalid nvidia-container-runtime.modes.legacy.cuda-compat-mode \"symlink\" in \"$CONF\": expected ldconfig, mount, hook or disabled"
end

begin "cuda-compat-mode unset: no flag (a 1.3.0-era CLI does not know it)"
spec "$V"
hookconf '[nvidia-container-runtime.modes.legacy]'
run_hook
expect_exec --load-kmods configure --device=0 "${DEFAULT_CAPS[@]}" "${END[@]}"
end

# ---------------------------------------------------------------- the config path
begin "without -config: \$NVIDIA_CTK_CONFIG_FILE_PATH"
spec "$V"
hookconf '[features]' 'disable-imex-channel-creation = true'
mkdir -p "$T/xdg/nvidia-container-runtime"
printf '[nvidia-container-cli]\npath = "/nonexistent/xdg-cli"\n' > "$T/xdg/nvidia-container-runtime/config.toml"
run_hook_with NVIDIA_CTK_CONFIG_FILE_PATH="$CONF" XDG_CONFIG_HOME="$T/xdg" -- prestart
expect_exec --load-kmods --no-create-imex-channels configure --device=0 "${DEFAULT_CAPS[@]}" "${END[@]}"
run_hook_with NVIDIA_CTK_CONFIG_FILE_PATH="$CONF" -- -dry-run prestart
expect_stdout "config: $CONF (\$NVIDIA_CTK_CONFIG_FILE_PATH)"
end

begin "-config wins over \$NVIDIA_CTK_CONFIG_FILE_PATH"
spec "$V"
run_hook_with NVIDIA_CTK_CONFIG_FILE_PATH=/nonexistent/config.toml -- -config "$CONF" prestart
expect_exec --load-kmods configure --device=0 "${DEFAULT_CAPS[@]}" "${END[@]}"
end

begin "\$NVIDIA_CTK_CONFIG_FILE_PATH naming a missing file is an error"
spec "$V"
run_hook_with NVIDIA_CTK_CONFIG_FILE_PATH="$T/missing.toml" -- prestart
expect_error "\$NVIDIA_CTK_CONFIG_FILE_PATH: could not open config file \"$T/missing.toml\""
end

begin "without -config or \$NVIDIA_CTK_CONFIG_FILE_PATH: \$XDG_CONFIG_HOME/nvidia-container-runtime/config.toml"
spec "$V"
mkdir -p "$T/xdg/nvidia-container-runtime"
printf '[nvidia-container-cli]\npath = "%s"\nno-pivot = true\n' "$FAKE_CLI" > "$T/xdg/nvidia-container-runtime/config.toml"
run_hook_with NVIDIA_CTK_CONFIG_FILE_PATH= XDG_CONFIG_HOME="$T/xdg" -- prestart
expect_exec --load-kmods --no-pivot configure --device=0 "${DEFAULT_CAPS[@]}" "${END[@]}"
run_hook_with XDG_CONFIG_HOME="$T/xdg" -- -dry-run prestart
expect_stdout "config: $T/xdg/nvidia-container-runtime/config.toml (\$XDG_CONFIG_HOME/nvidia-container-runtime/config.toml)"
end

begin "\$XDG_CONFIG_HOME without the file: the 1.3.0 search goes on"
if [ -e /etc/nvidia-container-runtime/config.toml ] || [ -e /run/nvidia/driver/etc/nvidia-container-runtime/config.toml ]; then
        SKIPPED=$((SKIPPED + 1))
        echo "SKIP [$CASE]: this machine has a config.toml in the default places"
        CASE_OK=1
else
        spec "$V"
        mkdir -p "$T/xdg"
        run_hook_with XDG_CONFIG_HOME="$T/xdg" PATH=/nonexistent -- -dry-run prestart
        # The built-in defaults: the CLI is searched for, and not found.
        expect_error 'could not find "nvidia-container-cli" in PATH'
        expect_no_stdout "xdg"
fi
end

# ---------------------------------------------------------------- swarm-resource with several names
begin "swarm-resource with several names: the devices of every present one, in the list's order"
spec '"NVIDIA_VISIBLE_DEVICES=all","SWARM_C=2","SWARM_A=0, 1"'
hookconf 'swarm-resource = "SWARM_A, SWARM_B ,SWARM_C"'
run_hook
expect_exec --load-kmods configure --device=0,1,2 "${DEFAULT_CAPS[@]}" "${END[@]}"
run_hook -dry-run -config "$CONF" prestart
expect_stdout "devices: 0,1,2 (SWARM_A,SWARM_C (swarm-resource))"
end

begin "swarm-resource with several names, none present: NVIDIA_VISIBLE_DEVICES"
spec "$V"
hookconf 'swarm-resource = "SWARM_A,SWARM_B"'
run_hook
expect_exec --load-kmods configure --device=0 "${DEFAULT_CAPS[@]}" "${END[@]}"
end

begin "swarm-resource with several names: void in one is no GPU"
spec '"NVIDIA_VISIBLE_DEVICES=all","SWARM_A=0","SWARM_B=void"'
hookconf 'swarm-resource = "SWARM_A,SWARM_B"'
run_hook
expect_rc 0; expect_no_exec
end

begin "swarm-resource with several names: none in one is no device"
spec '"SWARM_A=0","SWARM_B=none"'
hookconf 'swarm-resource = "SWARM_A,SWARM_B"'
run_hook
expect_exec --load-kmods configure "${DEFAULT_CAPS[@]}" "${END[@]}"
end

begin "swarm-resource with several names in an unprivileged container, env not accepted: an error"
spec '"SWARM_B=0"' "$UNPRIV"
hookconf 'swarm-resource = "SWARM_A,SWARM_B"' 'accept-nvidia-visible-devices-envvar-when-unprivileged = false'
run_hook
expect_error "insufficient privileges to read device list from SWARM_B"
end

begin "swarm-resource with several names: a NUL byte in a value is refused before exec"
spec '"SWARM_A=0\u00001"'
hookconf 'swarm-resource = "SWARM_A,SWARM_B"'
run_hook
expect_error "NUL"
end

begin "swarm-resource with one name behaves as 1.3.0: its value as is"
spec '"NVIDIA_VISIBLE_DEVICES=all","DOCKER_RESOURCE_GPU= 0"'
hookconf 'swarm-resource = "DOCKER_RESOURCE_GPU"'
run_hook
expect_exec --load-kmods configure "--device= 0" "${DEFAULT_CAPS[@]}" "${END[@]}"
end

# ---------------------------------------------------------------- NVIDIA_REQUIRE_JETPACK
begin "NVIDIA_REQUIRE_JETPACK* is never passed as --require"
spec "$V"',"NVIDIA_REQUIRE_JETPACK=csv-mounts=all","NVIDIA_REQUIRE_CUDA=cuda>=11.0","NVIDIA_REQUIRE_JETPACK_HOST_MOUNTS=x"'
run_hook
expect_exec --load-kmods configure --device=0 "${DEFAULT_CAPS[@]}" "--require=cuda>=11.0" "${END[@]}"
run_hook -dry-run -config "$CONF" prestart
expect_stdout 'dropped: NVIDIA_REQUIRE_JETPACK="csv-mounts=all": not a requirement'
expect_stdout 'dropped: NVIDIA_REQUIRE_JETPACK_HOST_MOUNTS="x": not a requirement'
end

# ---------------------------------------------------------------- the runtime mode
for m in cdi jit-cdi csv; do
        begin "mode = $m: the hook refuses with one line"
        spec "$V"
        hookconf '[nvidia-container-runtime]' "mode = \"$m\""
        run_hook
        expect_error "refusing to inject GPUs: nvidia-container-runtime.mode is \"$m\" in \"$CONF\", where nvidia-container-runtime injects them itself; remove this hook"
        run_hook -dry-run -config "$CONF" prestart
        expect_error "refusing to inject GPUs"
        end

        begin "mode = $m with skip-mode-detection = true: the hook acts"
        spec "$V"
        hookconf '[nvidia-container-runtime]' "mode = \"$m\"" '[nvidia-container-runtime-hook]' 'skip-mode-detection = true'
        run_hook
        expect_exec --load-kmods configure --device=0 "${DEFAULT_CAPS[@]}" "${END[@]}"
        run_hook -dry-run -config "$CONF" prestart
        expect_stdout "runtime-mode: \"$m\": not checked, [nvidia-container-runtime-hook] skip-mode-detection = true"
        end
done

for m in legacy auto; do
        begin "mode = $m: the hook acts"
        spec "$V"
        hookconf '[nvidia-container-runtime]' "mode = \"$m\""
        run_hook
        expect_exec --load-kmods configure --device=0 "${DEFAULT_CAPS[@]}" "${END[@]}"
        run_hook -dry-run -config "$CONF" prestart
        expect_stdout "runtime-mode: \"$m\": the hook acts in legacy and auto modes"
        end
done

begin "an unknown mode is an error naming it"
spec "$V"
hookconf '[nvidia-container-runtime]' 'mode = "magic"'
run_hook
expect_error "invalid nvidia-container-runtime.mode \"magic\" in \"$CONF\": expected auto, legacy, cdi, jit-cdi or csv"
end

begin "mode = cdi: a container without GPUs is left alone"
spec '"PATH=/bin"'
hookconf '[nvidia-container-runtime]' 'mode = "cdi"'
run_hook
expect_rc 0; expect_no_exec
end

# ---------------------------------------------------------------- -dry-run, all at once
begin "-dry-run shows where each new value came from and what was dropped"
spec "$V"',"NVIDIA_IMEX_CHANNELS=4","NVIDIA_REQUIRE_JETPACK=x"' "$PRIV" "[$(devnull_mount $DEVROOT/imex/1)]"
printf '%s\n' 'accept-nvidia-visible-devices-as-volume-mounts = true' \
        'supported-driver-capabilities = "compute"' \
        "[nvidia-container-cli]" "path = \"$FAKE_CLI\"" \
        '[nvidia-container-runtime]' 'mode = "legacy"' \
        '[nvidia-container-runtime.modes.legacy]' 'cuda-compat-mode = "mount"' > "$CONF"
run_hook_with NVIDIA_CTK_CONFIG_FILE_PATH="$CONF" -- -dry-run prestart
expect_rc 0; expect_no_exec
expect_stdout "config: $CONF (\$NVIDIA_CTK_CONFIG_FILE_PATH)"
expect_stdout "imex-channels: 1 (1 volume mount(s) under $DEVROOT/imex/)"
expect_stdout 'dropped: NVIDIA_IMEX_CHANNELS="4": the channels requested by volume mounts take precedence'
expect_stdout "capabilities: compute (default: NVIDIA_DRIVER_CAPABILITIES unset, within supported-driver-capabilities compute)"
expect_stdout "dropped: driver capabilities utility: not in supported-driver-capabilities (compute)"
expect_stdout 'runtime-mode: "legacy": the hook acts in legacy and auto modes'
expect_stdout 'cuda-compat-mode: mount (nvidia-container-runtime.modes.legacy.cuda-compat-mode = "mount")'
expect_stdout 'dropped: NVIDIA_REQUIRE_JETPACK="x": not a requirement'
expect_stdout "argv[3]: --cuda-compat-mode=mount"
expect_stdout "argv[5]: --imex-channel=1"
end
