/**
 * Telemetry's decisions: where a signal is pushed, what a receiver's answer
 * means, when a run of failures is told, which log lines travel and how.
 */
import { describe, expect, it } from 'bun:test';
import { answerResult, logRecordOf, makeSiteId, osType, pushNote, signalUrl } from '../../src/telemetry/index.ts';

describe('signalUrl', () => {
  it.each<[string, string, string]>([
    ['http://collector:4318', 'metrics', 'http://collector:4318/v1/metrics'],
    ['http://collector:4318/', 'logs', 'http://collector:4318/v1/logs'],
    ['https://gw.example.com/otlp', 'metrics', 'https://gw.example.com/otlp/v1/metrics'],
    ['http://127.0.0.1:8428/opentelemetry', 'metrics', 'http://127.0.0.1:8428/opentelemetry/v1/metrics'],
  ])('%s + %s → %s', (endpoint, signal, url) => {
    expect(signalUrl(endpoint, signal as 'metrics' | 'logs')).toBe(url);
  });
});

describe('answerResult', () => {
  it.each<[number, string, ReturnType<typeof answerResult>]>([
    [200, 'OK', { ok: true }],
    [204, '', { ok: true }],
    [500, 'Internal Server Error', { ok: false, error: 'http://c/v1/metrics answered 500 Internal Server Error' }],
    [
      429,
      'Too Many Requests',
      { ok: false, error: 'http://c/v1/metrics answered 429 Too Many Requests (too many requests)' },
    ],
    [401, '', { ok: false, error: 'http://c/v1/metrics answered 401 (check telemetry.headers)' }],
    [404, 'Not Found', { ok: false, error: 'http://c/v1/metrics answered 404 Not Found' }],
  ])('%i %s', (status, text, result) => {
    expect(answerResult(status, text, 'http://c/v1/metrics')).toEqual(result);
  });
});

describe('pushNote', () => {
  const fail = { ok: false as const, error: 'x' };
  it.each<[boolean, boolean, ReturnType<typeof pushNote>]>([
    [false, true, null],
    [false, false, 'failing'],
    [true, false, null],
    [true, true, 'recovered'],
  ])('was failing %p, push ok %p → %p', (was, ok, note) => {
    expect(pushNote(was, ok ? { ok: true } : fail)).toBe(note);
  });
});

describe('logRecordOf', () => {
  const line = (level: string, extra = '') =>
    `{"level":"${level}","time":"2026-03-01T12:00:00.000Z","app":"relay","token":"019ab6ed…","n":3,"ok":false${extra},"msg":"cloud unreachable"}`;

  it('takes warnings, errors and fatal lines, with their fields as attributes', () => {
    expect(logRecordOf(line('warn'))).toEqual({
      severityNumber: 13,
      severityText: 'WARN',
      body: 'cloud unreachable',
      time: Date.parse('2026-03-01T12:00:00.000Z'),
      attributes: { token: '019ab6ed…', n: 3, ok: false },
    });
    expect(logRecordOf(line('error'))?.severityNumber).toBe(17);
    expect(logRecordOf(line('fatal'))?.severityText).toBe('FATAL');
  });

  it('leaves info and below, and what is not a line of the log', () => {
    for (const level of ['info', 'debug', 'trace']) expect(logRecordOf(line(level))).toBeNull();
    expect(logRecordOf('{"level":"warn", broken')).toBeNull();
    expect(logRecordOf('plain text')).toBeNull();
  });

  it('carries nested fields as JSON text', () => {
    expect(logRecordOf(line('warn', ',"problems":["a","b"]'))?.attributes.problems).toBe('["a","b"]');
  });
});

describe('makeSiteId and osType', () => {
  it('names the PC and adds 8 hex digits, in the [site] id alphabet', () => {
    const r = new Uint8Array([0x3f, 0x9a, 0x01, 0xc2]);
    expect(makeSiteId('TILL-PC', r)).toBe('TILL-PC-3f9a01c2');
    expect(makeSiteId('caixa principal.local', r)).toBe('caixa-principal.local-3f9a01c2');
    expect(makeSiteId('', r)).toBe('relay-3f9a01c2');
    expect(makeSiteId('é', r)).toBe('relay-3f9a01c2');
    expect(makeSiteId('x'.repeat(100), r)).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
  });

  it("says windows for win32, as OpenTelemetry's os.type does", () => {
    expect(osType('win32')).toBe('windows');
    expect(osType('linux')).toBe('linux');
  });
});
