// @tensorflow/tfjs-backend-wasm 4.22 has no 'Conv2DBackpropFilter' kernel, so the gradient of any
// conv2d with respect to its filter fails on wasm ("Kernel 'Conv2DBackpropFilter' not registered for
// backend 'wasm'") and conv nets cannot be trained there. This registers a plain-JS kernel that reads
// x and dy straight from the wasm heap and writes dW into a fresh heap tensor.
//
// dW[r, c, i, o] = sum over (b, y, x) of  input[b, y*sh + r - top, x*sw + c - left, i] * dy[b, y, x, o]
//
// NHWC only (the wasm backend's own Conv2D is NHWC only); no dilation (tfjs refuses the gradient of a
// dilated conv2d before it gets here). Zero inputs are skipped, which pays off after ReLU and on the
// black background of Fashion-MNIST.
import * as tf from '@tensorflow/tfjs';

export const WASM_BACKEND = 'wasm';

/** The two methods of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  const b = backend as Partial<WasmHeapBackend> | null;
  return b != null && typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function';
}

export const conv2DBackpropFilterWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (x == null || dy == null) throw new Error('Conv2DBackpropFilter (wasm): needs inputs x and dy');
  if (!isWasmHeapBackend(backend)) throw new Error('Conv2DBackpropFilter (wasm): backend is not the tfjs wasm backend');
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter (wasm): expected float32 inputs, got ${x.dtype} and ${dy.dtype}`);
  }
  const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;

  // Allocate first: malloc may grow the heap, which detaches views taken before it.
  const out = backend.makeOutput(info.filterShape, 'float32');
  const dW = backend.typedArrayFromHeap(out) as Float32Array;
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  dW.fill(0);

  const xRowStride = inWidth * inChannels;
  const xBatchStride = inHeight * xRowStride;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const xR0 = yR * strideHeight - top;
      for (let yC = 0; yC < outWidth; yC++) {
        const xC0 = yC * strideWidth - left;
        const dyOffset = ((b * outHeight + yR) * outWidth + yC) * outChannels;
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = xR0 + wR;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = xC0 + wC;
            if (xC < 0 || xC >= inWidth) continue;
            const xOffset = b * xBatchStride + xR * xRowStride + xC * inChannels;
            const wOffset = (wR * filterWidth + wC) * inChannels * outChannels;
            for (let d1 = 0; d1 < inChannels; d1++) {
              const xValue = xv[xOffset + d1];
              if (xValue === 0) continue;
              const w = wOffset + d1 * outChannels;
              for (let d2 = 0; d2 < outChannels; d2++) dW[w + d2] += xValue * dyv[dyOffset + d2];
            }
          }
        }
      }
    }
  }
  return out;
};

/**
 * Registers the kernel for the 'wasm' backend unless one is already registered (by an earlier call,
 * or by a future tfjs-backend-wasm that ships its own). Safe to call any number of times, before or
 * after the wasm backend itself is registered. Returns true when this call registered it.
 */
export function registerWasmConv2DBackpropFilter(): boolean {
  if (tf.getKernel('Conv2DBackpropFilter', WASM_BACKEND) != null) return false;
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: WASM_BACKEND, kernelFunc: conv2DBackpropFilterWasm });
  return true;
}
