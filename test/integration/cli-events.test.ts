/**
 * `relay events ...` and `relay status` called in this process through main(),
 * with an Io whose isTty is set, to see exactly what a terminal receives.
 * (The binary runs the same code: test/binary/cli-binary.test.ts.)
 */
import { describe, expect, it } from 'bun:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useCleanup } from '../helpers/cleanup.ts';
import { runInProcess, seedSpool, statusCounts, writeConfig } from '../helpers/cli.ts';
import { INACTIVE, TOKEN, TOKEN2 } from '../helpers/relay.ts';

const onCleanup = useCleanup();

function setup() {
  const dir = onCleanup.tempDir('relay-cli-events-');
  const config = writeConfig(dir);
  const spool = join(dir, 'spool', 'relay.db');
  const run = (args: string[], isTty = false) => runInProcess([...args, '--config', config], { isTty, cwd: dir });
  return { dir, config, spool, run };
}

const many = (n: number, s: Parameters<typeof seedSpool>[1][number]) => Array.from({ length: n }, () => ({ ...s }));

/** A terminal's progress lines: `word done/total`, rising, the last one complete, then the line cleared. */
function expectProgress(raw: string[], word: string, total: number): void {
  const done = raw.slice(0, -1).map((l) => {
    const m = new RegExp(`^\\r${word} (\\d+)/${total} \\((\\d+)%\\)\x1b\\[K$`).exec(l);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBe(Math.floor((Number(m![1]) / total) * 100));
    return Number(m![1]);
  });
  expect(done.length).toBeGreaterThan(1);
  expect(done).toEqual([...done].sort((a, b) => a - b));
  expect(done.at(-1)).toBe(total);
  expect(raw.at(-1)).toBe('\r\x1b[K');
}

describe('progress where a human waits', () => {
  it('redraws one terminal line with \\r while replaying every dead letter, then prints the total', async () => {
    const { spool, run } = setup();
    await seedSpool(spool, [...many(1200, { status: 'dead' }), ...many(3, {}), ...many(2, { status: 'delivered' })]);
    const r = await run(['events', 'replay', '--all-dead'], true);
    expect(r.code).toBe(0);
    expectProgress(r.raw, 'replayed', 1200);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toStartWith('replayed 1200 dead-lettered events back to pending');
    expect(await statusCounts(spool)).toEqual({ pending: 1203, delivered: 2, dead: 0 });
  });

  it('prints only the final line when the output is not a terminal', async () => {
    const { spool, run } = setup();
    await seedSpool(spool, many(700, { status: 'dead' }));
    const r = await run(['events', 'replay', '--all-dead'], false);
    expect(r.raw).toEqual([]);
    expect(r.out).toEqual([expect.stringMatching(/^replayed 700 dead-lettered events back to pending/)]);
    const none = await run(['events', 'replay', '--all-dead'], true);
    expect(none.raw).toEqual([]);
    expect(none.out).toEqual(['no dead-lettered events to replay']);
  });

  it('shows purge progress on a terminal and leaves pending and dead-lettered events alone', async () => {
    const { spool, run } = setup();
    const old = Date.parse('2025-03-01T12:00:00Z');
    await seedSpool(spool, [
      ...many(1100, { status: 'delivered', deliveredAt: old }),
      ...many(4, { status: 'dead' }),
      ...many(5, {}),
      { status: 'delivered', deliveredAt: Date.parse('2025-05-01T00:00:00Z') },
    ]);
    const r = await run(['events', 'purge', '--delivered-before', '2025-04-01'], true);
    expect(r.code).toBe(0);
    expectProgress(r.raw, 'purged', 1100);
    expect(r.out).toEqual([
      'purged 1100 events delivered before 2025-04-01 00:00:00; pending and dead-lettered events are never purged',
    ]);
    expect(await statusCounts(spool)).toEqual({ pending: 5, delivered: 1, dead: 4 });
  });
});

