// The generated module itself: standalone (no imports), labels traceable to ONNX nodes,
// weights from every accepted source, clear errors for bad feeds and for contexts whose
// opSupportLimits() lack an op or a data type, and the fallbacks the module takes (int64
// as int32, float16 computed as float32, dequantized constants without dequantizeLinear).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readModel, writeModel } from '../../../src/onnx/model-io.js';
import { Graph } from '../../../src/onnx/graph.js';
import { webnnTarget } from '../../../src/targets/webnn/index.js';
import { importWebnnModule, type WebnnModuleSession } from '../../../src/targets/webnn/module-runner.js';
import type { MLGraphBuilderConstructor, MLLike } from '../../../src/targets/webnn/webnn-api.js';
import { compareTensors } from '../../../src/verify/metrics.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';
import { ml, MLGraphBuilder } from '../../../src/webnn.js';
import { buildModel, oneOp, tensor, valuesFor, type ModelSpec } from './cross-check.js';

const shared = path.resolve(import.meta.dirname, '../../../../shared/fixtures');
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'webnn-module-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function emit(
  spec: ModelSpec | string,
  name: string,
  precision: 'fp32' | 'fp16' = 'fp32',
): Promise<{ modelJs: string; onnx: string }> {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, 'webnn'), { recursive: true });
  const onnxFile = typeof spec === 'string' ? spec : path.join(dir, 'model.onnx');
  if (typeof spec !== 'string') writeModel(buildModel(spec), onnxFile);
  const source = readModel(onnxFile);
  const v = await webnnTarget.emit({
    source,
    model: source.proto,
    precision,
    dir: path.join(dir, 'webnn'),
    warn: () => {},
  });
  return { modelJs: v.files[0], onnx: onnxFile };
}

/** A reference-runtime context whose opSupportLimits() is edited, and a builder that records input types. */
async function restrictedSession(
  modelJs: string,
  edit: (limits: Record<string, unknown>) => void,
  hide: string[] = [],
) {
  const context = await ml.createContext();
  const limits = structuredClone(context.opSupportLimits()) as unknown as Record<string, unknown>;
  edit(limits);
  Object.defineProperty(context, 'opSupportLimits', { value: () => limits });
  const inputTypes: string[] = [];
  const dequantizeCalls: string[] = [];
  class RecordingBuilder extends MLGraphBuilder {
    constructor(c: never) {
      super(c);
      for (const op of hide) Object.defineProperty(this, op, { value: undefined });
    }
    override dequantizeLinear(...args: Parameters<MLGraphBuilder['dequantizeLinear']>) {
      dequantizeCalls.push(args[0].dataType);
      return super.dequantizeLinear(...args);
    }
    override input(name: string, descriptor: Parameters<MLGraphBuilder['input']>[1]) {
      inputTypes.push(descriptor.dataType);
      return super.input(name, descriptor);
    }
  }
  const module = await importWebnnModule(modelJs);
  const session = await module.createSession({
    context: context as never,
    MLGraphBuilder: RecordingBuilder as unknown as MLGraphBuilderConstructor,
  });
  return { session, inputTypes, dequantizeCalls };
}

const api = {
  ml: ml as unknown as MLLike,
  MLGraphBuilder: MLGraphBuilder as unknown as MLGraphBuilderConstructor,
};

