import { describe, expect, it } from 'vitest';
import { backendsToTry } from './recovery';

describe('which backend a recovery starts', () => {
  it('the same one first; after its second crash, the next ones in order', () => {
    expect(backendsToTry('webgl', ['webgl'])).toEqual(['webgl', 'wasm', 'cpu']);
    expect(backendsToTry('webgl', ['webgl', 'webgl'])).toEqual(['wasm', 'cpu']);
    expect(backendsToTry('wasm', ['webgl', 'webgl', 'wasm'])).toEqual(['wasm', 'cpu']);
    expect(backendsToTry('cpu', ['cpu', 'cpu'])).toEqual([]);
    expect(backendsToTry(null, [])).toEqual([]);
  });
});