describe('relay events list / show', () => {
  it('filters by status, by token (full or its first 8 characters) and limits the rows', async () => {
    const { spool, run } = setup();
    await seedSpool(spool, [
      { token: TOKEN, warnings: ['table_number is missing', 'timestamp has no timezone'] },
      { token: TOKEN2, env: 'dev', status: 'dead' },
      { token: TOKEN, status: 'delivered' },
    ]);
    const all = await run(['events', 'list', '--json']);
    expect(all.code).toBe(0);
    const rows = JSON.parse(all.stdout()).events;
    expect(rows.map((e: { status: string }) => e.status)).toEqual(['delivered', 'dead', 'pending']); // newest first
    expect(rows[2]).toMatchObject({
      token: `${TOKEN.slice(0, 8)}…`,
      env: 'prod',
      warnings: ['table_number is missing', 'timestamp has no timezone'],
    });
    expect(all.stdout()).not.toContain(TOKEN);

    const dead = JSON.parse((await run(['events', 'list', '--status', 'dead', '--json'])).stdout()).events;
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ token: `${TOKEN2.slice(0, 8)}…`, last_status: 422 });

    const byPrefix = await run(['events', 'list', '--token', `${TOKEN.slice(0, 8)}…`]);
    const lines = byPrefix.stdout().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/ pending +0 +- +2$/);
    const limited = await run(['events', 'list', '--limit', '1']);
    expect(limited.stdout()).toContain('1 most recent shown; --limit N shows more');
  });

  it('refuses a bad status, limit or ambiguous token prefix with exit 2', async () => {
    const { run } = setup();
    const status = await run(['events', 'list', '--status', 'failed']);
    expect(status.code).toBe(2);
    expect(status.err.join('\n')).toContain('--status must be one of pending, delivered, dead, got "failed"');
    expect((await run(['events', 'list', '--limit', '0'])).code).toBe(2);
    expect((await run(['events', 'list', '--limit', 'ten'])).code).toBe(2);
    // TOKEN and INACTIVE both begin with 019ab6e.
    expect(TOKEN.slice(0, 7)).toBe(INACTIVE.slice(0, 7));
    const ambiguous = await run(['events', 'list', '--token', TOKEN.slice(0, 7)]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err.join('\n')).toContain('matches 2 tokens');
    expect(ambiguous.err.join('\n')).not.toContain(TOKEN);
    expect((await run(['events'])).code).toBe(2);
    expect((await run(['events', 'replay'])).code).toBe(2);
    expect((await run(['events', 'replay', 'x', '--all-dead'])).code).toBe(2);
    expect((await run(['events', 'purge'])).code).toBe(2);
    expect((await run(['events', 'show'])).code).toBe(2);
  });

  it('shows the body byte for byte in JSON too: a byte-order mark, accents and 19.00 survive', async () => {
    const { spool, run } = setup();
    const body = '\uFEFF{"table_number":"Mesa 8","server":"João","price":19.00}';
    const [id] = await seedSpool(spool, [{ body }]);
    const j = JSON.parse((await run(['events', 'show', id!, '--json'])).stdout());
    expect(j.body).toBe(body);
    expect(j.size).toBe(new TextEncoder().encode(body).length);
    const human = await run(['events', 'show', id!]);
    expect(human.out.at(-1)).toBe(body);
    expect(human.stdout()).toContain('status       pending, not tried yet');
    expect(human.stdout()).toContain('delivery attempts: none yet');
  });

  it('reads without creating a spool that does not exist yet', async () => {
    const { spool, run } = setup();
    const list = await run(['events', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout()).toContain('does not exist yet');
    const status = await run(['status', '--json']);
    expect(JSON.parse(status.stdout()).totals).toEqual({ pending: 0, delivered: 0, dead: 0 });
    expect((await run(['events', 'show', 'nope'])).code).toBe(1);
    expect((await run(['events', 'replay', 'nope'])).code).toBe(1);
    expect(existsSync(spool)).toBe(false);
  });
});
