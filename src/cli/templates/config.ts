/**
 * The config `relay init` writes: every key, its default (taken from the
 * schema, so the file cannot drift from what the relay assumes), and a comment
 * a technician can act on. The wording follows config.example.toml.
 */
import { defaultConfig } from '../../config/index.ts';

export interface TemplateOptions {
  /** Tokens the POS sends; written as given (a "${NAME}" reference stays a reference). */
  tokens: string[];
  /** Environment variable holding the admin password; undefined: no password (admin from this machine only). */
  adminPasswordEnv?: string;
  /** Paths of the PEM files, relative to the config's folder; undefined: plain HTTP. */
  tls?: { cert: string; key: string };
  /** The site's IANA zone, written out so a later change of the PC's zone does not move the restaurant. */
  timezone?: string;
  /**
   * The language people read, written out as detected where `relay init` runs (a
   * technician's session has LANG or a Windows user locale; a service often has neither).
   */
  language?: string;
  /** Line 1 says who wrote the file and when. */
  writtenBy: string;
}

/** The variable a token entry reads when `relay init` was given no --token. */
export const TOKEN_ENV = 'RELAY_TOKEN';

/** TOML basic string. JSON's escapes (\" \\ \n \uXXXX) are all valid TOML (TOML 1.0, "String"). */
export const tomlString = (s: string): string => JSON.stringify(s);
const tomlHost = (h: string | string[]): string =>
  typeof h === 'string' ? tomlString(h) : `[${h.map(tomlString).join(', ')}]`;

