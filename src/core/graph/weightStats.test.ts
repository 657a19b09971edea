import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { cellOf, kernelHeatmap, kernelLayout, layerWeightDetail, weightHistogram, weightStats } from './weightStats';
import { convKindsNet, fashionCnn, randomizeWeights, recurrentNet, teachableMachineNet } from '../prune/testModels';
import { mulberry32 } from '../data/seededRandom';

/** The heatmap computed the slow, obvious way: every weight's row and column from its multi-index. */
function naiveHeatmap(values: Float32Array, shape: number[], rowAxes: number[], colAxes: number[], rows: number, cols: number) {
  const flatOf = (idx: number[], axes: number[]) => axes.reduce((acc, a) => acc * shape[a] + idx[a], 0);
  const R = rowAxes.reduce((n, a) => n * shape[a], 1);
  const C = colAxes.reduce((n, a) => n * shape[a], 1);
  const sum = new Float64Array(rows * cols);
  const zeros = new Float64Array(rows * cols);
  const n = new Float64Array(rows * cols);
  for (let i = 0; i < values.length; i++) {
    const idx: number[] = [];
    let rest = i;
    for (let a = shape.length - 1; a >= 0; a--) {
      idx[a] = rest % shape[a];
      rest = Math.floor(rest / shape[a]);
    }
    const cell = Math.floor((flatOf(idx, rowAxes) * rows) / R) * cols + Math.floor((flatOf(idx, colAxes) * cols) / C);
    sum[cell] += Math.abs(values[i]);
    zeros[cell] += values[i] === 0 ? 1 : 0;
    n[cell]++;
  }
  return { absMean: Array.from(sum, (s, c) => s / n[c]), zeroFraction: Array.from(zeros, (z, c) => z / n[c]) };
}

function seededValues(n: number, zeroEvery: number, seed = 3): Float32Array {
  const rnd = mulberry32(seed);
  return Float32Array.from({ length: n }, (_, i) => (i % zeroEvery === 0 ? 0 : rnd() * 2 - 1));
}

describe('weightStats', () => {
  it('counts zeros and non-finite values apart and gives the spread of all and of the nonzero values', () => {
    const s = weightStats(new Float32Array([0, 1, -1, 2, 0, NaN, -0]));
    expect(s).toMatchObject({ count: 7, zeros: 3, nonFinite: 1, min: -1, max: 2 });
    expect(s.mean).toBeCloseTo(2 / 6, 12);
    const m = 2 / 6;
    expect(s.std).toBeCloseTo(Math.sqrt((3 * m * m + (1 - m) ** 2 + (1 + m) ** 2 + (2 - m) ** 2) / 6), 12);
    expect(s.nonzeroMean).toBeCloseTo(2 / 3, 12);
    const k = 2 / 3;
    expect(s.nonzeroStd).toBeCloseTo(Math.sqrt(((1 - k) ** 2 + (1 + k) ** 2 + (2 - k) ** 2) / 3), 12);
  });

  it('is all zeros (not NaN) for an empty or all-zero tensor', () => {
    expect(weightStats(new Float32Array(0))).toEqual({ count: 0, zeros: 0, nonFinite: 0, min: 0, max: 0, mean: 0, std: 0, nonzeroMean: 0, nonzeroStd: 0 });
    expect(weightStats(new Float32Array(4))).toMatchObject({ zeros: 4, std: 0, nonzeroMean: 0, nonzeroStd: 0 });
  });
});

describe('weightHistogram', () => {
  it('bins the nonzero values between their extremes and counts exact zeros on their own', () => {
    const h = weightHistogram(new Float32Array([0, 0, 0, -1, -0.5, 0.25, 1, 1, NaN]), 4);
    expect(h.zeros).toBe(3);
    expect(Array.from(h.edges)).toEqual([-1, -0.5, 0, 0.5, 1]);
    // [-1,-0.5) gets -1; [-0.5,0) gets -0.5; [0,0.5) gets 0.25; the last bin is closed and takes both 1s.
    expect(Array.from(h.counts)).toEqual([1, 1, 1, 2]);
  });

  it('shows pruning as a gap around zero plus the zero count', () => {
    // Magnitude pruning removes the small weights: the bins next to 0 empty, the zero count grows.
    const values = seededValues(4000, 1_000_000);
    const pruned = values.map((v) => (Math.abs(v) < 0.5 ? 0 : v));
    const before = weightHistogram(values, 40);
    const after = weightHistogram(pruned, 40);
    expect(before.zeros).toBe(1);
    expect(after.zeros).toBeGreaterThan(1800);
    const sum = (c: Uint32Array) => c.reduce((a, b) => a + b, 0);
    expect(sum(after.counts) + after.zeros).toBe(4000);
    const middle = after.counts.slice(12, 28); // bins within about ±0.45 of zero
    expect(sum(middle)).toBe(0);
  });

  it('handles a single distinct value, no nonzero value, and refuses a bad bin count', () => {
    const one = weightHistogram(new Float32Array([0.5, 0.5, 0]), 5);
    expect(one.edges[0]).toBeLessThan(0.5);
    expect(one.edges[5]).toBeGreaterThan(0.5);
    expect(Array.from(one.counts)).toEqual([0, 0, 2, 0, 0]);
    const none = weightHistogram(new Float32Array(3), 2);
    expect(none.zeros).toBe(3);
    expect(Array.from(none.counts)).toEqual([0, 0]);
    expect(Array.from(none.edges)).toEqual([-1, 0, 1]);
    expect(() => weightHistogram(new Float32Array(3), 0)).toThrow(/bins/);
  });
});

