// The Actions cache stores with a stand-in for @actions/cache that, like the real service,
// matches an entry by key *and* the paths it was saved from: a variant folder and a baseline
// report come back through fixed paths, and a miss is a miss.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  cpSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { actionsBaselineCache, actionsCacheStore, type ActionsCacheApi } from '../../src/action/github-io.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-gh-io-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** Entries keyed by key + paths (the service's "version"); restore keys match by prefix, newest first. */
function fakeActionsCache(): ActionsCacheApi & { saved: { key: string; paths: string[] }[] } {
  const store = new Map<string, string>(); // `${paths}\n${key}` → snapshot folder
  const saved: { key: string; paths: string[] }[] = [];
  let n = 0;
  return {
    saved,
    async saveCache(paths, key) {
      const snapshot = path.join(tmp, `snapshot-${n++}`);
      cpSync(paths[0], snapshot, { recursive: true });
      store.set(`${paths.join(',')}\n${key}`, snapshot);
      saved.push({ key, paths });
      return n;
    },
    async restoreCache(paths, primaryKey, restoreKeys = []) {
      const candidates = [...store.keys()].filter((k) => k.startsWith(`${paths.join(',')}\n`)).reverse();
      const exact = candidates.find((k) => k.endsWith(`\n${primaryKey}`));
      const match = exact ?? candidates.find((k) => restoreKeys.some((p) => k.split('\n')[1].startsWith(p)));
      if (!match) return undefined;
      cpSync(store.get(match)!, paths[0], { recursive: true });
      return match.split('\n')[1];
    },
  };
}

test('a variant folder saved under a key is restored into another folder; an unknown key misses', async () => {
  const api = fakeActionsCache();
  const store = actionsCacheStore({ api: async () => api, root: path.join(tmp, 'root') });
  const variant = path.join(tmp, 'variant');
  mkdirSync(path.join(variant, 'files'), { recursive: true });
  writeFileSync(path.join(variant, 'files', 'model.onnx'), 'bytes');
  await store.save('key-1', variant);
  expect(api.saved).toEqual([{ key: 'key-1', paths: [path.join(tmp, 'root', 'key-1')] }]);
  const into = path.join(tmp, 'restored');
  expect(await store.restore('key-1', into)).toBe(true);
  expect(readFileSync(path.join(into, 'files', 'model.onnx'), 'utf8')).toBe('bytes');
  expect(await store.restore('key-2', path.join(tmp, 'other'))).toBe(false);
  expect(existsSync(path.join(tmp, 'other'))).toBe(false);
  expect(readdirSync(path.join(tmp, 'root'))).toEqual([]); // the pass-through folders are removed
});

test('baselines: the newest entry under a prefix is restored as report.json text', async () => {
  const api = fakeActionsCache();
  const cache = actionsBaselineCache({ api: async () => api, root: path.join(tmp, 'root') });
  expect(await cache.restore('model-convert-baseline-main-abc-')).toBeUndefined();
  await cache.save('model-convert-baseline-main-abc-1-1', '{"run":1}');
  await cache.save('model-convert-baseline-main-abc-2-1', '{"run":2}');
  await cache.save('model-convert-baseline-dev-abc-3-1', '{"run":3}');
  expect(await cache.restore('model-convert-baseline-main-abc-')).toEqual({
    key: 'model-convert-baseline-main-abc-2-1',
    text: '{"run":2}',
  });
});
