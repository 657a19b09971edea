import { describe, expect, it } from 'vitest';
import { browserImageDecoder, type BitmapLike, type BrowserImageApi } from './browserImageDecoder';
import { DataError } from './dataMessages';
import { ImageDecodeError } from './imageDecoder';
import { nodeImageDecoder } from './nodeImageDecoder';
import { PixelStore, checkPixelBudget } from './pixelStore';
import { sourceRect, toModelPixels } from './resample';
import { corruptJpegFile, greyPngFile, jpegFile, pngFile, rgbaOf } from './testImages';

describe('nodeImageDecoder', () => {
  it('decodes PNG exactly and JPEG closely, as RGBA', async () => {
    const grey = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
    const png = await nodeImageDecoder.decode(greyPngFile(4, 3, grey), 'image/png');
    expect([png.width, png.height, png.sourceWidth, png.sourceHeight]).toEqual([4, 3, 4, 3]);
    expect(Array.from(png.rgba.filter((_, k) => k % 4 === 0))).toEqual(Array.from(grey));
    const rgb = await nodeImageDecoder.decode(pngFile(2, 1, rgbaOf(2, 1, (x) => (x ? [1, 2, 3] : [250, 128, 0]))), 'image/png');
    expect(Array.from(rgb.rgba)).toEqual([250, 128, 0, 255, 1, 2, 3, 255]);
    const jpg = await nodeImageDecoder.decode(jpegFile(16, 16, rgbaOf(16, 16, () => [200, 100, 50]), 95), 'image/jpeg');
    expect([jpg.width, jpg.height]).toEqual([16, 16]);
    for (const [k, v] of [[0, 200], [1, 100], [2, 50]]) expect(Math.abs(jpg.rgba[k] - v)).toBeLessThan(4);
  });

  it('calls broken bytes corrupt, and GIF, WebP and BMP unsupported', async () => {
    await expect(nodeImageDecoder.decode(corruptJpegFile(), 'image/jpeg')).rejects.toMatchObject({ reason: 'corrupt' });
    await expect(nodeImageDecoder.decode(greyPngFile(2, 2, [1, 2, 3, 4]).slice(0, 30), 'image/png')).rejects.toBeInstanceOf(ImageDecodeError);
    for (const mime of ['image/gif', 'image/webp', 'image/bmp'] as const) {
      await expect(nodeImageDecoder.decode(new Uint8Array(40), mime)).rejects.toMatchObject({ reason: 'unsupported' });
    }
  });
});

