// Where the demo assets live and how they are made; shared by build-demo-data.ts and
// train-demo-models.ts so the two cannot drift apart.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { decodeImageSet } from '../src/core/data/fashionMnist';
import type { LabelledImages } from '../src/core/data/fashionMnist';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PUBLIC_DIR = join(REPO_ROOT, 'public');

/** Debian's dataset-fashion-mnist; override with FASHION_MNIST_DIR. */
export const DEFAULT_SOURCE_DIR = '/usr/share/datasets/fashion-mnist';
export const SOURCE_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

/** Seed of the mulberry32 generator that picks and orders the demo subset. */
export const SUBSET_SEED = 20170825; // Fashion-MNIST's arXiv submission date (1708.07747)
export const TRAIN_PER_CLASS = 600;
export const TEST_PER_CLASS = 200;

/** Site-relative paths (as written into demo.json) of the embedded subset. */
export const DEMO_DATA = {
  dir: 'demo/fashion-mnist',
  trainImages: 'demo/fashion-mnist/train-images.idx.gz',
  trainLabels: 'demo/fashion-mnist/train-labels.idx.gz',
  testImages: 'demo/fashion-mnist/test-images.idx.gz',
  testLabels: 'demo/fashion-mnist/test-labels.idx.gz',
} as const;
export const DEMO_JSON = 'demo/demo.json';

export function sourceDir(): string {
  return process.env.FASHION_MNIST_DIR ?? DEFAULT_SOURCE_DIR;
}

function missingSource(path: string): Error {
  return new Error(
    `Fashion-MNIST not found: ${path} does not exist.\n` +
      `Install Debian's package (apt-get install dataset-fashion-mnist), or set FASHION_MNIST_DIR ` +
      `to a folder holding ${Object.values(SOURCE_FILES).join(', ')}.`,
  );
}

async function readGz(path: string): Promise<Uint8Array> {
  if (!existsSync(path)) throw missingSource(path);
  const compressed = await readFile(path);
  try {
    return new Uint8Array(gunzipSync(compressed));
  } catch (err) {
    throw new Error(`${path}: not a valid gzip file (${(err as Error).message})`);
  }
}

/** The full Fashion-MNIST split ('train': 60,000 images, 't10k': 10,000) from the Debian package. */
export async function loadSourceSplit(split: 'train' | 't10k'): Promise<LabelledImages> {
  const dir = sourceDir();
  const images = join(dir, split === 'train' ? SOURCE_FILES.trainImages : SOURCE_FILES.testImages);
  const labels = join(dir, split === 'train' ? SOURCE_FILES.trainLabels : SOURCE_FILES.testLabels);
  return decodeImageSet(await readGz(images), await readGz(labels), { images, labels });
}

/** One split of the embedded demo subset, decoded exactly as the browser will decode it. */
export async function loadDemoSplit(split: 'train' | 'test'): Promise<LabelledImages> {
  const images = join(PUBLIC_DIR, split === 'train' ? DEMO_DATA.trainImages : DEMO_DATA.testImages);
  const labels = join(PUBLIC_DIR, split === 'train' ? DEMO_DATA.trainLabels : DEMO_DATA.testLabels);
  for (const path of [images, labels]) {
    if (!existsSync(path)) throw new Error(`${path} does not exist: run \`npx tsx scripts/build-demo-data.ts\` first`);
  }
  return decodeImageSet(
    new Uint8Array(gunzipSync(await readFile(images))),
    new Uint8Array(gunzipSync(await readFile(labels))),
    { images, labels },
  );
}
