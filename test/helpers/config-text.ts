import { type Config, parseConfig } from '../../src/config/index.ts';

/** Where the config tests pretend the file is: relative paths resolve against /etc/relay. */
export const CONFIG_PATH = '/etc/relay/relay.toml';

/** The Config that `text` reads as, failing with the problems if it is refused. */
export function configOf(text: string, env: Record<string, string> = {}, path = CONFIG_PATH): Config {
  const result = parseConfig(text, { path, env });
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.problems.join('\n')}`);
  return result.config;
}

/** The problems `text` is refused with, failing if it is accepted. */
export function problemsOf(text: string, env: Record<string, string> = {}): string[] {
  const result = parseConfig(text, { path: CONFIG_PATH, env });
  if (result.ok) throw new Error('expected problems, but the config was accepted');
  return result.problems;
}
