# Sourced by the setup scripts that make a Debian 13 (trixie) chroot for a
# test (test/wine/setup.sh, test/telemetry/setup.sh): what Debian 12 does
# not package comes from Debian's next release, never from outside Debian's
# mirror. Each chroot is cached outside the repository, in its own folder.
#
# The script sets, before sourcing this:
#   WHAT       its name in what it prints ("wine setup")
#   TARGET     the make target that runs it as root ("wine")
#   RECIPE     bumped when its steps change, so caches made by older ones are redone
#   CACHE      its cache folder; the chroot is $CACHE/trixie
#   READY      a file inside the chroot that a finished one has ("/usr/bin/wine64")
#   IN_CHROOT  (array, optional) more VAR=value for commands run in the chroot
# and then calls chroot_start, the steps of its own (step, in_chroot,
# chroot_apt_install), and chroot_ready.
#
# A finished chroot is marked by $CACHE/ready holding RECIPE; a half-made one
# is never marked, so the next run starts over. Exit 0: ready. Exit 1: it
# could not be made; $CACHE/failed says why (the test skips with that text),
# so `make test` goes on without it.

MIRROR=http://deb.debian.org/debian
ROOT=$CACHE/trixie

fail() {
  echo "$WHAT: $*" >&2
  echo "$*" >"$CACHE/failed"
  exit 1
}

# Runs a command inside the chroot, in a mount namespace of its own: /proc and
# /dev are mounted there and vanish with it, so nothing stays mounted on the
# host whatever happens. The network is the host's (a chroot shares it).
# env -i: the host's NODE_EXTRA_CA_CERTS, proxies and the like stay out.
in_chroot() {
  unshare --mount --propagation private -- sh -c '
    r=$1; shift
    mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" || exit 97
    exec chroot "$r" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive "$@"
  ' sh "$ROOT" ${IN_CHROOT[@]+"${IN_CHROOT[@]}"} "$@"
}

# step NAME CMD...: runs it (its output to the log), prints and records its duration.
step() {
  local name=$1 t0=$SECONDS
  shift
  echo "$WHAT: $name"
  "$@" >>"$log" 2>&1 || return 1
  echo "$WHAT: $name: $((SECONDS - t0)) s" | tee -a "$CACHE/timings"
}

# The log's last lines, for a failure's sentence.
last_lines() { tail -3 "$log" | tr '\n' ' '; }

# Exits 0 when the cached chroot is whole; else a fresh minimal trixie in $ROOT
# (debootstrap installed first where it is missing).
chroot_start() {
  mkdir -p "$CACHE" 2>/dev/null || {
    echo "$WHAT: cannot create $CACHE" >&2
    exit 1
  }
  # -x, not -e: an absolute symlink (Wine's /usr/bin/wine) resolves only inside the chroot.
  if [ "$(cat "$CACHE/ready" 2>/dev/null)" = "$RECIPE" ] && [ -x "$ROOT$READY" ]; then
    echo "$WHAT: $ROOT is ready (cached)"
    exit 0
  fi
  [ "$(id -u)" = 0 ] || fail "debootstrap and chroot need root; run \`make $TARGET\` as root (CI does)"
  rm -f "$CACHE/ready" "$CACHE/failed" "$CACHE/timings"
  log=$CACHE/setup.log
  : >"$log"

  if ! command -v debootstrap >/dev/null 2>&1; then
    step "apt-get install debootstrap" sh -c 'apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }' ||
      fail "debootstrap is not installed and apt-get could not install it"
  fi

  # A previous half-made chroot may still hold files; start from nothing.
  rm -rf "$ROOT"
  step "debootstrap --variant=minbase trixie" debootstrap --variant=minbase trixie "$ROOT" "$MIRROR" ||
    fail "debootstrap trixie from $MIRROR failed (no network to Debian's mirror?); last lines: $(last_lines)"
}

# chroot_apt_install PACKAGE...: Debian's packages in the chroot, without recommends.
chroot_apt_install() {
  step "apt-get install $* (in the chroot)" in_chroot sh -c \
    'apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" && apt-get clean' sh "$@" ||
    fail "apt-get install $* in the chroot failed; last lines: $(last_lines)"
}

# chroot_ready VERSION: marks the chroot finished (the script checked it) and says so.
chroot_ready() {
  echo "$RECIPE" >"$CACHE/ready"
  echo "$WHAT: $ROOT ready ($1, $(du -sh "$ROOT" 2>/dev/null | cut -f1))"
}
