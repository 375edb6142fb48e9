#!/bin/bash
# Image archives through the real CLI (issue 16): `load` of archives made here with
# python3 (docker save's legacy and Docker 25 layouts, the OCI layout, a gzip and a zstd
# outer file) and of hostile ones: a wrong digest, a truncated file, a manifest naming a
# missing blob, "../" and absolute names, a symlink out of the archive, a huge manifest,
# wrong JSON types, no manifest, schema 1, a foreign layer, more diff_ids than layers.
# Each is refused with exit 125 and a message saying why, and the store's tree is what it
# was (compared as a listing).  Then save: deterministic bytes, a round trip, and
# `save --since` refused where the base is missing, naming it.  In the sandbox with a
# private state directory; podman round trips are images_interop.sh's.
source "$(dirname "$0")/../lib/sandbox.sh"
source "$(dirname "$0")/../lib/t.sh"
source "$(dirname "$0")/../lib/runtime.sh"

if [ ! -x "$NR" ]; then t_skip "image archives" "netns-run not built"; t_done; exit; fi
T=/run/archives
mkdir -p "$T"
STORE=$NETNS_RUN_STATE_DIR/images

# mk KIND OUT: write an archive of that kind (see the cases below).
mk() {
	python3 - "$1" "$2" <<'PY'
import gzip, hashlib, io, json, sys, tarfile

kind, out = sys.argv[1], sys.argv[2]
sha = lambda b: "sha256:" + hashlib.sha256(b).hexdigest()

def tar(entries, mode="w"):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.PAX_FORMAT) as tf:
        for name, data, *rest in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 0
            if rest and rest[0] == "symlink":
                ti.type, ti.linkname = tarfile.SYMTYPE, data
                tf.addfile(ti)
            else:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()

def layer(i, size=0):
    return tar([("f%d" % i, ("%s layer %d\n" % (kind, i)).encode() + b"x" * size)])

layers = [layer(0, 200000), layer(1)]
if kind == "gzlayer":
    layers[1] = gzip.compress(layers[1], mtime=0)
diffs = [sha(l) for l in layers[:1]] + [sha(layer(1))]
config = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05Z",
                     "config": {"Cmd": ["sh"]}, "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()
if kind == "moreids":
    config = json.dumps({"rootfs": {"type": "layers", "diff_ids": diffs + [diffs[0]]}}).encode()
ltype = ["application/vnd.oci.image.layer.v1.tar",
         "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if kind == "gzlayer" else "")]
if kind == "foreign":
    ltype[1] = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(config), "size": len(config)},
                       "layers": [{"mediaType": t, "digest": sha(l), "size": len(l)} for t, l in zip(ltype, layers)]}).encode()
mtype = "application/vnd.oci.image.manifest.v1+json"
if kind == "schema1":
    mtype = "application/vnd.docker.distribution.manifest.v1+prettyjws"
index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": mtype, "digest": sha(manifest), "size": len(manifest),
                    "annotations": {"io.containerd.image.name": "docker.io/library/%s:1" % kind, "org.opencontainers.image.ref.name": "1"}}]}).encode()
blob = lambda b: "blobs/sha256/" + hashlib.sha256(b).hexdigest()
layer_paths = [blob(l) for l in layers]
if kind == "legacy":
    layer_paths = ["aaa/layer.tar", "bbb/layer.tar"]
mj = [{"Config": blob(config), "RepoTags": ["%s:1" % kind], "Layers": layer_paths}]
entries = [(blob(config), config)] + [(p, l) for p, l in zip(layer_paths, layers)] + [(blob(manifest), manifest)]
if kind == "wrongdigest":
    entries[2] = (entries[2][0], layer(7))                 # layer 1's bytes are another layer's
if kind == "missing":
    del entries[2]                                          # layer 1 named but absent
if kind == "dotdot":
    mj[0]["Layers"][1] = "../evil.tar"
    entries += [("../evil.tar", layers[1]), ("/abs-evil", b"x"), ("a/../../evil2", b"x")]
if kind == "symlink":
    mj[0]["Layers"][1] = "lnk"
    entries += [("lnk", "../../../../etc/passwd", "symlink")]
