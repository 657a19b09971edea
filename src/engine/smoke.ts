// A tiny computation whose answer is known: a backend is accepted only if it returns these numbers.
// Catches backends that initialise but compute nothing (null adapters, all-zero outputs, NaN).
import * as tf from '@tensorflow/tfjs';

const A = [1, 2, 3, 4, 5, 6]; // 2x3
const B = [0.5, -1, 2, 0.25, -3, 1.5]; // 3x2
/** relu(A·B + [6.5, -0.5]) computed by hand. */
export const SMOKE_EXPECTED = [2, 3.5, 0.5, 5.75];

export async function smokeCheck(): Promise<void> {
  const out = tf.tidy(() =>
    tf.relu(tf.matMul(tf.tensor2d(A, [2, 3]), tf.tensor2d(B, [3, 2])).add(tf.tensor1d([6.5, -0.5]))),
  );
  let got: number[];
  try {
    got = Array.from(await out.data());
  } finally {
    out.dispose();
  }
  const ok = got.length === SMOKE_EXPECTED.length && got.every((v, i) => Math.abs(v - SMOKE_EXPECTED[i]) < 1e-4);
  if (!ok) {
    throw new Error(`smoke test returned [${got.map((v) => +v.toFixed(4)).join(', ')}], expected [${SMOKE_EXPECTED.join(', ')}]`);
  }
}
