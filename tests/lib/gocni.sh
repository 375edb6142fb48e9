# Build tests/interop/gocni (a CNI caller on Debian's go-cni, the library containerd's CRI
# uses; GOPATH mode, no network) into $NR_BUILD/interop/gocni, unless `make` already did.
# gocni_build prints why and returns 1 when it cannot (no go, no go-cni source, failure).
GOCNI="$NR_BUILD/interop/gocni"
gocni_build() {
	local top gopath=${NR_GOPATH:-/usr/share/gocode} out src
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	src=$top/tests/interop/gocni/main.go
	[ -x "$GOCNI" ] && [ "$GOCNI" -nt "$src" ] && return 0
	command -v go >/dev/null || { echo "go not installed (golang-go)"; return 1; }
	[ -d "$gopath/src/github.com/containerd/go-cni" ] ||
		{ echo "go-cni source not in $gopath (golang-github-containerd-go-cni-dev)"; return 1; }
	mkdir -p "$NR_BUILD/interop" "$NR_BUILD/gocache"
	if ! out=$(cd "$top" && env -u GOFLAGS GOPATH="$gopath" GO111MODULE=off GOPROXY=off \
		GOCACHE="$NR_BUILD/gocache" go build -o "$GOCNI" "$src" 2>&1); then
		echo "$out" | sed 's/^/# /' >&2
		echo "building gocni failed"
		return 1
	fi
}
