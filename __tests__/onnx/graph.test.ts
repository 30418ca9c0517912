// Covers src/onnx/graph.ts: Graph.constant / constants() treating initializers and Constant
// nodes (value, value_float(s), value_int(s)) alike (ONNX Runtime agrees on the values),
// producer/consumer maps on bert.legacy, topologicalOrder on shuffled graphs (If branches
// reading outer-scope values included) and on cycles, parameterCount, outerScopeNames,
// typeOf/inputs, and opsetVersion.

import Long from 'long';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import { elementCount, type HostTensor } from '../../src/onnx/dtype.js';
import { Graph, opsetVersion, outerScopeNames } from '../../src/onnx/graph.js';
import { readModel } from '../../src/onnx/model-io.js';
import { onnx, type GraphProto, type ModelProto, type NodeProto } from '../../src/onnx/proto/index.js';
import { tensorFromProto, tensorToProto } from '../../src/onnx/tensor.js';
import { createOrtRunner } from '../../src/verify/ort-runner.js';
import { SeededRandom } from '../../src/verify/random.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS = path.join(repoRoot, '__tests__/fixtures/models');
const SHARED = path.resolve(repoRoot, '../shared/fixtures');

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'mc-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

const A = onnx.AttributeProto.AttributeType;

function node(
  opType: string,
  input: string[],
  output: string[],
  name: string,
  attribute: onnx.IAttributeProto[] = [],
): onnx.INodeProto {
  return { opType, input, output, name, attribute };
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** A model from parts, encoded and decoded so it looks like one read from a file. */
function makeModel(graph: onnx.IGraphProto, opset = 13): ModelProto {
  const m = new onnx.ModelProto({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: new onnx.GraphProto(graph),
  });
  return onnx.ModelProto.decode(onnx.ModelProto.encode(m).finish());
}

function graphOf(m: ModelProto, where = 'test.onnx'): Graph {
  return new Graph(m.graph as GraphProto, where);
}

function load(file: string): ModelProto {
  return readModel(file).proto;
}

/** The same graph with its node list in another order. */
function withNodes(g: GraphProto, nodes: NodeProto[]): Graph {
  return new Graph(new onnx.GraphProto({ ...g, node: nodes }) as GraphProto, 'shuffled.onnx');
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rng = new SeededRandom(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Names used before they are produced, in `order` (graph inputs and initializers are available from the start). */
function usedBeforeProduced(g: Graph, order: NodeProto[]): string[] {
  const available = new Set<string>([
    '',
    ...g.proto.input.map((v) => v.name ?? ''),
    ...g.initializers.map((t) => t.name),
  ]);
  const late: string[] = [];
  for (const n of order) {
    for (const i of [...n.input, ...outerScopeNames(n)]) if (!available.has(i)) late.push(i);
    for (const o of n.output) available.add(o);
  }
  return late;
}

function expectUserError(fn: () => unknown, ...patterns: (string | RegExp)[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UserError);
  for (const p of patterns) expect((caught as Error).message).toMatch(p);
}

describe('constants: initializers and Constant nodes alike', () => {
  const BIG = 2n ** 60n + 3n;
  const tensor: HostTensor = { dtype: 'float32', dims: [2, 2], data: Float32Array.of(1, -2, 3.5, 4) };
  const inits = [
    tensorToProto('i_tensor', tensor),
    tensorToProto('i_float', { dtype: 'float32', dims: [], data: Float32Array.of(2.5) }),
    tensorToProto('i_floats', { dtype: 'float32', dims: [3], data: Float32Array.of(1.5, -2, 0.25) }),
    tensorToProto('i_int', { dtype: 'int64', dims: [], data: BigInt64Array.of(7n) }),
    tensorToProto('i_ints', { dtype: 'int64', dims: [3], data: BigInt64Array.of(1n, -2n, BIG) }),
  ];
  const constantNodes = [
    node('Constant', [], ['c_tensor'], 'k_tensor', [
      { name: 'value', type: A.TENSOR, t: { dataType: 1, dims: [2, 2], floatData: [1, -2, 3.5, 4] } },
    ]),
    node('Constant', [], ['c_float'], 'k_float', [{ name: 'value_float', type: A.FLOAT, f: 2.5 }]),
    node('Constant', [], ['c_floats'], 'k_floats', [
      { name: 'value_floats', type: A.FLOATS, floats: [1.5, -2, 0.25] },
    ]),
    node('Constant', [], ['c_int'], 'k_int', [{ name: 'value_int', type: A.INT, i: 7 }]),
    node('Constant', [], ['c_ints'], 'k_ints', [
      { name: 'value_ints', type: A.INTS, ints: [1, -2, Long.fromString(BIG.toString())] },
    ]),
    node('Relu', ['c_tensor'], ['relu_out'], 'relu'),
    node('Constant', [], ['custom_const'], 'custom', [{ name: 'value_float', type: A.FLOAT, f: 1 }]),
  ];
  constantNodes[constantNodes.length - 1].domain = 'my.domain';
  const KINDS = ['tensor', 'float', 'floats', 'int', 'ints'];
  const model = makeModel({
    name: 'constants',
    node: [...constantNodes, ...KINDS.map((k) => node('Identity', [`c_${k}`], [`out_${k}`], `id_${k}`))],
    initializer: inits,
    output: [
      valueInfo('out_tensor', 1, [2, 2]),
      valueInfo('out_float', 1, []),
      valueInfo('out_floats', 1, [3]),
      valueInfo('out_int', 7, []),
      valueInfo('out_ints', 7, [3]),
    ],
  });
  const g = graphOf(model, 'constants.onnx');
  const host = (name: string): HostTensor => tensorFromProto(g.constant(name)!, 'constants.onnx');

  test.each(KINDS)('Constant %s and the matching initializer give the same tensor', (kind) => {
    expect(host(`c_${kind}`)).toEqual(host(`i_${kind}`));
    expect(host(`c_${kind}`).data.constructor).toBe(host(`i_${kind}`).data.constructor);
  });

  test('the values, dtypes and dims are what the attributes say', () => {
    expect([...(host('c_tensor').data as Float32Array)]).toEqual([1, -2, 3.5, 4]);
    expect([host('c_float').dims, [...(host('c_float').data as Float32Array)]]).toEqual([[], [2.5]]);
    expect([host('c_int').dtype, host('c_int').dims, [...(host('c_int').data as BigInt64Array)]]).toEqual([
      'int64',
      [],
      [7n],
    ]);
    expect([...(host('c_ints').data as BigInt64Array)]).toEqual([1n, -2n, BIG]);
    expect(g.typeOf('c_floats')).toEqual({ dtype: 'float32', dims: [3] });
    expect(g.typeOf('c_ints')).toEqual({ dtype: 'int64', dims: [3] });
  });

  test('ONNX Runtime computes the same values for the Constant nodes', async () => {
    const file = path.join(tmpRoot, 'constants.onnx');
    fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
    const runner = await createOrtRunner(file);
    try {
      const out = await runner.run({});
      for (const k of KINDS) expect(out[`out_${k}`]).toEqual(host(`c_${k}`));
    } finally {
      await runner.dispose();
    }
  });

  test('constants() lists initializers and default-domain Constant nodes only', () => {
    expect([...g.constants().keys()].sort()).toEqual(
      [...KINDS.map((k) => `c_${k}`), ...KINDS.map((k) => `i_${k}`)].sort(),
    );
    expect(g.constant('relu_out')).toBeUndefined();
    expect(g.constant('custom_const')).toBeUndefined();
    expect(g.constant('nothing')).toBeUndefined();
  });

  test('opset9_constants.onnx: its four Constant-node weights are constants', () => {
    const opset9 = graphOf(load(path.join(MODELS, 'opset9_constants.onnx')), 'opset9_constants.onnx');
    const c = opset9.constants();
    expect([...c.keys()].sort()).toEqual(['B1', 'B2', 'W1', 'W2']);
    expect(opset9.initializers.length).toBe(0);
    expect(['W1', 'B1', 'W2', 'B2'].map((n) => tensorFromProto(c.get(n)!, 'opset9').dims)).toEqual([
      [16, 8],
      [16],
      [16, 4],
      [4],
    ]);
    expect(opset9.constant('B2')!.floatData.length).toBe(4);
  });
});

describe('producers and consumers on bert.legacy', () => {
  const bert = graphOf(load(path.join(SHARED, 'bert.legacy.onnx')), 'bert.legacy.onnx');

  test('every MatMul is its output’s producer, and its output has consumers that read it', () => {
    const producers = bert.producers();
    const consumers = bert.consumers();
    const matmuls = bert.nodes.filter((n) => n.opType === 'MatMul');
    expect(matmuls.length).toBe(16);
    for (const mm of matmuls) {
      expect(producers.get(mm.output[0])).toBe(mm);
      const readers = consumers.get(mm.output[0]) ?? [];
      expect(readers.length).toBeGreaterThan(0);
      for (const r of readers) {
        expect(bert.nodes).toContain(r);
        expect(r.input).toContain(mm.output[0]);
      }
      // Each MatMul input comes from a graph input, an initializer or a node.
      for (const i of mm.input)
        expect(
          producers.has(i) || bert.constant(i) !== undefined || bert.inputs.some((v) => v.name === i),
        ).toBe(true);
    }
  });

  test('consumer lists add up to the number of non-empty node inputs', () => {
    const total = [...bert.consumers().values()].reduce((n, list) => n + list.length, 0);
    expect(total).toBe(bert.nodes.reduce((n, node) => n + node.input.filter(Boolean).length, 0));
    expect(bert.producers().size).toBe(new Set(bert.nodes.flatMap((n) => n.output.filter(Boolean))).size);
  });

  test('inputs and typeOf', () => {
    expect(bert.inputs.map((v) => v.name)).toEqual(['input_ids', 'attention_mask']);
    expect(bert.typeOf('input_ids')).toEqual({ dtype: 'int64', dims: ['batch', 'seq'] });
  });
});

describe('topologicalOrder', () => {
  test('bert.legacy with its node list shuffled: every value is produced before it is used', () => {
    const bert = graphOf(load(path.join(SHARED, 'bert.legacy.onnx')), 'bert.legacy.onnx');
    const shuffledGraph = withNodes(bert.proto, shuffled(bert.nodes, 7));
    expect(usedBeforeProduced(shuffledGraph, shuffledGraph.nodes).length).toBeGreaterThan(0);
    const order = shuffledGraph.topologicalOrder();
    expect(usedBeforeProduced(shuffledGraph, order)).toEqual([]);
    expect(order.length).toBe(bert.nodes.length);
    expect(new Set(order)).toEqual(new Set(bert.nodes));
  });

  test('an If whose branch reads a value made by a later node is moved after that node, and still runs', async () => {
    const m = onnx.ModelProto.decode(fs.readFileSync(path.join(MODELS, 'if_subgraph.onnx')));
    const g = m.graph as GraphProto;
    const ifNode = g.node.find((n) => n.opType === 'If')!;
    const thenBranch = ifNode.attribute!.find((a) => a.name === 'then_branch')!.g!;
    thenBranch.node!.find((n) => n.name === 'then_matmul')!.input![1] = 'W_then_local';
    g.node.push(node('Identity', ['W_then'], ['W_then_local'], 'outer_identity'));
    const graph = new Graph(g, 'if_outer.onnx');
    expect(outerScopeNames(ifNode as NodeProto).sort()).toEqual([
      'W_else',
      'W_then_local',
      'b_then',
      's_else',
      'x',
    ]);

    for (const seed of [1, 2, 3]) {
      const order = withNodes(g, shuffled(graph.nodes, seed)).topologicalOrder();
      expect(usedBeforeProduced(graph, order)).toEqual([]);
      expect(order.indexOf(graph.nodes[3])).toBeLessThan(order.indexOf(ifNode as NodeProto));
    }
    // The listed order uses W_then_local (inside the If) before outer_identity makes it.
    expect(usedBeforeProduced(graph, graph.nodes)).toEqual(['W_then_local']);
    const order = graph.topologicalOrder();
    expect(order.map((n) => n.name).sort()).toEqual(['greater', 'if', 'outer_identity', 'reduce_sum']);
    expect(order.findIndex((n) => n.name === 'outer_identity')).toBeLessThan(
      order.findIndex((n) => n.name === 'if'),
    );

    // Written in that order, ONNX Runtime runs it and gives what the original model gives.
    g.node = order;
    const file = path.join(tmpRoot, 'if_outer.onnx');
    fs.writeFileSync(file, onnx.ModelProto.encode(m).finish());
    const x: HostTensor = {
      dtype: 'float32',
      dims: [2, 4],
      data: Float32Array.of(1, 2, 3, 4, 0.5, -1, 0.25, 2),
    };
    const results = [];
    for (const f of [file, path.join(MODELS, 'if_subgraph.onnx')]) {
      const runner = await createOrtRunner(f);
      results.push((await runner.run({ x })).y);
      await runner.dispose();
    }
    expect(results[0]).toEqual(results[1]);
    expect([...(results[0].data as Float32Array)].some((v) => v > 0)).toBe(true);
  });

  test('a cycle is a UserError naming a node on the cycle', () => {
    const m = makeModel({
      name: 'cycle',
      input: [valueInfo('x', 1, [2])],
      output: [valueInfo('c', 1, [2])],
      node: [
        node('Relu', ['a'], ['c'], 'downstream'), // depends on the cycle, is not on it
        node('Add', ['x', 'b'], ['a'], 'add_cycle'),
        node('Neg', ['a'], ['b'], 'neg_cycle'),
      ],
    });
    expectUserError(
      () => graphOf(m, 'cycle.onnx').topologicalOrder(),
      'cycle.onnx',
      /cycle through node "(add_cycle|neg_cycle)"/,
    );
  });

  test('a node reading its own output is a cycle', () => {
    const m = makeModel({
      name: 'self',
      input: [valueInfo('x', 1, [2])],
      node: [node('Add', ['x', 's'], ['s'], 'self_add')],
    });
    expectUserError(
      () => graphOf(m, 'self.onnx').topologicalOrder(),
      'self.onnx',
      'cycle through node "self_add"',
    );
  });
});

describe('parameterCount, outerScopeNames, inputs, opsetVersion', () => {
  test('parameterCount of opset9_constants is the sum of its weight element counts (212)', () => {
    const g = graphOf(load(path.join(MODELS, 'opset9_constants.onnx')));
    const sum = [...g.constants().values()].reduce(
      (n, t) => n + elementCount(tensorFromProto(t, 'opset9').dims),
      0,
    );
    expect(sum).toBe(16 * 8 + 16 + 16 * 4 + 4);
    expect(g.parameterCount()).toBe(sum);
  });

  test('parameterCount leaves out scalars and single-element constants', () => {
    // if_subgraph: W_then 12 + b_then 3 + W_else 12; `zero` (scalar) and `s_else` ([1]) are not parameters.
    expect(graphOf(load(path.join(MODELS, 'if_subgraph.onnx'))).parameterCount()).toBe(27);
  });

  test('outerScopeNames: the If in if_subgraph reads x and four outer initializers', () => {
    const g = graphOf(load(path.join(MODELS, 'if_subgraph.onnx')));
    const ifNode = g.nodes.find((n) => n.opType === 'If')!;
    expect(outerScopeNames(ifNode).sort()).toEqual(['W_else', 'W_then', 'b_then', 's_else', 'x']);
    expect(outerScopeNames(g.nodes.find((n) => n.opType === 'Greater')!)).toEqual([]);
  });

  test('outerScopeNames: Loop reads `step`; Scan reads nothing from outside', () => {
    const g = graphOf(load(path.join(MODELS, 'loop_scan.onnx')));
    expect(outerScopeNames(g.nodes.find((n) => n.opType === 'Loop')!)).toEqual(['step']);
    expect(outerScopeNames(g.nodes.find((n) => n.opType === 'Scan')!)).toEqual([]);
  });

  test('outerScopeNames: a nested branch may read its parent branch’s values without them leaking out', () => {
    const inner: onnx.IGraphProto = {
      name: 'inner',
      node: [node('Add', ['t1', 'z'], ['r'], 'inner_add')],
      output: [valueInfo('r', 1, [])],
    };
    const outer: onnx.IGraphProto = {
      name: 'outer',
      node: [
        node('Neg', ['y'], ['t1'], 'outer_neg'),
        node('If', ['cond'], ['o'], 'nested_if', [
          { name: 'then_branch', type: A.GRAPH, g: inner },
          { name: 'else_branch', type: A.GRAPH, g: inner },
        ]),
      ],
      output: [valueInfo('o', 1, [])],
    };
    const top = node('If', ['cond'], ['out'], 'top_if', [
      { name: 'then_branch', type: A.GRAPH, g: outer },
      { name: 'else_branch', type: A.GRAPH, g: outer },
    ]);
    expect(outerScopeNames(top).sort()).toEqual(['cond', 'y', 'z']);
  });

  test('inputs leaves out initializers that old exporters also list as graph inputs', () => {
    const m = makeModel({
      name: 'old',
      input: [valueInfo('x', 1, [2]), valueInfo('w', 1, [2])],
      initializer: [tensorToProto('w', { dtype: 'float32', dims: [2], data: Float32Array.of(1, 2) })],
      node: [node('Add', ['x', 'w'], ['y'], 'add')],
      output: [valueInfo('y', 1, [2])],
    });
    expect(graphOf(m).inputs.map((v) => v.name)).toEqual(['x']);
  });

  test('opsetVersion', () => {
    expect(opsetVersion(load(path.join(MODELS, 'opset9_constants.onnx')))).toBe(9);
    const local = load(path.join(MODELS, 'local_function.onnx'));
    expect([
      opsetVersion(local),
      opsetVersion(local, ''),
      opsetVersion(local, 'custom.fn'),
      opsetVersion(local, 'com.microsoft'),
    ]).toEqual([17, 17, 1, undefined]);
    expect(opsetVersion({ opsetImport: [{ domain: 'ai.onnx', version: 15 }] })).toBe(15);
    expect(opsetVersion(load(path.join(SHARED, 'llama.dynamo_static.onnx')))).toBe(20);
  });
});
