/* istanbul ignore file -- copied into generated model.js as source text; instrumenting it would break that copy */
// WebgpuPlanContext: what op lowerings plan with, inside a generated model.js. For one
// input-shape signature it walks the graph once: shape arithmetic (Shape → Gather → Concat
// → Reshape chains, Range, ConstantOfShape, …) is evaluated in JavaScript on host values,
// everything else becomes kernel dispatches whose WGSL is specialised for the concrete
// dims. Each dispatch reads and writes logical buffers; the session then gives logical
// buffers physical GPU buffers by liveness (plan-memory in module-session.ts).
//
// Copied into model.js with Function.prototype.toString(): it must not use anything
// imported or defined at module level (type imports are erased and fine).
//   const g = new WebgpuPlanContext(weightTable, decodeWeight, f16);
//   const [y] = g.node(OP_Add_7, [a, b], {}, 'Add_3');

import { broadcastShape, mapBroadcast } from '../module-runtime.js';
import type {
  Attrs,
  ElementType,
  GpuOpVersion,
  GpuWeightEntry,
  KernelSpec,
  PlanContext,
  Value,
  WgslType,
} from './ops/types.js';

/**
 * A logical buffer: a graph input, a weight, a host constant uploaded for the plan, a kernel
 * result, or a folded result (a kernel that reads only weights and constants: computed once
 * when the plan is made and kept, as ONNX Runtime folds such subgraphs at session creation).
 */
export interface LogicalBuffer {
  kind: 'input' | 'weight' | 'constant' | 'temp' | 'folded';
  bytes: number;
  input?: string;
  weight?: number;
  /** 'constant': the words to upload once when the plan is made. */
  words?: Float32Array | Int32Array | Uint32Array;
}

export interface PlannedStep {
  label: string;
  code: string;
  /** Logical buffer ids: inputs then outputs, in binding order. */
  bindings: number[];
  outputs: number;
  workgroups: [number, number, number];
  /** Reads only weights, constants and folded results: dispatched once, when the plan is made. */
  once: boolean;
}

export class WebgpuPlanContext implements PlanContext {
  readonly f16: boolean;
  readonly buffers: LogicalBuffer[] = [];
  readonly steps: PlannedStep[] = [];
  /** Label of the node being planned, for messages. */
  at = '';
  private readonly weightTable: GpuWeightEntry[];
  private readonly decodeWeight: (index: number) => ArrayLike<number>;
  private readonly weightValues = new Map<number, Value>();
  private readonly weightBuffers = new Map<number, number>();
  private readonly unpacked = new Map<Value, Value>();

  constructor(
    weightTable: GpuWeightEntry[],
    decodeWeight: (index: number) => ArrayLike<number>,
    f16: boolean,
  ) {
    this.weightTable = weightTable;
    this.decodeWeight = decodeWeight;
    this.f16 = f16;
  }

  // ---- values ----

  input(name: string, dtype: ElementType, dims: number[]): Value {
    const id = this.buffers.push({ kind: 'input', bytes: 4 * this.count(dims), input: name }) - 1;
    return { dtype, dims: dims.slice(), buffer: id };
  }

  weight(index: number): Value {
    let v = this.weightValues.get(index);
    if (!v) {
      const entry = this.weightTable[index];
      v = { dtype: entry.dtype, dims: entry.dims.slice(), weight: index, layout: entry.gpu };
      this.weightValues.set(index, v);
    }
    return v;
  }

  isHost(v: Value): boolean {
    return v.data !== undefined || (v.weight !== undefined && this.weightTable[v.weight].gpu === undefined);
  }

  host(dtype: ElementType, dims: number[], data: ArrayLike<number>): Value {
    const count = this.count(dims);
    if (data.length !== count) this.fail(`internal: ${data.length} values for shape [${dims.join(', ')}]`);
    let out: Float32Array | Float64Array | Uint8Array;
    if (dtype === 'float32' || dtype === 'float16') out = Float32Array.from(data);
    else if (dtype === 'bool') out = Uint8Array.from(data, (x) => (x ? 1 : 0));
    else out = Float64Array.from(data, (x) => (Number.isNaN(x) ? 0 : Math.trunc(x)));
    return { dtype, dims: dims.slice(), data: out };
  }

