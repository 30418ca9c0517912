// The webgpu Target: supports() lists every node it cannot express at once (op, reason),
// the CLI refuses such a model with exit 2 and one line naming them all, writing nothing;
// emit() writes model.js (a standalone module: no imports), model.weights.bin and
// package.json, and the report carries the session's GPU memory.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/cli/main.js';
import { readModel, writeModel } from '../../../src/onnx/model-io.js';
import type { Report } from '../../../src/report/types.js';
import { webgpuGaps, webgpuTarget } from '../../../src/targets/webgpu/index.js';
import { buildModel, tensor, type ModelSpec } from '../webnn/cross-check.js';

const gappy: ModelSpec = {
  nodes: [
    {
      op: 'Einsum',
      inputs: ['x', 'x'],
      outputs: ['e'],
      attrs: { equation: 'ij,ij->ij' },
      name: 'mix/Einsum',
    },
    { op: 'Relu', inputs: ['e'], outputs: ['r'], name: 'act/Relu' },
    { op: 'Frob', domain: 'com.example', inputs: ['r'], outputs: ['f'], name: 'custom/Frob' },
    {
      op: 'MatMulNBits',
      domain: 'com.microsoft',
      inputs: ['f', 'q', 's'],
      outputs: ['y'],
      attrs: { K: 4, N: 2, bits: 3, block_size: 16 },
      name: 'head/MatMulNBits',
    },
  ],
  tensors: [
    tensor('x', 'float32', [2, 4]),
    tensor('q', 'uint8', [2, 1, 6], { constant: true, data: new Array(12).fill(1) }),
    tensor('s', 'float32', [2], { constant: true, data: [1, 1] }),
  ],
  outputs: [{ name: 'y', dtype: 'float32', dims: [2, 2] }],
  opset: 17,
  extraOpsets: { 'com.microsoft': 1, 'com.example': 1 },
};

test('supports() lists every node the webgpu target cannot express, with the reason', () => {
  expect(webgpuGaps(buildModel(gappy), 'gappy.onnx')).toEqual([
    { node: 'mix/Einsum', opType: 'Einsum', reason: 'has no WebGPU lowering in this version' },
    { node: 'custom/Frob', opType: 'Frob', reason: 'has no WebGPU lowering in this version' },
    {
      node: 'head/MatMulNBits',
      opType: 'MatMulNBits',
      reason: 'uses 3-bit codes; the webgpu target reads 2, 4 and 8',
    },
  ]);
  expect(webgpuTarget.supports(buildModel(gappy), 'fp32')).toHaveLength(3);
});

test('the CLI refuses such a model with exit 2, naming every gap on one line, and writes nothing', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webgpu-gaps-'));
  try {
    const model = path.join(dir, 'gappy.onnx');
    writeModel(buildModel(gappy), model);
    let err = '';
    const code = await runCli(['convert', model, '--targets', 'webgpu', '--out', path.join(dir, 'out')], {
      out: () => {},
      err: (t) => (err += t),
    });
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    for (const node of ['mix/Einsum', 'custom/Frob', 'head/MatMulNBits'])
      expect(err).toContain(`webgpu/fp32: node "${node}"`);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a converted variant is a standalone module with its weights, verified on Dawn with its GPU memory reported', async () => {
  const spec: ModelSpec = {
    nodes: [
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'], name: 'fc' },
      { op: 'Add', inputs: ['h', 'b'], outputs: ['a'], name: 'bias' },
      { op: 'Tanh', inputs: ['a'], outputs: ['y'], name: 'act' },
    ],
    tensors: [
      tensor('x', 'float32', ['batch', 64]),
      tensor('w', 'float32', [64, 32], { constant: true }),
      tensor('b', 'float32', [32], { constant: true }),
    ],
    outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 32] }],
    opset: 17,
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webgpu-target-'));
  try {
    const model = path.join(dir, 'mlp.onnx');
    writeModel(buildModel(spec), model);
    const out = path.join(dir, 'out');
    const code = await runCli(
      ['convert', model, '--targets', 'webgpu', '--precision', 'fp32,fp16', '--out', out, '--no-cache'],
      { out: () => {}, err: () => {} },
    );
    expect(code).toBe(0);
    const js = readFileSync(path.join(out, 'webgpu/fp32/model.js'), 'utf8');
    expect(js).not.toMatch(/^\s*import\s/m);
    expect(js).toContain('export async function createSession');
    // 64×32 float32 weights + 32 biases, 16-byte aligned.
    expect(readFileSync(path.join(out, 'webgpu/fp32/model.weights.bin')).byteLength).toBe(
      64 * 32 * 4 + 32 * 4,
    );
    expect(readFileSync(path.join(out, 'webgpu/fp16/model.weights.bin')).byteLength).toBeLessThan(
      64 * 32 * 3,
    );
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
    const fp32 = report.variants.find((v) => v.precision === 'fp32')!;
    expect(fp32.status).toBe('pass');
    expect(fp32.runtime).toMatch(/^Dawn webgpu/);
    expect(fp32.gpu_memory!.weight_bytes).toBe(64 * 32 * 4 + 32 * 4);
    expect(fp32.gpu_memory!.peak_intermediate_bytes).toBeGreaterThan(0);
    const fp16 = report.variants.find((v) => v.precision === 'fp16')!;
    expect(fp16.status).toBe('pass');
    // The float16 MatMul weight stays float16 on the GPU: half the bytes.
    expect(fp16.gpu_memory!.weight_bytes).toBe(64 * 32 * 2 + 32 * 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kernels that read only weights run once per input shape; only the results later kernels read are kept', async () => {
  // DequantizeLinear → Transpose → MatMul (conversion-time folding leaves dequantization
  // alone): the dequantize and transpose kernels run once, MatMul on every call.
  const spec: ModelSpec = {
    nodes: [
      { op: 'DequantizeLinear', inputs: ['q', 's'], outputs: ['w'], attrs: { axis: 0 }, name: 'dq' },
      { op: 'Transpose', inputs: ['w'], outputs: ['wt'], attrs: { perm: [1, 0] }, name: 'wt' },
      { op: 'MatMul', inputs: ['x', 'wt'], outputs: ['y'], name: 'mm' },
    ],
    tensors: [
      tensor('x', 'float32', [3, 40]),
      tensor('q', 'int8', [48, 40], {
        constant: true,
        data: Array.from({ length: 1920 }, (_, i) => (i % 255) - 127),
      }),
      tensor('s', 'float32', [48], {
        constant: true,
        data: Array.from({ length: 48 }, (_, i) => 0.01 + i / 1000),
      }),
    ],
    outputs: [{ name: 'y', dtype: 'float32', dims: [3, 48] }],
    opset: 17,
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webgpu-folded-'));
  try {
    const file = path.join(dir, 'm.onnx');
    writeModel(buildModel(spec), file);
    const source = readModel(file);
    const variant = await webgpuTarget.emit({
      source,
      model: source.proto,
      precision: 'fp32',
      dir,
      warn: () => {},
    });
    const runner = await webgpuTarget.runner(variant);
    try {
      const x = {
        dtype: 'float32' as const,
        dims: [3, 40],
        data: Float32Array.from({ length: 120 }, (_, i) => i / 60),
      };
      const first = await runner.run({ x });
      const second = await runner.run({ x });
      expect(Array.from(second.y.data as Float32Array)).toEqual(Array.from(first.y.data as Float32Array));
      const memory = runner.gpuMemory!()!;
      expect(memory.dispatches).toBe(1);
      expect(memory.folded_bytes).toBe(48 * 40 * 4);
    } finally {
      await runner.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
