/**
 * The systemd unit for `relay service print --systemd` / `install`. Pure
 * functions: the command decides where the text goes.
 */
import { dirname, join } from 'node:path';

export const DEFAULT_UNIT_PATH = '/etc/systemd/system/relay.service';

export interface UnitOptions {
  /** Absolute path of the relay binary. */
  binary: string;
  /** Absolute path of the config; its folder is the service's working directory. */
  config: string;
  /** Folders the relay writes besides its working directory (e.g. a spool kept elsewhere). */
  extraWritable?: string[];
}

/**
 * One ExecStart= word (systemd.service(5), "Command lines"): `%` starts a
 * specifier and `$` an environment reference, so both are doubled; a word with
 * spaces, quotes or backslashes is double-quoted with C-style escapes.
 */
export function systemdWord(s: string): string {
  const escaped = s.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (escaped !== '' && /^[A-Za-z0-9_@%+=:,./$-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * A path in WorkingDirectory= or EnvironmentFile= (systemd.exec(5)): the rest of
 * the line, taken as is, so no quotes; `%` specifiers are expanded there too.
 */
export function systemdPath(s: string): string {
  return s.replace(/%/g, '%%');
}

/** One entry of a space-separated list such as ReadWritePaths=: quoted when it holds spaces. */
export function systemdListPath(s: string): string {
  const escaped = systemdPath(s);
  return /[\s"\\]/.test(escaped) ? `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : escaped;
}

export function systemdUnit(opts: UnitOptions): string {
  const workDir = dirname(opts.config);
  const writable = [workDir, ...(opts.extraWritable ?? [])].filter((p, i, all) => all.indexOf(p) === i);
  const exec = [opts.binary, 'serve', '--config', opts.config].map(systemdWord).join(' ');
  // ProtectHome=yes hides /home entirely; a relay kept in a home folder (common on
  // ARM boards: /home/pi/relay) gets read-only homes plus ReadWritePaths= instead.
  const inHome = [opts.binary, ...writable].some((p) => /^\/(home|root|run\/user)(\/|$)/.test(p));
  return `# Written by \`relay service\`. Reinstall after moving the binary or the config.
[Unit]
Description=EmiliaVision POS webhook relay
# Binding to a LAN address needs the address up; the relay itself spools while the cloud is unreachable.
Wants=network-online.target
After=network-online.target
# Never give up restarting (systemd.unit(5) StartLimitIntervalSec=0): after a power cut the
# disk or network may take a while, and a relay that stays down loses the POS's webhooks.
StartLimitIntervalSec=0

[Service]
Type=simple
ExecStart=${exec}
WorkingDirectory=${systemdPath(workDir)}
# Optional KEY=VALUE lines for \${NAME} references in the config (e.g. RELAY_ADMIN_PASSWORD);
# keep it chmod 600.
EnvironmentFile=-${systemdPath(join(workDir, 'relay.env'))}
# SIGHUP reloads tokens and limits; an invalid file is refused and the running config stays.
ExecReload=/bin/kill -HUP $MAINPID
Restart=always
RestartSec=2
# SIGTERM: the relay finishes the write batch in progress, then exits.
KillSignal=SIGTERM
TimeoutStopSec=30

# Hardening (systemd.exec(5)). The relay writes only its working directory and spool.
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=${writable.map(systemdListPath).join(' ')}
# The binary unpacks its libSQL addon into $TMPDIR (/tmp) at every start: /tmp must be
# writable, which under ProtectSystem=strict only a private /tmp gives.
PrivateTmp=yes
ProtectHome=${inHome ? 'read-only' : 'yes'}
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
RestrictSUIDSGID=yes
RestrictNamespaces=yes
RestrictRealtime=yes
LockPersonality=yes
# Root's other powers are dropped; binding a port below 1024 (e.g. 443) is kept.
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
UMask=0077

[Install]
WantedBy=multi-user.target
`;
}

/** Where `systemctl enable` puts the unit's symlink: it means the unit is enabled. */
export function wantsLink(unitPath: string): string {
  return join(dirname(unitPath), 'multi-user.target.wants', unitPath.split('/').pop()!);
}