  numbers(v: Value, what: string): ArrayLike<number> {
    if (v.data !== undefined) return v.data;
    if (v.weight !== undefined) {
      v.data = this.decodeWeight(v.weight);
      return v.data;
    }
    return this.fail(`${what} must be known when the plan is made, but it depends on the input values`);
  }

  ints(v: Value, what: string): number[] {
    return Array.from(this.numbers(v, what), (x) => Number(x));
  }

  broadcastDims(a: number[], b: number[]): number[] {
    return (
      broadcastShape(a, b) ?? this.fail(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`)
    );
  }

  hostMap(inputs: Value[], dtype: ElementType, fn: (...xs: number[]) => number): Value {
    const dims = inputs.reduce<number[]>((d, v) => this.broadcastDims(d, v.dims), []);
    const data = inputs.map((v) => this.numbers(v, 'a host operand'));
    return this.host(
      dtype,
      dims,
      mapBroadcast(
        data,
        inputs.map((v) => v.dims),
        dims,
        fn,
      ),
    );
  }

  axis(axis: number, rank: number): number {
    const a = axis < 0 ? axis + rank : axis;
    if (!(a >= 0 && a < Math.max(rank, 1))) this.fail(`axis ${axis} is out of range for rank ${rank}`);
    return a;
  }

  count(dims: number[]): number {
    let n = 1;
    for (const d of dims) n *= d;
    return n;
  }

  fail(message: string): never {
    throw new Error(`node "${this.at}": ${message}`);
  }

  // ---- GPU ----

  wgslType(v: Value | ElementType): WgslType {
    if (typeof v !== 'string') {
      const layout = v.weight !== undefined ? v.layout : undefined;
      if (layout && layout !== 'f32' && layout !== 'i32') return 'u32';
      v = v.dtype;
    }
    if (v === 'float32' || v === 'float16') return 'f32';
    return v === 'bool' ? 'u32' : 'i32';
  }

  view(v: Value, dims: number[]): Value {
    if (this.count(dims) !== this.count(v.dims))
      this.fail(`cannot view [${v.dims.join(', ')}] as [${dims.join(', ')}]`);
    if (v.data !== undefined) return { dtype: v.dtype, dims: dims.slice(), data: v.data };
    // A deferred dequantization is read by index by its consumers: view its result instead.
    if (v.materialize) return this.view(this.plain(v), dims);
    return { ...v, dims: dims.slice() };
  }

  kernel(spec: KernelSpec): Value[] {
    const inputs = spec.inputs.map((v, i) => (spec.packed?.includes(i) ? v : this.plain(v)));
    spec = { ...spec, inputs };
    const bindings = inputs.map((v) => this.kernelInput(v));
    const once =
      bindings.length > 0 &&
      bindings.every((id) => this.buffers[id].kind !== 'input' && this.buffers[id].kind !== 'temp');
    const outputs = spec.outputs.map((o) => {
      const bytes = 4 * Math.max(1, this.count(o.dims));
      const id = this.buffers.push({ kind: once ? 'folded' : 'temp', bytes }) - 1;
      bindings.push(id);
      return { dtype: o.dtype, dims: o.dims.slice(), buffer: id } as Value;
    });
    const declarations = [
      ...spec.inputs.map(
        (v, i) => `@group(0) @binding(${i}) var<storage, read> x${i}: array<${this.wgslType(v)}>;`,
      ),
      ...spec.outputs.map(
        (o, j) =>
          `@group(0) @binding(${spec.inputs.length + j}) var<storage, read_write> y${j}: array<${this.wgslType(o.dtype)}>;`,
      ),
    ];
    for (const w of spec.workgroups)
      if (!(w >= 1 && w <= 65535)) this.fail(`internal: ${spec.label} dispatches ${w} workgroups`);
    this.steps.push({
      label: spec.label,
      code: `${declarations.join('\n')}\n${spec.code}`,
      bindings,
      outputs: spec.outputs.length,
      workgroups: spec.workgroups,
      once,
    });
    return outputs;
  }

  /** v with one element per word: dequantized weights computed, packed weights unpacked (once per plan). */
  plain(v: Value): Value {
    if (v.materialize) {
      const cached = this.unpacked.get(v);
      if (cached) return cached;
      const out = v.materialize();
      this.unpacked.set(v, out);
      return out;
    }
    const layout = v.weight !== undefined ? v.layout : undefined;
    if (!layout || layout === 'f32' || layout === 'i32' || layout === 'u32') return v;
    const key = this.weight(v.weight!);
    const cached = this.unpacked.get(key);
    if (cached) return { ...cached, dims: v.dims.slice() };
    const count = this.count(v.dims);
    const groups = Math.max(1, Math.ceil(count / 64));
    const x = Math.min(groups, 65535);
    const signed = v.dtype === 'int8' || v.dtype === 'int4';
    const read =
      layout === 'f16'
        ? 'unpack2x16float(x0[i >> 1u])[i & 1u]'
        : signed
          ? 'extractBits(i32(x0[i >> 2u]), (i & 3u) * 8u, 8u)'
          : 'i32(extractBits(x0[i >> 2u], (i & 3u) * 8u, 8u))';
    const [out] = this.kernel({
      label: `${this.at}#unpack`,
      code: `@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ${x * 64}u;
  if (i < ${count}u) { y0[i] = ${read}; }
}`,
      inputs: [v],
      packed: [0],
      outputs: [{ dtype: v.dtype, dims: v.dims }],
      workgroups: [x, Math.ceil(groups / 65535), 1],
    });
    this.unpacked.set(key, out);
    return out;
  }

