#!/bin/bash
# Image layers (runtime/image/layer_*.c) through tests/tools/layer_tool: hostile tars
# against the unpacker (each refused, naming its entry, nothing outside the layer
# touched), a tree packed and unpacked back the same (modes, owners, links, xattrs, file
# capabilities, a 1 GB sparse file, devices, both whiteout kinds), digests, 10,000 files,
# and `docker diff`'s A/C/D.  Files only: no mounts, links or namespaces.  Needs root
# (owners, devices, trusted.* xattrs).  Hostile tars are made with python3's tarfile.
source "$(dirname "$0")/../lib/t.sh"

LT="$NR_BUILD/tests/tools/layer_tool"
TMP=$(mktemp -d /tmp/nr-images-layer.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
if [ "$(id -u)" != 0 ]; then
	t_skip "image layers" "needs root"
	t_done
	exit
fi

# mktar OUT SPEC...: a pax tar of the entries, in order.  SPEC is KIND|NAME|ARG:
#   f|NAME|DATA  file    d|NAME|  directory    l|NAME|TARGET  symbolic link
#   h|NAME|TARGET  hard link    H|NAME|TARGET|DATA  hard link carrying data
#   x|NAME|KEY=VALUE  empty file with a pax xattr (SCHILY.xattr.KEY)
mktar() {
	python3 - "$@" <<'EOF'
import io, sys, tarfile
out, specs = sys.argv[1], sys.argv[2:]
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    for spec in specs:
        kind, name, *rest = spec.split("|")
        arg = rest[0] if rest else ""
        ti = tarfile.TarInfo(name)
        ti.mode = 0o755 if kind == "d" else 0o644
        data = None
        if kind == "f":
            data = arg.encode()
        elif kind == "d":
            ti.type = tarfile.DIRTYPE
        elif kind == "l":
            ti.type, ti.linkname = tarfile.SYMTYPE, arg
        elif kind in "hH":
            ti.type, ti.linkname = tarfile.LNKTYPE, arg
            if kind == "H":
                data = rest[1].encode()
        elif kind == "x":
            k, v = arg.split("=", 1)
            ti.pax_headers = {"SCHILY.xattr." + k: v}
        if data is not None:
            ti.size = len(data)
        t.addfile(ti, io.BytesIO(data) if data is not None else None)
EOF
}

# A canary beside the layer: no hostile tar may change it or add anything beside it.
OUT=$TMP/outside
mkdir -p $OUT
echo canary >$OUT/canary
snapshot() { (cd $TMP && find . -mindepth 1 -path ./layer -prune -o -path ./tars -prune -o -printf '%p %s %T@ %m\n' | sort); }
mkdir -p $TMP/tars
before=$(snapshot)

# refused NAME ENTRY-IN-MESSAGE SPEC...: unpacking the tar fails and names the entry.
refused() {
	local what=$1 entry=$2 msg
	shift 2
	mktar $TMP/tars/t.tar "$@"
	rm -rf $TMP/layer && mkdir $TMP/layer
	if msg=$("$LT" unpack $TMP/layer <$TMP/tars/t.tar 2>&1); then
		t_fail "$what: refused" "unpacked: $msg"
	elif ! grep -qF "\"$entry\"" <<<"$msg"; then
		t_fail "$what: refused naming \"$entry\"" "$msg"
	else
		t_ok "$what: refused ($msg)"
	fi
	t_eq "$what: nothing outside the layer touched" "$(snapshot)" "$before"
}

refused "../x" "../x" "f|../x|pwn"
refused "an absolute path" "$OUT/abs" "f|$OUT/abs|pwn"
refused "a/../../x" "a/../../outside/x" "d|a|" "f|a/../../outside/x|pwn"
refused "symlink l -> / then l/…" "l$OUT/canary" "l|l|/" "f|l$OUT/canary|pwn"
refused "symlink to the canary's dir then through it" "l/canary" "l|l|$OUT" "f|l/canary|pwn"
refused "a symlink chain out (a -> b -> ../..)" "a/outside/x" "l|a|b" "l|b|../.." "f|a/outside/x|pwn"
refused "hard link to ../../etc/passwd" "h" "h|h|../../etc/passwd"
refused "hard link to /etc/passwd" "h" "h|h|/etc/passwd"
refused "hard link through a symlinked dir" "h" "l|l|$OUT" "h|h|l/canary"
refused "whiteout through a symlinked dir" "l/.wh.canary" "l|l|$OUT" "f|l/.wh.canary|"
refused "opaque mark through a symlinked dir" "l/.wh..wh..opq" "l|l|$OUT" "f|l/.wh..wh..opq|"
refused "a whiteout of .." ".wh..." "f|.wh...|"
refused "the root as a file" "." "f|.|x"

# Hard link to a symlink, carrying data (pax allows it): the data must not go through.
mktar $TMP/tars/t.tar "l|s|$OUT/canary" "H|h|s|pwn"
rm -rf $TMP/layer && mkdir $TMP/layer
"$LT" unpack $TMP/layer <$TMP/tars/t.tar >/dev/null 2>&1
t_eq "hard link to a symlink with data: the symlink's target is not written" "$(snapshot)" "$before"
# A directory replaced by a symlink to outside: the directory's deferred mode and time
# (set at the end, libarchive's "fixup") must not land on the link's target (CVE-2021-31566).
mktar $TMP/tars/t.tar "d|a|" "l|a|$OUT"
rm -rf $TMP/layer && mkdir $TMP/layer
"$LT" unpack $TMP/layer <$TMP/tars/t.tar >/dev/null 2>&1
t_eq "a directory then a symlink of its name: its mode and time stay in the layer" "$(snapshot)" "$before"
# A file replacing a symlink of the same name replaces the link, never writes through it.
mktar $TMP/tars/t.tar "l|l|$OUT/canary" "f|l|pwn"
rm -rf $TMP/layer && mkdir $TMP/layer
"$LT" unpack $TMP/layer <$TMP/tars/t.tar >/dev/null 2>&1
t_eq "a file over a symlink: replaces the link" "$(cat $TMP/layer/l 2>&1; test -L $TMP/layer/l && echo link)" pwn
t_eq "... and the canary is as it was" "$(snapshot)" "$before"
# Overlay's own xattrs in a tar are dropped (a layer must not bring redirects).
mktar $TMP/tars/t.tar "x|f|trusted.overlay.redirect=/etc" "x|g|user.k=v"
rm -rf $TMP/layer && mkdir $TMP/layer
"$LT" unpack $TMP/layer <$TMP/tars/t.tar >/dev/null
t_eq "overlay xattrs in a tar are dropped, others kept" \
	"$(python3 -c "import os,sys; print(os.listxattr(sys.argv[1]), os.listxattr(sys.argv[2]))" $TMP/layer/f $TMP/layer/g)" \
	"[] ['user.k']"

# Broken archives.
rm -rf $TMP/layer && mkdir $TMP/layer
msg=$(head -c 5000 /bin/sh | "$LT" unpack $TMP/layer 2>&1)
t_check "a non-tar file is refused" grep -q "not a tar archive" <<<"$msg"
mktar $TMP/tars/t.tar "f|big|$(head -c 30000 /dev/urandom | base64 -w0)"
rm -rf $TMP/layer && mkdir $TMP/layer
msg=$(head -c 18000 $TMP/tars/t.tar | "$LT" unpack $TMP/layer 2>&1)
t_check "a truncated archive is refused, naming the entry" grep -q '"big".*Truncated' <<<"$msg"
gzip -c $TMP/tars/t.tar | head -c 20000 >$TMP/tars/t.tgz
rm -rf $TMP/layer && mkdir $TMP/layer
t_check "a truncated gzip is refused" sh -c "! '$LT' unpack $TMP/layer <$TMP/tars/t.tgz 2>/dev/null"
t_eq "broken archives: nothing outside the layer touched" "$(snapshot)" "$before"

# --- a round trip: pack an upper, unpack it, compare ----------------------------------
U=$TMP/upper
mkdir -p $U/etc $U/opq/sub $U/own $U/bin
echo hello >$U/etc/f
chmod 4750 $U/etc/f
chown 5:6 $U/etc/f
ln $U/etc/f $U/etc/hard
ln -s ../etc/f $U/bin/rel
ln -s /etc/passwd $U/bin/abs
chown -h 7:8 $U/bin/abs
echo cap >$U/bin/ping
setcap cap_net_raw+ep $U/bin/ping
python3 -c "import os; os.setxattr('$U/etc/f', 'user.k', b'v1'); os.setxattr('$U/opq', 'trusted.overlay.opaque', b'y'); os.setxattr('$U/opq', 'user.overlay.opaque', b'y'); os.setxattr('$U/own', 'trusted.overlay.origin', b'x')"
echo z >$U/opq/sub/z
chown 1000:1000 $U/own
chmod 1777 $U/own
mknod $U/null c 1 3
mknod $U/loop0 b 7 0
mkfifo $U/fifo
mknod -m 000 $U/gone c 0 0 # as overlayfs makes them
touch -h -d '2001-02-03 04:05:06' $U/bin/abs $U/etc/f
truncate -s 1G $U/sparse
printf x | dd of=$U/sparse bs=1 seek=700000000 conv=notrunc 2>/dev/null
t0=$(date +%s%N)
"$LT" pack $U >$TMP/tars/up.tar 2>$TMP/pack.out
t_eq "pack: ok" $? 0
t_eq "pack: the digest is the tar's sha256" "$(cut -d' ' -f1 $TMP/pack.out)" "sha256:$(sha256sum <$TMP/tars/up.tar | cut -d' ' -f1)"
"$LT" pack $U >$TMP/tars/up2.tar 2>/dev/null
t_check "pack: the same tree gives the same bytes" cmp $TMP/tars/up.tar $TMP/tars/up2.tar
t_check "pack: a 1 GB sparse file stays small in the tar" test "$(stat -c %s $TMP/tars/up.tar)" -lt 100000
names=$(python3 -c "import tarfile,sys; print(' '.join(m.name for m in tarfile.open(sys.argv[1])))" $TMP/tars/up.tar)
t_check "pack: whiteout as .wh.gone, opaque as opq/.wh..wh..opq" grep -q "\.wh\.gone .*opq .*opq/\.wh\.\.wh\.\.opq" <<<"$names"
t_check "pack: no overlay xattrs in the tar" sh -c "! grep -a -q 'overlay\.' $TMP/tars/up.tar"
rm -rf $TMP/layer && mkdir $TMP/layer
t1=$(date +%s%N)
out=$("$LT" unpack $TMP/layer <$TMP/tars/up.tar)
t2=$(date +%s%N)
t_eq "unpack: ok, diff_id = pack's digest" "${out% *}" "$(cut -d' ' -f1 $TMP/pack.out)"
echo "# 1 GB sparse tree: pack $(((t1 - t0) / 1000000)) ms, unpack $(((t2 - t1) / 1000000)) ms"
t_check "unpack of the 1 GB sparse file under 5 s" test $(((t2 - t1) / 1000000)) -lt 5000
t_check "... and still sparse (st_blocks)" test "$(stat -c %b $TMP/layer/sparse)" -lt 1000
t_check "... with its byte in place" cmp $U/sparse $TMP/layer/sparse

# tree DIR: each path's type, mode, owner, size, device, link target, xattrs, content hash
# and mtime; hard links as the set of names sharing an inode.
tree() {
	python3 - "$1" <<'EOF'
import hashlib, os, stat, sys
root = sys.argv[1]
inodes = {}
for d, dirs, files in os.walk(root):
    for n in sorted(dirs + files):
        p = os.path.join(d, n)
        r = os.path.relpath(p, root)
        s = os.lstat(p)
        x = sorted((k, os.getxattr(p, k, follow_symlinks=False)) for k in os.listxattr(p, follow_symlinks=False))
        h = hashlib.sha256(open(p, "rb").read()).hexdigest()[:12] if stat.S_ISREG(s.st_mode) else ""
        t = os.readlink(p) if stat.S_ISLNK(s.st_mode) else ""
        mt = int(s.st_mtime) if not stat.S_ISDIR(s.st_mode) else 0
        print(r, oct(s.st_mode), s.st_uid, s.st_gid, s.st_size if not stat.S_ISDIR(s.st_mode) else 0,
              os.major(s.st_rdev), os.minor(s.st_rdev), t, x, h, mt)
        if s.st_nlink > 1 and not stat.S_ISDIR(s.st_mode):
            inodes.setdefault(s.st_ino, []).append(r)
print(sorted(sorted(v) for v in inodes.values()))
EOF
}
# Overlay's bookkeeping (trusted.overlay.origin) is not part of the layer; opaque is.
python3 -c "import os; os.removexattr('$U/own', 'trusted.overlay.origin')"
diff_out=$(diff <(tree $U) <(tree $TMP/layer))
t_eq "round trip: modes, owners, links, xattrs, capabilities, devices, whiteouts the same" "$diff_out" ""

# Names as bytes: Latin-1 (GNU tar from an old system) comes back the same, and pax
# (UTF-8 names) as in the round trip above.
python3 - $TMP/tars/names.tar <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT, encoding="latin-1") as t:
    for n in ("caf\xe9", "d\xe9j\xe0"):
        ti = tarfile.TarInfo(n); ti.size = 1; t.addfile(ti, io.BytesIO(b"x"))
