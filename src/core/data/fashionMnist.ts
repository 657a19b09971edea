// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, Zalando Research, MIT license): 28x28 grey images of
// clothing in 10 classes. The studio embeds a seeded, class-balanced subset (public/demo/fashion-mnist,
// built by scripts/build-demo-data.ts) as IDX files; this module turns a pair of decompressed IDX files
// into one labelled image set.
import { parseIdx } from './idx';

/** The 10 official class names, indexed by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export const FASHION_MNIST_SIZE = 28;

/**
 * Images as raw bytes (0..255), NHWC order, `count * height * width * channels` long,
 * and one class index per image.
 */
export interface LabelledImages {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/**
 * Names used in error messages: one string for the set (`"train"` gives `"train images"` and
 * `"train labels"`), or the two file names.
 */
export type ImageSetName = string | { images: string; labels: string };

/**
 * Decodes Fashion-MNIST images (IDX, [count, 28, 28]) and labels (IDX, [count]), both already
 * decompressed. Checks the shapes, that the counts agree and that every label is a class index.
 */
export function decodeImageSet(imagesIdx: Uint8Array, labelsIdx: Uint8Array, name: ImageSetName): LabelledImages {
  const imagesName = typeof name === 'string' ? `${name} images` : name.images;
  const labelsName = typeof name === 'string' ? `${name} labels` : name.labels;
  const setName = typeof name === 'string' ? name : `${name.images} + ${name.labels}`;

  const images = parseIdx(imagesIdx, imagesName);
  const labels = parseIdx(labelsIdx, labelsName);

  if (images.dims.length !== 3) {
    throw new Error(
      `${imagesName}: expected 3 dimensions (count x 28 x 28), got ${images.dims.length} (${images.dims.join(' x ')})`,
    );
  }
  const [count, height, width] = images.dims as [number, number, number];
  if (height !== FASHION_MNIST_SIZE || width !== FASHION_MNIST_SIZE) {
    throw new Error(`${imagesName}: images are ${height} x ${width}, expected 28 x 28`);
  }
  if (labels.dims.length !== 1) {
    throw new Error(
      `${labelsName}: expected 1 dimension (count), got ${labels.dims.length} (${labels.dims.join(' x ')})`,
    );
  }
  const labelCount = labels.dims[0];
  if (labelCount !== count) {
    throw new Error(`${setName}: ${count} images but ${labelCount} labels`);
  }
  const classes = FASHION_MNIST_CLASSES.length;
  for (let i = 0; i < labels.data.length; i++) {
    const label = labels.data[i];
    if (label >= classes) {
      throw new Error(`${labelsName}: label ${label} at index ${i} is not a class (0..${classes - 1})`);
    }
  }
  return { images: images.data, labels: labels.data, count, height, width, channels: 1 };
}

/** How many images of each class the set holds, indexed by label. */
export function classCounts(set: Pick<LabelledImages, 'labels'>, numClasses: number = FASHION_MNIST_CLASSES.length): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const label of set.labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
