#!/bin/sh
# Install whichever of the named Debian packages is missing, and nothing else.
# Usage: scripts/deps.sh PKG...
# Runs non-interactively as root; as another user it only reports what is missing.
set -eu
missing=""
for p in "$@"; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run 'make deps' as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; update once, then install.  Parallel builds may
# race for the dpkg lock: wait for it rather than fail.
apt-get -o DPkg::Lock::Timeout=300 update -qq
# Some packages ship services (frr, containerd, etcd-server); the tests start those daemons
# themselves, in their own namespaces.  Installing must neither start them (Debian's
# policy-rc.d, exit 101: "action forbidden") nor leave them enabled for the next boot.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing >/dev/null
for p in $missing; do
	dpkg-query -L "$p" 2>/dev/null | while read -r f; do
		case $f in
		/lib/systemd/system/*.service | /lib/systemd/system/*.socket)
			deb-systemd-helper disable "$(basename "$f")" >/dev/null 2>&1 || true ;;
		/etc/init.d/*)
			update-rc.d "$(basename "$f")" disable >/dev/null 2>&1 || true ;;
		esac
	done
done
