// Messages carry names from the user's files verbatim ("<img src=x onerror=...>.json: not a TF.js
// model"), so no text may ever reach the page as markup. React escapes what it renders; this keeps
// the sources free of every API that would parse a string as HTML instead.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SINKS = /dangerouslySetInnerHTML|\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser|new Function\s*\(|\beval\s*\(/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('no HTML sinks', () => {
  it('no source under src/ parses a string as HTML or code', () => {
    const hits = sources('src').flatMap((file) =>
      readFileSync(file, 'utf8').split('\n').flatMap((line, k) => (SINKS.test(line) ? [`${file}:${k + 1}: ${line.trim()}`] : [])));
    expect(hits).toEqual([]);
  });

  it('the pattern catches what it is for', () => {
    for (const line of ['<div dangerouslySetInnerHTML={{ __html: m }} />', 'el.innerHTML = message;', "el.insertAdjacentHTML('beforeend', m)", 'new Function("return 1")']) {
      expect(SINKS.test(line), line).toBe(true);
    }
    expect(SINKS.test('<span data-testid="error">{error}</span>')).toBe(false);
  });
});
