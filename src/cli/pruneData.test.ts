// `secateur prune --data` as a process, on the data fixtures the studio's own tests use
// (e2e/fixtures/data, e2e/fixtures/bad-data): the model is measured and fine-tuned on the user's
// data as the studio's Data panel makes it (the same class mapping, split and figures), and bad data
// ends with exit code 1 and the studio's exact message.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './cliTestKit';
import type { PruneOutcome } from './pruneCommand';

const DATA = join(REPO, 'e2e/fixtures/data');
const BAD = join(REPO, 'e2e/fixtures/bad-data');
const DEMO_CNN = join(REPO, 'public/models/fashion-cnn');
const FLOWERS = join(DATA, 'flowers');
const expected = JSON.parse(readFileSync(join(DATA, 'expected.json'), 'utf8'));
const badCases = (JSON.parse(readFileSync(join(BAD, 'cases.json'), 'utf8')) as { cases: { case: string; drop: string[]; message: string; warning?: boolean }[] }).cases;
const badCase = (name: string) => badCases.find((c) => c.case === name)!;

async function prune(model: string, args: string[]): Promise<{ out: string; result: PruneOutcome; stderr: string }> {
  const out = await tempDir('data');
  const r = await runCli(['prune', model, '--out', out, '--json', '-q', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return { out, result: JSON.parse(r.stdout) as PruneOutcome, stderr: r.stderr };
}

describe('secateur prune --data', () => {
  it('images in class folders (a .zip): mapped to the classes by the model\'s predictions, measured and fine-tuned on them, as the studio does', async () => {
    const f = expected.fashion;
    const { out, result, stderr } = await prune(DEMO_CNN, ['--data', join(DATA, f.zip), '--sparsity', '0.5', '--epochs', '0.05', '--batch', '32']);
    expect(stderr).toBe('');
    const d = result.data!;
    expect({ kind: d.kind, count: d.count, train: d.train, test: d.test, scaling: d.scaling, by: d.mapping!.by }).toEqual({
      kind: 'images', count: f.count, train: f.train, test: f.test, scaling: f.scaling, by: f.mappedBy,
    });
    expect(d.mapping!.groups.map((g) => g.name)).toEqual(f.folders);
    expect(d.mapping!.groups.map((g) => g.agreement)).toEqual(f.agreement);
    // Each folder goes to the class of its name (the mapping measured from the predictions).
    for (const g of d.mapping!.groups) expect(g.class).toBe(g.name);
    expect(result.metric.kind).toBe('accuracy');
    expect(result.metric.original).toBe(f.live.accuracy);
    expect(result.baseline).toEqual({ value: f.heldOut.accuracy, examples: f.heldOut.count });
    expect(result.steps.map((s) => s.kind)).toEqual(['original', 'prune', 'finetune']);
    // Labels: a fine-tune on the user's images, not a distillation.
    expect(result.steps[2].label).toBe('fine-tuned 0.05 epochs, Adam lr 0.001');
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.metric.description).toBe('accuracy on 200 held-out examples of your images; fine-tuning trains on the other 800');
    expect(report.commandLine.data).toEqual({ name: 'fashion-mnist-png.zip/fashion-mnist', choices: {} });
  }, 300_000);

  it('a CSV with --label-column: accuracy on the held-out rows; a column it lacks, or none (no labels), gets the studio\'s message', async () => {
    const f = expected.flowers;
    const csv = join(DATA, f.csv);
    const labelled = (await prune(FLOWERS, ['--data', csv, '--label-column', 'species', '--sparsity', '0.3'])).result;
    expect({ kind: labelled.data!.kind, count: labelled.data!.count, train: labelled.data!.train, test: labelled.data!.test, labelColumn: labelled.data!.labelColumn }).toEqual({
      kind: 'csv', count: f.count, train: f.train, test: f.test, labelColumn: f.labelColumn,
    });
    expect(labelled.metric.original).toBe(f.live.accuracy);
    const column = async (name: string) => runCli(['prune', FLOWERS, '--data', csv, '--label-column', name, '--sparsity', '0.3', '--out', await tempDir('data'), '-q']);
    const missing = await column('height');
    expect(missing.stderr).toBe('flowers.csv: no column named "height" (its columns: f1, f2, f3, f4, species). Choose the label column from the header.\n');
    expect(missing.code).toBe(1);
    // No labels: every column is a feature, one more than the model takes.
    const none = await column('none');
    expect(none.stderr).toBe('flowers.csv: 5 feature columns (f1, f2, f3, f4, species), but the model takes 4 features. Give the table one column per model input, in the model\'s order.\n');
    expect(none.code).toBe(1);
  }, 300_000);

  it.each([
    ...['single-class', 'zip-without-images', 'table-for-image-model', 'images-and-table'].map((c) => [c, 'the demo CNN', DEMO_CNN]),
    ...['csv-not-a-number', 'csv-ragged-row', 'csv-label-outside-classes', 'images-for-table-model'].map((c) => [c, 'the flowers model', FLOWERS]),
  ])('bad data (%s) for %s: exit code 1 and the studio\'s message', async (name, _, model) => {
    const c = badCase(name);
    const r = await runCli(['prune', model, '--data', join(BAD, name, c.drop[0]), '--sparsity', '0.5', '--out', await tempDir('bad'), '-q']);
    expect(r.stderr).toBe(`${c.message}\n`);
    expect(r.code).toBe(1);
  }, 120_000);

  it('data that loads with a warning: the warning on stderr, the run goes on', async () => {
    const c = badCase('corrupt-jpeg');
    const { result, stderr } = await prune(DEMO_CNN, ['--data', join(BAD, 'corrupt-jpeg', c.drop[0]), '--sparsity', '0.5']);
    expect(stderr).toBe(`warning: ${c.message}\n`);
    expect(result.data!.warnings).toEqual([c.message]);
    expect(result.data!.skipped).toBe(1);
  }, 300_000);

  it('a data path that does not exist: exit code 1, named', async () => {
    const r = await runCli(['prune', FLOWERS, '--data', 'no/such/folder', '--sparsity', '0.5', '--out', await tempDir('bad'), '-q']);
    expect(r.stderr).toBe('no/such/folder: no such file or folder\n');
    expect(r.code).toBe(1);
  }, 120_000);
});
