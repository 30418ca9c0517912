// Generation-time fusions for the webgpu target, on the planned node list:
//   - fuseMatMulBias: MatMul + Add of a constant bias row → one MatMul (bias in the epilogue);
//   - fuseRmsNorm: the exporters' spelled-out RMSNorm chain → one SimplifiedLayerNormalization;
//   - fuseElementwise: a producer whose only consumer is another elementwise node (and which
//     is not a graph output) is merged into it, so the chain becomes one program
//     (ops/elementwise.ts) and one kernel that reads each leaf input once and writes only the
//     last result, within the kernel binding budget (at most MAX_FUSED_INPUTS leaf inputs).
//   const items = fuseElementwise(fuseRmsNorm(fuseMatMulBias(nodes, outs, dims), outs, constants), outs);

import { elementwiseOps, type ElementwiseAttrs, type ElementwiseStep } from './ops/elementwise.js';
import { normalizationOps } from './ops/normalization.js';
import type { Attrs, GpuOpVersion } from './ops/types.js';

/** One planned node: its inputs/outputs by value name, op entry, attributes and label. */
export interface PlannedNode {
  inputs: string[];
  outputs: string[];
  entry: GpuOpVersion;
  attrs: Attrs;
  label: string;
  opType: string;
  /** Labels of the nodes merged into this one (for the generated code's comment). */
  fused?: string[];
}

/** Leaf inputs of a fused program; with its output, within WebGPU's default 8 storage buffers. */
export const MAX_FUSED_INPUTS = 6;

const generic = elementwiseOps.Add[0];

function isElementwise(n: PlannedNode): boolean {
  const castEntry = elementwiseOps.Cast[0];
  return (
    n.outputs.length === 1 &&
    (n.entry.lower === generic.lower || n.entry === castEntry) &&
    Array.isArray((n.attrs as ElementwiseAttrs).steps)
  );
}

/** `consumer` with `producer` (which computes consumer.inputs[slot]) merged in front of it. */
function merge(producer: PlannedNode, consumer: PlannedNode): PlannedNode | undefined {
  const target = producer.outputs[0];
  const inputs: string[] = [];
  const indexOf = (name: string): number => {
    if (name === '') {
      inputs.push('');
      return inputs.length - 1;
    }
    const at = inputs.indexOf(name);
    if (at >= 0) return at;
    inputs.push(name);
    return inputs.length - 1;
  };
  const consumerRefs = consumer.inputs.map((name) => (name === target ? -1 : indexOf(name)));
  const producerRefs = producer.inputs.map((name) => indexOf(name));
  if (inputs.filter((n) => n !== '').length > MAX_FUSED_INPUTS) return undefined;
  const n = inputs.length;
  const pSteps = (producer.attrs as ElementwiseAttrs).steps;
  const cSteps = (consumer.attrs as ElementwiseAttrs).steps;
  const pInputs = producer.inputs.length;
  const cInputs = consumer.inputs.length;
  const steps: ElementwiseStep[] = [];
  for (const s of pSteps)
    steps.push({ ...s, args: s.args.map((a) => (a < pInputs ? producerRefs[a] : n + (a - pInputs))) });
  const producerResult = n + pSteps.length - 1;
  for (const s of cSteps)
    steps.push({
      ...s,
      args: s.args.map((a) =>
        a < cInputs
          ? consumerRefs[a] < 0
            ? producerResult
            : consumerRefs[a]
          : n + pSteps.length + (a - cInputs),
      ),
    });
  return {
    inputs,
    outputs: consumer.outputs,
    entry: generic,
    attrs: { steps } as unknown as Attrs,
    label: consumer.label,
    opType: 'Elementwise',
    fused: [...(producer.fused ?? [producer.label]), ...(consumer.fused ?? [consumer.label])],
  };
}

/** The nodes (topologically ordered) with elementwise chains merged. */
export function fuseElementwise(nodes: PlannedNode[], graphOutputs: Set<string>): PlannedNode[] {
  const list: (PlannedNode | undefined)[] = nodes.slice();
  const consumers = new Map<string, number>();
  for (const node of nodes) for (const i of node.inputs) if (i) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const producerOf = new Map<string, number>();
  list.forEach((node, k) => node!.outputs.forEach((o) => o && producerOf.set(o, k)));
  for (let k = 0; k < list.length; k++) {
    let node = list[k]!;
    if (!isElementwise(node)) continue;
    let changed = true;
    while (changed) {
      changed = false;
      for (const input of node.inputs) {
        const p = producerOf.get(input);
        if (p === undefined || !list[p] || !isElementwise(list[p]!)) continue;
        if (consumers.get(input) !== 1 || graphOutputs.has(input)) continue;
        const merged = merge(list[p]!, node);
        if (!merged) continue;
        list[p] = undefined;
        node = merged;
        list[k] = node;
        changed = true;
        break;
      }
    }
  }
  return list.filter((n): n is PlannedNode => n !== undefined);
}

/**
 * MatMul followed by the Add of a constant bias row ([N], either Add operand) becomes one
 * MatMul with the bias as a third input, added in the kernel's epilogue: one dispatch less
 * per linear layer. `dims` gives the dims of constants.
 */
