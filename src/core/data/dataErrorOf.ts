// Test helper: the message of the DataError a call throws (or a promise rejects with).
import { expect } from 'vitest';
import { DataError } from './dataMessages';

function messageOf(e: unknown): string {
  expect(e).toBeInstanceOf(DataError);
  return (e as Error).message;
}

export function dataErrorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return messageOf(e);
  }
  throw new Error('no DataError');
}

export async function dataErrorOfAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return messageOf(e);
  }
  throw new Error('no DataError');
}
