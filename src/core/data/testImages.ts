// Image files for tests, fixtures and benches, written with pngjs and jpeg-js (Node only).
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** RGBA pixels from a function of (x, y) giving [r, g, b] or one grey value. */
export function rgbaOf(width: number, height: number, colour: (x: number, y: number) => number | readonly [number, number, number]): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = colour(x, y);
      const [r, g, b] = typeof c === 'number' ? [c, c, c] : c;
      const o = (y * width + x) * 4;
      rgba[o] = r;
      rgba[o + 1] = g;
      rgba[o + 2] = b;
      rgba[o + 3] = 255;
    }
  }
  return rgba;
}

/** A PNG of RGBA pixels; `grey` writes an 8-bit greyscale file (colour type 0) from the red channel. */
export function pngFile(width: number, height: number, rgba: Uint8Array, grey = false): Uint8Array {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  return new Uint8Array(PNG.sync.write(png, grey ? { colorType: 0 } : { colorType: 2 }));
}

/** A greyscale PNG of one byte per pixel (a Fashion-MNIST image). */
export function greyPngFile(width: number, height: number, grey: ArrayLike<number>): Uint8Array {
  return pngFile(width, height, rgbaOf(width, height, (x, y) => grey[y * width + x]), true);
}

export function jpegFile(width: number, height: number, rgba: Uint8Array, quality = 90): Uint8Array {
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, quality).data);
}

/** Starts like a JPEG (SOI, APP0) and then is noise: no decoder, browser or jpeg-js, can read it. */
export function corruptJpegFile(): Uint8Array {
  const head = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const noise = Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff).map((b) => (b === 0xff ? 0xfe : b));
  return Uint8Array.from([...head, ...noise]);
}