export function fuseMatMulBias(
  nodes: PlannedNode[],
  graphOutputs: Set<string>,
  dims: (name: string) => number[] | undefined,
): PlannedNode[] {
  const consumers = new Map<string, number[]>();
  nodes.forEach((n, k) => n.inputs.forEach((i) => i && consumers.set(i, [...(consumers.get(i) ?? []), k])));
  const list: (PlannedNode | undefined)[] = nodes.slice();
  nodes.forEach((mm, k) => {
    if (mm.opType !== 'MatMul' || mm.inputs.length !== 2 || graphOutputs.has(mm.outputs[0])) return;
    const b = dims(mm.inputs[1]);
    const users = consumers.get(mm.outputs[0]) ?? [];
    if (!b || b.length !== 2 || users.length !== 1) return;
    const add = list[users[0]];
    if (!add || add.opType !== 'Add' || add.inputs.length !== 2) return;
    const bias = add.inputs[0] === mm.outputs[0] ? add.inputs[1] : add.inputs[0];
    const biasDims = dims(bias);
    if (bias === mm.outputs[0] || !biasDims || biasDims.length !== 1 || biasDims[0] !== b[1]) return;
    list[k] = undefined;
    list[users[0]] = {
      ...mm,
      inputs: [mm.inputs[0], mm.inputs[1], bias],
      outputs: add.outputs,
      label: mm.label,
      fused: [mm.label, add.label],
    };
  });
  return list.filter((n): n is PlannedNode => n !== undefined);
}

/** Constant values known at conversion, for pattern matching (undefined: not a constant). */
export interface ConstantLookup {
  dims(name: string): number[] | undefined;
  values(name: string): number[] | undefined;
}

/**
 * RMSNorm spelled out by exporters — Pow(x, 2) → ReduceMean(last axis, keepdims) → Add(ε) →
 * Sqrt → Reciprocal → Mul(x, ·) [→ Mul(weight)] — becomes one SimplifiedLayerNormalization
 * (one row kernel instead of four kernels and a written x²). Same math: x · 1/√(mean(x²)+ε) · w.
 */
export function fuseRmsNorm(
  nodes: PlannedNode[],
  graphOutputs: Set<string>,
  constants: ConstantLookup,
): PlannedNode[] {
  const consumers = new Map<string, number[]>();
  nodes.forEach((n, k) => n.inputs.forEach((i) => i && consumers.set(i, [...(consumers.get(i) ?? []), k])));
  const list: (PlannedNode | undefined)[] = nodes.slice();
  const only = (value: string, opType: string): number | undefined => {
    const users = consumers.get(value) ?? [];
    if (users.length !== 1 || graphOutputs.has(value)) return undefined;
    return list[users[0]]?.opType === opType ? users[0] : undefined;
  };
  const scalar = (name: string) => {
    const v = constants.values(name);
    return v && v.length === 1 ? v[0] : undefined;
  };
  const other = (n: PlannedNode, value: string) => (n.inputs[0] === value ? n.inputs[1] : n.inputs[0]);
  nodes.forEach((pow, p) => {
    if (pow.opType !== 'Pow' || scalar(pow.inputs[1]) !== 2 || !list[p]) return;
    const x = pow.inputs[0];
    const r = only(pow.outputs[0], 'ReduceMean');
    if (r === undefined) return;
    const reduce = list[r]!;
    const ra = reduce.attrs as { axes: number[] | null; keep: boolean };
    const axes = ra.axes ?? (reduce.inputs[1] ? constants.values(reduce.inputs[1]) : undefined);
    if (!ra.keep || !axes || axes.length !== 1 || axes[0] !== -1) return;
    const a = only(reduce.outputs[0], 'Add');
    const epsilon = a === undefined ? undefined : scalar(other(list[a]!, reduce.outputs[0]));
    if (a === undefined || epsilon === undefined) return;
    const sq = only(list[a]!.outputs[0], 'Sqrt');
    const rc = sq === undefined ? undefined : only(list[sq]!.outputs[0], 'Reciprocal');
    const m1 = rc === undefined ? undefined : only(list[rc]!.outputs[0], 'Mul');
    if (m1 === undefined || other(list[m1]!, list[rc!]!.outputs[0]) !== x) return;
    let last = m1;
    let weight: string | undefined;
    const m2 = only(list[m1]!.outputs[0], 'Mul');
    if (m2 !== undefined) {
      const w = other(list[m2]!, list[m1]!.outputs[0]);
      if (constants.dims(w)?.length === 1) {
        weight = w;
        last = m2;
      }
    }
    const merged = [p, r, a, sq!, rc!, m1, ...(last === m2 ? [m2] : [])];
    const fused = merged.map((k) => list[k]!.label);
    const outputs = list[last]!.outputs;
    for (const k of merged) list[k] = undefined;
    list[last] = {
      inputs: weight ? [x, weight] : [x],
      outputs,
      entry: normalizationOps.SimplifiedLayerNormalization[0],
      attrs: {
        rms: true,
        axis: -1,
        epsilon,
        x: 0,
        scale: weight ? 1 : -1,
        skip: -1,
        bias: -1,
        shift: -1,
        outputs: ['y'],
      },
      label: reduce.label,
      opType: 'SimplifiedLayerNormalization',
      fused,
    };
  });
  return list.filter((n): n is PlannedNode => n !== undefined);
}
