import { useEffect, useState } from 'react';
import { canAct, useStudio } from '../store';
import { importDroppedFiles } from '../studioActions';
import { filesFromDrop, readFiles } from '../files/collectFiles';

const carriesFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');

/**
 * Makes the whole window a drop target (the `dropzone` element is the app root): files, folders and
 * .zip files. While something is dragged over the page it says what it takes.
 */
export function DropOverlay({ target }: { target: React.RefObject<HTMLElement | null> }) {
  const [over, setOver] = useState(false);
  useEffect(() => {
    const el = target.current;
    if (!el) return;
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth++;
      setOver(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overEvent = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault(); // allows the drop
      if (e.dataTransfer) e.dataTransfer.dropEffect = canAct(useStudio.getState()) ? 'copy' : 'none';
    };
    const drop = async (e: DragEvent) => {
      if (!e.dataTransfer) return;
      depth = 0;
      setOver(false);
      if (e.defaultPrevented) return; // a drop target inside took it (the Data panel)
      e.preventDefault();
      if (!canAct(useStudio.getState())) return;
      // Entries must be read during the event; the bytes can follow.
      const found = await filesFromDrop(e.dataTransfer);
      await importDroppedFiles(await readFiles(found));
    };
    el.addEventListener('dragenter', enter);
    el.addEventListener('dragleave', leave);
    el.addEventListener('dragover', overEvent);
    el.addEventListener('drop', drop);
    return () => {
      el.removeEventListener('dragenter', enter);
      el.removeEventListener('dragleave', leave);
      el.removeEventListener('dragover', overEvent);
      el.removeEventListener('drop', drop);
    };
  }, [target]);
  if (!over) return null;
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-card">
        <strong>Drop a TensorFlow.js model, or data for it</strong>
        <span>model.json with its weight files, a folder, or a .zip; or images in class folders, a .tm project or a CSV. Nothing leaves this tab.</span>
      </div>
    </div>
  );
}
