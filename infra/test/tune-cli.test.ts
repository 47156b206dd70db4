// `pnpm tune` as a real process: a dry run writes no sysctl (values read before and after),
// --apply with --restore is refused with exit 2, and a write the kernel refuses exits 1. The
// refused write is real: as root the run gets a network namespace of its own, where
// net.netfilter.nf_conntrack_max is read-only (the kernel keeps it per host) while the other net.*
// sysctls belong to the namespace, so nothing on the host changes; as another user every
// /proc/sys write is refused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const infra = join(import.meta.dirname, '..');
const tsx = join(infra, 'node_modules', '.bin', 'tsx');
const tuneScript = join(infra, 'src', 'tune.ts');
const asRoot = process.getuid?.() === 0;
const savedFile = join(mkdtempSync(join(tmpdir(), 'c1m-tune-')), 'saved.json');

/** Runs a shell script in a network namespace of its own when root (plain otherwise), with tune's paths set. */
function inOwnNetns(script: string) {
  const env = { ...process.env, TSX: tsx, TUNE: tuneScript, C1M_TUNE_SAVED_FILE: savedFile };
  const r = asRoot
    ? spawnSync('unshare', ['--net', 'sh', '-c', script], { env, encoding: 'utf8' })
    : spawnSync('sh', ['-c', script], { env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Row {
  name: string;
  verdict: string;
}

/** The sysctl rows tune assesses for `connections` (in the namespace the tests run in). */
function assessedRows(connections = 1_000_000): Row[] {
  const r = inOwnNetns(`"$TSX" "$TUNE" --json --connections ${connections}`);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { rows: Row[] }).rows.filter((row) => /^(fs|net)\./.test(row.name));
}

/** The host's nf_conntrack_max now (0 when netfilter's conntrack is not loaded). */
function conntrackMaxNow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/netfilter/nf_conntrack_max', 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

const readAll = (names: string[]) =>
  names.map((n) => `printf '%s=%s\\n' ${n} "$(cat /proc/sys/${n.replaceAll('.', '/')} 2>/dev/null)"`).join('; ');

describe('pnpm tune', () => {
  it('writes nothing in a dry run', () => {
    const names = assessedRows().map((r) => r.name);
    expect(names).toContain('net.ipv4.ip_local_port_range');
    const r = inOwnNetns(
      `${readAll(names)}; echo ---; "$TSX" "$TUNE" --connections 1000000 >/dev/null || echo "tune failed $?"; ` +
        `echo ---; ${readAll(names)}`,
    );
    expect(r.code, r.stderr).toBe(0);
    const [before, middle, after] = r.stdout.split('---\n');
    expect(middle).toBe('');
    expect(before!.split('\n').filter(Boolean)).toHaveLength(names.length);
    expect(after).toBe(before);
    expect(existsSync(savedFile)).toBe(false);
  });

  it('refuses --apply with --restore (exit 2, a stable code, what to give instead)', () => {
    const r = inOwnNetns('"$TSX" "$TUNE" --apply --restore');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /C1M_EXCLUSIVE_FLAGS: --apply and --restore exclude each other: give one of them, or neither for a dry run/,
    );
    expect(existsSync(savedFile)).toBe(false);
  });

  it('exits 1 when the kernel refuses a write, naming the sysctl and the error', () => {
    // Enough connections that nf_conntrack_max must be raised whatever the host holds now: a
    // bench:c1m run leaves it raised (tune wants 1.1 entries a connection) until pnpm tune --restore.
    const connections = Math.max(1_000_000, Math.ceil(conntrackMaxNow() / 1.1) + 1000);
    const raise = assessedRows(connections).filter((row) => row.verdict === 'raise');
    // Only namespace-owned sysctls may be written here: a host-wide one would change the machine.
    if (asRoot) expect(raise.map((row) => row.name).filter((name) => !name.startsWith('net.'))).toEqual([]);
    expect(raise.map((row) => row.name)).toContain('net.netfilter.nf_conntrack_max');
    const r = inOwnNetns(`"$TSX" "$TUNE" --apply --connections ${connections}`);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/net\.netfilter\.nf_conntrack_max: could not write \d+ \((EACCES|EPERM|EROFS)\)/);
  });
});
