// The page bundle carries no tfjs: every tensor operation lives in the worker.
import { test, expect } from '@playwright/test';
import { mainThreadBundle } from '../scripts/bundle-report';

test('the main-thread bundle contains no tfjs code', () => {
  const files = mainThreadBundle('dist');
  expect(files.length).toBeGreaterThan(0);
  expect(files.filter((f) => f.hasTfjs).map((f) => f.file)).toEqual([]);
  const gzipKb = files.reduce((n, f) => n + f.gzipBytes, 0) / 1024;
  test.info().annotations.push({ type: 'main-bundle-gzip', description: `${gzipKb.toFixed(1)} KB` });
});
