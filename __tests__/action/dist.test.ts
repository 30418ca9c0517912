// The bundled Action (dist/index.js) run as GitHub runs it: INPUT_* variables, a step
// summary file, an output file, an event payload, and no Actions runtime token. Also the
// reusable workflow's merge step, run by bash against the bundled CLI (dist/cli).
// Run `npm run build` first: these tests exercise dist/, not src/.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Report } from '../../src/report/types.js';
import { writeDropoutModel } from './fixtures/dropout-model.js';

const repo = path.resolve(import.meta.dirname, '../..');
let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-dist-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function runDist(
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
): {
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
    ...extraEnv,
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
  expect(r.summary).toContain(
    '| precision | bytes | compression | cosine | rel_l2 | max_abs | top-1 | status |',
  );
  expect(r.summary).toMatch(/\| fp32 \| 46\.0 KiB \| 1\.00× \| 1 \| 0 \| 0 \| 1 \| ✅ pass \|/);
  expect(r.summary).toContain('```mermaid\nquadrantChart\n');
  expect(r.outputs).toMatch(/passed<<ghadelimiter_[\w-]+\ntrue\n/);
  expect(r.outputs).toContain(path.join(out, 'report.json'));
  expect(r.stdout).toMatch(/::warning::cache skipped: no Actions runtime token/);
  expect(r.stdout).toMatch(/::warning::artifacts skipped/);
  expect(existsSync(path.join(out, 'onnx/fp32/model.onnx'))).toBe(true);
});

