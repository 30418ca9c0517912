// Cross-checks of the WebGPU indexing kernels: Gather (axes, negative indices, host and
// runtime indices, int64 data, a float16 table read packed, a DequantizeLinear'd uint8/int8
// embedding table dequantized inside the gather), GatherElements and GatherND — ONNX
// Runtime vs the generated webgpu module on Dawn. Floats: rel_l2 ≤ 2e-6; ints exact.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TensorMap } from '../../../src/onnx/dtype.js';
import { readModel, writeModel } from '../../../src/onnx/model-io.js';
import { webgpuTarget } from '../../../src/targets/webgpu/index.js';
import { createWebgpuRunner } from '../../../src/targets/webgpu/module-runner.js';
import type { SessionMemory } from '../../../src/targets/webgpu/module-session.js';
import {
  buildModel,
  crossCheck,
  oneOp,
  tensor,
  valuesFor,
  type ModelSpec,
  type TensorSpec,
} from '../webnn/cross-check.js';

const target = webgpuTarget;
const f = (name: string, dims: (number | string)[], more = {}) => tensor(name, 'float32', dims, more);
const i64 = (name: string, dims: number[], more: Partial<TensorSpec> = {}) =>
  tensor(name, 'int64', dims, more);
const y = (dims: (number | string)[], dtype: 'float32' | 'int64' = 'float32') => [{ name: 'y', dtype, dims }];

const floatCases: [string, ModelSpec][] = [
  [
    'Gather axis 0 with negative runtime indices',
    oneOp('Gather', [f('t', [5, 3]), i64('i', [2, 2], { data: [0, -1, 4, -5] })], y([2, 2, 3])),
  ],
  [
    'Gather axis 1 with runtime indices',
    oneOp('Gather', [f('t', [2, 5, 3]), i64('i', [4], { low: -5, high: 5 })], y([2, 4, 3]), { axis: 1 }),
  ],
  [
    'Gather axis -1 with host indices',
    oneOp('Gather', [f('t', [2, 3, 6]), i64('i', [3], { data: [5, -6, 2], constant: true })], y([2, 3, 3]), {
      axis: -1,
    }),
  ],
  [
    'Gather with a host scalar index (the CLS token)',
    oneOp('Gather', [f('t', [2, 5, 4]), i64('i', [], { data: [0], constant: true })], y([2, 4]), { axis: 1 }),
  ],
  [
    'Gather with a negative host scalar index',
    oneOp('Gather', [f('t', [5, 3]), i64('i', [], { data: [-2], constant: true })], y([3])),
  ],
  [
    'Gather from a constant embedding table',
    oneOp(
      'Gather',
      [f('t', [50, 16], { constant: true }), i64('i', [2, 7], { low: 0, high: 50 })],
      y([2, 7, 16]),
    ),
  ],
  [
    'Gather with int32 indices',
    oneOp('Gather', [f('t', [6, 4]), tensor('i', 'int32', [3], { data: [5, 0, -1] })], y([3, 4])),
  ],
  [
    'GatherElements axis 1 with negative indices',
    oneOp('GatherElements', [f('t', [3, 4]), i64('i', [3, 2], { low: -4, high: 4 })], y([3, 2]), { axis: 1 }),
  ],
  [
    'GatherElements axis 0, indices smaller than the data',
    oneOp('GatherElements', [f('t', [4, 5, 2]), i64('i', [2, 3, 2], { low: -4, high: 4 })], y([2, 3, 2])),
  ],
  [
    'GatherND picking slices',
    oneOp('GatherND', [f('t', [3, 4, 2]), i64('i', [2, 2], { data: [0, 1, 2, -1] })], y([2, 2])),
  ],
  [
    'GatherND full tuples',
    oneOp('GatherND', [f('t', [3, 4]), i64('i', [2, 2, 2], { data: [0, 1, 2, 3, 1, 0, -1, -2] })], y([2, 2])),
  ],
  [
    'GatherND with batch_dims 1',
    oneOp('GatherND', [f('t', [2, 3, 4]), i64('i', [2, 1], { data: [2, 0] })], y([2, 4]), { batch_dims: 1 }),
  ],
];

const exactCases: [string, ModelSpec][] = [
  [
    'Gather of int64 data',
    oneOp(
      'Gather',
      [i64('t', [4, 3], { low: -100, high: 100 }), i64('i', [2], { data: [3, -4] })],
      y([2, 3], 'int64'),
    ),
  ],
  [
    'GatherND of int64 data',
    oneOp(
      'GatherND',
      [i64('t', [3, 3], { low: -9, high: 9 }), i64('i', [2, 1], { data: [2, 0] })],
      y([2, 3], 'int64'),
    ),
  ],
];

/** A float16 [V, D] constant → Cast(float) → Gather: the table stays packed float16 on the GPU. */
function float16Embedding(vocab: number, width: number): ModelSpec {
  return {
    nodes: [
      { op: 'Cast', inputs: ['table'], outputs: ['tf'], attrs: { to: 1 } },
      { op: 'Gather', inputs: ['tf', 'ids'], outputs: ['y'] },
    ],
    tensors: [
      tensor('table', 'float16', [vocab, width], { constant: true }),
      i64('ids', [2, 5], { low: -vocab, high: vocab }),
    ],
    outputs: [{ name: 'y', dtype: 'float32', dims: [2, 5, width] }],
  };
}

