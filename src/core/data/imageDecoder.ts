// How images are decoded, behind one interface, so that core never touches the DOM:
// - browserImageDecoder.ts: createImageBitmap + OffscreenCanvas, in the worker (every format the
//   browser reads, resized by the browser on the way);
// - nodeImageDecoder.ts: pure JS (pngjs, jpeg-js) for the tests, scripts and the CLI; PNG and JPEG.
import type { ImageMime } from './imageFormat';
import type { Fit } from './resample';

export interface DecodedImage {
  /** Size of `rgba`: the image's own size, or the target's when the decoder resized it. */
  width: number;
  height: number;
  /** width × height × 4 bytes, not premultiplied. */
  rgba: Uint8Array | Uint8ClampedArray;
  /** The image's own size, before any resizing (for the too-small check). */
  sourceWidth: number;
  sourceHeight: number;
}

export interface ResizeTarget {
  width: number;
  height: number;
  fit: Fit;
}

export interface ImageDecoder {
  /**
   * Decodes one image. With `target`, the decoder may hand back the image already resized to it
   * (the browser's does, natively); the caller resizes whatever it gets. Throws ImageDecodeError.
   */
  decode(bytes: Uint8Array, mime: ImageMime, target?: ResizeTarget): Promise<DecodedImage>;
}

/** Why an image could not be decoded: its bytes are broken, or this decoder cannot read its format. */
export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
  constructor(
    readonly reason: 'corrupt' | 'unsupported',
    detail: string,
  ) {
    super(detail);
  }
}
