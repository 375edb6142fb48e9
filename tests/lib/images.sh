# Offline test images for the images tests and bench (issue 16): nothing is pulled, no
# registry.  Source after sandbox.sh or sandbox_pid.sh (podman's private directories are
# tmpfs mounts of the sandbox's mount namespace).
#
#   img_podman_setup DIR [DRIVER]  podman 4.3 with its own containers.conf and storage under
#                                  DIR (no service, no network); defines `pm` (podman) and
#                                  img_podman_reset (its storage and mounts gone)
#   img_busybox_rootfs_tar OUT     a rootfs tar: static busybox, an applet link each, /etc
#   img_docker_archive OUT REF CONFIG_JSON LAYER.tar...
#                                  a `docker save` archive of those layers (python3 tarfile)
#   img_layer_tar OUT SPEC...      a layer tar from SPEC lines (file/dir/whiteout/opaque)
#   img_big_layers DIR MB          three or four layers, about MB in all, for the bench
#
# The podman half needs podman and runc (TEST_DEBS); every function returns non-zero when
# its tool is missing so that the caller can skip, saying which.

# img_podman_setup DIR [DRIVER]: DRIVER vfs (default: works on every file system) or
# overlay (what podman uses on a real host: the bench).
img_podman_setup() {
	IMG_PM_DIR=$1
	local driver=${2:-vfs} d
	command -v podman >/dev/null || return 1
	mkdir -p "$IMG_PM_DIR"/{tmp,root,runroot}
	# What podman writes outside its configured directories (blob-info cache, short-name
	# alias lock, temporary copies) goes to tmpfs mounts of this mount namespace.
	for d in /var/lib/containers /var/cache/containers /var/tmp; do
		if [ -d "$d" ]; then
			mountpoint -q "$d" || mount -t tmpfs -o mode=0700 nr-img "$d"
		else
			mountpoint -q "$(dirname "$d")" || mount -t tmpfs -o mode=0755 nr-img "$(dirname "$d")"
		fi
	done
	cat >"$IMG_PM_DIR/containers.conf" <<-EOF
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$IMG_PM_DIR/events.log"
		tmp_dir = "$IMG_PM_DIR/tmp"
		image_copy_tmp_dir = "$IMG_PM_DIR/tmp"
		# crun refuses this machine's cgroup v1 + v2 hybrid; runc takes it.
		runtime = "runc"
		[network]
		network_backend = "cni"
		network_config_dir = "$IMG_PM_DIR/net.d"
	EOF
	cat >"$IMG_PM_DIR/storage.conf" <<-EOF
		[storage]
		driver = "$driver"
		runroot = "$IMG_PM_DIR/runroot"
		graphroot = "$IMG_PM_DIR/root"
	EOF
	mkdir -p "$IMG_PM_DIR/net.d"
	export CONTAINERS_CONF=$IMG_PM_DIR/containers.conf CONTAINERS_STORAGE_CONF=$IMG_PM_DIR/storage.conf
	export TMPDIR=$IMG_PM_DIR/tmp
}

# pm ARGS...: podman on the private storage.
pm() { podman "$@"; }

# img_podman_reset: every podman container and image gone, no mount of its storage left.
img_podman_reset() {
	[ -n "${IMG_PM_DIR:-}" ] || return 0
	podman rm -a -f -t 0 >/dev/null 2>&1
	podman system reset --force >/dev/null 2>&1
	grep -o " $IMG_PM_DIR/[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$IMG_PM_DIR"
}

