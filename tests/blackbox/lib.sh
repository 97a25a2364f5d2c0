# Helpers for the black-box tests: each case builds a bundle, runs the built
# hook against it with a test-double nvidia-container-cli, and asserts on
# the exit status, what the double recorded, and what the hook printed.
# shellcheck shell=bash

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIMEOUT=$(command -v timeout)
# Seconds one hook run may take (raised when the hook runs under valgrind).
T_LIMIT=${NVCT_TEST_TIMEOUT:-10}
FAKE_CLI="$HERE/fake-nvidia-container-cli"
PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()
CASE=""
CASE_OK=1
WORK=$(mktemp -d /tmp/nvct-blackbox.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Starts a case: a fresh bundle $B (with rootfs/), output dir $OUT, a hook
# config $CONF whose CLI path is the double.
begin() {
        CASE="$1"
        CASE_OK=1
        T="$WORK/$(printf '%03d' $((PASSED + FAILED)))"
        mkdir -p "$T/bundle/rootfs" "$T/out"
        B="$T/bundle"
        OUT="$T/out"
        CONF="$T/config.toml"
        STATE="{\"pid\":4242,\"bundle\":\"$B\"}"
        END=(--pid=4242 "$B/rootfs")
        printf '[nvidia-container-cli]\npath = "%s"\n' "$FAKE_CLI" > "$CONF"
}

check() { # check CONDITION-DESCRIPTION: records a failed assertion
        CASE_OK=0
        echo "  FAIL [$CASE]: $*" >&2
}

end() {
        if [ "$CASE_OK" = 1 ]; then
                PASSED=$((PASSED + 1))
                [ -n "${VERBOSE:-}" ] && echo "ok - $CASE"
        else
                FAILED=$((FAILED + 1))
                FAILED_NAMES+=("$CASE")
                echo "not ok - $CASE" >&2
                [ -f "$T/stderr" ] && sed 's/^/    stderr: /' "$T/stderr" >&2
        fi
        return 0
}

# hookconf [TOML...]: the config, with the double's path, plus extra lines.
# Lines before the first [table] go to the top level.
hookconf() {
        { printf '%s\n' "$@"; printf '[nvidia-container-cli]\npath = "%s"\n' "$FAKE_CLI"; } > "$CONF"
}

# spec ENV_JSON [CAPS_JSON] [MOUNTS_JSON] [OCI_VERSION]: writes config.json.
spec() {
        local env="$1" caps="${2:-}" mounts="${3:-[]}" version="${4:-1.0.2}"
        local process="\"env\":[$env]"
        [ -n "$caps" ] && process="$process,\"capabilities\":$caps"
        printf '{"ociVersion":"%s","process":{%s},"root":{"path":"rootfs"},"mounts":%s}\n' \
                "$version" "$process" "$mounts" > "$B/config.json"
}

raw_spec() { printf '%s' "$1" > "$B/config.json"; }

PRIV='{"bounding":["CAP_CHOWN","CAP_SYS_ADMIN"],"effective":["CAP_SYS_ADMIN"]}'
UNPRIV='{"bounding":["CAP_CHOWN","CAP_NET_RAW"],"effective":["CAP_CHOWN"]}'

# run_hook [FLAGS...] [COMMAND]: runs the hook in the bundle directory (as
# runc does) with $STATE on stdin; default flags: -config $CONF prestart.
run_hook() {
        rm -f "$OUT/argv" "$OUT/env"
        local args=("$@")
        [ ${#args[@]} -eq 0 ] && args=(-config "$CONF" prestart)
        (cd "$B" && printf '%s' "$STATE" | NVCT_TEST_OUT="$OUT" "$TIMEOUT" "$T_LIMIT" "$HOOK" "${args[@]}" \
                > "$T/stdout" 2> "$T/stderr")
        RC=$?
}

# run_hook_measured [FLAGS...]: run_hook, also recording the hook's peak
# resident memory (KiB, /usr/bin/time) for expect_peak_rss_below.
run_hook_measured() {
        rm -f "$T/rss"
        local args=("$@")
        [ ${#args[@]} -eq 0 ] && args=(-config "$CONF" prestart)
        (cd "$B" && printf '%s' "$STATE" | NVCT_TEST_OUT="$OUT" "$TIMEOUT" "$T_LIMIT" \
                /usr/bin/time -f %M -o "$T/rss" "$HOOK" "${args[@]}" > "$T/stdout" 2> "$T/stderr")
        RC=$?
}

# expect_peak_rss_below MIB: the measured run stayed under MIB MiB. Under
# valgrind or a sanitizer the hook's memory is theirs: the figure is checked
# in the native pass of the same `make test`, and the case's other checks
# still run.
RSS_MEASURABLE=1
if [ -n "${NVCT_UNDER_VALGRIND:-}" ] || grep -q __asan_init "$HOOK" 2> /dev/null; then
        RSS_MEASURABLE=
fi
expect_peak_rss_below() {
        [ -z "$RSS_MEASURABLE" ] && return 0
        local kib
        kib=$(tail -n 1 "$T/rss" 2> /dev/null)
        [[ $kib =~ ^[0-9]+$ ]] || { check "no peak RSS recorded"; return; }
        [ "$kib" -lt $(($1 * 1024)) ] || check "peak RSS $kib KiB, expected under $1 MiB"
}

expect_rc() {
        [ "$RC" = "$1" ] || check "exit status $RC, expected $1"
}

# expect_argv ARG...: the double got exactly these arguments (after argv[0]).
expect_argv() {
        if [ ! -f "$OUT/argv" ]; then
                check "the CLI was not executed"
                return
        fi
        local want
        want=$(printf '%s\n' "$@")
        local got
        got=$(tail -n +2 "$OUT/argv")
        if [ "$got" != "$want" ]; then
                check "argv differs"
                diff <(echo "$want") <(echo "$got") | sed 's/^/    /' >&2
        fi
}

# expect_exec ARG...: status 0 and exactly these arguments.
expect_exec() {
        expect_rc 0
        expect_argv "$@"
}

expect_argv0() {
        [ -f "$OUT/argv" ] && [ "$(head -n 1 "$OUT/argv")" = "$1" ] ||
                check "argv[0] is '$(head -n 1 "$OUT/argv" 2>/dev/null)', expected '$1'"
}

expect_no_exec() {
        [ ! -f "$OUT/argv" ] || check "the CLI was executed: $(tr '\n' ' ' < "$OUT/argv")"
}

expect_stderr() { # a fixed string the hook's stderr must contain
        grep -qF -- "$1" "$T/stderr" || check "stderr lacks '$1': $(head -c 300 "$T/stderr")"
}

expect_stdout() {
        grep -qF -- "$1" "$T/stdout" || check "stdout lacks '$1'"
}

expect_one_error_line() {
        local n
        n=$(wc -l < "$T/stderr")
        [ "$n" = 1 ] || check "stderr has $n lines, expected one error line"
        grep -q '^nvidia-container-runtime-hook: ' "$T/stderr" ||
                check "error line does not start with 'nvidia-container-runtime-hook: '"
}

# expect_error STATUS TEXT: fails with one line naming TEXT, and execs nothing.
expect_error() {
        expect_rc 1
        expect_no_exec
        expect_one_error_line
        expect_stderr "$1"
}

expect_env() { # the CLI's environment holds this NAME=VALUE line
        grep -qxF -- "$1" "$OUT/env" 2>/dev/null || check "CLI environment lacks '$1'"
}

expect_no_env() { # no CLI environment line starts with this
        ! grep -q "^$1" "$OUT/env" 2>/dev/null || check "CLI environment has '$1'"
}

ALL_CAPS=(--compute --compat32 --graphics --utility --video --display --ngx)
DEFAULT_CAPS=(--utility --compute)
ROOTFS_ARGS() { printf '%s\n' "--pid=4242" "$B/rootfs"; }

# native_only REASON: true (and the case is counted as skipped, visibly)
# when the hook runs under valgrind, whose own execve cannot survive a
# failing exec and whose preload shows in the environment the hook hands on.
# These cases still run natively in the same `make test`.
native_only() {
        [ -n "${NVCT_UNDER_VALGRIND:-}" ] || return 1
        SKIPPED=$((SKIPPED + 1))
        echo "SKIP [$CASE]: not under valgrind: $1"
        return 0
}

summary() {
        if [ "$SKIPPED" != 0 ]; then
                echo "blackbox: $PASSED passed, $FAILED failed, $SKIPPED skipped"
        else
                echo "blackbox: $PASSED passed, $FAILED failed"
        fi
        [ "$FAILED" = 0 ]
}
