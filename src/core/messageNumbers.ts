// Counts as the user-facing messages of core write them: the same text in every locale, so tests
// can assert messages verbatim. Sizes: format/bytes.ts.

/** 1,389,254: grouped by thousands with commas. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
