#!/usr/bin/env bash
# Makes sure the programs the tests drive are installed. Installs missing Debian packages when it can (root + apt-get);
# otherwise prints what to install and fails. Idempotent and quick when everything is present.
set -euo pipefail

# program-to-check  debian-package
needs=(
  "git:git"
  "go:golang-go"
  "/usr/share/gocode/src/github.com/Masterminds/sprig:golang-github-masterminds-sprig-dev"
  "/usr/share/gocode/src/gopkg.in/yaml.v2:golang-gopkg-yaml.v2-dev"
  "/usr/share/gocode/src/github.com/ghodss/yaml:golang-github-ghodss-yaml-dev"
  "/usr/share/gocode/src/gopkg.in/yaml.v3:golang-gopkg-yaml.v3-dev"
  "/usr/share/zoneinfo/Europe/Paris:tzdata"
  "nginx:nginx"
  "fcgiwrap:fcgiwrap"
  "sshd:openssh-server"
  "openssl:openssl"
  "promtool:prometheus"
)

have() {
  case "$1" in
    /*) [ -e "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] ;;
  esac
}

missing=()
for entry in "${needs[@]}"; do
  prog=${entry%%:*}; pkg=${entry##*:}
  have "$prog" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-deps: installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test-deps: missing Debian packages: ${missing[*]} (run as root with apt-get, or install them by hand)" >&2
    exit 1
  fi
fi

if ! command -v kubectl >/dev/null 2>&1; then
  echo "test-deps: kubectl is not on PATH; the kubectl conformance and scenario tests need it (https://kubernetes.io/docs/tasks/tools/)" >&2
  exit 1
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "test-deps: the .NET 10 SDK (dotnet) is not on PATH" >&2
  exit 1
fi
