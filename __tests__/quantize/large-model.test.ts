// Covers the memory path for large models, on small stand-ins: int4 on a lazily loaded model
// (external data left on disk) gives the same bytes as on an eagerly loaded one and runs in
// ONNX Runtime; quantizeAlongAxis (no whole-weight column copy) equals quantizeColumns after
// toColumns byte for byte; a QuantizationSession keeps codes only when asked (auto); and
// models with over 1 GiB of weights default to 'mse' instead of GPTQ, with a warning, unless
// convert.yml sets the method. bench/large-model.mjs measures the real thing (> 2 GB).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Graph } from '../../src/onnx/graph.js';
import { isLazyTensor } from '../../src/onnx/lazy-data.js';
import { readModel, writeModel, type LoadedModel } from '../../src/onnx/model-io.js';
import { onnx, type GraphProto, type TensorProto } from '../../src/onnx/proto/index.js';
import { GPTQ_MAX_WEIGHT_BYTES, TransformCache } from '../../src/pipeline/transforms.js';
import type { Plan } from '../../src/pipeline/types.js';
import { quantizeAlongAxis, quantizeColumns, toColumns } from '../../src/quantize/blockwise.js';
import { QuantizationSession, quantizeNBit } from '../../src/quantize/nbit.js';
import { DEFAULT_QUANTIZE_SETTINGS, type TransformContext } from '../../src/quantize/types.js';
import type { Target } from '../../src/targets/types.js';
import { runSamples } from '../../src/verify/compare-runs.js';
import { compareTensors, worstMetrics } from '../../src/verify/metrics.js';
import { createOrtRunner } from '../../src/verify/ort-runner.js';
import { SeededRandom } from '../../src/verify/random.js';
import { generateSamples } from '../../src/verify/sample-inputs.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VIT = path.resolve(repoRoot, '../shared/fixtures/vit.legacy.onnx');

let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mc-large-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function context(source: LoadedModel): TransformContext {
  return {
    source,
    settings: { ...DEFAULT_QUANTIZE_SETTINGS, method: 'mse' },
    calibration: async () => [],
    warn: () => {},
  };
}

const initializers = (m: onnx.ModelProto): TensorProto[] =>
  (m.graph as GraphProto).initializer as TensorProto[];

describe('int4 on a lazily loaded model', () => {
  test('same files as from an eager load, the source left lazy, and ONNX Runtime runs it (rel_l2 < 0.06)', async () => {
    // vit with every tensor of ≥ 1 KiB in external data, then loaded both ways.
    const srcDir = path.join(tmp, 'vit-external');
    fs.mkdirSync(srcDir);
    const source = path.join(srcDir, 'model.onnx');
    writeModel(readModel(VIT).proto, source, { externalData: 'always' });
    const lazy = readModel(source, { lazyExternalData: true });
    const eager = readModel(source, { lazyExternalData: false });
    expect(initializers(lazy.proto).filter(isLazyTensor).length).toBeGreaterThan(10);

    const written: Buffer[][] = [];
    for (const [name, loaded] of [
      ['lazy', lazy],
      ['eager', eager],
    ] as const) {
      const { model } = await quantizeNBit(context(loaded), { bits: 4 });
      const out = path.join(tmp, `vit-int4-${name}`, 'model.onnx');
      fs.mkdirSync(path.dirname(out));
      const files = writeModel(model, out, { externalData: 'always' }).files;
      written.push(files.map((f) => fs.readFileSync(f)));
    }
    expect(written[0].length).toBe(2);
    expect(written[0].map((b) => b.length)).toEqual(written[1].map((b) => b.length));
    expect(written[0].every((b, i) => b.equals(written[1][i]))).toBe(true);
    expect(initializers(lazy.proto).filter(isLazyTensor).length).toBeGreaterThan(10);

    const reference = await createOrtRunner(source);
    const candidate = await createOrtRunner(path.join(tmp, 'vit-int4-lazy', 'model.onnx'));
    try {
      const graph = new Graph(eager.proto.graph as GraphProto, 'vit');
      const samples = generateSamples(graph, reference.inputs, {
        count: 2,
        seed: 5,
        dims: {},
        intRange: [0, 8],
      });
      const [ref, out] = [await runSamples(reference, samples), await runSamples(candidate, samples)];
      const metrics = worstMetrics(
        ref.flatMap((r, i) => Object.keys(r).map((o) => compareTensors(r[o], out[i][o]))),
      );
      expect(metrics.rel_l2).toBeLessThan(0.06);
    } finally {
      await reference.dispose();
      await candidate.dispose();
    }
  });
});

