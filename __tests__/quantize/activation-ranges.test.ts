// Activation ranges for static int8: the observed min/max of intermediate values over the
// calibration samples (run for real in onnxruntime-node), graph inputs read from the samples,
// and percentile ranges that ignore rare outliers.
import type { TensorMap } from '../../src/onnx/dtype.js';
import { onnx, type ModelProto } from '../../src/onnx/proto/index.js';
import { tensorToProto } from '../../src/onnx/tensor.js';
import {
  addToHistogram,
  collectActivationRanges,
  finiteMinMax,
  percentileRange,
} from '../../src/quantize/activation-ranges.js';

function valueInfo(name: string, dims: (number | string)[]): onnx.ValueInfoProto {
  return new onnx.ValueInfoProto({
    name,
    type: {
      tensorType: {
        elemType: 1,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

/** y = Relu(x) · W with W = [[1, -2], [0.5, 3]]: x [n, 2] → r [n, 2] → y [n, 2]. */
function reluMatMulModel(): ModelProto {
  return new onnx.ModelProto({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'relu_matmul',
      node: [
        new onnx.NodeProto({ opType: 'Relu', input: ['x'], output: ['r'], name: 'relu' }),
        new onnx.NodeProto({ opType: 'MatMul', input: ['r', 'W'], output: ['y'], name: 'matmul' }),
      ],
      input: [valueInfo('x', ['n', 2])],
      output: [valueInfo('y', ['n', 2])],
      initializer: [
        tensorToProto('W', { dtype: 'float32', dims: [2, 2], data: Float32Array.of(1, -2, 0.5, 3) }),
      ],
    },
  });
}

function sample(values: number[]): TensorMap {
  return { x: { dtype: 'float32', dims: [values.length / 2, 2], data: Float32Array.from(values) } };
}

const W = [1, -2, 0.5, 3];

function expectedRanges(samples: number[][]): Record<string, [number, number]> {
  const all = { x: [] as number[], r: [] as number[], y: [] as number[] };
  for (const s of samples) {
    for (let row = 0; row < s.length / 2; row++) {
      const r = [Math.max(0, s[2 * row]), Math.max(0, s[2 * row + 1])].map(Math.fround);
      all.x.push(s[2 * row], s[2 * row + 1]);
      all.r.push(...r);
      all.y.push(r[0] * W[0] + r[1] * W[2], r[0] * W[1] + r[1] * W[3]);
    }
  }
  const mm = (a: number[]): [number, number] => [Math.min(...a), Math.max(...a)];
  return { x: mm(all.x), r: mm(all.r), y: mm(all.y) };
}

describe('collectActivationRanges', () => {
  test('min/max of an input, an intermediate and an output over all samples match the arithmetic', async () => {
    const samples = [
      [0.5, -1.25, 2, 0.25],
      [-3, 4, 1.5, -0.5, 0.75, 0.125],
    ];
    const ranges = await collectActivationRanges(reluMatMulModel(), ['x', 'r', 'y'], samples.map(sample));
    const expected = expectedRanges(samples);
    for (const name of ['x', 'r', 'y']) {
      expect(ranges.get(name)!.min).toBeCloseTo(expected[name][0], 5);
      expect(ranges.get(name)!.max).toBeCloseTo(expected[name][1], 5);
    }
    expect(ranges.get('x')).toEqual({ min: -3, max: 4 });
    expect(ranges.get('r')).toEqual({ min: 0, max: 4 });
  });

  test('the source model is left as it was (outputs are added to a copy)', async () => {
    const model = reluMatMulModel();
    const before = onnx.ModelProto.encode(model).finish();
    await collectActivationRanges(model, ['r'], [sample([1, 2])]);
    expect(Buffer.from(onnx.ModelProto.encode(model).finish()).equals(Buffer.from(before))).toBe(true);
  });

  test('a percentile range leaves out two outliers among 20 000 values that min/max keeps', async () => {
    const values: number[] = [];
    for (let i = 0; i < 20000; i++) values.push(Math.sin(i * 12.9898) * 3); // within ±3
    values[7] = 1000;
    values[4242] = -800;
    const minmax = await collectActivationRanges(reluMatMulModel(), ['x'], [sample(values)]);
    const central = await collectActivationRanges(reluMatMulModel(), ['x'], [sample(values)], {
      method: 'percentile',
      percentile: 99.9,
      bins: 8192,
    });
    expect(minmax.get('x')).toEqual({ min: -800, max: 1000 });
    expect(central.get('x')!.max).toBeLessThan(3.3);
    expect(central.get('x')!.min).toBeGreaterThan(-3.3);
    expect(central.get('x')!.max).toBeGreaterThan(2.5);
  });

  test('a value that already is a graph output is read from the run as it is', async () => {
    const ranges = await collectActivationRanges(reluMatMulModel(), ['y'], [sample([1, 1])]);
    expect(ranges.get('y')).toEqual({ min: 1, max: 1.5 });
  });
});

describe('histogram helpers', () => {
  test('finiteMinMax ignores NaN and ±inf', () => {
    expect(finiteMinMax([NaN, -Infinity, 2, -5, Infinity, 7])).toEqual({ min: -5, max: 7 });
  });

  test('percentileRange trims the tails to the requested share of the mass', () => {
    const counts = new Float64Array(10);
    addToHistogram([0.05, ...new Array<number>(998).fill(5.5), 9.95], 0, 10, counts);
    expect(Array.from(counts)).toEqual([1, 0, 0, 0, 0, 998, 0, 0, 0, 1]);
    expect(percentileRange(counts, 0, 10, 99.8)).toEqual({ min: 5, max: 6 });
    expect(percentileRange(counts, 0, 10, 100)).toEqual({ min: 0, max: 10 });
  });
});
