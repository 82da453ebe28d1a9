#!/bin/sh
# Installs the programs the test suite runs for real, if any is missing:
# bash, dash, busybox and shellcheck (generated scripts), git and rsync (gitlab-ci-local),
# sudo and visudo (services run with --sudo, and the sudoers lines they need), ruby (Psych, the YAML
# reader GitLab uses, which the YAML reader is compared with), script (a terminal for the colour test;
# Debian's bsdutils), nvim (the language server's editor test; Debian's neovim) and chromium (the
# playground's browser test, driven by playwright-core; no browser is downloaded).
# Uses apt-get (Debian/Ubuntu) as root, or through sudo.
set -eu
missing=
for tool in bash dash busybox shellcheck git rsync sudo ruby; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
command -v script >/dev/null 2>&1 || missing="$missing bsdutils"
command -v nvim >/dev/null 2>&1 || missing="$missing neovim"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -z "$missing" ] && exit 0
echo "test-deps: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then as_root=; elif command -v sudo >/dev/null 2>&1; then as_root=sudo; else
  echo "test-deps: need root or sudo to install:$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # word splitting of the package list is intended
$as_root apt-get update -qq && $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
