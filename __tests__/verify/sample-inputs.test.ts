import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import type { HostTensor, TensorMap } from '../../src/onnx/dtype.js';
import { Graph } from '../../src/onnx/graph.js';
import { readModel } from '../../src/onnx/model-io.js';
import { onnx, type GraphProto } from '../../src/onnx/proto/index.js';
import { createOrtRunner } from '../../src/verify/ort-runner.js';
import {
  gatherTableSize,
  generateSamples,
  resolveDim,
  SYMBOLIC_DIM_DEFAULTS,
  type SampleOptions,
} from '../../src/verify/sample-inputs.js';
import type { IOInfo } from '../../src/verify/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHARED = path.resolve(repoRoot, '../shared/fixtures');
const BERT = path.join(SHARED, 'bert.legacy.onnx');
const MULTI_IO = path.join(repoRoot, '__tests__/fixtures/models/multi_io.onnx');

const DEFAULTS: SampleOptions = { count: 3, seed: 0, dims: {}, intRange: [0, 8] };

interface Loaded {
  graph: Graph;
  inputs: IOInfo[];
}

async function load(file: string): Promise<Loaded> {
  const model = readModel(file);
  const runner = await createOrtRunner(file);
  const inputs = runner.inputs;
  await runner.dispose();
  return { graph: new Graph(model.proto.graph as GraphProto, path.basename(file)), inputs };
}

