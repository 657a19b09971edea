// Channel layouts: which source channel sits at each index of a tensor's last axis. The dependency
// graph gives every tensor one; the layer rules transform them (BatchNorm keeps it, a depthwise conv
// widens each channel, Flatten repeats it per position, Concatenate joins them) and the channel
// surgery reads them to know which entries a removed channel owns.

export interface Seg {
  /** Source id. */
  src: number;
  /** Channels of the source in this segment (all of them: segments are whole sources). */
  count: number;
  /** Consecutive entries per channel (depth multipliers multiply it). */
  width: number;
}

/** `repeat` positions (after Flatten), each holding the segments in order. */
export interface Block {
  repeat: number;
  segs: Seg[];
}

export type Layout = Block[];

function blockWidth(b: Block): number {
  return b.segs.reduce((m, s) => m + s.count * s.width, 0);
}

export function layoutLength(layout: Layout): number {
  return layout.reduce((n, b) => n + b.repeat * blockWidth(b), 0);
}

/** One segment of `count` channels of source `src`. */
export function singleLayout(count: number | null, src: number): Layout {
  return [{ repeat: 1, segs: [{ src, count: count ?? 0, width: 1 }] }];
}

/** The sources a layout holds, once per segment. */
export function sourcesOf(layout: Layout | null): number[] {
  return layout ? layout.flatMap((b) => b.segs.map((s) => s.src)) : [];
}

/** True when no block repeats (no Flatten upstream). */
export function isFlat(layout: Layout): boolean {
  return layout.every((b) => b.repeat === 1);
}

/** Same blocks and segments, channel counts and widths (sources may differ). */
export function sameStructure(a: Layout, b: Layout): boolean {
  if (a.length !== b.length) return false;
  return a.every((blk, i) => {
    const o = b[i];
    return blk.repeat === o.repeat && blk.segs.length === o.segs.length && blk.segs.every((s, j) => s.count === o.segs[j].count && s.width === o.segs[j].width);
  });
}

/** Channel entries of a layout: for each entry index, its source and channel. */
export function forEachEntry(layout: Layout, fn: (entry: number, src: number, channel: number) => void): void {
  let offset = 0;
  for (const b of layout) {
    const per = blockWidth(b);
    for (let p = 0; p < b.repeat; p++) {
      let e = offset + p * per;
      for (const s of b.segs) {
        for (let c = 0; c < s.count; c++) for (let j = 0; j < s.width; j++) fn(e++, s.src, c);
      }
    }
    offset += b.repeat * per;
  }
}

/**
 * A layout's entries folded by position: the positions a Flatten made share their channel entries.
 * A constant is known per channel entry, whatever the position.
 */
export interface ChannelEntries {
  /** Entries of the full axis. */
  full: number;
  /** Full entry -> channel entry. */
  chanOf: Int32Array;
  /** Channel entry -> source, channel. */
  srcs: Int32Array;
  chs: Int32Array;
  chanCount: number;
}

export function channelEntries(layout: Layout): ChannelEntries {
  const full = layoutLength(layout);
  const chanOf = new Int32Array(full);
  const srcs: number[] = [];
  const chs: number[] = [];
  let fo = 0;
  let co = 0;
  for (const b of layout) {
    const per = blockWidth(b);
    for (const s of b.segs) for (let c = 0; c < s.count; c++) for (let j = 0; j < s.width; j++) {
      srcs.push(s.src);
      chs.push(c);
    }
    for (let p = 0; p < b.repeat; p++) for (let i = 0; i < per; i++) chanOf[fo + p * per + i] = co + i;
    fo += b.repeat * per;
    co += per;
  }
  return { full, chanOf, srcs: Int32Array.from(srcs), chs: Int32Array.from(chs), chanCount: co };
}

/** The last dimension of a shape, or null when unknown. */
export function lastDim(shape: (number | null)[] | null | undefined): number | null {
  if (!shape || shape.length === 0) return null;
  const d = shape[shape.length - 1];
  return typeof d === 'number' ? d : null;
}
