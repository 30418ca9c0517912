// The Action: inputs → makePlan → runPipeline → PR gate (compare with the base branch's
// baseline) → artifacts, job summary, baseline store, release assets, outputs. All GitHub
// access goes through the injected GitHubIO, so tests run it with an in-memory fake.
//   process.exitCode = await runAction();           // src/index.ts
// Error policy: UserError → one-line failure, exit 2; accuracy violation, regression beyond the
// margin or conversion failure → failure, exit 1 (unless fail-on: never); release publishing
// trouble → failure, exit 1; any other error → failure with the stack, exit 1; cache, artifact,
// baseline and job-summary trouble → a warning, never a failure.

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, isUserError, printable, UserError } from '../errors.js';
import { writeAtomically } from '../onnx/model-io.js';
import { makePlan } from '../pipeline/plan.js';
import { runPipeline } from '../pipeline/run.js';
import type { PipelineHooks, Plan } from '../pipeline/types.js';
import { compareWithBaseline, formatRegressions, overallPassed } from '../report/regression.js';
import { describeNonPassing, findViolations, formatViolation, renderSummary } from '../report/summary.js';
import type { Report } from '../report/types.js';
import { loadBaseline, storeBaseline, type BaselineIdentity } from './baseline.js';
import { readGitHubEvent, type GitHubEvent } from './event-context.js';
import { hasArtifactRuntime, realGitHubIO, type GitHubIO } from './github-io.js';
import { publishRelease, releaseAssets } from './release.js';
import { FAIL_ON_VALUES, INPUT_DEFAULTS, Inputs, Outputs, type FailOn, type InputName } from './io-names.js';

export const REPORT_FILE = 'report.json';
export const SUMMARY_FILE = 'summary.md';

/** The Action's inputs, parsed and checked. Optional paths are undefined when not given. */
export interface ActionInputs {
  model: string;
  /** undefined when left at the default, so convert.yml (or makePlan's default) decides. */
  targets?: string;
  precisions?: string;
  config?: string;
  sampleInputs?: string;
  tolerance?: string;
  outDir: string;
  cache: boolean;
  uploadArtifacts: boolean;
  artifactName?: string;
  failOn: FailOn;
  /** Python with torch that exports a PyTorch source; undefined: convert.yml, else python3. */
  python?: string;
  /** true allows unpickling a pickled nn.Module; undefined leaves convert.yml in charge. */
  allowPickle?: boolean;
  /** Days to keep the artifact; undefined: the repository's setting. */
  retentionDays?: number;
  /** JSON of the calling job's matrix (for the artifact name and the baseline key). */
  matrix?: string;
  /** A baseline report.json to compare with instead of the cached base-branch baseline. */
  baseline?: string;
  /** Relative error growth allowed against the baseline (0.1 = 10%). */
  regressionMargin: number;
  release: boolean;
  githubToken?: string;
}

const BOOLEAN_VALUES: Record<string, boolean> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
};

const MAX_LISTED_VARIANTS = 10;
const MAX_LISTED_VIOLATIONS = 3;
const MAX_REASON_CHARS = 200;

function readInput(gh: Pick<GitHubIO, 'getInput'>, name: InputName): string {
  const value = gh.getInput(name).trim();
  return value === '' ? INPUT_DEFAULTS[name] : value;
}

function readOptionalInput(gh: Pick<GitHubIO, 'getInput'>, name: InputName): string | undefined {
  const value = readInput(gh, name);
  return value === '' ? undefined : value;
}

/** An input left at its action.yml default reads as undefined, so convert.yml can set it. */
function readInputOverridingConfig(gh: Pick<GitHubIO, 'getInput'>, name: InputName): string | undefined {
  const value = readInput(gh, name);
  return value === INPUT_DEFAULTS[name] ? undefined : value;
}

function readBooleanInput(gh: Pick<GitHubIO, 'getInput'>, name: InputName): boolean {
  const value = readInput(gh, name);
  const parsed = BOOLEAN_VALUES[value];
  if (parsed === undefined) {
    throw new UserError(`input "${name}" must be true or false, got "${value}"`);
  }
  return parsed;
}

function readFailOn(gh: Pick<GitHubIO, 'getInput'>): FailOn {
  const value = readInput(gh, Inputs.FailOn);
  const allowed: readonly string[] = FAIL_ON_VALUES;
  if (!allowed.includes(value)) {
    throw new UserError(
      `input "${Inputs.FailOn}" must be one of ${FAIL_ON_VALUES.join(', ')}, got "${value}"`,
    );
  }
  return value as FailOn;
}

function readRetentionDays(gh: Pick<GitHubIO, 'getInput'>): number | undefined {
  const value = readOptionalInput(gh, Inputs.RetentionDays);
  if (value === undefined) return undefined;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 90) {
    throw new UserError(
      `input "${Inputs.RetentionDays}" must be a whole number of days from 1 to 90, got "${value}"`,
    );
  }
  return days;
}

