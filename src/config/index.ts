// The config module's public face: the rest of the relay imports from here only.

export { maskToken } from '../lib/mask.ts';
export { authority, isWildcard, type ListenAddress, LOOPBACKS, listenAddresses } from './listen.ts';
export type { ConfigResult } from './load.ts';
export {
  defaultConfig,
  hostTimeZone,
  loadConfig,
  parseConfig,
  redactConfig,
  resolveConfigPath,
} from './load.ts';
export type { Config, WarningsInBody } from './schema.ts';
export { WARNINGS_IN_BODY } from './schema.ts';
export { listenError, loadTls, type TlsFiles } from './tls.ts';
