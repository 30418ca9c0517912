// The WebNN API surface of the reference runtime: context creation, opSupportLimits(),
// MLTensor create/write/read/destroy, dispatch validation and timeline order, builder
// validation errors (TypeError / DOMException names the spec gives), constants of every
// overload, int4 packing, context loss, install() and the model-convert/webnn exports.

import * as webnn from '../../../../src/webnn.js';
import { install, ml, MLGraphBuilder, MLOperand, MLTensor } from '../../../../src/webnn.js';
import type { MLContext } from '../../../../src/webnn.js';

const desc = (shape: number[]) => ({ dataType: 'float32' as const, shape });

async function addGraph(context: MLContext) {
  const builder = new MLGraphBuilder(context);
  const a = builder.input('a', desc([2]));
  const b = builder.constant(desc([2]), Float32Array.of(10, 20));
  const graph = await builder.build({ y: builder.add(a, b) });
  const input = await context.createTensor({ ...desc([2]), writable: true });
  const output = await context.createTensor({ ...desc([2]), readable: true });
  return { graph, input, output };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an exception');
}

describe('contexts', () => {
  test('createContext resolves to an MLContext; invalid options and GPUDevice reject as the spec says', async () => {
    const context = await ml.createContext({ powerPreference: 'low-power' });
    expect(Object.prototype.toString.call(context)).toBe('[object MLContext]');
    const bad = await rejection(ml.createContext({ powerPreference: 'fastest' as 'default' }));
    expect(bad).toBeInstanceOf(TypeError);
    const gpu = await rejection(
      ml.createContext({ queue: {}, createBuffer: () => 0 } as unknown as undefined),
    );
    expect((gpu as DOMException).name).toBe('NotSupportedError');
  });

  test('opSupportLimits has the spec shape: top-level limits and per-operator tensor limits', async () => {
    const context = await ml.createContext();
    const limits = context.opSupportLimits();
    expect(limits.preferredInputLayout).toBe('nchw');
    expect(limits.maxTensorByteLength).toBe(2 ** 31);
    expect(limits.input.dataTypes).toEqual(
      expect.arrayContaining(['float32', 'float16', 'int64', 'int32', 'int8', 'uint8', 'int4', 'uint4']),
    );
    expect(limits.matmul.a).toEqual({ dataTypes: ['float32', 'float16'], rankRange: { min: 2, max: 8 } });
    expect(limits.conv2d.input.rankRange).toEqual({ min: 4, max: 4 });
    expect(limits.argMax.output.dataTypes).toEqual(['int32', 'int64']);
    expect(limits.logicalNot.a.dataTypes).toEqual(['uint8']);
    expect(limits.split.outputs.dataTypes).toContain('float16');
    expect(limits.dequantizeLinear.input.dataTypes).toEqual(
      expect.arrayContaining(['int4', 'uint4', 'int8', 'uint8']),
    );
    limits.matmul.a.dataTypes.push('int8');
    expect(context.opSupportLimits().matmul.a.dataTypes).toEqual(['float32', 'float16']);
  });

  test('every operator method of MLGraphBuilder has an opSupportLimits entry', async () => {
    const limits = (await ml.createContext()).opSupportLimits() as unknown as Record<string, unknown>;
    const methods = Object.getOwnPropertyNames(MLGraphBuilder.prototype).filter(
      (m) =>
        !['constructor', 'input', 'constant', 'build'].includes(m) &&
        typeof Object.getOwnPropertyDescriptor(MLGraphBuilder.prototype, m)?.value === 'function',
    );
    expect(methods.length).toBe(89);
    expect(methods.filter((m) => !(m in limits))).toEqual([]);
  });

  test('destroy() loses the context: lost resolves, and later calls fail with InvalidStateError', async () => {
    const context = await ml.createContext();
    const { graph, input, output } = await addGraph(context);
    context.destroy();
    expect(await context.lost).toEqual({ message: 'MLContext.destroy() was called' });
    expect(((await rejection(context.createTensor(desc([1])))) as DOMException).name).toBe(
      'InvalidStateError',
    );
    expect((thrown(() => new MLGraphBuilder(context)) as DOMException).name).toBe('InvalidStateError');
    expect((thrown(() => context.dispatch(graph, { a: input }, { y: output })) as DOMException).name).toBe(
      'InvalidStateError',
    );
  });
});

