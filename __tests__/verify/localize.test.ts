// findFirstDivergence on real models: the bundled tiny model against copies of itself with one
// weight perturbed; the first value reported is the output of the first node reading it.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Graph } from '../../src/onnx/graph.js';
import { readModel, writeModel } from '../../src/onnx/model-io.js';
import type { GraphProto } from '../../src/onnx/proto/index.js';
import type { TensorMap } from '../../src/onnx/dtype.js';
import { beyondTolerance, divergenceForReport, findFirstDivergence } from '../../src/verify/localize.js';
import { createOrtRunner } from '../../src/verify/ort-runner.js';
import { generateSamples } from '../../src/verify/sample-inputs.js';
import type { Metrics } from '../../src/verify/types.js';

const reference = path.resolve(import.meta.dirname, '../../examples/tiny/model.onnx');
const fp32 = { rel_l2: 2e-6, cosine: 0.99999 };
let tmp: string;
let samples: TensorMap[];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-localize-'));
  const model = readModel(reference);
  const runner = await createOrtRunner(reference);
  samples = generateSamples(new Graph(model.proto.graph as GraphProto, 'model.onnx'), runner.inputs, {
    count: 2,
    seed: 0,
    dims: {},
    intRange: [0, 8],
  });
  await runner.dispose();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the tiny model with every element of initializer `name` multiplied by `factor`. */
function perturbed(name: string, factor: number): string {
  const model = readModel(reference);
  const tensor = model.proto.graph!.initializer!.find((t) => t.name === name)!;
  const bytes = Uint8Array.from(tensor.rawData!);
  const values = new Float32Array(bytes.buffer);
  for (let i = 0; i < values.length; i++) values[i] *= factor;
  tensor.rawData = bytes;
  const file = path.join(tmp, `${name.replace(/[^\w]/g, '_')}-${factor}.onnx`);
  writeModel(model.proto, file);
  return file;
}

test('a scaled value projection diverges first at the MatMul that reads it', async () => {
  const found = await findFirstDivergence({
    reference,
    candidate: perturbed('onnx::MatMul_74', 1.01),
    samples,
    tolerance: fp32,
  });
  expect(found).toMatchObject({
    value: '/v/MatMul_output_0',
    node: '/v/MatMul',
    op_type: 'MatMul',
    sample: 0,
  });
  expect(found!.metrics.rel_l2).toBeCloseTo(0.01, 4);
  expect(found!.compared).toBeGreaterThan(1);
});

test('a perturbation deep in the MLP is found there, whatever the number of values per run', async () => {
  const candidate = perturbed('mlp.0.weight', 0.9);
  const all = await findFirstDivergence({ reference, candidate, samples, tolerance: fp32 });
  const chunked = await findFirstDivergence({
    reference,
    candidate,
    samples,
    tolerance: fp32,
    valuesPerRun: 3,
  });
  expect(all?.node).toBe('/mlp/mlp.0/Gemm');
  expect(chunked && [chunked.value, chunked.node, chunked.compared]).toEqual([
    all!.value,
    all!.node,
    all!.compared,
  ]);
});

test('a perturbation within tolerance, or none, reports no divergence', async () => {
  expect(
    await findFirstDivergence({ reference, candidate: reference, samples, tolerance: fp32 }),
  ).toBeUndefined();
  const tiny = perturbed('onnx::MatMul_74', 1 + 1e-7);
  expect(
    await findFirstDivergence({ reference, candidate: tiny, samples, tolerance: { rel_l2: 1e-3 } }),
  ).toBeUndefined();
});

test('divergenceForReport skips non-ONNX candidates and swallows failures', async () => {
  expect(
    await divergenceForReport({ reference, candidate: 'model.xml', samples, tolerance: fp32 }),
  ).toBeUndefined();
  expect(
    await divergenceForReport({
      reference,
      candidate: path.join(tmp, 'missing.onnx'),
      samples,
      tolerance: fp32,
    }),
  ).toBeUndefined();
});

test('beyondTolerance checks rel_l2, cosine, nan and inf', () => {
  const m: Metrics = {
    max_abs: 9,
    mean_abs: 9,
    rel_l2: 0.01,
    cosine: 0.999,
    snr_db: 40,
    top1_agree: 0,
    nan: 0,
    inf: 0,
  };
  expect(beyondTolerance(m, { rel_l2: 0.02, cosine: 0.99 })).toBe(false);
  expect(beyondTolerance(m, { rel_l2: 0.005 })).toBe(true);
  expect(beyondTolerance(m, { cosine: 0.9999 })).toBe(true);
  expect(beyondTolerance({ ...m, nan: 1 }, {})).toBe(true);
  expect(beyondTolerance({ ...m, inf: 2 }, { inf: 2 })).toBe(false);
});
