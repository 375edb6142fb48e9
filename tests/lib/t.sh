# Minimal test reporting for shell integration tests.  Each check prints "ok N - what"
# or "not ok N - what"; t_done prints the closing "N passed, N failed, N skipped" line
# and exits non-zero if anything failed.
T_PASS=0 T_FAIL=0 T_SKIP=0 T_N=0
NR_BUILD=${NR_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../build" && pwd)}
CNI_BIN="$NR_BUILD/cni"

t_ok() { T_N=$((T_N + 1)); T_PASS=$((T_PASS + 1)); echo "ok $T_N - $1"; }
t_fail() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $1"; [ -n "${2:-}" ] && printf '#   %s\n' "$2"; }
t_skip() { T_N=$((T_N + 1)); T_SKIP=$((T_SKIP + 1)); echo "ok $T_N - $1 # SKIP ${2:-}"; }

# t_check "what" CMD...: passes when CMD exits 0.
t_check() {
	local what=$1
	shift
	local out
	if out=$("$@" 2>&1); then t_ok "$what"; else t_fail "$what" "$out"; fi
}

# t_eq "what" GOT WANT
t_eq() { if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "got '$2', want '$3'"; fi; }

t_done() {
	echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[ "$T_FAIL" = 0 ]
}

# cni PLUGIN CMD NETNS IFNAME CONFIG_JSON: run one of our plugins; stdout is its output,
# the exit status its own.
cni() {
	local plugin=$1 cmd=$2 netns=$3 ifname=$4 conf=$5
	CNI_COMMAND=$cmd CNI_CONTAINERID=${CNI_CONTAINERID:-ctr1} CNI_NETNS=$netns CNI_IFNAME=$ifname \
		CNI_PATH=${CNI_PATH:-$CNI_BIN} "$CNI_BIN/$plugin" <<<"$conf"
}

# nr_leases DIR: the number of lease files in a host-local store directory (not the lock,
# last_reserved_ip.N, or the .nr-index directory beside them).
nr_leases() { find "$1" -maxdepth 1 -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null | wc -l; }

# await SECONDS CMD...: CMD until it succeeds, tried every 0.1 s; fails after SECONDS (events
# are awaited, not slept on, and every wait is bounded).
await() {
	local n=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}
