#!/usr/bin/env bash
# Prepares what test/binary/windows-wine.test.ts runs the Windows relay in: a
# Debian 13 (trixie) chroot with Wine 10 and a booted Wine prefix. Debian 12's
# own Wine 8.0 cannot start a Bun 1.4 binary (no bcryptprimitives.dll), and
# nothing may come from outside Debian's mirror, hence a chroot of Debian's
# next release rather than a Wine build from elsewhere.
#
# Idempotent and cached outside the repository (a clean clone must not carry
# 1 GB, and CI reuses the machine's cache): $RELAY_WINE_CACHE, else
# /var/cache/relay-wine. How the chroot is made, marked ready and cached, and
# what the exit codes say: test/debian-chroot.sh.
set -uo pipefail

WHAT="wine setup"
TARGET=wine
RECIPE=1 # bump when the steps below change, so caches made by older ones are redone
CACHE=${RELAY_WINE_CACHE:-/var/cache/relay-wine}
READY=/usr/lib/wine/wine64
IN_CHROOT=(WINEPREFIX=/root/.wine WINEDEBUG=-all)
# Bun's fallback for the embedded libSQL addon under Wine is B:\~BUN\root\<name>.node;
# B: is this folder inside the chroot (the test harness puts the addon there).
BDRIVE=/relay-b

source "$(dirname "${BASH_SOURCE[0]}")/../debian-chroot.sh"
chroot_start
chroot_apt_install wine wine64

# The prefix is booted before dosdevices/ exists: a dosdevices/ made earlier
# keeps wineboot from creating c: and z:. `wineserver -w` waits until the
# registry is written, so the prefix is whole before it is marked ready.
step "wineboot -i" in_chroot sh -c 'wine wineboot -i && wineserver -w' ||
  fail "wineboot -i failed; last lines: $(last_lines)"
mkdir -p "$ROOT$BDRIVE"
ln -sfn "$BDRIVE" "$ROOT/root/.wine/dosdevices/b:"
[ -d "$ROOT/root/.wine/drive_c/windows" ] || fail "wineboot left no C: drive in the prefix"

version=$(in_chroot wine --version 2>/dev/null)
case "$version" in
wine-1[0-9]* | wine-[2-9][0-9]*) ;;
*) fail "the chroot's wine is '$version', not Wine 10 or later" ;;
esac
chroot_ready "$version"
