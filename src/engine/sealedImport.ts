// Re-opening what the studio exported: an encrypted drop is decrypted with the user's passphrase
// (its file then reads as the .zip it sealed), and the weight files of any drop are checked against
// the SHA-256 digests of its report.json. Each failure is the core's message, verbatim.
import type { ModelFile } from './api';
import { decryptBytes, isEncrypted } from '../core/secure/encryptedFile';
import { verifyWeightIntegrity } from '../core/secure/weightIntegrity';
import type { ImportedModel } from '../core/model/importFiles';

/** `model.zip.enc` reads as `model.zip` once decrypted; any other name keeps its own. */
const plainName = (path: string) => (/\.enc$/i.test(path) ? path.slice(0, -4) : path);

/** The drop with its encrypted file decrypted in place. Throws EncryptedFileError (wrong passphrase, damage, ...). */
export async function openSealedDrop(files: ModelFile[], passphrase: string): Promise<ModelFile[]> {
  const out: ModelFile[] = [];
  for (const f of files) {
    out.push(isEncrypted(f.bytes) ? { path: plainName(f.path), bytes: await decryptBytes(f.bytes, passphrase, f.path) } : f);
  }
  return out;
}

/** Throws IntegrityError naming every weight file whose bytes differ from the report's digests. */
export async function verifyImportedWeights(imported: Pick<ImportedModel, 'shards' | 'report'>): Promise<number> {
  return verifyWeightIntegrity(imported.shards, imported.report);
}