describe('generated model.js', () => {
  test('is a standalone module whose graph lines carry every ONNX node name as label', async () => {
    const { modelJs, onnx } = await emit(path.join(shared, 'bert.legacy.onnx'), 'bert');
    const code = readFileSync(modelJs, 'utf8');
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/\brequire\(/);
    expect(code).toMatch(/^export async function createSession\(/m);
    const graph = new Graph(readModel(onnx).proto.graph as Graph['proto'], 'bert');
    // Every node that depends on an input is emitted (the others fold at generation time).
    const dependsOnInput = new Set(graph.inputs.map((i) => i.name));
    const dependent = graph.topologicalOrder().filter((n) => {
      if (!n.input.some((i) => dependsOnInput.has(i))) return false;
      n.output.forEach((o) => dependsOnInput.add(o));
      return true;
    });
    expect(dependent.length).toBeGreaterThan(150);
    expect(
      dependent.filter((n) => !code.includes(`, ${JSON.stringify(n.name)});`)).map((n) => n.name),
    ).toEqual([]);
  });

  test('reads weights from the default file, an ArrayBuffer, a Uint8Array or a URL string alike', async () => {
    const spec = oneOp(
      'MatMul',
      [tensor('a', 'float32', [2, 3]), tensor('b', 'float32', [3, 4], { constant: true })],
      [{ name: 'y', dtype: 'float32', dims: [2, 4] }],
    );
    const { modelJs } = await emit(spec, 'weights');
    const bin = readFileSync(path.join(path.dirname(modelJs), 'model.weights.bin'));
    const module = await importWebnnModule(modelJs);
    const a = valuesFor(tensor('a', 'float32', [2, 3]));
    const results: number[][] = [];
    for (const weights of [
      undefined,
      bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      new Uint8Array(bin),
      pathToFileURL(path.join(path.dirname(modelJs), 'model.weights.bin')).href,
    ]) {
      const session = await module.createSession({ ...api, weights: weights as never });
      const out = await session.run({ a: { data: a.data as Float32Array, dims: [2, 3] } });
      results.push(Array.from(out.y.data as Float32Array));
      session.dispose();
    }
    expect(new Set(results.map((r) => r.join(','))).size).toBe(1);
    await expect(module.createSession({ ...api, weights: new Uint8Array(8) })).rejects.toThrow(
      /weights hold 8 bytes, this model.js expects \d+/,
    );
  });

  test('rejects feeds with unknown names, wrong dims or inconsistent symbolic dims', async () => {
    const spec = oneOp(
      'Add',
      [tensor('a', 'float32', ['n', 4]), tensor('b', 'float32', ['n', 4])],
      [{ name: 'y', dtype: 'float32', dims: ['n', 4] }],
    );
    const { modelJs } = await emit(spec, 'feeds');
    const session: WebnnModuleSession = await (await importWebnnModule(modelJs)).createSession(api);
    const feed = (n: number) => ({ data: new Float32Array(n * 4), dims: [n, 4] });
    await expect(session.run({ a: feed(2), b: feed(2), c: feed(2) })).rejects.toThrow('unknown input "c"');
    await expect(session.run({ a: { data: new Float32Array(6), dims: [2, 3] }, b: feed(2) })).rejects.toThrow(
      'input "a" has dims [2, 3], the model takes [n, 4]',
    );
    await expect(session.run({ a: feed(2), b: feed(3) })).rejects.toThrow(
      'dim "n" is 2 in one input and 3 in input "b"',
    );
    expect((await session.run({ a: feed(3), b: feed(3) })).y.dims).toEqual([3, 4]);
  });

  test('fails naming the node, op and data type when the context lacks them', async () => {
    const spec = oneOp(
      'Erf',
      [tensor('x', 'float32', [4])],
      [{ name: 'y', dtype: 'float32', dims: [4] }],
      {},
      { nodes: [{ op: 'Erf', inputs: ['x'], outputs: ['y'], name: 'block0/Erf' }] },
    );
    const { modelJs } = await emit(spec, 'limits');
    const feeds = { x: { data: new Float32Array(4), dims: [4] } };
    const noType = await restrictedSession(
      modelJs,
      (l) => ((l.erf as { input: { dataTypes: string[] } }).input.dataTypes = ['float16']),
    );
    await expect(noType.session.run(feeds)).rejects.toThrow(
      'node "block0/Erf": this WebNN context does not support erf() input of data type float32 (it supports float16).',
    );
    const noOp = await restrictedSession(modelJs, () => {}, ['erf']);
    await expect(noOp.session.run(feeds)).rejects.toThrow(
      'node "block0/Erf": this WebNN context has no erf() operation.',
    );
  });

  test('runs int64 tensors as int32 when the context has no int64, converting the inputs', async () => {
    const spec = oneOp(
      'Gather',
      [
        tensor('t', 'float32', [10, 3], { constant: true }),
        tensor('i', 'int64', [2, 4], { low: -10, high: 10 }),
      ],
      [{ name: 'y', dtype: 'float32', dims: [2, 4, 3] }],
    );
    const { modelJs, onnx } = await emit(spec, 'int32');
    const drop = (l: Record<string, unknown>) => {
      for (const entry of Object.values(l)) {
        if (!entry || typeof entry !== 'object') continue;
        for (const role of [entry, ...Object.values(entry)] as { dataTypes?: string[] }[])
          if (role && Array.isArray(role.dataTypes))
            role.dataTypes = role.dataTypes.filter((t) => t !== 'int64');
      }
    };
    const { session, inputTypes } = await restrictedSession(modelJs, drop);
    const ids = valuesFor(tensor('i', 'int64', [2, 4], { low: -10, high: 10 }));
    const got = await session.run({ i: { data: ids.data as BigInt64Array, dims: [2, 4] } });
    const ort = await createOrtRunner(onnx);
    const want = await ort.run({ i: ids });
    await ort.dispose();
    expect(inputTypes).toEqual(['int32']);
    expect(Array.from(got.y.data as Float32Array)).toEqual(Array.from(want.y.data as Float32Array));
  });

  test('an fp16 module computes in float32 on a context without float16, with float32 inputs', async () => {
    const spec = oneOp(
      'MatMul',
      [tensor('a', 'float32', [4, 8]), tensor('b', 'float32', [8, 5], { constant: true })],
      [{ name: 'y', dtype: 'float32', dims: [4, 5] }],
    );
    const { modelJs, onnx } = await emit(spec, 'fp16', 'fp16');
    const drop = (l: Record<string, unknown>) => {
      for (const entry of Object.values(l)) {
        if (!entry || typeof entry !== 'object') continue;
        for (const role of [entry, ...Object.values(entry)] as { dataTypes?: string[] }[])
          if (role && Array.isArray(role.dataTypes))
            role.dataTypes = role.dataTypes.filter((t) => t !== 'float16');
      }
    };
    const a = valuesFor(tensor('a', 'float32', [4, 8]));
    const ort = await createOrtRunner(onnx);
    const want = (await ort.run({ a })).y;
    await ort.dispose();
    const full = await (await importWebnnModule(modelJs)).createSession(api);
    const half = await restrictedSession(modelJs, drop);
    const withF16 = await full.run({ a: { data: a.data as Float32Array, dims: [4, 8] } });
    const withoutF16 = await half.session.run({ a: { data: a.data as Float32Array, dims: [4, 8] } });
    const rel = (d: Float32Array) => compareTensors(want, { dtype: 'float32', dims: [4, 5], data: d }).rel_l2;
    expect(half.inputTypes).toEqual(['float32']);
    // float16 weights either way; float16 arithmetic adds error on top of their rounding.
    expect(rel(withoutF16.y.data as Float32Array)).toBeLessThan(2e-3);
    expect(rel(withoutF16.y.data as Float32Array)).toBeLessThanOrEqual(rel(withF16.y.data as Float32Array));
  });

  test('dequantizes weights into constants when the context has no dequantizeLinear', async () => {
    const K = 64;
    const spec: ModelSpec = {
      nodes: [
        {
          op: 'MatMulNBits',
          domain: 'com.microsoft',
          inputs: ['x', 'b', 's', 'z'],
          outputs: ['y'],
          attrs: { K, N: 8, bits: 4, block_size: 32 },
        },
      ],
      tensors: [
        tensor('x', 'float32', [2, K]),
        tensor('b', 'uint8', [8, 2, 16], { constant: true, low: 0, high: 256 }),
        tensor('s', 'float32', [16], {
          constant: true,
          data: Array.from({ length: 16 }, (_, i) => 0.02 + i * 0.001),
        }),
        tensor('z', 'uint8', [8], { constant: true, low: 0, high: 256 }),
      ],
      outputs: [{ name: 'y', dtype: 'float32', dims: [2, 8] }],
      extraOpsets: { 'com.microsoft': 1 },
    };
    const { modelJs } = await emit(spec, 'nbits');
    const x = valuesFor(tensor('x', 'float32', [2, K]));
    const withOp = await restrictedSession(modelJs, () => {});
    const without = await restrictedSession(modelJs, (l) => delete l.dequantizeLinear, ['dequantizeLinear']);
    const a = await withOp.session.run({ x: { data: x.data as Float32Array, dims: [2, K] } });
    const b = await without.session.run({ x: { data: x.data as Float32Array, dims: [2, K] } });
    const m = compareTensors(
      { dtype: 'float32', dims: [2, 8], data: a.y.data as Float32Array },
      { dtype: 'float32', dims: [2, 8], data: b.y.data as Float32Array },
    );
    expect(withOp.dequantizeCalls).toEqual(['uint4']);
    expect(without.dequantizeCalls).toEqual([]);
    expect(m.rel_l2).toBeLessThanOrEqual(2e-6);
  });
});
