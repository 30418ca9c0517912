// The PyTorch source without torch: convert.yml's `pytorch:` section, the example inputs it
// describes, file detection, traceback lines, and the exporter script embedded for dist/.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makePlan } from '../../src/pipeline/plan.js';
import { exampleInputs } from '../../src/pytorch/example-inputs.js';
import { isPytorchFile, lastRelevantLine } from '../../src/pytorch/export.js';
import { EXPORT_SCRIPT } from '../../src/pytorch/export-script.js';
import { encodeNpy } from '../../src/verify/inputs-file.js';

const repo = path.resolve(import.meta.dirname, '../..');
let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-pytorch-config-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function planWith(yaml: string, extra: Record<string, unknown> = {}) {
  const config = path.join(tmp, 'convert.yml');
  writeFileSync(config, yaml);
  return makePlan({ model: path.join(tmp, 'model.pt'), config, ...extra });
}

test('export-script.ts holds export_model.py exactly (regenerate: node src/pytorch/embed-export-script.mjs)', async () => {
  const py = readFileSync(path.join(repo, 'src/pytorch/export_model.py'), 'utf8');
  expect(EXPORT_SCRIPT).toBe(py);
  const { renderExportScriptModule } = (await import(
    path.join(repo, 'src/pytorch/embed-export-script.mjs')
  )) as { renderExportScriptModule: (text: string) => string };
  expect(readFileSync(path.join(repo, 'src/pytorch/export-script.ts'), 'utf8')).toBe(
    renderExportScriptModule(py),
  );
});

describe('convert.yml pytorch:', () => {
  test('module, args, kwargs, opset, inputs and outputs resolve into plan.pytorch', () => {
    const plan = planWith(
      'pytorch:\n  module: pkg.models:Net\n  args: [8, 16]\n  kwargs: { heads: 2 }\n  opset: 14\n' +
        '  inputs:\n    - { name: ids, shape: [batch, seq], dtype: int64, range: [0, 1000] }\n' +
        '  outputs: [logits, { name: hidden, dynamic-axes: { 0: batch } }]\n',
    );
    expect(plan.pytorch).toEqual({
      python: 'python3',
      allowPickle: false,
      module: 'pkg.models:Net',
      moduleArgs: [8, 16],
      moduleKwargs: { heads: 2 },
      opset: 14,
      inputs: [{ name: 'ids', shape: ['batch', 'seq'], dtype: 'int64', range: [0, 1000] }],
      outputs: [{ name: 'logits' }, { name: 'hidden', dynamicAxes: { 0: 'batch' } }],
      workspace: [tmp, process.cwd()],
      timeoutSeconds: 900,
    });
  });

  test('python: --python wins over convert.yml; a relative path in convert.yml is relative to it', () => {
    expect(planWith('pytorch: { python: venv/bin/python }\n').pytorch!.python).toBe(
      path.join(tmp, 'venv/bin/python'),
    );
    expect(planWith('pytorch: { python: python3.11 }\n').pytorch!.python).toBe('python3.11');
    expect(
      planWith('pytorch: { python: python3.11 }\n', { python: '/usr/bin/python3' }).pytorch!.python,
    ).toBe('/usr/bin/python3');
  });

  test('allow-pickle comes from convert.yml unless the flag sets it', () => {
    expect(planWith('pytorch: { allow-pickle: true }\n').pytorch!.allowPickle).toBe(true);
    expect(planWith('samples: 2\n').pytorch!.allowPickle).toBe(false);
    expect(planWith('samples: 2\n', { allowPickle: true }).pytorch!.allowPickle).toBe(true);
  });

  test.each([
    ['pytorch: { modul: a:B }\n', '"modul" is not a convert.yml key'],
    ['pytorch: { module: "not a class" }\n', 'pytorch.module must match pattern'],
    ['pytorch:\n  inputs: [{ name: x, shape: [2], dtype: complex64 }]\n', 'pytorch.inputs.0.dtype'],
    ['pytorch:\n  inputs: [{ name: x, shape: [0] }]\n', 'pytorch.inputs.0.shape.0'],
    ['pytorch:\n  inputs: [{ name: x, shape: [2] }, { name: x, shape: [3] }]\n', '"x" appears twice'],
    ['pytorch:\n  inputs: [{ name: x, shape: [2], range: [3, 3] }]\n', 'range [3, 3] is empty'],
    ['pytorch:\n  inputs: [{ name: x, shape: [2], dtype: int64, range: [0, 2.5] }]\n', 'needs whole numbers'],
    ['pytorch: { opset: 3 }\n', 'pytorch.opset must be >= 7'],
  ])('%j is refused: %s', (yaml, message) => {
    expect(() => planWith(yaml)).toThrow(message);
  });
});

