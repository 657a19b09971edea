// Unzipping a file from anywhere without letting it take the tab down. A zip bomb is refused on the
// sizes its central directory declares, before one byte is inflated; an archive that lies about
// them is stopped as soon as an entry's real output passes what it declared (never more than the
// budget). Entries come back as a list, so names like "__proto__" are never object keys.
//
//   const entries = unzipWithinBudget('export.zip', bytes, { maxBytes, keep: (name) => ... });
//   // [{ name, bytes }], in archive order; throws UnzipError with the user's message
//
// The central directory is read here (ZIP64 sizes and offsets included); fflate's streaming
// Inflate does the decompression, pushed 16 KB of compressed input at a time.
import { Inflate } from 'fflate';
import { formatBytes } from '../format/bytes';
import { formatCount } from '../messageNumbers';

export interface ZipEntryInfo {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  /** What the central directory says the entry inflates to. */
  declaredSize: number;
  /** Offset of the entry's local header. */
  headerOffset: number;
  encrypted: boolean;
}

export interface UnzipLimits {
  /** Inflated bytes, all kept entries together. */
  maxBytes: number;
  /** Entries in the archive. */
  maxEntries: number;
  /** Which entries to inflate (by name as stored); the rest are skipped and cost nothing. */
  keep?: (name: string) => boolean;
}

/** A zip the studio will not expand; `message` is what the user sees, verbatim. */
export class UnzipError extends Error {
  override name = 'UnzipError';
}

const AGAIN = 'Zip the model folder again, or drop its files directly.';

export const unzipMessages = {
  unreadable: (path: string, why: string) => `${path}: not a readable zip archive (${why}). ${AGAIN}`,
  declaredTooLarge: (path: string, declared: number, limit: number) =>
    `${path}: the archive says it expands to ${formatBytes(declared)}, more than the studio unpacks (at most ${formatBytes(limit)}), so nothing was unpacked. A model export is never that large; the file may be a zip bomb.`,
  tooManyEntries: (path: string, entries: number, limit: number) =>
    `${path}: the archive holds ${formatCount(entries)} files, more than the studio unpacks (at most ${formatCount(limit)}). ${AGAIN}`,
  liedAboutSize: (path: string, name: string, declared: number) =>
    `${path}: ${name} expands past the ${formatBytes(declared)} the archive declares for it, so unpacking stopped. The archive is damaged or crafted (a zip bomb?). ${AGAIN}`,
  shorterThanDeclared: (path: string, name: string, declared: number, real: number) =>
    `${path}: ${name} expands to ${formatBytes(real)}, not the ${formatBytes(declared)} the archive declares for it. The archive is damaged. ${AGAIN}`,
  encrypted: (path: string, name: string) => `${path}: ${name} is password-protected inside the zip, which the studio cannot open. ${AGAIN}`,
  method: (path: string, name: string, method: number) =>
    `${path}: ${name} is compressed with method ${method}; the studio reads stored and deflated entries only. ${AGAIN}`,
};

const CHUNK = 16 * 1024;

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
function u64(b: Uint8Array, at: number): number {
  return u32(b, at) + u32(b, at + 4) * 2 ** 32;
}

function decodeName(bytes: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder('utf-8').decode(bytes);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b); // as fflate reads names without the UTF-8 flag
  return s;
}

/** The central directory, checked against the file's bounds. Throws UnzipError. */
export function readZipDirectory(path: string, bytes: Uint8Array): ZipEntryInfo[] {
  // fflate's words for any broken structure, so messages read the same whatever the damage.
  const bad = () => new UnzipError(unzipMessages.unreadable(path, 'invalid zip data'));
  let end = bytes.length - 22;
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  while (end >= stop && u32(bytes, end) !== 0x06054b50) end--;
  if (end < stop) throw bad();
  let count = u16(bytes, end + 10);
  let offset = u32(bytes, end + 16);
  const locator = end - 20;
  if (locator >= 0 && u32(bytes, locator) === 0x07064b50) {
    const zip64End = u64(bytes, locator + 8);
    if (zip64End + 56 > bytes.length || u32(bytes, zip64End) !== 0x06064b50) throw bad();
    count = u64(bytes, zip64End + 32);
    offset = u64(bytes, zip64End + 48);
  }
  const entries: ZipEntryInfo[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || u32(bytes, at) !== 0x02014b50) throw bad();
    const flags = u16(bytes, at + 8);
    const method = u16(bytes, at + 10);
    let compressedSize = u32(bytes, at + 20);
    let declaredSize = u32(bytes, at + 24);
    const nameLength = u16(bytes, at + 28);
    const extraLength = u16(bytes, at + 30);
    const commentLength = u16(bytes, at + 32);
    let headerOffset = u32(bytes, at + 42);
    const nameEnd = at + 46 + nameLength;
    if (nameEnd + extraLength > bytes.length) throw bad();
    // ZIP64: the sizes and offset that are 0xFFFFFFFF above are in the 0x0001 extra field, in this order.
    for (let x = nameEnd; x + 4 <= nameEnd + extraLength;) {
      const id = u16(bytes, x);
      const size = u16(bytes, x + 2);
      if (id === 0x0001) {
        let k = x + 4;
        if (declaredSize === 0xffffffff) (declaredSize = u64(bytes, k)), (k += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(bytes, k)), (k += 8);
        if (headerOffset === 0xffffffff) headerOffset = u64(bytes, k);
      }
      x += 4 + size;
    }
    entries.push({
      name: decodeName(bytes.subarray(at + 46, nameEnd), (flags & 0x800) !== 0),
      method,
      compressedSize,
      declaredSize,
      headerOffset,
      encrypted: (flags & 1) !== 0,
    });
    at = nameEnd + extraLength + commentLength;
  }
  return entries;
}

