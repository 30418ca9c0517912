// Cross-checks of the WebGPU normalization kernels (LayerNormalization and its RMS / skip
// relatives, Softmax / LogSoftmax, BatchNormalization, InstanceNormalization,
// GroupNormalization): each a one-node ONNX model run on ONNX Runtime and as a generated
// webgpu module on Dawn. Covers last and non-last axes, opset < 13 Softmax flattening,
// optional statistics outputs, long rows and many short rows. Floats: rel_l2 ≤ 2e-6.
import { webgpuTarget } from '../../../src/targets/webgpu/index.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeModel, readModel } from '../../../src/onnx/model-io.js';
import type { TensorMap } from '../../../src/onnx/dtype.js';
import { generateWebgpuModule } from '../../../src/targets/webgpu/generate-module.js';
import { buildModel, crossCheck, oneOp, tensor, valuesFor, type ModelSpec } from '../webnn/cross-check.js';

const target = webgpuTarget;
const f = (name: string, dims: (number | string)[], more = {}) => tensor(name, 'float32', dims, more);
const w = (name: string, dims: number[]) => f(name, dims, { constant: true });
const y = (dims: (number | string)[]) => [{ name: 'y', dtype: 'float32' as const, dims }];
const positive = (name: string, dims: number[]) =>
  f(name, dims, {
    constant: true,
    data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => 0.3 + ((i * 7) % 11) / 4),
  });