describe('example inputs', () => {
  test('named dims are dynamic axes sized by dims (defaults otherwise); ranges and masks follow the rules', () => {
    const plan = planWith(
      'samples: 3\ndims: { seq: 6 }\npytorch:\n  inputs:\n' +
        '    - { name: ids, shape: [batch, seq], dtype: int64, range: [5, 50] }\n' +
        '    - { name: attention_mask, shape: [batch, seq], dtype: int64 }\n' +
        '    - { name: scale, shape: [batch, 1], range: [0.5, 2] }\n' +
        '    - { name: noise, shape: [4] }\n',
    );
    const { inputs, samples, dynamicAxes } = exampleInputs(plan, plan.pytorch!);
    expect(inputs.map((i) => [i.name, i.dtype])).toEqual([
      ['ids', 'int64'],
      ['attention_mask', 'int64'],
      ['scale', 'float32'],
      ['noise', 'float32'],
    ]);
    expect(dynamicAxes).toEqual({
      ids: { 0: 'batch', 1: 'seq' },
      attention_mask: { 0: 'batch', 1: 'seq' },
      scale: { 0: 'batch' },
    });
    expect(samples).toHaveLength(3);
    for (const s of samples) {
      expect(s.ids.dims).toEqual([2, 6]);
      const ids = Array.from(s.ids.data as BigInt64Array, Number);
      expect(Math.min(...ids)).toBe(5);
      expect(Math.max(...ids)).toBe(49);
      const scale = Array.from(s.scale.data as Float32Array);
      expect(scale.every((v) => v >= 0.5 && v < 2)).toBe(true);
    }
    const masks = samples.map((s) => Array.from(s.attention_mask.data as BigInt64Array, Number));
    expect(masks[0].every((v) => v === 1)).toBe(true);
    expect(masks[1].some((v) => v === 0)).toBe(true);
    // Deterministic: the same plan gives the same samples.
    expect(exampleInputs(plan, plan.pytorch!).samples).toEqual(samples);
  });

  test('a .npy inputs file without a spec is the single input "input"; a .json needs the spec', () => {
    const npy = path.join(tmp, 'x.npy');
    writeFileSync(npy, encodeNpy({ dtype: 'float32', dims: [2, 3], data: new Float32Array(6).fill(0.5) }));
    const plan = makePlan({ model: path.join(tmp, 'model.pt'), inputs: npy });
    const { inputs, samples } = exampleInputs(plan, plan.pytorch!);
    expect(inputs).toEqual([{ name: 'input', dtype: 'float32', dims: [2, 3] }]);
    expect(Array.from(samples[0].input.data as Float32Array)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);

    const json = path.join(tmp, 'x.json');
    writeFileSync(json, '{"x": [[1, 2]]}');
    const jsonPlan = makePlan({ model: path.join(tmp, 'model.pt'), inputs: json });
    expect(() => exampleInputs(jsonPlan, jsonPlan.pytorch!)).toThrow(
      'an inputs file without pytorch.inputs in convert.yml must be a .npz',
    );
  });
});

test('PyTorch files are told from ONNX by their bytes, not their extension', () => {
  const write = (name: string, bytes: number[]): string => {
    const file = path.join(tmp, name);
    writeFileSync(file, Buffer.from(bytes));
    return file;
  };
  expect(isPytorchFile(write('zip.bin', [0x50, 0x4b, 0x03, 0x04, 0]))).toBe(true);
  expect(isPytorchFile(write('legacy.weights', [0x80, 0x02, 0x8a, 0x0a]))).toBe(true);
  expect(isPytorchFile(write('model.pt', [0x08, 0x07, 0x12, 0x00]))).toBe(false); // an ONNX ModelProto
  expect(isPytorchFile(write('zip.onnx', [0x50, 0x4b, 0x03, 0x04]))).toBe(true);
  expect(isPytorchFile(write('pickle.onnx', [0x80, 0x02, 0x8a, 0x0a]))).toBe(false);
  expect(isPytorchFile(write('short.pt', [0x50, 0x4b]))).toBe(false);
  expect(isPytorchFile(path.join(tmp, 'missing.pt'))).toBe(false);
});

test('lastRelevantLine picks the exception line of a traceback', () => {
  const traceback =
    'Traceback (most recent call last):\n  File "x.py", line 3, in <module>\n    f()\n' +
    'ValueError: shapes do not match\n\nsome trailing log line\n';
  expect(lastRelevantLine(traceback)).toBe('ValueError: shapes do not match');
  expect(lastRelevantLine('Segmentation fault\n')).toBe('Segmentation fault');
});
