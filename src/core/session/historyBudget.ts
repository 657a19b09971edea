// The history's memory budget: which stored steps to move out of memory (to IndexedDB) so that the
// ones left fit. Oldest first; never a pinned one (the original model, the current step and the
// starting point it prunes from). Pure: the caller does the moving (spillCache.ts).

/** A history tab comfortably holds this much of it: about two 25M-parameter models as float32. */
export const DEFAULT_HISTORY_BUDGET = 256 * 1024 * 1024;

export interface BudgetEntry {
  id: number;
  /** Bytes it takes in memory while resident. */
  bytes: number;
  /** In memory now (false: spilled already). */
  resident: boolean;
}

export interface SpillPlan {
  /** Ids to spill, oldest first. */
  spill: number[];
  /** Resident bytes once they are spilled. */
  used: number;
  /** Whether `used` is within the budget (false when the pinned entries alone pass it). */
  fits: boolean;
}

/**
 * `entries` in history order (oldest first). Spills the oldest resident, unpinned entries until the
 * resident bytes fit `budget`, and no more than that.
 */
export function planSpills(entries: readonly BudgetEntry[], budget: number, pinned: Iterable<number>): SpillPlan {
  const keep = new Set(pinned);
  let used = entries.reduce((n, e) => n + (e.resident ? e.bytes : 0), 0);
  const spill: number[] = [];
  for (const e of entries) {
    if (used <= budget) break;
    if (!e.resident || keep.has(e.id)) continue;
    spill.push(e.id);
    used -= e.bytes;
  }
  return { spill, used, fits: used <= budget };
}
