// The images of a drop decoded into compact pixels at the model's size, one at a time, with
// progress and cancel. A file that cannot be used is skipped with a warning naming it: corrupt,
// in a format this decoder cannot read, or smaller than 8×8. The pixel budget is checked before
// anything is decoded.
import { UNCONTROLLED, type JobControl } from '../job';
import { DataError, MIN_IMAGE_SIDE, dataMessages } from './dataMessages';
import { ImageDecodeError, type ImageDecoder } from './imageDecoder';
import { IMAGE_FORMAT_NAME } from './imageFormat';
import type { ImageLayout } from './imageLayout';
import { PixelStore, checkPixelBudget, DEFAULT_DATA_BUDGET } from './pixelStore';
import { toModelPixels, type PixelTarget } from './resample';

export interface ImageSet {
  pixels: PixelStore;
  count: number;
  /** Per image: its folder (index into the layout's classes), or -1 when unlabelled. */
  folder: Int32Array;
  /** Per image: its path in the drop. */
  paths: string[];
  /** What was skipped while decoding, as sentences. */
  warnings: string[];
  skipped: number;
}

export interface DecodeOptions {
  control?: JobControl;
  /** Pixel bytes the set may hold (DEFAULT_DATA_BUDGET). */
  budget?: number;
}

/** Decodes the layout's images to `target`; throws DataError when none can be used or they would not fit. */
export async function decodeImageSet(layout: ImageLayout, target: PixelTarget, decoder: ImageDecoder, options: DecodeOptions = {}): Promise<ImageSet> {
  const control = options.control ?? UNCONTROLLED;
  const total = layout.images.length;
  checkPixelBudget(total, target.height, target.width, target.channels, options.budget ?? DEFAULT_DATA_BUDGET);
  const pixels = new PixelStore(target.height, target.width, target.channels, total);
  const folder: number[] = [];
  const paths: string[] = [];
  const warnings: string[] = [];
  const resize = { width: target.width, height: target.height, fit: target.fit };
  let last = 0;
  for (let i = 0; i < total; i++) {
    const image = layout.images[i];
    try {
      const d = await decoder.decode(image.bytes, image.mime, resize);
      if (d.sourceWidth < MIN_IMAGE_SIDE || d.sourceHeight < MIN_IMAGE_SIDE) {
        warnings.push(dataMessages.tooSmall(image.path, d.sourceWidth, d.sourceHeight));
      } else {
        toModelPixels(d.rgba, d.width, d.height, target, pixels.next());
        pixels.commit();
        folder.push(image.folder);
        paths.push(image.path);
      }
    } catch (e) {
      if (!(e instanceof ImageDecodeError)) throw e;
      const format = IMAGE_FORMAT_NAME[image.mime];
      warnings.push(e.reason === 'unsupported' ? dataMessages.nodeCannotDecode(image.path, format) : dataMessages.corruptImage(image.path, format));
    }
    // Report (and let a cancel in) about every 50 ms worth of images, and at the end.
    const now = performance.now();
    if (now - last > 50 || i === total - 1) {
      last = now;
      await control.checkpoint((i + 1) / total, `Decoding ${i + 1} / ${total} images`);
    }
  }
  const skippedHere = total - pixels.count;
  if (pixels.count === 0) throw new DataError(dataMessages.noImagesLeft(total + layout.skipped));
  pixels.trim();
  return {
    pixels,
    count: pixels.count,
    folder: Int32Array.from(folder),
    paths,
    warnings: [...layout.warnings, ...warnings],
    skipped: layout.skipped + skippedHere,
  };
}