# img_busybox_rootfs_tar OUT: static busybox, a link per applet, passwd/group, /tmp.
img_busybox_rootfs_tar() {
	[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || return 1
	python3 - "$1" <<'PY'
import io, subprocess, sys, tarfile
out = sys.argv[1]
applets = subprocess.run(["/bin/busybox", "--list-full"], check=True, capture_output=True, text=True).stdout.split()
def entry(tf, path, kind, mode=0o755, data=b"", target=""):
    ti = tarfile.TarInfo(path)
    ti.type, ti.mode, ti.mtime = kind, mode, 1767225600
    if kind == tarfile.SYMTYPE:
        ti.linkname = target
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    tf.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
    for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "root"):
        entry(tf, d, tarfile.DIRTYPE)
    entry(tf, "tmp", tarfile.DIRTYPE, 0o1777)
    with open("/bin/busybox", "rb") as f:
        entry(tf, "bin/busybox", tarfile.REGTYPE, 0o755, f.read())
    for a in sorted(set(applets)):
        if a != "bin/busybox":
            entry(tf, a, tarfile.SYMTYPE, target="/bin/busybox")
    entry(tf, "etc/passwd", tarfile.REGTYPE, 0o644, b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n")
    entry(tf, "etc/group", tarfile.REGTYPE, 0o644, b"root:x:0:\nnobody:x:65534:\n")
PY
}

# img_layer_tar OUT SPEC...: a layer tar, entries in the OCI form, written explicitly:
#   d:PATH          a directory
#   f:PATH=TEXT     a file holding TEXT and a newline
#   w:PATH          a whiteout: PATH deleted (written as DIR/.wh.NAME)
#   o:PATH          an opaque directory: PATH/ and PATH/.wh..wh..opq
img_layer_tar() {
	python3 - "$@" <<'PY'
import io, os, sys, tarfile
out, specs = sys.argv[1], sys.argv[2:]
def entry(tf, path, kind, mode=0o755, data=b""):
    ti = tarfile.TarInfo(path)
    ti.type, ti.mode, ti.mtime = kind, mode, 1767225600
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    tf.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
    for s in specs:
        k, arg = s.split(":", 1)
        if k == "d":
            entry(tf, arg, tarfile.DIRTYPE)
        elif k == "f":
            p, text = arg.split("=", 1)
            entry(tf, p, tarfile.REGTYPE, 0o644, (text + "\n").encode())
        elif k == "w":
            d, n = os.path.split(arg)
            entry(tf, os.path.join(d, ".wh." + n), tarfile.REGTYPE, 0o644)
        elif k == "o":
            entry(tf, arg, tarfile.DIRTYPE)
            entry(tf, arg + "/.wh..wh..opq", tarfile.REGTYPE, 0o644)
PY
}

# img_docker_archive OUT REF CONFIG_JSON LAYER.tar...: `docker save`'s layout
# (manifest.json, repositories, CONFIG.json, HEX/layer.tar), layers bottom first, each
# uncompressed.  CONFIG_JSON is the config's "config" object (Cmd, Env ...).
img_docker_archive() {
	python3 - "$@" <<'PY'
import hashlib, io, json, sys, tarfile
out, ref, cfg, layers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4:]
def entry(tf, path, data=None, path_on_disk=None):
    if path_on_disk:
        tf.add(path_on_disk, arcname=path)
        return
    ti = tarfile.TarInfo(path)
    ti.mode, ti.mtime, ti.size = 0o644, 1767225600, len(data)
    tf.addfile(ti, io.BytesIO(data))
diff_ids = []
for l in layers:
    h = hashlib.sha256()
    with open(l, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    diff_ids.append(h.hexdigest())
config = {"architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z", "config": cfg,
          "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for d in diff_ids]},
          "history": [{"created": "2026-01-01T00:00:00Z", "created_by": "tests/lib/images.sh"} for _ in layers]}
cdata = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
cname = hashlib.sha256(cdata).hexdigest() + ".json"
repo, tag = ref.rsplit(":", 1)
with tarfile.open(out, "w") as tf:
    entry(tf, cname, cdata)
    for d, l in zip(diff_ids, layers):
        entry(tf, d + "/layer.tar", path_on_disk=l)
    entry(tf, "manifest.json", json.dumps([{"Config": cname, "RepoTags": [ref],
          "Layers": [d + "/layer.tar" for d in diff_ids]}]).encode())
    entry(tf, "repositories", json.dumps({repo: {tag: diff_ids[-1]}}).encode())
PY
}

# img_big_layers DIR MB: the bench's layers in DIR (layer1.tar ... layer4.tar), about MB
# in all: random bytes (incompressible: what a compiled program looks like to gzip) and
# text (compressible), many small files and a few big ones, as a distribution's image.
img_big_layers() {
	python3 - "$1" "$2" <<'PY'
import io, os, random, sys, tarfile
out, mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(16)
def entry(tf, path, kind, data=b""):
    ti = tarfile.TarInfo(path)
    ti.type, ti.mode, ti.mtime = kind, 0o755 if kind == tarfile.DIRTYPE else 0o644, 1767225600
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    tf.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
words = [bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9))) for _ in range(2000)]
def text(n):
    b = bytearray()
    while len(b) < n:
        b += rnd.choice(words) + (b"\n" if rnd.random() < 0.1 else b" ")
    return bytes(b[:n])
# (share of the total, directory, files, incompressible?)
plan = [(0.40, "usr/lib/big", 8, True), (0.25, "usr/share/doc", 1500, False),
        (0.20, "opt/app/bin", 40, True), (0.15, "opt/app/data", 400, False)]
