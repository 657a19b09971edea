// Byte sizes as people read them, 1,024 bytes to the KB: the one formatter for messages (core) and
// the UI (app/format.ts re-exports it), so a size reads the same everywhere.

const KB = 1024;
const MB = KB * 1024;
const GB = MB * 1024;

/** 512 -> "512 B", 1536 -> "1.5 KB", 5,000,000 -> "4.77 MB", 3 * 1024³ -> "3.00 GB". */
export function formatBytes(bytes: number): string {
  if (bytes < KB) return `${bytes} B`;
  if (bytes < MB) return `${(bytes / KB).toFixed(1)} KB`;
  if (bytes < GB) return `${(bytes / MB).toFixed(2)} MB`;
  return `${(bytes / GB).toFixed(2)} GB`;
}