function readRegressionMargin(gh: Pick<GitHubIO, 'getInput'>): number {
  const value = readInput(gh, Inputs.RegressionMargin);
  const margin = Number(value);
  if (value === '' || !Number.isFinite(margin) || margin < 0) {
    throw new UserError(
      `input "${Inputs.RegressionMargin}" must be a number ≥ 0 (relative growth allowed, 0.1 = 10%), got "${value}"`,
    );
  }
  return margin;
}

/** Reads and checks every input; a bad value is a UserError naming the input and what it accepts. */
export function readActionInputs(gh: Pick<GitHubIO, 'getInput'>): ActionInputs {
  const model = readInput(gh, Inputs.Model);
  if (model === '') {
    throw new UserError(
      `input "${Inputs.Model}" is required: the path of the ONNX or PyTorch model to convert`,
    );
  }
  return {
    model,
    targets: readInputOverridingConfig(gh, Inputs.Targets),
    precisions: readInputOverridingConfig(gh, Inputs.Precisions),
    config: readOptionalInput(gh, Inputs.Config),
    sampleInputs: readOptionalInput(gh, Inputs.SampleInputs),
    tolerance: readOptionalInput(gh, Inputs.Tolerance),
    outDir: readInput(gh, Inputs.OutputDir),
    cache: readBooleanInput(gh, Inputs.Cache),
    uploadArtifacts: readBooleanInput(gh, Inputs.UploadArtifacts),
    artifactName: readOptionalInput(gh, Inputs.ArtifactName),
    failOn: readFailOn(gh),
    python: readOptionalInput(gh, Inputs.Python),
    allowPickle: readBooleanInput(gh, Inputs.AllowPickle) || undefined,
    retentionDays: readRetentionDays(gh),
    matrix: readOptionalInput(gh, Inputs.Matrix),
    baseline: readOptionalInput(gh, Inputs.Baseline),
    regressionMargin: readRegressionMargin(gh),
    release: readBooleanInput(gh, Inputs.Release),
    githubToken: readOptionalInput(gh, Inputs.GitHubToken),
  };
}

function sanitizeArtifactName(name: string): string {
  return name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** JSON with object keys sorted, so equal matrices hash alike whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function matrixHash(matrixContext: string | undefined): string | undefined {
  const text = matrixContext?.trim();
  if (!text || text === 'null' || text === '{}') return undefined;
  let canonical = text;
  try {
    canonical = canonicalJson(JSON.parse(text));
  } catch {
    // not JSON: hash the text as given
  }
  return createHash('sha256').update(canonical).digest('hex').slice(0, 8);
}

/**
 * The default artifact name: model-convert-<model name>-<GITHUB_JOB>, plus -<8 hex of sha256 of
 * the matrix> when MATRIX_CONTEXT is set, so matrix legs do not collide. Only [A-Za-z0-9._-].
 */
export function deriveArtifactName(model: string, env: Record<string, string | undefined>): string {
  const fileName =
    model
      .split(/[\\/]/)
      .filter((part) => part !== '')
      .pop() ?? '';
  const extension = path.extname(fileName);
  const modelName = extension && extension !== fileName ? fileName.slice(0, -extension.length) : fileName;
  const parts = ['model-convert', modelName, env.GITHUB_JOB ?? '', matrixHash(env.MATRIX_CONTEXT) ?? '']
    .map(sanitizeArtifactName)
    .filter((part) => part !== '');
  return parts.join('-');
}

function oneLine(text: string, maxChars: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= maxChars ? flat : `${chars.slice(0, maxChars - 1).join('')}…`;
}

/**
 * The variants that failed or errored, for the step's failure message:
 * "onnx/int4 (rel_l2 0.2 > 0.1), webgpu/fp16 (error: shader compile failed)".
 */
export function formatViolationsSummary(report: Report): string {
  const failing = report.variants.filter(
    (variant) => variant.status === 'fail' || variant.status === 'error',
  );
  const listed = failing.slice(0, MAX_LISTED_VARIANTS).map((variant) => {
    const name = `${variant.target}/${variant.precision}`;
    if (variant.status === 'error') {
      return `${name} (error: ${oneLine(variant.reason ?? 'unknown error', MAX_REASON_CHARS)})`;
    }
    const violations = findViolations(variant);
    if (violations.length === 0) return `${name} (${oneLine(describeNonPassing(variant), MAX_REASON_CHARS)})`;
    const withOutput = Object.keys(variant.outputs ?? {}).length > 1;
    const shown = violations.slice(0, MAX_LISTED_VIOLATIONS).map((v) => formatViolation(v, withOutput));
    if (violations.length > MAX_LISTED_VIOLATIONS) shown.push('…');
    return `${name} (${shown.join(', ')})`;
  });
  if (failing.length > MAX_LISTED_VARIANTS) {
    listed.push(`… and ${failing.length - MAX_LISTED_VARIANTS} more (see ${REPORT_FILE})`);
  }
  return listed.join(', ');
}

/** Every file under `dir`, sorted, as absolute paths. */
async function listFilesRecursively(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFilesRecursively(entryPath)));
    else if (entry.isFile()) files.push(entryPath);
  }
  return files.sort();
}

