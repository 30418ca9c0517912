// The GitHub boundary of the Action: inputs, log lines, outputs, the job summary, the Actions
// cache and artifacts. main.ts takes a GitHubIO so that tests pass an in-memory fake.
//   const gh = realGitHubIO();            // @actions/core; cache/artifacts only with a runtime token
// Importing this module has no side effects; @actions/cache and @actions/artifact are loaded
// lazily, on first use, so the CLI never loads them.

import { mkdir } from 'node:fs/promises';
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

/** Stores whole folders in the Actions cache; a folder is restored at the path it was saved from. */
export function actionsCacheStore(): CacheStore {
  return {
    kind: 'actions-cache',
    async restore(key: string, dir: string): Promise<boolean> {
      const cache = await import('@actions/cache');
      await mkdir(dir, { recursive: true });
      const restoredKey = await cache.restoreCache([dir], key);
      return restoredKey === key;
    },
    async save(key: string, dir: string): Promise<void> {
      const cache = await import('@actions/cache');
      await cache.saveCache([dir], key);
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
    artifacts: hasArtifactRuntime(env) ? actionsArtifactUploader() : undefined,
    env,
  };
}
