// The worker's image decoder: createImageBitmap decodes (JPEG, PNG, WebP, BMP, GIF's first frame)
// and an OffscreenCanvas draws the kept region at the model's size, with the browser's high-quality
// smoothing. The two functions are passed in, so this module has no DOM globals and runs in tests:
//
//   const decoder = browserImageDecoder({
//     createImageBitmap: (blob, options) => createImageBitmap(blob, options),
//     createCanvas: (width, height) => new OffscreenCanvas(width, height),
//   });
//
// Colour-space conversion and premultiplied alpha are turned off, so the bytes are the file's own
// (a grey PNG at the model's size comes back exactly).
import { ImageDecodeError, type DecodedImage, type ImageDecoder, type ResizeTarget } from './imageDecoder';
import type { ImageMime } from './imageFormat';
import { sourceRect } from './resample';

export interface BitmapLike {
  readonly width: number;
  readonly height: number;
  close(): void;
}

export interface Canvas2DLike {
  imageSmoothingEnabled: boolean;
  imageSmoothingQuality: 'low' | 'medium' | 'high';
  clearRect(x: number, y: number, w: number, h: number): void;
  drawImage(image: BitmapLike, sx: number, sy: number, sw: number, sh: number, dx: number, dy: number, dw: number, dh: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}

export interface CanvasLike {
  getContext(kind: '2d', options?: { willReadFrequently?: boolean }): Canvas2DLike | null;
}

export interface BrowserImageApi {
  createImageBitmap(blob: Blob, options: { colorSpaceConversion: 'none'; premultiplyAlpha: 'none' }): Promise<BitmapLike>;
  createCanvas(width: number, height: number): CanvasLike;
}

export function browserImageDecoder(api: BrowserImageApi): ImageDecoder {
  // One canvas per size, reused: a data set is thousands of images at the model's size.
  const contexts = new Map<string, Canvas2DLike>();
  const contextFor = (width: number, height: number) => {
    const key = `${width}x${height}`;
    let ctx = contexts.get(key);
    if (!ctx) {
      ctx = api.createCanvas(width, height).getContext('2d', { willReadFrequently: true }) ?? undefined;
      if (!ctx) throw new Error('internal: OffscreenCanvas has no 2d context');
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      contexts.set(key, ctx);
    }
    return ctx;
  };

  return {
    async decode(bytes: Uint8Array, mime: ImageMime, target?: ResizeTarget): Promise<DecodedImage> {
      let bitmap: BitmapLike;
      try {
        bitmap = await api.createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
      } catch (e) {
        throw new ImageDecodeError('corrupt', e instanceof Error ? e.message : String(e));
      }
      try {
        const { width: sw, height: sh } = bitmap;
        const width = target?.width ?? sw;
        const height = target?.height ?? sh;
        const rect = target ? sourceRect(sw, sh, target) : { x: 0, y: 0, width: sw, height: sh };
        const ctx = contextFor(width, height);
        ctx.clearRect(0, 0, width, height);
        ctx.drawImage(bitmap, rect.x, rect.y, rect.width, rect.height, 0, 0, width, height);
        const rgba = ctx.getImageData(0, 0, width, height).data;
        return { width, height, rgba, sourceWidth: sw, sourceHeight: sh };
      } finally {
        bitmap.close();
      }
    },
  };
}
