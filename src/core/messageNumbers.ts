// Numbers as the user-facing messages of core write them: the same text in every locale, so tests
// can assert messages verbatim.

/** 1,389,254: grouped by thousands with commas. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 2.1 GB, 340 MB, 12 KB, 512 bytes (decimal units, as file managers show sizes). */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${formatCount(n / 1e6)} MB`;
  if (n >= 1e3) return `${formatCount(n / 1e3)} KB`;
  return `${n} bytes`;
}
