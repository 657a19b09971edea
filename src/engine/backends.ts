// The real backend candidates, in the order the studio prefers them: WebGPU, WebGL, WASM, CPU.
// Each is accepted only after it initialises and passes smokeCheck(); backendChoice.ts decides
// between them. Worker-only (uses navigator.gpu, OffscreenCanvas through tfjs-backend-webgl).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// The wasm binaries are emitted as assets of the app itself (same origin, no CDN); tfjs picks the
// SIMD one when the browser has WebAssembly SIMD, and the plain one otherwise. The threaded one is
// never fetched (see activateWasm), but setWasmPaths wants every name mapped.
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName } from './api';
import type { BackendCandidate } from './backendChoice';
import { buildProbe } from './backendProbe';
import { smokeCheck } from './smoke';
import type { GpuLike } from './webgpuTypes';
import { registerMissingKernels } from '../core/backend/kernelBridge';

const INIT_TIMEOUT_MS = 30_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

/**
 * tf.setBackend() swallows the factory's error and returns false. Wrap the registered factory once
 * so the real reason can be reported.
 */
async function setBackendOrThrow(name: BackendName): Promise<void> {
  // Already initialised (the backend choice measured it, then chose it): make it active again.
  if (tf.engine().registry[name]) {
    if (!(await tf.setBackend(name))) throw new Error(`could not switch back to ${name}`);
    return;
  }
  const factory = tf.findBackendFactory(name);
  if (!factory) throw new Error(`the ${name} backend is not available in this browser`);
  let initError: unknown;
  tf.removeBackend(name);
  tf.registerBackend(name, async () => {
    try {
      return await factory();
    } catch (e) {
      initError = e;
      throw e;
    }
  });
  const ok = await withTimeout(tf.setBackend(name), INIT_TIMEOUT_MS, `${name} initialisation`);
  if (!ok || tf.getBackend() !== name) {
    const why = initError instanceof Error ? initError.message : initError ? String(initError) : 'tf.setBackend returned false';
    throw new Error(`initialisation failed: ${why}`);
  }
}


const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render/i;

async function activateWebGPU() {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) throw new Error('navigator.gpu is missing: this browser exposes no WebGPU here (Chromium on Linux needs --enable-unsafe-webgpu)');
  const adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), INIT_TIMEOUT_MS, 'requestAdapter');
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned null: no WebGPU adapter on this device');
  const info = adapter.info;
  const software = !!info.isFallbackAdapter || SOFTWARE_RENDERER.test(`${info.vendor} ${info.architecture} ${info.description}`);
  // tfjs's default conv path is ~4x slower on a software adapter; the im2col variant is the fast one there.
  if (software) tf.env().set('WEBGPU_CONV_SEPARATE_IM2COL_SHADER', true);
  await setBackendOrThrow('webgpu');
  await smokeCheck();
  const device = [info.vendor, info.architecture].filter(Boolean).join(' ') || 'WebGPU adapter';
  return { device: software ? `${device} (software)` : device, software };
}

function webglRenderer(): string | undefined {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
  if (!gl) return undefined;
  const dbg = gl.getExtension('WEBGL_debug_renderer_info');
  return dbg ? String(gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER));
}

async function activateWebGL() {
  if (typeof OffscreenCanvas === 'undefined' && typeof document === 'undefined') {
    throw new Error('OffscreenCanvas is missing, so WebGL cannot run in a worker in this browser');
  }
  await setBackendOrThrow('webgl');
  if (tf.env().getNumber('WEBGL_VERSION') < 2) throw new Error('only WebGL 1 is available; the studio needs WebGL 2');
  await smokeCheck();
  const renderer = webglRenderer();
  const software = renderer ? SOFTWARE_RENDERER.test(renderer) : false;
  return { device: renderer ? `${renderer}${software ? ' (software)' : ''}` : undefined, software };
}

async function activateWasm() {
  if (typeof WebAssembly !== 'object') throw new Error('this browser has no WebAssembly');
  // The threaded build needs cross-origin isolation (COOP/COEP headers) and an unminified bundle;
  // the studio ships neither, so the single-threaded binaries are the only ones served.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
  // Kernels training needs that tfjs-backend-wasm 4.22 lacks or gets wrong (kernelBridge.ts).
  registerMissingKernels('wasm');
  await setBackendOrThrow('wasm');
  await smokeCheck();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { device: `WebAssembly${simd ? ' SIMD' : ' (no SIMD)'}, 1 thread, on the CPU`, software: false };
}

async function activateCpu() {
  await setBackendOrThrow('cpu');
  await smokeCheck();
  return { device: 'JavaScript on the CPU', software: false };
}

const probe = async () => buildProbe();
/** Frees a backend that lost the choice (its GPU device or context, its wasm heap). */
const release = (name: BackendName) => () => {
  if (tf.getBackend() !== name && tf.engine().registry[name]) tf.removeBackend(name);
};

export const BACKEND_CANDIDATES: BackendCandidate[] = [
  { name: 'webgpu', gpu: true, activate: activateWebGPU, probe, release: release('webgpu') },
  { name: 'webgl', gpu: true, activate: activateWebGL, probe, release: release('webgl') },
  { name: 'wasm', gpu: false, activate: activateWasm, probe, release: release('wasm') },
  // Kept when it loses: the wasm kernel bridge borrows kernels from the cpu backend.
  { name: 'cpu', gpu: false, activate: activateCpu, probe, dominatedBy: { name: 'wasm', why: 'the CPU backend runs the same kernels in plain JavaScript' } },
];
