// `secateur inspect` as a process: the demo CNN's summary as JSON and text, the studio's messages for
// bad models (exit 1), and usage errors (exit 2).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './cliTestKit';
import type { InspectResult } from './inspect';

const badCases = JSON.parse(readFileSync(join(REPO, 'e2e/fixtures/bad/cases.json'), 'utf8')) as { case: string; files: string[]; message: string }[];
const messageOf = (name: string) => badCases.find((c) => c.case === name)!.message;

describe('secateur inspect', () => {
  it('gives the demo CNN\'s parameters, MACs, prunable layers and locks as JSON', async () => {
    const r = await runCli(['inspect', 'public/models/fashion-cnn', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as InspectResult;
    expect(json.model).toBe('fashion-cnn');
    // conv1 160 + bn1 64 + conv2 4,640 + bn2 128 + fc1 100,416 + fc2 650.
    expect(json.totals.params).toBe(106_058);
    expect(json.totals.prunableParams).toBe(105_744);
    // conv1 28·28·16·9 + bn1 + conv2 14·14·32·144 + bn2 + fc1 1568·64 + fc2 64·10.
    expect(json.totals.macs).toBe(1_135_872);
    const conv2 = json.layers.find((l) => l.name === 'conv2')!;
    expect(conv2).toMatchObject({ className: 'Conv2D', params: 4640, macs: 903_168, prunable: true, channelGroup: 'conv2' });
    expect(json.locks).toEqual([{ layer: 'fc2', reason: 'reaches the model output (fc2): output layers are never pruned' }]);
    expect(json.metric.kind).toBe('accuracy');
    expect(json.metric.value).toBeGreaterThan(0.85);
  }, 180_000);

  it('prints the same summary as a table', async () => {
    const r = await runCli(['inspect', 'public/models/fashion-cnn/model.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^conv2\s+Conv2D\s+\[\?, 14, 14, 32\]\s+4,640\s+4,640\s+903,168\s+yes\s+group conv2$/m);
    expect(r.stdout).toContain('Parameters: 106,058');
    expect(r.stdout).toContain('MACs per example: 1,135,872');
    expect(r.stdout).toContain('  fc2: reaches the model output (fc2): output layers are never pruned');
  }, 180_000);

  it.each(['invalid-json', 'missing-shard', 'custom-layer'])('refuses the bad model %s with the studio\'s message and exit code 1', async (name) => {
    const r = await runCli(['inspect', `e2e/fixtures/bad/${name}/model.json`, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${messageOf(name)}\n`);
    expect(r.stdout).toBe('');
  }, 180_000);

  it('refuses a path that does not exist with exit code 1', async () => {
    const r = await runCli(['inspect', 'no/such/model.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('no/such/model.json: no such file or folder\n');
  }, 180_000);

  it.each([
    [['inspect', 'public/models/fashion-cnn', '--bogus'], "error: unknown option '--bogus'"],
    [['inspect'], "error: missing required argument 'model'"],
    [['prune', 'public/models/fashion-cnn', '--out', 'x', '--granularity', '3:4'], "error: option '-g, --granularity <g>' argument '3:4' is invalid. Allowed choices are unstructured, 2:4, 4:8, channels."],
    [['prune', 'public/models/fashion-cnn', '--out', 'x', '--sparsity', '1.5'], '--sparsity must be a fraction from 0 to 1 (or a percentage), got "1.5"'],
    [['prune', 'public/models/fashion-cnn', '--out', 'x'], '--granularity unstructured needs a target: --sparsity <fraction>, --layer <layer>=<fraction> (repeatable) or --plan <target>'],
    [['prune', 'public/models/fashion-cnn', '--out', 'x', '-g', '2:4', '--sparsity', '0.5'], '--sparsity has no effect with --granularity 2:4: it always keeps 2 of every 4 weights'],
    [['prune', 'public/models/fashion-cnn', '--sparsity', '0.5'], "error: required option '-o, --out <dir>' not specified"],
    [['prune', 'public/models/fashion-cnn', '--out', 'x', '--sparsity', '0.5', '--label-column', 'y'], '--label-column needs --data: it names the label column of your CSV'],
    [['prune', 'public/models/fashion-cnn', '--out', 'x', '--sparsity', '0.5', '--format', 'packed', '--precision', 'uint8'], '--format packed holds float32 weights (shared values exactly, then entropy-coded): --precision uint8 does not apply'],
    [['prune', 'public/models/fashion-cnn', '--out', 'x', '--sparsity', '0.5', '--cluster-k', 'many'], '--cluster-k must be a number, got "many"'],
    [['prune', 'public/models/fashion-cnn', '--out', 'x', '--sparsity', '0.5', '--schedule', 'cubic'], "error: option '--schedule <kind>' argument 'cubic' is invalid. Allowed choices are agp, iterative."],
    [['prune', 'public/models/fashion-cnn', '--out', 'x', '--sparsity', '0.5', '--seed', '-1'], '--seed must be a whole number from 0 to 4294967295, got "-1"'],
    [['replay', 'r.json', 'public/models/fashion-cnn', '--out', 'x', '--format', 'packed', '--precision', 'float16'], '--format packed holds float32 weights (shared values exactly, then entropy-coded): --precision float16 does not apply'],
  ])('exits with code 2 on bad usage: %j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
  }, 180_000);
});
