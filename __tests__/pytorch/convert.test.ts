// PyTorch sources through the CLI with a real torch (/usr/bin/python3, Debian's python3-torch):
// TorchScript (traced and scripted), a state_dict with its module class, a pickled module, the
// check of the exported ONNX against PyTorch's own outputs, and every one-line error.
// The source files are built once, in a temp folder, by fixtures/pytorch/make_modules.py.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import type { GitHubIO } from '../../src/action/github-io.js';
import { runAction } from '../../src/action/main.js';
import { runCli } from '../../src/cli/main.js';
import { readModel } from '../../src/onnx/model-io.js';
import { NEEDS_TORCH_MESSAGE } from '../../src/pytorch/export.js';
import type { Report } from '../../src/report/types.js';
import { createOrtRunner } from '../../src/verify/ort-runner.js';

const repo = path.resolve(import.meta.dirname, '../..');
const PYTHON = '/usr/bin/python3';

let work: string;
let fixtures: string;
let runs = 0;
/** What make_modules.py reports about the installed torch. */
let torchFacts: { torch: string; torch_export: boolean };

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'mc-pytorch-'));
  fixtures = path.join(work, 'models');
  mkdirSync(fixtures);
  const printed = execFileSync(
    PYTHON,
    [path.join(repo, '__tests__/fixtures/pytorch/make_modules.py'), fixtures],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  torchFacts = JSON.parse(String(printed));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Converted {
  code: number;
  out: string;
  err: string;
  /** The lines the CLI printed as errors ("error: …"). */
  errors: string[];
  report?: Report;
  outDir: string;
}

/** `model-convert convert fixtures/<model> --python /usr/bin/python3 [--config <yaml>] …flags`. */
async function convert(model: string, config: string | undefined, ...flags: string[]): Promise<Converted> {
  const outDir = path.join(work, `out-${++runs}`);
  const args = ['convert', path.join(fixtures, model), '--out', outDir, '--no-cache'];
  if (config !== undefined) {
    const file = path.join(fixtures, `convert-${runs}.yml`);
    writeFileSync(file, config);
    args.push('--config', file);
  }
  if (!flags.includes('--python')) args.push('--python', PYTHON);
  let out = '';
  let err = '';
  const code = await runCli([...args, ...flags], {
    out: (t) => (out += `${t}\n`),
    err: (t) => (err += `${t}\n`),
  });
  const reportFile = path.join(outDir, 'report.json');
  const report = existsSync(reportFile)
    ? (JSON.parse(readFileSync(reportFile, 'utf8')) as Report)
    : undefined;
  const errors = err.split('\n').filter((l) => l.startsWith('error:'));
  return { code, out, err, errors, report, outDir };
}

function variant(report: Report | undefined, target: string, precision: string) {
  const found = report?.variants.find((v) => v.target === target && v.precision === precision);
  if (!found) throw new Error(`no ${target}/${precision} in ${JSON.stringify(report?.variants)}`);
  return found;
}

const CNN = 'pytorch:\n  inputs:\n    - { name: x, shape: [batch, 3, 16, 16] }\n  outputs: [logits]\n';

describe('TorchScript sources convert and match PyTorch', () => {
  test('a traced conv net with a dynamic batch axis: onnx/fp32 checked against pytorch, batch stays symbolic', async () => {
    const r = await convert('cnn.pt', `${CNN}dims: { batch: 3 }\n`);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const report = r.report!;
    expect(report.model.format).toBe('pytorch');
    expect(report.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.model.bytes).toBe(readFileSync(path.join(fixtures, 'cnn.pt')).length);
    expect(report.model.export).toMatchObject({ kind: 'torchscript', opset: 17, python: PYTHON });
    expect(report.model.export!.torch).toBe(torchFacts.torch);
    expect(report.model.export!.seconds).toBeGreaterThan(0);
    const onnx = variant(report, 'onnx', 'fp32');
    expect([onnx.reference, onnx.status, onnx.samples]).toEqual(['pytorch', 'pass', 3]);
    expect(onnx.metrics!.rel_l2).toBeLessThan(1e-6);
    expect(Object.keys(onnx.outputs)).toEqual(['logits']);

    const exported = readModel(path.join(r.outDir, 'onnx/fp32/model.onnx'));
    const dims = exported.proto.graph!.input![0].type!.tensorType!.shape!.dim!;
    expect(dims.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', 3, 16, 16]);
    const runner = await createOrtRunner(path.join(r.outDir, 'onnx/fp32/model.onnx'));
    try {
      const five = {
        x: { dtype: 'float32' as const, dims: [5, 3, 16, 16], data: new Float32Array(5 * 768) },
      };
      expect((await runner.run(five)).logits.dims).toEqual([5, 10]);
    } finally {
      await runner.dispose();
    }
  });

  test('a transformer block with an attention mask: fp32 matches PyTorch, int8 and int4 are compared with the export', async () => {
    const r = await convert(
      'block.pt',
      'pytorch:\n  inputs:\n    - { name: x, shape: [batch, seq, 32] }\n' +
        '    - { name: attention_mask, shape: [batch, seq], dtype: int64 }\n' +
        'dims: { seq: 12 }\n',
      '--precision',
      'fp32,int8,int4',
    );
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const onnx = variant(r.report, 'onnx', 'fp32');
    expect([onnx.reference, onnx.status]).toEqual(['pytorch', 'pass']);
    expect(onnx.metrics!.cosine).toBeGreaterThan(0.99999);
    const int8 = variant(r.report, 'onnx', 'int8');
    expect([int8.reference, int8.status]).toEqual(['onnx/fp32', 'pass']);
    const int4 = variant(r.report, 'onnx', 'int4');
    expect([int4.reference, int4.status]).toEqual(['onnx/fp32', 'pass']);
    expect(int4.bytes).toBeLessThan(onnx.bytes / 2);
    const inputs = readModel(path.join(r.outDir, 'onnx/fp32/model.onnx')).proto.graph!.input!;
    expect(inputs.map((i) => [i.name, i.type!.tensorType!.elemType])).toEqual([
      ['x', 1],
      ['attention_mask', 7],
    ]);
  });

  test('two inputs and two outputs: names from convert.yml, each output compared', async () => {
    const r = await convert(
      'two_io.pt',
      'pytorch:\n  inputs:\n    - { name: a, shape: [batch, 8] }\n    - { name: b, shape: [batch, 4] }\n' +
        '  outputs: [total, gate]\n',
    );
    expect(r.code).toBe(0);
    const onnx = variant(r.report, 'onnx', 'fp32');
    expect(Object.keys(onnx.outputs).sort()).toEqual(['gate', 'total']);
    expect(onnx.outputs.total.rel_l2).toBeLessThan(1e-6);
    expect(onnx.outputs.gate.rel_l2).toBeLessThan(1e-6);
  });

  test('without pytorch.inputs, an .npz inputs file gives names, dtypes and shapes; outputs are output_0, output_1', async () => {
    const npz = path.join(work, 'two_io.npz');
    execFileSync(PYTHON, [
      '-c',
      'import numpy as n, sys; r = n.random.default_rng(1); ' +
        'n.savez(sys.argv[1], b=r.standard_normal((3, 4), dtype=n.float32), a=r.standard_normal((3, 8), dtype=n.float32))',
      npz,
    ]);
    const r = await convert('two_io.pt', undefined, '--inputs', npz);
    expect(r.errors).toEqual([]);
    const onnx = variant(r.report, 'onnx', 'fp32');
    expect([onnx.status, onnx.samples]).toEqual(['pass', 1]);
    expect(Object.keys(onnx.outputs).sort()).toEqual(['output_0', 'output_1']);
    // Bound by forward's parameter names, not the file's order: forward(a, b).
    const inputs = readModel(path.join(r.outDir, 'onnx/fp32/model.onnx')).proto.graph!.input!;
    expect(inputs.map((i) => i.name)).toEqual(['a', 'b']);
  });

  test('a scripted module with control flow exports an If and matches PyTorch on both branches', async () => {
    // Six samples of N(0, 1): with seed 0 their means take both signs (checked below), so both
    // branches of `if x.mean() > 0` run in PyTorch and in ONNX Runtime.
    const config = 'pytorch:\n  inputs:\n    - { name: x, shape: [2, 8] }\nsamples: 6\n';
    const r = await convert('gate.pt', config);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const model = readModel(path.join(r.outDir, 'onnx/fp32/model.onnx'));
    expect(model.proto.graph!.node!.map((n) => n.opType)).toContain('If');
    const onnx = variant(r.report, 'onnx', 'fp32');
    expect([onnx.reference, onnx.status, onnx.samples]).toEqual(['pytorch', 'pass', 6]);

    const { exampleInputs } = await import('../../src/pytorch/example-inputs.js');
    const { makePlan } = await import('../../src/pipeline/plan.js');
    const file = path.join(fixtures, 'gate-check.yml');
    writeFileSync(file, config);
    const plan = makePlan({ model: path.join(fixtures, 'gate.pt'), config: file });
    const means = exampleInputs(plan, plan.pytorch!).samples.map((s) =>
      (s.x.data as Float32Array).reduce((a, b) => a + b, 0),
    );
    expect(means.some((m) => m > 0) && means.some((m) => m < 0)).toBe(true);
  });
});

describe('state_dict and pickled modules', () => {
  const MLP = 'pytorch:\n  inputs:\n    - { name: x, shape: [batch, 8] }\n';

  test('a state_dict converts with module: package.module:Class and constructor args from convert.yml', async () => {
    const r = await convert(
      'mlp_state.pt',
      `${MLP}  module: netpkg.models:Mlp\n  args: [8, 16]\n  kwargs: { outputs: 4 }\n`,
    );
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.report!.model.export!.kind).toBe('state-dict');
    expect(variant(r.report, 'onnx', 'fp32').status).toBe('pass');
  });

  test('a state_dict without a module class is refused, naming pytorch.module', async () => {
    const r = await convert('mlp_state.pt', MLP);
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([
      expect.stringContaining('mlp_state.pt: a state_dict (4 tensors) and no module class'),
    ]);
    expect(r.errors[0]).toContain('pytorch.module: package.module:Class');
    expect(r.report).toBeUndefined();
  });

  test('a pickled nn.Module is refused by default and converts with --allow-pickle', async () => {
    const refused = await convert('mlp_pickled.pt', MLP);
    expect(refused.code).toBe(2);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors[0]).toContain(
      'mlp_pickled.pt: a pickled Python object (it refers to netpkg.models.Mlp); unpickling it runs arbitrary code',
    );
    expect(refused.errors[0]).toContain('allow-pickle: true (--allow-pickle)');
    expect(existsSync(refused.outDir)).toBe(false);

    const allowed = await convert('mlp_pickled.pt', MLP, '--allow-pickle');
    expect(allowed.errors).toEqual([]);
    expect(allowed.code).toBe(0);
    expect(allowed.report!.model.export!.kind).toBe('pickled-module');
    expect(variant(allowed.report, 'onnx', 'fp32').status).toBe('pass');
  });

  test('an export that silently changes numerics fails the pytorch check (exit 1), with the tracer warning', async () => {
    // FrozenScale divides by float(x.std()): tracing freezes sample 0's std into the graph.
    const r = await convert('frozen_state.pt', `${MLP}  module: netpkg.models:FrozenScale\n`);
    expect(r.code).toBe(1);
    const onnx = variant(r.report, 'onnx', 'fp32');
    expect([onnx.reference, onnx.status]).toEqual(['pytorch', 'fail']);
    expect(onnx.metrics!.rel_l2).toBeGreaterThan(1e-3);
    expect(onnx.reason).toContain('rel_l2');
    expect(r.err).toContain('warning: frozen_state.pt: Converting a tensor to a Python float');
    expect(r.report!.passed).toBe(false);
  });
});

