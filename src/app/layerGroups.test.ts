import { describe, expect, it } from 'vitest';
import { groupByParent, isShown, leafName, parentPath, toggled } from './layerGroups';

describe('layer groups of nested models', () => {
  it('splits a path into its nested model and its own name', () => {
    expect(parentPath('sequential_1/model1/Conv1')).toBe('sequential_1/model1');
    expect(parentPath('conv1')).toBe('');
    expect(leafName('sequential_1/model1/Conv1')).toBe('Conv1');
    expect(leafName('conv1')).toBe('conv1');
  });

  it('shows an inner layer only when every model around it is expanded', () => {
    expect(isShown([], new Set())).toBe(true);
    expect(isShown(undefined, new Set())).toBe(true);
    expect(isShown(['a', 'a/b'], new Set(['a']))).toBe(false);
    expect(isShown(['a', 'a/b'], new Set(['a', 'a/b']))).toBe(true);
  });

  it('groups consecutive layers of one nested model', () => {
    const groups = groupByParent([{ path: 'conv0' }, { path: 'm/a' }, { path: 'm/b' }, { path: 'head/d' }, { path: 'out' }]);
    expect(groups.map((g) => [g.parent, g.items.map((i) => i.path)])).toEqual([
      ['', ['conv0']], ['m', ['m/a', 'm/b']], ['head', ['head/d']], ['', ['out']],
    ]);
  });

  it('toggles a key in a new set', () => {
    const a = new Set(['x']);
    expect([...toggled(a, 'y')]).toEqual(['x', 'y']);
    expect([...toggled(a, 'x')]).toEqual([]);
    expect([...a]).toEqual(['x']);
  });
});
