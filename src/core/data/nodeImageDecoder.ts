// The pure-JS image decoder for Node (tests, scripts, the CLI): PNG with pngjs, JPEG with jpeg-js.
// WebP, BMP and GIF decode in the browser only (createImageBitmap); here they are refused as
// 'unsupported', which the data loader reports as "... the Node decoder cannot read ...".
// Never import this module from the worker: pngjs needs Node's zlib.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ImageDecodeError, type DecodedImage, type ImageDecoder } from './imageDecoder';
import { IMAGE_FORMAT_NAME, type ImageMime } from './imageFormat';

/** jpeg-js refuses images above these (a 200-megapixel photo is not a training example). */
const MAX_MEGAPIXELS = 200;
const MAX_MEMORY_MB = 2048;

export const nodeImageDecoder: ImageDecoder = {
  async decode(bytes: Uint8Array, mime: ImageMime): Promise<DecodedImage> {
    let width: number;
    let height: number;
    let rgba: Uint8Array;
    try {
      if (mime === 'image/png') {
        const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        ({ width, height } = png);
        rgba = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
      } else if (mime === 'image/jpeg') {
        const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS, maxMemoryUsageInMB: MAX_MEMORY_MB });
        ({ width, height } = img);
        rgba = img.data;
      } else {
        throw new ImageDecodeError('unsupported', `${IMAGE_FORMAT_NAME[mime]} decodes in the browser only`);
      }
    } catch (e) {
      if (e instanceof ImageDecodeError) throw e;
      throw new ImageDecodeError('corrupt', e instanceof Error ? e.message : String(e));
    }
    if (!(width > 0 && height > 0) || rgba.length < width * height * 4) throw new ImageDecodeError('corrupt', 'no pixels');
    return { width, height, rgba, sourceWidth: width, sourceHeight: height };
  },
};