EOF
rm -rf $TMP/layer $TMP/layer2 && mkdir $TMP/layer $TMP/layer2
"$LT" unpack $TMP/layer <$TMP/tars/names.tar >/dev/null && "$LT" pack $TMP/layer 2>/dev/null >$TMP/tars/names2.tar &&
	"$LT" unpack $TMP/layer2 <$TMP/tars/names2.tar >/dev/null
t_eq "names that are not UTF-8 survive unpack, pack, unpack" "$(ls $TMP/layer2 | od -An -c | tr -s ' ')" \
	"$(printf 'caf\351\nd\351j\340\n' | od -An -c | tr -s ' ')"
rm -rf $TMP/layer2

# Compressed layers: the same diff_id.
for z in gzip zstd xz bzip2; do
	if ! command -v $z >/dev/null; then
		t_skip "$z layer" "no $z"
		continue
	fi
	rm -rf $TMP/layer && mkdir $TMP/layer
	out=$($z -c <$TMP/tars/up.tar | "$LT" unpack $TMP/layer)
	t_eq "$z layer: the diff_id of the uncompressed tar" "${out% *}" "$(cut -d' ' -f1 $TMP/pack.out)"
done
# Bytes after the tar's end blocks belong to the diff_id too.
{ cat $TMP/tars/up.tar; head -c 7000 /dev/zero; } >$TMP/tars/pad.tar
rm -rf $TMP/layer && mkdir $TMP/layer
out=$("$LT" unpack $TMP/layer <$TMP/tars/pad.tar)
t_eq "diff_id covers the padding after the end" "${out% *}" "sha256:$(sha256sum <$TMP/tars/pad.tar | cut -d' ' -f1)"
rm -f $TMP/tars/up2.tar $TMP/tars/pad.tar

