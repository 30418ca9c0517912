// The fault-detection guarantees of `model-convert verify`: faulty copies of bert.legacy.onnx,
// built here with our own ONNX code, must fail against the original; faithful copies must pass.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import type { HostTensor } from '../../src/onnx/dtype.js';
import { readModel, writeModel } from '../../src/onnx/model-io.js';
import {
  onnx,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from '../../src/onnx/proto/index.js';
import { tensorFromProto, tensorToProto } from '../../src/onnx/tensor.js';
import { writeNpz } from '../../src/verify/inputs-file.js';
import {
  verifyModels,
  type VerifyModelsOptions,
  type VerifyModelsResult,
} from '../../src/verify/verify-models.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BERT = path.join(path.resolve(repoRoot, '../shared/fixtures'), 'bert.legacy.onnx');
const OUTPUT = 'last_hidden_state';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'verify-models-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh copy of bert's ModelProto, changed by `mutate` and written to `<dir>/<name>.onnx`. */
function faulty(name: string, mutate: (model: ModelProto) => void): string {
  const { proto } = readModel(BERT);
  mutate(proto);
  const file = path.join(dir, `${name}.onnx`);
  writeModel(proto, file, { externalData: 'never' });
  return file;
}

function verify(candidate: string, extra: Partial<VerifyModelsOptions> = {}): Promise<VerifyModelsResult> {
  return verifyModels({
    reference: BERT,
    candidate,
    samples: 3,
    seed: 0,
    dims: {},
    intRange: [0, 8],
    precision: 'fp32',
    rules: [],
    ...extra,
  });
}

const graph = (m: ModelProto): GraphProto => m.graph as GraphProto;
const nodes = (m: ModelProto): NodeProto[] => graph(m).node as NodeProto[];
const initializers = (m: ModelProto): TensorProto[] => graph(m).initializer as TensorProto[];

/** The first 128×128 initializer read as a MatMul's weight (input 1), and its index. */
function firstSquareMatMulWeight(m: ModelProto): { index: number; tensor: HostTensor; name: string } {
  const weights = new Set(
    nodes(m)
      .filter((n) => n.opType === 'MatMul')
      .map((n) => n.input[1]),
  );
  const index = initializers(m).findIndex(
    (t) => weights.has(t.name) && t.dims.length === 2 && t.dims.every((d) => Number(d) === 128),
  );
  const t = initializers(m)[index];
  return { index, name: t.name, tensor: tensorFromProto(t, 'bert') };
}

function replaceWeight(m: ModelProto, change: (values: Float32Array) => Float32Array): string {
  const { index, name, tensor } = firstSquareMatMulWeight(m);
  const data = change(tensor.data as Float32Array);
  initializers(m)[index] = tensorToProto(name, { dtype: 'float32', dims: tensor.dims, data });
  return name;
}

/** Fails on last_hidden_state's rel_l2, which is at least `floor` (measured values keep 2× margin to it). */
function expectCaught(r: VerifyModelsResult, floor: number): void {
  expect(r.passed).toBe(false);
  expect(r.violations.map((v) => v.output)).toContain(OUTPUT);
  expect(r.violations.find((v) => v.metric === 'rel_l2')).toMatchObject({ output: OUTPUT, kind: 'max' });
  expect(r.reason).toContain(`${OUTPUT}: rel_l2 `);
  expect(r.outputs[OUTPUT].rel_l2).toBeGreaterThan(r.tolerance[OUTPUT].rel_l2!);
  expect(r.outputs[OUTPUT].rel_l2).toBeGreaterThan(floor);
  expect(r.samples).toBe(3);
}

describe('verify catches conversion faults in bert.legacy.onnx', () => {
  test('a transposed 128×128 MatMul weight fails', async () => {
    let weight = '';
    const file = faulty('transposed', (m) => {
      weight = replaceWeight(m, (w) => {
        const out = new Float32Array(w.length);
        for (let r = 0; r < 128; r++) for (let c = 0; c < 128; c++) out[c * 128 + r] = w[r * 128 + c];
        return out;
      });
    });
    expect(weight).toBe('onnx::MatMul_368');
    const r = await verify(file);
    expectCaught(r, 4e-4);
  });

  test('a weight scaled ×2 fails', async () => {
    const file = faulty('scaled', (m) => void replaceWeight(m, (w) => w.map((v) => v * 2)));
    const r = await verify(file);
    expectCaught(r, 2.5e-4);
  });

  test('GELU with Tanh in place of Erf fails', async () => {
    const file = faulty('tanh', (m) => {
      const erf = nodes(m).find((n) => n.opType === 'Erf')!;
      expect(erf.name).toBe('/m/encoder/layer.0/intermediate/intermediate_act_fn/Erf');
      erf.opType = 'Tanh';
    });
    const r = await verify(file);
    expectCaught(r, 8e-4);
  });

  test('an ignored attention mask fails', async () => {
    const file = faulty('no-mask', (m) => {
      const cast = nodes(m).find((n) => n.opType === 'Cast' && n.input[0] === 'attention_mask')!;
      const ones = [
        new onnx.NodeProto({
          name: 'ones_shape',
          opType: 'Shape',
          input: ['input_ids'],
          output: ['ones_shape_out'],
        }),
        new onnx.NodeProto({
          name: 'ones',
          opType: 'ConstantOfShape',
          input: ['ones_shape_out'],
          output: ['all_ones_mask'],
          attribute: [
            new onnx.AttributeProto({
              name: 'value',
              type: onnx.AttributeProto.AttributeType.TENSOR,
              t: tensorToProto('', { dtype: 'int64', dims: [1], data: BigInt64Array.of(1n) }),
            }),
          ],
        }),
      ];
      graph(m).node = [...ones, ...nodes(m)];
      cast.input[0] = 'all_ones_mask';
    });
    const r = await verify(file);
    expectCaught(r, 4e-3);
  });

  test('LayerNormalization epsilon 1e-5 instead of 1e-12 fails', async () => {
    let changed = 0;
    const file = faulty('eps', (m) => {
      for (const n of nodes(m).filter((x) => x.opType === 'LayerNormalization')) {
        const eps = n.attribute.find((a) => a.name === 'epsilon')!;
        expect(eps.f).toBeCloseTo(1e-12, 18);
        eps.f = 1e-5;
        changed++;
      }
    });
    expect(changed).toBe(5);
    const r = await verify(file);
    expectCaught(r, 1e-5);
  });

  test('one weight element off by 0.5 fails with rel_l2 > 0', async () => {
    const file = faulty(
      'one-element',
      (m) =>
        void replaceWeight(m, (w) => {
          const out = w.slice();
          out[0] += 0.5;
          return out;
        }),
    );
    const r = await verify(file);
    expect(r.outputs[OUTPUT].rel_l2).toBeGreaterThan(0);
    expectCaught(r, 4e-5);
  });
});

describe('verify passes faithful copies', () => {
  test('re-saved with initializers reversed and every node renamed: rel_l2 ≤ 1e-6', async () => {
    const file = faulty('resaved', (m) => {
      graph(m).initializer = initializers(m).slice().reverse();
      nodes(m).forEach((n, i) => (n.name = `renamed_${i}`));
    });
    const written = readModel(file).proto;
    expect(initializers(written)[0].name).toBe('onnx::MatMul_401');
    expect(nodes(written)[0].name).toBe('renamed_0');
    const r = await verify(file);
    expect(r.passed).toBe(true);
    expect(r.violations).toEqual([]);
    expect(r.reason).toBe('');
    expect(r.outputs[OUTPUT].rel_l2).toBeLessThanOrEqual(1e-6);
    expect(r.outputs[OUTPUT].cosine).toBeGreaterThan(0.999999);
  });

  test('the model against itself passes with rel_l2 ≤ 1e-6', async () => {
    const r = await verify(BERT);
    expect(r.passed).toBe(true);
    expect(r.reason).toBe('');
    expect(r.samples).toBe(3);
    expect(r.outputs[OUTPUT].rel_l2).toBeLessThanOrEqual(1e-6);
    expect(r.outputs[OUTPUT].nan).toBe(0);
    expect(r.runtime).toMatch(/^onnxruntime-node \S+ cpu$/);
    expect(r.tolerance[OUTPUT]).toMatchObject({ nan: 0, inf: 0 });
  });
});

describe('verify inputs', () => {
  test('a candidate with a different input set is a UserError naming the missing input', async () => {
    const file = faulty('renamed-input', (m) => {
      const input = (graph(m).input as ValueInfoProto[]).find((i) => i.name === 'attention_mask')!;
      input.name = 'mask';
      for (const n of nodes(m)) n.input = n.input.map((i) => (i === 'attention_mask' ? 'mask' : i));
    });
    const attempt = verify(file);
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow(
      `renamed-input.onnx: its inputs differ from bert.legacy.onnx's (missing "attention_mask", extra "mask"); both models must take the same inputs.`,
    );
  });

  test('an .npz inputs file gives one sample of its own shape', async () => {
    const inputs = path.join(dir, 'inputs.npz');
    const ids = BigInt64Array.from({ length: 16 }, (_, i) => BigInt((i * 37) % 1024));
    const mask = BigInt64Array.from({ length: 16 }, (_, i) => (i < 12 ? 1n : 0n));
    writeNpz(inputs, {
      input_ids: { dtype: 'int64', dims: [1, 16], data: ids },
      attention_mask: { dtype: 'int64', dims: [1, 16], data: mask },
    });
    const r = await verify(BERT, { inputsFile: inputs });
    expect(r.passed).toBe(true);
    expect(r.samples).toBe(1);
    expect(r.outputs[OUTPUT].rel_l2).toBeLessThanOrEqual(1e-6);
  });
});
