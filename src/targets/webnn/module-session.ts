/* istanbul ignore file -- copied into generated model.js as source text; instrumenting it would break that copy */
// WebnnSession: the object createSession() of a generated model.js returns (module
// contract in ARCHITECTURE.md, "Generated web modules"). It loads model.weights.bin, makes
// an MLContext, and for each distinct input-shape signature builds one MLGraph — shape
// arithmetic folded in JavaScript for those dims — and caches it with its MLTensors.
// Data types: float32 tensors compute in float16 when the module was generated for fp16
// and the context supports it (inputs/outputs stay float32, cast in the graph); int64
// tensors use int64 where the context allows it, else int32 (converted in JavaScript).
// Modes are tried from the preferred one; a graph needing a data type the context lacks
// falls back to the next mode, and the last failure names the node, op and data type.
//
// Copied into model.js with Function.prototype.toString(): no module-level references.
//   const session = await WebnnSession.create({ ml, MLGraphBuilder, weights }, spec);
//   const out = await session.run({ x: { data: Float32Array.of(1, 2), dims: [1, 2] } });

import { loadModuleWeights } from '../module-runtime.js';
import type { WebnnBuildContext } from './module-build-context.js';
import type { BuildMode, ElementType, Value, WeightEntry } from './ops/types.js';
import type {
  MLContextLike,
  MLDataType,
  MLGraphBuilderConstructor,
  MLGraphLike,
  MLLike,
  MLOperandLike,
  MLOpSupportLimitsLike,
  MLTensorLike,
} from './webnn-api.js';

export interface ModuleIO {
  name: string;
  dtype: ElementType;
  /** Symbolic dims are strings. */
  dims: (number | string)[];
}

/** What a generated model.js hands to WebnnSession.create. */
export interface ModuleSpec {
  source: string;
  precision: string;
  /** WebNN type float32 tensors compute in when the context allows it. */
  float32Compute: 'float32' | 'float16';
  inputs: ModuleIO[];
  outputs: ModuleIO[];
  weights: WeightEntry[];
  weightsBytes: number;
  buildGraph(g: WebnnBuildContext, inputs: Record<string, Value>): Record<string, Value>;
  BuildContext: typeof WebnnBuildContext;
  /** URL of model.js itself (import.meta.url), to find model.weights.bin next to it. */
  moduleUrl(): string;
}

export interface SessionOptions {
  /** model.weights.bin as bytes or a URL; default: next to model.js. */
  weights?: ArrayBuffer | ArrayBufferView | string | URL;
  ml?: MLLike;
  MLGraphBuilder?: MLGraphBuilderConstructor;
  /** An MLContext to use instead of creating one (the session then does not destroy it). */
  context?: MLContextLike;
  contextOptions?: object;
}

export type TensorData =
  | Float32Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Int8Array
  | Uint8Array
  | Int16Array;

export interface Feed {
  data: ArrayLike<number> | ArrayLike<bigint>;
  dims: number[];
}

interface CompiledGraph {
  graph?: MLGraphLike;
  inputs: { name: string; dtype: ElementType; dataType: MLDataType; tensor: MLTensorLike }[];
  outputs: {
    name: string;
    dtype: ElementType;
    dims: number[];
    dataType?: MLDataType;
    tensor?: MLTensorLike;
    host?: ArrayLike<number>;
  }[];
}

interface ErrorWithDataType extends Error {
  webnnDataType?: MLDataType;
}

