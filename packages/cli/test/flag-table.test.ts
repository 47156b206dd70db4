import { describe, expect, it } from 'vitest';
import { formatHelp, parseFlags, UsageError, type FlagTable } from '../src/index.ts';

interface Opts {
  port: number;
  mode: 'a' | 'b';
  size: number;
  wait: number;
  verbose: boolean;
}
const table: FlagTable<Opts> = {
  port: { flag: 'port', kind: 'int', help: 'port', default: 0, min: 0, max: 65535 },
  mode: { flag: 'mode', kind: 'choice', help: 'mode', default: 'a', choices: ['a', 'b'] },
  size: { flag: 'size', kind: 'bytes', help: 'size', default: 64 },
  wait: { flag: 'wait', kind: 'duration', help: 'wait', default: 1000 },
  verbose: { flag: 'verbose', kind: 'boolean', help: 'talk', default: false },
};

// Compile-time checks (tsc runs over test/): these lines fail the typecheck if the table type
// stops rejecting a forgotten option or a kind that cannot produce its option's type.
// @ts-expect-error -- 'verbose' has no row
const forgotten: FlagTable<Opts> = { port: table.port, mode: table.mode, size: table.size, wait: table.wait };
// @ts-expect-error -- a duration row cannot fill a string option
const wrongKind: FlagTable<{ name: string }> = { name: { flag: 'name', kind: 'duration', help: 'x', default: 'a' } };

describe('parseFlags', () => {
  it('keeps the rows of an incomplete table it is handed at run time (the type is the guard)', () => {
    expect(Object.keys(forgotten)).toEqual(['port', 'mode', 'size', 'wait']);
    expect(Object.keys(wrongKind)).toEqual(['name']);
  });

  it('applies defaults and converts units', () => {
    expect(parseFlags(table, []).options).toEqual({ port: 0, mode: 'a', size: 64, wait: 1000, verbose: false });
    const { options } = parseFlags(table, [
      '--port',
      '9000',
      '--mode',
      'b',
      '--size',
      '1MiB',
      '--wait',
      '250ms',
      '--verbose',
    ]);
    expect(options).toEqual({ port: 9000, mode: 'b', size: 1048576, wait: 250, verbose: true });
    expect(parseFlags(table, ['--wait', '2m']).options.wait).toBe(120_000);
  });

  it('accepts the literal "--" pnpm passes before script arguments', () => {
    expect(parseFlags(table, ['--', '--port', '9']).options.port).toBe(9);
  });

  it('names the valid choices on a bad value and the valid flags on an unknown one', () => {
    expect(() => parseFlags(table, ['--mode', 'c'])).toThrow(/must be one of: a, b/);
    expect(() => parseFlags(table, ['--port', 'x'])).toThrow(UsageError);
    expect(() => parseFlags(table, ['--port', '70000'])).toThrow(/at most 65535/);
    expect(() => parseFlags(table, ['--size', '12 parsecs'])).toThrow(/size such as/);
    expect(() => parseFlags(table, ['--colour', 'red'])).toThrow(
      /Valid flags: --port, --mode, --size, --wait, --verbose/,
    );
  });

  it('generates help from the table, defaults included', () => {
    const help = formatHelp('Usage: x', 'Does x.', table);
    for (const flag of ['--port', '--mode <a|b>', '--size', '--wait', '--verbose', '--help'])
      expect(help).toContain(flag);
    expect(help).toContain('(default: 1s)');
  });
});
