// Decode-and-preprocess throughput of a user's images in Node (nodeImageDecoder: jpeg-js, pngjs,
// then resample.ts into the PixelStore), against decoding alone measured in the same run, and the
// memory the data set holds per 1,000 images (compact uint8 at the model's size) against what
// float32 tensors of the whole set would take.
//   npx tsx bench/dataDecode.ts [--count 200] [--runs 3]
// The browser decodes with createImageBitmap + OffscreenCanvas in the worker
// (browserImageDecoder.ts); its figure is measured once the studio's worker decoder is wired.
import { mulberry32 } from '../src/core/data/seededRandom';
import { decodeImageSet } from '../src/core/data/imageSet';
import type { ImageLayout } from '../src/core/data/imageLayout';
import { nodeImageDecoder } from '../src/core/data/nodeImageDecoder';
import type { PixelTarget } from '../src/core/data/resample';
import { greyPngFile, jpegFile, rgbaOf } from '../src/core/data/testImages';
import { loadDemoSplit } from '../scripts/demoAssets';
import { median, numberArg } from './harness';

const count = numberArg('--count', 200);
const runs = numberArg('--runs', 3);

/** A photo-like image: smooth colour gradients plus seeded noise (JPEG of it is not trivially small). */
function photo(width: number, height: number, seed: number): Uint8Array {
  const rnd = mulberry32(seed);
  return rgbaOf(width, height, (x, y) => {
    const n = (rnd() - 0.5) * 40;
    return [(x * 255) / width + n, (y * 255) / height + n, ((x + y) * 128) / (width + height) + 80 + n].map((v) => Math.max(0, Math.min(255, v))) as [number, number, number];
  });
}

function layoutOf(files: Uint8Array[], mime: 'image/jpeg' | 'image/png'): ImageLayout {
  return {
    kind: 'unlabelled',
    root: '',
    classes: [],
    classPaths: [],
    images: files.map((bytes, i) => ({ path: `${i}`, bytes, mime, folder: -1 })),
    warnings: [],
    skipped: 0,
  };
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

interface Row {
  name: string;
  files: Uint8Array[];
  mime: 'image/jpeg' | 'image/png';
  target: PixelTarget;
}

const demo = await loadDemoSplit('test');
const rows: Row[] = [
  {
    name: '224×224 JPEG -> 224×224×3',
    files: Array.from({ length: count }, (_, i) => jpegFile(224, 224, photo(224, 224, i), 85)),
    mime: 'image/jpeg',
    target: { height: 224, width: 224, channels: 3, fit: 'stretch' },
  },
  {
    name: '640×480 JPEG -> 224×224×3 crop',
    files: Array.from({ length: Math.max(1, Math.round(count / 4)) }, (_, i) => jpegFile(640, 480, photo(640, 480, i), 85)),
    mime: 'image/jpeg',
    target: { height: 224, width: 224, channels: 3, fit: 'crop' },
  },
  {
    name: '28×28 PNG -> 28×28×1',
    files: Array.from({ length: count * 5 }, (_, i) => greyPngFile(28, 28, demo.images.subarray((i % demo.count) * 784, ((i % demo.count) + 1) * 784))),
    mime: 'image/png',
    target: { height: 28, width: 28, channels: 1, fit: 'stretch' },
  },
];

console.log(`Node ${process.version}, ${runs} runs, medians\n`);
console.log('| images | n | decode only (img/s) | decode + preprocess (img/s) | ratio | held per 1,000 images | float32 tensors per 1,000 | measured arrayBuffers per 1,000 |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  const n = row.files.length;
  const decodeMs: number[] = [];
  const fullMs: number[] = [];
  let held = 0;
  let measured = 0;
  for (let r = 0; r < runs; r++) {
    decodeMs.push(await timed(async () => {
      for (const f of row.files) await nodeImageDecoder.decode(f, row.mime);
    }));
    for (let k = 0; k < 3; k++) {
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = process.memoryUsage().arrayBuffers;
    let set: Awaited<ReturnType<typeof decodeImageSet>> | null = null;
    fullMs.push(await timed(async () => void (set = await decodeImageSet(layoutOf(row.files, row.mime), row.target, nodeImageDecoder))));
    for (let k = 0; k < 3; k++) {
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 20));
    }
    measured = process.memoryUsage().arrayBuffers - before;
    held = set!.pixels.bytes;
  }
  const per1000 = (bytes: number) => `${((bytes / n) * 1000 / 2 ** 20).toFixed(1)} MiB`;
  const perSecond = (ms: number) => ((n / ms) * 1000).toFixed(0);
  const d = median(decodeMs);
  const f = median(fullMs);
  const floats = row.target.height * row.target.width * row.target.channels * 4 * n;
  console.log(`| ${row.name} | ${n} | ${perSecond(d)} | ${perSecond(f)} | ${(d / f).toFixed(2)} | ${per1000(held)} | ${per1000(floats)} | ${per1000(measured)} |`);
}
console.log('\nratio: decode + preprocess throughput / decode-only throughput (1 = preprocessing is free).');
console.log('held: the PixelStore (uint8 at the model size); float32 tensors of the whole set would be 4x that.');
console.log('measured: growth of process.memoryUsage().arrayBuffers across the decode (run with node --expose-gc for a clean figure).');
