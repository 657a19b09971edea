import { useRef } from 'react';
import { canAct, useStudio } from '../store';
import { importModelFiles } from '../studioActions';
import { filesFromInput, readFiles } from '../files/collectFiles';

/** "Open model…" (files or a .zip) and "Open folder…": the keyboard-reachable ways in besides a drop. */
export function OpenModel() {
  const busy = !useStudio(canAct);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const onChange = async (input: HTMLInputElement | null) => {
    if (!input?.files) return;
    const picked = filesFromInput(input.files);
    input.value = ''; // the same files can be picked again after a fix
    await importModelFiles(await readFiles(picked));
  };
  return (
    <div className="open-model" role="group" aria-label="Open your own model">
      <input
        ref={fileInput} id="model-input" type="file" multiple data-testid="model-input" className="visually-hidden"
        accept=".json,.bin,.zip,application/json,application/zip,application/octet-stream,*"
        onChange={() => void onChange(fileInput.current)} disabled={busy} tabIndex={-1} aria-hidden="true"
      />
      <input
        ref={folderInput} type="file" data-testid="model-folder-input" className="visually-hidden"
        {...{ webkitdirectory: '', directory: '' }}
        onChange={() => void onChange(folderInput.current)} disabled={busy} tabIndex={-1} aria-hidden="true"
      />
      <button type="button" className="button primary" disabled={busy} onClick={() => fileInput.current?.click()}
        title="model.json and its weight files, or a .zip of them">
        Open model…
      </button>
      <button type="button" className="button" disabled={busy} onClick={() => folderInput.current?.click()}
        title="A folder with model.json and its weight files">
        Folder…
      </button>
    </div>
  );
}
