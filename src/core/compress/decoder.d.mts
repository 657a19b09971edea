// Types of decoder.mjs (the dependency-free packed-model decoder that ships in the export zip).
export interface DecodedModel {
  modelTopology: object;
  weightSpecs: { name: string; shape: number[]; dtype: 'float32' | 'int32' }[];
  /** float32 / int32 values in weightSpecs order, bit for bit what was packed. */
  weightData: ArrayBuffer;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
}

/** Decodes a packed file; throws an Error whose message starts with "packed: " on bad input. */
export function decode(bytes: Uint8Array | ArrayBuffer): DecodedModel;

/** The float32 bit pattern of the float16 with bits `h`, exact (subnormals, ±Infinity and NaN too). */
export function halfBits(h: number): number;
