# shellcheck shell=bash
# A fake GPU host (tests/cdi/make-host) and the checks a container runs from
# inside to prove it got the devices, libraries and environment it asked for.
# Sourced; needs TOP (the checkout) and python3.
#
#   fake_gpu_host HOSTFILE DEST BUILDDIR     builds the fake host at DEST with
#                                            BUILDDIR's fake NVML
#   fake_gpu_driver HOSTFILE                 the host's driver version
#   fake_gpu_state DEST                      a listing of the fake host (and
#                                            its ld.so.cache's digest): the
#                                            same before and after a container
#   fake_gpu_nodes SPEC NAME...              the char device nodes a container
#                                            given devices NAME... of the CDI
#                                            spec SPEC (JSON) must see, exactly:
#                                            "PATH MAJOR:MINOR" (hex, as busybox
#                                            stat %t:%T), sorted
#   fake_gpu_script DRIVER MODE              the container's check script
#                                            (sh): MODE cdi checks the driver's
#                                            libraries, links, ld cache and
#                                            NVIDIA_VISIBLE_DEVICES=void; MODE
#                                            none checks nothing of the driver;
#                                            both print every /dev/nvidia* node
#   fake_gpu_verdict OUT MODE NODES          what is wrong in the output OUT of
#                                            that script, given the expected
#                                            NODES file; prints nothing if all
#                                            is well

FAKE_GPU_LIB=/usr/lib/x86_64-linux-gnu

fake_gpu_host() { # fake_gpu_host HOSTFILE DEST BUILDDIR
        local nvml="" f
        for f in "$3"/tests/cdi/libnvidia-ml.so*; do
                [ -f "$f" ] && nvml=$f && break
        done
        [ -n "$nvml" ] || { echo "no fake NVML in $3/tests/cdi" >&2; return 1; }
        FAKE_NVML_LIB=$nvml "$TOP/tests/cdi/make-host" "$1" "$2"
}

fake_gpu_driver() {
        sed -n 's/^driver \([^ #]*\).*/\1/p' "$1" | head -n 1
}

fake_gpu_state() {
        (cd "$1" && find . -printf '%p %y %m %s %l\n' | LC_ALL=C sort && md5sum etc/ld.so.cache)
}

fake_gpu_nodes() { # fake_gpu_nodes SPEC NAME...
        python3 - "$@" << 'EOF'
import json, sys
spec = json.load(open(sys.argv[1]))
want = set(sys.argv[2:])
edits = [spec.get("containerEdits", {})]
edits += [d["containerEdits"] for d in spec["devices"] if d["name"] in want]
missing = want - {d["name"] for d in spec["devices"]}
if missing:
    sys.exit("fake_gpu_nodes: no device %s in %s" % (sorted(missing), sys.argv[1]))
nodes = set()
for e in edits:
    for n in e.get("deviceNodes", []):
        nodes.add("%s %x:%x" % (n["path"], n["major"], n["minor"]))
print("\n".join(sorted(nodes)))
EOF
}

fake_gpu_script() { # fake_gpu_script DRIVER MODE
        local driver=$1 lib=$FAKE_GPU_LIB
        # shellcheck disable=SC2016 # expanded by the container's shell
        echo 'c() { if eval "$2"; then echo "ok $1"; else echo "bad $1"; fi; }
for f in /dev/nvidia* /dev/nvidia-caps/*; do [ -c "$f" ] && echo "node $f $(stat -c %t:%T "$f")"; done
echo "env NVIDIA_VISIBLE_DEVICES=${NVIDIA_VISIBLE_DEVICES-unset}"'
        [ "$2" = cdi ] || return 0
        cat << EOS
c libcuda '[ -f $lib/libcuda.so.$driver ]'
c read-only '! touch $lib/libcuda.so.$driver 2>/dev/null'
c soname-link '[ "\$(readlink $lib/libcuda.so.1)" = libcuda.so.$driver ]'
c dev-link '[ "\$(readlink $lib/libcuda.so)" = libcuda.so.1 ]'
c ld-cache 'grep -q libcuda.so.1 /etc/ld.so.cache'
c ld-cache-path 'grep -q $lib/libcuda.so.1 /etc/ld.so.cache'
c visible-void '[ "\$NVIDIA_VISIBLE_DEVICES" = void ]'
c smi '[ -f /usr/bin/nvidia-smi ]'
c persistenced-socket '[ -S /run/nvidia-persistenced/socket ]'
EOS
}

fake_gpu_verdict() { # fake_gpu_verdict OUT MODE NODES
        local out=$1 n got
        grep '^bad ' "$out"
        if [ "$2" = cdi ]; then
                for n in libcuda read-only soname-link dev-link ld-cache ld-cache-path visible-void \
                        smi persistenced-socket; do
                        grep -qxE "(ok|bad) $n" "$out" || echo "missing $n"
                done
        fi
        got=$(sed -n 's/^node //p' "$out" | LC_ALL=C sort)
        if [ "$got" != "$(cat "$3")" ]; then
                echo "device nodes differ (- expected, + seen in the container):"
                diff <(cat "$3") <(echo "$got") | sed -n 's/^</  -/p; s/^>/  +/p'
        fi
}