/** Where an entry's data starts, from its local header. */
function dataStart(path: string, bytes: Uint8Array, e: ZipEntryInfo): number {
  const h = e.headerOffset;
  if (h + 30 > bytes.length || u32(bytes, h) !== 0x04034b50) throw new UnzipError(unzipMessages.unreadable(path, 'invalid zip data'));
  const start = h + 30 + u16(bytes, h + 26) + u16(bytes, h + 28);
  if (start + e.compressedSize > bytes.length) throw new UnzipError(unzipMessages.unreadable(path, 'invalid zip data'));
  return start;
}

export interface BoundedInflate {
  bytes: Uint8Array;
  /** Compressed bytes read (less than all of them when it stopped early). */
  read: number;
}

/**
 * Inflates raw DEFLATE data, stopping as soon as the output passes `limit` bytes: returns null then,
 * with how much input it had read. At most one chunk's output (~16 MB) is held past the limit.
 */
export function inflateBounded(data: Uint8Array, limit: number): BoundedInflate | { bytes: null; read: number } {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const inflate = new Inflate((chunk) => {
    if (over) return;
    total += chunk.length;
    if (total > limit) over = true;
    else chunks.push(chunk);
  });
  let read = 0;
  while (read < data.length && !over) {
    const next = Math.min(data.length, read + CHUNK);
    inflate.push(data.subarray(read, next), next === data.length);
    read = next;
  }
  if (data.length === 0) inflate.push(data, true);
  if (over) return { bytes: null, read };
  const out = new Uint8Array(total);
  let k = 0;
  for (const c of chunks) {
    out.set(c, k);
    k += c.length;
  }
  return { bytes: out, read };
}

/** The kept entries of a zip, inflated within `limits`. Throws UnzipError with the user's message. */
export function unzipWithinBudget(path: string, bytes: Uint8Array, limits: UnzipLimits): { name: string; bytes: Uint8Array }[] {
  const all = readZipDirectory(path, bytes);
  if (all.length > limits.maxEntries) throw new UnzipError(unzipMessages.tooManyEntries(path, all.length, limits.maxEntries));
  const kept = limits.keep ? all.filter((e) => limits.keep!(e.name)) : all;
  const declared = kept.reduce((n, e) => n + e.declaredSize, 0);
  if (declared > limits.maxBytes) throw new UnzipError(unzipMessages.declaredTooLarge(path, declared, limits.maxBytes));
  return kept.map((e) => {
    if (e.encrypted) throw new UnzipError(unzipMessages.encrypted(path, e.name));
    const start = dataStart(path, bytes, e);
    const data = bytes.subarray(start, start + e.compressedSize);
    if (e.method === 0) {
      if (e.compressedSize !== e.declaredSize) throw new UnzipError(unzipMessages.shorterThanDeclared(path, e.name, e.declaredSize, e.compressedSize));
      return { name: e.name, bytes: data.slice() };
    }
    if (e.method !== 8) throw new UnzipError(unzipMessages.method(path, e.name, e.method));
    let result;
    try {
      result = inflateBounded(data, e.declaredSize);
    } catch (err) {
      throw new UnzipError(unzipMessages.unreadable(path, `${e.name}: ${err instanceof Error ? err.message : String(err)}`));
    }
    if (result.bytes === null) throw new UnzipError(unzipMessages.liedAboutSize(path, e.name, e.declaredSize));
    if (result.bytes.length !== e.declaredSize) throw new UnzipError(unzipMessages.shorterThanDeclared(path, e.name, e.declaredSize, result.bytes.length));
    return { name: e.name, bytes: result.bytes };
  });
}
