#!/usr/bin/env bash
# Prepares the OTLP receiver test/binary/telemetry.test.ts pushes to:
# VictoriaMetrics from Debian 13 (trixie), which takes OTLP/HTTP protobuf at
# /opentelemetry/v1/metrics and answers Prometheus queries. Debian 12 has no
# victoria-metrics package and nothing may come from outside Debian's mirror,
# hence a minimal chroot of Debian's next release.
#
# Idempotent and cached outside the repository: $RELAY_VM_CACHE, else
# /var/cache/relay-vm. How the chroot is made, marked ready and cached, and
# what the exit codes say: test/debian-chroot.sh.
set -uo pipefail

WHAT="victoria-metrics setup"
TARGET=victoria-metrics
RECIPE=1 # bump when the steps below change, so caches made by older ones are redone
CACHE=${RELAY_VM_CACHE:-/var/cache/relay-vm}
READY=/usr/bin/victoria-metrics

source "$(dirname "${BASH_SOURCE[0]}")/../debian-chroot.sh"
chroot_start
# The package's maintainer scripts start no service in a chroot (no systemd);
# the test starts the binary itself.
chroot_apt_install victoria-metrics

[ -x "$ROOT$READY" ] || fail "the package left no $READY in the chroot"
chroot_ready "$(chroot "$ROOT" dpkg-query -W -f='${Version}' victoria-metrics 2>/dev/null)"
