#!/bin/sh
# Installs what building and testing jra needs, from Debian's packages.
# Run as root on Debian 12; does nothing when everything is already there.
set -eu

pkgs="meson ninja-build pkg-config gcc libc6-dev
libcurl4-openssl-dev libssl-dev libjansson-dev libyaml-dev libidn2-dev libpsl-dev
libmicrohttpd-dev libsqlite3-dev
bats openssl curl jq faketime ca-certificates mandoc groff-base scdoc gettext locales valgrind zsh fish bash-completion
hyperfine wrk time sqlite3"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "jra: these packages are missing:$missing" >&2
	echo "jra: run this script as root, or install them with apt-get" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
