// The fastest tfjs backend a Node script can get here: tfjs-backend-wasm with the kernels it lacks or
// gets wrong bridged (src/core/backend: Conv2DBackpropFilter, UnsortedSegmentSum for clustering, …),
// else the pure-JS cpu backend with the fast Conv2DBackpropFilter (~10x slower on a conv net).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerMissingKernels } from '../core/backend';
import { registerCpuConv2DBackpropFilter } from '../core/train/conv2DBackpropFilter';

/** wasm when it initialises and can take a conv gradient (unless `want` is 'cpu'); else cpu. */
export async function setUpNodeBackend(want: 'wasm' | 'cpu'): Promise<{ name: string; note: string }> {
  registerCpuConv2DBackpropFilter();
  registerMissingKernels('wasm');
  if (want === 'wasm') {
    try {
      // The .wasm files by path on disk (Node reads them with fs).
      const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
      setWasmPaths(`${dist}/`);
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        // One conv gradient: proves the backend can train a conv net (the bridged kernels).
        tf.tidy(() => {
          const w = tf.variable(tf.ones([3, 3, 1, 2]));
          const g = tf.grad((k: tf.Tensor) => tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, k as tf.Tensor4D, 1, 'same').sum())(w);
          const v = g.dataSync();
          w.dispose();
          // Kernel [3, 3, 1, 2]: the centre tap (index 8) sees all 16 positions, a corner tap (index 0) 9.
          if (v[8] !== 16 || v[0] !== 9) throw new Error(`conv gradient check gave ${v[8]} and ${v[0]}, expected 16 and 9`);
        });
        return { name: 'wasm', note: 'tfjs-backend-wasm 4.22 in Node with the kernels it lacks or gets wrong bridged (src/core/backend)' };
      }
      console.warn('WARNING: the wasm backend did not initialise; falling back to cpu (about 10x slower)');
    } catch (e) {
      console.warn(`WARNING: the wasm backend failed (${(e as Error).message}); falling back to cpu (about 10x slower)`);
    }
  }
  // Silences the cpu backend's "use tfjs-node" banner. Not set for wasm: IS_TEST also turns on the
  // engine's per-kernel leak check, which takes wasm's own scratch buffers in fusedConv2d for a leak.
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
  await tf.ready();
  return { name: 'cpu', note: "tfjs's pure-JS cpu backend in Node with our fast Conv2DBackpropFilter kernel" };
}
