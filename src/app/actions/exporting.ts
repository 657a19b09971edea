// Export: the worker encodes the current model's files, the page downloads them.
import type { ExportRequest } from '../../engine/api';
import { reportError, type ActionContext } from './actionContext';

/** Saves bytes made in the worker through a temporary link (the worker cannot download). */
function download(name: string, bytes: Uint8Array, type: string) {
  saveBlob(name, new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
}

/** Saves a blob as a file named `name`, through a temporary link. */
export function saveBlob(name: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Exports the current model; resolves to the names saved (none after a failure, which is shown). */
export function exportAction({ bridge, store }: ActionContext): (request: ExportRequest) => Promise<string[]> {
  return async (request) => {
    try {
      const bundle = await bridge.run((engine, jobId, onProgress) => engine.exportModel(jobId, request, onProgress)).result;
      for (const f of bundle.files) download(f.name, f.bytes, f.type);
      return bundle.files.map((f) => f.name);
    } catch (e) {
      reportError(store, e);
      return [];
    }
  };
}
