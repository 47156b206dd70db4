// Biome wraps code at 120 columns but not string literals or comments: this keeps every line within 120 all the same.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAX = 120;

describe('line width', () => {
  it(`keeps every tracked .ts and .mjs line within ${MAX} characters`, () => {
    const files = execFileSync('git', ['ls-files', '*.ts', '*.mjs'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f !== '');
    expect(files.length).toBeGreaterThan(0);
    const long: string[] = [];
    for (const file of files) {
      const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (line.length > MAX) long.push(`${file}:${i + 1}`);
      });
    }
    expect(long).toEqual([]);
  });
});
