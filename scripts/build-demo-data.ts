// Builds the embedded Fashion-MNIST demo subset from Debian's dataset-fashion-mnist.
//
//   npx tsx scripts/build-demo-data.ts          (FASHION_MNIST_DIR=... to read the IDX .gz files elsewhere)
//
// Picks, with a seeded mulberry32 generator, 600 images per class from the 60,000 training images
// and 200 per class from the 10,000 t10k images, shuffles each subset with the same generator, and
// writes gzip-compressed IDX files, a README (attribution, how it was made, checksums) and the
// MIT LICENSE into public/demo/fashion-mnist/. Running it twice gives byte-identical files.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FASHION_MNIST_CLASSES, classCounts } from '../src/core/data/fashionMnist';
import type { LabelledImages } from '../src/core/data/fashionMnist';
import { encodeIdx } from '../src/core/data/idx';
import { mulberry32, shuffleInPlace } from '../src/core/data/seededRandom';
import {
  DEMO_DATA,
  PUBLIC_DIR,
  SOURCE_FILES,
  SUBSET_SEED,
  TEST_PER_CLASS,
  TRAIN_PER_CLASS,
  loadSourceSplit,
  sourceDir,
} from './demoAssets';

export const FASHION_MNIST_LICENSE = `The MIT License (MIT) Copyright © 2017 Zalando SE, https://tech.zalando.com

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the “Software”), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED “AS IS”, WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`;

/**
 * Indices of `perClass` images of every class, drawn without replacement, then shuffled.
 * Per class (0..9 in order) the class's indices are shuffled and the first `perClass` kept;
 * the concatenation is shuffled once more. All draws come from `random`, in that order.
 */
export function stratifiedSample(set: LabelledImages, perClass: number, numClasses: number, random: () => number): Int32Array {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < set.count; i++) byClass[set.labels[i]].push(i);
  const picked: number[] = [];
  byClass.forEach((indices, label) => {
    if (indices.length < perClass) {
      throw new Error(`class ${label} has ${indices.length} images, fewer than the ${perClass} asked for`);
    }
    picked.push(...shuffleInPlace(indices, random).slice(0, perClass));
  });
  return shuffleInPlace(Int32Array.from(picked), random);
}

function gatherImages(set: LabelledImages, indices: Int32Array): LabelledImages {
  const pixels = set.height * set.width * set.channels;
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  indices.forEach((src, dst) => {
    images.set(set.images.subarray(src * pixels, (src + 1) * pixels), dst * pixels);
    labels[dst] = set.labels[src];
  });
  return { ...set, images, labels, count: indices.length };
}

