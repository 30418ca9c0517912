// Cross-checks of the WebGPU convolution kernels: Conv (tiled implicit GEMM and direct, 1-D to
// 3-D, groups, padding modes, float16 weights read packed) and ConvTranspose — one-node ONNX
// models on ONNX Runtime vs the generated webgpu module on Dawn (rel_l2 ≤ 2e-6) — plus a small
// CNN chain and the opset-11 CNN fixture converted whole. Pooling and Resize: ops-pool.test.ts.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TensorMap } from '../../../src/onnx/dtype.js';
import { readModel, writeModel } from '../../../src/onnx/model-io.js';
import { float32ToFloat16Bits } from '../../../src/quantize/fp16.js';
import { webgpuTarget } from '../../../src/targets/webgpu/index.js';
import { createWebgpuRunner } from '../../../src/targets/webgpu/module-runner.js';
import { compareTensors } from '../../../src/verify/metrics.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';
import { buildModel, crossCheck, oneOp, tensor, valuesFor, type ModelSpec } from '../webnn/cross-check.js';

const f = (name: string, dims: (number | string)[], more = {}) => tensor(name, 'float32', dims, more);
const w = (name: string, dims: number[]) => f(name, dims, { constant: true });
const y = (dims: (number | string)[]) => [{ name: 'y', dtype: 'float32' as const, dims }];
const target = webgpuTarget;

