// Row-major index arithmetic for one axis of a tensor stored flat: per-index reductions and
// per-index writes. Structured masks, channel importance and the channel surgery slice weights
// along a single axis (a kernel's input or output channels).

export interface AxisLines {
  /** Product of the dims before the axis. */
  outer: number;
  /** The axis length. */
  len: number;
  /** Product of the dims after the axis (the axis stride). */
  inner: number;
}

export function axisLines(shape: readonly number[], axis: number): AxisLines {
  if (axis < 0 || axis >= shape.length) throw new Error(`axis ${axis} out of range for shape [${shape}]`);
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, len: shape[axis], inner };
}

/** For each index along `axis`, the sum of f(value) over its slice. */
export function reduceAlongAxis(values: ArrayLike<number>, shape: readonly number[], axis: number, f: (x: number) => number): Float64Array {
  const { outer, len, inner } = axisLines(shape, axis);
  const out = new Float64Array(len);
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < len; a++) {
      const base = (o * len + a) * inner;
      let s = 0;
      for (let i = 0; i < inner; i++) s += f(values[base + i]);
      out[a] += s;
    }
  }
  return out;
}

/** Sets every entry of the slices at `indices` along `axis` to `value`. */
export function fillAlongAxis(target: { [i: number]: number; length: number }, shape: readonly number[], axis: number, indices: Iterable<number>, value: number): void {
  const { outer, len, inner } = axisLines(shape, axis);
  for (const a of indices) {
    for (let o = 0; o < outer; o++) {
      const base = (o * len + a) * inner;
      for (let i = 0; i < inner; i++) target[base + i] = value;
    }
  }
}

/**
 * Sums over every axis except `a` and `b` (a !== b): returns a row-major [shape[a], shape[b]] matrix.
 * Used to fold a removed channel's constant into the next layer's bias: for a conv kernel
 * [kh, kw, in, out], sumToAxes(kernel, shape, 2, 3)[c * out + o] is the sum over taps of W[., ., c, o].
 */
export function sumToAxes(values: ArrayLike<number>, shape: readonly number[], a: number, b: number): Float64Array {
  const la = shape[a];
  const lb = shape[b];
  const out = new Float64Array(la * lb);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1));
  const total = shape.reduce((x, y) => x * y, 1);
  const sa = strides[a];
  const sb = strides[b];
  for (let flat = 0; flat < total; flat++) {
    const ia = Math.floor(flat / sa) % la;
    const ib = Math.floor(flat / sb) % lb;
    out[ia * lb + ib] += values[flat];
  }
  return out;
}

/** The slices at `keep` along `axis`, in that order: like tf.gather on flat data. */
export function takeAlongAxis(values: ArrayLike<number>, shape: readonly number[], axis: number, keep: readonly number[]): { values: Float32Array; shape: number[] } {
  const { outer, len, inner } = axisLines(shape, axis);
  const out = new Float32Array(outer * keep.length * inner);
  let w = 0;
  for (let o = 0; o < outer; o++) {
    for (const a of keep) {
      const base = (o * len + a) * inner;
      for (let i = 0; i < inner; i++) out[w++] = values[base + i];
    }
  }
  const newShape = [...shape];
  newShape[axis] = keep.length;
  return { values: out, shape: newShape };
}

/** Kernel positions: the product of the leading `spatialAxes` dims (3x3 conv: 9). */
export function kernelTaps(shape: readonly number[], spatialAxes: number): number {
  return shape.slice(0, spatialAxes).reduce((a, b) => a * b, 1);
}
