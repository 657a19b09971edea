// UnsortedSegmentSum for tfjs-backend-wasm 4.22, which has none (tfjs#8474): the kernel weight
// clustering needs to sum each cluster's gradients (compress/clusterTraining.ts), and the gradient of
// a gather. Plain JS over the wasm heap, as train/conv2DBackpropFilter.ts does for its kernel, so
// kernelBridge.ts uses it instead of a copying bridge:
//   out[s, j] = sum over i with segmentIds[i] = s of x[i, j]      (x: [n, ...inner], out: [numSegments, ...inner])
// Ids outside [0, numSegments) are dropped, as tfjs's own kernels do.
import * as tf from '@tensorflow/tfjs';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  const b = backend as Partial<WasmHeapBackend> | null;
  return b != null && typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function';
}

export const unsortedSegmentSumWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as unknown as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  if (!isWasmHeapBackend(backend)) throw new Error('UnsortedSegmentSum (wasm): backend is not the tfjs wasm backend');
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum (wasm): x must be float32 or int32, got ${x.dtype}`);
  const n = segmentIds.shape.reduce((a, b) => a * b, 1);
  const size = x.shape.reduce((a, b) => a * b, 1);
  const inner = n ? size / n : 0;
  const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  // Allocate first: malloc may grow the heap, which detaches views taken before it.
  const out = backend.makeOutput(shape, x.dtype);
  const sums = backend.typedArrayFromHeap(out);
  sums.fill(0);
  const xs = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < n; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    for (let j = 0; j < inner; j++) sums[s * inner + j] += xs[i * inner + j];
  }
  return out;
};

