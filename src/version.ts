import pkg from '../package.json' with { type: 'json' };

/** Replaced at build time by scripts/build.ts (`--define`); "dev" when run from source. */
declare const RELAY_COMMIT: string | undefined;

export const VERSION: string = pkg.version;
/** How the relay names itself to the cloud and to webhooks (User-Agent). */
export const USER_AGENT = `emiliavision-relay/${VERSION}`;
export const COMMIT: string = typeof RELAY_COMMIT === 'string' ? RELAY_COMMIT : 'dev';
