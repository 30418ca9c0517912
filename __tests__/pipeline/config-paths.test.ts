// Covers src/pipeline/config-paths.ts through makePlan and the CLI: paths in convert.yml are
// relative to it and stay inside its folder or the workspace (absolute paths, ".." out of
// both, and symbolic links that lead out are refused with exit 2); flags are taken as given.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { makePlan } from '../../src/pipeline/plan.js';

let tmp: string;
let workspace: string;
const savedWorkspace = process.env.GITHUB_WORKSPACE;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-config-paths-'));
  workspace = path.join(tmp, 'repo');
  mkdirSync(path.join(workspace, 'ci'), { recursive: true });
  process.env.GITHUB_WORKSPACE = workspace;
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
  if (savedWorkspace === undefined) delete process.env.GITHUB_WORKSPACE;
  else process.env.GITHUB_WORKSPACE = savedWorkspace;
});

function config(text: string, at = 'ci/convert.yml'): string {
  const file = path.join(workspace, at);
  writeFileSync(file, text);
  return file;
}

test('relative paths resolve against the config, and ".." may reach the workspace', () => {
  const plan = makePlan({
    model: '',
    config: config(
      'model: ../models/m.onnx\ninputs: in.npz\noutput-dir: out\nquantization: { calibration-inputs: c.npz }\n',
    ),
  });
  expect(plan.model).toBe(path.join(workspace, 'models/m.onnx'));
  expect(plan.inputsFile).toBe(path.join(workspace, 'ci/in.npz'));
  expect(plan.outDir).toBe(path.join(workspace, 'ci/out'));
  expect(plan.calibrationInputs).toBe(path.join(workspace, 'ci/c.npz'));
});

test.each([
  [
    'model',
    'model: /etc/passwd\n',
    /model "\/etc\/passwd" is an absolute path; paths in convert.yml are relative to its folder/,
  ],
  [
    'output-dir',
    'model: m.onnx\noutput-dir: ../../outside\n',
    /output-dir "..\/..\/outside" leads outside the config's folder and the workspace/,
  ],
  ['inputs', 'model: m.onnx\ninputs: ../../../../../etc/shadow\n', /inputs ".+" leads outside/],
  [
    'calibration-inputs',
    'model: m.onnx\nquantization: { calibration-inputs: /tmp/c.npz }\n',
    /quantization.calibration-inputs "\/tmp\/c.npz" is an absolute path/,
  ],
  [
    'pytorch.python',
    'model: m.pt\npytorch: { python: ../../bin/python3 }\n',
    /pytorch.python ".+" leads outside/,
  ],
])('%s leaving the workspace is refused', (_, text, message) => {
  expect(() => makePlan({ model: '', config: config(text) })).toThrow(message);
});

test('a symbolic link inside the workspace that leads out is refused; one that stays in is fine', () => {
  mkdirSync(path.join(tmp, 'elsewhere'));
  symlinkSync(path.join(tmp, 'elsewhere'), path.join(workspace, 'ci/out-link'));
  expect(() => makePlan({ model: '', config: config('model: m.onnx\noutput-dir: out-link/run1\n') })).toThrow(
    /output-dir "out-link\/run1" leads outside the config's folder and the workspace \(to .*elsewhere\/run1\)/,
  );
  mkdirSync(path.join(workspace, 'models'));
  symlinkSync(path.join(workspace, 'models'), path.join(workspace, 'ci/models-link'));
  expect(makePlan({ model: '', config: config('model: models-link/m.onnx\n') }).model).toBe(
    path.join(workspace, 'ci/models-link/m.onnx'),
  );
});

test("flags are the workflow's own: an absolute --out is taken as given", () => {
  const out = path.join(tmp, 'anywhere');
  expect(makePlan({ model: '', config: config('model: m.onnx\n'), outDir: out }).outDir).toBe(out);
});

test('the CLI exits 2 with one line and writes nothing outside', async () => {
  let err = '';
  const code = await runCli(['convert', '--config', config('model: m.onnx\noutput-dir: ../../escaped\n')], {
    out: () => {},
    err: (t) => (err += `${t}\n`),
  });
  expect(code).toBe(2);
  expect(err.trim().split('\n')).toHaveLength(1);
  expect(err).toMatch(/^error: .*convert\.yml: output-dir "..\/..\/escaped" leads outside/);
});
