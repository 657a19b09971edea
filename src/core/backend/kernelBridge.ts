// Kernels one tfjs backend lacks, borrowed from another: every kernel registered for `source` (the
// cpu backend, which has them all) and missing for `target` (wasm) is registered for `target` as a
// bridge that copies the inputs out of the target backend (readSync), runs the source kernel on a
// private source-backend instance, and copies each output back in (makeOutput / makeTensorInfo).
//
// Why: @tensorflow/tfjs-backend-wasm 4.22 cannot train a conv net (no Conv2DBackpropFilter, nor the
// depthwise backprops, nor UnsortedSegmentSum, the gradient of gather), and a few of its own kernels
// compute wrong numbers (WRONG_KERNELS): those are replaced the same way. One generic mechanism
// covers every gap, instead of one hand port per kernel. Where the project has a kernel that works on
// the target's own memory without copies (Conv2DBackpropFilter, MaxPoolGrad), that one is used.
//
// Works in Node and in a worker; call it after the target backend's package is imported (so its
// own kernels are registered first) and before or after the target backend is initialised.
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterWasm } from '../train/conv2DBackpropFilter';
import { maxPoolGradWasm } from './maxPoolGrad';
import { unsortedSegmentSumWasm } from './unsortedSegmentSum';

/**
 * Kernels the project has for a target backend, working on its memory without copies, used instead
 * of a bridge: each is much faster than the cpu kernel a bridge would borrow (the cpu MaxPoolGrad
 * takes ~2.5 s for a batch of the demo CNN).
 */
const OWN_KERNELS: Readonly<Record<string, Readonly<Record<string, tf.KernelFunc>>>> = {
  wasm: { Conv2DBackpropFilter: conv2DBackpropFilterWasm, MaxPoolGrad: maxPoolGradWasm, UnsortedSegmentSum: unsortedSegmentSumWasm },
};

/**
 * Native kernels of a target backend that compute wrong numbers, replaced by a bridge too. Each was
 * found by kernelBridge.test.ts (the gradient of every supported layer against cpu) and checked
 * against finite differences.
 */
export const WRONG_KERNELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  wasm: {
    // Max pooling starts from 0 (or the smallest positive float), not -Infinity: a window of negative
    // values gets 1.2e-38 as its 3-D max, and its gradient is dropped (2-D and 3-D).
    MaxPool3D: 'returns 1.2e-38 for a window of negative values',
    MaxPool3DGrad: 'drops the gradient of a window of negative values',
    MaxPoolGrad: 'drops the gradient of a window of negative values',
    Conv3DBackpropInputV2: 'returns wrong input gradients for conv3d near the borders',
    ResizeNearestNeighborGrad: 'returns wrong gradients for UpSampling2D',
  },
};

/**
 * Kernels of complex numbers stay unbridged: the cpu backend keeps a complex64 tensor as two float
 * tensors, which no copy into the wasm heap can express.
 */
const COMPLEX_KERNELS = new Set(['Complex', 'ComplexAbs', 'FFT', 'IFFT', 'Imag', 'Real']);

/** Every kernel function this module made, to tell a bridge from a backend's own kernel. */
const BRIDGES = new WeakSet<tf.KernelFunc>();

