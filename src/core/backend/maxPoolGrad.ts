// A fast MaxPoolGrad (the gradient of 2-D max pooling) for the wasm backend, on its own heap.
//   - tfjs-backend-wasm 4.22's own starts each window's max at 0, not -Infinity, so a window of
//     negative values passes no gradient (about 6% of the windows of random inputs);
//   - the cpu kernel, which the kernel bridge would borrow instead, reads every element through
//     TensorBuffer.get: about 2.5 s for one batch of 64 of the demo CNN, against a few ms here.
// Same result as the cpu kernel: each window sends its output gradient to the first position of its
// maximum (NaN never wins); positions outside the input (padding) never win.
import * as tf from '@tensorflow/tfjs';

/** The two methods of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

type Pool2DInfo = ReturnType<typeof tf.backend_util.computePool2DInfo>;

/** dx (zeroed by the caller) += each window's dy at its first maximum of x. NHWC. */
function accumulateMaxPoolGradient(xv: Float32Array, dyv: Float32Array, dx: Float32Array, info: Pool2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * inWidth * channels;
    for (let yR = 0; yR < outHeight; yR++) {
      const r0 = Math.max(0, yR * strideHeight - top);
      const r1 = Math.min(inHeight, yR * strideHeight - top + filterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const c0 = Math.max(0, yC * strideWidth - left);
        const c1 = Math.min(inWidth, yC * strideWidth - left + filterWidth);
        best.fill(-Infinity);
        where.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const offset = xBatch + (r * inWidth + c) * channels;
            for (let d = 0; d < channels; d++) {
              const v = xv[offset + d];
              if (v > best[d]) {
                best[d] = v;
                where[d] = offset + d;
              }
            }
          }
        }
        const dyOffset = ((b * outHeight + yR) * outWidth + yC) * channels;
        for (let d = 0; d < channels; d++) if (where[d] >= 0) dx[where[d]] += dyv[dyOffset + d];
      }
    }
  }
}

export const maxPoolGradWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as tf.MaxPoolGradInputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  if (dy == null || input == null) throw new Error('MaxPoolGrad (wasm): needs inputs dy and input');
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`MaxPoolGrad (wasm): expected float32 inputs, got ${input.dtype} and ${dy.dtype}`);
  const b = backend as Partial<WasmHeapBackend>;
  if (typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') throw new Error('MaxPoolGrad (wasm): backend is not the tfjs wasm backend');
  const heap = b as WasmHeapBackend;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  // Allocate first: malloc may grow the heap, which detaches views taken before it.
  const out = heap.makeOutput(input.shape, 'float32');
  const dx = heap.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  accumulateMaxPoolGradient(heap.typedArrayFromHeap(input) as Float32Array, heap.typedArrayFromHeap(dy) as Float32Array, dx, info);
  return out;
};
