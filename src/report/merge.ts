// Merging the reports of one model converted by several jobs (the reusable workflow runs one
// job per target) into one report.json, one summary.md and one verdict.
//   const merged = mergeReportFiles(['reports/'], 'merged');   // CLI: model-convert merge-reports reports --out merged
//   process.exitCode = overallPassed(merged) ? 0 : 1;

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, UserError } from '../errors.js';
import { renderSummary } from './summary.js';
import type { BaselineComparison, Report } from './types.js';

export const REPORT_FILE_NAME = 'report.json';

export interface ReportFile {
  path: string;
  report: Report;
}

/** Every report.json under `inputs` (files as given, folders searched recursively), sorted per folder. */
export function findReportFiles(inputs: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name === REPORT_FILE_NAME) found.push(full);
    }
  };
  for (const input of inputs) {
    if (!existsSync(input)) {
      throw new UserError(`${input}: not found. Pass report.json files or folders that contain them.`);
    }
    if (statSync(input).isDirectory()) walk(input);
    else found.push(input);
  }
  return found;
}

/** Reads one report.json; anything that is not a model-convert report is a UserError naming the file. */
export function readReportFile(file: string): Report {
  if (!existsSync(file)) {
    throw new UserError(`${file}: not found. Pass the path of a report.json written by model-convert.`);
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(
      `${file}: not readable as JSON (${errorMessage(e).split('\n')[0]}). Pass a report.json written by model-convert.`,
    );
  }
  const report = data as Partial<Report> | null;
  if (
    !report ||
    typeof report !== 'object' ||
    !Array.isArray(report.variants) ||
    typeof report.model?.sha256 !== 'string' ||
    typeof report.passed !== 'boolean'
  ) {
    throw new UserError(
      `${file}: not a model-convert report (needs model.sha256, variants and passed). Pass a report.json written by model-convert.`,
    );
  }
  return report as Report;
}

function mergeBaselines(comparisons: BaselineComparison[]): BaselineComparison | undefined {
  if (comparisons.length === 0) return undefined;
  return {
    source: [...new Set(comparisons.map((c) => c.source))].join('; '),
    margin: comparisons[0].margin,
    regressed: comparisons.some((c) => c.regressed),
    variants: comparisons.flatMap((c) => c.variants),
  };
}

function mergeHardware(reports: Report[]): Record<string, unknown> {
  if (reports.length === 1) return reports[0].hardware;
  const summaries = [
    ...new Set(reports.map((r) => r.hardware?.summary).filter((s): s is string => typeof s === 'string')),
  ];
  return { summary: summaries.join('; '), jobs: reports.map((r) => r.hardware) };
}

/**
 * One report from several of the same model: variants in file order, passed only when every
 * report passed, the cache a hit only when every job hit. Two reports of different models,
 * or the same variant twice, are a UserError naming both files.
 */
export function mergeReports(files: ReportFile[]): Report {
  if (files.length === 0)
    throw new UserError(
      'merge-reports: no report.json found. Pass report files or the folders holding them.',
    );
  const first = files[0];
  const owners = new Map<string, string>();
  for (const { path: file, report } of files) {
    if (report.model.sha256 !== first.report.model.sha256) {
      throw new UserError(
        `${file}: model sha256 ${report.model.sha256.slice(0, 12)} differs from ${first.report.model.sha256.slice(0, 12)} in ${first.path}; merge the reports of one model at a time.`,
      );
    }
    for (const v of report.variants) {
      const name = `${v.target}/${v.precision}`;
      const owner = owners.get(name);
      if (owner !== undefined) {
        throw new UserError(
          `${file}: variant ${name} is also in ${owner}; each variant must come from one job.`,
        );
      }
      owners.set(name, file);
    }
  }
  const reports = files.map((f) => f.report);
  const merged: Report = {
    tool: first.report.tool,
    model: first.report.model,
    variants: reports.flatMap((r) => r.variants),
    hardware: mergeHardware(reports),
    cache: { hit: reports.every((r) => r.cache?.hit === true), key: first.report.cache?.key ?? '' },
    passed:
      reports.every((r) => r.passed) && reports.every((r) => r.variants.every((v) => v.status === 'pass')),
  };
  const baseline = mergeBaselines(reports.map((r) => r.baseline).filter((b): b is BaselineComparison => !!b));
  if (baseline) merged.baseline = baseline;
  return merged;
}

/** Finds, reads and merges the reports under `inputs`; writes report.json and summary.md into `outDir`. */
export function mergeReportFiles(inputs: string[], outDir: string): Report {
  const written = path.resolve(outDir, REPORT_FILE_NAME);
  const files = findReportFiles(inputs)
    .filter((file) => path.resolve(file) !== written) // a merged report from an earlier run
    .map((file) => ({ path: file, report: readReportFile(file) }));
  const merged = mergeReports(files);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, REPORT_FILE_NAME), JSON.stringify(merged, null, 2) + '\n');
  writeFileSync(path.join(outDir, 'summary.md'), renderSummary(merged));
  return merged;
}
