// makePlan: flags over convert.yml, paths relative to the config file, validation errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makePlan } from '../../src/pipeline/plan.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-plan-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

test('defaults: onnx, fp32, 3 samples, seed 0, int range [0, 8)', () => {
  const p = makePlan({ model: 'm.onnx' });
  expect([p.targets, p.precisions, p.samples, p.seed, p.intRange, p.outDir]).toEqual([
    ['onnx'],
    ['fp32'],
    3,
    0,
    [0, 8],
    'model-convert-out',
  ]);
});

test('convert.yml values apply, relative to the file; flags override them', () => {
  const cfg = path.join(tmp, 'convert.yml');
  writeFileSync(
    cfg,
    'model: sub/m.onnx\ninputs: in.npz\nsamples: 5\nseed: 7\ndims: { batch: 1 }\nint-range: [2, 4]\n' +
      'tolerance:\n  - { output: logits, max_abs: 0.001 }\n',
  );
  const p = makePlan({ model: '', config: cfg });
  expect(p.model).toBe(path.join(tmp, 'sub/m.onnx'));
  expect(p.inputsFile).toBe(path.join(tmp, 'in.npz'));
  expect([p.samples, p.seed, p.dims, p.intRange]).toEqual([5, 7, { batch: 1 }, [2, 4]]);
  expect(p.tolerance).toEqual([{ output: 'logits', max_abs: 0.001 }]);
  const q = makePlan({ model: 'other.onnx', config: cfg, samples: '2', seed: 3, tolerance: 'strict' });
  expect([q.model, q.samples, q.seed, q.tolerancePreset]).toEqual(['other.onnx', 2, 3, 'strict']);
});

test.each([
  ['samples: 0\n', /samples must be >= 1/],
  ['dims: { batch: -1 }\n', /dims\.batch must be >= 1/],
  ['int-range: [4, 4]\n', /int-range \[4, 4\] is empty/],
  ['tolerance: [{ cosin: 0.9 }]\n', /cosin is not a tolerance key/],
])('bad convert.yml %j → UserError', (yaml, message) => {
  const cfg = path.join(tmp, 'c.yml');
  writeFileSync(cfg, yaml);
  expect(() => makePlan({ model: 'm.onnx', config: cfg })).toThrow(message);
});

test('no model anywhere → UserError saying where to give one', () => {
  expect(() => makePlan({ model: '' })).toThrow(/no model given/);
});
