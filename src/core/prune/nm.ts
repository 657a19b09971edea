// N:M semi-structured sparsity (2:4, 4:8): along the input dimension of a kernel, every group of M
// consecutive weights keeps at most N nonzeros. For a Dense kernel [in, out] a group is M consecutive
// input rows of one output column; for Conv kernels [..., in, out] it runs along `in` at each spatial
// tap and output channel; for Conv2DTranspose [kh, kw, out, in] along the last axis. A trailing group
// shorter than M (when `in` is not a multiple of M) follows the same rule: at most N nonzeros. The
// axis, or why N:M does not apply (depthwise kernels, embeddings), is each layer rule's `nm`.
import type { PrunableTensor } from '../graph/prunable';
import { inputAxisNM, prunableWeightRule, type NMAxis } from '../graph/rules';
import type { Scores } from './importance';
import type { MaskSet } from './masks';

export interface NMPattern {
  /** Nonzeros kept per group. */
  n: number;
  /** Group length. */
  m: number;
}

/** Axis of the input dimension of a prunable tensor (its layer rule's N:M axis), or a reason why N:M does not apply to it. */
export function nmAxis(t: Pick<PrunableTensor, 'layerClass' | 'weight' | 'shape'>): NMAxis {
  const nm = prunableWeightRule(t.layerClass, t.weight)?.nm ?? inputAxisNM;
  return nm(t.shape.length);
}

function lines(shape: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, len: shape[axis], inner };
}

function checkPattern(p: NMPattern): void {
  if (!Number.isInteger(p.n) || !Number.isInteger(p.m) || p.m < 1 || p.n < 0 || p.n > p.m) {
    throw new Error(`invalid N:M pattern ${p.n}:${p.m}`);
  }
}

/**
 * Keep-mask with the N highest scores of every group of M along `axis` (ties: the lower index is kept).
 * With `absolute` scores are compared by magnitude.
 */
export function nmMask(scores: Float32Array, shape: readonly number[], pattern: NMPattern, axis: number, absolute: boolean): Uint8Array {
  checkPattern(pattern);
  const { n, m } = pattern;
  const { outer, len, inner } = lines(shape, axis);
  const keep = new Uint8Array(scores.length);
  const vals = new Float64Array(m);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      for (let g = 0; g < len; g += m) {
        const size = Math.min(m, len - g);
        if (size <= n) {
          for (let j = 0; j < size; j++) keep[base + (g + j) * inner] = 1;
          continue;
        }
        for (let j = 0; j < size; j++) {
          const s = scores[base + (g + j) * inner];
          vals[j] = Number.isNaN(s) ? -Infinity : absolute ? Math.abs(s) : s;
        }
        for (let r = 0; r < n; r++) {
          let best = -1;
          for (let j = 0; j < size; j++) {
            const idx = base + (g + j) * inner;
            // Strictly greater: on equal scores the earlier (lower index) entry wins. NaN ranks lowest.
            if (keep[idx] === 0 && (best < 0 || vals[j] > vals[best])) best = j;
          }
          keep[base + (g + best) * inner] = 1;
        }
      }
    }
  }
  return keep;
}

/**
 * Counts the groups that break the pattern: groups of M consecutive entries along `axis` (default:
 * the second-to-last axis, the input dimension of Dense and Conv kernels) holding more than N
 * nonzeros. Works on a keep-mask (1 = nonzero) or on the weights themselves. 0 proves the pattern.
 */
export function checkNM(values: ArrayLike<number>, n: number, m: number, shape: readonly number[], axis = Math.max(0, shape.length - 2)): number {
  checkPattern({ n, m });
  const { outer, len, inner } = lines(shape, axis);
  if (outer * len * inner !== values.length) throw new Error(`checkNM: ${values.length} values do not fit shape [${shape}]`);
  let violations = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      for (let g = 0; g < len; g += m) {
        const size = Math.min(m, len - g);
        let nonzero = 0;
        for (let j = 0; j < size; j++) if (values[base + (g + j) * inner] !== 0) nonzero++;
        if (nonzero > n) violations++;
      }
    }
  }
  return violations;
}

export interface NMResult {
  masks: MaskSet;
  /** Tensors left dense, with the reason. */
  skipped: { key: string; reason: string }[];
}

/** Why an N:M pattern with groups of `m` cannot apply to this tensor, or null when it can. */
export function nmSkipReason(t: Pick<PrunableTensor, 'layerClass' | 'weight' | 'shape'>, m: number): string | null {
  const ax = nmAxis(t);
  if ('reason' in ax) return ax.reason;
  const len = t.shape[ax.axis];
  return len < m ? `its input dimension has ${len} ${len === 1 ? 'entry' : 'entries'}, fewer than a group of ${m}` : null;
}

/** N:M masks for every given tensor the pattern applies to. */
export function nmMasks(tensors: readonly PrunableTensor[], scores: Scores, pattern: NMPattern): NMResult {
  checkPattern(pattern);
  const masks: MaskSet = {};
  const skipped: NMResult['skipped'] = [];
  for (const t of tensors) {
    const ax = nmAxis(t);
    const reason = nmSkipReason(t, pattern.m);
    if (reason !== null || 'reason' in ax) {
      skipped.push({ key: t.key, reason: reason ?? 'not applicable' });
      continue;
    }
    const s = scores.byKey[t.key];
    if (!s) throw new Error(`no scores for ${t.key}`);
    masks[t.key] = { key: t.key, layerPath: t.layerPath, weight: t.weight, shape: [...t.shape], keep: nmMask(s, t.shape, pattern, ax.axis, scores.absolute) };
  }
  return { masks, skipped };
}
