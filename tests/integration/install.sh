#!/bin/bash
# `make install` honours PREFIX and DESTDIR and lays plugins out for CNI_PATH.
source "$(dirname "$0")/../lib/t.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

t_check "make install with DESTDIR and PREFIX succeeds" \
	make -s -C "$top" BUILD="$NR_BUILD" DESTDIR="$dest" PREFIX=/opt/nr install
t_check "none is installed under PREFIX/lib/netns-run/cni" test -x "$dest/opt/nr/lib/netns-run/cni/none"
t_eq "loopback links to none" "$(readlink "$dest/opt/nr/lib/netns-run/cni/loopback")" none
out=$(CNI_COMMAND=VERSION "$dest/opt/nr/lib/netns-run/cni/loopback" </dev/null)
t_eq "the installed plugin answers VERSION through the loopback name" "$(jq -r .cniVersion <<<"$out")" 1.1.0
t_eq "nothing is written outside DESTDIR/PREFIX" "$(cd "$dest" && ls)" opt
t_check "make uninstall removes the plugins" \
	make -s -C "$top" BUILD="$NR_BUILD" DESTDIR="$dest" PREFIX=/opt/nr uninstall
t_check "... none is gone" test ! -e "$dest/opt/nr/lib/netns-run/cni/none"
t_done