for i, (share, d, nfiles, rand) in enumerate(plan, 1):
    size = int(mb * share * (1 << 20)) // nfiles
    with tarfile.open(os.path.join(out, "layer%d.tar" % i), "w", format=tarfile.PAX_FORMAT) as tf:
        parts = d.split("/")
        for j in range(1, len(parts) + 1):
            entry(tf, "/".join(parts[:j]), tarfile.DIRTYPE)
        for k in range(nfiles):
            entry(tf, "%s/f%04d" % (d, k), tarfile.REGTYPE, rnd.randbytes(size) if rand else text(size))
PY
}

# img_build_base DIR: podman's own busybox image, made offline: DIR/rootfs.tar imported as
# localhost/bb:1 (CMD sh), saved as DIR/bb-docker.tar (docker-archive: its layer.tar is
# a symbolic link to HEX.tar, as podman writes it) and DIR/bb-oci.tar (oci-archive: gzip
# layers).  Needs img_podman_setup first.
img_build_base() {
	local dir=$1
	img_busybox_rootfs_tar "$dir/rootfs.tar" || return 1
	pm import -q --change 'CMD ["sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
		"$dir/rootfs.tar" localhost/bb:1 >/dev/null || return 1
	pm save -q --format docker-archive -o "$dir/bb-docker.tar" localhost/bb:1 || return 1
	pm save -q --format oci-archive -o "$dir/bb-oci.tar" localhost/bb:1
}

# img_build_whiteout DIR: localhost/bbw:1 on localhost/bb:1, two more layers: the first adds
# /etc/gone, /etc/keep and /data/sub/a; the second deletes /etc/gone (a ".wh.gone") and
# replaces /data by a new directory holding only b (a ".wh..wh..opq": podman build on the
# overlay driver writes it).  Saved as DIR/bbw-docker.tar.  When podman build cannot run,
# the same layers are written with python3 tarfile, both whiteout kinds explicitly.
# IMG_WHITEOUT_BY says which made it.
img_build_whiteout() {
	local dir=$1
	mkdir -p "$dir/ctx"
	cat >"$dir/ctx/Containerfile" <<-'CF'
		FROM localhost/bb:1
		RUN mkdir -p /data/sub && echo old >/data/sub/a && echo keep >/etc/keep && echo gone >/etc/gone
		RUN rm /etc/gone && rm -rf /data && mkdir /data && echo new >/data/b
	CF
	if pm build -q --network none -t localhost/bbw:1 "$dir/ctx" >/dev/null 2>"$dir/build.err" &&
		pm save -q --format docker-archive -o "$dir/bbw-docker.tar" localhost/bbw:1 &&
		img_archive_has_whiteouts "$dir/bbw-docker.tar"; then
		IMG_WHITEOUT_BY="podman build"
		return 0
	fi
	img_layer_tar "$dir/l2.tar" d:data d:data/sub f:data/sub/a=old d:etc f:etc/keep=keep f:etc/gone=gone &&
		img_layer_tar "$dir/l3.tar" d:etc w:etc/gone o:data f:data/b=new &&
		img_docker_archive "$dir/bbw-docker.tar" localhost/bbw:1 '{"Cmd":["sh"],"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}' \
			"$dir/rootfs.tar" "$dir/l2.tar" "$dir/l3.tar" || return 1
	IMG_WHITEOUT_BY="python3 tarfile (podman build failed: $(head -c 200 "$dir/build.err"))"
}

# img_archive_has_whiteouts FILE: the docker-archive FILE holds a ".wh.NAME" and a
# ".wh..wh..opq" in its layers.
img_archive_has_whiteouts() {
	python3 - "$1" <<'PY'
import io, sys, tarfile
kinds = set()
with tarfile.open(sys.argv[1]) as tf:
    for m in tf.getmembers():
        if m.isfile() and m.name.endswith(".tar"):
            with tarfile.open(fileobj=tf.extractfile(m)) as lt:
                for e in lt.getnames():
                    b = e.rsplit("/", 1)[-1]
                    kinds.add("opq" if b == ".wh..wh..opq" else "wh" if b.startswith(".wh.") else None)
sys.exit(0 if {"opq", "wh"} <= kinds else 1)
PY
}

# img_build_big DIR MB REF: a docker-archive DIR/big.tar named REF: the busybox rootfs and
# the layers of img_big_layers (MB in all), uncompressed as `docker save` writes them.
img_build_big() {
	local dir=$1 mb=$2 ref=$3
	mkdir -p "$dir/big"
	[ -s "$dir/rootfs.tar" ] || img_busybox_rootfs_tar "$dir/rootfs.tar" || return 1
	img_big_layers "$dir/big" "$mb" &&
		img_docker_archive "$dir/big.tar" "$ref" '{"Cmd":["sh"],"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}' \
			"$dir/rootfs.tar" "$dir"/big/layer*.tar
}
