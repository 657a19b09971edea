// An encrypted export: the bundle's one file (the .zip) sealed with a passphrase in the worker
// (WebCrypto; core/secure/encryptedFile.ts), downloaded as `<name>.enc`. The studio re-opens it.
import type { ExportBundle, ExportRequest } from './api';
import type { JobControl } from '../core/job';
import { encryptBytes, EncryptedFileError, encryptedMessages } from '../core/secure/encryptedFile';

/** What to build before sealing: one file, so loose files become a .zip. */
export function requestToSeal(request: ExportRequest): ExportRequest {
  return request.encrypt && request.format === 'files' ? { ...request, format: 'zip' } : request;
}

export async function sealBundle(bundle: ExportBundle, passphrase: string, control: JobControl): Promise<ExportBundle> {
  if (passphrase === '') throw new EncryptedFileError(encryptedMessages.noPassphrase);
  if (bundle.files.length !== 1) throw new Error('internal: an encrypted export seals exactly one file');
  const [file] = bundle.files;
  await control.checkpoint(0.8, 'Encrypting (deriving the key from the passphrase)');
  const sealed = await encryptBytes(file.bytes, passphrase);
  const fileName = `${file.name}.enc`;
  return { ...bundle, fileName, files: [{ name: fileName, bytes: sealed, type: 'application/octet-stream' }] };
}
