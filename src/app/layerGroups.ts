// Layers of nested models (a Teachable Machine export's MobileNet) are named by their path,
// "sequential_1/model1/Conv1": the names of the models that hold them, then their own. The views
// group them under their nested model and show a group's layers only once it is expanded.

/** The path of the nested model that holds the layer ("" at top level). Layer names never hold '/'. */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The layer's own name, without the nested models' names. */
export function leafName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Whether a layer inside `parents` (outermost first) is shown: every model around it is expanded. */
export function isShown(parents: readonly string[] | undefined, expanded: ReadonlySet<string>): boolean {
  return (parents ?? []).every((p) => expanded.has(p));
}

/** Consecutive items that share a parent path, in order: what the views draw as one group each. */
export function groupByParent<T extends { path: string }>(items: readonly T[]): { parent: string; items: T[] }[] {
  const out: { parent: string; items: T[] }[] = [];
  for (const item of items) {
    const parent = parentPath(item.path);
    const last = out[out.length - 1];
    if (last && last.parent === parent) last.items.push(item);
    else out.push({ parent, items: [item] });
  }
  return out;
}

/** `set` with `key` added, or removed when it was there (a new set). */
export function toggled(set: ReadonlySet<string>, key: string): Set<string> {
  const next = new Set(set);
  if (!next.delete(key)) next.add(key);
  return next;
}