meta = [("index.json", index), ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')]
if kind not in ("oci", "schema1", "foreign"):
    meta.append(("manifest.json", json.dumps(mj).encode()))
if kind == "huge":
    meta = [("manifest.json", b"[" + b" " * (17 << 20) + b"]")]
if kind == "types":
    meta = [("manifest.json", b'[{"Config": 5, "Layers": "x"}]')]
if kind == "nomanifest":
    meta = []
data = tar(entries + meta)
if kind == "outergz":
    data = gzip.compress(data, mtime=0)
if kind == "truncated":
    data = data[: len(data) // 3]
open(out, "wb").write(data)
PY
}

# The store's files and layer directories (the layout's own directories are made on first
# use, even by a load that is then refused).
listing() {
	find "$STORE" -path "$STORE/tmp" -prune -o ! -name lock \( ! -type d -o -path "$STORE/layers/*" \) \
		-printf '%P %y %s\n' 2>/dev/null | sort
}

# refused KIND WANT...: load of that archive exits 125 with each WANT in its message; the
# store is unchanged.
refused() {
	local kind=$1 before out rc
	shift
	mk "$kind" "$T/$kind.tar" || { t_fail "make $kind"; return; }
	before=$(listing)
	out=$("$NR" load -i "$T/$kind.tar" 2>&1)
	rc=$?
	t_eq "$kind: load refused (125)" "$rc" 125
	for w in "$@"; do
		grep -qF -- "$w" <<<"$out" && t_ok "$kind: says '$w'" || t_fail "$kind: says '$w'" "$out"
	done
	t_eq "$kind: the store is as it was" "$(listing)" "$before"
}

loads() {
	local kind=$1 want=$2 out
	mk "$kind" "$T/$kind.tar" || { t_fail "make $kind"; return; }
	out=$("$NR" load -i "$T/$kind.tar" 2>&1)
	t_eq "$kind: $want" "$out" "$want"
}

# --- good archives ---
loads docker "Loaded image: docker:1"
loads legacy "Loaded image: legacy:1"
loads oci "Loaded image: oci:1"
loads gzlayer "Loaded image: gzlayer:1"
loads outergz "Loaded image: outergz:1"
if command -v zstd >/dev/null; then
	mk docker "$T/z.tar" && zstd -q -f "$T/z.tar" -o "$T/z.tar.zst"
	t_eq "a zstd-compressed archive loads" "$("$NR" load -i "$T/z.tar.zst" 2>&1)" "Loaded image: docker:1"
else
	t_skip "a zstd-compressed archive loads" "no zstd(1)"
fi
t_eq "a file of every layer is there" "$(cat "$STORE"/layers/*/diff/f1 | sort -u | tr '\n' ' ')" \
	"docker layer 1 gzlayer layer 1 legacy layer 1 oci layer 1 outergz layer 1 "

# --- hostile archives ---
refused wrongdigest "digest mismatch: expected sha256:"
refused truncated "truncated"
refused missing "is not in the archive"
refused dotdot "layer ../evil.tar" "is not in the archive"
t_check "no file appeared outside the archive's place" test ! -e /run/evil.tar -a ! -e /abs-evil -a ! -e /run/evil2
refused symlink "layer lnk" "is not in the archive"
refused huge "more than the 16777216 allowed"
refused types "'Config' must be a string"
refused nomanifest "no manifest.json or index.json"
refused schema1 "Docker schema 1"
refused foreign "foreign layer"
refused moreids "more diff_ids than layers"
printf 'not a tar at all' >"$T/junk"
t_eq "junk: refused (125)" "$("$NR" load -i "$T/junk" >/dev/null 2>&1; echo $?)" 125

# --- save ---
"$NR" save -o "$T/s1.tar" docker:1 && "$NR" save -o "$T/s2.tar" docker:1
t_check "save twice: the same bytes" cmp "$T/s1.tar" "$T/s2.tar"
t_eq "save: Docker 25's layout, sorted" "$(tar -tf "$T/s1.tar" | sed 's,blobs/sha256/[0-9a-f]\{64\}$,BLOB,' | uniq | tr '\n' ' ')" \
	"blobs/ blobs/sha256/ BLOB index.json manifest.json oci-layout repositories "
t_eq "save: RepoTags as docker writes them" "$(tar -xOf "$T/s1.tar" manifest.json | jq -c '.[0].RepoTags')" '["docker:1"]'
"$NR" save --format oci -o "$T/o.tar" gzlayer:1
t_eq "save --format oci: no manifest.json" "$(tar -tf "$T/o.tar" | grep -c manifest.json)" 0
t_eq "... the name in index.json" "$(tar -xOf "$T/o.tar" index.json | jq -r '.manifests[0].annotations["io.containerd.image.name"]')" \
	docker.io/library/gzlayer:1
"$NR" tag docker:1 base:1
mk docker "$T/d.tar"
# app:1 = docker:1's layers + one more: made by import of a layer and a handmade config is
# more than this test needs; a second name of the same image shows the omission instead.
"$NR" save --since base:1 -o "$T/diff.tar" docker:1
t_eq "save --since: no layer blobs (all in base)" "$(tar -tf "$T/diff.tar" | grep -c '^blobs/sha256/.')" 2
t_check "... the base recorded" grep -q '"netns-run.since":{"ref":"base:1"' <(tar -xOf "$T/diff.tar" manifest.json)
SAVED=$NETNS_RUN_STATE_DIR
export NETNS_RUN_STATE_DIR=/run/other-state
STORE=$NETNS_RUN_STATE_DIR/images
"$NR" images >/dev/null 2>&1
before=$(listing)
out=$("$NR" load -i "$T/diff.tar" 2>&1)
t_eq "load of a --since archive without its base: 125" "$?" 125
t_check "... names the base and what to do" grep -q "saved with --since base:1 (sha256:.*): layer sha256:.* is not in this store; load base:1 first" <<<"$out"
t_eq "... the store is as it was" "$(listing)" "$before"
"$NR" load -i "$T/s1.tar" >/dev/null
t_eq "with the base loaded, it loads" "$("$NR" load -i "$T/diff.tar" 2>&1)" "Loaded image: docker:1"
export NETNS_RUN_STATE_DIR=$SAVED
t_done
