import { type Static, type TProperties, Type } from '@sinclair/typebox';

/*
 * One TypeBox schema per section. Every schema carries `expected`, our own
 * keyword (TypeBox keeps unknown keywords untouched): the phrase an error
 * message uses, kept beside the constraint it describes so the two cannot
 * drift apart. Every table rejects unknown keys, so a technician's typo fails
 * loudly instead of silently falling back to a default.
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Where a 200's payload warnings go besides the X-Relay-Warnings header:
 * "dev" puts them in the body of answers to ?env=dev only (where the guide
 * tells integrators to test), "always" in every answer, "never" in none. A
 * production POS then gets the cloud's four keys and nothing else, which a
 * strict JSON binding (Jackson's defaults) requires.
 */
export const WARNINGS_IN_BODY = ['dev', 'always', 'never'] as const;

/** A site id: what a label and a file name both take. One owner: the schema's pattern and its wording. */
export const SITE_ID_PATTERN = '^([A-Za-z0-9._-]{1,64})?$';

const positive = (def: number) => Type.Number({ exclusiveMinimum: 0, default: def, expected: 'a number > 0' });

const nonEmpty = (def?: string) =>
  Type.String({ minLength: 1, expected: 'a non-empty string', ...(def === undefined ? {} : { default: def }) });

// A missing section is filled from `default: {}` and then its keys' defaults.
const section = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: false, default: {}, expected: 'a table' });

export const ServerSchema = section({
  // An address, or a list of them; "localhost" is 127.0.0.1 and ::1 (listen.ts).
  host: Type.Union([nonEmpty(), Type.Array(nonEmpty(), { minItems: 1 })], {
    default: 'localhost',
    expected: 'an address such as "localhost" or "0.0.0.0", or a list of them',
  }),
  // 0 asks the OS for a free port; the tests rely on it.
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, expected: 'an integer 0..65535' }),
  max_body_bytes: Type.Integer({ minimum: 1, default: 10_485_760, expected: 'an integer > 0' }),
  // Seconds a webhook body may take to arrive, plus 1 s per 64 KB declared (http/deadline.ts); later: 408.
  body_timeout_seconds: Type.Integer({ minimum: 1, maximum: 200, default: 20, expected: 'an integer 1..200' }),
  // Webhook bodies arriving at once; one more is answered 503 with Retry-After, unread.
  max_uploads: Type.Integer({ minimum: 1, default: 256, expected: 'an integer > 0' }),
  // HTTPS for the local endpoint (some POS software only posts to https URLs):
  // both PEM files, or neither. Relative paths are resolved against the config's directory.
  tls_cert: Type.String({ default: '', expected: 'a path to a PEM certificate' }),
  tls_key: Type.String({ default: '', expected: 'a path to a PEM private key' }),
});

export const SpoolSchema = section({
  // Relative paths are resolved against the config file's directory by the loader.
  path: nonEmpty('data/relay.db'),
  max_size_mb: positive(1024),
  retention_days: positive(7),
  // A spool SQLite finds damaged: "quarantine" moves it aside, starts an empty one at
  // once and salvages its readable events into it; "refuse" stops taking events (503)
  // until a person moves the file.
  on_damage: Type.Union([Type.Literal('quarantine'), Type.Literal('refuse')], {
    default: 'quarantine',
    expected: 'one of quarantine, refuse',
  }),
});

export const CloudSchema = section({
  // The pattern is the cheap part of the check; the loader also runs URL.canParse.
  url: Type.String({
    pattern: '^https?://[^\\s/?#]+\\S*$',
    default: 'https://api.emiliavision.com',
    expected: 'an http:// or https:// URL',
  }),
  timeout_seconds: positive(30),
  // A forward proxy between this PC and the internet ("http://host:port", credentials
  // allowed and never shown). "": HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment.
  proxy: Type.String({ default: '', expected: 'an http:// proxy URL such as "http://proxy.local:3128", or ""' }),
});

export const SiteSchema = section({
  // The restaurant, as alerts and the status page name it.
  name: Type.String({ default: '', expected: 'a string' }),
  // IANA zone of the restaurant ("America/Sao_Paulo"); "" takes this PC's zone when the config is read.
  timezone: Type.String({ default: '', expected: 'an IANA time zone name such as "America/Sao_Paulo"' }),
  // This site among many, in pushed telemetry (service.instance.id); "" uses one made once and kept in the spool.
  id: Type.String({
    pattern: SITE_ID_PATTERN,
    default: '',
    expected: 'letters, digits, ".", "_" or "-" (1 to 64), or "" for one made once and kept in the spool',
  }),
  // What people read (the status page, alerts, relay status and doctor): "pt-BR", "es" or "en";
  // "" takes this PC's language when the config is read. Logs, /health and the POS's answers stay English.
  language: Type.String({ default: '', expected: '"pt-BR", "es", "en" or "" for this PC\'s language' }),
});