/** Runs `spec` as a generated webgpu module only (for checks against a float64 reference). */
async function runModule(spec: ModelSpec, feeds: TensorMap): Promise<TensorMap> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webgpu-norm-'));
  try {
    const file = path.join(dir, 'model.onnx');
    writeModel(buildModel(spec), file);
    const source = readModel(file);
    mkdirSync(path.join(dir, 'out'));
    const variant = await target.emit({
      source,
      model: source.proto,
      precision: 'fp32',
      dir: path.join(dir, 'out'),
      warn: () => {},
    });
    const runner = await target.runner(variant);
    try {
      return await runner.run(feeds);
    } finally {
      await runner.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const out = (name: string, dims: number[]) => ({ name, dtype: 'float32' as const, dims });

/** One node with explicit output names ('' for outputs the node leaves out). */
const withOutputs = (
  op: string,
  tensors: ReturnType<typeof f>[],
  outputs: string[],
  declared: ReturnType<typeof out>[],
  attrs: Record<string, number | { float: number }> = {},
  more: Partial<ModelSpec> & { domain?: string } = {},
): ModelSpec => ({
  nodes: [{ op, domain: more.domain, inputs: tensors.map((t) => t.name), outputs, attrs }],
  tensors,
  outputs: declared,
  ...more,
});

const cases: [string, ModelSpec][] = [
  [
    'LayerNormalization last axis',
    oneOp('LayerNormalization', [f('x', [2, 5, 8]), w('s', [8]), w('b', [8])], y([2, 5, 8]), {
      epsilon: { float: 1e-5 },
    }),
  ],
  [
    'LayerNormalization over axes 1.. with scale only',
    oneOp('LayerNormalization', [f('x', [2, 3, 4]), w('s', [3, 4])], y([2, 3, 4]), { axis: 1 }),
  ],
  [
    'LayerNormalization axis -2 with a broadcast scale',
    oneOp('LayerNormalization', [f('x', [3, 4, 6]), w('s', [1, 6]), f('b', [4, 6])], y([3, 4, 6]), {
      axis: -2,
    }),
  ],
  [
    'LayerNormalization bert-sized [1,128,768]',
    oneOp('LayerNormalization', [f('x', [1, 128, 768]), w('s', [768]), w('b', [768])], y([1, 128, 768]), {
      epsilon: { float: 1e-12 },
    }),
  ],
  [
    'LayerNormalization of a 5000-long row (not held in registers)',
    oneOp('LayerNormalization', [f('x', [2, 5000]), w('s', [5000]), w('b', [5000])], y([2, 5000])),
  ],
  [
    'LayerNormalization of 70000 rows of 4',
    oneOp('LayerNormalization', [f('x', [70000, 4]), w('s', [4]), w('b', [4])], y([70000, 4])),
  ],
  [
    'LayerNormalization with Mean and InvStdDev outputs',
    withOutputs(
      'LayerNormalization',
      [f('x', [2, 3, 40]), w('s', [40]), w('b', [40])],
      ['y', 'mean', 'inv'],
      [out('y', [2, 3, 40]), out('mean', [2, 3, 1]), out('inv', [2, 3, 1])],
    ),
  ],
  [
    'LayerNormalization with only InvStdDev (Mean left out), axis 1',
    withOutputs(
      'LayerNormalization',
      [f('x', [2, 3, 5]), w('s', [3, 5])],
      ['y', '', 'inv'],
      [out('y', [2, 3, 5]), out('inv', [2, 1, 1])],
      { axis: 1 },
    ),
  ],
  [
    'RMSNormalization (opset 23)',
    oneOp(
      'RMSNormalization',
      [f('x', [2, 3, 64]), w('s', [64])],
      y([2, 3, 64]),
      { epsilon: { float: 1e-6 } },
      { opset: 23 },
    ),
  ],
  [
    'RMSNormalization axis 1 (opset 23)',
    oneOp('RMSNormalization', [f('x', [2, 3, 4]), w('s', [3, 4])], y([2, 3, 4]), { axis: 1 }, { opset: 23 }),
  ],
  [
    'SimplifiedLayerNormalization (llama-sized row)',
    oneOp('SimplifiedLayerNormalization', [f('x', [1, 5, 2048]), w('s', [2048])], y([1, 5, 2048]), {
      epsilon: { float: 1e-6 },
    }),
  ],
  [
    'com.microsoft SkipSimplifiedLayerNormalization with the sum output',
    withOutputs(
      'SkipSimplifiedLayerNormalization',
      [f('x', [2, 3, 96]), f('skip', [2, 3, 96]), w('s', [96])],
      ['y', '', '', 'sum'],
      [out('y', [2, 3, 96]), out('sum', [2, 3, 96])],
      { epsilon: { float: 1e-6 } },
      { domain: 'com.microsoft', extraOpsets: { 'com.microsoft': 1 } },
    ),
  ],
  [
    'com.microsoft SkipLayerNormalization with beta, bias and the sum output',
    withOutputs(
      'SkipLayerNormalization',
      [f('x', [2, 4, 80]), f('skip', [2, 4, 80]), w('s', [80]), w('beta', [80]), w('bias', [80])],
      ['y', '', '', 'sum'],
      [out('y', [2, 4, 80]), out('sum', [2, 4, 80])],
      { epsilon: { float: 1e-5 } },
      { domain: 'com.microsoft', extraOpsets: { 'com.microsoft': 1 } },
    ),
  ],
  [
    'Softmax last axis (opset 13)',
    oneOp('Softmax', [f('x', [1, 4, 128, 128])], y([1, 4, 128, 128]), {}, { opset: 13 }),
  ],
  [
    'Softmax axis 1 (opset 13, strided)',
    oneOp('Softmax', [f('x', [2, 5, 3])], y([2, 5, 3]), { axis: 1 }, { opset: 13 }),
  ],
  [
    'Softmax over a long non-last axis (opset 13)',
    oneOp('Softmax', [f('x', [2, 300, 5])], y([2, 300, 5]), { axis: 1 }, { opset: 13 }),
  ],
  [
    'Softmax axis 0 with many columns (one thread per row)',
    oneOp('Softmax', [f('x', [40, 2000])], y([40, 2000]), { axis: 0 }, { opset: 13 }),
  ],
  [
    'Softmax opset 11 (flattened at axis 1)',
    oneOp('Softmax', [f('x', [2, 5, 3])], y([2, 5, 3]), { axis: 1 }, { opset: 11 }),
  ],
  ['Softmax opset 11 default axis', oneOp('Softmax', [f('x', [3, 4, 20])], y([3, 4, 20]), {}, { opset: 11 })],
  ['Softmax of a 1000-long row', oneOp('Softmax', [f('x', [3, 1000])], y([3, 1000]), {}, { opset: 13 })],
  ['Softmax of 70000 rows of 4', oneOp('Softmax', [f('x', [70000, 4])], y([70000, 4]), {}, { opset: 13 })],
  ['LogSoftmax (opset 13)', oneOp('LogSoftmax', [f('x', [4, 60])], y([4, 60]), {}, { opset: 13 })],
  [
    'LogSoftmax axis 0 (opset 13)',
    oneOp('LogSoftmax', [f('x', [6, 4])], y([6, 4]), { axis: 0 }, { opset: 13 }),
  ],
  ['LogSoftmax opset 11', oneOp('LogSoftmax', [f('x', [2, 3, 4])], y([2, 3, 4]), { axis: 1 }, { opset: 11 })],
  [
    'BatchNormalization 4-D (opset 15)',
    oneOp(
      'BatchNormalization',
      [f('x', [2, 3, 4, 5]), w('s', [3]), w('b', [3]), w('m', [3]), positive('v', [3])],
      y([2, 3, 4, 5]),
      { epsilon: { float: 1e-3 } },
      { opset: 15 },
    ),
  ],
  [
    'BatchNormalization 2-D (opset 9)',
    oneOp(
      'BatchNormalization',
      [f('x', [4, 6]), w('s', [6]), w('b', [6]), w('m', [6]), positive('v', [6])],
      y([4, 6]),
      {},
      { opset: 9 },
    ),
  ],
  [
    'InstanceNormalization 4-D',
    oneOp('InstanceNormalization', [f('x', [2, 3, 4, 5]), w('s', [3]), w('b', [3])], y([2, 3, 4, 5])),
  ],
  [
    'InstanceNormalization 3-D with long rows',
    oneOp('InstanceNormalization', [f('x', [2, 3, 700]), w('s', [3]), w('b', [3])], y([2, 3, 700])),
  ],
  [
    'GroupNormalization (opset 21, per-channel scale)',
    oneOp(
      'GroupNormalization',
      [f('x', [2, 6, 4, 5]), w('s', [6]), w('b', [6])],
      y([2, 6, 4, 5]),
      { num_groups: 3 },
      { opset: 21 },
    ),
  ],
  [
    'GroupNormalization (opset 18, per-group scale)',
    oneOp(
      'GroupNormalization',
      [f('x', [2, 6, 30]), w('s', [2]), w('b', [2])],
      y([2, 6, 30]),
      { num_groups: 2, epsilon: { float: 1e-4 } },
      { opset: 18 },
    ),
  ],
];

describe('webgpu normalization kernels match ONNX Runtime', () => {
  test.each(cases)('%s', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
    expect(Object.keys(r.dims).sort()).toEqual(spec.outputs.map((o) => o.name).sort());
  });

  test('LayerNormalization of rows with a large mean keeps float64 accuracy', async () => {
    // ONNX Runtime's CPU kernel is 5e-5 off the float64 result here; the two-part mean is not.
    const rows = 4;
    const n = 300;
    const x = f('x', [rows, n], {
      data: Array.from({ length: rows * n }, (_, i) => 1000 + Math.sin(i) * 0.5),
    });
    const scale = w('s', [n]);
    const spec = oneOp('LayerNormalization', [x, scale], y([rows, n]));
    const feeds = { x: valuesFor(x) };
    const got = (await runModule(spec, feeds)).y.data as Float32Array;
    const xs = feeds.x.data as Float32Array;
    const ss = valuesFor(scale).data as Float32Array;
    let err = 0;
    let norm = 0;
    for (let r = 0; r < rows; r++) {
      const row = Array.from(xs.subarray(r * n, (r + 1) * n));
      const mean = row.reduce((p, v) => p + v, 0) / n;
      const variance = row.reduce((p, v) => p + (v - mean) ** 2, 0) / n;
      row.forEach((v, j) => {
        const ref = ((v - mean) / Math.sqrt(variance + 1e-5)) * ss[j];
        err += (got[r * n + j] - ref) ** 2;
        norm += ref ** 2;
      });
    }
    expect(Math.sqrt(err / norm)).toBeLessThanOrEqual(2e-6);
  });

  test('BatchNormalization in training mode is refused when the module is generated', () => {
    const spec = withOutputs(
      'BatchNormalization',
      [f('x', [2, 3]), w('s', [3]), w('b', [3]), w('m', [3]), positive('v', [3])],
      ['y', 'rm', 'rv'],
      [out('y', [2, 3]), out('rm', [3]), out('rv', [3])],
      { training_mode: 1 },
      { opset: 15 },
    );
    expect(() => generateWebgpuModule(buildModel(spec), { source: 'bn.onnx', precision: 'fp32' })).toThrow(
      /training mode/,
    );
  });
});

describe('RMSNorm as exporters spell it', () => {
  const chain = (weight: boolean): ModelSpec => ({
    nodes: [
      { op: 'Pow', inputs: ['x', 'two'], outputs: ['sq'], name: 'pow' },
      { op: 'ReduceMean', inputs: ['sq'], outputs: ['ms'], attrs: { axes: [-1], keepdims: 1 }, name: 'mean' },
      { op: 'Add', inputs: ['ms', 'eps'], outputs: ['a'], name: 'add' },
      { op: 'Sqrt', inputs: ['a'], outputs: ['s'], name: 'sqrt' },
      { op: 'Reciprocal', inputs: ['s'], outputs: ['r'], name: 'rsqrt' },
      { op: 'Mul', inputs: ['x', 'r'], outputs: [weight ? 'n' : 'y'], name: 'norm' },
      ...(weight ? [{ op: 'Mul', inputs: ['w', 'n'], outputs: ['y'], name: 'scale' }] : []),
    ],
    tensors: [
      f('x', [2, 5, 96]),
      f('two', [], { data: [2], constant: true }),
      f('eps', [], { data: [1e-6], constant: true }),
      ...(weight ? [f('w', [96], { constant: true })] : []),
    ],
    outputs: y([2, 5, 96]),
    opset: 17,
  });

  test.each([
    ['with a weight', true],
    ['without a weight', false],
  ])(
    'the chain %s becomes one SimplifiedLayerNormalization kernel and matches ONNX Runtime',
    async (_t, weight) => {
      const r = await crossCheck(chain(weight), { target: webgpuTarget });
      expect(r.code).toContain(`// fused: pow → mean → add → sqrt → rsqrt → norm${weight ? ' → scale' : ''}`);
      expect(r.code.match(/g\.node\(/g)).toHaveLength(1);
      expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
    },
  );
});
