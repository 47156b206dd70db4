// The flags of the driver's benchmark as a user types them: after the `--` pnpm forwards (pnpm 12 passes
// it on to the script), and bad values refused with what is valid before anything is measured.
import { UsageError } from '@c1m/cli';
import { describe, expect, it } from 'vitest';
import { parseBenchFlags } from '../bench/bench-flags.ts';

describe('the driver benchmark flags', () => {
  it('takes the flags after the `--` that pnpm forwards, and gives defaults for the rest', () => {
    expect(parseBenchFlags(['--', '--rounds', '5', '--idle', '0'])).toEqual({
      rounds: 5,
      durationSeconds: 5,
      idle: 0,
      pin: 'split',
      compareCli: '',
    });
    expect(parseBenchFlags(['--pin', 'none', '--duration', '2'])).toMatchObject({ pin: 'none', durationSeconds: 2 });
  });

  it('refuses a bad value naming it and what is valid', () => {
    const refused = (argv: string[]) => {
      try {
        parseBenchFlags(argv);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as UsageError).message;
      }
      throw new Error(`accepted ${argv.join(' ')}`);
    };
    expect(refused(['--rounds', 'x'])).toMatch(/--rounds/);
    expect(refused(['--rounds', '0'])).toMatch(/--rounds/);
    expect(refused(['--pin', 'half'])).toMatch(/split, none|split\|none/);
    expect(refused(['--bogus'])).toMatch(/--bogus/);
  });
});