describe('tensors and dispatch', () => {
  test('dispatch computes into the output tensor; readTensor returns its bytes or fills a buffer', async () => {
    const context = await ml.createContext();
    const { graph, input, output } = await addGraph(context);
    context.writeTensor(input, Float32Array.of(1, 2));
    context.dispatch(graph, { a: input }, { y: output });
    expect(Array.from(new Float32Array(await context.readTensor(output)))).toEqual([11, 22]);
    const target = new Float32Array(2);
    await expect(context.readTensor(output, target)).resolves.toBeUndefined();
    expect(Array.from(target)).toEqual([11, 22]);
  });

  test('the timeline is ordered: a write after dispatch does not change that dispatch', async () => {
    const context = await ml.createContext();
    const { graph, input, output } = await addGraph(context);
    context.writeTensor(input, Float32Array.of(1, 1));
    context.dispatch(graph, { a: input }, { y: output });
    context.writeTensor(input, new Uint8Array(Float32Array.of(5, 5).buffer));
    const first = new Float32Array(await context.readTensor(output));
    context.dispatch(graph, { a: input }, { y: output });
    expect([Array.from(first), Array.from(new Float32Array(await context.readTensor(output)))]).toEqual([
      [11, 21],
      [15, 25],
    ]);
  });

  test('dispatch rejects wrong bindings with TypeError and a destroyed graph with InvalidStateError', async () => {
    const context = await ml.createContext();
    const { graph, input, output } = await addGraph(context);
    const wrongShape = await context.createTensor({ ...desc([3]), readable: true });
    const other = await (await ml.createContext()).createTensor({ ...desc([2]), writable: true });
    expect(thrown(() => context.dispatch(graph, {}, { y: output }))).toBeInstanceOf(TypeError);
    expect(thrown(() => context.dispatch(graph, { b: input }, { y: output }))).toBeInstanceOf(TypeError);
    expect(thrown(() => context.dispatch(graph, { a: input }, { y: wrongShape }))).toBeInstanceOf(TypeError);
    expect(thrown(() => context.dispatch(graph, { a: input }, { y: input }))).toBeInstanceOf(TypeError);
    expect(thrown(() => context.dispatch(graph, { a: other }, { y: output }))).toBeInstanceOf(TypeError);
    graph.destroy();
    expect((thrown(() => context.dispatch(graph, { a: input }, { y: output })) as DOMException).name).toBe(
      'InvalidStateError',
    );
  });

  test('readable/writable flags, buffer sizes and view types are enforced', async () => {
    const context = await ml.createContext();
    const writeOnly = await context.createTensor({ ...desc([2]), writable: true });
    const readOnly = await context.createTensor({ ...desc([2]), readable: true });
    expect(await rejection(context.readTensor(writeOnly))).toBeInstanceOf(TypeError);
    expect(thrown(() => context.writeTensor(readOnly, Float32Array.of(1, 2)))).toBeInstanceOf(TypeError);
    expect(thrown(() => context.writeTensor(writeOnly, Float32Array.of(1)))).toBeInstanceOf(TypeError);
    expect(thrown(() => context.writeTensor(writeOnly, Int32Array.of(1, 2)))).toBeInstanceOf(TypeError);
    expect(() => context.writeTensor(writeOnly, new ArrayBuffer(8))).not.toThrow();
    expect(readOnly.readable && !readOnly.writable && !readOnly.constant).toBe(true);
    expect(readOnly.shape).toEqual([2]);
    expect(Object.isFrozen(readOnly.shape)).toBe(true);
  });

  test('destroying a tensor rejects its pending read with InvalidStateError and later reads with TypeError', async () => {
    const context = await ml.createContext();
    const tensor = await context.createTensor({ ...desc([2]), readable: true });
    const pending = context.readTensor(tensor);
    tensor.destroy();
    expect(((await rejection(pending)) as DOMException).name).toBe('InvalidStateError');
    expect(await rejection(context.readTensor(tensor))).toBeInstanceOf(TypeError);
  });

  test('int4 tensors and constants are packed two values per byte, low nibble first', async () => {
    const context = await ml.createContext();
    const builder = new MLGraphBuilder(context);
    // Values 1, -2, 7, -8, 3 → nibbles 0x1, 0xE, 0x7, 0x8, 0x3.
    const packed = Uint8Array.of(0xe1, 0x87, 0x03);
    const q = builder.constant({ dataType: 'int4', shape: [5] }, packed);
    const x = builder.input('x', { dataType: 'int4', shape: [3] });
    const graph = await builder.build({ wide: builder.cast(q, 'int8'), same: builder.identity(x) });
    const inT = await context.createTensor({ dataType: 'int4', shape: [3], writable: true });
    const wide = await context.createTensor({ dataType: 'int8', shape: [5], readable: true });
    const same = await context.createTensor({ dataType: 'int4', shape: [3], readable: true });
    context.writeTensor(inT, Uint8Array.of(0x9f, 0x05));
    context.dispatch(graph, { x: inT }, { wide, same });
    expect(Array.from(new Int8Array(await context.readTensor(wide)))).toEqual([1, -2, 7, -8, 3]);
    expect(Array.from(new Uint8Array(await context.readTensor(same)))).toEqual([0x9f, 0x05]);
  });
});

