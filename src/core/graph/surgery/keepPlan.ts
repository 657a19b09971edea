// The first phase of the channel surgery: a ChannelPlan checked against the dependency graph, and
// the questions the other phases ask of it (is this channel removed, how many does a source keep).
import type { ChannelPlan, DependencyGraph } from '../dependencyGraph';
import type { Layout } from '../channelLayout';

export interface KeepPlan {
  /** Per group: its keep mask when the plan removes some of its channels, else null. */
  keepOfGroup: (Uint8Array | null)[];
  /** Group id -> channels removed (groups the plan leaves whole are absent). */
  removed: Record<string, number>;
  isRemoved(src: number, channel: number): boolean;
  /** Channels a source keeps (`count` when its group is left whole). */
  keptCount(src: number, count: number): number;
  /** The length of a layout's axis once the removed channels are gone. */
  newLength(layout: Layout): number;
}

/**
 * Checks a plan against the graph. Throws an Error with a clear message when it does not fit:
 * unknown or locked group, wrong length, no channel kept. A group whose mask keeps everything is
 * left alone, locked or not.
 */
export function resolvePlan(dep: DependencyGraph, plan: ChannelPlan): KeepPlan {
  const removed: Record<string, number> = {};
  const keepOfGroup: (Uint8Array | null)[] = dep.groups.map(() => null);
  for (const [id, keep] of Object.entries(plan)) {
    const gi = dep.groups.findIndex((x) => x.id === id);
    if (gi < 0) throw new Error(`channel plan: no group "${id}"`);
    const grp = dep.groups[gi];
    if (keep.length !== grp.channels) throw new Error(`channel plan: group "${id}" has ${grp.channels} channels, the plan ${keep.length}`);
    const kept = keep.reduce((n, k) => n + (k ? 1 : 0), 0);
    if (kept === grp.channels) continue;
    if (grp.locked) throw new Error(`channel plan: group "${id}" is locked (${grp.locked})`);
    if (kept === 0) throw new Error(`channel plan: group "${id}" would keep no channel`);
    keepOfGroup[gi] = keep;
    removed[id] = grp.channels - kept;
  }
  const keepOf = (src: number) => {
    const gi = dep.sources[src]?.group ?? -1;
    return gi >= 0 ? keepOfGroup[gi] : null;
  };
  const keptCount = (src: number, count: number) => {
    const keep = keepOf(src);
    return keep ? keep.reduce((n, k) => n + (k ? 1 : 0), 0) : count;
  };
  return {
    keepOfGroup,
    removed,
    isRemoved: (src, c) => {
      const keep = keepOf(src);
      return keep ? keep[c] === 0 : false;
    },
    keptCount,
    newLength: (layout) => layout.reduce((n, b) => n + b.repeat * b.segs.reduce((m, s) => m + keptCount(s.src, s.count) * s.width, 0), 0),
  };
}