/** The members of a tfjs KernelBackend a bridge uses (readSync and disposeData are on every backend). */
interface BridgeBackend {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  /** tfjs-backend-wasm (which has no makeTensorInfo): allocates on its heap and copies `values` in. */
  makeOutput?(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  /** tfjs-backend-cpu, -webgl, -webgpu. */
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

function asBridgeBackend(backend: unknown, role: string, name: string): BridgeBackend {
  const b = backend as Partial<BridgeBackend> | null;
  if (b == null || typeof b.readSync !== 'function' || typeof b.disposeData !== 'function'
    || (typeof b.makeOutput !== 'function' && typeof b.makeTensorInfo !== 'function')) {
    throw new Error(`bridged kernel ${name}: the ${role} backend cannot read and write tensors synchronously`);
  }
  return b as BridgeBackend;
}

/** Values as the typed array tfjs keeps for `dtype` (a kernel may hand back e.g. a Float32Array for int32). */
function asDtype(values: tf.backend_util.BackendValues, dtype: tf.DataType): tf.backend_util.BackendValues {
  if (dtype === 'string') return values;
  const Wanted = dtype === 'int32' ? Int32Array : dtype === 'bool' ? Uint8Array : Float32Array;
  return values instanceof Wanted ? values : Wanted.from(values as ArrayLike<number>);
}

function write(backend: BridgeBackend, shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo {
  const v = asDtype(values, dtype);
  // makeTensorInfo first: the cpu backend's makeOutput is another method (it makes an engine tensor).
  return backend.makeTensorInfo ? backend.makeTensorInfo(shape, dtype, v) : backend.makeOutput!(shape, dtype, undefined, v);
}

/** A source backend instance of the bridge's own, made once from the factory captured at registration. */
function privateBackend(source: string): () => BridgeBackend {
  const factory = tf.findBackendFactory(source);
  if (!factory) throw new Error(`registerMissingKernels: no ${source} backend is registered to borrow kernels from`);
  let instance: BridgeBackend | null = null;
  return () => {
    if (instance) return instance;
    const made = factory();
    if (made instanceof Promise) throw new Error(`registerMissingKernels: the ${source} backend initialises asynchronously and cannot lend kernels`);
    // The cpu backend's first write tells Node users to install tfjs-node: not advice for a lender.
    (made as { firstUse?: boolean }).firstUse = false;
    instance = asBridgeBackend(made, 'source', source);
    return instance;
  };
}

/**
 * A kernel for the target backend that runs `name`'s source kernel, looked up at each call so that a
 * faster source kernel registered later (registerCpuConv2DBackpropFilter) is the one used.
 */
function bridge(name: string, source: string, sourceBackend: () => BridgeBackend): tf.KernelFunc {
  const kernelFunc: tf.KernelFunc = ({ inputs, attrs, backend }) => {
    const kernel = tf.getKernel(name, source);
    if (!kernel) throw new Error(`bridged kernel ${name}: no longer registered for ${source}`);
    const target = asBridgeBackend(backend, 'target', name);
    const lender = sourceBackend();
    const borrowed = new Set<tf.DataId>();
    // Inputs are a map of tensors, a list (Concat, Einsum) or a map holding a list (RaggedTensorToTensor).
    const copyIn = (v: unknown): unknown => {
      if (v == null) return v;
      if (Array.isArray(v)) return v.map(copyIn);
      const info = v as tf.TensorInfo;
      const copy = write(lender, info.shape, info.dtype, target.readSync(info.dataId));
      borrowed.add(copy.dataId);
      return copy;
    };
    try {
      const sourceInputs = (Array.isArray(inputs) ? copyIn(inputs) : Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, copyIn(v)]))) as tf.NamedTensorInfoMap;
      const result = kernel.kernelFunc({ inputs: sourceInputs, attrs, backend: lender as unknown as tf.KernelBackend });
      const outputs = Array.isArray(result) ? result : [result];
      for (const o of outputs) borrowed.add(o.dataId);
      const copied = outputs.map((o) => write(target, o.shape, o.dtype, lender.readSync(o.dataId)));
      return Array.isArray(result) ? copied : copied[0];
    } finally {
      for (const id of borrowed) lender.disposeData(id, true);
    }
  };
  BRIDGES.add(kernelFunc);
  return kernelFunc;
}

/**
 * The kernels registerMissingKernels would register for `target` now, by name, sorted: those
 * `source` has and `target` lacks, and `target`'s known-wrong ones not yet replaced.
 */
export function missingKernels(target = 'wasm', source = 'cpu'): string[] {
  const have = new Set(tf.getKernelsForBackend(target).map((k) => k.kernelName));
  const sourceHas = new Set(tf.getKernelsForBackend(source).map((k) => k.kernelName));
  const wrong = Object.keys(WRONG_KERNELS[target] ?? {}).filter((name) => sourceHas.has(name) && bridgedBy(name, target) === null);
  const missing = [...sourceHas].filter((name) => !have.has(name) && !COMPLEX_KERNELS.has(name));
  return [...new Set([...missing, ...wrong])].sort();
}

/**
 * Registers, for `target`, every kernel `source` has and `target` lacks, and replaces `target`'s
 * known-wrong kernels (WRONG_KERNELS): with the project's own kernel where it has one for that
 * backend, else a bridge to the source kernel. Safe to call any number of times; returns the names
 * this call registered.
 */
export function registerMissingKernels(target = 'wasm', source = 'cpu'): string[] {
  const names = missingKernels(target, source);
  if (names.length === 0) return [];
  const lender = privateBackend(source);
  for (const name of names) {
    if (tf.getKernel(name, target)) tf.unregisterKernel(name, target);
    const kernelFunc = OWN_KERNELS[target]?.[name] ?? bridge(name, source, lender);
    tf.registerKernel({ kernelName: name, backendName: target, kernelFunc });
  }
  return names;
}

/** Whether `target`'s kernel `name` is one registerMissingKernels put there (and how). */
export function bridgedBy(name: string, target = 'wasm'): 'own' | 'bridge' | null {
  const kernel = tf.getKernel(name, target);
  if (!kernel) return null;
  if (OWN_KERNELS[target]?.[name] === kernel.kernelFunc) return 'own';
  return BRIDGES.has(kernel.kernelFunc) ? 'bridge' : null;
}