/**
 * A uint8/int8 [V, D] table → DequantizeLinear (per-row axis 0, per-column axis 1, or
 * blocks of `block` along axis 1 at opset 21) → Gather.
 */
function quantizedEmbedding(dtype: 'uint8' | 'int8', axis: number, withZero: boolean, block = 0): ModelSpec {
  const [vocab, width] = [64, 24];
  const scaleDims = block > 0 ? [vocab, width / block] : [axis === 0 ? vocab : width];
  const channels = scaleDims.reduce((p, d) => p * d, 1);
  const low = dtype === 'uint8' ? 0 : -128;
  return {
    nodes: [
      {
        op: 'DequantizeLinear',
        inputs: ['q', 's', ...(withZero ? ['z'] : [])],
        outputs: ['table'],
        attrs: block > 0 ? { axis, block_size: block } : { axis },
      },
      { op: 'Gather', inputs: ['table', 'ids'], outputs: ['y'] },
    ],
    tensors: [
      tensor('q', dtype, [vocab, width], { constant: true, low, high: low + 256 }),
      f('s', scaleDims, {
        constant: true,
        data: Array.from({ length: channels }, (_, i) => 0.01 + (i % 7) * 0.003),
      }),
      ...(withZero
        ? [tensor('z', dtype, scaleDims, { constant: true, low: low + 100, high: low + 156 })]
        : []),
      i64('ids', [3, 4], { low: -vocab, high: vocab }),
    ],
    outputs: [{ name: 'y', dtype: 'float32', dims: [3, 4, width] }],
    opset: block > 0 ? 21 : 13,
  };
}

/** Converts and runs `spec` once; the session's memory report (weight bytes, dispatches). */
async function sessionMemory(spec: ModelSpec): Promise<SessionMemory> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webgpu-gather-'));
  try {
    const file = path.join(dir, 'model.onnx');
    writeModel(buildModel(spec), file);
    const source = readModel(file);
    const outDir = path.join(dir, 'webgpu');
    mkdirSync(outDir);
    const variant = await target.emit({
      source,
      model: source.proto,
      precision: 'fp32',
      dir: outDir,
      warn: () => {},
    });
    const runner = await createWebgpuRunner(variant.files[0]);
    try {
      const feeds: TensorMap = {};
      for (const t of spec.tensors) if (!t.constant) feeds[t.name] = valuesFor(t);
      await runner.run(feeds);
      return runner.memory()!;
    } finally {
      await runner.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('webgpu gather kernels match ONNX Runtime', () => {
  test.each(floatCases)('%s', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });

  test.each(exactCases)('%s (exact)', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.mismatched).toEqual([]);
  });

  test('Gather on shape values runs on the host (Shape → Gather → Unsqueeze → Concat → Reshape)', async () => {
    const spec: ModelSpec = {
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Gather', inputs: ['s', 'zero'], outputs: ['b'] },
        { op: 'Unsqueeze', inputs: ['b', 'axes'], outputs: ['b1'] },
        { op: 'Concat', inputs: ['b1', 'rest'], outputs: ['shape'], attrs: { axis: 0 } },
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
      ],
      tensors: [
        f('x', ['batch', 6], { shape: [3, 6] }),
        i64('zero', [], { data: [0], constant: true }),
        i64('axes', [1], { data: [0], constant: true }),
        i64('rest', [2], { data: [2, 3], constant: true }),
      ],
      outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 2, 3] }],
      opset: 13,
    };
    const r = await crossCheck(spec, { target });
    expect(r.dims.y).toEqual([3, 2, 3]);
    expect(r.worstRelL2).toBe(0);
  });

  test('a float16 table is gathered from packed float16 words', async () => {
    const r = await crossCheck(float16Embedding(96, 16), { target });
    expect(r.code).toMatch(/"gpu": "f16"/);
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });

  test.each([
    ['uint8 per-row with a zero point', 'uint8', 0, true, 0],
    ['int8 per-row without a zero point', 'int8', 0, false, 0],
    ['int8 per-column with a zero point', 'int8', 1, true, 0],
    ['uint8 per-column with a zero point', 'uint8', 1, true, 0],
    ['int8 blocks of 8 along axis 1 with a zero point (opset 21)', 'int8', 1, true, 8],
  ] as const)(
    'a DequantizeLinear %s table is dequantized inside the gather',
    async (_t, dtype, axis, zero, block) => {
      const r = await crossCheck(quantizedEmbedding(dtype, axis, zero, block), {
        target,
        unoptimizedReference: true,
      });
      expect(r.code).toMatch(/"gpu": "raw"/);
      expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
    },
  );

  test('packed and dequantized tables are read in the gather kernel itself (one dispatch)', async () => {
    const half = await sessionMemory(float16Embedding(96, 16));
    expect(half.dispatches).toBe(1);
    expect(half.weightBytes).toBe(96 * 16 * 2);
    const bytes = await sessionMemory(quantizedEmbedding('uint8', 0, true));
    expect(bytes.dispatches).toBe(1);
    expect(bytes.weightBytes).toBeLessThan(64 * 24 * 4);
  });
});
