// What kind of image a file is, by its first bytes (never by its name: a user's `photo.jpg` may be a
// PNG). The five formats browsers decode with createImageBitmap.

export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/bmp' | 'image/gif';

/** The format's usual name, for messages ("a corrupt JPEG image"). */
export const IMAGE_FORMAT_NAME: Record<ImageMime, string> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/webp': 'WebP',
  'image/bmp': 'BMP',
  'image/gif': 'GIF',
};

function startsWith(bytes: Uint8Array, signature: readonly number[] | string, at = 0): boolean {
  const sig = typeof signature === 'string' ? Array.from(signature, (c) => c.charCodeAt(0)) : signature;
  if (bytes.length < at + sig.length) return false;
  for (let k = 0; k < sig.length; k++) if (bytes[at + k] !== sig[k]) return false;
  return true;
}

/** The image format of `bytes`, or null when they start like none of the five. */
export function sniffImage(bytes: Uint8Array): ImageMime | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)) return 'image/webp';
  if (startsWith(bytes, 'GIF87a') || startsWith(bytes, 'GIF89a')) return 'image/gif';
  // BMP: "BM", then the file size, two reserved words and the pixel-data offset (past the 14-byte header).
  if (startsWith(bytes, 'BM') && bytes.length > 26 && bytes[10] + (bytes[11] << 8) >= 26) return 'image/bmp';
  return null;
}

const BY_EXTENSION: Record<string, ImageMime> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jfif: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  bmp: 'image/bmp',
  dib: 'image/bmp',
  gif: 'image/gif',
};

/** The format a file's name claims, or null (a file named as an image that does not sniff as one is corrupt). */
export function mimeFromName(path: string): ImageMime | null {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  return dot > 0 ? (BY_EXTENSION[base.slice(dot + 1)] ?? null) : null;
}
