// Covers src/onnx/opset-upgrade.ts: raising a model's ai.onnx opset to 21 (what block-wise
// int4 DequantizeLinear needs). Reduce* ops lose their `axes` attribute for an int64 input
// (opset 18) in the main graph, in If branches and in model-local functions, and
// onnxruntime-node gives identical outputs before and after; models below opset 13 are
// refused by canUpgradeOpset and upgradeOpset.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TensorMap } from '../../src/onnx/dtype.js';
import { opsetVersion } from '../../src/onnx/graph.js';
import { readModel, writeModel } from '../../src/onnx/model-io.js';
import {
  int64ToNumber,
  onnx,
  type FunctionProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from '../../src/onnx/proto/index.js';
import { MIN_UPGRADABLE_OPSET, canUpgradeOpset, upgradeOpset } from '../../src/onnx/opset-upgrade.js';
import { createOrtRunner } from '../../src/verify/ort-runner.js';
import { SeededRandom } from '../../src/verify/random.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS = path.join(repoRoot, '__tests__/fixtures/models');

const A = onnx.AttributeProto.AttributeType;
const FLOAT = 1;
const BOOL = 9;

let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mc-opset-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function valueInfo(name: string, elemType: number, dims?: number[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) },
    },
  };
}

function axes(values: number[]): onnx.IAttributeProto {
  return { name: 'axes', type: A.INTS, ints: values };
}

function keepdims(v: number): onnx.IAttributeProto {
  return { name: 'keepdims', type: A.INT, i: v };
}

/**
 * Opset 13: ReduceMean(axes [1]), ReduceMax(axes [-1], keepdims 0), ReduceMean with no axes
 * (all), ReduceSum (axes already an input at 13), an If whose branches use ReduceMean /
 * ReduceL2 with axes, and a local function custom.MeanRows = ReduceMean(axes [0]).
 */
function opset13Model(): ModelProto {
  const branch = (name: string, op: string, ax: number[]): onnx.IGraphProto => ({
    name,
    node: [
      {
        opType: op,
        input: ['x'],
        output: [`${name}_out`],
        attribute: [axes(ax), keepdims(0)],
        name: `${name}_reduce`,
      },
    ],
    output: [valueInfo(`${name}_out`, FLOAT)],
  });
  const m = new onnx.ModelProto({
    irVersion: 7,
    opsetImport: [
      { domain: '', version: 13 },
      { domain: 'custom', version: 1 },
    ],
    functions: [
      {
        name: 'MeanRows',
        domain: 'custom',
        input: ['X'],
        output: ['Y'],
        opsetImport: [{ domain: '', version: 13 }],
        node: [{ opType: 'ReduceMean', input: ['X'], output: ['Y'], attribute: [axes([0]), keepdims(1)] }],
      },
    ],
    graph: {
      name: 'reduce',
      input: [valueInfo('x', FLOAT, [2, 3, 4]), valueInfo('flag', BOOL, [])],
      output: [
        valueInfo('mean1', FLOAT),
        valueInfo('maxlast', FLOAT),
        valueInfo('meanall', FLOAT),
        valueInfo('sum2', FLOAT),
        valueInfo('branch', FLOAT),
        valueInfo('rows', FLOAT),
      ],
      initializer: [{ name: 'sum_axes', dataType: 7, dims: [1], int64Data: [2] }],
      node: [
        { name: 'mean1', opType: 'ReduceMean', input: ['x'], output: ['mean1'], attribute: [axes([1])] },
        {
          name: 'maxlast',
          opType: 'ReduceMax',
          input: ['x'],
          output: ['maxlast'],
          attribute: [axes([-1]), keepdims(0)],
        },
        { name: 'meanall', opType: 'ReduceMean', input: ['x'], output: ['meanall'] },
        { name: 'sum2', opType: 'ReduceSum', input: ['x', 'sum_axes'], output: ['sum2'] },
        {
          name: 'if',
          opType: 'If',
          input: ['flag'],
          output: ['branch'],
          attribute: [
            { name: 'then_branch', type: A.GRAPH, g: branch('then', 'ReduceMean', [2]) },
            { name: 'else_branch', type: A.GRAPH, g: branch('else', 'ReduceL2', [0]) },
          ],
        },
        { name: 'rows', opType: 'MeanRows', domain: 'custom', input: ['x'], output: ['rows'] },
      ],
    },
  });
  return onnx.ModelProto.decode(onnx.ModelProto.encode(m).finish()) as ModelProto;
}

let counter = 0;
async function run(m: ModelProto, feeds: TensorMap): Promise<TensorMap> {
  const file = path.join(tmp, `m${counter++}.onnx`);
  writeModel(m, file, { externalData: 'never' });
  const runner = await createOrtRunner(file);
  try {
    return await runner.run(feeds);
  } finally {
    await runner.dispose();
  }
}

const rng = new SeededRandom(3);
const x = Float32Array.from({ length: 24 }, () => rng.normal());
const feeds = (flag: boolean): TensorMap => ({
  x: { dtype: 'float32', dims: [2, 3, 4], data: x },
  flag: { dtype: 'bool', dims: [], data: Uint8Array.from([flag ? 1 : 0]) },
});