function cacheSkippedReason(env: Record<string, string | undefined>): string {
  return hasArtifactRuntime(env)
    ? 'no Actions cache service URL (ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL)'
    : 'no Actions runtime token (ACTIONS_RUNTIME_TOKEN)';
}

function pipelineHooks(gh: GitHubIO, inputs: ActionInputs): PipelineHooks {
  const hooks: PipelineHooks = {
    // Messages may quote model names: one printable line each (no forged workflow commands).
    progress: (message) => gh.info(printable(message)),
    warn: (message) => gh.warning(printable(message)),
  };
  if (!inputs.cache) return hooks;
  if (gh.cache) return { ...hooks, cache: gh.cache };
  gh.warning(`cache skipped: ${cacheSkippedReason(gh.env)}; running without the Actions cache`);
  return hooks;
}

/** Uploads the output folder; returns the artifact id ('' when none). Trouble is a warning. */
async function uploadOutputFolder(gh: GitHubIO, inputs: ActionInputs, outDir: string): Promise<string> {
  if (!inputs.uploadArtifacts) return '';
  if (!gh.artifacts) {
    gh.warning(
      `artifacts skipped: no Actions runtime token (ACTIONS_RUNTIME_TOKEN); the outputs stay on the runner in ${outDir}`,
    );
    return '';
  }
  const name = inputs.artifactName ?? deriveArtifactName(inputs.model, withMatrix(gh.env, inputs));
  try {
    const files = await listFilesRecursively(outDir);
    const { id } = await gh.artifacts.upload(name, files, outDir, inputs.retentionDays);
    gh.info(`uploaded artifact ${name} (${files.length} files${id === undefined ? '' : `, id ${id}`})`);
    return id === undefined ? '' : String(id);
  } catch (e) {
    gh.warning(
      `artifact upload failed for ${name}: ${errorMessage(e)}; the outputs stay on the runner in ${outDir}`,
    );
    return '';
  }
}

/** Writes summary.md (as runPipeline left it) to the job summary. Trouble is a warning. */
async function publishJobSummary(gh: GitHubIO, summaryPath: string, report: Report): Promise<void> {
  let markdown: string;
  try {
    markdown = await readFile(summaryPath, 'utf8');
  } catch {
    markdown = renderSummary(report);
  }
  try {
    await gh.writeSummary(markdown);
  } catch (e) {
    gh.warning(`job summary skipped: ${errorMessage(e)}`);
  }
}

/** The environment with MATRIX_CONTEXT taken from the `matrix` input when given. */
function withMatrix(
  env: Record<string, string | undefined>,
  inputs: ActionInputs,
): Record<string, string | undefined> {
  return inputs.matrix === undefined ? env : { ...env, MATRIX_CONTEXT: inputs.matrix };
}

function baselineIdentity(gh: GitHubIO, inputs: ActionInputs): BaselineIdentity {
  const env = withMatrix(gh.env, inputs);
  return { model: inputs.model, job: env.GITHUB_JOB ?? '', matrix: matrixHash(env.MATRIX_CONTEXT) ?? '' };
}

type ReleaseEvent = Extract<GitHubEvent, { kind: 'release' } | { kind: 'tag' }>;

function releaseEventOf(event: GitHubEvent): ReleaseEvent | undefined {
  return event.kind === 'release' || event.kind === 'tag' ? event : undefined;
}

/** Attaches the passing variants, report and summary to the release; returns its URL. */
async function attachToRelease(
  gh: GitHubIO,
  inputs: ActionInputs,
  event: ReleaseEvent,
  report: Report,
  outDir: string,
): Promise<string> {
  const published = await publishRelease({
    apiUrl: gh.env.GITHUB_API_URL || 'https://api.github.com',
    token: (inputs.githubToken ?? gh.env.GITHUB_TOKEN)!,
    repository: gh.env.GITHUB_REPOSITORY ?? '',
    event,
    assets: releaseAssets(report, outDir, deriveArtifactName(inputs.model, withMatrix(gh.env, inputs))),
    info: (message) => gh.info(message),
  });
  return published.htmlUrl;
}

