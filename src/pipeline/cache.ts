// Variant cache: key derivation, a local folder store for the CLI, and save/restore of a
// variant folder with a manifest of file hashes that is re-checked on every hit.
//   const key = cacheKey({ modelSha256, plan, target: 'onnx', precision: 'fp32' });
//   const files = await restoreVariant(store, key, dir); // undefined on miss or mismatch

import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TOOL_VERSION } from '../version.js';
import type { CacheStore, Plan } from './types.js';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of a file's bytes (null when absent), so edited inputs change the cache key. */
function fileDigest(file: string | undefined): string | null {
  if (!file || !existsSync(file)) return null;
  return sha256Hex(readFileSync(file));
}

/**
 * The parts of a plan that change a variant's files, in a stable order. Samples and
 * tolerances are not among them: every cache hit is verified again. Quantization settings
 * join this as they are added.
 */
export function normalizedPlanForCache(plan: Plan): string {
  const q = plan.quantization ?? {};
  const quantization = Object.fromEntries(Object.entries(q).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({
    layout: 1,
    quantization,
    calibration: {
      samples: plan.calibrationSamples ?? null,
      seed: plan.seed,
      inputs: fileDigest(plan.calibrationInputs ?? plan.inputsFile),
    },
  });
}

/** sha256(model) + sha256(normalized plan) + tool version + target + precision, hashed into one key. */
export function cacheKey(opts: {
  modelSha256: string;
  plan: Plan;
  target: string;
  precision: string;
}): string {
  const planHash = sha256Hex(normalizedPlanForCache(opts.plan));
  const digest = sha256Hex(
    [opts.modelSha256, planHash, TOOL_VERSION, opts.target, opts.precision].join('\n'),
  );
  return `model-convert-${opts.target}-${opts.precision}-${digest.slice(0, 40)}`;
}

/** CLI cache: one folder per key under `root` (default: $XDG_CACHE_HOME/model-convert). */
export class LocalCacheStore implements CacheStore {
  readonly kind = 'local';
  constructor(readonly root: string) {}

  async restore(key: string, dir: string): Promise<boolean> {
    const entry = path.join(this.root, key);
    if (!existsSync(entry)) return false;
    mkdirSync(dir, { recursive: true });
    cpSync(entry, dir, { recursive: true });
    return true;
  }

  async save(key: string, dir: string): Promise<void> {
    mkdirSync(this.root, { recursive: true });
    const tmp = mkdtempSync(path.join(this.root, `.${key}.tmp-`));
    cpSync(dir, tmp, { recursive: true });
    const entry = path.join(this.root, key);
    rmSync(entry, { recursive: true, force: true });
    renameSync(tmp, entry);
  }
}

interface Manifest {
  key: string;
  files: Record<string, string>;
}

/** False when anything under `dir` is neither a plain file nor a folder (a link, a device …). */
function onlyPlainFiles(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).every((e) =>
    e.isDirectory() ? onlyPlainFiles(path.join(dir, e.name)) : e.isFile(),
  );
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? listFiles(dir, path.join(prefix, e.name))
      : e.isFile()
        ? [path.join(prefix, e.name)]
        : [],
  );
}

/**
 * Restores a variant into `variantDir`; returns its files (relative) when the entry's
 * manifest matches every file's sha256, else undefined (the caller rebuilds).
 */
export async function restoreVariant(
  store: CacheStore,
  key: string,
  variantDir: string,
): Promise<string[] | undefined> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'model-convert-restore-'));
  try {
    if (!(await store.restore(key, tmp))) return undefined;
    // A restored entry is outside data: a link in it could point anywhere once copied into OUT.
    if (!onlyPlainFiles(tmp)) return undefined;
    const manifestPath = path.join(tmp, 'manifest.json');
    if (!existsSync(manifestPath)) return undefined;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    const filesDir = path.join(tmp, 'files');
    const present = existsSync(filesDir) ? listFiles(filesDir).sort() : [];
    const expected = Object.keys(manifest.files).sort();
    if (manifest.key !== key || present.join('\n') !== expected.join('\n')) return undefined;
    for (const f of expected)
      if (sha256Hex(readFileSync(path.join(filesDir, f))) !== manifest.files[f]) return undefined;
    mkdirSync(variantDir, { recursive: true });
    cpSync(filesDir, variantDir, { recursive: true });
    return expected;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function saveVariant(store: CacheStore, key: string, variantDir: string): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'model-convert-save-'));
  try {
    const files: Record<string, string> = {};
    for (const f of listFiles(variantDir)) files[f] = sha256Hex(readFileSync(path.join(variantDir, f)));
    cpSync(variantDir, path.join(tmp, 'files'), { recursive: true });
    writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify({ key, files } satisfies Manifest));
    await store.save(key, tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
