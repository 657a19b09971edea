// Opening an encrypted export: a drop holding a file that begins with the studio's encryption magic
// asks for its passphrase first (store.unlock); the engine decrypts it. A wrong passphrase, a damaged
// or cut file keeps the dialog open with the engine's message (and the current model untouched).
import { ENCRYPTED_FILE_MAGIC, type ImportOptions, type ModelFile } from '../../engine/api';
import type { StudioStore } from './actionContext';

const MAGIC = new TextEncoder().encode(ENCRYPTED_FILE_MAGIC);

/** The first file of the drop that is sealed with a passphrase, if any (a cheap sniff of 8 bytes). */
export function sealedFile(files: readonly ModelFile[]): ModelFile | null {
  return files.find((f) => f.bytes.length >= MAGIC.length && MAGIC.every((b, i) => f.bytes[i] === b)) ?? null;
}

export interface EncryptedOpen {
  /** Opens a drop; a sealed one waits for submitPassphrase. */
  importModelFiles(files: ModelFile[]): Promise<boolean>;
  submitPassphrase(passphrase: string): Promise<boolean>;
  cancelPassphrase(): void;
}

export function encryptedOpen(store: StudioStore, load: (files: ModelFile[], options?: ImportOptions) => Promise<boolean>): EncryptedOpen {
  let pending: ModelFile[] | null = null;
  return {
    async importModelFiles(files) {
      const sealed = sealedFile(files);
      if (!sealed) return load(files);
      pending = files;
      store.set({ unlock: { file: sealed.path, error: null }, error: null });
      return false;
    },
    async submitPassphrase(passphrase) {
      const files = pending;
      const unlock = store.get().unlock;
      if (!files || !unlock) return false;
      store.set({ unlock: { ...unlock, error: null } });
      const opened = await load(files, { passphrase });
      if (opened) {
        pending = null;
        store.set({ unlock: null });
      } else store.set((s) => ({ unlock: s.unlock && { ...s.unlock, error: s.error } }));
      return opened;
    },
    cancelPassphrase() {
      pending = null;
      store.set({ unlock: null });
    },
  };
}
