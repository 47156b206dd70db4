// Parsers on texts captured from a real Linux machine (test/fixtures), one edited to say
// "unlimited"; and the readers against the live /proc of this machine, cross-checked with what
// Node and a shell report by other means.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  parseCapSysResource,
  parseCpuTimes,
  parseMeminfo,
  parseNofileLimit,
  parsePidStat,
  parseSockstat,
  parseSysctl,
  readAllPidStats,
  readMeminfo,
  readNofileLimit,
  readPidStat,
  readSockstat,
  readSysctl,
  UNLIMITED,
} from '../src/index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'latin1');

describe('parsers on captured texts', () => {
  it('reads Max open files from /proc/self/limits', () => {
    expect(parseNofileLimit(fixture('limits.txt'))).toEqual({ soft: 20000, hard: 20000 });
  });

  it('reads "unlimited" as UNLIMITED, a number that compares above any need and survives JSON', () => {
    const limit = parseNofileLimit(fixture('limits-unlimited.txt'))!;
    expect(limit).toEqual({ soft: UNLIMITED, hard: UNLIMITED });
    expect(limit.soft >= 1_000_000).toBe(true);
    expect(JSON.parse(JSON.stringify(limit))).toEqual(limit);
  });

  it('says undefined for a limits text without the row', () => {
    expect(
      parseNofileLimit('Limit Soft Limit Hard Limit Units\nMax cpu time unlimited unlimited seconds\n'),
    ).toBeUndefined();
  });

  it('reads /proc/meminfo in bytes', () => {
    expect(parseMeminfo(fixture('meminfo.txt'))).toEqual({
      totalBytes: 24683664 * 1024,
      availableBytes: 24176756 * 1024,
      slabBytes: 151372 * 1024,
    });
  });

  it('reads the TCP line of /proc/net/sockstat', () => {
    expect(parseSockstat(fixture('sockstat.txt'))).toEqual({ inuse: 202, orphan: 0, tw: 14, alloc: 202, memPages: 18 });
    expect(parseSockstat('sockets: used 1\n')).toBeUndefined();
  });

  it('reads the aggregate cpu line of /proc/stat (guest time already in user)', () => {
    expect(parseCpuTimes(fixture('stat.txt'))).toEqual({
      totalTicks: 9931 + 6278 + 141514 + 781 + 369 + 3428,
      idleTicks: 141514 + 781,
      stealTicks: 3428,
      userTicks: 9931,
      systemTicks: 6278,
      softirqTicks: 369,
    });
  });

  it('reads /proc/<pid>/stat of a busy node process', () => {
    expect(parsePidStat(fixture('pid-stat-node.txt'))).toEqual({
      pid: 8812,
      ppid: 8805,
      pgrp: 8805,
      name: 'node',
      state: 'R',
      kernel: false,
      ownCpuTicks: 52,
      cpuTicks: 52,
      systemTicks: 0,
      rssPages: 11873,
    });
  });

  it('reads a command name holding spaces and parentheses', () => {
    const stat = parsePidStat(fixture('pid-stat-odd-name.txt'))!;
    expect(stat.name).toBe('a) b (c');
    expect([stat.pid, stat.ppid, stat.pgrp, stat.rssPages]).toEqual([8718, 1, 8705, 391]);
  });

  it('tells a kernel thread', () => {
    expect(parsePidStat(fixture('pid-stat-kthread.txt'))).toMatchObject({ pid: 2, name: 'kthreadd', kernel: true });
    expect(parsePidStat('not a stat line')).toBeUndefined();
  });

  it('reads CAP_SYS_RESOURCE from the effective set', () => {
    // Captured in a container whose CapEff 000001fffeffffff lacks exactly bit 24.
    expect(parseCapSysResource(fixture('status.txt'))).toBe(false);
    expect(parseCapSysResource('CapEff:\t0000000000000000\n')).toBe(false);
    expect(parseCapSysResource('CapEff:\t0000000001000000\n')).toBe(true);
  });

  it('collapses a sysctl’s whitespace', () => {
    expect(parseSysctl('32768\t60999\n')).toBe('32768 60999');
  });
});

describe('readers on this machine', () => {
  it('reads the descriptor limit a shell child inherits', () => {
    const shellSoft = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    const limit = readNofileLimit()!;
    expect(limit.soft).toBe(shellSoft === 'unlimited' ? UNLIMITED : Number(shellSoft));
    expect(limit.hard >= limit.soft).toBe(true);
  });

  it('reads MemTotal as Node does', () => {
    expect(readMeminfo()!.totalBytes).toBe(os.totalmem());
  });

  it('reads this process and its parent, and nothing for a process that exited', () => {
    const me = readPidStat(process.pid)!;
    expect(me.ppid).toBe(process.ppid);
    expect(readAllPidStats().some((s) => s.pid === process.pid)).toBe(true);
    const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    expect(readPidStat(Number(child.stdout.trim()))).toBeUndefined();
  });

  it('reads sockstat and a sysctl, and undefined for a sysctl the kernel lacks', () => {
    expect(Number.isInteger(readSockstat()!.tw)).toBe(true);
    expect(readSysctl('net.ipv4.ip_local_port_range')).toMatch(/^\d+ \d+$/);
    expect(readSysctl('net.c1m.no_such_sysctl')).toBeUndefined();
  });
});
