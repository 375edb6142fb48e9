#!/bin/bash
# Run the unit and integration tests against a build made with ASan + UBSan (make asan).
# Plugins run as children of the tests and of each other, and a test that expects a
# plugin to fail would not notice a sanitizer abort, so every report goes to a file in
# one directory (log_path) and any file there fails the run, whatever the tests said.
# Usage: tests/reliability/sanitize.sh ASAN_BUILD_DIR [SCRIPT.sh...]
#   with scripts: only those integration tests (no unit tests), e.g. while working on one part.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build-asan}
logs="$top/$build/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
# abort_on_error: an abort (signal) is never mistaken for a CNI error exit (status 1).
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:disable_coredump=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
export LSAN_OPTIONS="log_path=$logs/lsan"
# Tests use it to skip what cannot run on a sanitized binary (valgrind) and to build their
# small drivers with the same flags.
export NR_SANITIZED=1
export NR_SANITIZE_FLAGS="-fsanitize=address,undefined"
# The budget of make check: a representative subset.  Every unit test and every
# integration test of a plugin's or the chain's own paths; the two loops smaller (churn 96
# operations; crash points at netlink sends, writes and lease links); every second bad
# input; not the scale, interop and install tests, which run no plugin path the others
# do not.  NR_TESTS_SKIP= CHURN_OPS=... etc. override.
export CHURN_OPS=${CHURN_OPS:-96}
export CRASH_SYSCALLS=${CRASH_SYSCALLS:-"sendmsg write linkat"} CRASH_MIN_POINTS=${CRASH_MIN_POINTS:-20}
export BAD_INPUTS_EVERY=${BAD_INPUTS_EVERY:-2}
export RT_CRASH_STRIDE=${RT_CRASH_STRIDE:-5} RT_CRASH_MIN_POINTS=${RT_CRASH_MIN_POINTS:-15}
# runtime*.sh run too: `netns-run exec` joins the container's mount and pid namespaces,
# where LeakSanitizer's check at exit cannot work (it hung there); a sanitized exec
# checks for leaks just before joining instead (runtime/exec.c).
export NR_TESTS_SKIP=${NR_TESTS_SKIP-"bridge_masq_scale.sh bridge_full.sh libcni_interop.sh cni_chain_libcni.sh install.sh valgrind.sh"}
# valgrind cannot run a sanitized binary: tests that run one under it run it directly
# (ASan/LSan check the same), and LeakSanitizer cannot work under strace.
wrap="$top/$build/sanitizer-bin"
mkdir -p "$wrap"
cat >"$wrap/valgrind" <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do case $1 in -*) shift ;; *) break ;; esac; done
exec "$@"
SH
cat >"$wrap/strace" <<'SH'
#!/bin/sh
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" exec /usr/bin/strace "$@"
SH
chmod +x "$wrap/valgrind" "$wrap/strace"
export PATH="$wrap:$PATH"
start=$(date +%s)
if [ $# -gt 1 ]; then
	rc=0
	for t in "${@:2}"; do "$top/tests/run-all.sh" "$build" integration "$t" || rc=1; done
else
	"$top/tests/run-all.sh" "$build"
	rc=$?
fi
echo "# sanitized suite took $(($(date +%s) - start))s"
reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
	echo "# sanitizer reports:"
	for f in $reports; do
		echo "## $f"
		head -n 60 "$f"
	done
	echo "sanitizers: $(wc -l <<<"$reports") report(s): FAIL"
	exit 1
fi
echo "sanitizers: no reports"
exit $rc
