// The byte-level pieces of the packed format (docs/packed-format.md) on the encoder's side: the magic
// and version, unsigned LEB128 varints, and streams, each stored in whichever of three codings is
// smallest: stored, DEFLATE (fflate, raw RFC 1951) or canonical Huffman over bytes (huffman.ts).
// decoder.mjs holds the same constants on the reading side (it has no imports by design).
import { deflateSync } from 'fflate';
import { huffmanEncode } from './huffman';

/** "SECPAK" */
export const PACKED_MAGIC = Uint8Array.from([0x53, 0x45, 0x43, 0x50, 0x41, 0x4b]);
export const PACKED_VERSION = 1;
/** Bytes before the header stream: magic, version, flags. */
export const PACKED_PREAMBLE = 8;

export const CODING_STORED = 0;
export const CODING_DEFLATE = 1;
export const CODING_HUFFMAN = 2;
export type Coding = 'stored' | 'deflate' | 'huffman';
const CODING_NAMES: readonly Coding[] = ['stored', 'deflate', 'huffman'];

/** Unsigned LEB128 of a whole number below 2^53. */
export function varint(value: number): number[] {
  if (!Number.isInteger(value) || value < 0) throw new Error(`packed: varint of ${value}`);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

export interface EncodedStream {
  bytes: Uint8Array;
  coding: Coding;
}

function framed(coding: number, length: number, payload: Uint8Array): Uint8Array {
  const head = [coding, ...varint(length), ...(coding === CODING_STORED ? [] : varint(payload.length))];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/**
 * One stream: 1 byte coding, varint decoded length, then (DEFLATE and Huffman only) varint payload
 * length and the payload. The smallest of the three codings (ties: stored, then DEFLATE), or `force`d.
 */
export function encodeStream(content: Uint8Array, force?: Coding): EncodedStream {
  const candidates: Uint8Array[] = [];
  if (!force || force === 'stored') candidates.push(framed(CODING_STORED, content.length, content));
  if (content.length > 0 || force) {
    if (!force || force === 'deflate') candidates.push(framed(CODING_DEFLATE, content.length, deflateSync(content, { level: 9, mem: 8 })));
    if (!force || force === 'huffman') candidates.push(framed(CODING_HUFFMAN, content.length, huffmanEncode(content)));
  }
  let best = 0;
  for (let i = 1; i < candidates.length; i++) if (candidates[i].length < candidates[best].length) best = i;
  return { bytes: candidates[best], coding: CODING_NAMES[candidates[best][0]] };
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
