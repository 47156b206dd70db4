// tune's arithmetic on hand-made machine snapshots, and --apply/--restore against a scratch
// sysctl tree (real files, never the machine's /proc/sys).
import { mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyRows, restoreSaved } from '../src/tune/apply.ts';
import { assess } from '../src/tune/assess.ts';
import type { MachineSnapshot } from '../src/tune/machine.ts';
import { renderAssessment } from '../src/tune/render.ts';

const GIB = 2 ** 30;

function machine(over: Partial<MachineSnapshot> = {}): MachineSnapshot {
  return {
    rlimitNofile: { soft: 20_000, hard: 20_000 },
    canRaiseHardLimit: false,
    sysctls: {
      'fs.file-max': '2466170',
      'fs.nr_open': '1048576',
      'net.ipv4.ip_local_port_range': '32768 60999',
      'net.core.somaxconn': '4096',
      'net.ipv4.tcp_max_syn_backlog': '2048',
      'net.ipv4.tcp_tw_reuse': '2',
      'net.netfilter.nf_conntrack_max': '262144',
      'net.netfilter.nf_conntrack_count': '0',
      'net.ipv4.tcp_mem': '287898 383867 575796',
    },
    memTotalBytes: 24 * GIB,
    memAvailableBytes: 23 * GIB,
    cores: 2,
    ...over,
  };
}

const row = (a: ReturnType<typeof assess>, name: string) => {
  const r = a.rows.find((x) => x.name === name);
  if (!r) throw new Error(`no row ${name}`);
  return r;
};

describe('tune assessment', () => {
  it('splits a million connections over processes under a 20000 hard limit it cannot raise', () => {
    const a = assess(machine(), 1_000_000);
    expect(a.connectionsPerProcess).toBe(19_000);
    expect(a.processesPerSide).toBe(53);
    const hard = row(a, 'RLIMIT_NOFILE hard');
    expect(hard.verdict).toBe('cannot');
    expect(hard.commands.join('\n')).toMatch(/limits\.conf/);
    expect(hard.commands.join('\n')).toMatch(/LimitNOFILE=1001000/);
    expect(hard.commands.join('\n')).toMatch(/--ulimit nofile=1001000:1001000/);
    expect(hard.note).toMatch(/53 processes/);
  });

  it('computes ports, source addresses, backlog, conntrack and tcp_mem for the target', () => {
    const a = assess(machine(), 1_000_000);
    expect(a.sourceAddresses).toEqual({ current: Math.ceil(1e6 / 28232), widened: Math.ceil(1e6 / 64512) });
    expect(row(a, 'net.ipv4.ip_local_port_range').applyValue).toBe('1024 65535');
    expect(row(a, 'net.core.somaxconn').applyValue).toBe('65535');
    expect(row(a, 'net.netfilter.nf_conntrack_max').applyValue).toBe('1100000');
    expect(row(a, 'net.ipv4.tcp_mem').applyValue).toBe('500000 750000 1000000');
    expect(row(a, 'fs.file-max').verdict).toBe('ok');
    expect(row(a, 'net.ipv4.tcp_tw_reuse').verdict).toBe('ok');
    expect(a.kernelBytesNeeded).toBe(1e10);
  });

  it('finds nothing to raise for a small target', () => {
    const a = assess(machine(), 1000);
    expect(a.rows.filter((r) => r.verdict === 'raise' || r.verdict === 'cannot')).toEqual([]);
    expect(a.processesPerSide).toBe(1);
  });

  it('asks for the soft limit to be raised in the shell and reports missing memory', () => {
    const a = assess(machine({ rlimitNofile: { soft: 1024, hard: 20_000 }, memAvailableBytes: 4 * GIB }), 1_000_000);
    expect(row(a, 'RLIMIT_NOFILE soft').verdict).toBe('cannot');
    expect(row(a, 'kernel memory').verdict).toBe('cannot');
  });

  it('treats an unloaded conntrack as fine and never proposes tcp_tw_recycle', () => {
    const m = machine();
    delete m.sysctls['net.netfilter.nf_conntrack_max'];
    const a = assess(m, 1_000_000);
    expect(row(a, 'net.netfilter.nf_conntrack_max').verdict).toBe('ok');
    const text = renderAssessment(a);
    expect(text).not.toMatch(/sysctl -w net\.ipv4\.tcp_tw_recycle/);
    expect(text).toMatch(/sysctl -w net\.core\.somaxconn="65535"/);
  });

  it('offers a shell fix when the hard limit could be raised', () => {
    const a = assess(machine({ canRaiseHardLimit: true }), 100_000);
    expect(row(a, 'RLIMIT_NOFILE hard').commands[0]).toMatch(/ulimit -Hn 101000/);
  });
});

describe('tune --apply / --restore', () => {
  it('raises the values, keeps the first saved value and restores it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'c1m-tune-'));
    const root = join(dir, 'sys');
    const set = (name: string, value: string) => {
      const p = join(root, ...name.split('.'));
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, `${value}\n`);
    };
    const get = (name: string) => readFileSync(join(root, ...name.split('.')), 'utf8').trim();
    set('net.core.somaxconn', '4096');
    set('net.ipv4.tcp_max_syn_backlog', '2048');
    const saved = join(dir, 'saved.json');
    const rows = assess(machine(), 50_000).rows.filter(
      (r) => r.name === 'net.core.somaxconn' || r.name === 'net.ipv4.tcp_max_syn_backlog',
    );

    const first = applyRows(rows, saved, root);
    expect(first.every((o) => o.ok)).toBe(true);
    expect(get('net.core.somaxconn')).toBe('65535');
    // A second --apply must not overwrite the pristine values with the raised ones.
    applyRows(rows, saved, root);
    expect(JSON.parse(readFileSync(saved, 'utf8')).values).toEqual({
      'net.core.somaxconn': '4096',
      'net.ipv4.tcp_max_syn_backlog': '2048',
    });

    const restored = restoreSaved(saved, root);
    expect(restored?.every((o) => o.ok)).toBe(true);
    expect(get('net.core.somaxconn')).toBe('4096');
    expect(get('net.ipv4.tcp_max_syn_backlog')).toBe('2048');
    expect(existsSync(saved)).toBe(false);
    expect(restoreSaved(saved, root)).toBeUndefined();
  });

  it('reports a sysctl it cannot write instead of failing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'c1m-tune-'));
    const rows = assess(machine(), 50_000).rows.filter((r) => r.name === 'net.core.somaxconn');
    const outcomes = applyRows(rows, join(dir, 'saved.json'), join(dir, 'missing', 'tree'));
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.ok).toBe(false);
    expect(outcomes[0]!.error).toBe('ENOENT');
  });
});