describe('errors: one line, exit 2, the traceback only with --verbose', () => {
  test('an op the exporter cannot handle names the op and the exporter message', async () => {
    const config = 'pytorch:\n  inputs:\n    - { name: x, shape: [2, 16] }\n';
    const r = await convert('fft.pt', config);
    expect(r.code).toBe(2);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toContain('fft.pt: the ONNX exporter cannot handle op aten::fft_rfft');
    expect(r.errors[0]).toContain(
      "Exporting the operator 'aten::fft_rfft' to ONNX opset version 17 is not supported.",
    );
    expect(r.err).not.toContain('Traceback');
    const verbose = await convert('fft.pt', config, '--verbose');
    expect(verbose.code).toBe(2);
    expect(verbose.err).toContain('Traceback (most recent call last)');
  });

  test('a module that raises: its last relevant line, and the traceback with --verbose', async () => {
    const config = 'pytorch:\n  module: netpkg.models:Broken\n  inputs:\n    - { name: x, shape: [2, 8] }\n';
    const r = await convert('broken_state.pt', config);
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([
      'error: broken_state.pt: netpkg.models:Broken(...) failed: RuntimeError: Broken is broken on purpose.',
    ]);
    const verbose = await convert('broken_state.pt', config, '--verbose');
    expect(verbose.err).toContain('Traceback (most recent call last)');
    expect(verbose.err).toContain('raise RuntimeError("Broken is broken on purpose")');
  });

  test('a corrupt TorchScript archive: the Python crash as one line', async () => {
    const files = { 'm/constants.pkl': new Uint8Array([1, 2]), 'm/code/__torch__.py': new Uint8Array() };
    writeFileSync(
      path.join(fixtures, 'corrupt.pt'),
      zipSync({ ...files, 'm/data.pkl': new Uint8Array([3]) }),
    );
    const r = await convert('corrupt.pt', 'pytorch:\n  inputs:\n    - { name: x, shape: [2] }\n');
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([
      expect.stringMatching(/^error: corrupt\.pt: the PyTorch export failed: RuntimeError: \S/),
    ]);
    expect(r.errors[0]).toContain('(--verbose shows the traceback)');
  });

  test('an ExportedProgram (.pt2) needs torch.export, which torch 1.x lacks', async () => {
    const pt2 = {
      'm/archive_format': new TextEncoder().encode('pt2'),
      'm/models/model.json': new Uint8Array(),
    };
    writeFileSync(path.join(fixtures, 'program.pt2'), zipSync(pt2));
    const r = await convert('program.pt2', 'pytorch:\n  inputs:\n    - { name: x, shape: [2] }\n');
    if (!torchFacts.torch_export) {
      expect(r.code).toBe(2);
      expect(r.errors[0]).toContain('program.pt2: an ExportedProgram (.pt2), which needs torch.export');
    } else {
      expect(r.errors[0]).not.toContain('which needs torch.export');
    }
  });

  test('python3 absent from PATH, or a path that does not exist', async () => {
    const emptyBin = path.join(work, 'empty-bin');
    mkdirSync(emptyBin, { recursive: true });
    const savedPath = process.env.PATH;
    process.env.PATH = emptyBin;
    let onPath: Converted;
    try {
      onPath = await convert('cnn.pt', CNN, '--python', 'python3');
    } finally {
      process.env.PATH = savedPath;
    }
    expect(onPath.code).toBe(2);
    expect(onPath.errors).toEqual([
      `error: cnn.pt: ${NEEDS_TORCH_MESSAGE} (no "python3" on PATH; pass --python or the python input).`,
    ]);
    const missing = await convert('cnn.pt', CNN, '--python', '/nonexistent/python3');
    expect(missing.code).toBe(2);
    expect(missing.errors[0]).toContain(`${NEEDS_TORCH_MESSAGE} ("/nonexistent/python3" cannot be run`);
  });

  test('a python3 without torch', async () => {
    // Without site-packages (-S), Debian's python3 cannot import torch or numpy.
    const wrapper = path.join(work, 'python3-without-torch');
    writeFileSync(wrapper, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`);
    chmodSync(wrapper, 0o755);
    const r = await convert('cnn.pt', CNN, '--python', wrapper);
    expect(r.code).toBe(2);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toContain(`cnn.pt: ${NEEDS_TORCH_MESSAGE} (`);
    expect(r.errors[0]).toContain('cannot import torch');
  });

  test('an export that runs past pytorch.timeout-seconds is stopped', async () => {
    const config =
      'pytorch:\n  module: netpkg.models:Sleepy\n  timeout-seconds: 2\n  inputs:\n    - { name: x, shape: [2, 8] }\n';
    const started = Date.now();
    const r = await convert('sleepy_state.pt', config);
    expect(r.code).toBe(2);
    expect(r.errors[0]).toContain('did not finish within 2 s and was stopped');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('an opset above what the installed torch exports', async () => {
    const r = await convert('cnn.pt', `${CNN}  opset: 21\n`);
    expect(r.code).toBe(2);
    expect(r.errors[0]).toMatch(
      /cnn\.pt: torch \S+ exports ONNX opsets up to \d+; set pytorch\.opset to \d+ or lower\.$/,
    );
  });

  test('no input spec and no inputs file', async () => {
    const r = await convert('cnn.pt', undefined);
    expect(r.code).toBe(2);
    expect(r.errors[0]).toContain('a PyTorch source needs example inputs');
  });
});

test('the Action converts a pickled module with the python and allow-pickle inputs', async () => {
  const outDir = path.join(work, 'action-out');
  const config = path.join(fixtures, 'action.yml');
  writeFileSync(config, 'pytorch:\n  inputs:\n    - { name: x, shape: [batch, 8] }\n');
  const inputs: Record<string, string> = {
    model: path.join(fixtures, 'mlp_pickled.pt'),
    config,
    python: PYTHON,
    'allow-pickle': 'true',
    'output-dir': outDir,
    cache: 'false',
    'upload-artifacts': 'false',
  };
  const outputs: Record<string, string> = {};
  const failures: string[] = [];
  const gh: GitHubIO = {
    getInput: (name) => inputs[name] ?? '',
    info: () => {},
    warning: () => {},
    setFailed: (msg) => failures.push(msg),
    setOutput: (name, value) => {
      outputs[name] = value;
    },
    writeSummary: async () => {},
    cache: undefined,
    artifacts: undefined,
    env: {},
  };
  const exitCode = await runAction(gh);
  expect(failures).toEqual([]);
  expect(exitCode).toBe(0);
  const report = JSON.parse(readFileSync(outputs.report, 'utf8')) as Report;
  expect(report.model.export!.kind).toBe('pickled-module');
  expect(variant(report, 'onnx', 'fp32').reference).toBe('pytorch');
});
