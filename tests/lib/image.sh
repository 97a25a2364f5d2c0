# shellcheck shell=bash
# A container image from the host's static busybox, for the suites that run
# real engines without a network. Sourced.
#
#   image_rootfs DIR [APPLET...]   DIR/bin/busybox and links for the applets
#                                  (a default set when none is named), and
#                                  the directories and /etc files a runtime
#                                  and a shell expect
#   image_archive ROOTFS OUT REF   OUT: a `docker save` archive (manifest.json,
#                                  the image config, one layer) of ROOTFS,
#                                  tagged REF (NAME:TAG), for `ctr image
#                                  import` and `docker load`; digests made
#                                  with sha256sum

IMAGE_BUSYBOX=${IMAGE_BUSYBOX:-/bin/busybox}

image_rootfs() { # image_rootfs DIR [APPLET...]
        local dir=$1 a
        shift
        [ $# -gt 0 ] || set -- sh cat grep readlink stat test echo ls touch env true sleep find sed tr sort head
        mkdir -p "$dir"/{bin,dev,proc,sys,tmp,etc,root,var/run} || return 1
        cp "$IMAGE_BUSYBOX" "$dir/bin/busybox" || return 1
        for a in "$@"; do
                ln -sf busybox "$dir/bin/$a" || return 1
        done
        echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
        echo 'root:x:0:' > "$dir/etc/group"
}

image_archive() { # image_archive ROOTFS OUT REF
        local rootfs=$1 out=$2 ref=$3 tmp layer_sum config_sum
        tmp=$(mktemp -d "$(dirname "$out")/image.XXXXXX") || return 1
        tar -C "$rootfs" --numeric-owner -cf "$tmp/layer.tar" . || { rm -rf "$tmp"; return 1; }
        layer_sum=$(sha256sum < "$tmp/layer.tar" | cut -d' ' -f1)
        mkdir "$tmp/$layer_sum" && mv "$tmp/layer.tar" "$tmp/$layer_sum/layer.tar"
        printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
                "$layer_sum" > "$tmp/config.json"
        config_sum=$(sha256sum < "$tmp/config.json" | cut -d' ' -f1)
        mv "$tmp/config.json" "$tmp/$config_sum.json"
        printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
                "$config_sum" "$ref" "$layer_sum" > "$tmp/manifest.json"
        tar -C "$tmp" -cf "$out" manifest.json "$config_sum.json" "$layer_sum" || { rm -rf "$tmp"; return 1; }
        rm -rf "$tmp"
}