export class WebnnSession {
  readonly inputs: ModuleIO[];
  readonly outputs: ModuleIO[];
  private readonly spec: ModuleSpec;
  private readonly context: MLContextLike;
  private readonly ownsContext: boolean;
  private readonly Builder: MLGraphBuilderConstructor;
  private readonly weightBytes: Uint8Array;
  private readonly limits: MLOpSupportLimitsLike;
  private readonly graphs = new Map<string, Promise<CompiledGraph>>();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    spec: ModuleSpec,
    context: MLContextLike,
    ownsContext: boolean,
    Builder: MLGraphBuilderConstructor,
    weightBytes: Uint8Array,
  ) {
    this.spec = spec;
    this.context = context;
    this.ownsContext = ownsContext;
    this.Builder = Builder;
    this.weightBytes = weightBytes;
    this.limits = context.opSupportLimits();
    this.inputs = spec.inputs.map((io) => ({ name: io.name, dtype: io.dtype, dims: io.dims.slice() }));
    this.outputs = spec.outputs.map((io) => ({ name: io.name, dtype: io.dtype, dims: io.dims.slice() }));
  }

  static async create(options: SessionOptions, spec: ModuleSpec): Promise<WebnnSession> {
    const nav = (globalThis as { navigator?: { ml?: MLLike } }).navigator;
    const ml = options.ml ?? nav?.ml;
    const Builder =
      options.MLGraphBuilder ?? (globalThis as { MLGraphBuilder?: MLGraphBuilderConstructor }).MLGraphBuilder;
    if (!options.context && !ml) {
      throw new Error(
        `${spec.source} (WebNN): no WebNN API here — pass { ml, MLGraphBuilder } to createSession (e.g. from model-convert/webnn) or run where navigator.ml exists.`,
      );
    }
    if (!Builder)
      throw new Error(`${spec.source} (WebNN): MLGraphBuilder is missing — pass it to createSession.`);
    const weightBytes = await loadModuleWeights(options.weights, spec, 'WebNN');
    const context = options.context ?? (await ml!.createContext(options.contextOptions ?? {}));
    return new WebnnSession(spec, context, !options.context, Builder, weightBytes);
  }

  run(feeds: Record<string, Feed>): Promise<Record<string, { data: TensorData; dims: number[] }>> {
    const next = this.queue.then(() => this.runNow(feeds));
    this.queue = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const pending of this.graphs.values()) {
      pending
        .then((c) => {
          for (const t of [...c.inputs, ...c.outputs]) t.tensor?.destroy();
          c.graph?.destroy?.();
        })
        .catch(() => undefined);
    }
    this.graphs.clear();
    if (this.ownsContext) this.queue.then(() => this.context.destroy?.());
  }

  private async runNow(
    feeds: Record<string, Feed>,
  ): Promise<Record<string, { data: TensorData; dims: number[] }>> {
    if (this.disposed) throw new Error(`${this.spec.source} (WebNN): the session was disposed.`);
    const dimsByInput = this.checkFeeds(feeds);
    const key = this.inputs.map((i) => dimsByInput[i.name].join('x')).join(';');
    let pending = this.graphs.get(key);
    if (!pending) {
      pending = this.compile(dimsByInput);
      this.graphs.set(key, pending);
      pending.catch(() => this.graphs.delete(key));
    }
    const compiled = await pending;
    const inputTensors: Record<string, MLTensorLike> = {};
    for (const input of compiled.inputs) {
      const data = WebnnSession.toWebnnData(feeds[input.name].data, input.dtype, input.dataType, this.spec);
      this.context.writeTensor(input.tensor, data);
      inputTensors[input.name] = input.tensor;
    }
    const outputTensors: Record<string, MLTensorLike> = {};
    for (const o of compiled.outputs) if (o.tensor) outputTensors[o.name] = o.tensor;
    if (compiled.graph) this.context.dispatch(compiled.graph, inputTensors, outputTensors);
    const results: Record<string, { data: TensorData; dims: number[] }> = {};
    for (const o of compiled.outputs) {
      const data = o.tensor
        ? WebnnSession.fromWebnnData(await this.context.readTensor(o.tensor), o.dataType!, o.dtype, this.spec)
        : WebnnSession.hostData(o.host!, o.dtype, this.spec);
      results[o.name] = { data, dims: o.dims.slice() };
    }
    return results;
  }

  /** Checks names, dims (fixed and symbolic bindings) and element counts; returns dims by input. */
  private checkFeeds(feeds: Record<string, Feed>): Record<string, number[]> {
    const where = `${this.spec.source} (WebNN)`;
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((i) => i.name === name))
        throw new Error(
          `${where}: unknown input "${name}" (inputs: ${this.inputs.map((i) => i.name).join(', ')}).`,
        );
    }
    const bound = new Map<string, number>();
    const out: Record<string, number[]> = {};
    for (const input of this.inputs) {
      const feed = feeds[input.name];
      if (!feed || !feed.data || !Array.isArray(feed.dims))
        throw new Error(`${where}: input "${input.name}" needs { data, dims }.`);
      const dims = feed.dims.map((d) => Number(d));
      const bad = () =>
        new Error(
          `${where}: input "${input.name}" has dims [${dims.join(', ')}], the model takes [${input.dims.join(', ')}].`,
        );
      if (dims.length !== input.dims.length) throw bad();
      input.dims.forEach((d, i) => {
        if (!Number.isInteger(dims[i]) || dims[i] < 0) throw bad();
        if (typeof d === 'number' && d !== dims[i]) throw bad();
        if (typeof d === 'string' && d !== '?') {
          if (bound.has(d) && bound.get(d) !== dims[i])
            throw new Error(
              `${where}: dim "${d}" is ${bound.get(d)} in one input and ${dims[i]} in input "${input.name}".`,
            );
          bound.set(d, dims[i]);
        }
      });
      const count = dims.reduce((a, b) => a * b, 1);
      if (feed.data.length !== count)
        throw new Error(
          `${where}: input "${input.name}" has ${feed.data.length} values for dims [${dims.join(', ')}] (${count}).`,
        );
      out[input.name] = dims;
    }
    return out;
  }

  private modes(): BuildMode[] {
    const limits = this.limits as { constant?: { dataTypes?: MLDataType[] } };
    const can = (t: MLDataType) =>
      !Array.isArray(limits.constant?.dataTypes) || limits.constant!.dataTypes!.includes(t);
    const float32: BuildMode['float32'][] =
      this.spec.float32Compute === 'float16' && can('float16') ? ['float16', 'float32'] : ['float32'];
    const float16: BuildMode['float16'][] = can('float16') ? ['float16', 'float32'] : ['float32'];
    const int64: BuildMode['int64'][] = can('int64') ? ['int64', 'int32'] : ['int32'];
    const modes: BuildMode[] = [];
    for (const f32 of float32)
      for (const f16 of float16)
        for (const i64 of int64) modes.push({ float32: f32, float16: f16, int64: i64 });
    return modes;
  }

  private async compile(dimsByInput: Record<string, number[]>): Promise<CompiledGraph> {
    let modes = this.modes();
    let lastError: unknown;
    while (modes.length > 0) {
      const mode = modes[0];
      try {
        return await this.compileWith(dimsByInput, mode);
      } catch (e) {
        const dataType = (e as ErrorWithDataType).webnnDataType;
        lastError = e;
        if (dataType !== 'float16' && dataType !== 'int64') throw e;
        modes = modes.filter((m) =>
          dataType === 'int64' ? m.int64 !== 'int64' : m.float32 !== 'float16' && m.float16 !== 'float16',
        );
      }
    }
    throw lastError;
  }

  private async compileWith(dimsByInput: Record<string, number[]>, mode: BuildMode): Promise<CompiledGraph> {
    const builder = new this.Builder(this.context);
    const g = new this.spec.BuildContext(builder, this.limits, mode, this.weightBytes, this.spec.weights);
    const inputs: Record<string, Value> = {};
    for (const io of this.inputs) inputs[io.name] = g.input(io.name, io.dtype, dimsByInput[io.name]);
    const values = this.spec.buildGraph(g, inputs);
    const named: Record<string, MLOperandLike> = {};
    const outputs: CompiledGraph['outputs'] = [];
    for (const io of this.outputs) {
      const v = values[io.name];
      g.at = `output ${io.name}`;
      if (g.isHost(v) && v.operand === undefined) {
        outputs.push({ name: io.name, dtype: io.dtype, dims: v.dims.slice(), host: g.numbers(v, 'output') });
        continue;
      }
      const operand = g.outputOperand(v, io.name);
      named[io.name] = operand;
      outputs.push({
        name: io.name,
        dtype: io.dtype,
        dims: Array.from(operand.shape),
        dataType: operand.dataType,
      });
    }
    const graph = Object.keys(named).length > 0 ? await builder.build(named) : undefined;
    for (const o of outputs) {
      if (o.dataType === undefined) continue;
      o.tensor = await this.context.createTensor({
        dataType: o.dataType,
        shape: o.dims.slice(),
        readable: true,
      });
    }
    const compiledInputs: CompiledGraph['inputs'] = [];
    for (const [name, dataType] of g.inputTypes) {
      const dtype = this.inputs.find((i) => i.name === name)!.dtype;
      const tensor = await this.context.createTensor({
        dataType,
        shape: dimsByInput[name].slice(),
        writable: true,
      });
      compiledInputs.push({ name, dtype, dataType, tensor });
    }
    return { graph, inputs: compiledInputs, outputs };
  }

  // ---- data conversion between the contract's arrays and WebNN buffers ----

  private static toWebnnData(
    data: ArrayLike<number> | ArrayLike<bigint>,
    dtype: ElementType,
    dataType: MLDataType,
    spec: ModuleSpec,
  ): ArrayBufferView {
    if (dataType === 'int64') {
      if (data instanceof BigInt64Array) return data;
      return BigInt64Array.from(data as ArrayLike<number>, (x) => BigInt(x));
    }
    if (dataType === 'float16' && dtype === 'float16' && data instanceof Uint16Array) return data;
    const numbers =
      data instanceof BigInt64Array || data instanceof BigUint64Array ? Array.from(data, Number) : data;
    if (dataType === 'int32' && (dtype === 'int64' || dtype === 'uint64')) {
      for (let i = 0; i < numbers.length; i++) {
        const x = Number(numbers[i]);
        if (x < -2147483648 || x > 2147483647)
          throw new Error(
            `${spec.source} (WebNN): an int64 input holds ${x}, beyond int32 — this context lacks int64, so int64 tensors run as int32.`,
          );
      }
    }
    if (dtype === 'float16' && data instanceof Uint16Array) {
      return spec.BuildContext.typedArray(
        dataType,
        Array.from(data, (b) => spec.BuildContext.float16Value(b)),
      );
    }
    if (dtype === 'bool') return Uint8Array.from(numbers as ArrayLike<number>, (x) => (x ? 1 : 0));
    return spec.BuildContext.typedArray(dataType, numbers as ArrayLike<number>);
  }

  private static fromWebnnData(
    buffer: ArrayBuffer,
    dataType: MLDataType,
    dtype: ElementType,
    spec: ModuleSpec,
  ): TensorData {
    switch (dataType) {
      case 'float32': {
        const values = new Float32Array(buffer);
        return dtype === 'float16'
          ? Uint16Array.from(values, (x) => spec.BuildContext.float16Bits(x))
          : values;
      }
      case 'float16':
        return new Uint16Array(buffer);
      case 'int64':
        return new BigInt64Array(buffer);
      case 'uint64':
        return new BigUint64Array(buffer);
      case 'int32': {
        const values = new Int32Array(buffer);
        if (dtype === 'int64') return BigInt64Array.from(values, (x) => BigInt(x));
        return dtype === 'int16' ? Int16Array.from(values) : values;
      }
      case 'uint32':
        return dtype === 'uint64'
          ? BigUint64Array.from(new Uint32Array(buffer), (x) => BigInt(x))
          : dtype === 'uint16'
            ? Uint16Array.from(new Uint32Array(buffer))
            : new Uint32Array(buffer);
      case 'int8':
        return new Int8Array(buffer);
      default:
        return new Uint8Array(buffer);
    }
  }

  private static hostData(values: ArrayLike<number>, dtype: ElementType, spec: ModuleSpec): TensorData {
    switch (dtype) {
      case 'float32':
        return Float32Array.from(values);
      case 'float16':
        return Uint16Array.from(values, (x) => spec.BuildContext.float16Bits(x));
      case 'int64':
        return BigInt64Array.from(values, (x) => BigInt(x));
      case 'uint64':
        return BigUint64Array.from(values, (x) => BigInt(x));
      case 'int32':
        return Int32Array.from(values);
      case 'uint32':
        return Uint32Array.from(values);
      case 'int16':
        return Int16Array.from(values);
      case 'uint16':
        return Uint16Array.from(values);
      case 'int8':
      case 'int4':
        return Int8Array.from(values);
      default:
        return Uint8Array.from(values);
    }
  }
}
