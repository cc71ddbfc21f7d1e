/**
 * The soak's checks on their own, without a relay: each promise it holds the
 * relay to, broken on purpose, must come out as that violation (and a run
 * that keeps them, as none).
 */
import { describe, expect, it } from 'bun:test';
import type { Delivery } from './cloud.ts';
import { Ledger, type ViolationKind } from './ledger.ts';
import type { Ack } from './pos.ts';

const LANE = '019ab6ed/prod';
const TOKEN = '019ab6ed-150a-7be1-920f-ab82305e5d41';

const ack = (seq: number, at = seq * 100): Ack => ({ lane: LANE, seq, id: `k${seq}`, at });
const delivery = (seq: number, at: number, over: Partial<Delivery> = {}): Delivery => ({
  key: `k${seq}`,
  token: TOKEN,
  env: 'prod',
  lane: LANE,
  seq,
  at,
  slow: false,
  ...over,
});

function ledger() {
  const found: { kind: ViolationKind; message: string }[] = [];
  const l = new Ledger((kind, message) => void found.push({ kind, message }));
  return { l, found, kinds: () => found.map((f) => f.kind) };
}

describe("the soak's checks", () => {
  it('find nothing when every acknowledged event arrives once, in order', () => {
    const { l, kinds } = ledger();
    const cloud: Delivery[] = [];
    for (let i = 1; i <= 5; i++) {
      l.ack(ack(i));
      cloud.push(delivery(i, i * 100 + 50));
    }
    l.absorb(cloud);
    expect(l.finalChecks().lost).toBe(0);
    expect(kinds()).toEqual([]);
  });

  it('count an acknowledged event the cloud never got as lost', () => {
    const { l, found } = ledger();
    l.ack(ack(1));
    l.ack(ack(2));
    l.absorb([delivery(1, 150)]);
    expect(l.finalChecks().lost).toBe(1);
    expect(found).toHaveLength(1);
    expect(found[0]?.kind).toBe('lost');
    expect(found[0]?.message).toContain('seq 2 (k2)');
  });

  it('find two events of a lane delivered against the order they were acknowledged in', () => {
    const { l, kinds } = ledger();
    l.ack(ack(1));
    l.ack(ack(2));
    l.absorb([delivery(2, 250), delivery(1, 260)]);
    l.finalChecks();
    expect(kinds()).toEqual(['order']);
  });

  it('take an event delivered before its 200 reached the POS as delivered, not pending', () => {
    const { l, kinds } = ledger();
    l.absorb([delivery(1, 90)]);
    l.ack(ack(1, 100));
    expect(l.pendingCount()).toBe(0);
    l.finalChecks();
    expect(kinds()).toEqual([]);
  });

  it('allow a second delivery of a key only with a disruption or a slow answer between', () => {
    const bare = ledger();
    bare.l.ack(ack(1));
    bare.l.absorb([delivery(1, 150), delivery(1, 900)]);
    expect(bare.kinds()).toEqual(['duplicate']);

    const killed = ledger();
    killed.l.ack(ack(1));
    killed.l.disruption(500);
    killed.l.absorb([delivery(1, 150), delivery(1, 900)]);
    expect(killed.kinds()).toEqual([]);
    expect(killed.l.redeliveredExcused).toBe(1);

    const slow = ledger();
    slow.l.ack(ack(1));
    slow.l.absorb([delivery(1, 150, { slow: true }), delivery(1, 900)]);
    expect(slow.kinds()).toEqual([]);

    const full = ledger();
    full.l.ack(ack(1));
    full.l.spoolDiskFull(true, 100);
    full.l.spoolDiskFull(false, 400);
    full.l.absorb([delivery(1, 150), delivery(1, 900)]);
    expect(full.kinds()).toEqual([]);
  });

  it('find a body under the wrong key, on the wrong lane, or never posted', () => {
    const { l, kinds } = ledger();
    l.ack(ack(1));
    l.ack(ack(2));
    l.absorb([
      delivery(1, 150, { seq: 2 }),
      delivery(2, 250, { env: 'dev' }),
      delivery(3, 350, { lane: null, seq: null }),
    ]);
    expect(kinds()).toEqual(['wrong_event', 'wrong_event', 'wrong_event']);
  });

  it('measure a stall from the latest of the calm, the last delivery and the oldest pending acknowledgement', () => {
    const { l } = ledger();
    const cloud = [delivery(1, 1100)];
    l.ack(ack(1, 1000));
    l.absorb(cloud);
    l.ack(ack(2, 2000));
    // Calm since 500: the pending ack (2000) is the latest start.
    expect(l.stalls(15_000, 500).map((s) => [s.lane, s.ms, s.pending])).toEqual([[LANE, 13_000, 1]]);
    // A fault that ended at 5000 starts the clock again.
    expect(l.stalls(15_000, 5000)[0]?.ms).toBe(10_000);
    cloud.push(delivery(2, 14_000));
    l.absorb(cloud);
    expect(l.stalls(15_000, 500)).toEqual([]);
  });
});