/** "accuracy out of tolerance: …" and/or "accuracy regressed against …: …"; `note` follows each headline. */
function failureMessage(report: Report, reportPath: string, note = ''): string {
  const parts: string[] = [];
  if (!report.passed) {
    parts.push(`accuracy out of tolerance${note}: ${formatViolationsSummary(report) || `see ${reportPath}`}`);
  }
  if (report.baseline?.regressed) {
    parts.push(
      `accuracy regressed against ${report.baseline.source}${note}: ${formatRegressions(report.baseline)}`,
    );
  }
  return parts.join('; ');
}

async function convertAndPublish(gh: GitHubIO): Promise<number> {
  const inputs = readActionInputs(gh);
  const event = readGitHubEvent(gh.env);
  const releaseEvent = inputs.release ? releaseEventOf(event) : undefined;
  if (releaseEvent && !(inputs.githubToken ?? gh.env.GITHUB_TOKEN)) {
    throw new UserError(
      `input "${Inputs.Release}" is true but there is no token: leave "${Inputs.GitHubToken}" at its default or set it`,
    );
  }
  if (releaseEvent && !gh.env.GITHUB_REPOSITORY) {
    throw new UserError(
      `input "${Inputs.Release}" is true but GITHUB_REPOSITORY is not set: run it on GitHub Actions`,
    );
  }
  const plan: Plan = makePlan({
    model: inputs.model,
    targets: inputs.targets,
    precisions: inputs.precisions,
    config: inputs.config,
    inputs: inputs.sampleInputs,
    tolerance: inputs.tolerance,
    outDir: inputs.outDir,
    cache: inputs.cache,
    python: inputs.python,
    allowPickle: inputs.allowPickle,
  });
  const identity = baselineIdentity(gh, inputs);
  // Before converting, so that a bad baseline file fails fast.
  const baseline = await loadBaseline({ gh, event, baselineFile: inputs.baseline, identity });
  const report = await runPipeline(plan, pipelineHooks(gh, inputs));

  const outDir = path.resolve(plan.outDir);
  const reportPath = path.join(outDir, REPORT_FILE);
  const summaryPath = path.join(outDir, SUMMARY_FILE);
  if (baseline) {
    report.baseline = compareWithBaseline(report, baseline.report, {
      margin: inputs.regressionMargin,
      source: baseline.source,
    });
    writeAtomically(reportPath, [Buffer.from(JSON.stringify(report, null, 2) + '\n')]);
    writeAtomically(summaryPath, [Buffer.from(renderSummary(report))]);
  }
  const artifactId = await uploadOutputFolder(gh, inputs, outDir);
  await publishJobSummary(gh, summaryPath, report);
  await storeBaseline({ gh, event, identity, reportText: JSON.stringify(report) });

  const passed = overallPassed(report);
  const failing = !passed && inputs.failOn !== 'never';
  gh.setOutput(Outputs.Passed, passed ? 'true' : 'false');
  gh.setOutput(Outputs.Report, reportPath);
  gh.setOutput(Outputs.Summary, summaryPath);
  gh.setOutput(Outputs.CacheHit, report.cache.hit ? 'true' : 'false');
  gh.setOutput(Outputs.ArtifactId, artifactId);
  gh.setOutput(Outputs.Regressed, report.baseline?.regressed ? 'true' : 'false');

  let releaseUrl = '';
  if (inputs.release && !releaseEvent) {
    gh.warning(
      `release skipped: "${event.kind === 'other' ? event.name || 'no' : event.kind}" event; releases are published on release events and tag pushes`,
    );
  } else if (releaseEvent && failing) {
    gh.warning(`release ${releaseEvent.tag} not updated: verification failed`);
  } else if (releaseEvent) {
    try {
      releaseUrl = await attachToRelease(gh, inputs, releaseEvent, report, outDir);
    } catch (e) {
      gh.setOutput(Outputs.ReleaseUrl, '');
      gh.setFailed(`release publishing failed for ${releaseEvent.tag}: ${errorMessage(e)}`);
      return 1;
    }
  }
  gh.setOutput(Outputs.ReleaseUrl, releaseUrl);

  if (passed) return 0;
  if (inputs.failOn === 'never') {
    gh.warning(failureMessage(report, reportPath, ' (fail-on: never)'));
    return 0;
  }
  gh.setFailed(failureMessage(report, reportPath));
  return 1;
}

/** Runs the Action; returns the exit code it reported (0 pass, 1 violation or bug, 2 input error). */
export async function runAction(gh: GitHubIO = realGitHubIO()): Promise<number> {
  try {
    return await convertAndPublish(gh);
  } catch (e) {
    if (isUserError(e)) {
      gh.setFailed(oneLine(e.message, 2000));
      return e.exitCode;
    }
    const message = errorMessage(e);
    const stack = e instanceof Error ? e.stack : undefined;
    gh.setFailed(stack === undefined ? message : stack.includes(message) ? stack : `${message}\n${stack}`);
    return 1;
  }
}
