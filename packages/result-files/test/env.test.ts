// captureEnv against the real machine: every recorded field is present and plausible.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECORDED_SYSCTLS, captureEnv, gitCommit } from '../src/index.ts';

describe('captureEnv', () => {
  it('records machine, runtime, sysctls, limits and commit', () => {
    const env = captureEnv();
    expect(env.kernel).toMatch(/\S/);
    expect(env.cpuModel).toMatch(/\S/);
    expect(env.cores).toBeGreaterThan(0);
    expect(env.memoryBytes).toBeGreaterThan(0);
    expect(env.node).toBe(process.version);
    expect(Object.keys(env.sysctls).sort()).toEqual([...RECORDED_SYSCTLS].sort());
    expect(env.rlimitNofile.soft).toBeGreaterThan(0);
    expect(env.rlimitNofile.hard).toBeGreaterThanOrEqual(env.rlimitNofile.soft);
    expect(env.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(env.dependencies['hdr-histogram-js']).toMatch(/^\d+\.\d+\.\d+/);
    expect(Number.isNaN(Date.parse(env.date))).toBe(false);
  });

  it('lets the caller add fields and dependencies', () => {
    const env = captureEnv({ uws: 'x@1.0.0', dependencies: { extra: '9.9.9' } });
    expect(env.uws).toBe('x@1.0.0');
    expect(env.dependencies.extra).toBe('9.9.9');
    expect(env.dependencies['hdr-histogram-js']).toBeDefined();
  });

  it("says 'unknown' outside a git repository", () => {
    expect(gitCommit(mkdtempSync(join(tmpdir(), 'c1m-env-')))).toBe('unknown');
  });
});
