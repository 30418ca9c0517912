// The bundled Action (dist/index.js) run as GitHub runs it: INPUT_* variables, a step
// summary file and an output file, and no Actions runtime token.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-dist-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function runDist(inputs: Record<string, string>): {
  status: number | null;
  stdout: string;
  summary: string;
  outputs: string;
} {
  const summaryFile = path.join(tmp, 'summary.md');
  const outputFile = path.join(tmp, 'output.txt');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: tmp,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    GITHUB_JOB: 'convert',
    RUNNER_TEMP: tmp,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const r = spawnSync(process.execPath, [path.join(repo, 'dist/index.js')], {
    cwd: repo,
    env,
    encoding: 'utf8',
  });
  return {
    status: r.status,
    stdout: r.stdout,
    summary: readFileSync(summaryFile, 'utf8'),
    outputs: readFileSync(outputFile, 'utf8'),
  };
}

test('writes the job summary and outputs, skips cache and artifacts with warnings, exits 0', () => {
  const out = path.join(tmp, 'out');
  const r = runDist({
    model: 'examples/tiny/model.onnx',
    config: 'examples/tiny/convert.yml',
    'output-dir': out,
    targets: 'onnx',
    precisions: 'fp32',
    cache: 'true',
    'upload-artifacts': 'true',
    'fail-on': 'violation',
  });
  expect(r.status).toBe(0);
  expect(r.summary).toContain('| precision | bytes | compression | cosine | rel_l2 | max_abs | status |');
  expect(r.summary).toMatch(/\| fp32 \| 46\.0 KiB \| 1\.00× \| 1 \| 0 \| 0 \| ✅ pass \|/);
  expect(r.outputs).toMatch(/passed<<ghadelimiter_[\w-]+\ntrue\n/);
  expect(r.outputs).toContain(path.join(out, 'report.json'));
  expect(r.stdout).toMatch(/::warning::cache skipped: no Actions runtime token/);
  expect(r.stdout).toMatch(/::warning::artifacts skipped/);
  expect(existsSync(path.join(out, 'onnx/fp32/model.onnx'))).toBe(true);
});

test('a missing model fails the step with one line and exit 2', () => {
  const out = path.join(tmp, 'out');
  const r = runDist({
    model: 'nope.onnx',
    'output-dir': out,
    'fail-on': 'violation',
    cache: 'false',
    'upload-artifacts': 'false',
  });
  expect(r.status).toBe(2);
  expect(r.stdout).toMatch(/::error::nope\.onnx: file not found/);
  expect(existsSync(out)).toBe(false);
});
