import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { unsortedSegmentSumWasm } from './unsortedSegmentSum';

describe('UnsortedSegmentSum for wasm', () => {
  it('sums rows by segment on a heap-backed backend', () => {
    const heap = new Map<tf.TensorInfo, Float32Array | Int32Array>();
    const x = { dataId: {}, shape: [5, 2], dtype: 'float32' } as tf.TensorInfo;
    const ids = { dataId: {}, shape: [5], dtype: 'int32' } as tf.TensorInfo;
    heap.set(x, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    heap.set(ids, Int32Array.from([2, 0, 2, 9, 0]));
    const backend = {
      makeOutput(shape: number[], dtype: tf.DataType) {
        const info = { dataId: {}, shape, dtype } as tf.TensorInfo;
        heap.set(info, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(123));
        return info;
      },
      typedArrayFromHeap: (info: tf.TensorInfo) => heap.get(info)!,
    };
    const out = unsortedSegmentSumWasm({ inputs: { x, segmentIds: ids }, backend: backend as never, attrs: { numSegments: 3 } }) as tf.TensorInfo;
    expect(out.shape).toEqual([3, 2]);
    expect(Array.from(heap.get(out)!)).toEqual([3 + 9, 4 + 10, 0, 0, 1 + 5, 2 + 6]);
  });
});