/** Values of an integer tensor as numbers. */
function ints(t: HostTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/** Rows of a [rows, last] tensor. */
function rows(t: HostTensor): number[][] {
  const v = ints(t);
  const last = t.dims[t.dims.length - 1];
  return Array.from({ length: v.length / last }, (_, r) => v.slice(r * last, (r + 1) * last));
}

/** Count of leading ones in a row that is ones then zeros; throws when a 0 comes before a 1. */
function validLength(row: number[]): number {
  const ones = row.filter((v) => v === 1).length;
  expect(row.every((v) => v === 0 || v === 1)).toBe(true);
  expect(row.slice(0, ones).every((v) => v === 1)).toBe(true); // no zero before a one
  return ones;
}

function expectPaddedMask(t: HostTensor): void {
  const lengths = rows(t).map(validLength);
  for (const len of lengths) {
    expect(len).toBeGreaterThanOrEqual(1);
    expect(len).toBeLessThan(t.dims[t.dims.length - 1]);
  }
  expect(new Set(lengths).size).toBe(lengths.length); // each row padded to its own length
}

function bytesOf(samples: TensorMap[]): Buffer[] {
  return samples.flatMap((s) =>
    Object.values(s).map((t) => {
      const d = t.data as ArrayBufferView;
      return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    }),
  );
}

describe('generateSamples on bert.legacy.onnx', () => {
  let bert: Loaded;
  let samples: TensorMap[];
  beforeAll(async () => {
    bert = await load(BERT);
    samples = generateSamples(bert.graph, bert.inputs, DEFAULTS);
  });

  test('the runner reports input_ids and attention_mask with symbolic batch and seq', () => {
    expect(bert.inputs).toEqual([
      { name: 'input_ids', dtype: 'int64', dims: ['batch', 'seq'] },
      { name: 'attention_mask', dtype: 'int64', dims: ['batch', 'seq'] },
    ]);
  });

  test('gatherTableSize follows input_ids to the 1024-row word embedding and finds none for the mask', () => {
    expect(gatherTableSize(bert.graph, 'input_ids')).toBe(1024);
    expect(gatherTableSize(bert.graph, 'attention_mask')).toBeUndefined();
  });

  test('input_ids are [2,16] int64 ids in [0, 1024) with 0 and 1023 in every sample', () => {
    expect(samples).toHaveLength(3);
    for (const s of samples) {
      const ids = s.input_ids;
      expect(ids.dtype).toBe('int64');
      expect(ids.dims).toEqual([2, 16]);
      expect(ids.data).toBeInstanceOf(BigInt64Array);
      const v = ints(ids);
      expect(v).toHaveLength(32);
      expect(Math.min(...v)).toBe(0);
      expect(Math.max(...v)).toBe(1023);
      expect(new Set(v).size).toBeGreaterThan(20); // spread over the table, not a constant
    }
  });

  test('attention_mask is all ones in sample 0', () => {
    const mask = samples[0].attention_mask;
    expect(mask.dtype).toBe('int64');
    expect(mask.dims).toEqual([2, 16]);
    expect(mask.data).toBeInstanceOf(BigInt64Array);
    expect(ints(mask)).toEqual(new Array(32).fill(1));
  });

  test('attention_mask in samples 1 and 2 is ones then trailing zeros, a different length per row', () => {
    expectPaddedMask(samples[1].attention_mask);
    expectPaddedMask(samples[2].attention_mask);
    expect(rows(samples[1].attention_mask).map(validLength)).toEqual([14, 11]);
    expect(rows(samples[2].attention_mask).map(validLength)).toEqual([11, 9]);
  });

  test('the same seed gives identical bytes', () => {
    const again = generateSamples(bert.graph, bert.inputs, DEFAULTS);
    expect(bytesOf(again)).toEqual(bytesOf(samples));
  });

  test('a different seed gives different ids, still with 0 and 1023', () => {
    const other = generateSamples(bert.graph, bert.inputs, { ...DEFAULTS, seed: 1 });
    const a = ints(samples[0].input_ids);
    const b = ints(other[0].input_ids);
    expect(b).not.toEqual(a);
    expect(b.filter((v, i) => v !== a[i]).length).toBeGreaterThan(20);
    expect(b[0]).toBe(0);
    expect(b[31]).toBe(1023);
    // masks do not depend on the seed
    expect(ints(other[1].attention_mask)).toEqual(ints(samples[1].attention_mask));
  });

  test('config dims {batch: 1, seq: 5} are honoured', () => {
    const small = generateSamples(bert.graph, bert.inputs, { ...DEFAULTS, dims: { batch: 1, seq: 5 } });
    for (const s of small) {
      expect(s.input_ids.dims).toEqual([1, 5]);
      expect(s.attention_mask.dims).toEqual([1, 5]);
      expect(s.input_ids.data).toHaveLength(5);
    }
    expect(ints(small[0].attention_mask)).toEqual([1, 1, 1, 1, 1]);
    expect(ints(small[1].attention_mask)).toEqual([1, 1, 1, 1, 0]);
    expect(ints(small[2].attention_mask)).toEqual([1, 1, 1, 0, 0]);
    const ids = ints(small[1].input_ids);
    expect(ids[0]).toBe(0);
    expect(ids[4]).toBe(1023);
  });
});

describe('generateSamples on multi_io.onnx', () => {
  let multi: Loaded;
  beforeAll(async () => {
    multi = await load(MULTI_IO);
  });

  test('token_ids are bounded by the 50-row table with 0 and 49 present', () => {
    expect(gatherTableSize(multi.graph, 'token_ids')).toBe(50);
    const samples = generateSamples(multi.graph, multi.inputs, DEFAULTS);
    for (const s of samples) {
      const v = ints(s.token_ids);
      expect(s.token_ids.dims).toEqual([2, 16]);
      expect(Math.min(...v)).toBe(0);
      expect(Math.max(...v)).toBe(49);
    }
  });

  test('features are float32 N(0, 1)', () => {
    const [s] = generateSamples(multi.graph, multi.inputs, { ...DEFAULTS, count: 1, dims: { batch: 2000 } });
    const f = s.features;
    expect(f.dtype).toBe('float32');
    expect(f.dims).toEqual([2000, 6]);
    expect(f.data).toBeInstanceOf(Float32Array);
    const v = Array.from(f.data as Float32Array);
    const mean = v.reduce((a, x) => a + x, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
    expect(v.filter((x) => Math.abs(x) > 1).length / v.length).toBeCloseTo(0.317, 1);
  });

  test('attention_mask is all ones, then padded with a different length per row', () => {
    const samples = generateSamples(multi.graph, multi.inputs, DEFAULTS);
    expect(ints(samples[0].attention_mask)).toEqual(new Array(32).fill(1));
    expectPaddedMask(samples[1].attention_mask);
    expectPaddedMask(samples[2].attention_mask);
  });
});

describe('symbolic dims', () => {
  test('SYMBOLIC_DIM_DEFAULTS: batch 2, sequence_length 16, height 32, anything else 8', () => {
    const lookup = (name: string): number => SYMBOLIC_DIM_DEFAULTS.find((d) => d.pattern.test(name))!.value;
    expect(lookup('batch')).toBe(2);
    expect(lookup('sequence_length')).toBe(16);
    expect(lookup('height')).toBe(32);
    expect(lookup('foo')).toBe(8);
    expect(resolveDim('batch', {})).toBe(2);
    expect(resolveDim('sequence_length', {})).toBe(16);
    expect(resolveDim('height', {})).toBe(32);
    expect(resolveDim('foo', {})).toBe(8);
  });

  test('config values and fixed dims take precedence over the defaults', () => {
    expect(resolveDim('height', { height: 7 })).toBe(7);
    expect(resolveDim(3, { batch: 9 })).toBe(3);
    const [s] = generateSamples(
      undefined,
      [{ name: 'x', dtype: 'float32', dims: ['batch', 3, 'height', 'foo'] }],
      { ...DEFAULTS, count: 1, dims: { foo: 5 } },
    );
    expect(s.x.dims).toEqual([2, 3, 32, 5]);
    expect(s.x.data).toHaveLength(2 * 3 * 32 * 5);
  });
});

describe('other integer inputs', () => {
  // ids → Cast → Add: an integer input that reaches no Gather and is not a mask.
  const graph = new Graph(
    new onnx.GraphProto({
      name: 'g',
      node: [
        new onnx.NodeProto({
          name: 'c',
          opType: 'Cast',
          input: ['ids'],
          output: ['f'],
          attribute: [{ name: 'to', type: 2, i: 1 }],
        }),
        new onnx.NodeProto({ name: 'a', opType: 'Add', input: ['f', 'f'], output: ['y'] }),
      ],
    }) as GraphProto,
    'tiny',
  );
  const inputs: IOInfo[] = [{ name: 'ids', dtype: 'int32', dims: [4, 16] }];

  test('an integer input that feeds no Gather and is no mask is uniform in intRange', () => {
    expect(gatherTableSize(graph, 'ids')).toBeUndefined();
    const samples = generateSamples(graph, inputs, { ...DEFAULTS, intRange: [5, 9] });
    for (const s of samples) {
      expect(s.ids.dtype).toBe('int32');
      expect(s.ids.data).toBeInstanceOf(Int32Array);
      const v = ints(s.ids);
      expect(Math.min(...v)).toBe(5);
      expect(Math.max(...v)).toBe(8);
      expect(new Set(v)).toEqual(new Set([5, 6, 7, 8]));
    }
    // sample 0 is not all ones: only masks get the mask pattern
    expect(ints(samples[0].ids).every((v) => v === 1)).toBe(false);
  });

  test('count 0 is a UserError', () => {
    expect(() => generateSamples(graph, inputs, { ...DEFAULTS, count: 0 })).toThrow(UserError);
    expect(() => generateSamples(graph, inputs, { ...DEFAULTS, count: 0 })).toThrow(
      'samples must be a whole number ≥ 1 (got 0).',
    );
  });
});