describe('graph builder validation', () => {
  test('operators reject mismatched types, foreign operands and bad options with TypeError naming the label', async () => {
    const context = await ml.createContext();
    const builder = new MLGraphBuilder(context);
    const a = builder.input('a', desc([2, 3]));
    const i = builder.input('i', { dataType: 'int32', shape: [2, 3] });
    const foreign = new MLGraphBuilder(context).input('f', desc([2, 3]));
    const mismatch = thrown(() => builder.add(a, i, { label: 'attn/add_1' })) as TypeError;
    expect(mismatch).toBeInstanceOf(TypeError);
    expect(mismatch.message).toBe('add [attn/add_1]: b has data type int32, expected float32');
    expect(thrown(() => builder.mul(a, foreign))).toBeInstanceOf(TypeError);
    expect((thrown(() => builder.matmul(a, a)) as Error).message).toBe(
      'matmul: a [2,3] has 3 columns but b [2,3] has 2 rows',
    );
    expect(thrown(() => builder.softmax(a, 2))).toBeInstanceOf(TypeError);
    expect(thrown(() => builder.relu(builder.input('u', { dataType: 'uint8', shape: [1] })))).toBeInstanceOf(
      TypeError,
    );
    expect(thrown(() => builder.reshape(a, [4]))).toBeInstanceOf(TypeError);
    expect(thrown(() => builder.input('a', desc([1])))).toBeInstanceOf(TypeError);
    expect(thrown(() => builder.input('z', desc([0])))).toBeInstanceOf(TypeError);
    expect(
      thrown(() => builder.constant({ dataType: 'int32', shape: [2] }, Float32Array.of(1, 2))),
    ).toBeInstanceOf(TypeError);
    expect(thrown(() => builder.constant(desc([3]), Float32Array.of(1, 2)))).toBeInstanceOf(TypeError);
    expect(() => builder.constant({ dataType: 'int32', shape: [2] }, new Uint8Array(8))).not.toThrow();
  });

  test('build rejects inputs or constants as outputs and empty outputs; a built builder is InvalidStateError', async () => {
    const context = await ml.createContext();
    const builder = new MLGraphBuilder(context);
    const a = builder.input('a', desc([2]));
    expect(await rejection(builder.build({ a }))).toBeInstanceOf(TypeError);
    expect(await rejection(builder.build({}))).toBeInstanceOf(TypeError);
    const y = builder.identity(a);
    await builder.build({ y });
    expect(((await rejection(builder.build({ y }))) as DOMException).name).toBe('InvalidStateError');
    expect((thrown(() => builder.relu(a)) as DOMException).name).toBe('InvalidStateError');
  });

  test('graph inputs are those reachable from the outputs only', async () => {
    const context = await ml.createContext();
    const builder = new MLGraphBuilder(context);
    const a = builder.input('a', desc([1]));
    builder.input('unused', desc([1]));
    const graph = await builder.build({ y: builder.neg(a) });
    const input = await context.createTensor({ ...desc([1]), writable: true });
    const output = await context.createTensor({ ...desc([1]), readable: true });
    context.writeTensor(input, Float32Array.of(3));
    expect(() => context.dispatch(graph, { a: input }, { y: output })).not.toThrow();
    expect(Array.from(new Float32Array(await context.readTensor(output)))).toEqual([-3]);
  });

  test('scalar constants are cast to their data type (float16 bits, int64 bigint, clamped uint8)', async () => {
    const context = await ml.createContext();
    const builder = new MLGraphBuilder(context);
    const graph = await builder.build({
      h: builder.identity(builder.constant('float16', 0.1)),
      l: builder.identity(builder.constant('int64', 2n ** 62n + 1n)),
      u: builder.identity(builder.constant('uint8', 300)),
    });
    const h = await context.createTensor({ dataType: 'float16', shape: [], readable: true });
    const l = await context.createTensor({ dataType: 'int64', shape: [], readable: true });
    const u = await context.createTensor({ dataType: 'uint8', shape: [], readable: true });
    context.dispatch(graph, {}, { h, l, u });
    expect(new Uint16Array(await context.readTensor(h))[0]).toBe(0x2e66);
    expect(new BigInt64Array(await context.readTensor(l))[0]).toBe(2n ** 62n + 1n);
    expect(new Uint8Array(await context.readTensor(u))[0]).toBe(255);
  });

  test('constant(tensor) needs a constant tensor, alive at build; destroying it afterwards keeps the graph', async () => {
    const context = await ml.createContext();
    const weights = await context.createConstantTensor(desc([2]), Float32Array.of(2, 3));
    const plain = await context.createTensor({ ...desc([2]), writable: true });
    expect(weights.constant).toBe(true);
    const builder = new MLGraphBuilder(context);
    expect(thrown(() => builder.constant(plain))).toBeInstanceOf(TypeError);
    const x = builder.input('x', desc([2]));
    const graph = await builder.build({ y: builder.mul(x, builder.constant(weights)) });
    weights.destroy();
    const output = await context.createTensor({ ...desc([2]), readable: true });
    context.writeTensor(plain, Float32Array.of(5, 7));
    context.dispatch(graph, { x: plain }, { y: output });
    expect(Array.from(new Float32Array(await context.readTensor(output)))).toEqual([10, 21]);

    const later = await context.createConstantTensor(desc([2]), Float32Array.of(1, 1));
    const second = new MLGraphBuilder(context);
    const sum = second.add(second.input('x', desc([2])), second.constant(later));
    later.destroy();
    expect(await rejection(second.build({ y: sum }))).toBeInstanceOf(TypeError);
  });
});