/** gzip at level 9 with a platform-independent header: mtime 0 (Node's default) and OS byte 255. */
export function gzipDeterministic(data: Uint8Array): Uint8Array {
  const gz = new Uint8Array(gzipSync(data, { level: 9 }));
  gz[9] = 0xff; // OS = unknown (zlib writes 3 on Linux, 19 on macOS)
  return gz;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface WrittenFile {
  path: string;
  idxBytes: number;
  gzBytes: number;
  idxSha256: string;
}

async function writeSplit(set: LabelledImages, imagesPath: string, labelsPath: string): Promise<WrittenFile[]> {
  const written: WrittenFile[] = [];
  const files: [string, Uint8Array][] = [
    [imagesPath, encodeIdx([set.count, set.height, set.width], set.images)],
    [labelsPath, encodeIdx([set.count], set.labels)],
  ];
  for (const [path, idx] of files) {
    const gz = gzipDeterministic(idx);
    await writeFile(join(PUBLIC_DIR, path), gz);
    written.push({ path, idxBytes: idx.length, gzBytes: gz.length, idxSha256: sha256(idx) });
  }
  return written;
}

function readme(files: WrittenFile[]): string {
  const rows = files
    .map((f) => `| \`${f.path.split('/').pop()}\` | ${f.gzBytes.toLocaleString('en-US')} | ${f.idxBytes.toLocaleString('en-US')} | \`${f.idxSha256}\` |`)
    .join('\n');
  const classes = FASHION_MNIST_CLASSES.map((name, i) => `${i} ${name}`).join(', ');
  return `# Fashion-MNIST demo subset

A small, class-balanced subset of **Fashion-MNIST**, embedded so that the studio can measure accuracy
and fine-tune the demo models without any download.

## Attribution and license

Fashion-MNIST is by Zalando Research: Han Xiao, Kashif Rasul and Roland Vollgraf,
*Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms*,
arXiv:1708.07747, 2017. https://github.com/zalandoresearch/fashion-mnist

Copyright © 2017 Zalando SE, https://tech.zalando.com. Released under the MIT license; the full text
is in [LICENSE](LICENSE). These files are a subset of the original data, re-encoded, not modified
image by image.

## What is here

| file | bytes (gzip) | bytes (IDX) | SHA-256 of the IDX (uncompressed) |
|---|---:|---:|---|
${rows}

- \`train-*\`: ${(TRAIN_PER_CLASS * 10).toLocaleString('en-US')} images, ${TRAIN_PER_CLASS} per class, drawn from the 60,000 images of
  \`${SOURCE_FILES.trainImages}\`.
- \`test-*\`: ${(TEST_PER_CLASS * 10).toLocaleString('en-US')} images, ${TEST_PER_CLASS} per class, drawn from the 10,000 images of
  \`${SOURCE_FILES.testImages}\`. The demo models are trained on the full 60,000 training images,
  so the test subset is unseen by them.
- Format: IDX (as the original files), unsigned bytes, 28 x 28 grey images (0 = background),
  labels 0-9: ${classes}. Each file is gzip-compressed (level 9).

## How it was made

\`npx tsx scripts/build-demo-data.ts\` reads the IDX files of Debian's package
\`dataset-fashion-mnist\` (\`/usr/share/datasets/fashion-mnist/\`, the original Zalando files). With a
mulberry32 generator seeded with **${SUBSET_SEED}**, it shuffles the indices of each class (0 to 9 in
order) of the training set and keeps the first ${TRAIN_PER_CLASS}, then shuffles the ${TRAIN_PER_CLASS * 10} picked indices;
then, with a fresh generator of the same seed, it does the same for the t10k set with ${TEST_PER_CLASS} per class.
The script is deterministic: running it again gives byte-identical files (gzip header mtime 0,
OS byte 255). Another zlib build may compress differently; the SHA-256 of the uncompressed IDX
above is what identifies the data.
`;
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`Reading Fashion-MNIST from ${sourceDir()}`);
  const train = await loadSourceSplit('train');
  const t10k = await loadSourceSplit('t10k');
  console.log(`  train: ${train.count} images, t10k: ${t10k.count} images`);

  const trainSubset = gatherImages(train, stratifiedSample(train, TRAIN_PER_CLASS, 10, mulberry32(SUBSET_SEED)));
  const testSubset = gatherImages(t10k, stratifiedSample(t10k, TEST_PER_CLASS, 10, mulberry32(SUBSET_SEED)));

  await mkdir(join(PUBLIC_DIR, DEMO_DATA.dir), { recursive: true });
  const files = [
    ...(await writeSplit(trainSubset, DEMO_DATA.trainImages, DEMO_DATA.trainLabels)),
    ...(await writeSplit(testSubset, DEMO_DATA.testImages, DEMO_DATA.testLabels)),
  ];
  await writeFile(join(PUBLIC_DIR, DEMO_DATA.dir, 'README.md'), readme(files));
  await writeFile(join(PUBLIC_DIR, DEMO_DATA.dir, 'LICENSE'), FASHION_MNIST_LICENSE);

  for (const f of files) {
    console.log(`  public/${f.path}: ${f.gzBytes} bytes gzip (${f.idxBytes} IDX), sha256(IDX) ${f.idxSha256}`);
  }
  console.log(`  per class: train ${classCounts(trainSubset).join('/')}, test ${classCounts(testSubset).join('/')}`);
  console.log(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${SUBSET_SEED})`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
