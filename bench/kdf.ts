// What a user waits for when exporting or opening an encrypted model (src/core/secure/encryptedFile.ts):
// PBKDF2-HMAC-SHA256 key derivation at the chosen round count against fewer rounds (the ratio shows
// the cost is linear in rounds, so the table predicts any other count), then AES-256-GCM itself on
// model-sized payloads (encrypt, then decrypt with its second key derivation). Medians of several runs.
//   npx tsx bench/kdf.ts [--runs 7] [--sizes 4,100]   (sizes in MB)
import { PBKDF2_ITERATIONS, decryptBytes, encryptBytes, timeKeyDerivation } from '../src/core/secure/encryptedFile';
import { median, numberArg, stringArg } from './harness';

const runs = numberArg('--runs', 7);
const sizes = stringArg('--sizes', '4,100').split(',').map((m) => Math.round(Number(m) * 1_000_000));

async function medianOf(f: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await f());
  return median(xs);
}

await timeKeyDerivation(10_000); // warm-up
const baselineRounds = 100_000;
const baseline = await medianOf(() => timeKeyDerivation(baselineRounds));
console.log(`PBKDF2-HMAC-SHA256 key derivation, median of ${runs} (${process.version}, WebCrypto)`);
console.log('| rounds | ms | ratio to 100,000 rounds |');
console.log('|---:|---:|---:|');
console.log(`| ${baselineRounds.toLocaleString('en-US')} | ${baseline.toFixed(0)} | 1.00 |`);
for (const rounds of [PBKDF2_ITERATIONS, 1_000_000]) {
  const ms = await medianOf(() => timeKeyDerivation(rounds));
  console.log(`| ${rounds.toLocaleString('en-US')}${rounds === PBKDF2_ITERATIONS ? ' (chosen)' : ''} | ${ms.toFixed(0)} | ${(ms / baseline).toFixed(2)} |`);
}

const kdf = await medianOf(() => timeKeyDerivation());
console.log(`\nWhole file at ${PBKDF2_ITERATIONS.toLocaleString('en-US')} rounds (each includes one key derivation, ${kdf.toFixed(0)} ms)`);
console.log('| payload | encrypt ms | decrypt ms | AES-GCM share of encrypt |');
console.log('|---:|---:|---:|---:|');
for (const size of sizes) {
  const plain = new Uint8Array(size).map((_, i) => i & 0xff);
  let sealed = new Uint8Array(0);
  const enc = await medianOf(async () => {
    const t0 = performance.now();
    sealed = await encryptBytes(plain, 'bench passphrase');
    return performance.now() - t0;
  });
  const dec = await medianOf(async () => {
    const t0 = performance.now();
    await decryptBytes(sealed, 'bench passphrase');
    return performance.now() - t0;
  });
  console.log(`| ${(size / 1e6).toFixed(0)} MB | ${enc.toFixed(0)} | ${dec.toFixed(0)} | ${(Math.max(0, enc - kdf) / enc * 100).toFixed(0)}% |`);
}