describe('exports and installation', () => {
  test('model-convert/webnn exports ml, MLGraphBuilder and install; no deprecated members exist', async () => {
    expect(Object.keys(webnn).sort()).toEqual([
      'ML',
      'MLContext',
      'MLGraph',
      'MLGraphBuilder',
      'MLOperand',
      'MLTensor',
      'install',
      'ml',
    ]);
    const context = await ml.createContext();
    const builder = new MLGraphBuilder(context);
    const x = builder.input('x', desc([1, 2]));
    expect(['compute' in context, 'compute' in builder, 'dimensions' in x, 'type' in x]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect([x.dataType, x.shape]).toEqual(['float32', [1, 2]]);
    expect(thrown(() => Reflect.construct(MLOperand, []))).toBeInstanceOf(TypeError);
    expect(thrown(() => Reflect.construct(MLTensor, []))).toBeInstanceOf(TypeError);
  });

  test('install() defines navigator.ml and MLGraphBuilder, creating navigator when absent', async () => {
    const bare: Record<string, unknown> = {};
    expect(install(bare)).toBe(ml);
    expect((bare.navigator as { ml: unknown }).ml).toBe(ml);
    expect(bare.MLGraphBuilder).toBe(MLGraphBuilder);
    const existingNavigator = { userAgent: 'test' };
    const withNavigator: Record<string, unknown> = { navigator: existingNavigator };
    install(withNavigator);
    expect(withNavigator.navigator).toBe(existingNavigator);
    expect((existingNavigator as unknown as { ml: unknown }).ml).toBe(ml);
  });
});
