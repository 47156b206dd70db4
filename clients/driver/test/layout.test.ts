// The IPC messages between coordinator and shard are plain data: the file may import types from
// the protocol and the option values, never the pool, a shard phase or the coordinator.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('ipc/messages.ts', () => {
  it('imports only types, and none from shard/ or coordinator/', () => {
    const text = readFileSync(new URL('../src/ipc/messages.ts', import.meta.url), 'utf8');
    const imports = [...text.matchAll(/^import (type )?.*from '([^']+)';$/gm)];
    expect(imports.map((m) => m[2])).toEqual(['@c1m/protocol', '../options/values.ts']);
    expect(imports.every((m) => m[1] === 'type ')).toBe(true);
  });
});