export function renderConfig(opts: TemplateOptions): string {
  const d = defaultConfig();
  const tokens = opts.tokens.length > 0 ? opts.tokens : [`\${${TOKEN_ENV}}`];
  const tokenBlocks = tokens.map(
    (token, i) => `[[tokens]]
# The token the POS puts in the webhook URL (/webhooks/v1/pos/<token>), as issued
# by EmiliaVision. Logs and pages show only its first 8 characters.
token = ${tomlString(token)}
# A label for logs and the status page.
name = ${tomlString(tokens.length === 1 ? 'POS' : `POS ${i + 1}`)}
# false refuses this token's webhooks (401) without deleting the entry.
active = true
`,
  );
  const password = opts.adminPasswordEnv ? `\${${opts.adminPasswordEnv}}` : '';
  return `# ${opts.writtenBy}
#
# Check it after every edit:  relay check --config <this file>
# It lists every problem with its key and line, and exits 0 when the file is good.
# Unknown keys are errors, so a typo never passes silently.
# Relative paths are relative to the folder this file is in.
# Any string may name an environment variable instead of a value, e.g.
# token = "\${RELAY_TOKEN}"; the relay refuses to start while it is unset.

[server]
# Address the POS posts webhooks to. "localhost": only programs on this machine
# (the POS runs on this PC), on 127.0.0.1 and ::1 both (Windows resolves localhost
# to ::1 first). "0.0.0.0": every network interface (the POS is another machine;
# allow the port in the firewall). A list listens on each: ["127.0.0.1", "192.168.1.20"].
host = ${tomlHost(d.server.host)}
# TCP port. The POS's webhook URL becomes http://<this machine>:<port>/webhooks/v1/pos/<token>.
port = ${d.server.port}
# Largest webhook body accepted, in bytes (the cloud's limit: 10 MB); larger ones get 413.
max_body_bytes = ${d.server.max_body_bytes}
# Seconds a webhook body may take to arrive once its headers are in, plus 1 s per 64 KB
# of its Content-Length; a slower one gets 408 and is not stored (the POS sends it again).
body_timeout_seconds = ${d.server.body_timeout_seconds}
# Webhook bodies arriving at the same time; one more gets 503 with Retry-After.
max_uploads = ${d.server.max_uploads}
# HTTPS, for POS software that only posts to https:// URLs: a PEM certificate and its
# private key, both or neither ("" and "": plain HTTP).
tls_cert = ${tomlString(opts.tls?.cert ?? d.server.tls_cert)}
# The private key matching tls_cert.
tls_key = ${tomlString(opts.tls?.key ?? d.server.tls_key)}

[spool]
# The database file holding webhooks until the cloud confirms them. Back it up with
# the relay stopped; never delete it while events are pending.
path = ${tomlString(d.spool.path)}
# Disk budget for the spool in megabytes. When full, the POS gets 503 (never a lost 200).
max_size_mb = ${d.spool.max_size_mb}
# Days a delivered webhook stays in the spool. Pending and dead-lettered ones are never
# deleted automatically.
retention_days = ${d.spool.retention_days}
# When the disk damages the spool file (a power cut on a cheap disk): "quarantine"
# moves it aside as <path>.damaged-<time> (never deleted), starts an empty spool at
# once so the POS keeps getting answers, and salvages every readable event into it;
# "refuse" stops taking events (503) until a person moves the file.
on_damage = ${tomlString(d.spool.on_damage)}

[cloud]
# Where webhooks are forwarded (http:// or https://).
url = ${tomlString(d.cloud.url)}
# Seconds to wait for the cloud to answer one request before trying again.
timeout_seconds = ${d.cloud.timeout_seconds}
# A forward proxy this PC must go through to reach the internet, e.g.
# "http://proxy.local:3128" (user:password@ allowed; pages and logs never show the
# password). "": the HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment variables, if set.
proxy = ${tomlString(d.cloud.proxy)}

[forward]
# Requests per second sent to the cloud for each token (the cloud's own limit is 100).
rate_per_token = ${d.forward.rate_per_token}
# Longest wait between retries after failures, in seconds.
max_backoff_seconds = ${d.forward.max_backoff_seconds}
# First wait after a failure, in seconds (fractions like 0.5 allowed); at most
# max_backoff_seconds.
initial_backoff_seconds = ${d.forward.initial_backoff_seconds}

[limits]
# Webhooks per second the POS may send per token before getting 429 with Retry-After.
rate_per_token = ${d.limits.rate_per_token}
# Short burst allowed above that rate, in requests.
burst_per_token = ${d.limits.burst_per_token}

[admin]
# Password (user "admin") for the status page /admin, its API and /metrics.
# "": no password, and those pages answer only on this machine (127.0.0.1).
# To open them to the network, set a password through the environment:
# password = "\${RELAY_ADMIN_PASSWORD}", with RELAY_ADMIN_PASSWORD set where the relay runs.
password = ${tomlString(password)}
# A cloud outage shorter than this many seconds shows amber on the status page
# (the internet blinks); a longer one red.
outage_amber_seconds = ${d.admin.outage_amber_seconds}

[log]
# How much the relay writes to its log (standard output, one JSON object per line):
# fatal, error, warn, info, debug, trace or silent. info logs start, stop, failures
# and pauses; debug adds a line per delivered webhook.
level = ${tomlString(d.log.level)}
# Where the log goes. "": standard output (journald under systemd, the console).
# A path (relative to this file) appends to that file instead: set one for the
# Windows service, where nothing reads standard output, e.g. "relay.log".
# Past 10 MB the file is renamed to <file>.1 (replacing the older one) and a new
# one begins, so the log never takes more than about 20 MB.
file = ${tomlString(d.log.file)}

[site]
# The restaurant's name: every alert and the status page say it.
name = ${tomlString(d.site.name)}
# The restaurant's IANA time zone. A POS timestamp whose offset is not this zone's
# offset at that moment gets a warning (a POS sending UTC for a São Paulo restaurant).
timezone = ${tomlString(opts.timezone ?? d.site.timezone)}
# This site's id among many in pushed telemetry ([telemetry]): letters, digits,
# ".", "_", "-". "" uses one made once and kept in the spool.
id = ${tomlString(d.site.id)}
# The language of the status page, the alerts, relay status and relay doctor:
# "pt-BR", "es" or "en". "" takes this PC's language (LANG, or Windows' own).
# The log, /health and what the POS is answered stay in English.
language = ${tomlString(opts.language ?? d.site.language)}

[warnings]
# A POS timestamp more than this many minutes ahead of this PC's clock gets a
# warning that the POS clock may be wrong.
clock_ahead_minutes = ${d.warnings.clock_ahead_minutes}
# table_number values a token must have sent before one of another shape
# ("Mesa 8" among "M-104"s) is called out.
identifier_min_samples = ${d.warnings.identifier_min_samples}
# Every answer with warnings carries them in its X-Relay-Warnings header (a JSON
# array of sentences). In the JSON body too: "dev" only in answers to ?env=dev,
# where integrators test; "always"; or "never", so a production POS gets exactly
# the cloud's four fields (a strict JSON client refuses a fifth).
in_body = ${tomlString(d.warnings.in_body)}

[alerts]
# Who hears about it when the relay needs a person. A Slack, Microsoft Teams or
# Discord incoming webhook, or any HTTP receiver (a JSON POST with "text" and
# fields); "" for none. Keep the secret URL in the environment:
# webhook_url = "\${RELAY_ALERT_WEBHOOK}".
webhook_url = ${tomlString(d.alerts.webhook_url)}
# E-mail through SMTP, e.g. "smtp://user:\${SMTP_PASSWORD}@mail.example.com:587"
# (smtps:// for port 465); "" for none.
smtp_url = ${tomlString(d.alerts.smtp_url)}
# The sender address; "" for relay@<this PC's name>.
email_from = ${tomlString(d.alerts.email_from)}
# Who gets the e-mails, e.g. ["manager@example.com", "it@example.com"].
email_to = []
# A condition that lasts is told again at most every this many hours.
repeat_hours = ${d.alerts.repeat_hours}
# Alert when the cloud has not answered for this many minutes.
unreachable_minutes = ${d.alerts.unreachable_minutes}
# Alert when the oldest event waiting for the cloud is older than this many minutes.
after_minutes = ${d.alerts.after_minutes}
# Alert when fewer than this share of the latest deliveries succeeded...
success_rate_below = ${d.alerts.success_rate_below}
# ...counted over this many attempts (the troubleshooting guide: 95% over 100).
success_rate_window = ${d.alerts.success_rate_window}
# Alert when the spool is fuller than this share of spool.max_size_mb.
spool_full_above = ${d.alerts.spool_full_above}
# Alert when the cloud refuses a token as invalid or inactive (401).
token_paused = ${d.alerts.token_paused}
# Alert when the cloud rejects events for good (dead letters).
dead_letters = ${d.alerts.dead_letters}
# Alert when the disk damaged the spool and the relay set it aside, until the
# file is moved away.
spool_quarantined = ${d.alerts.spool_quarantined}
# Alert when any of a token's first this many events since start got payload
# warnings (a new POS integration sending incomplete data); 0: never.
first_events = ${d.alerts.first_events}

[telemetry]
# Push this relay's figures (those of /metrics) and its log's warnings and errors
# over OTLP/HTTP to a collector, for many sites seen together. The base URL, e.g.
# "http://collector:4318": metrics go to <endpoint>/v1/metrics, logs to
# <endpoint>/v1/logs. "" pushes nothing. Goes through cloud.proxy when one is set.
endpoint = ${tomlString(d.telemetry.endpoint)}
# Headers sent with every push, e.g. { "Authorization" = "Bearer <key>" }; never shown.
headers = {}
# Seconds between pushes.
interval_seconds = ${d.telemetry.interval_seconds}

# One [[tokens]] block per POS token the relay accepts; copy a block to add one.
${tokenBlocks.join('\n')}`;
}
