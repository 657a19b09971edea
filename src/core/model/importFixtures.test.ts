// The e2e import corpus (e2e/fixtures, written by scripts/build-bad-fixtures.ts) cannot rot: the
// committed files must be exactly what the script writes, every bad case must fail in
// readModelFiles (before TF.js loads anything) with exactly the message cases.json gives, and every
// good case must load with the name, parameter count and labels it lists. Files reach the import as
// the browser gives them: base names for loose files, paths from the folder's name for a folder.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { FIXTURES_DIR, buildFixtures, type BadCase, type GoodCase } from '../../../scripts/build-bad-fixtures';
import { disposeModel } from '../graph/disposeModel';
import { ImportError, loadImportedModel, readAnyModelFiles, readModelFiles, type InputFile } from './importFiles';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const read = (path: string) => new Uint8Array(readFileSync(path));
const badCases = JSON.parse(readFileSync(join(FIXTURES_DIR, 'bad/cases.json'), 'utf8')) as BadCase[];
const goodCases = JSON.parse(readFileSync(join(FIXTURES_DIR, 'good/cases.json'), 'utf8')) as GoodCase[];

function importError(files: InputFile[], read: (files: InputFile[]) => unknown = readModelFiles): string {
  try {
    read(files);
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    return (e as Error).message;
  }
  throw new Error(`${read.name} accepted the files`);
}

describe('e2e import fixtures', () => {
  it('are exactly what scripts/build-bad-fixtures.ts writes (run it after changing it)', async () => {
    const { files } = await buildFixtures();
    const committed = filesUnder(FIXTURES_DIR)
      .map((p) => relative(FIXTURES_DIR, p).split('\\').join('/'))
      .filter((p) => p.startsWith('bad/') || p.startsWith('good/'))
      .sort();
    expect(committed).toEqual([...files.keys()].sort());
    for (const [path, bytes] of files) expect(Buffer.compare(read(join(FIXTURES_DIR, path)), bytes), path).toBe(0);
    const total = [...files.values()].reduce((n, b) => n + b.length, 0);
    expect(total).toBeLessThan(200 * 1024);
  });

  it('has at least 25 bad cases, each named once, each listing exactly the files of its folder', () => {
    expect(badCases.filter((c) => !c.warning).length).toBeGreaterThanOrEqual(25);
    expect(new Set(badCases.map((c) => c.case)).size).toBe(badCases.length);
    for (const c of badCases) expect(readdirSync(join(FIXTURES_DIR, 'bad', c.case)).sort(), c.case).toEqual(c.files);
  });

  for (const c of badCases) {
    it(`bad/${c.case}: ${c.warning ? 'warns' : 'fails'} with its exact message`, async () => {
      const files = c.files.map((f) => ({ path: f, bytes: read(join(FIXTURES_DIR, 'bad', c.case, f)) }));
      if (!c.warning) {
        expect(importError(files)).toBe(c.message);
        // The studio reads graph models too: the same message, or the case's own `studio` one.
        expect(importError(files, readAnyModelFiles)).toBe(c.studio ?? c.message);
        return;
      }
      const imported = readModelFiles(files);
      expect(imported.warnings).toEqual([c.message]);
      expect(readAnyModelFiles(files).warnings).toEqual([c.studio ?? c.message]);
      disposeModel(await loadImportedModel(imported));
    });
  }

  for (const c of goodCases) {
    it(`good/${c.case}: loads as ${c.name} with ${c.params} parameters`, async () => {
      const root = join(FIXTURES_DIR, 'good', c.path);
      const files: InputFile[] = statSync(root).isDirectory()
        ? filesUnder(root).map((p) => ({ path: c.drop === 'folder' ? relative(join(FIXTURES_DIR, 'good'), p) : relative(root, p).split('/').pop()!, bytes: read(p) }))
        : [{ path: c.path.split('/').pop()!, bytes: read(root) }];
      const imported = readModelFiles(files.reverse());
      expect(imported.name).toBe(c.name);
      expect(imported.params).toBe(c.params);
      expect(imported.labels).toEqual(c.labels);
      expect(imported.fixes).toEqual(c.fixes);
      expect(imported.warnings).toEqual([]);
      const model = await loadImportedModel(imported);
      expect(model.countParams()).toBe(c.params);
      const y = model.predict(tf.ones([2, ...(model.inputs[0].shape.slice(1) as number[])])) as tf.Tensor;
      expect(tf.tidy(() => tf.isFinite(y).all().dataSync()[0])).toBe(1);
      y.dispose();
      disposeModel(model);
    });
  }
});
