// What every studio action works with: the engine bridge, the studio store, and one way to put a
// failure on screen. Actions take these as parameters, so tests can hand them a fake engine and a
// fresh store instead of the worker and the page's store.
import type { EngineBridge } from '../engineBridge';
import type { StudioState } from '../store';

export type StudioBridge = Pick<EngineBridge, 'run' | 'cancel' | 'engine'>;

/** The store's read and write (zustand's getState / setState, or a test's plain object). */
export interface StudioStore {
  get(): StudioState;
  set(update: Partial<StudioState> | ((s: StudioState) => Partial<StudioState>)): void;
}

export interface ActionContext {
  bridge: StudioBridge;
  store: StudioStore;
}

export const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A job stopped on purpose (by the user or by a newer request): not a failure to show. */
export const isCancelled = (e: unknown) => e instanceof Error && (e.name === 'CancelledError' || e.message === 'Cancelled');

/** Shows a failed action's message in the error banner; a cancel shows nothing. */
export function reportError(store: StudioStore, e: unknown) {
  if (!isCancelled(e)) store.set({ error: messageOf(e) });
}