/** Converts the model file with the webgpu target and runs it next to ONNX Runtime on `feeds`. */
async function runBoth(file: string, feeds: TensorMap) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webgpu-conv-'));
  try {
    const source = readModel(file);
    mkdirSync(path.join(dir, 'webgpu'));
    const variant = await target.emit({
      source,
      model: source.proto,
      precision: 'fp32',
      dir: path.join(dir, 'webgpu'),
      warn: () => {},
    });
    const ort = await createOrtRunner(file);
    const reference = await ort.run(feeds).finally(() => ort.dispose());
    const runner = await createWebgpuRunner(variant.files[0]);
    try {
      const got = await runner.run(feeds);
      return { reference, got, memory: runner.memory() };
    } finally {
      await runner.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const convCases: [string, ModelSpec][] = [
  [
    'Conv tiled: pads, strides, dilations, bias',
    oneOp('Conv', [f('x', [1, 3, 9, 8]), w('w', [16, 3, 3, 3]), w('b', [16])], y([1, 16, 5, 3]), {
      pads: [1, 0, 2, 1],
      strides: [2, 2],
      dilations: [1, 2],
    }),
  ],
  [
    'Conv direct (4 output channels): pads, strides, dilations, bias',
    oneOp('Conv', [f('x', [1, 3, 9, 8]), w('w', [4, 3, 3, 3]), w('b', [4])], y([1, 4, 5, 3]), {
      pads: [1, 0, 2, 1],
      strides: [2, 2],
      dilations: [1, 2],
    }),
  ],
  [
    'Conv tiled grouped (2 groups of 16)',
    oneOp('Conv', [f('x', [2, 8, 6, 6]), w('w', [32, 4, 3, 3])], y([2, 32, 6, 6]), {
      group: 2,
      pads: [1, 1, 1, 1],
    }),
  ],
  [
    'Conv depthwise',
    oneOp('Conv', [f('x', [2, 4, 6, 6]), w('w', [4, 1, 3, 3])], y([2, 4, 4, 4]), { group: 4 }),
  ],
  [
    'Conv auto_pad SAME_UPPER',
    oneOp('Conv', [f('x', [1, 2, 7, 6]), w('w', [8, 2, 4, 3])], y([1, 8, 4, 3]), {
      auto_pad: 'SAME_UPPER',
      strides: [2, 2],
    }),
  ],
  [
    'Conv auto_pad SAME_LOWER',
    oneOp('Conv', [f('x', [1, 2, 7, 6]), w('w', [8, 2, 4, 3])], y([1, 8, 4, 3]), {
      auto_pad: 'SAME_LOWER',
      strides: [2, 2],
    }),
  ],
  [
    'Conv auto_pad SAME_LOWER direct',
    oneOp('Conv', [f('x', [1, 2, 7, 6]), w('w', [3, 2, 4, 3])], y([1, 3, 4, 3]), {
      auto_pad: 'SAME_LOWER',
      strides: [2, 2],
    }),
  ],
  [
    'Conv auto_pad VALID',
    oneOp('Conv', [f('x', [1, 2, 7, 6]), w('w', [8, 2, 3, 3])], y([1, 8, 5, 4]), { auto_pad: 'VALID' }),
  ],
  [
    'Conv 1-D with bias',
    oneOp('Conv', [f('x', [2, 3, 10]), w('w', [12, 3, 3]), w('b', [12])], y([2, 12, 5]), {
      pads: [1, 1],
      strides: [2],
    }),
  ],
  [
    'Conv 1-D direct, dilated',
    oneOp('Conv', [f('x', [2, 3, 10]), w('w', [5, 3, 3])], y([2, 5, 6]), { dilations: [2] }),
  ],
  [
    'Conv 3-D tiled',
    oneOp('Conv', [f('x', [1, 2, 5, 6, 4]), w('w', [8, 2, 3, 3, 2]), w('b', [8])], y([1, 8, 5, 3, 5]), {
      pads: [1, 1, 0, 1, 1, 1],
      strides: [1, 2, 1],
    }),
  ],
  ['Conv 3-D direct', oneOp('Conv', [f('x', [1, 2, 4, 5, 4]), w('w', [3, 2, 2, 3, 2])], y([1, 3, 3, 3, 3]))],
  [
    'Conv with a run-time weight and bias',
    oneOp('Conv', [f('x', [1, 4, 6, 6]), f('w', [16, 4, 3, 3]), f('b', [16])], y([1, 16, 6, 6]), {
      pads: [1, 1, 1, 1],
    }),
  ],
  [
    'Conv patch embedding (vit: 3 → 128, 4×4 stride 4)',
    oneOp('Conv', [f('x', [2, 3, 32, 32]), w('w', [128, 3, 4, 4]), w('b', [128])], y([2, 128, 8, 8]), {
      strides: [4, 4],
    }),
  ],
  [
    'Conv 180 taps (not a multiple of 16), 49 pixels',
    oneOp('Conv', [f('x', [1, 20, 7, 7]), w('w', [24, 20, 3, 3])], y([1, 24, 7, 7]), { pads: [1, 1, 1, 1] }),
  ],
  ['Conv 1×1, 40 channels', oneOp('Conv', [f('x', [1, 32, 5, 5]), w('w', [40, 32, 1, 1])], y([1, 40, 5, 5]))],
  [
    'ConvTranspose strides, pads, output_padding, bias',
    oneOp('ConvTranspose', [f('x', [1, 3, 4, 5]), w('w', [3, 2, 3, 3]), w('b', [2])], y([1, 2, 8, 9]), {
      strides: [2, 2],
      pads: [1, 1, 0, 1],
      output_padding: [1, 0],
    }),
  ],
  [
    'ConvTranspose grouped',
    oneOp('ConvTranspose', [f('x', [1, 4, 3, 3]), w('w', [4, 3, 2, 2])], y([1, 6, 4, 4]), { group: 2 }),
  ],
  [
    'ConvTranspose output_shape',
    oneOp('ConvTranspose', [f('x', [1, 2, 3, 3]), w('w', [2, 3, 3, 3])], y([1, 3, 6, 7]), {
      strides: [2, 2],
      output_shape: [6, 7],
    }),
  ],
  [
    'ConvTranspose auto_pad SAME_UPPER',
    oneOp('ConvTranspose', [f('x', [1, 2, 3, 4]), w('w', [2, 2, 3, 3])], y([1, 2, 6, 8]), {
      strides: [2, 2],
      auto_pad: 'SAME_UPPER',
    }),
  ],
  [
    'ConvTranspose auto_pad SAME_LOWER',
    oneOp('ConvTranspose', [f('x', [1, 2, 3, 4]), w('w', [2, 2, 3, 3])], y([1, 2, 6, 8]), {
      strides: [2, 2],
      auto_pad: 'SAME_LOWER',
    }),
  ],
  [
    'ConvTranspose dilations and strides',
    oneOp('ConvTranspose', [f('x', [1, 2, 4, 4]), w('w', [2, 3, 3, 2]), w('b', [3])], y([1, 3, 12, 9]), {
      strides: [3, 2],
      dilations: [2, 3],
      pads: [1, 0, 0, 1],
    }),
  ],
  [
    'ConvTranspose 1-D',
    oneOp('ConvTranspose', [f('x', [1, 2, 5]), w('w', [2, 3, 3])], y([1, 3, 11]), { strides: [2] }),
  ],
];

describe('webgpu conv kernels match ONNX Runtime', () => {
  test.each(convCases)('%s', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });
  // 1152 weights: above fold-constants' limit, so the Cast stays and passes the packed weight on.
  test.each([
    ['Conv', [32, 4, 3, 3], [1, 32, 5, 5]],
    ['ConvTranspose', [4, 32, 3, 3], [1, 32, 7, 7]],
  ])('a float16 weight behind Cast is read packed by %s (one dispatch, no unpack)', async (op, dims, out) => {
    const spec: ModelSpec = {
      nodes: [
        { op: 'Cast', inputs: ['wh'], outputs: ['w'], attrs: { to: 1 } },
        { op, inputs: ['x', 'w'], outputs: ['y'] },
      ],
      tensors: [
        f('x', [1, 4, 5, 5]),
        tensor('wh', 'float16', dims, {
          constant: true,
          data: Array.from({ length: 1152 }, (_, i) => float32ToFloat16Bits(((i * 37) % 23) / 8 - 1.4)),
        }),
      ],
      outputs: y(out),
    };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'webgpu-conv-f16-'));
    try {
      const file = path.join(dir, 'model.onnx');
      writeModel(buildModel(spec), file);
      const { reference, got, memory } = await runBoth(file, { x: valuesFor(spec.tensors[0]) });
      expect(compareTensors(reference.y, got.y).rel_l2).toBeLessThanOrEqual(2e-6);
      expect(memory?.dispatches).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('webgpu CNN graphs match ONNX Runtime', () => {
  test('Conv → Relu → MaxPool → Conv (depthwise) → Resize → GlobalAveragePool', async () => {
    const spec: ModelSpec = {
      nodes: [
        { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
        { op: 'MaxPool', inputs: ['r1'], outputs: ['p1'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
        { op: 'Conv', inputs: ['p1', 'w2'], outputs: ['c2'], attrs: { group: 16, pads: [1, 1, 1, 1] } },
        { op: 'Resize', inputs: ['c2', '', 's'], outputs: ['u'], attrs: { mode: 'linear' } },
        { op: 'GlobalAveragePool', inputs: ['u'], outputs: ['y'] },
      ],
      tensors: [
        f('x', ['batch', 3, 12, 12], { shape: [2, 3, 12, 12] }),
        w('w1', [16, 3, 3, 3]),
        w('b1', [16]),
        w('w2', [16, 1, 3, 3]),
        f('s', [4], { data: [1, 1, 2, 2], constant: true }),
      ],
      outputs: y(['batch', 16, 1, 1]),
    };
    const r = await crossCheck(spec, { target });
    expect(r.dims.y).toEqual([2, 16, 1, 1]);
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });

  test('the opset-11 CNN fixture (Conv → BatchNormalization → Relu → MaxPool → Gemm → Softmax) converts and matches', async () => {
    const file = path.resolve(import.meta.dirname, '../../fixtures/models/opset11_conv.onnx');
    const feeds: TensorMap = { x: valuesFor(f('x', ['batch', 3, 8, 8], { shape: [3, 3, 8, 8] })) };
    const { reference, got } = await runBoth(file, feeds);
    expect(got.probs.dims).toEqual([3, 5]);
    expect(compareTensors(reference.probs, got.probs).rel_l2).toBeLessThanOrEqual(2e-6);
  });
});
