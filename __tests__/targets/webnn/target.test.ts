// The webnn Target: supports() lists every node it cannot express at once (op, reason),
// and the CLI refuses such a model with exit 2 and one line naming them all, writing
// nothing; emit() writes model.js, model.weights.bin and package.json.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/cli/main.js';
import { writeModel } from '../../../src/onnx/model-io.js';
import { webnnGaps, webnnTarget } from '../../../src/targets/webnn/index.js';
import { buildModel, tensor, type ModelSpec } from './cross-check.js';

const gappy: ModelSpec = {
  nodes: [
    {
      op: 'Einsum',
      inputs: ['x', 'x'],
      outputs: ['e'],
      attrs: { equation: 'ij,ij->ij' },
      name: 'mix/Einsum',
    },
    { op: 'Resize', inputs: ['e', '', 's'], outputs: ['r'], attrs: { mode: 'cubic' }, name: 'up/Resize' },
    { op: 'Relu', inputs: ['r'], outputs: ['a'], name: 'act/Relu' },
    { op: 'Softmax', inputs: ['a'], outputs: ['y'], name: 'head/Softmax' },
    {
      op: 'ReduceMax',
      inputs: ['y'],
      outputs: ['m'],
      attrs: { select_last_index: 1 },
      name: 'unused/ReduceMax',
    },
    { op: 'ArgMax', inputs: ['y'], outputs: ['z'], attrs: { select_last_index: 1 }, name: 'pick/ArgMax' },
  ],
  tensors: [
    tensor('x', 'float32', [1, 1, 2, 2]),
    tensor('s', 'float32', [4], { constant: true, data: [1, 1, 2, 2] }),
  ],
  outputs: [
    { name: 'y', dtype: 'float32', dims: [1, 1, 4, 4] },
    { name: 'z', dtype: 'int64', dims: [1, 1, 4, 1] },
  ],
  opset: 13,
};

test('supports() lists every node the webnn target cannot express, with the reason', () => {
  const gaps = webnnGaps(buildModel(gappy), 'gappy.onnx');
  expect(gaps).toEqual([
    { node: 'mix/Einsum', opType: 'Einsum', reason: 'has no WebNN lowering in this version' },
    {
      node: 'up/Resize',
      opType: 'Resize',
      reason: 'uses cubic interpolation; WebNN resample2d has nearest and linear',
    },
    {
      node: 'pick/ArgMax',
      opType: 'ArgMax',
      reason: 'selects the last index of ties; WebNN returns the first',
    },
  ]);
  expect(webnnTarget.supports(buildModel(gappy), 'fp32')).toHaveLength(3);
});

test('the CLI refuses such a model with exit 2, naming every gap on one line, and writes nothing', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webnn-gaps-'));
  try {
    const model = path.join(dir, 'gappy.onnx');
    writeModel(buildModel(gappy), model);
    let err = '';
    const code = await runCli(['convert', model, '--targets', 'webnn', '--out', path.join(dir, 'out')], {
      out: () => {},
      err: (t) => (err += t),
    });
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    for (const node of ['mix/Einsum', 'up/Resize', 'pick/ArgMax'])
      expect(err).toContain(`webnn/fp32: node "${node}"`);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a model whose input has no element type WebNN holds is refused before any work', () => {
  const spec: ModelSpec = {
    nodes: [{ op: 'Cast', inputs: ['x'], outputs: ['y'], attrs: { to: 1 } }],
    tensors: [tensor('x', 'float64', [3])],
    outputs: [{ name: 'y', dtype: 'float32', dims: [3] }],
  };
  expect(webnnGaps(buildModel(spec), 'f64.onnx')).toEqual([
    {
      node: 'x',
      opType: 'graph input/output',
      reason: 'has element type float64, which WebNN has no data type for',
    },
  ]);
});