describe('upgradeOpset 13 → 21', () => {
  test('onnxruntime-node gives identical outputs before and after, both If branches', async () => {
    const before = opset13Model();
    const after = opset13Model();
    upgradeOpset(after, 21);
    for (const flag of [true, false]) {
      const a = await run(before, feeds(flag));
      const b = await run(after, feeds(flag));
      expect(Object.keys(b).sort()).toEqual(['branch', 'maxlast', 'mean1', 'meanall', 'rows', 'sum2']);
      for (const name of Object.keys(a)) {
        expect([name, b[name].dims]).toEqual([name, a[name].dims]);
        expect([name, Array.from(b[name].data as Float32Array)]).toEqual([
          name,
          Array.from(a[name].data as Float32Array),
        ]);
      }
    }
    // Spot values: mean over axis 1 keeps dims [2, 1, 4]; the else branch's L2 over axis 0 is [3, 4].
    const out = await run(after, feeds(false));
    expect(out.mean1.dims).toEqual([2, 1, 4]);
    expect((out.mean1.data as Float32Array)[0]).toBeCloseTo((x[0] + x[4] + x[8]) / 3, 6);
    expect(out.branch.dims).toEqual([3, 4]);
    expect((out.branch.data as Float32Array)[0]).toBeCloseTo(Math.hypot(x[0], x[12]), 6);
  });

  test('axes attributes become int64 initializers (graph) or Constant nodes (subgraphs get their own, functions)', () => {
    const m = opset13Model();
    upgradeOpset(m, 21);
    expect(opsetVersion(m)).toBe(21);
    expect(int64ToNumber(m.irVersion)).toBe(10);
    expect(int64ToNumber(m.opsetImport.find((o) => o.domain === 'custom')!.version)).toBe(1);
    const g = m.graph as GraphProto;
    const inits = g.initializer as TensorProto[];
    const node = (name: string) => (g.node as NodeProto[]).find((n) => n.name === name)!;
    const mean1 = node('mean1');
    expect([mean1.attribute.map((a) => a.name), mean1.input.length]).toEqual([[], 2]);
    const axesInit = inits.find((t) => t.name === mean1.input[1])!;
    expect([axesInit.dataType, axesInit.dims.map(Number), axesInit.int64Data.map(Number)]).toEqual([
      7,
      [1],
      [1],
    ]);
    const maxlast = node('maxlast');
    expect(maxlast.attribute.map((a) => [a.name, Number(a.i)])).toEqual([['keepdims', 0]]);
    expect(inits.find((t) => t.name === maxlast.input[1])!.int64Data.map(Number)).toEqual([-1]);
    // No axes attribute: reduce over everything, nothing to move.
    expect(node('meanall').input).toEqual(['x']);
    // ReduceSum took axes as an input from opset 13: unchanged.
    expect(node('sum2').input).toEqual(['x', 'sum_axes']);
    // If branches: the axes go to the branch graph's own initializers.
    const thenBranch = node('if').attribute.find((a) => a.name === 'then_branch')!.g as GraphProto;
    expect((thenBranch.node as NodeProto[])[0].input.length).toBe(2);
    expect((thenBranch.initializer as TensorProto[]).map((t) => t.int64Data.map(Number))).toEqual([[2]]);
    // Local function: a Constant node ahead of the ReduceMean; the function's opset raised too.
    const fn = m.functions[0] as FunctionProto;
    const fnNodes = fn.node as NodeProto[];
    expect(fnNodes.map((n) => n.opType)).toEqual(['Constant', 'ReduceMean']);
    expect(fnNodes[1].input).toEqual(['X', fnNodes[0].output[0]]);
    expect(int64ToNumber(fn.opsetImport[0].version)).toBe(21);
  });

  test('already at or above the target: no change', () => {
    const m = opset13Model();
    const bytes = onnx.ModelProto.encode(m).finish();
    upgradeOpset(m, 13);
    expect(Buffer.from(onnx.ModelProto.encode(m).finish()).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('models below opset 13 are refused', () => {
  test(`MIN_UPGRADABLE_OPSET is 13; opset 9 and 11 fixtures cannot be upgraded, opset 13 can`, () => {
    expect(MIN_UPGRADABLE_OPSET).toBe(13);
    const opset9 = readModel(path.join(MODELS, 'opset9_constants.onnx')).proto;
    const opset11 = readModel(path.join(MODELS, 'opset11_conv.onnx')).proto;
    const opset13 = readModel(path.join(MODELS, 'multi_io.onnx')).proto;
    expect([opset9, opset11, opset13].map((m) => [opsetVersion(m), canUpgradeOpset(m)])).toEqual([
      [9, false],
      [11, false],
      [13, true],
    ]);
    expect(() => upgradeOpset(opset11, 21)).toThrow('cannot upgrade opset 11 to 21');
    expect(opsetVersion(opset11)).toBe(11);
  });
});