test('the bundled Action emits webgpu and webnn modules whose copied kernels run (Dawn, reference WebNN)', () => {
  // Lowerings are copied into model.js as source text: the bundler must not break their names.
  const out = path.join(tmp, 'out');
  const r = runDist({
    model: 'examples/tiny/model.onnx',
    'output-dir': out,
    targets: 'webgpu, webnn',
    precisions: 'fp32, int8',
    cache: 'false',
    'upload-artifacts': 'false',
    'fail-on': 'violation',
  });
  expect(r.status).toBe(0);
  const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
  expect(report.variants.map((v) => `${v.target}/${v.precision} ${v.status}`)).toEqual([
    'webgpu/fp32 pass',
    'webgpu/int8 pass',
    'webnn/fp32 pass',
    'webnn/int8 pass',
  ]);
  expect(report.variants.find((v) => v.target === 'webgpu')!.runtime).toMatch(/^Dawn webgpu/);
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

/** A pull_request payload for base branch `main`, the dropout model (fp32 error ≈ 0.2) and loose bounds. */
function pullRequestRun(baseline: {
  rel_l2: number;
  cosine: number;
}): ReturnType<typeof runDist> & { out: string } {
  const event = path.join(tmp, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({ action: 'synchronize', pull_request: { number: 5, base: { ref: 'main' } } }),
  );
  const tolerance = path.join(tmp, 'tolerance.yml');
  writeFileSync(tolerance, '- { rel_l2: 0.5, cosine: 0.5 }\n');
  const metrics = { max_abs: 0, mean_abs: 0, snr_db: 30, top1_agree: 1, nan: 0, inf: 0, ...baseline };
  const baselineFile = path.join(tmp, 'baseline.json');
  writeFileSync(
    baselineFile,
    JSON.stringify({
      tool: { name: 'model-convert', version: '0.1.0' },
      model: { path: 'dropout.onnx', sha256: '00'.repeat(32), format: 'onnx', bytes: 1, parameters: 0 },
      variants: [
        {
          target: 'onnx',
          precision: 'fp32',
          files: ['onnx/fp32/model.onnx'],
          bytes: 1,
          compression: 1,
          reference: 'source',
          runtime: '',
          metrics,
          outputs: { y: metrics },
          tolerance: {},
          status: 'pass',
          samples: 3,
          seconds: { convert: 0, verify: 0 },
        },
      ],
      hardware: {},
      cache: { hit: false, key: '' },
      passed: true,
    }),
  );
  const out = path.join(tmp, 'out');
  const r = runDist(
    {
      model: writeDropoutModel(path.join(tmp, 'dropout.onnx')),
      'output-dir': out,
      tolerance,
      baseline: baselineFile,
      'regression-margin': '0.1',
      cache: 'true',
      'upload-artifacts': 'true',
    },
    { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event },
  );
  return { ...r, out };
}

test('pull_request with a baseline whose error was smaller: tables, Mermaid, deltas, exit 1', () => {
  const r = pullRequestRun({ rel_l2: 0.02, cosine: 0.9998 });
  expect(r.status).toBe(1);
  expect(r.summary).toMatch(/^## model-convert: dropout\.onnx — ❌ regressed against the base branch\n/);
  expect(r.summary).toContain(
    '| precision | bytes | compression | cosine | rel_l2 | max_abs | top-1 | status |',
  );
  expect(r.summary).toContain('```mermaid\nquadrantChart\n');
  expect(r.summary).toContain('### Compared with the base branch — ❌ regressed');
  expect(r.summary).toMatch(/\| onnx\/fp32 \| 0\.02 → 0\.\d+ \| \+\d+% \|/);
  expect(r.stdout).toMatch(
    /::error::accuracy regressed against .*baseline\.json: onnx\/fp32 \(rel_l2 0\.02 → /,
  );
  expect(r.outputs).toMatch(/regressed<<ghadelimiter_[\w-]+\ntrue\n/);
  expect(r.outputs).toMatch(/passed<<ghadelimiter_[\w-]+\nfalse\n/);
  const report = JSON.parse(readFileSync(path.join(r.out, 'report.json'), 'utf8')) as Report;
  expect(report.baseline?.regressed).toBe(true);
  expect(readFileSync(path.join(r.out, 'summary.md'), 'utf8')).toBe(r.summary);
});

test('pull_request with a baseline whose error was larger: deltas shown, exit 0; no token: cache and artifacts skipped', () => {
  const r = pullRequestRun({ rel_l2: 0.45, cosine: 0.9 });
  expect(r.status).toBe(0);
  expect(r.summary).toMatch(/^## model-convert: dropout\.onnx — ✅ passed\n/);
  expect(r.summary).toContain('### Compared with the base branch — ✅ no regression');
  expect(r.summary).toMatch(/\| onnx\/fp32 \| 0\.45 → 0\.\d+ \| -\d+% \|/);
  expect(r.outputs).toMatch(/regressed<<ghadelimiter_[\w-]+\nfalse\n/);
  expect(r.stdout).toMatch(/::warning::cache skipped: no Actions runtime token/);
  expect(r.stdout).toMatch(/::warning::artifacts skipped: no Actions runtime token/);
});

/** The `run:` script of a convert.yml step, by step id. */
function workflowScript(jobId: string, stepId: string): string {
  const workflow = parseYaml(readFileSync(path.join(repo, '.github/workflows/convert.yml'), 'utf8')) as {
    jobs: Record<string, { steps: { id?: string; run?: string }[] }>;
  };
  return workflow.jobs[jobId].steps.find((s) => s.id === stepId)!.run!;
}

function runWorkflowStep(
  script: string,
  env: Record<string, string>,
): { status: number | null; outputs: string; summary: string } {
  const outputFile = path.join(tmp, 'step-output.txt');
  const summaryFile = path.join(tmp, 'step-summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const r = spawnSync('bash', ['-e', '-c', script], {
    cwd: tmp,
    env: {
      PATH: process.env.PATH ?? '',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...env,
    },
    encoding: 'utf8',
  });
  return {
    status: r.status,
    outputs: readFileSync(outputFile, 'utf8'),
    summary: readFileSync(summaryFile, 'utf8'),
  };
}

test('convert.yml: the plan step splits targets; the merge step gives one summary, passed and report', () => {
  const plan = runWorkflowStep(workflowScript('plan', 'targets'), { TARGETS: 'onnx, webgpu\nonnx' });
  expect([plan.status, plan.outputs]).toEqual([0, 'json=["onnx","webgpu"]\n']);
  expect(runWorkflowStep(workflowScript('plan', 'targets'), { TARGETS: ' ' }).status).toBe(2);

  symlinkSync(repo, path.join(tmp, '.model-convert'));
  const converted = runDist({
    model: 'examples/tiny/model.onnx',
    'output-dir': path.join(tmp, 'out'),
    cache: 'false',
    'upload-artifacts': 'false',
  });
  expect(converted.status).toBe(0);
  mkdirSync(path.join(tmp, 'reports', 'model-convert-report-onnx'), { recursive: true });
  writeFileSync(
    path.join(tmp, 'reports', 'model-convert-report-onnx', 'report.json'),
    readFileSync(path.join(tmp, 'out', 'report.json')),
  );
  const merged = runWorkflowStep(workflowScript('merge', 'merge'), { CONVERT_RESULT: 'success' });
  expect(merged.status).toBe(0);
  expect(merged.summary).toMatch(/^## model-convert: model\.onnx — ✅ passed\n/);
  expect(merged.outputs).toMatch(/^passed=true\nreport<<MODEL_CONVERT_REPORT_EOF\n\{/);
  const reportText = merged.outputs.split('\n').slice(2, -2).join('\n');
  expect((JSON.parse(reportText) as Report).variants.map((v) => v.precision)).toEqual(['fp32']);

  const crashed = runWorkflowStep(workflowScript('merge', 'merge'), { CONVERT_RESULT: 'failure' });
  expect(crashed.status).toBe(1);
  expect(crashed.outputs.startsWith('passed=false\n')).toBe(true);
});
