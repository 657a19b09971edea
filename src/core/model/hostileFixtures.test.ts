// The hostile-file corpus (e2e/fixtures/hostile, written by scripts/build-hostile-fixtures.ts): the
// committed files are exactly what the script writes, and every case fails in readModelFiles with
// exactly its message, quickly, before TF.js sees anything, and leaves Object.prototype alone.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../../scripts/build-bad-fixtures';
import { HOSTILE_DIR, buildHostileFixtures, type HostileCase, type SimulatedCase } from '../../../scripts/build-hostile-fixtures';
import { checkFileSize } from './importGuards';
import { ImportError, readModelFiles } from './importFiles';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const all = JSON.parse(readFileSync(join(HOSTILE_DIR, 'cases.json'), 'utf8')) as (HostileCase | SimulatedCase)[];
const cases = all.filter((c): c is HostileCase => 'files' in c);
const simulated = all.filter((c): c is SimulatedCase => 'simulated' in c);

describe('hostile fixtures', () => {
  it('are exactly what scripts/build-hostile-fixtures.ts writes (run it after changing it)', async () => {
    const { files } = await buildHostileFixtures();
    const committed = filesUnder(HOSTILE_DIR).map((p) => relative(FIXTURES_DIR, p).split('\\').join('/')).sort();
    expect(committed).toEqual([...files.keys()].sort());
    for (const [path, bytes] of files) expect(Buffer.compare(new Uint8Array(readFileSync(join(FIXTURES_DIR, path))), bytes), path).toBe(0);
  });

  it('cover every kind the issue lists, each listing exactly the files of its folder', () => {
    expect(cases.map((c) => c.case)).toEqual(expect.arrayContaining([
      'zip-bomb', 'zip-lies-about-size', 'json-100000-deep', 'shape-past-2-31', 'shape-fractional', 'path-climbs', 'path-absolute-url',
      'path-data-url', 'html-file-name', 'layer-named-proto', 'layer-named-constructor', 'weight-named-proto',
    ]));
    expect(simulated.map((c) => c.case)).toEqual(['two-gigabytes']);
    for (const c of cases) expect(readdirSync(join(HOSTILE_DIR, c.case)).sort(), c.case).toEqual(c.files);
  });

  for (const c of cases) {
    it(`${c.case}: refused with its exact message`, () => {
      const files = c.files.map((f) => ({ path: f, bytes: new Uint8Array(readFileSync(join(HOSTILE_DIR, c.case, f))) }));
      const before = Object.getOwnPropertyNames(Object.prototype).sort();
      let message = 'accepted';
      try {
        readModelFiles(files);
      } catch (e) {
        expect(e).toBeInstanceOf(ImportError);
        message = (e as Error).message;
      }
      expect(message).toBe(c.message);
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  for (const c of simulated) {
    it(`${c.case}: refused by its size before it is read`, () => {
      expect(checkFileSize(c.simulated.name, c.simulated.size)).toBe(c.message);
    });
  }
});
