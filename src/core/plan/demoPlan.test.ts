// Why the studio plans at all, on the real demo: at 90% global sparsity, one shot (no fine-tuning),
// unstructured magnitude pruning of the demo CNN keeps far more accuracy when the sparsity is spread
// by the sensitivity plan than when every layer gets 90%. The scan sees the first SCAN_IMAGES test
// images; both prunings are then measured on CHECK_IMAGES other ones, so the plan is not graded on the
// images it was fitted to. Also: size targets land within 2% (global sparsity, gzip bytes measured by
// a callback), and the counts the plan promises are what countModel finds after pruning.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageSet, type LabelledImages } from '../data/fashionMnist';
import { evaluateAccuracy } from '../metrics/accuracy';
import { applyMasks, captureWeights, computePruning, restoreWeights, type WeightSnapshot } from '../prune';
import { countModel } from '../graph/macs';
import { disposeModel } from '../graph/disposeModel';
import { planAllocation, scanSensitivity, type SensitivityScan } from '.';

const PUBLIC = fileURLToPath(new URL('../../../public/', import.meta.url));
const SCAN_IMAGES = 200;
const CHECK_FROM = 1000;
const CHECK_IMAGES = 500;
// Dense where one layer is cheap to spare, up to 0.98 so fc1 (95% of the weights) can carry most of a
// 90% target. Seven points x four layers: at most 29 evaluations of 200 images, ~30 s on a busy 2-core cpu.
const LADDER = [0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98];

function loadDemoCnn(): Promise<tf.LayersModel> {
  const dir = join(PUBLIC, 'models/fashion-cnn');
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const bin = readFileSync(join(dir, 'weights.bin'));
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
  }));
}

function slice(set: LabelledImages, from: number, count: number): LabelledImages {
  const px = set.height * set.width * set.channels;
  return { ...set, images: set.images.subarray(from * px, (from + count) * px), labels: set.labels.subarray(from, from + count), count };
}

