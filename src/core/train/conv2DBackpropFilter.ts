// A fast Conv2DBackpropFilter (the gradient of conv2d with respect to its filter) for two tfjs
// backends that need one:
//   - wasm: @tensorflow/tfjs-backend-wasm 4.22 has none, so conv nets cannot be trained there
//     ("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'");
//   - cpu: tfjs-backend-cpu 4.22 has one that reads every element through TensorBuffer.get, about
//     70x slower than its own forward conv (11 s for a batch of 64 at 14x14x16 -> 32 in Node).
// Both kernels run the same plain-JS loop over the backends' own typed arrays (the wasm one is
// registered by core/backend/kernelBridge.ts with the other kernels wasm lacks):
//
// dW[r, c, i, o] = sum over (b, y, x) of  input[b, y*sh + r - top, x*sw + c - left, i] * dy[b, y, x, o]
//
// NHWC only (the wasm backend's own Conv2D is NHWC only; the cpu backend's callers here are NHWC);
// no dilation (tfjs refuses the gradient of a dilated conv2d before it gets here). Zero inputs are
// skipped, which pays off after ReLU and on the black background of Fashion-MNIST.
import * as tf from '@tensorflow/tfjs';

export const CPU_BACKEND = 'cpu';

/** The two methods of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/** The two members of tfjs-backend-cpu's MathBackendCPU this kernel uses. */
interface CpuDataBackend {
  data: { get(dataId: tf.DataId): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  const b = backend as Partial<WasmHeapBackend> | null;
  return b != null && typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function';
}

function isCpuDataBackend(backend: unknown): backend is CpuDataBackend {
  const b = backend as Partial<CpuDataBackend> | null;
  return b != null && typeof b.makeTensorInfo === 'function' && b.data != null && typeof b.data.get === 'function';
}

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

function convInfo(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined): { x: tf.TensorInfo; dy: tf.TensorInfo; info: Conv2DInfo } {
  const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (x == null || dy == null || attrs == null) throw new Error(`Conv2DBackpropFilter (${name}): needs inputs x and dy, and attributes`);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter (${name}): expected float32 inputs, got ${x.dtype} and ${dy.dtype}`);
  }
  const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') throw new Error(`Conv2DBackpropFilter (${name}): only NHWC is supported`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, format,
  );
  return { x, dy, info };
}

/** dW (zeroed by the caller) += the filter gradient of x and dy. */
function accumulateFilterGradient(xv: Float32Array, dyv: Float32Array, dW: Float32Array, info: Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
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
}

export const conv2DBackpropFilterWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy, info } = convInfo('wasm', inputs, attrs);
  if (!isWasmHeapBackend(backend)) throw new Error('Conv2DBackpropFilter (wasm): backend is not the tfjs wasm backend');
  // Allocate first: malloc may grow the heap, which detaches views taken before it.
  const out = backend.makeOutput(info.filterShape, 'float32');
  const dW = backend.typedArrayFromHeap(out) as Float32Array;
  dW.fill(0);
  accumulateFilterGradient(backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(dy) as Float32Array, dW, info);
  return out;
};

export const conv2DBackpropFilterCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy, info } = convInfo('cpu', inputs, attrs);
  if (!isCpuDataBackend(backend)) throw new Error('Conv2DBackpropFilter (cpu): backend is not the tfjs cpu backend');
  const dW = new Float32Array(info.filterShape.reduce((a, b) => a * b, 1));
  accumulateFilterGradient(backend.data.get(x.dataId).values as Float32Array, backend.data.get(dy.dataId).values as Float32Array, dW, info);
  return backend.makeTensorInfo(info.filterShape, 'float32', dW);
};

/**
 * Replaces the cpu backend's Conv2DBackpropFilter with the fast one. Safe to call any number of
 * times; returns true when this call replaced it.
 */
export function registerCpuConv2DBackpropFilter(): boolean {
  const current = tf.getKernel('Conv2DBackpropFilter', CPU_BACKEND);
  if (current?.kernelFunc === conv2DBackpropFilterCpu) return false;
  if (current) tf.unregisterKernel('Conv2DBackpropFilter', CPU_BACKEND);
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: CPU_BACKEND, kernelFunc: conv2DBackpropFilterCpu });
  return true;
}
