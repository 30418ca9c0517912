// Generation-time constant folding: input-independent subgraphs are evaluated once with
// ONNX Runtime and replaced by initializers — but dequantization stays (quantized weights
// stay quantized), results that would grow the model stay nodes, and weights read
// elsewhere are not duplicated. Folded and original models give the same outputs.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeModel } from '../../../src/onnx/model-io.js';
import type { ModelProto } from '../../../src/onnx/proto/index.js';
import { foldConstants } from '../../../src/targets/webnn/fold-constants.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';
import { buildModel, tensor, valuesFor, type ModelSpec } from './cross-check.js';

const i64 = (name: string, data: number[], dims: number[] = [data.length]) =>
  tensor(name, 'int64', dims, { data, constant: true });

async function outputsOf(
  model: ModelProto,
  feeds: Parameters<Awaited<ReturnType<typeof createOrtRunner>>['run']>[0],
) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fold-'));
  try {
    writeModel(model, path.join(dir, 'm.onnx'));
    const runner = await createOrtRunner(path.join(dir, 'm.onnx'));
    const out = await runner.run(feeds);
    await runner.dispose();
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ops = (m: ModelProto) => m.graph!.node!.map((n) => n.opType);

test('Shape → Gather → Cast chains on constants fold; results are unchanged', async () => {
  const spec: ModelSpec = {
    nodes: [
      { op: 'Shape', inputs: ['w'], outputs: ['s'] },
      { op: 'Gather', inputs: ['s', 'one'], outputs: ['n'] },
      { op: 'Cast', inputs: ['n'], outputs: ['nf'], attrs: { to: 1 } },
      { op: 'Sqrt', inputs: ['nf'], outputs: ['r'] },
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['p'] },
      { op: 'Div', inputs: ['p', 'r'], outputs: ['y'] },
    ],
    tensors: [
      tensor('x', 'float32', [2, 3]),
      tensor('w', 'float32', [3, 4], { constant: true }),
      i64('one', [1], []),
    ],
    outputs: [{ name: 'y', dtype: 'float32', dims: [2, 4] }],
  };
  const model = buildModel(spec);
  const { model: folded, folded: count } = await foldConstants(model, 'm.onnx');
  expect(count).toBe(4);
  expect(ops(folded)).toEqual(['MatMul', 'Div']);
  const feeds = { x: valuesFor(spec.tensors[0]) };
  expect(Array.from((await outputsOf(folded, feeds)).y.data as Float32Array)).toEqual(
    Array.from((await outputsOf(model, feeds)).y.data as Float32Array),
  );
});

test('DequantizeLinear is never folded, growing results stay nodes, shared weights are not copied', async () => {
  const spec: ModelSpec = {
    nodes: [
      { op: 'DequantizeLinear', inputs: ['q', 'scale'], outputs: ['wq'] },
      {
        op: 'ConstantOfShape',
        inputs: ['shape'],
        outputs: ['big'],
        attrs: { value: { tensor: tensor('v', 'float32', [1], { data: [1] }) } },
      },
      { op: 'Transpose', inputs: ['w'], outputs: ['wt'] },
      { op: 'MatMul', inputs: ['x', 'wq'], outputs: ['a'] },
      { op: 'MatMul', inputs: ['x', 'wt'], outputs: ['b'] },
      { op: 'MatMul', inputs: ['a', 'w'], outputs: ['c'] },
      { op: 'Add', inputs: ['big', 'b'], outputs: ['y'] },
    ],
    tensors: [
      tensor('x', 'float32', [64, 64]),
      tensor('q', 'int8', [64, 64], { constant: true, low: -128, high: 128 }),
      tensor('scale', 'float32', [], { constant: true, data: [0.01] }),
      i64('shape', [64, 64]),
      tensor('w', 'float32', [64, 64], { constant: true }),
    ],
    outputs: [
      { name: 'y', dtype: 'float32', dims: [64, 64] },
      { name: 'c', dtype: 'float32', dims: [64, 64] },
    ],
  };
  const { model: folded, folded: count } = await foldConstants(buildModel(spec), 'm.onnx');
  expect(count).toBe(0);
  expect(ops(folded).sort()).toEqual([
    'Add',
    'ConstantOfShape',
    'DequantizeLinear',
    'MatMul',
    'MatMul',
    'MatMul',
    'Transpose',
  ]);
});
