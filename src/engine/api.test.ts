// The contract module runs in the page: it may import core modules for their types only, never a
// value (which would pull tfjs into the page bundle).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('api.ts', () => {
  it('imports and re-exports types only', () => {
    const source = readFileSync(new URL('./api.ts', import.meta.url), 'utf8');
    const statements = source.match(/^(import|export)\b[^;]*\bfrom\s+'[^']+';/gms) ?? [];
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) expect(s, s).toMatch(/^(import|export) type\b/);
  });
});
