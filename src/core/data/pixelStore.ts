// A data set's images kept as compact uint8 pixels at the model's input size (not float tensors):
// 5,000 images at 224×224×3 are 753 MB here, four times that as float32. Stored in chunks of at
// most CHUNK_BYTES, so no single allocation has to find the whole set's memory in one piece, and
// the set can grow while images decode. Float tensors are made one batch at a time (preprocess.ts).
import { DataError, dataMessages } from './dataMessages';

/** The pixel memory a data set may hold unless the caller says otherwise (1 GB: 6,600 images at 224×224×3). */
export const DEFAULT_DATA_BUDGET = 1e9;
const CHUNK_BYTES = 64 * 2 ** 20;

export class PixelStore {
  readonly imageBytes: number;
  private readonly perChunk: number;
  private readonly chunks: Uint8Array[] = [];
  private n = 0;
  private sealed = false;

  /** `expected`: how many images are coming, at most (a smaller set gets a chunk of its own size). */
  constructor(
    readonly height: number,
    readonly width: number,
    readonly channels: 1 | 3,
    expected = Infinity,
  ) {
    this.imageBytes = height * width * channels;
    this.perChunk = Math.max(1, Math.min(expected, Math.floor(CHUNK_BYTES / this.imageBytes)));
  }

  get count(): number {
    return this.n;
  }

  /** Bytes held (allocated chunks). */
  get bytes(): number {
    return this.chunks.reduce((s, c) => s + c.byteLength, 0);
  }

  /** Space for the next image, to be filled by the caller; `commit` then counts it. */
  next(): Uint8Array {
    if (this.sealed) throw new Error('internal: PixelStore is trimmed, it cannot grow');
    const chunk = Math.floor(this.n / this.perChunk);
    if (chunk === this.chunks.length) this.chunks.push(new Uint8Array(this.perChunk * this.imageBytes));
    const at = (this.n % this.perChunk) * this.imageBytes;
    return this.chunks[chunk].subarray(at, at + this.imageBytes);
  }

  commit(): number {
    return this.n++;
  }

  /** Image i's pixels (a view: height × width × channels bytes). */
  get(i: number): Uint8Array {
    if (!(i >= 0 && i < this.n)) throw new RangeError(`PixelStore: image ${i} is outside 0..${this.n - 1}`);
    const at = (i % this.perChunk) * this.imageBytes;
    return this.chunks[Math.floor(i / this.perChunk)].subarray(at, at + this.imageBytes);
  }

  /** Drops the spare room of the last chunk once the set is complete. */
  trim(): void {
    this.sealed = true;
    const last = this.chunks.length - 1;
    const used = this.n - last * this.perChunk;
    if (last >= 0 && used < this.perChunk) this.chunks[last] = this.chunks[last].slice(0, used * this.imageBytes);
  }
}

/** Refuses, before decoding, a set whose pixels would not fit in `budget` bytes; says how many would. */
export function checkPixelBudget(count: number, height: number, width: number, channels: number, budget = DEFAULT_DATA_BUDGET): void {
  const per = height * width * channels;
  const bytes = count * per;
  if (bytes <= budget) return;
  throw new DataError(dataMessages.tooBig(count, `${height}×${width}×${channels}`, bytes, budget, Math.floor(budget / per)));
}
