// mergeReports / mergeReportFiles: the per-target reports of one model become one report,
// one summary and one verdict; mixing models or repeating a variant is a one-line UserError.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isUserError } from '../../src/errors.js';
import { findReportFiles, mergeReportFiles, mergeReports, readReportFile } from '../../src/report/merge.js';
import type { Report, VariantReport } from '../../src/report/types.js';
import { runCli } from '../../src/cli/main.js';

function variant(target: string, precision: string, status: VariantReport['status'] = 'pass'): VariantReport {
  const m = {
    max_abs: 0,
    mean_abs: 0,
    rel_l2: 0.01,
    cosine: 0.999,
    snr_db: 40,
    top1_agree: 1,
    nan: 0,
    inf: 0,
  };
  return {
    target,
    precision,
    files: [`${target}/${precision}/model.onnx`],
    bytes: 10,
    compression: 0.5,
    reference: 'source',
    runtime: 'ort',
    metrics: m,
    outputs: { y: m },
    tolerance: { rel_l2: 0.1 },
    status,
    samples: 3,
    seconds: { convert: 0, verify: 0 },
  };
}

function report(variants: VariantReport[], fields: Partial<Report> = {}): Report {
  return {
    tool: { name: 'model-convert', version: '0.1.0' },
    model: { path: 'm.onnx', sha256: 'ab'.repeat(32), format: 'onnx', bytes: 20, parameters: 5 },
    variants,
    hardware: { summary: 'runner A' },
    cache: { hit: true, key: 'k1' },
    passed: variants.every((v) => v.status === 'pass'),
    ...fields,
  };
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-merge-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function writeReport(rel: string, r: Report): string {
  const file = path.join(tmp, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(r));
  return file;
}

function userErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isUserError(e)) return e.message;
    throw e;
  }
  throw new Error('expected a UserError');
}

test('variants in file order, verdict and cache from all reports, hardware of each job', () => {
  const merged = mergeReports([
    { path: 'a/report.json', report: report([variant('onnx', 'fp32')]) },
    {
      path: 'b/report.json',
      report: report([variant('webgpu', 'fp16', 'fail')], {
        hardware: { summary: 'runner B' },
        cache: { hit: false, key: 'k2' },
      }),
    },
  ]);
  expect(merged.variants.map((v) => `${v.target}/${v.precision}`)).toEqual(['onnx/fp32', 'webgpu/fp16']);
  expect(merged.passed).toBe(false);
  expect(merged.cache).toEqual({ hit: false, key: 'k1' });
  expect(merged.hardware.summary).toBe('runner A; runner B');
});

test('different models or a repeated variant are refused, naming both files', () => {
  const other = report([variant('webgpu', 'fp16')], {
    model: { ...report([]).model, sha256: 'cd'.repeat(32) },
  });
  expect(
    userErrorOf(() =>
      mergeReports([
        { path: 'a.json', report: report([variant('onnx', 'fp32')]) },
        { path: 'b.json', report: other },
      ]),
    ),
  ).toBe(
    'b.json: model sha256 cdcdcdcdcdcd differs from abababababab in a.json; merge the reports of one model at a time.',
  );
  expect(
    userErrorOf(() =>
      mergeReports([
        { path: 'a.json', report: report([variant('onnx', 'fp32')]) },
        { path: 'b.json', report: report([variant('onnx', 'fp32')]) },
      ]),
    ),
  ).toBe('b.json: variant onnx/fp32 is also in a.json; each variant must come from one job.');
});

test('mergeReportFiles finds report.json under folders, skips its own output and writes report and summary', () => {
  writeReport('reports/model-convert-onnx/report.json', report([variant('onnx', 'fp32')]));
  writeReport('reports/model-convert-webgpu/report.json', report([variant('webgpu', 'fp16')]));
  writeReport('reports/notes.txt', report([]));
  const out = path.join(tmp, 'reports', 'merged');
  writeReport('reports/merged/report.json', report([variant('onnx', 'fp32')])); // from an earlier merge
  const merged = mergeReportFiles([path.join(tmp, 'reports')], out);
  expect(merged.variants).toHaveLength(2);
  expect(merged.passed).toBe(true);
  expect(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')).variants).toHaveLength(2);
  const summary = readFileSync(path.join(out, 'summary.md'), 'utf8');
  expect(summary).toContain('### onnx');
  expect(summary).toContain('### webgpu');
  expect(summary).toContain('Hardware: runner A');
});

test('bad inputs are one-line UserErrors naming the file', () => {
  expect(userErrorOf(() => findReportFiles([path.join(tmp, 'none')]))).toBe(
    `${path.join(tmp, 'none')}: not found. Pass report.json files or folders that contain them.`,
  );
  const notJson = path.join(tmp, 'x.json');
  writeFileSync(notJson, '{');
  expect(userErrorOf(() => readReportFile(notJson))).toMatch(
    /^.*x\.json: not readable as JSON \(.*\)\. Pass a report\.json/,
  );
  writeFileSync(notJson, '{"variants": []}');
  expect(userErrorOf(() => readReportFile(notJson))).toContain('x.json: not a model-convert report');
  expect(userErrorOf(() => mergeReportFiles([tmp], path.join(tmp, 'out')))).toBe(
    'merge-reports: no report.json found. Pass report files or the folders holding them.',
  );
});

test('model-convert merge-reports exits 0 when every report passed and 1 when one failed', async () => {
  writeReport('pass/report.json', report([variant('onnx', 'fp32')]));
  const lines: string[] = [];
  const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
  expect(await runCli(['merge-reports', path.join(tmp, 'pass'), '--out', path.join(tmp, 'm1')], io)).toBe(0);
  expect(lines.join('\n')).toContain(`report: ${path.join(tmp, 'm1', 'report.json')}`);
  writeReport('fail/report.json', report([variant('webgpu', 'int4', 'fail')]));
  expect(
    await runCli(
      ['merge-reports', path.join(tmp, 'pass'), path.join(tmp, 'fail'), '--out', path.join(tmp, 'm2')],
      io,
    ),
  ).toBe(1);
  expect(await runCli(['merge-reports', path.join(tmp, 'missing'), '--out', path.join(tmp, 'm3')], io)).toBe(
    2,
  );
});
