/**
 * A relay site under Wine for the Windows tests: the exe in a folder whose
 * name has spaces (as `C:\ProgramData\EmiliaVision Relay` has), its config
 * written by the exe itself (`relay init`) and pointed at a mock cloud.
 */
import { expect } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OnCleanup } from '../helpers/cleanup.ts';
import { freePort } from '../helpers/ports.ts';
import { TOKEN } from '../helpers/relay.ts';
import { runWine, wineSite } from './harness.ts';

export interface Site {
  /** The folder, seen from the host. */
  dir: string;
  /** The folder as Windows names it. */
  win: string;
  exe: string;
  config: string;
  url: string;
  /** The spool's database file, seen from the host. */
  spool: string;
}

export async function initSite(
  exe: string,
  label: string,
  cloudUrl: string,
  onCleanup: OnCleanup,
  edits: [RegExp, string][] = [],
): Promise<Site> {
  const site = wineSite(exe, label);
  onCleanup(site.remove);
  const config = `${site.win}\\relay.toml`;
  const init = await runWine(site.exe, ['init', '--config', config, '--token', TOKEN]);
  expect(init.code, init.stderr).toBe(0);
  expect(init.stdout).toContain(`wrote ${config}`);
  const port = freePort();
  const file = join(site.dir, 'relay.toml');
  const text = readFileSync(file, 'utf8');
  const all: [RegExp, string][] = [
    [/^port = 8080$/m, `port = ${port}`],
    [/^url = "https:\/\/api\.emiliavision\.com"$/m, `url = "${cloudUrl}"`],
    [/^initial_backoff_seconds = 1$/m, 'initial_backoff_seconds = 0.1'],
    [/^max_backoff_seconds = 300$/m, 'max_backoff_seconds = 0.5'],
    ...edits,
  ];
  let edited = text;
  for (const [from, to] of all) {
    expect(edited).toMatch(from);
    edited = edited.replace(from, to);
  }
  writeFileSync(file, edited);
  return {
    dir: site.dir,
    win: site.win,
    exe: site.exe,
    config,
    url: `http://127.0.0.1:${port}`,
    spool: join(site.dir, 'data', 'relay.db'),
  };
}

export type LogLine = { msg?: string; level?: string; [k: string]: unknown };

/** The relay's JSON log lines, parsed (Wine's own lines, and relay-service.exe's, are not JSON). */
export function jsonLines(lines: string[]): LogLine[] {
  return lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as LogLine];
    } catch {
      return [];
    }
  });
}
