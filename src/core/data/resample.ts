// Decoded RGBA pixels to the model's input: the region to keep (all of it, or a centred crop to the
// model's aspect ratio), resampled to the model's height and width, as 1 (grey) or 3 (RGB) uint8
// channels. Shrinking averages every source pixel a target pixel covers (a box filter, so a photo
// scaled to 224×224 does not alias); enlarging interpolates bilinearly. An image already at the
// model's size is copied exactly, so a 28×28 PNG reaches a 28×28 model unchanged. Alpha is ignored,
// as tf.browser.fromPixels does.

export type Fit = 'stretch' | 'crop';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PixelTarget {
  height: number;
  width: number;
  channels: 1 | 3;
  fit: Fit;
  /** Grey in all three channels (a 3-channel model trained on greyscale images). */
  grey?: boolean;
}

/** The part of a `width`×`height` image that `fit` keeps for a target of this aspect ratio. */
export function sourceRect(width: number, height: number, target: { width: number; height: number; fit: Fit }): Rect {
  if (target.fit === 'stretch') return { x: 0, y: 0, width, height };
  const aspect = target.width / target.height;
  if (width / height > aspect) {
    const w = Math.max(1, Math.round(height * aspect));
    return { x: Math.floor((width - w) / 2), y: 0, width: w, height };
  }
  const h = Math.max(1, Math.round(width / aspect));
  return { x: 0, y: Math.floor((height - h) / 2), width, height: h };
}

interface Taps {
  /** Per output index: first source index and weights of consecutive source pixels. */
  start: Int32Array;
  weights: Float32Array[];
}

/** One axis: `n` output pixels from source pixels offset .. offset+length. */
function taps(offset: number, length: number, n: number, limit: number): Taps {
  const scale = length / n;
  const start = new Int32Array(n);
  const weights: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    if (scale > 1) {
      // Box: the source interval [a, b) this output pixel covers, with partial end pixels.
      const a = offset + i * scale;
      const b = a + scale;
      const first = Math.floor(a);
      const last = Math.min(limit - 1, Math.ceil(b) - 1);
      const w = new Float32Array(last - first + 1);
      for (let s = first; s <= last; s++) w[s - first] = (Math.min(b, s + 1) - Math.max(a, s)) / scale;
      start[i] = first;
      weights.push(w);
    } else {
      // Bilinear at the output pixel's centre, clamped at the edges of the region.
      const centre = Math.min(Math.max(offset + (i + 0.5) * scale - 0.5, offset), offset + length - 1);
      const first = Math.floor(centre);
      const t = centre - first;
      start[i] = first;
      weights.push(t > 0 && first + 1 < limit ? Float32Array.of(1 - t, t) : Float32Array.of(1));
    }
  }
  return { start, weights };
}

/** Resamples the `rect` of an RGBA image to `width`×`height` RGBA (floats 0..255). */
function resampleRgba(rgba: ArrayLike<number>, srcWidth: number, srcHeight: number, rect: Rect, width: number, height: number): Float32Array {
  const tx = taps(rect.x, rect.width, width, srcWidth);
  const ty = taps(rect.y, rect.height, height, srcHeight);
  // Horizontal pass over the rows the vertical taps need.
  const rowLo = ty.start[0];
  const rowHi = Math.max(...Array.from(ty.start, (s, i) => s + ty.weights[i].length));
  const mid = new Float32Array((rowHi - rowLo) * width * 4);
  for (let y = rowLo; y < rowHi; y++) {
    for (let x = 0; x < width; x++) {
      const w = tx.weights[x];
      let r = 0, g = 0, b = 0;
      let s = (y * srcWidth + tx.start[x]) * 4;
      for (let k = 0; k < w.length; k++, s += 4) {
        r += w[k] * rgba[s];
        g += w[k] * rgba[s + 1];
        b += w[k] * rgba[s + 2];
      }
      const o = ((y - rowLo) * width + x) * 4;
      mid[o] = r;
      mid[o + 1] = g;
      mid[o + 2] = b;
    }
  }
  const out = new Float32Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const w = ty.weights[y];
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      let s = ((ty.start[y] - rowLo) * width + x) * 4;
      for (let k = 0; k < w.length; k++, s += width * 4) {
        r += w[k] * mid[s];
        g += w[k] * mid[s + 1];
        b += w[k] * mid[s + 2];
      }
      const o = (y * width + x) * 4;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
  return out;
}

/** Writes RGBA (bytes or floats) as `channels` rounded bytes: RGB, or grey by ITU-R BT.601 luma. */
function toChannels(rgba: ArrayLike<number>, pixels: number, channels: 1 | 3, grey: boolean, out: Uint8Array): Uint8Array {
  const clamp = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
  for (let i = 0; i < pixels; i++) {
    const s = i * 4;
    if (channels === 1) out[i] = clamp(0.299 * rgba[s] + 0.587 * rgba[s + 1] + 0.114 * rgba[s + 2]);
    else if (grey) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = clamp(0.299 * rgba[s] + 0.587 * rgba[s + 1] + 0.114 * rgba[s + 2]);
    else {
      out[i * 3] = clamp(rgba[s]);
      out[i * 3 + 1] = clamp(rgba[s + 1]);
      out[i * 3 + 2] = clamp(rgba[s + 2]);
    }
  }
  return out;
}

/**
 * An RGBA image (`width`×`height`) as the model's pixels: target.height × target.width × channels
 * bytes, written into `out` when given.
 */
export function toModelPixels(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  target: PixelTarget,
  out: Uint8Array = new Uint8Array(target.height * target.width * target.channels),
): Uint8Array {
  const pixels = target.height * target.width;
  const grey = target.grey === true;
  if (width === target.width && height === target.height) return toChannels(rgba, pixels, target.channels, grey, out);
  const rect = sourceRect(width, height, target);
  return toChannels(resampleRgba(rgba, width, height, rect, target.width, target.height), pixels, target.channels, grey, out);
}
