/**
 * server.host: "localhost" (the default) listens on both loopbacks, since a
 * POS on Windows reaches http://localhost over ::1 first; a list listens on
 * each address; a wildcard cannot share the port with another address.
 */
import { describe, expect, it } from 'bun:test';
import { listenAddresses, listenError } from '../../src/config/index.ts';
import { listenConflict } from '../../src/config/listen.ts';
import { configOf, problemsOf } from '../helpers/config-text.ts';

describe('the addresses server.host stands for', () => {
  it.each([
    [
      'localhost',
      [
        { host: '127.0.0.1', optional: false },
        { host: '::1', optional: true },
      ],
    ],
    [
      'LOCALHOST',
      [
        { host: '127.0.0.1', optional: false },
        { host: '::1', optional: true },
      ],
    ],
    ['127.0.0.1', [{ host: '127.0.0.1', optional: false }]],
    ['0.0.0.0', [{ host: '0.0.0.0', optional: false }]],
    ['[::1]', [{ host: '::1', optional: false }]],
    [
      ['::1', 'localhost'],
      [
        { host: '::1', optional: false },
        { host: '127.0.0.1', optional: false },
      ],
    ],
    [
      ['localhost', '192.168.1.20'],
      [
        { host: '127.0.0.1', optional: false },
        { host: '::1', optional: true },
        { host: '192.168.1.20', optional: false },
      ],
    ],
    [['127.0.0.1', '127.0.0.1'], [{ host: '127.0.0.1', optional: false }]],
  ] as const)('%p', (host, expected) => {
    expect(listenAddresses(host)).toEqual([...expected]);
  });

  it('is "localhost" by default, and a list is read as one', () => {
    expect(configOf('').server.host).toBe('localhost');
    expect(configOf('[server]\nhost = ["127.0.0.1", "::1"]').server.host).toEqual(['127.0.0.1', '::1']);
  });

  it('refuses an empty list, and a wildcard beside another address, naming server.host', () => {
    expect(problemsOf('[server]\nhost = []')).toEqual([
      expect.stringMatching(
        /^config server\.host.*expected an address such as "localhost" or "0\.0\.0\.0", or a list of them/,
      ),
    ]);
    expect(problemsOf('[server]\nhost = ["0.0.0.0", "localhost"]')).toEqual([
      expect.stringMatching(/^config server\.host.*expected "0\.0\.0\.0" alone: it already listens on every address/),
    ]);
    expect(listenConflict(['0.0.0.0'])).toBeNull();
    expect(listenConflict('localhost')).toBeNull();
  });

  it('names the address that could not be listened on, an IPv6 one in brackets', () => {
    const server = configOf('[server]\nhost = ["127.0.0.1", "::1"]\nport = 8080').server;
    expect(listenError(server, false, new Error('EADDRINUSE'), '::1').message).toBe(
      'server.host/server.port [::1]:8080: cannot listen: EADDRINUSE',
    );
    expect(listenError(server, false, new Error('EADDRINUSE')).message).toBe(
      'server.host/server.port 127.0.0.1:8080: cannot listen: EADDRINUSE',
    );
  });
});
