// The memory-reducer flag in each V8's spelling: a flag the running V8 does not know is not an
// exception, only an "Error: unrecognized flag" line on stderr of every server process (Node 22 and
// later, with the Node 20 spelling).
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { singleReducerGcFlag } from '../src/heap-settings.ts';

describe('singleReducerGcFlag', () => {
  it('spells the flag as the V8 of Node 20, 21, 22 and 24 knows it', () => {
    expect(singleReducerGcFlag('11.3.244.8-node.38')).toBe('--memory-reducer-single-gc');
    expect(singleReducerGcFlag('11.8.172.17-node.20')).toBe('--memory-reducer-single-gc');
    expect(singleReducerGcFlag('12.4.254.21-node.57')).toBe('--memory-reducer-gc-count=1');
    expect(singleReducerGcFlag('13.6.233.17-node.63')).toBe('--memory-reducer-gc-count=1');
  });

  it('names a flag the running V8 lists', () => {
    const listed = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    const name = singleReducerGcFlag(process.versions.v8).replace(/^--/, '').replace(/=.*$/, '');
    expect(listed).toMatch(new RegExp(`^\\s*--${name} `, 'm'));
  });

  it('is applied by a server process without a word on stderr', () => {
    const source = new URL('../src/heap-settings.ts', import.meta.url).pathname;
    const script = `import('${source}').then((m) => { m.applyServerHeapSettings(); console.log('applied'); })`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      encoding: 'utf8',
      cwd: new URL('..', import.meta.url).pathname,
    });
    expect(run.stdout.trim()).toBe('applied');
    expect(run.stderr).toBe('');
  });
});
