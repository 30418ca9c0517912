// The GitHub boundary of the Action: inputs, log lines, outputs, the job summary, the Actions
// cache (variants and PR-gate baselines) and artifacts. main.ts takes a GitHubIO so that tests
// pass an in-memory fake.
//   const gh = realGitHubIO();            // @actions/core; cache/artifacts only with a runtime token
// Importing this module has no side effects; @actions/cache and @actions/artifact are loaded
// lazily, on first use, so the CLI never loads them. The Actions cache versions an entry by the
// paths it was saved from, so every entry goes through a fixed folder under RUNNER_TEMP.

import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import type { CacheStore } from '../pipeline/types.js';

/** Uploads files as one workflow artifact. */
export interface ArtifactUploader {
  upload(
    name: string,
    files: string[],
    rootDir: string,
    retentionDays?: number,
  ): Promise<{ id: number | undefined }>;
}

/** Baseline reports for the PR gate, kept in the Actions cache under branch keys. */
export interface BaselineCache {
  /** The newest entry whose key starts with `prefix`: its key and report.json text; undefined when none. */
  restore(prefix: string): Promise<{ key: string; text: string } | undefined>;
  save(key: string, reportText: string): Promise<void>;
}

/** The two calls of @actions/cache this Action makes (tests pass a fake). */
export interface ActionsCacheApi {
  restoreCache(paths: string[], primaryKey: string, restoreKeys?: string[]): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
}

export interface GitHubIO {
  /** The raw input value ('' when unset), as @actions/core's getInput returns it. */
  getInput(name: string): string;
  info(msg: string): void;
  warning(msg: string): void;
  setFailed(msg: string): void;
  setOutput(name: string, value: string): void;
  /** Appends Markdown to the job summary. */
  writeSummary(markdown: string): Promise<void>;
  /** undefined when the Actions runtime token or cache service URL is missing. */
  cache: CacheStore | undefined;
  /** undefined when the Actions runtime token is missing. */
  artifacts: ArtifactUploader | undefined;
  /** undefined when the Actions cache cannot be reached (as `cache`). */
  baselineCache?: BaselineCache;
  env: Record<string, string | undefined>;
}

/** True when the Actions cache service can be reached from this process's environment. */
export function hasCacheRuntime(env: Record<string, string | undefined>): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN) && Boolean(env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL);
}

/** True when the artifact service can be reached from this process's environment. */
export function hasArtifactRuntime(env: Record<string, string | undefined>): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN);
}

const loadActionsCache = async (): Promise<ActionsCacheApi> => import('@actions/cache');

export interface ActionsCacheOptions {
  /** Default: @actions/cache, imported on first use. */
  api?: () => Promise<ActionsCacheApi>;
  /** Folder the entries pass through; default $RUNNER_TEMP/model-convert-cache. */
  root?: string;
}

function cacheRoot(options: ActionsCacheOptions): string {
  return options.root ?? path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'model-convert-cache');
}

/**
 * Stores whole folders in the Actions cache. Each key passes through `<root>/<key>`, the same
 * path on save and restore, since the cache service matches entries by path as well as key.
 */
export function actionsCacheStore(options: ActionsCacheOptions = {}): CacheStore {
  const api = options.api ?? loadActionsCache;
  return {
    kind: 'actions-cache',
    async restore(key: string, dir: string): Promise<boolean> {
      const entry = path.join(cacheRoot(options), key);
      rmSync(entry, { recursive: true, force: true });
      mkdirSync(entry, { recursive: true });
      try {
        const restoredKey = await (await api()).restoreCache([entry], key);
        if (restoredKey !== key) return false;
        mkdirSync(dir, { recursive: true });
        cpSync(entry, dir, { recursive: true });
        return true;
      } finally {
        rmSync(entry, { recursive: true, force: true });
      }
    },
    async save(key: string, dir: string): Promise<void> {
      const entry = path.join(cacheRoot(options), key);
      rmSync(entry, { recursive: true, force: true });
      cpSync(dir, entry, { recursive: true });
      try {
        await (await api()).saveCache([entry], key);
      } finally {
        rmSync(entry, { recursive: true, force: true });
      }
    },
  };
}

/** PR-gate baselines in the Actions cache: one report.json per entry, through `<root>/baseline`. */
export function actionsBaselineCache(options: ActionsCacheOptions = {}): BaselineCache {
  const api = options.api ?? loadActionsCache;
  const folder = (): string => path.join(cacheRoot(options), 'baseline');
  return {
    async restore(prefix) {
      rmSync(folder(), { recursive: true, force: true });
      mkdirSync(folder(), { recursive: true });
      try {
        const key = await (await api()).restoreCache([folder()], prefix, [prefix]);
        const file = path.join(folder(), 'report.json');
        if (!key || !existsSync(file)) return undefined;
        return { key, text: readFileSync(file, 'utf8') };
      } finally {
        rmSync(folder(), { recursive: true, force: true });
      }
    },
    async save(key, reportText) {
      rmSync(folder(), { recursive: true, force: true });
      mkdirSync(folder(), { recursive: true });
      writeFileSync(path.join(folder(), 'report.json'), reportText);
      try {
        await (await api()).saveCache([folder()], key);
      } finally {
        rmSync(folder(), { recursive: true, force: true });
      }
    },
  };
}

/** Uploads through @actions/artifact's DefaultArtifactClient. */
export function actionsArtifactUploader(): ArtifactUploader {
  return {
    async upload(name, files, rootDir, retentionDays) {
      const { DefaultArtifactClient } = await import('@actions/artifact');
      const client = new DefaultArtifactClient();
      const response = await client.uploadArtifact(
        name,
        files,
        rootDir,
        retentionDays === undefined ? {} : { retentionDays },
      );
      return { id: response.id };
    },
  };
}

/** The GitHubIO of a real Actions run, built on @actions/core. */
export function realGitHubIO(env: Record<string, string | undefined> = process.env): GitHubIO {
  return {
    getInput: (name) => core.getInput(name),
    info: (msg) => core.info(msg),
    warning: (msg) => core.warning(msg),
    setFailed: (msg) => core.setFailed(msg),
    setOutput: (name, value) => core.setOutput(name, value),
    async writeSummary(markdown) {
      await core.summary.addRaw(markdown).write();
    },
    cache: hasCacheRuntime(env) ? actionsCacheStore() : undefined,
    baselineCache: hasCacheRuntime(env) ? actionsBaselineCache() : undefined,
    artifacts: hasArtifactRuntime(env) ? actionsArtifactUploader() : undefined,
    env,
  };
}
