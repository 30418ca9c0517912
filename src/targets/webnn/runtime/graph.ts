// MLGraph: a compiled graph (operators in topological order, constants captured) and the
// executor that runs it on input tensors, releasing intermediate values after their last use.
//   const plan = compileGraph(outputs);          // at build()
//   const results = runPlan(plan, inputValues);  // at dispatch()

import { elementCountOf, type RuntimeTensor, type StorageArray } from './data-types.js';
import { operandSlotsOf, type MLOperand, type OperatorNode } from './operand.js';
import type { MLOperandDescriptor } from './types.js';

interface PlanStep {
  readonly node: OperatorNode;
  readonly inputIds: readonly number[];
  readonly outputIds: readonly number[];
  /** Value ids no longer needed once this step has run. */
  readonly release: readonly number[];
}

export interface ExecutionPlan {
  readonly valueCount: number;
  readonly constants: readonly (readonly [number, RuntimeTensor])[];
  readonly inputs: ReadonlyMap<string, { id: number; descriptor: MLOperandDescriptor }>;
  readonly outputs: ReadonlyMap<string, { id: number; descriptor: MLOperandDescriptor }>;
  readonly steps: readonly PlanStep[];
}

/** Orders the operators reachable from `outputs` and assigns value ids. */
export function compileGraph(outputs: ReadonlyMap<string, MLOperand>): ExecutionPlan {
  const ids = new Map<MLOperand, number>();
  const idOf = (operand: MLOperand): number => {
    let id = ids.get(operand);
    if (id === undefined) {
      id = ids.size;
      ids.set(operand, id);
    }
    return id;
  };
  const order: OperatorNode[] = [];
  const visited = new Set<OperatorNode>();
  const constants: [number, RuntimeTensor][] = [];
  const inputs = new Map<string, { id: number; descriptor: MLOperandDescriptor }>();
  const seenOperands = new Set<MLOperand>();

  // Iterative post-order DFS (graphs of large models are deeper than the JS call stack).
  const stack: { operand: MLOperand; expanded: boolean }[] = [...outputs.values()]
    .reverse()
    .map((operand) => ({ operand, expanded: false }));
  while (stack.length > 0) {
    const top = stack.pop()!;
    const slots = operandSlotsOf(top.operand)!;
    const node = slots.operator;
    if (!node) {
      if (!seenOperands.has(top.operand)) {
        seenOperands.add(top.operand);
        const id = idOf(top.operand);
        if (slots.constant) constants.push([id, slots.constant]);
        else if (slots.inputName !== undefined) {
          inputs.set(slots.inputName, { id, descriptor: { dataType: slots.dataType, shape: slots.shape } });
        }
      }
      continue;
    }
    if (visited.has(node)) continue;
    if (top.expanded) {
      visited.add(node);
      order.push(node);
      continue;
    }
    stack.push({ operand: top.operand, expanded: true });
    for (let i = node.inputs.length - 1; i >= 0; i--) {
      const input = node.inputs[i];
      const inputNode = operandSlotsOf(input)!.operator;
      if (!inputNode || !visited.has(inputNode)) stack.push({ operand: input, expanded: false });
    }
  }

  const outputIds = new Map<string, { id: number; descriptor: MLOperandDescriptor }>();
  for (const [name, operand] of outputs) {
    outputIds.set(name, {
      id: idOf(operand),
      descriptor: { dataType: operand.dataType, shape: operand.shape },
    });
  }
  const keep = new Set([...outputIds.values()].map((o) => o.id));
  for (const [id] of constants) keep.add(id);

  const steps = order.map((node) => ({
    node,
    inputIds: node.inputs.map(idOf),
    outputIds: node.outputs.map(idOf),
  }));
  const lastUse = new Map<number, number>();
  steps.forEach((step, index) => {
    for (const id of step.inputIds) lastUse.set(id, index);
    for (const id of step.outputIds) if (!lastUse.has(id)) lastUse.set(id, index);
  });
  const releaseAt: number[][] = steps.map(() => []);
  for (const [id, index] of lastUse) if (!keep.has(id)) releaseAt[index].push(id);

  return {
    valueCount: ids.size,
    constants,
    inputs,
    outputs: outputIds,
    steps: steps.map((step, index) => ({ ...step, release: releaseAt[index] })),
  };
}

/** Runs the plan; `inputData` holds each graph input's storage. Returns each output's value. */
export function runPlan(
  plan: ExecutionPlan,
  inputData: ReadonlyMap<string, StorageArray>,
): Map<string, RuntimeTensor> {
  const values: (RuntimeTensor | undefined)[] = new Array(plan.valueCount);
  for (const [id, value] of plan.constants) values[id] = value;
  for (const [name, { id, descriptor }] of plan.inputs) {
    const data = inputData.get(name);
    if (!data || data.length !== elementCountOf(descriptor.shape)) {
      throw new Error(`runPlan: input "${name}" is missing or has the wrong size`);
    }
    values[id] = { dataType: descriptor.dataType, shape: descriptor.shape, data };
  }
  for (const step of plan.steps) {
    const args = step.inputIds.map((id) => values[id]!);
    const results = step.node.compute(args);
    step.outputIds.forEach((id, i) => {
      values[id] = results[i];
    });
    for (const id of step.release) values[id] = undefined;
  }
  const outputs = new Map<string, RuntimeTensor>();
  for (const [name, { id }] of plan.outputs) outputs.set(name, values[id]!);
  return outputs;
}

export interface GraphSlots {
  readonly context: object;
  readonly plan: ExecutionPlan;
  destroyed: boolean;
}

const graphSlots = new WeakMap<object, GraphSlots>();
const CREATE = Symbol('MLGraph.create');

export class MLGraph {
  /** Not constructible by script: graphs come from MLGraphBuilder.build(). */
  constructor(token: symbol, slots: GraphSlots) {
    if (token !== CREATE)
      throw new TypeError('Illegal constructor: MLGraph is created by MLGraphBuilder.build()');
    graphSlots.set(this, slots);
  }

  /** Releases the graph; later dispatches throw "InvalidStateError". Idempotent. */
  destroy(): void {
    const slots = graphSlots.get(this);
    if (!slots) throw new TypeError('Illegal invocation: not an MLGraph');
    slots.destroyed = true;
  }

  get [Symbol.toStringTag](): string {
    return 'MLGraph';
  }
}

export function createGraphObject(slots: GraphSlots): MLGraph {
  return new MLGraph(CREATE, slots);
}

export function graphSlotsOf(value: unknown): GraphSlots {
  const slots = typeof value === 'object' && value !== null ? graphSlots.get(value) : undefined;
  if (!slots) throw new TypeError('dispatch: graph is not an MLGraph');
  return slots;
}