# --userns: host ids base+N are N in the layer.
S=$TMP/shifted
mkdir -p $S
touch $S/f
chown 100005:100006 $S/f
"$LT" pack $S 100000 >$TMP/tars/s.tar 2>/dev/null
t_eq "pack with a uid shift: ids shifted down" \
	"$(python3 -c "import tarfile,sys; m=tarfile.open(sys.argv[1]).getmember('f'); print(m.uid, m.gid)" $TMP/tars/s.tar)" "5 6"

# --- 10,000 files ---------------------------------------------------------------------
python3 - $TMP/tars/many.tar <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for d in range(100):
        ti = tarfile.TarInfo("d%03d" % d); ti.type = tarfile.DIRTYPE; ti.mode = 0o755; t.addfile(ti)
        for f in range(100):
            data = b"file %d %d\n" % (d, f)
            ti = tarfile.TarInfo("d%03d/f%03d" % (d, f)); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
EOF
rm -rf $TMP/layer && mkdir $TMP/layer
t0=$(date +%s%N)
"$LT" unpack $TMP/layer <$TMP/tars/many.tar >/dev/null
rc=$?
t1=$(date +%s%N)
t_eq "10,000 files: unpacked" "$rc $(find $TMP/layer -type f | wc -l)" "0 10000"
echo "# 10,000 files: unpack $(((t1 - t0) / 1000000)) ms"
t0=$(date +%s%N)
"$LT" pack $TMP/layer >$TMP/tars/many2.tar 2>/dev/null
t1=$(date +%s%N)
echo "# 10,000 files: pack $(((t1 - t0) / 1000000)) ms"
t_eq "10,000 files: packed back, 10,100 entries" \
	"$(python3 -c "import tarfile,sys; print(len(tarfile.open(sys.argv[1]).getmembers()))" $TMP/tars/many2.tar)" 10100
