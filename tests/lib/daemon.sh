# shellcheck shell=bash
# Container engine daemons (containerd, dockerd) started by a test, on
# private sockets and directories, in a private mount namespace. Sourced.
#
# containerd 1.6's shims put their sockets in /run/containerd/s whatever the
# configuration says, and dockerd 20.10 writes /etc/docker/key.json and
# /run/docker/plugins the same way: a daemon started here runs in a mount
# namespace of its own (private propagation) with a fresh tmpfs on /run, on
# /etc/docker and on /opt (the containerd dockerd starts itself, with no
# --containerd, makes /opt/containerd for its opt plugin), so nothing it
# writes there reaches the host; the mounts it
# makes (rootfs, shm) die with the namespace. /etc/docker is made (and
# removed at daemon_ns_cleanup) only where the host lacks it, as the
# mountpoint of that tmpfs.
#
#   daemon_ns_start LOG CMD...    starts CMD in such a namespace, in the
#                                 background; DAEMON_PID is its pid (CMD is
#                                 exec'd: the pid is the daemon's own)
#   daemon_ns_join PID LOG CMD... starts CMD in the background in the mount
#                                 namespace of the daemon PID; DAEMON_PID
#   daemon_wait_socket PATH PID SECONDS
#                                 waits until the unix socket PATH exists;
#                                 fails early when PID dies
#   daemon_stop PID [SECONDS]     SIGTERM, wait (default 15 s), SIGKILL, wait
#   daemon_ns_cleanup             removes the /etc/docker it made, if empty
#   daemon_host_dirs              a listing of the host directories a daemon
#                                 must not touch (the same before and after)

DAEMON_PID=""
DAEMON_MADE_ETC_DOCKER=""

daemon_ns_start() { # daemon_ns_start LOG CMD...
        local log=$1
        shift
        if [ ! -e /etc/docker ]; then
                mkdir /etc/docker && DAEMON_MADE_ETC_DOCKER=1
        fi
        # shellcheck disable=SC2016 # $0 and $@ are the inner shell's
        unshare --mount --propagation private /bin/sh -c \
                'mount -t tmpfs -o mode=755 nvct-private-run /run &&
                 mount -t tmpfs -o mode=755 nvct-private-etc-docker /etc/docker &&
                 mount -t tmpfs -o mode=755 nvct-private-opt /opt &&
                 exec "$0" "$@"' "$@" > "$log" 2>&1 < /dev/null &
        # shellcheck disable=SC2034 # the caller's
        DAEMON_PID=$!
}

daemon_ns_join() { # daemon_ns_join PID LOG CMD...
        local pid=$1 log=$2
        shift 2
        nsenter --mount="/proc/$pid/ns/mnt" -- "$@" > "$log" 2>&1 < /dev/null &
        # shellcheck disable=SC2034 # the caller's
        DAEMON_PID=$!
}

daemon_wait_socket() { # daemon_wait_socket PATH PID SECONDS
        local i
        for ((i = 0; i < $3 * 10; i++)); do
                [ -S "$1" ] && return 0
                kill -0 "$2" 2> /dev/null || return 1
                sleep 0.1
        done
        return 1
}

daemon_stop() { # daemon_stop PID [SECONDS]
        local pid=$1 i
        [ -n "$pid" ] || return 0
        kill -TERM "$pid" 2> /dev/null || return 0
        for ((i = 0; i < ${2:-15} * 10; i++)); do
                kill -0 "$pid" 2> /dev/null || break
                sleep 0.1
        done
        kill -KILL "$pid" 2> /dev/null
        wait "$pid" 2> /dev/null
        return 0
}

daemon_ns_cleanup() {
        [ -n "$DAEMON_MADE_ETC_DOCKER" ] && rmdir /etc/docker 2> /dev/null
        DAEMON_MADE_ETC_DOCKER=""
}

daemon_host_dirs() {
        local d
        for d in /run/containerd /run/docker /var/lib/docker /var/lib/containerd /opt/containerd \
                /etc/docker /etc/containerd /var/run/cdi /etc/cdi; do
                if [ -e "$d" ]; then
                        # other suites write nvct-e2e-* specs into /var/run/cdi
                        # while they run: not ours to judge
                        find "$d" -printf '%p %y\n' | grep -v '/nvct-e2e-' | LC_ALL=C sort
                else
                        echo "$d absent"
                fi
        done
}