describe('plan on the demo CNN (unstructured magnitude, one shot)', () => {
  let model: tf.LayersModel;
  let original: WeightSnapshot;
  let scanSet: LabelledImages;
  let checkSet: LabelledImages;
  let scan: SensitivityScan;

  /** Accuracy (on the check images unless told) after pruning the original weights with a per-layer target. */
  async function checkAccuracy(perLayer: Record<string, number>, images: LabelledImages = checkSet): Promise<number> {
    restoreWeights(model, original);
    const r = await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: perLayer } });
    applyMasks(model, r.masks);
    const acc = (await evaluateAccuracy(model, images)).accuracy;
    restoreWeights(model, original);
    return acc;
  }

  /** gzip (level 6) of every float32 weight after pruning with `perLayer`, as an exported .bin would compress. */
  async function gzipBytes(perLayer: Record<string, number>): Promise<number> {
    const r = await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: perLayer } });
    const parts = Object.entries(original).map(([key, w]) => {
      const values = w.values.slice();
      const keep = r.masks[key]?.keep;
      if (keep) for (let i = 0; i < values.length; i++) if (!keep[i]) values[i] = 0;
      return new Uint8Array(values.buffer);
    });
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return gzipSync(all).length;
  }

  beforeAll(async () => {
    model = await loadDemoCnn();
    original = await captureWeights(model);
    const dir = join(PUBLIC, 'demo/fashion-mnist');
    const test = decodeImageSet(gunzipSync(readFileSync(join(dir, 'test-images.idx.gz'))), gunzipSync(readFileSync(join(dir, 'test-labels.idx.gz'))), 'test');
    scanSet = slice(test, 0, SCAN_IMAGES);
    checkSet = slice(test, CHECK_FROM, CHECK_IMAGES);
    scan = await scanSensitivity(model, {
      granularity: 'unstructured', criterion: 'magnitude', ladder: LADDER,
      evaluate: async (m, control) => (await evaluateAccuracy(m, scanSet, control)).accuracy,
      // A layer below 50% accuracy is past saving: its harder points are not measured (3 fewer evaluations).
      stopBelow: 0.5,
    });
    console.log(`scan: ${scan.evaluations} evaluations in ${(scan.ms / 1000).toFixed(1)} s, baseline ${(scan.baseline * 100).toFixed(1)}%`);
    for (const u of scan.units) {
      console.log(`  ${u.id.padEnd(6)} ${String(u.params).padStart(6)} weights  ${u.curve.map((p) => `${Math.round(p.ladder * 100)}%:${(p.metric * 100).toFixed(1)}${p.estimated ? '~' : ''}`).join(' ')}  robust to ${(u.robustness.maxSparsity * 100).toFixed(0)}%`);
    }
    console.log(`  ranking (robust -> fragile): ${scan.ranking.join(', ')}`);
  }, 600_000);

  afterAll(() => disposeModel(model));

  it('scans every prunable layer and leaves the model exactly as it was', async () => {
    expect(scan.units.map((u) => u.id)).toEqual(['conv1', 'conv2', 'fc1', 'fc2']);
    expect(scan.units.every((u) => u.curve.length === LADDER.length)).toBe(true);
    const after = await captureWeights(model);
    for (const [key, w] of Object.entries(original)) expect(after[key].values, key).toEqual(w.values);
    // fc1 holds 95% of the weights and is the most robust; the tiny first conv is not.
    expect(scan.ranking[0]).toBe('fc1');
    expect(scan.ranking.indexOf('conv1')).toBeGreaterThan(scan.ranking.indexOf('fc1'));
  });

  it('at 90% global sparsity the plan beats 90% of every layer by a clear margin (held-out images)', async () => {
    const plan = await planAllocation(scan, { kind: 'sparsity', value: 0.9 });
    expect(plan.reached).toBe(true);
    expect(Math.abs(plan.achieved.sparsity - 0.9)).toBeLessThan(0.9 * 0.02);
    const uniform = Object.fromEntries(scan.units.map((u) => [u.id, 0.9]));
    const planned = await checkAccuracy(plan.sparsity);
    const flat = await checkAccuracy(uniform);
    const baseline = await checkAccuracy({});
    const onScanImages = await checkAccuracy(plan.sparsity, scanSet);
    console.log(`90% sparsity, ${CHECK_IMAGES} held-out images: original ${(baseline * 100).toFixed(1)}%, uniform ${(flat * 100).toFixed(1)}%, planned ${(planned * 100).toFixed(1)}%; `
      + `on the scan images: predicted ${(plan.predictedMetric * 100).toFixed(1)}%, measured ${(onScanImages * 100).toFixed(1)}%; plan: ${plan.units.map((u) => `${u.id} ${(u.sparsity * 100).toFixed(1)}%`).join(', ')}`);
    expect(planned - flat).toBeGreaterThanOrEqual(0.3);
    expect(planned).toBeGreaterThan(baseline - 0.1);
  });

  it('promises the counts that pruning then delivers (sparsity, nonzero weights, MACs)', async () => {
    const plan = await planAllocation(scan, { kind: 'sparsity', value: 0.85 });
    restoreWeights(model, original);
    applyMasks(model, (await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: plan.sparsity } })).masks);
    const counts = await countModel(model);
    restoreWeights(model, original);
    expect(plan.achieved.params).toBe(counts.totals.prunableNonzero);
    expect(plan.achieved.macs).toBe(counts.totals.nonzeroMacs);
    expect(counts.totals.prunableSparsity).toBeGreaterThanOrEqual(0.85);
    expect(counts.totals.prunableSparsity - 0.85).toBeLessThan(0.85 * 0.02);
  });

  it('a gzip-size target measured by a callback lands within 2%', async () => {
    const dense = await gzipBytes({});
    const target = Math.round(dense * 0.3);
    const plan = await planAllocation(scan, { kind: 'bytes', value: target, measure: gzipBytes });
    const measured = await gzipBytes(plan.sparsity);
    console.log(`gzip target ${target} B (30% of ${dense} B dense): measured ${measured} B (${(((measured - target) / target) * 100).toFixed(2)}%) `
      + `after ${plan.measures} measurements, sparsity ${(plan.achieved.sparsity * 100).toFixed(1)}%`);
    expect(plan.reached).toBe(true);
    expect(plan.achieved.bytes).toBe(measured);
    expect(Math.abs(measured - target) / target).toBeLessThanOrEqual(0.02);
  });
});
