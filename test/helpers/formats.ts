/** Readers for what the install commands write: a systemd unit, a Windows command line. */

/** `key=value` lines of an INI-like file (systemd unit), every value per key in order. */
export function iniValues(text: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!m) continue;
    values.set(m[1]!, [...(values.get(m[1]!) ?? []), m[2]!]);
  }
  return values;
}

/**
 * Splits a Windows command line the way the MSVC runtime and CommandLineToArgvW
 * do ("Parsing C++ command-line arguments", Microsoft Learn): 2n backslashes and a
 * quote give n backslashes and toggle quoting, 2n+1 give n and a literal quote,
 * other backslashes are literal.
 */
export function parseWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let cur = '';
  let inQuotes = false;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\') {
      let n = 0;
      while (line[i] === '\\') {
        n++;
        i++;
      }
      if (line[i] === '"') {
        cur += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) cur += '"';
        else inQuotes = !inQuotes;
      } else {
        cur += '\\'.repeat(n);
        i--;
      }
      started = true;
    } else if (ch === '"') {
      inQuotes = !inQuotes;
      started = true;
    } else if (/\s/.test(ch) && !inQuotes) {
      if (started) args.push(cur);
      cur = '';
      started = false;
    } else {
      cur += ch;
      started = true;
    }
  }
  if (started) args.push(cur);
  return args;
}
