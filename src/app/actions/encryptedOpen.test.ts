import { describe, expect, it } from 'vitest';
import type { ImportOptions, ModelFile } from '../../engine/api';
import { encryptedOpen, sealedFile } from './encryptedOpen';
import { loadedStore } from './fakeStudio';

const file = (path: string, text: string): ModelFile => ({ path, bytes: new TextEncoder().encode(text) });

describe('opening an encrypted drop', () => {
  it('sniffs the magic of a sealed file and nothing else', () => {
    expect(sealedFile([file('model.json', '{}'), file('m.zip.enc', 'SCTR-ENC\u0001...')])?.path).toBe('m.zip.enc');
    expect(sealedFile([file('model.json', '{}'), file('short', 'SCTR')])).toBeNull();
  });

  it('a plain drop opens at once; a sealed one waits for the passphrase, keeps the dialog after a failure, closes it on success', async () => {
    const store = loadedStore();
    const calls: (ImportOptions | undefined)[] = [];
    let succeed = false;
    const flow = encryptedOpen(store, async (_files, options) => {
      calls.push(options);
      if (!succeed) store.set({ error: 'm.zip.enc: wrong passphrase. Type it again (capitals and spaces count).' });
      return succeed;
    });
    succeed = true;
    expect(await flow.importModelFiles([file('model.json', '{}')])).toBe(true);
    expect(calls).toEqual([undefined]);
    succeed = false;
    expect(await flow.importModelFiles([file('m.zip.enc', 'SCTR-ENC\u0001')])).toBe(false);
    expect(calls).toHaveLength(1);
    expect(store.get().unlock).toEqual({ file: 'm.zip.enc', error: null });
    expect(await flow.submitPassphrase('nope')).toBe(false);
    expect(calls[1]).toEqual({ passphrase: 'nope' });
    expect(store.get().unlock).toEqual({ file: 'm.zip.enc', error: 'm.zip.enc: wrong passphrase. Type it again (capitals and spaces count).' });
    succeed = true;
    expect(await flow.submitPassphrase('right')).toBe(true);
    expect(store.get().unlock).toBeNull();
    // Nothing pending any more.
    expect(await flow.submitPassphrase('again')).toBe(false);
    expect(calls).toHaveLength(3);
  });
});
