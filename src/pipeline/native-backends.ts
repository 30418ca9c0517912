// Native runtimes (onnxruntime-node, webgpu and openvino-node) are not bundled into
// dist/: they are resolved at run time. First from the ordinary module resolution (the
// CLI's dependencies, or an action checkout with node_modules); otherwise, on an Actions
// runner, installed once with npm into the runner's tool cache (no install scripts run)
// and that folder saved/restored with the Actions cache.
//   const ort = await loadOnnxRuntime();

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { errorMessage, UserError } from '../errors.js';
import { ORT_VERSION } from '../version.js';
import type { CacheStore } from './types.js';

export type OnnxRuntime = typeof import('onnxruntime-node');

let nativeCache: CacheStore | undefined;
let warn: (message: string) => void = () => {};

/** Lets native installs use the Actions cache and report trouble as warnings. */
export function configureNativeBackends(options: { cache?: CacheStore; warn?: (m: string) => void }): void {
  nativeCache = options.cache;
  if (options.warn) warn = options.warn;
}

let ortPromise: Promise<OnnxRuntime> | undefined;

/**
 * Node's own `require`, resolved from this file (dist/ in the bundle). The bundler leaves it
 * alone — an `import()` of a package would be hoisted into a static import that fails the
 * whole Action at load when the package is missing — so a missing native package is an
 * error here, where we can install it or go on without it.
 */
const requireFromHere = createRequire(import.meta.url);

export function requireNative(name: string): unknown {
  return requireFromHere(name);
}

/** An optional native package (e.g. openvino-node), or undefined where it cannot load. */
export function loadOptionalNative<T>(name: string): T | undefined {
  try {
    return requireFromHere(name) as T;
  } catch {
    return undefined;
  }
}

export function loadOnnxRuntime(): Promise<OnnxRuntime> {
  ortPromise ??= loadNative<OnnxRuntime>('onnxruntime-node', ORT_VERSION, async () =>
    requireNative('onnxruntime-node'),
  );
  return ortPromise;
}

async function loadNative<T>(
  name: string,
  version: string,
  importDefault: () => Promise<unknown>,
): Promise<T> {
  try {
    const mod = (await importDefault()) as T & { default?: T };
    return (mod.default ?? mod) as T;
  } catch (first) {
    const require = createRequire(path.join(await installNative(name, version, first), 'package.json'));
    return require(name) as T;
  }
}

/**
 * Absolute path of a native package's entry file (for packages loaded elsewhere, e.g. ES
 * modules imported in a child process): resolved from here, else installed like loadNative.
 */
export async function nativeEntryPath(name: string, version: string): Promise<string> {
  try {
    return requireFromHere.resolve(name);
  } catch (first) {
    const dir = await installNative(name, version, first);
    return createRequire(path.join(dir, 'package.json')).resolve(name);
  }
}

/** The folder holding node_modules/<name> in the runner's tool cache (restored, or installed and saved). */
async function installNative(name: string, version: string, first: unknown): Promise<string> {
  const toolCache = process.env.RUNNER_TOOL_CACHE;
  if (!toolCache) {
    throw new UserError(
      `${name} is not installed (${errorMessage(first).split('\n')[0]}). Run "npm install" in model-convert's folder.`,
    );
  }
  const dir = path.join(
    toolCache,
    'model-convert-native',
    `${name}-${version}-${os.platform()}-${os.arch()}`,
  );
  const key = `model-convert-native-${name}-${version}-${os.platform()}-${os.arch()}`;
  if (!existsSync(path.join(dir, 'node_modules', name)) && nativeCache) {
    try {
      await nativeCache.restore(key, dir);
    } catch (e) {
      warn(`native cache restore failed for ${name}: ${errorMessage(e)}`);
    }
  }
  if (!existsSync(path.join(dir, 'node_modules', name))) {
    mkdirSync(dir, { recursive: true });
    execFileSync(
      'npm',
      [
        'install',
        '--no-save',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--prefix',
        dir,
        `${name}@${version}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (nativeCache) {
      try {
        await nativeCache.save(key, dir);
      } catch (e) {
        warn(`native cache save failed for ${name}: ${errorMessage(e)}`);
      }
    }
  }
  return dir;
}
