import { describe, expect, it } from 'vitest';
import { backendRequestFrom, modelUrlFrom } from './urlOptions';

describe('backendRequestFrom', () => {
  it('forces each backend by name, in any case', () => {
    for (const b of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) expect(backendRequestFrom(`?backend=${b}`)).toEqual({ request: b });
    expect(backendRequestFrom('?backend=WASM')).toEqual({ request: 'wasm' });
  });

  it('asks for a measured choice with fastest, an automatic one with nothing', () => {
    expect(backendRequestFrom('?backend=fastest')).toEqual({ request: 'fastest' });
    expect(backendRequestFrom('')).toEqual({ request: null });
    expect(backendRequestFrom('?backend=')).toEqual({ request: null });
    expect(backendRequestFrom('?model=x.json')).toEqual({ request: null });
  });

  it('says so for a value it does not know, instead of ignoring it', () => {
    expect(backendRequestFrom('?backend=webgl2')).toEqual({
      error: '?backend=webgl2 is not a backend the studio knows. Use webgpu, webgl, wasm or cpu to force one, fastest to measure them all, or leave it out to let the studio choose.',
    });
  });
});

describe('modelUrlFrom', () => {
  it('reads ?model, trimmed', () => {
    expect(modelUrlFrom('?model=%20https://x/model.json%20')).toBe('https://x/model.json');
    expect(modelUrlFrom('?model=')).toBeNull();
  });
});