  /** v in a buffer of its own (a kernel result), copying a graph input or weight returned as an output. */
  result(v: Value): Value {
    const kind = v.buffer === undefined ? undefined : this.buffers[v.buffer].kind;
    if (kind === 'temp' || kind === 'folded') return v;
    const count = this.count(v.dims);
    const type = this.wgslType(v.dtype);
    if (this.wgslType(v) !== type) this.fail('internal: a packed weight cannot be a graph output');
    const groups = Math.max(1, Math.ceil(count / 64));
    return this.kernel({
      label: `${this.at}#copy`,
      code: `@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ${Math.min(groups, 65535) * 64}u;
  if (i < ${count}u) { y0[i] = x0[i]; }
}`,
      inputs: [v],
      outputs: [{ dtype: v.dtype, dims: v.dims }],
      workgroups: [Math.min(groups, 65535), Math.ceil(groups / 65535), 1],
    })[0];
  }

  /** Plans one node: its host evaluation when every input is host data, else its lowering. */
  node(entry: GpuOpVersion, inputs: (Value | undefined)[], attrs: Attrs, label: string): Value[] {
    this.at = label;
    const present = inputs.filter((v): v is Value => v !== undefined);
    const host = entry.host !== undefined && present.every((v) => this.isHost(v));
    try {
      const out = host
        ? entry.host!(this, inputs as Value[], attrs)
        : entry.lower(this, inputs as Value[], attrs, label);
      return Array.isArray(out) ? out : [out];
    } catch (error) {
      const message = (error as Error).message;
      if (message.startsWith('node "')) throw error;
      throw new Error(`node "${label}": ${message}`);
    }
  }

  /** The logical buffer holding v on the GPU, uploading host data once per plan. */
  kernelInput(v: Value): number {
    if (v.buffer !== undefined) return v.buffer;
    if (v.weight !== undefined && this.weightTable[v.weight].gpu !== undefined) {
      let id = this.weightBuffers.get(v.weight);
      if (id === undefined) {
        id =
          this.buffers.push({ kind: 'weight', bytes: this.weightTable[v.weight].bytes, weight: v.weight }) -
          1;
        this.weightBuffers.set(v.weight, id);
      }
      return id;
    }
    const data = this.numbers(v, 'a constant');
    const type = this.wgslType(v.dtype);
    const words =
      type === 'f32'
        ? Float32Array.from(data)
        : type === 'u32'
          ? Uint32Array.from(data, (x) => (x ? 1 : 0))
          : Int32Array.from(data, (x) => Math.max(-2147483648, Math.min(2147483647, Number(x))));
    const id = this.buffers.push({ kind: 'constant', bytes: 4 * Math.max(1, words.length), words }) - 1;
    v.buffer = id;
    return id;
  }
}