describe('browserImageDecoder (with the browser functions faked)', () => {
  function fakeApi(width: number, height: number, fail = false) {
    const calls: { draw?: number[]; options?: unknown; closed: number; canvases: number[][]; type?: string } = { closed: 0, canvases: [] };
    const api: BrowserImageApi = {
      createImageBitmap: async (blob, options) => {
        calls.options = options;
        calls.type = blob.type;
        if (fail) throw new Error('The source image could not be decoded.');
        const bitmap: BitmapLike = { width, height, close: () => void calls.closed++ };
        return bitmap;
      },
      createCanvas: (w, h) => {
        calls.canvases.push([w, h]);
        return {
          getContext: () => ({
            imageSmoothingEnabled: false,
            imageSmoothingQuality: 'low',
            clearRect: () => {},
            drawImage: (_b, ...args) => void (calls.draw = args),
            getImageData: (_x, _y, gw, gh) => ({ data: new Uint8ClampedArray(gw * gh * 4).fill(7) }),
          }),
        };
      },
    };
    return { api, calls };
  }

  it('draws the centre crop at the model size, without colour conversion, and closes the bitmap', async () => {
    const { api, calls } = fakeApi(300, 200);
    const decoder = browserImageDecoder(api);
    const d = await decoder.decode(new Uint8Array([1, 2, 3]), 'image/webp', { width: 224, height: 224, fit: 'crop' });
    expect([d.width, d.height, d.sourceWidth, d.sourceHeight, d.rgba.length]).toEqual([224, 224, 300, 200, 224 * 224 * 4]);
    expect(calls.draw).toEqual([50, 0, 200, 200, 0, 0, 224, 224]);
    expect(calls.options).toEqual({ colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    expect(calls.type).toBe('image/webp');
    expect(calls.closed).toBe(1);
    await decoder.decode(new Uint8Array([1]), 'image/png', { width: 224, height: 224, fit: 'stretch' });
    expect(calls.draw).toEqual([0, 0, 300, 200, 0, 0, 224, 224]);
    expect(calls.canvases).toEqual([[224, 224]]); // one canvas per size, reused
  });

  it('turns a rejected createImageBitmap into a corrupt-image error', async () => {
    const { api } = fakeApi(1, 1, true);
    await expect(browserImageDecoder(api).decode(new Uint8Array([1]), 'image/gif')).rejects.toMatchObject({ reason: 'corrupt' });
  });
});

describe('resample', () => {
  it('keeps the centred part of the model\'s aspect ratio for a crop, everything for a stretch', () => {
    expect(sourceRect(300, 200, { width: 10, height: 10, fit: 'crop' })).toEqual({ x: 50, y: 0, width: 200, height: 200 });
    expect(sourceRect(200, 301, { width: 10, height: 10, fit: 'crop' })).toEqual({ x: 0, y: 50, width: 200, height: 200 });
    expect(sourceRect(300, 200, { width: 10, height: 10, fit: 'stretch' })).toEqual({ x: 0, y: 0, width: 300, height: 200 });
  });

  it('copies an image at the model size exactly, to grey (BT.601) or RGB', () => {
    const rgba = rgbaOf(2, 2, (x, y) => [x * 100, y * 100, 50]);
    expect(Array.from(toModelPixels(rgba, 2, 2, { width: 2, height: 2, channels: 3, fit: 'crop' }))).toEqual([0, 0, 50, 100, 0, 50, 0, 100, 50, 100, 100, 50]);
    expect(Array.from(toModelPixels(rgba, 2, 2, { width: 2, height: 2, channels: 1, fit: 'crop' }))).toEqual([6, 36, 64, 94]);
    expect(Array.from(toModelPixels(rgba, 2, 2, { width: 2, height: 2, channels: 3, fit: 'crop', grey: true }).slice(0, 6))).toEqual([6, 6, 6, 36, 36, 36]);
    const grey = rgbaOf(3, 1, (x) => [7, 77, 254][x]);
    expect(Array.from(toModelPixels(grey, 3, 1, { width: 3, height: 1, channels: 1, fit: 'stretch' }))).toEqual([7, 77, 254]);
  });

  it('averages the pixels each target pixel covers when shrinking, and interpolates when enlarging', () => {
    // 4x2 stripes 0, 100, 200, 40 -> 2x1: means of pairs.
    const stripes = rgbaOf(4, 2, (x) => [0, 100, 200, 40][x]);
    expect(Array.from(toModelPixels(stripes, 4, 2, { width: 2, height: 1, channels: 1, fit: 'stretch' }))).toEqual([50, 120]);
    // 3 -> 2: box of 1.5 pixels each: (0 + 0.5*90)/1.5 = 30, (0.5*90 + 180)/1.5 = 150.
    const three = rgbaOf(3, 1, (x) => [0, 90, 180][x]);
    expect(Array.from(toModelPixels(three, 3, 1, { width: 2, height: 1, channels: 1, fit: 'stretch' }))).toEqual([30, 150]);
    const two = rgbaOf(2, 1, (x) => [0, 200][x]);
    expect(Array.from(toModelPixels(two, 2, 1, { width: 4, height: 1, channels: 1, fit: 'stretch' }))).toEqual([0, 50, 150, 200]);
    // A crop of a 4x2 image to a square keeps its middle 2x2.
    expect(Array.from(toModelPixels(stripes, 4, 2, { width: 1, height: 1, channels: 1, fit: 'crop' }))).toEqual([150]);
  });
});

describe('PixelStore', () => {
  it('keeps images as uint8 at the model size, in chunks, and trims the last', () => {
    const store = new PixelStore(224, 224, 3);
    for (let i = 0; i < 500; i++) {
      store.next().fill(i & 0xff);
      store.commit();
    }
    expect(store.count).toBe(500);
    expect(store.get(499)[0]).toBe(499 & 0xff);
    expect(store.get(300).length).toBe(224 * 224 * 3);
    store.trim();
    expect(store.bytes).toBe(500 * 224 * 224 * 3);
    expect(() => store.get(500)).toThrow(RangeError);
  });

  it('accepts 5,000 images at 224×224×3 and refuses what would not fit, with the estimate', () => {
    expect(() => checkPixelBudget(5000, 224, 224, 3)).not.toThrow();
    expect(() => checkPixelBudget(12000, 224, 224, 3)).toThrow(DataError);
    expect(() => checkPixelBudget(12000, 224, 224, 3)).toThrow(
      '12,000 images at 224×224×3 would hold 1.8 GB of pixels, more than the 1.0 GB the studio keeps for data. Drop at most 6,643 images (a sample of each class folder).',
    );
  });
});