describe('kernelLayout', () => {
  it('puts output channels or units on the rows for every kernel kind', () => {
    expect(kernelLayout('Dense', 'kernel', [5, 3])).toMatchObject({ rowAxes: [1], colAxes: [0], rowLabel: 'output unit', colLabel: 'input feature' });
    expect(kernelLayout('Conv2D', 'kernel', [3, 3, 2, 4])).toMatchObject({ rowAxes: [3], colAxes: [2, 0, 1], colLabel: 'input channel × kernel position (3×3)' });
    expect(kernelLayout('Conv1D', 'kernel', [5, 2, 4])).toMatchObject({ rowAxes: [2], colAxes: [1, 0] });
    expect(kernelLayout('Conv2DTranspose', 'kernel', [3, 3, 4, 2])).toMatchObject({ rowAxes: [2], colAxes: [3, 0, 1] });
    expect(kernelLayout('DepthwiseConv2D', 'depthwise_kernel', [3, 3, 2, 2])).toMatchObject({ rowAxes: [2, 3], colAxes: [0, 1] });
    expect(kernelLayout('SeparableConv2D', 'pointwise_kernel', [1, 1, 4, 6])).toMatchObject({ rowAxes: [3], colAxes: [2, 0, 1] });
    expect(kernelLayout('Embedding', 'embeddings', [20, 6])).toMatchObject({ rowAxes: [1], rowLabel: 'embedding dimension', colLabel: 'token id' });
    expect(kernelLayout('LSTM', 'recurrent_kernel', [4, 16]).rowLabel).toMatch(/gate \(i, f, c, o\)/);
    expect(kernelLayout('Bidirectional', 'backward_gru/kernel', [4, 9]).rowLabel).toMatch(/gate \(z, r, h\)/);
  });
});

describe('kernelHeatmap', () => {
  it('maps a Conv2D kernel [h, w, in, out] to out × (in · h · w) without loss when small', () => {
    const shape = [2, 3, 2, 4];
    // Each value names its place: out, in, y, x as digits (plus 1 so none is 0).
    const values = new Float32Array(48);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) for (let i = 0; i < 2; i++) for (let o = 0; o < 4; o++) {
      values[((y * 3 + x) * 2 + i) * 4 + o] = 1 + o * 1000 + i * 100 + y * 10 + x;
    }
    const h = kernelHeatmap(values, shape, kernelLayout('Conv2D', 'kernel', shape));
    expect(h).toMatchObject({ rows: 4, cols: 12, sourceRows: 4, sourceCols: 12, rowLabel: 'output channel (filter)' });
    // Row o, column i·6 + y·3 + x: input channel major, then the kernel position.
    expect(h.absMean[2 * 12 + (1 * 6 + 1 * 3 + 2)]).toBe(1 + 2000 + 100 + 10 + 2);
    expect(h.absMean[0]).toBe(1);
    expect(Array.from(h.zeroFraction).every((z) => z === 0)).toBe(true);
  });

  it('averages |w| and counts zeros per cell when it has to downsample (matches a naive count)', () => {
    const shape = [300, 200]; // Dense: 300 inputs, 200 units -> 200 rows × 300 cols -> 128 × 256 cells
    const values = seededValues(300 * 200, 7).map((v, i) => (i % 11 === 0 ? -v : v));
    const layout = kernelLayout('Dense', 'kernel', shape);
    const h = kernelHeatmap(values, shape, layout);
    expect([h.rows, h.cols, h.sourceRows, h.sourceCols]).toEqual([128, 256, 200, 300]);
    const naive = naiveHeatmap(values, shape, layout.rowAxes, layout.colAxes, 128, 256);
    for (let c = 0; c < 128 * 256; c++) {
      expect(h.absMean[c]).toBeCloseTo(naive.absMean[c], 5);
      expect(h.zeroFraction[c]).toBeCloseTo(naive.zeroFraction[c], 6);
    }
  });

  it('walks multi-axis rows (depthwise: output channel = in · multiplier + m) and respects smaller limits', () => {
    const shape = [3, 3, 5, 2];
    const values = seededValues(90, 4, 9);
    const layout = kernelLayout('DepthwiseConv2D', 'depthwise_kernel', shape);
    const h = kernelHeatmap(values, shape, layout, { maxRows: 4, maxCols: 4 });
    expect([h.rows, h.cols, h.sourceRows, h.sourceCols]).toEqual([4, 4, 10, 9]);
    const naive = naiveHeatmap(values, shape, layout.rowAxes, layout.colAxes, 4, 4);
    expect(Array.from(h.absMean).map((v) => +v.toFixed(5))).toEqual(naive.absMean.map((v) => +v.toFixed(5)));
    expect(Array.from(h.zeroFraction).map((v) => +v.toFixed(5))).toEqual(naive.zeroFraction.map((v) => +v.toFixed(5)));
  });

  it('puts ⌊n/k⌋ or ⌈n/k⌉ consecutive rows in every cell', () => {
    for (const [total, cells] of [[200, 128], [300, 256], [7, 3], [5, 5]]) {
      const sizes = new Array<number>(cells).fill(0);
      let last = 0;
      for (let r = 0; r < total; r++) {
        const c = cellOf(r, cells, total);
        expect(c).toBeGreaterThanOrEqual(last);
        last = c;
        sizes[c]++;
      }
      expect(Math.min(...sizes)).toBe(Math.floor(total / cells));
      expect(Math.max(...sizes)).toBe(Math.ceil(total / cells));
    }
  });

  it('refuses values that do not fill the shape', () => {
    expect(() => kernelHeatmap(new Float32Array(5), [2, 3], kernelLayout('Dense', 'kernel', [2, 3]))).toThrow(/shape/);
  });
});

