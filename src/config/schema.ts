import { type Static, type TProperties, Type } from '@sinclair/typebox';

/*
 * One TypeBox schema per section. Every schema carries `expected`, our own
 * keyword (TypeBox keeps unknown keywords untouched): the phrase an error
 * message uses, kept beside the constraint it describes so the two cannot
 * drift apart. Every table rejects unknown keys, so a technician's typo fails
 * loudly instead of silently falling back to a default.
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const positive = (def: number) => Type.Number({ exclusiveMinimum: 0, default: def, expected: 'a number > 0' });

const nonEmpty = (def?: string) =>
  Type.String({ minLength: 1, expected: 'a non-empty string', ...(def === undefined ? {} : { default: def }) });

// A missing section is filled from `default: {}` and then its keys' defaults.
const section = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: false, default: {}, expected: 'a table' });

export const ServerSchema = section({
  host: nonEmpty('127.0.0.1'),
  // 0 asks the OS for a free port; the tests rely on it.
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, expected: 'an integer 0..65535' }),
  max_body_bytes: Type.Integer({ minimum: 1, default: 10_485_760, expected: 'an integer > 0' }),
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
});

export const CloudSchema = section({
  // The pattern is the cheap part of the check; the loader also runs URL.canParse.
  url: Type.String({
    pattern: '^https?://[^\\s/?#]+\\S*$',
    default: 'https://api.emiliavision.com',
    expected: 'an http:// or https:// URL',
  }),
  timeout_seconds: positive(30),
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
  },
  { additionalProperties: false, default: {}, expected: 'a table' },
);

export type Config = Static<typeof ConfigSchema>;
export type TokenConfig = Static<typeof TokenSchema>;
export type LogLevel = (typeof LOG_LEVELS)[number];
