#!/bin/sh
# A short narrated tour: installs what is missing, builds jra, starts
# jra-sandbox on loopback in a fresh state directory, and walks through a
# registrar's main job: apply for an FQDN, hand over the EAB credentials,
# obtain a certificate through the sandbox (what the customer's ACME
# client would do), and look at the FQDN's status.  Stops the sandbox on
# the way out, whatever happens.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

sh tests/deps.sh

builddir=${JRA_BUILDDIR:-build}
[ -d "$builddir" ] || meson setup "$builddir" >/dev/null
ninja -C "$builddir" >/dev/null

jra="$top/$builddir/cmd/jra"
sandbox="$top/$builddir/tests/sandbox/jra-sandbox"

state=$(mktemp -d "${TMPDIR:-/tmp}/jra-tour.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$state"
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "Starting jra-sandbox, the CA's side of the API, on a free loopback port"
"$sandbox" --listen 127.0.0.1:0 --state-dir "$state" >"$state/sandbox.log" 2>&1 &
pid=$!
i=0
while [ ! -s "$state/ready" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "jra-sandbox did not start; its log:" >&2
		cat "$state/sandbox.log" >&2
		exit 1
	fi
	sleep 0.1
done
url=$(cat "$state/ready")
echo "listening at $url; it wrote a ready profile to $state/jra.yaml"
export JRA_CONFIG="$state/jra.yaml"

say "Who are we? (the demo registrar R0001, signing with an ed25519 key)"
run "$jra" whoami

say "Apply for example.jp for one year on behalf of a new customer"
run "$jra" apply example.jp --period 1y --agree-terms \
	--subscriber-name "Example Co." --customer-ref CUST-0001 \
	--eab-out "$state/eab.json"
echo "The EAB credentials went to a new file, mode $(stat -c %a "$state/eab.json"), never to the terminal."

say "The customer's ACME client orders a certificate (the sandbox stands in for it)"
kid=$(jq -r .kid "$state/eab.json")
run curl -sS --cacert "$state/ca.pem" -H 'Content-Type: application/json' \
	-d "{\"eab_kid\": \"$kid\", \"names\": [\"example.jp\", \"www.example.jp\"]}" \
	-o "$state/issued.json" "$url/sandbox/v1/issuance"
jq -r .certificate_pem "$state/issued.json" | openssl x509 -noout -subject -dates -ext subjectAltName

say "Status: the first certificate started the usage period"
run "$jra" status example.jp

say "The same as JSON, for scripts"
run "$jra" -o json status example.jp

say "Done. The sandbox stops now; tests/check.sh runs the whole test suite."
