# busybox_image OUT.tar NAME: write an OCI image layout archive (oci-layout, index.json,
# blobs/sha256/...) holding one uncompressed layer: /bin/busybox from Debian's
# busybox-static, a symlink per applet, /etc/passwd and /etc/group, and /tmp.  Offline:
# nothing is pulled.  `ctr images import` names it NAME (io.containerd.image.name);
# `podman load` from the org.opencontainers.image.ref.name annotation.
# Returns 1 if /bin/busybox is missing or is not the static build.
busybox_image() {
	local out=$1 name=$2
	[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || return 1
	python3 - "$out" "$name" <<'PY'
import hashlib, io, json, os, subprocess, sys, tarfile

out, name = sys.argv[1], sys.argv[2]
applets = subprocess.run(["/bin/busybox", "--list-full"], check=True, capture_output=True,
                         text=True).stdout.split()

def entry(tf, path, kind, mode=0o755, data=b"", target=""):
    ti = tarfile.TarInfo(path)
    ti.type, ti.mode, ti.mtime = kind, mode, 0
    if kind == tarfile.SYMTYPE:
        ti.linkname = target
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    tf.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as tf:
    for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "root"):
        entry(tf, d, tarfile.DIRTYPE)
    entry(tf, "tmp", tarfile.DIRTYPE, 0o1777)
    with open("/bin/busybox", "rb") as f:
        entry(tf, "bin/busybox", tarfile.REGTYPE, 0o755, f.read())
    for a in sorted(set(applets)):
        if a != "bin/busybox":
            entry(tf, a, tarfile.SYMTYPE, target="/bin/busybox")
    entry(tf, "etc/passwd", tarfile.REGTYPE, 0o644, b"root:x:0:0:root:/root:/bin/sh\n")
    entry(tf, "etc/group", tarfile.REGTYPE, 0o644, b"root:x:0:\n")
layer = layer.getvalue()

blobs = {}
def blob(data, media):
    d = hashlib.sha256(data).hexdigest()
    blobs[d] = data
    return {"mediaType": media, "digest": "sha256:" + d, "size": len(data)}

dump = lambda o: json.dumps(o, sort_keys=True, separators=(",", ":")).encode()
ldesc = blob(layer, "application/vnd.oci.image.layer.v1.tar")
config = {"architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z",
          "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]},
          "rootfs": {"type": "layers", "diff_ids": [ldesc["digest"]]}}
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": blob(dump(config), "application/vnd.oci.image.config.v1+json"),
            "layers": [ldesc]}
mdesc = blob(dump(manifest), "application/vnd.oci.image.manifest.v1+json")
ref = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else "latest"
mdesc["annotations"] = {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": ref}
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [mdesc]}

with tarfile.open(out, "w") as tf:
    entry(tf, "oci-layout", tarfile.REGTYPE, 0o644, dump({"imageLayoutVersion": "1.0.0"}))
    entry(tf, "index.json", tarfile.REGTYPE, 0o644, dump(index))
    entry(tf, "blobs", tarfile.DIRTYPE)
    entry(tf, "blobs/sha256", tarfile.DIRTYPE)
    for d, data in blobs.items():
        entry(tf, "blobs/sha256/" + d, tarfile.REGTYPE, 0o644, data)
PY
}
