#!/usr/bin/env bash
# Prepares the OTLP receiver test/binary/telemetry.test.ts pushes to:
# VictoriaMetrics from Debian 13 (trixie), which takes OTLP/HTTP protobuf at
# /opentelemetry/v1/metrics and answers Prometheus queries. Debian 12 has no
# victoria-metrics package and nothing may come from outside Debian's mirror,
# hence a minimal chroot of Debian's next release (made like test/wine/setup.sh).
#
# Idempotent and cached outside the repository: $RELAY_VM_CACHE, else
# /var/cache/relay-vm. A finished chroot is marked by $CACHE/ready holding
# RECIPE; a half-made one is never marked, so the next run starts over.
# Exit 0: ready. Exit 1: it could not be made; $CACHE/failed says why (the
# test skips with that text).
set -uo pipefail

RECIPE=1 # bump when the steps below change, so caches made by older ones are redone
MIRROR=http://deb.debian.org/debian
CACHE=${RELAY_VM_CACHE:-/var/cache/relay-vm}
ROOT=$CACHE/trixie

mkdir -p "$CACHE" 2>/dev/null || { echo "victoria-metrics setup: cannot create $CACHE" >&2; exit 1; }
fail() {
  echo "victoria-metrics setup: $*" >&2
  echo "$*" >"$CACHE/failed"
  exit 1
}
if [ "$(cat "$CACHE/ready" 2>/dev/null)" = "$RECIPE" ] && [ -x "$ROOT/usr/bin/victoria-metrics" ]; then
  echo "victoria-metrics setup: $ROOT is ready (cached)"
  exit 0
fi
[ "$(id -u)" = 0 ] || fail "debootstrap and chroot need root; run \`make victoria-metrics\` as root (CI does)"
rm -f "$CACHE/ready" "$CACHE/failed"

# Inside the chroot in a mount namespace of its own (see test/wine/setup.sh).
in_chroot() {
  unshare --mount --propagation private -- sh -c '
    r=$1; shift
    mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" || exit 97
    exec chroot "$r" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive "$@"
  ' sh "$ROOT" "$@"
}

log=$CACHE/setup.log
: >"$log"
step() {
  local name=$1 t0=$SECONDS
  shift
  echo "victoria-metrics setup: $name"
  "$@" >>"$log" 2>&1 || return 1
  echo "victoria-metrics setup: $name: $((SECONDS - t0)) s"
}

if ! command -v debootstrap >/dev/null 2>&1; then
  step "apt-get install debootstrap" sh -c 'apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }' ||
    fail "debootstrap is not installed and apt-get could not install it"
fi

rm -rf "$ROOT"
step "debootstrap --variant=minbase trixie" debootstrap --variant=minbase trixie "$ROOT" "$MIRROR" ||
  fail "debootstrap trixie from $MIRROR failed (no network to Debian's mirror?); last lines: $(tail -3 "$log" | tr '\n' ' ')"

# The package's maintainer scripts start no service in a chroot (no systemd);
# the test starts the binary itself.
step "apt-get install victoria-metrics (in the chroot)" in_chroot sh -c \
  'apt-get update -qq && apt-get install -y -qq --no-install-recommends victoria-metrics && apt-get clean' ||
  fail "apt-get install victoria-metrics in the chroot failed; last lines: $(tail -3 "$log" | tr '\n' ' ')"

[ -x "$ROOT/usr/bin/victoria-metrics" ] || fail "the package left no /usr/bin/victoria-metrics in the chroot"
version=$(chroot "$ROOT" dpkg-query -W -f='${Version}' victoria-metrics 2>/dev/null)
echo "$RECIPE" >"$CACHE/ready"
echo "victoria-metrics setup: $ROOT ready ($version, $(du -sh "$ROOT" 2>/dev/null | cut -f1))"
