# Build tests/interop/libcni-client (a Go client on Debian's libcni, GOPATH mode, no
# network) into $NR_BUILD/interop/libcni-client.  libcni_client_build prints why and
# returns 1 when it cannot (no go, no libcni source, build failure).
LIBCNI_CLIENT="$NR_BUILD/interop/libcni-client"
libcni_client_build() {
	local top gopath=${NR_GOPATH:-/usr/share/gocode} out
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	command -v go >/dev/null || { echo "go not installed (golang-go)"; return 1; }
	[ -d "$gopath/src/github.com/containernetworking/cni/libcni" ] ||
		{ echo "libcni source not in $gopath (golang-github-appc-cni-dev)"; return 1; }
	mkdir -p "$NR_BUILD/interop" "$NR_BUILD/gocache"
	if ! out=$(cd "$top" && env -u GOFLAGS GOPATH="$gopath" GO111MODULE=off GOPROXY=off \
		GOCACHE="$NR_BUILD/gocache" go build -o "$LIBCNI_CLIENT" tests/interop/libcni-client/main.go 2>&1); then
		echo "$out" | sed 's/^/# /' >&2
		echo "building libcni-client failed"
		return 1
	fi
}
