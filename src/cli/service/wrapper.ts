/**
 * relay-service.exe travels inside relay.exe: scripts/build.ts compiles
 * relay-service.c with mingw-w64 and embeds it for the Windows targets, and
 * `relay service install` writes it beside relay.exe. The product stays one file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Bun names an embedded asset `<stem>-<hash>.<ext>`. */
const WRAPPER_NAME = /^relay-service(-[a-z0-9]+)?\.exe$/;

export async function embeddedWrapper(): Promise<Uint8Array | undefined> {
  const f = Bun.embeddedFiles.find((b) => WRAPPER_NAME.test((b as Blob & { name: string }).name));
  return f ? new Uint8Array(await f.arrayBuffer()) : undefined;
}

/**
 * Writes the wrapper at `path` unless the same bytes are there already.
 * Throws (with the OS's reason) when it cannot: a running service holds the file.
 */
export function placeWrapper(path: string, bytes: Uint8Array): 'written' | 'unchanged' {
  if (existsSync(path) && Buffer.from(readFileSync(path)).equals(Buffer.from(bytes))) return 'unchanged';
  writeFileSync(path, bytes);
  return 'written';
}