export const TelemetrySchema = section({
  // OTLP/HTTP base URL ("http://collector:4318"): metrics go to <endpoint>/v1/metrics, warnings
  // and errors of the log to <endpoint>/v1/logs. "": nothing is pushed.
  endpoint: Type.String({ default: '', expected: 'an http:// or https:// URL, or ""' }),
  // Sent with every push, e.g. an API key; their values are never shown.
  headers: Type.Record(Type.String(), Type.String({ expected: 'a string' }), {
    default: {},
    expected: 'a table of header names and string values',
  }),
  interval_seconds: Type.Number({ minimum: 1, default: 60, expected: 'a number >= 1' }),
});

const ratio = (def: number) =>
  Type.Number({ exclusiveMinimum: 0, maximum: 1, default: def, expected: 'a number > 0 and <= 1' });
const count = (def: number, min = 1) => Type.Integer({ minimum: min, default: def, expected: `an integer >= ${min}` });
const onOff = (def: boolean) => Type.Boolean({ default: def, expected: 'true or false' });

export const WarningsSchema = section({
  // A timestamp this far ahead of the relay's clock says the POS clock is wrong.
  clock_ahead_minutes: positive(15),
  // table_number values a token must have sent before a value of another shape is called out.
  identifier_min_samples: count(20),
  in_body: Type.Union(
    WARNINGS_IN_BODY.map((v) => Type.Literal(v)),
    { default: 'dev', expected: `one of ${WARNINGS_IN_BODY.join(', ')}` },
  ),
});

export const ForwardSchema = section({
  rate_per_token: positive(100),
  max_backoff_seconds: positive(300),
  initial_backoff_seconds: positive(1),
});

export const LimitsSchema = section({
  rate_per_token: positive(100),
  burst_per_token: Type.Number({ minimum: 1, default: 200, expected: 'a number >= 1' }),
});

export const TokenSchema = Type.Object(
  {
    token: nonEmpty(),
    name: Type.String({ default: '', expected: 'a string' }),
    active: Type.Boolean({ default: true, expected: 'true or false' }),
  },
  { additionalProperties: false, expected: 'a table' },
);

export const AdminSchema = section({
  // HTTP Basic password (user "admin") for the status page, its API and /metrics.
  // Empty: the admin surface is served to loopback clients only.
  password: Type.String({ default: '', expected: 'a string' }),
  // A cloud outage shorter than this shows amber on the status page, longer ones red.
  outage_amber_seconds: positive(60),
});

export const AlertsSchema = section({
  // JSON POST {"text": ..., site, condition, state, since, details, what_to_do}: Slack, Teams, Discord.
  webhook_url: Type.String({ default: '', expected: 'an http:// or https:// URL, or ""' }),
  // E-mail: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://...:465; "" for none.
  smtp_url: Type.String({ default: '', expected: 'an smtp:// or smtps:// URL, or ""' }),
  email_from: Type.String({ default: '', expected: 'an e-mail address, or "" for relay@<host>' }),
  email_to: Type.Array(Type.String({ minLength: 3, expected: 'an e-mail address' }), {
    default: [],
    expected: 'an array of e-mail addresses',
  }),
  // A condition that lasts is told again at most this often.
  repeat_hours: positive(4),
  // Conditions. The cloud has not answered for this long:
  unreachable_minutes: positive(5),
  // The oldest pending event is older than this (fractions allowed):
  after_minutes: positive(15),
  // Deliveries that succeeded among the last success_rate_window attempts fall below this:
  success_rate_below: ratio(0.95),
  success_rate_window: count(100),
  // The spool is fuller than this share of spool.max_size_mb:
  spool_full_above: ratio(0.8),
  // The cloud refuses a token (401), and new dead letters:
  token_paused: onOff(true),
  dead_letters: onOff(true),
  // A damaged spool set aside (spool.on_damage = "quarantine"), until its file is moved away:
  spool_quarantined: onOff(true),
  // Payload warnings on a token's first events since the relay started (0: never).
  first_events: count(20, 0),
});

export const LogSchema = section({
  level: Type.Union(
    LOG_LEVELS.map((level) => Type.Literal(level)),
    { default: 'info', expected: `one of ${LOG_LEVELS.join(', ')}` },
  ),
  file: Type.String({ default: '', expected: 'a path to a log file, or "" for standard output' }),
});

export const ConfigSchema = Type.Object(
  {
    server: ServerSchema,
    spool: SpoolSchema,
    cloud: CloudSchema,
    forward: ForwardSchema,
    limits: LimitsSchema,
    tokens: Type.Array(TokenSchema, { default: [], expected: 'an array of tables ([[tokens]])' }),
    admin: AdminSchema,
    log: LogSchema,
    site: SiteSchema,
    warnings: WarningsSchema,
    alerts: AlertsSchema,
    telemetry: TelemetrySchema,
  },
  { additionalProperties: false, default: {}, expected: 'a table' },
);

export type Config = Static<typeof ConfigSchema>;
export type TokenConfig = Static<typeof TokenSchema>;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type WarningsInBody = (typeof WARNINGS_IN_BODY)[number];