rm -rf $TMP/layer $TMP/tars/many*.tar

# --- docker diff ----------------------------------------------------------------------
L1=$TMP/lower1 L2=$TMP/lower2 UP=$TMP/diffup
mkdir -p $L2/etc $L2/usr/lib $L2/var/old $L1/etc $UP/etc $UP/usr/lib $UP/var/old $UP/new
echo a >$L2/etc/passwd
echo a >$L2/usr/lib/x
echo a >$L2/var/old/y
echo a >$L1/etc/hosts
mknod $L1/etc/gone c 0 0 # deleted by lower1: not in the union
echo b >$UP/etc/passwd
echo b >$UP/etc/hosts
echo b >$UP/etc/gone
mknod $UP/usr/lib/x c 0 0
echo n >$UP/new/f
echo n >$UP/var/old/z
python3 -c "import os; os.setxattr('$UP/var/old', 'trusted.overlay.opaque', b'y')"
echo n >$UP/etc-x
t_eq "diff: A/C/D as docker diff, sorted by path" "$("$LT" diff $UP $L1 $L2)" "C /etc
A /etc-x
A /etc/gone
C /etc/hosts
C /etc/passwd
A /new
A /new/f
C /usr
C /usr/lib
D /usr/lib/x
C /var
C /var/old
A /var/old/z"

rm -rf "$TMP"
t_done
