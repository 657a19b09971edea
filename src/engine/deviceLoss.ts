// A lost GPU device (WebGPU `device.lost`) or WebGL context (`webglcontextlost`) leaves tfjs unable
// to compute on that backend. The engine turns the loss into a crash of the worker, which the page
// sees, restarting the worker and restoring the last saved step (on the next backend if it fails again).
// The test hook (`?testhooks=1`) loses the device on purpose.
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from './api';

interface GpuBackend {
  device?: { lost?: Promise<{ message?: string; reason?: string }>; destroy?(): void };
  gpgpu?: { gl?: WebGL2RenderingContext };
}

const active = (): GpuBackend => tf.backend() as unknown as GpuBackend;

/** Calls `onLost` once the active backend's device or context is lost; nothing for wasm and cpu. */
export function watchDeviceLoss(backend: BackendName, onLost: (reason: string) => void): void {
  if (backend === 'webgpu') {
    void active().device?.lost?.then((info) => onLost(`the WebGPU device was lost${info.message ? ` (${info.message})` : ''}`));
  } else if (backend === 'webgl') {
    const canvas = active().gpgpu?.gl?.canvas as (OffscreenCanvas | HTMLCanvasElement) | undefined;
    canvas?.addEventListener('webglcontextlost', () => onLost('the WebGL context was lost'));
  }
}

/** Test hook: destroys the WebGPU device or loses the WebGL context. */
export function loseDevice(backend: BackendName): void {
  if (backend === 'webgpu') active().device?.destroy?.();
  else if (backend === 'webgl') active().gpgpu?.gl?.getExtension('WEBGL_lose_context')?.loseContext();
  else throw new Error(`The ${backend} backend has no GPU device to lose`);
}

/** What the test hooks can break. */
export type TestFault = 'throw' | 'reject' | 'exit' | 'lose-device';

/** Ends the worker the way a crash would: an uncaught error, an unhandled rejection, closing, or a device loss. */
export function injectFault(fault: TestFault, backend: BackendName): void {
  if (fault === 'throw') {
    setTimeout(() => {
      throw new Error('test hook: an uncaught error in the engine');
    });
  } else if (fault === 'reject') void Promise.reject(new Error('test hook: an unhandled rejection in the engine'));
  else if (fault === 'exit') setTimeout(() => (globalThis as { close?: () => void }).close?.());
  else loseDevice(backend);
}

/** Throws `reason` outside any promise, so the worker's error event carries it to the page. */
export function crashWorker(reason: string): void {
  setTimeout(() => {
    throw new Error(reason);
  });
}