describe('layerWeightDetail', () => {
  it('reads a layer of the live model without disposing or changing its weights', async () => {
    const model = fashionCnn();
    randomizeWeights(model);
    const conv1 = model.getLayer('conv1');
    const [kernel, bias] = conv1.getWeights();
    const pruned = tf.tidy(() => tf.where(tf.less(tf.abs(kernel), 0.3), tf.zerosLike(kernel), kernel));
    const expectedZeros = (await tf.equal(pruned, 0).sum().data())[0];
    conv1.setWeights([pruned, bias]);
    pruned.dispose();
    const before = tf.memory().numTensors;
    const detail = await layerWeightDetail(model, 'conv1', { bins: 10 });
    expect(tf.memory().numTensors).toBe(before);
    expect(detail.className).toBe('Conv2D');
    expect(detail.kernels).toHaveLength(1);
    const k = detail.kernels[0];
    expect(k).toMatchObject({ key: 'conv1/kernel', weight: 'kernel', shape: [3, 3, 1, 4] });
    expect(k.stats.count).toBe(36);
    expect(k.stats.zeros).toBe(expectedZeros);
    expect(k.stats.zeros).toBeGreaterThan(0);
    expect(k.histogram.zeros).toBe(expectedZeros);
    expect(k.histogram.counts.reduce((a, b) => a + b, 0)).toBe(36 - expectedZeros);
    expect([k.heatmap.rows, k.heatmap.cols]).toEqual([4, 9]);
    // The model still runs on the same, undisposed weights.
    const again = conv1.getWeights()[0];
    expect(again.isDisposed).toBe(false);
    expect((await tf.equal(again, 0).sum().data())[0]).toBe(expectedZeros);
    const out = model.predict(tf.zeros([1, 8, 8, 1])) as tf.Tensor;
    expect(out.shape).toEqual([1, 3]);
    out.dispose();
    model.dispose();
  });

  it('finds nested layers and shows every kernel of a separable conv', async () => {
    const tm = teachableMachineNet();
    const nested = await layerWeightDetail(tm, 'features/conv_1');
    expect(nested.kernels.map((k) => k.key)).toEqual(['features/conv_1/kernel']);
    expect(nested.kernels[0].heatmap).toMatchObject({ rows: 4, cols: 27, colLabel: 'input channel × kernel position (3×3)' });
    tm.dispose();

    const kinds = convKindsNet();
    const sep = await layerWeightDetail(kinds, 'separable');
    expect(sep.kernels.map((k) => k.weight)).toEqual(['depthwise_kernel', 'pointwise_kernel']);
    expect(sep.kernels[0].heatmap).toMatchObject({ sourceRows: 8, sourceCols: 1 });
    expect(sep.kernels[1].heatmap).toMatchObject({ sourceRows: 6, sourceCols: 8 });
    const transpose = await layerWeightDetail(kinds, 'transpose');
    expect(transpose.kernels[0].heatmap).toMatchObject({ sourceRows: 3, sourceCols: 6 * 9 });
    kinds.dispose();

    const rnn = recurrentNet();
    const lstm = await layerWeightDetail(rnn, 'lstm');
    expect(lstm.kernels.map((k) => [k.weight, k.heatmap.sourceRows, k.heatmap.sourceCols])).toEqual([['kernel', 16, 6], ['recurrent_kernel', 16, 4]]);
    const bi = await layerWeightDetail(rnn, 'bilstm');
    expect(bi.kernels).toHaveLength(4);
    expect(bi.kernels[0].heatmap.rowLabel).toMatch(/gate \(i, f, c, o\)/);
    rnn.dispose();
  });

  it('says which layer is missing or has nothing to show', async () => {
    const model = fashionCnn();
    await expect(layerWeightDetail(model, 'nope')).rejects.toThrow(/no layer "nope"/);
    await expect(layerWeightDetail(model, 'bn1')).rejects.toThrow(/bn1 \(BatchNormalization\) has no prunable kernel/);
    model.dispose();
  });
});
