import { describe, expect, it } from 'vitest';
import { weightPrefixFix, withoutModelPrefix } from './keras3';

describe('the Keras 3 weight-name fix', () => {
  const known = new Set(['dense_8/kernel', 'conv/bias']);
  const matches = (n: string) => known.has(n);

  it('drops leading model names until the name matches, keeping layer/weight', () => {
    expect(withoutModelPrefix('sequential_4/dense_8/kernel', new Set(['sequential_4']), matches)).toBe('dense_8/kernel');
    expect(withoutModelPrefix('outer/inner/conv/bias', new Set(['outer', 'inner']), matches)).toBe('conv/bias');
    // Only model names come off, and never down to a bare weight name.
    expect(withoutModelPrefix('block/dense_8/kernel', new Set(['sequential_4']), matches)).toBeNull();
    expect(withoutModelPrefix('m/kernel', new Set(['m']), () => true)).toBeNull();
  });

  it('reports the prefixes it removed in one sentence', () => {
    expect(weightPrefixFix(new Map([['sequential_4/dense_8/kernel', 'dense_8/kernel']]), '3.4.1')).toBe(
      'Keras 3 export: removed the model-name prefix "sequential_4/" from 1 weight name',
    );
    expect(weightPrefixFix(new Map([['a/d/kernel', 'd/kernel'], ['b/e/bias', 'e/bias']]), undefined)).toBe(
      'Keras export: removed the model-name prefixes "a/", "b/" from 2 weight names',
    );
  });
});
