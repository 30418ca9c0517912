// The PR gate's baseline: on a pull request, the report of the base branch's last run —
// from the `baseline` input (a report.json) or restored from the Actions cache under a
// branch key — and, on a push to the default branch, this run's report stored as the new
// baseline. Keys: model-convert-baseline-<branch>-<16 hex of sha256(model path, job, matrix)>-<run>,
// restored by prefix so the newest entry of the branch wins (cache entries are immutable).
//   const baseline = await loadBaseline({ gh, event, baselineFile, identity });
//   if (isDefaultBranchPush(event)) await storeBaseline({ gh, event, identity, reportText });

import { createHash } from 'node:crypto';
import { errorMessage } from '../errors.js';
import { readReportFile } from '../report/merge.js';
import type { Report } from '../report/types.js';
import { isDefaultBranchPush, type GitHubEvent } from './event-context.js';
import type { GitHubIO } from './github-io.js';

/** What makes two runs comparable: the same model path in the same job and matrix leg. */
export interface BaselineIdentity {
  model: string;
  job: string;
  matrix: string;
}

export interface LoadedBaseline {
  report: Report;
  /** "baseline.json" or "cache model-convert-baseline-main-…". */
  source: string;
}

/** Cache keys may not hold commas and are at most 512 characters. */
function keyPart(text: string): string {
  return text.replace(/[^A-Za-z0-9._/-]+/g, '-').slice(0, 200);
}

/** model-convert-baseline-<branch>-<16 hex>- : every baseline of that branch and identity starts with it. */
export function baselineKeyPrefix(branch: string, identity: BaselineIdentity): string {
  const id = createHash('sha256')
    .update(
      JSON.stringify([
        identity.model.replace(/\\/g, '/').replace(/^\.\//, ''),
        identity.job,
        identity.matrix,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  return `model-convert-baseline-${keyPart(branch)}-${id}-`;
}

/** The prefix plus this run's id and attempt (a fresh key per run: entries cannot be overwritten). */
export function baselineKey(prefix: string, env: Record<string, string | undefined>): string {
  const run = env.GITHUB_RUN_ID
    ? `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`
    : String(Date.now());
  return `${prefix}${keyPart(run)}`;
}

function parseReport(text: string): Report | undefined {
  try {
    const data = JSON.parse(text) as Partial<Report>;
    return Array.isArray(data?.variants) && typeof data.passed === 'boolean' ? (data as Report) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The baseline to compare with, or undefined (no gate): the `baseline` file when given (a bad
 * file is a UserError), else on a pull request the newest cached baseline of the base branch.
 * Cache trouble or no baseline yet is a line in the log, never a failure.
 */
export async function loadBaseline(args: {
  gh: GitHubIO;
  event: GitHubEvent;
  baselineFile: string | undefined;
  identity: BaselineIdentity;
}): Promise<LoadedBaseline | undefined> {
  const { gh, event } = args;
  if (args.baselineFile) return { report: readReportFile(args.baselineFile), source: args.baselineFile };
  if (event.kind !== 'pull_request') return undefined;
  if (!gh.baselineCache) {
    gh.warning(
      `PR gate skipped: no Actions cache to restore the ${event.baseRef} baseline from, and no "baseline" input`,
    );
    return undefined;
  }
  const prefix = baselineKeyPrefix(event.baseRef, args.identity);
  let restored: { key: string; text: string } | undefined;
  try {
    restored = await gh.baselineCache.restore(prefix);
  } catch (e) {
    gh.warning(`PR gate skipped: restoring the ${event.baseRef} baseline failed: ${errorMessage(e)}`);
    return undefined;
  }
  if (!restored) {
    gh.info(
      `PR gate: no baseline for ${event.baseRef} yet (key prefix ${prefix}); it is stored by this Action on pushes to the default branch`,
    );
    return undefined;
  }
  const report = parseReport(restored.text);
  if (!report) {
    gh.warning(`PR gate skipped: the cached baseline ${restored.key} is not a model-convert report`);
    return undefined;
  }
  return { report, source: `cache ${restored.key}` };
}

/** On a push to the default branch, stores this run's report as that branch's baseline. Trouble is a warning. */
export async function storeBaseline(args: {
  gh: GitHubIO;
  event: GitHubEvent;
  identity: BaselineIdentity;
  reportText: string;
}): Promise<string | undefined> {
  const { gh, event } = args;
  if (!isDefaultBranchPush(event) || event.kind !== 'push') return undefined;
  if (!gh.baselineCache) {
    gh.warning(
      `baseline not stored: no Actions cache on this run; pull requests into ${event.branch} will have no gate`,
    );
    return undefined;
  }
  const key = baselineKey(baselineKeyPrefix(event.branch, args.identity), gh.env);
  try {
    await gh.baselineCache.save(key, args.reportText);
    gh.info(`stored the ${event.branch} baseline as ${key}`);
    return key;
  } catch (e) {
    gh.warning(`baseline not stored (${key}): ${errorMessage(e)}`);
    return undefined;
  }
}
