#!/usr/bin/env bash
# Prepares what test/binary/windows-wine.test.ts runs the Windows relay in: a
# Debian 13 (trixie) chroot with Wine 10 and a booted Wine prefix. Debian 12's
# own Wine 8.0 cannot start a Bun 1.4 binary (no bcryptprimitives.dll), and
# nothing may come from outside Debian's mirror, hence a chroot of Debian's
# next release rather than a Wine build from elsewhere.
#
# Idempotent and cached outside the repository (a clean clone must not carry
# 1 GB, and CI reuses the machine's cache): $RELAY_WINE_CACHE, else
# /var/cache/relay-wine. A finished chroot is marked by $CACHE/ready holding
# RECIPE below; a half-made one is never marked, so the next run starts over.
# Exit 0: ready. Exit 1: it could not be made; $CACHE/failed says why (the test
# skips with that text), so `make test` goes on without it.
set -uo pipefail

RECIPE=1 # bump when the steps below change, so caches made by older ones are redone
MIRROR=http://deb.debian.org/debian
CACHE=${RELAY_WINE_CACHE:-/var/cache/relay-wine}
ROOT=$CACHE/trixie
# Bun's fallback for the embedded libSQL addon under Wine is B:\~BUN\root\<name>.node;
# B: is this folder inside the chroot (the test harness puts the addon there).
BDRIVE=/relay-b

mkdir -p "$CACHE" 2>/dev/null || { echo "wine setup: cannot create $CACHE" >&2; exit 1; }
fail() {
  echo "wine setup: $*" >&2
  echo "$*" >"$CACHE/failed"
  exit 1
}
# The host checks Wine's loader: /usr/bin/wine is an absolute symlink, which
# resolves only inside the chroot.
if [ "$(cat "$CACHE/ready" 2>/dev/null)" = "$RECIPE" ] && [ -x "$ROOT/usr/lib/wine/wine64" ]; then
  echo "wine setup: $ROOT is ready (cached)"
  exit 0
fi
[ "$(id -u)" = 0 ] || fail "debootstrap and chroot need root; run \`make wine\` as root (CI does)"
rm -f "$CACHE/ready" "$CACHE/failed" "$CACHE/timings"

# Runs a command inside the chroot, in a mount namespace of its own: /proc and
# /dev are mounted there and vanish with it, so nothing stays mounted on the
# host whatever happens. The network is the host's (a chroot shares it).
# env -i: the host's NODE_EXTRA_CA_CERTS, proxies and the like stay out.
in_chroot() {
  unshare --mount --propagation private -- sh -c '
    r=$1; shift
    mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" || exit 97
    exec chroot "$r" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
      WINEPREFIX=/root/.wine WINEDEBUG=-all DEBIAN_FRONTEND=noninteractive "$@"
  ' sh "$ROOT" "$@"
}

# step NAME CMD...: runs it (its output to the log), prints and records its duration.
log=$CACHE/setup.log
: >"$log"
step() {
  local name=$1 t0=$SECONDS
  shift
  echo "wine setup: $name"
  "$@" >>"$log" 2>&1 || return 1
  echo "wine setup: $name: $((SECONDS - t0)) s" | tee -a "$CACHE/timings"
}

if ! command -v debootstrap >/dev/null 2>&1; then
  step "apt-get install debootstrap" sh -c 'apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }' ||
    fail "debootstrap is not installed and apt-get could not install it"
fi

# A previous half-made chroot may still hold files; start from nothing.
rm -rf "$ROOT"
step "debootstrap --variant=minbase trixie" debootstrap --variant=minbase trixie "$ROOT" "$MIRROR" ||
  fail "debootstrap trixie from $MIRROR failed (no network to Debian's mirror?); last lines: $(tail -3 "$log" | tr '\n' ' ')"

step "apt-get install wine wine64 (in the chroot)" in_chroot sh -c \
  'apt-get update -qq && apt-get install -y -qq --no-install-recommends wine wine64 && apt-get clean' ||
  fail "apt-get install wine wine64 in the chroot failed; last lines: $(tail -3 "$log" | tr '\n' ' ')"

# The prefix is booted before dosdevices/ exists: a dosdevices/ made earlier
# keeps wineboot from creating c: and z:. `wineserver -w` waits until the
# registry is written, so the prefix is whole before it is marked ready.
step "wineboot -i" in_chroot sh -c 'wine wineboot -i && wineserver -w' ||
  fail "wineboot -i failed; last lines: $(tail -3 "$log" | tr '\n' ' ')"
mkdir -p "$ROOT$BDRIVE"
ln -sfn "$BDRIVE" "$ROOT/root/.wine/dosdevices/b:"
[ -d "$ROOT/root/.wine/drive_c/windows" ] || fail "wineboot left no C: drive in the prefix"

version=$(in_chroot wine --version 2>/dev/null)
case "$version" in
wine-1[0-9]* | wine-[2-9][0-9]*) ;;
*) fail "the chroot's wine is '$version', not Wine 10 or later" ;;
esac
echo "$RECIPE" >"$CACHE/ready"
echo "wine setup: $ROOT ready ($version, $(du -sh "$ROOT" 2>/dev/null | cut -f1))"
