import { Counter, Gauge, type Registry } from 'prom-client';
import { type AlertCounters, CONDITION_IDS } from '../alerts/index.ts';

/**
 * The alerter on /metrics: what fires, what was told, and each receiver's
 * sends and failures, read from its counters at scrape time. A receiver that
 * fails shows here and on the status page, never as an alert about alerts.
 */
export function registerAlertMetrics(registers: Registry[], read: () => AlertCounters | null | undefined): void {
  new Gauge({
    name: 'relay_alerts_firing',
    help: 'Alerts firing now, by condition (README "Alerts").',
    labelNames: ['condition'] as const,
    registers,
    collect() {
      const c = read();
      if (c) for (const id of CONDITION_IDS) this.set({ condition: id }, c.firing[id] ?? 0);
    },
  });
  new Counter({
    name: 'relay_alert_messages_total',
    help: 'Alert messages produced since start, by state (firing includes repeats).',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const c = read();
      if (!c) return;
      this.reset();
      this.inc({ state: 'firing' }, c.messages.firing);
      this.inc({ state: 'resolved' }, c.messages.resolved);
    },
  });
  const perReceiver = (name: string, help: string, pick: (r: AlertCounters['receivers'][number]) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['receiver'] as const,
      registers,
      collect() {
        const c = read();
        if (!c) return;
        this.reset();
        for (const r of c.receivers) this.inc({ receiver: r.kind }, pick(r));
      },
    });
  perReceiver(
    'relay_alert_sends_total',
    'Alert messages a receiver accepted, by receiver (webhook, email).',
    (r) => r.sent,
  );
  perReceiver(
    'relay_alert_send_failures_total',
    'Failed attempts to send an alert (each retry counts), by receiver.',
    (r) => r.failures,
  );
  perReceiver(
    'relay_alert_dropped_total',
    'Alert messages given up (queue full, or refused for good), by receiver.',
    (r) => r.dropped,
  );
}
