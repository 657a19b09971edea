// How deep a JSON text nests, measured on its bytes before anything parses it. JSON.parse itself
// copes with deep nesting, but every recursive walk after it (the Keras fixes, TF.js's own
// deserialiser, JSON.stringify) would overflow the stack on a file nested 100,000 levels deep.

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether the JSON text nests objects and arrays more than `limit` levels deep (strings skipped). */
export function jsonDepthExceeds(text: Uint8Array | string, limit: number): boolean {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) depth--;
  }
  return false;
}
