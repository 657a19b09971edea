import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, classCounts, decodeImageSet } from './fashionMnist';
import { encodeIdx } from './idx';
import { batchToTensors, gatherToTensors } from './tensors';

const PIXELS = 28 * 28;

/** `count` 28x28 images whose pixels are (image * 16 + pixel) mod 256, and the given labels. */
function synthetic(labels: number[]): { images: Uint8Array; labels: Uint8Array } {
  const pixels = Uint8Array.from({ length: labels.length * PIXELS }, (_, i) => (Math.floor(i / PIXELS) * 16 + i) % 256);
  return { images: encodeIdx([labels.length, 28, 28], pixels), labels: encodeIdx([labels.length], Uint8Array.from(labels)) };
}

function expectError(fn: () => unknown, message: string): void {
  expect(fn).toThrow(new Error(message));
}

describe('FASHION_MNIST_CLASSES', () => {
  it('lists the 10 official names in label order', () => {
    expect(FASHION_MNIST_CLASSES).toEqual([
      'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
    ]);
  });
});

describe('decodeImageSet', () => {
  it('decodes images and labels', () => {
    const files = synthetic([3, 0, 9]);
    const set = decodeImageSet(files.images, files.labels, 'train');
    expect(set.count).toBe(3);
    expect([set.height, set.width, set.channels]).toEqual([28, 28, 1]);
    expect(set.images.length).toBe(3 * PIXELS);
    expect(set.images[PIXELS + 1]).toBe((16 + PIXELS + 1) % 256);
    expect(Array.from(set.labels)).toEqual([3, 0, 9]);
    expect(classCounts(set)).toEqual([1, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
  });

  it('says when the counts disagree', () => {
    const files = synthetic([1, 2, 3]);
    const labels = encodeIdx([2], Uint8Array.from([1, 2]));
    expectError(() => decodeImageSet(files.images, labels, 'train'), 'train: 3 images but 2 labels');
    expectError(
      () => decodeImageSet(files.images, labels, { images: 'a-images.idx.gz', labels: 'a-labels.idx.gz' }),
      'a-images.idx.gz + a-labels.idx.gz: 3 images but 2 labels',
    );
  });

  it('says which label is not a class', () => {
    const files = synthetic([1, 10, 3]);
    expectError(() => decodeImageSet(files.images, files.labels, 'test'), 'test labels: label 10 at index 1 is not a class (0..9)');
  });

  it('rejects images of the wrong shape', () => {
    const flat = encodeIdx([2, PIXELS], new Uint8Array(2 * PIXELS));
    const labels = encodeIdx([2], Uint8Array.from([0, 1]));
    expectError(
      () => decodeImageSet(flat, labels, 'train'),
      'train images: expected 3 dimensions (count x 28 x 28), got 2 (2 x 784)',
    );
    const big = encodeIdx([2, 32, 32], new Uint8Array(2 * 32 * 32));
    expectError(() => decodeImageSet(big, labels, 'train'), 'train images: images are 32 x 32, expected 28 x 28');
  });

  it('rejects labels of the wrong shape', () => {
    const files = synthetic([0, 1]);
    const labels = encodeIdx([2, 1], Uint8Array.from([0, 1]));
    expectError(
      () => decodeImageSet(files.images, labels, 'train'),
      'train labels: expected 1 dimension (count), got 2 (2 x 1)',
    );
  });

  it('passes IDX errors on with the file name', () => {
    const files = synthetic([0, 1]);
    expectError(
      () => decodeImageSet(files.images.subarray(0, 100), files.labels, { images: 'train-images.idx.gz', labels: 'x' }),
      'train-images.idx.gz: payload is 84 bytes, expected 1568 (2 x 28 x 28)',
    );
    expectError(
      () => decodeImageSet(files.images, files.images, 'test'),
      'test labels: expected 1 dimension (count), got 3 (2 x 28 x 28)',
    );
  });
});

describe('batchToTensors / gatherToTensors', () => {
  const files = synthetic([3, 0, 9, 5]);
  const set = decodeImageSet(files.images, files.labels, 'train');

  it('scales pixels by 1/255 into [n, 28, 28, 1] and one-hot encodes labels', () => {
    const { xs, ys } = batchToTensors(set, 1, 3);
    expect(xs.shape).toEqual([2, 28, 28, 1]);
    expect(xs.dtype).toBe('float32');
    expect(ys.shape).toEqual([2, 10]);
    const x = xs.dataSync();
    expect(x[0]).toBeCloseTo(set.images[PIXELS] / 255, 6);
    expect(x[PIXELS + 5]).toBeCloseTo(set.images[2 * PIXELS + 5] / 255, 6);
    expect(Math.max(...x)).toBeLessThanOrEqual(1);
    expect(Array.from(ys.argMax(-1).dataSync())).toEqual([0, 9]);
    expect(ys.sum().dataSync()[0]).toBe(2);
    tf.dispose([xs, ys]);
  });

  it('gathers images in the order asked', () => {
    const { xs, ys } = gatherToTensors(set, [3, 0]);
    expect(Array.from(ys.argMax(-1).dataSync())).toEqual([5, 3]);
    expect(xs.dataSync()[0]).toBeCloseTo(set.images[3 * PIXELS] / 255, 6);
    tf.dispose([xs, ys]);
  });

  it('rejects ranges outside the set', () => {
    expectError(() => batchToTensors(set, 2, 5), 'batchToTensors: range 2..5 is not a non-empty slice of 0..4');
    expectError(() => batchToTensors(set, 2, 2), 'batchToTensors: range 2..2 is not a non-empty slice of 0..4');
    expectError(() => gatherToTensors(set, [0, 4]), 'gatherToTensors: index 4 is outside 0..3');
  });
});

// The embedded demo subset, as committed (built by scripts/build-demo-data.ts).
const demoDir = fileURLToPath(new URL('../../../public/demo/fashion-mnist/', import.meta.url));
const demoFiles = ['train-images', 'train-labels', 'test-images', 'test-labels'].map((f) => `${demoDir}${f}.idx.gz`);
const haveDemo = demoFiles.every((f) => existsSync(f));

describe.skipIf(!haveDemo)('committed Fashion-MNIST demo subset', () => {
  const read = (path: string) => new Uint8Array(gunzipSync(readFileSync(path)));
  const [trainImages, trainLabels, testImages, testLabels] = haveDemo ? demoFiles.map(read) : [];

  it('decodes to 6000 training images, 600 per class', () => {
    const train = decodeImageSet(trainImages!, trainLabels!, 'train');
    expect(train.count).toBe(6000);
    expect(classCounts(train)).toEqual(new Array(10).fill(600));
  });

  it('decodes to 2000 test images, 200 per class', () => {
    const test = decodeImageSet(testImages!, testLabels!, 'test');
    expect(test.count).toBe(2000);
    expect(classCounts(test)).toEqual(new Array(10).fill(200));
  });

  it('is shuffled, and looks like Fashion-MNIST (mean pixel about 0.29)', () => {
    const test = decodeImageSet(testImages!, testLabels!, 'test');
    const firstLabels = Array.from(test.labels.subarray(0, 50));
    expect(new Set(firstLabels).size).toBeGreaterThan(5);
    const mean = test.images.reduce((a, b) => a + b, 0) / test.images.length / 255;
    expect(mean).toBeGreaterThan(0.25);
    expect(mean).toBeLessThan(0.33);
  });

  it('matches the SHA-256 sums in its README, with a platform-independent gzip header', () => {
    const readme = readFileSync(`${demoDir}README.md`, 'utf8');
    demoFiles.forEach((path, i) => {
      const name = path.slice(demoDir.length);
      const sum = createHash('sha256').update([trainImages, trainLabels, testImages, testLabels][i]!).digest('hex');
      expect(readme).toContain(`| \`${name}\` |`);
      expect(readme).toMatch(new RegExp(`\\| \`${name.replace(/\./g, '\\.')}\` \\|.*\`${sum}\` \\|`));
      const gz = readFileSync(path);
      expect(Array.from(gz.subarray(0, 10))).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]);
    });
  });
});
