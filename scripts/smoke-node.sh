#!/bin/sh
# Runs the built CLI (bin/, dist/) on other Node versions, taken from the npm registry's `node`
# package, and checks that each prints the same, with the same exit code, as this Node does:
# `lint` (text and JSON) and `gen` on the example. Exits 1 if any differs or cannot run.
# Usage: sh scripts/smoke-node.sh 22 24
set -u
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One command a line: the exit code it must end with, then its arguments (split on spaces).
commands='1 lint --no-config examples/vpn-deploy/.gitlab-ci.yml
1 lint --no-config --format json examples/vpn-deploy/.gitlab-ci.yml
0 gen --service vpn=openfortivpn --ready vpn=tcp:10.0.0.1:443
0 gen --format job --service db=postgres --ready db=tcp:127.0.0.1:5432'

# run NODE FILE: what each command prints, on both outputs, and its exit code, into FILE
run() {
  echo "$commands" | while read -r expected args; do
    # shellcheck disable=SC2086 # the command's words
    "$1" bin/ci-bgsafe.cjs $args >"$tmp/out" 2>"$tmp/err"
    code=$?
    printf '$ ci-bgsafe %s\n-- exit %s%s\n' "$args" "$code" "$([ "$code" = "$expected" ] || echo ", not the expected $expected")"
    cat "$tmp/out"
    echo '-- stderr'
    cat "$tmp/err"
  done >"$2"
}

run node "$tmp/here"
status=0
if grep -q '^-- exit [0-9]*, not the expected' "$tmp/here"; then
  echo "smoke: node $(node --version): wrong exit code" >&2
  grep -B1 -A3 '^-- exit [0-9]*, not the expected' "$tmp/here" >&2
  status=1
fi
for version in "$@"; do
  # The binary itself, which npx installs once into its cache.
  bin=$(npx --yes "node@$version" -p process.execPath) || {
    echo "smoke: node@$version could not be installed" >&2
    status=1
    continue
  }
  # Five rounds: a start-up that ends early now and then (a pending WebAssembly compilation does not
  # hold the event loop) shows as a round that differs.
  for _ in 1 2 3 4 5; do
    run "$bin" "$tmp/node$version"
    cmp -s "$tmp/here" "$tmp/node$version" || break
  done
  if cmp -s "$tmp/here" "$tmp/node$version"; then
    echo "smoke: node $("$bin" --version): lint and gen print the same as on node $(node --version)"
  else
    echo "smoke: node $("$bin" --version) differs from node $(node --version):" >&2
    diff "$tmp/here" "$tmp/node$version" >&2
    status=1
  fi
done
exit "$status"