describe('quantizeAlongAxis', () => {
  // [K, N] along 0 (N not a multiple of the 64 gathered columns, K with a tail block),
  // [N, K] along 1 (read in place), and a 3-D weight with outer and inner axes.
  const layouts: { dims: number[]; axis: number }[] = [
    { dims: [100, 70], axis: 0 },
    { dims: [50, 72], axis: 1 },
    { dims: [2, 40, 130], axis: 1 },
  ];
  for (const { dims, axis } of layouts) {
    test(`[${dims.join(', ')}] along axis ${axis}: the same codes, scales and zero points as toColumns + quantizeColumns`, () => {
      const count = dims.reduce((a, b) => a * b, 1);
      const rng = new SeededRandom(count);
      const data = Float32Array.from({ length: count }, (_, i) => rng.normal() * (i % 37 === 5 ? 10 : 1));
      const K = dims[axis];
      for (const bits of [2, 3, 4, 8]) {
        for (const symmetric of [false, true]) {
          for (const search of [false, true]) {
            const options = { K, N: count / K, bits, blockSize: 32, symmetric, search };
            const a = quantizeAlongAxis(data, dims, axis, options);
            const b = quantizeColumns(toColumns(data, dims, axis), options);
            expect([bits, symmetric, search, Buffer.from(a.codes).equals(Buffer.from(b.codes))]).toEqual([
              bits,
              symmetric,
              search,
              true,
            ]);
            expect(Array.from(a.scales)).toEqual(Array.from(b.scales));
            expect(Array.from(a.zeroPoints)).toEqual(Array.from(b.zeroPoints));
          }
        }
      }
    });
  }
});

describe('QuantizationSession', () => {
  test('keeps quantized codes only with cacheQuantized (auto), so int4/int3/int2 release them per weight', () => {
    const source = readModel(VIT);
    const plain = new QuantizationSession(context(source));
    const cached = new QuantizationSession(context(source), { cacheQuantized: true });
    const w = plain.weights.find((x) => x.dims.length === 2)!;
    expect(plain.quantize(w, 4, undefined)).not.toBe(plain.quantize(w, 4, undefined));
    const wc = cached.weights.find((x) => x.name === w.name)!;
    expect(cached.quantize(wc, 4, undefined)).toBe(cached.quantize(wc, 4, undefined));
    expect(
      Buffer.from(plain.quantize(w, 4, undefined).codes).equals(
        Buffer.from(cached.quantize(wc, 4, undefined).codes),
      ),
    ).toBe(true);
  });
});

describe('default method for large models', () => {
  /** A model whose one weight declares `bytes` of float32 (no data: only dims are read). */
  function transformsFor(
    bytes: number,
    quantization: Plan['quantization'],
    warnings: string[],
  ): TransformCache {
    const weight = new onnx.TensorProto({ name: 'w', dataType: 1, dims: [bytes / 4 / 1024, 1024] });
    const proto = new onnx.ModelProto({
      irVersion: 8,
      graph: new onnx.GraphProto({ initializer: [weight] }),
    });
    const source = {
      proto,
      path: '/models/big.onnx',
      bytes,
      sha256: '',
      hadExternalData: true,
    } as LoadedModel;
    return new TransformCache({
      source,
      plan: { quantization } as Plan,
      graph: new Graph(proto.graph as GraphProto, 'big.onnx'),
      inputs: [],
      warn: (m) => warnings.push(m),
    });
  }
  const target = { name: 'onnx' } as Target;

  test(`over ${GPTQ_MAX_WEIGHT_BYTES / 2 ** 30} GiB of weights: 'mse' instead of 'gptq', said once`, () => {
    const warnings: string[] = [];
    const transforms = transformsFor(2 * 2 ** 30, {}, warnings);
    expect(transforms.settingsFor(target).method).toBe('mse');
    expect(transforms.settingsFor(target).method).toBe('mse');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /big\.onnx: 2\.0 GiB of weights; quantizing with method 'mse' instead of 'gptq'.*quantization\.method: gptq/,
    );
  });

  test("a method set in convert.yml is kept, and smaller models keep 'gptq'", () => {
    const warnings: string[] = [];
    expect(transformsFor(2 * 2 ** 30, { method: 'gptq' }, warnings).settingsFor(target).method).toBe('gptq');
    expect(transformsFor(2 * 2 ** 30, { method: 'rtn' }, warnings).settingsFor(target).method).toBe('rtn');
    expect(transformsFor(2 ** 30, {}, warnings).settingsFor(target).method).toBe('gptq');
    expect(warnings).toEqual([]);
  });
});
