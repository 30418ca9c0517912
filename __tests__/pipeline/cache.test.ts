// Covers src/pipeline/cache.ts: a saved variant restores with its files; an entry whose files
// differ from its manifest, or that holds a symbolic link (a link copied into OUT could point
// anywhere), is a miss.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalCacheStore, restoreVariant, saveVariant } from '../../src/pipeline/cache.js';

let tmp: string;
let store: LocalCacheStore;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-cache-'));
  store = new LocalCacheStore(path.join(tmp, 'cache'));
  mkdirSync(path.join(tmp, 'variant'));
  writeFileSync(path.join(tmp, 'variant/model.onnx'), 'model bytes');
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

test('a saved variant restores with its files', async () => {
  await saveVariant(store, 'k', path.join(tmp, 'variant'));
  expect(await restoreVariant(store, 'k', path.join(tmp, 'restored'))).toEqual(['model.onnx']);
  expect(readFileSync(path.join(tmp, 'restored/model.onnx'), 'utf8')).toBe('model bytes');
});

test('an entry whose file changed is a miss', async () => {
  await saveVariant(store, 'k', path.join(tmp, 'variant'));
  writeFileSync(path.join(tmp, 'cache/k/files/model.onnx'), 'other bytes');
  expect(await restoreVariant(store, 'k', path.join(tmp, 'restored'))).toBeUndefined();
});

test('an entry holding a symbolic link is a miss, and nothing is restored', async () => {
  await saveVariant(store, 'k', path.join(tmp, 'variant'));
  symlinkSync('/etc/hostname', path.join(tmp, 'cache/k/files/extra.bin'));
  expect(await restoreVariant(store, 'k', path.join(tmp, 'restored'))).toBeUndefined();
  expect(() => readFileSync(path.join(tmp, 'restored/extra.bin'))).toThrow();
});
