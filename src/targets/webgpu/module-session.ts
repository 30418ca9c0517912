/* istanbul ignore file -- copied into generated model.js as source text; instrumenting it would break that copy */
// WebgpuSession: the object createSession() of a generated webgpu model.js returns (module
// contract in ARCHITECTURE.md, "Generated web modules"). It loads model.weights.bin,
// uploads every weight once in its GPU layout (quantized codes stay packed), and for each
// distinct input-shape signature makes one plan (WebgpuPlanContext): kernels specialised
// for those dims, compiled once per distinct WGSL text, and intermediate buffers assigned
// by liveness (a buffer is reused once its last reader has been dispatched). A run writes
// the inputs, records every dispatch in one compute pass, and reads the outputs back.
//
// Copied into model.js with Function.prototype.toString(): no module-level references.
//   const session = await WebgpuSession.create({ gpu, weights }, spec);
//   const out = await session.run({ x: { data: Float32Array.of(1, 2), dims: [1, 2] } });

/// <reference types="@webgpu/types" />
import { decodeModuleWeight, loadModuleWeights } from '../module-runtime.js';
import type { ElementType, GpuWeightEntry, Value } from './ops/types.js';
import type { LogicalBuffer, PlannedStep, WebgpuPlanContext } from './plan-context.js';

export interface ModuleIO {
  name: string;
  dtype: ElementType;
  /** Symbolic dims are strings. */
  dims: (number | string)[];
}

export interface ModuleSpec {
  source: string;
  precision: string;
  inputs: ModuleIO[];
  outputs: ModuleIO[];
  weights: GpuWeightEntry[];
  weightsBytes: number;
  buildGraph(g: WebgpuPlanContext, inputs: Record<string, Value>): Record<string, Value>;
  PlanContext: typeof WebgpuPlanContext;
  /** URL of model.js itself (import.meta.url), to find model.weights.bin next to it. */
  moduleUrl(): string;
}

export interface SessionOptions {
  /** model.weights.bin as bytes or a URL; default: next to model.js. */
  weights?: ArrayBuffer | ArrayBufferView | string | URL;
  /** A WebGPU entry point (default navigator.gpu). */
  gpu?: GPU;
  /** A GPUDevice to use instead of requesting one (the session then does not destroy it). */
  device?: GPUDevice;
  powerPreference?: GPUPowerPreference;
}

export type TensorData = Float32Array | Int32Array | Uint8Array | BigInt64Array;

export interface Feed {
  data: ArrayLike<number> | ArrayLike<bigint>;
  dims: number[];
}

interface OutputPlan {
  name: string;
  dtype: ElementType;
  dims: number[];
  buffer?: number;
  host?: ArrayLike<number>;
}

interface CompiledPlan {
  steps: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; workgroups: [number, number, number] }[];
  inputs: { name: string; dtype: ElementType; buffer: GPUBuffer }[];
  outputs: (OutputPlan & { gpu?: GPUBuffer; readback?: GPUBuffer; bytes: number })[];
  owned: GPUBuffer[];
  intermediateBytes: number;
}

export interface SessionMemory {
  /** Bytes of weights on the GPU (packed where quantized). */
  weightBytes: number;
  /** Peak bytes of intermediate buffers of the largest plan made so far. */
  peakIntermediateBytes: number;
  /** Bytes of folded results (kernels over weights only, run once per plan) of the largest plan. */
  foldedBytes: number;
  /** Distinct compiled kernels. */
  kernels: number;
  /** Dispatches per run of the last plan. */
  dispatches: number;
}

// GPUBufferUsage / GPUMapMode flags are written as numbers: Node's Dawn has no such globals.
export class WebgpuSession {
  readonly inputs: ModuleIO[];
  readonly outputs: ModuleIO[];
  readonly memory: SessionMemory = {
    weightBytes: 0,
    peakIntermediateBytes: 0,
    foldedBytes: 0,
    kernels: 0,
    dispatches: 0,
  };
  private readonly spec: ModuleSpec;
  private readonly device: GPUDevice;
  private readonly ownsDevice: boolean;
  private readonly f16: boolean;
  private readonly weightBytes: Uint8Array;
  private readonly weightBuffers: (GPUBuffer | undefined)[] = [];
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly plans = new Map<string, Promise<CompiledPlan>>();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(spec: ModuleSpec, device: GPUDevice, ownsDevice: boolean, weightBytes: Uint8Array) {
    this.spec = spec;
    this.device = device;
    this.ownsDevice = ownsDevice;
    this.f16 = device.features.has('shader-f16');
    this.weightBytes = weightBytes;
    this.inputs = spec.inputs.map((io) => ({ name: io.name, dtype: io.dtype, dims: io.dims.slice() }));
    this.outputs = spec.outputs.map((io) => ({ name: io.name, dtype: io.dtype, dims: io.dims.slice() }));
  }

  /** The GPU object and adapter the device came from: Dawn in Node must not collect them while the device lives. */
  private keepAlive: unknown[] = [];

  static async create(options: SessionOptions, spec: ModuleSpec): Promise<WebgpuSession> {
    let device = options.device;
    const keepAlive: unknown[] = [];
    if (!device) {
      const gpu = options.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
      if (!gpu)
        throw new Error(
          `${spec.source} (WebGPU): no WebGPU here — pass { gpu } to createSession (in Node: create() of the 'webgpu' package) or run where navigator.gpu exists.`,
        );
      const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference });
      if (!adapter) throw new Error(`${spec.source} (WebGPU): requestAdapter() found no GPU adapter.`);
      keepAlive.push(gpu, adapter);
      const largest = spec.weights.reduce((m, w) => Math.max(m, w.bytes), 0);
      const limits = adapter.limits;
      device = await adapter.requestDevice({
        requiredFeatures: adapter.features.has('shader-f16') ? ['shader-f16'] : [],
        requiredLimits: {
          maxStorageBufferBindingSize: Math.max(
            largest,
            Math.min(limits.maxStorageBufferBindingSize, 1 << 30),
          ),
          maxBufferSize: Math.max(largest, Math.min(limits.maxBufferSize, 1 << 30)),
          maxStorageBuffersPerShaderStage: Math.min(limits.maxStorageBuffersPerShaderStage, 10),
        },
      });
    }
    const bytes = await loadModuleWeights(options.weights, spec, 'WebGPU');
    const session = new WebgpuSession(spec, device, !options.device, bytes);
    session.keepAlive = keepAlive;
    session.uploadWeights();
    return session;
  }

  run(feeds: Record<string, Feed>): Promise<Record<string, { data: TensorData; dims: number[] }>> {
    const next = this.queue.then(() => this.runNow(feeds));
    this.queue = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const plans = [...this.plans.values()];
    this.plans.clear();
    this.queue = this.queue.then(async () => {
      for (const pending of plans) {
        const plan = await pending.catch(() => undefined);
        for (const b of plan?.owned ?? []) b.destroy();
      }
      for (const b of this.weightBuffers) b?.destroy();
      if (this.ownsDevice) this.device.destroy();
    });
  }

  // ---- weights ----

  /** Elements of weight `index` as numbers (for shape arithmetic on the host). */
  private decodeWeight(index: number): ArrayLike<number> {
    return decodeModuleWeight(this.weightBytes, this.spec.weights[index]);
  }

  private uploadWeights(): void {
    this.spec.weights.forEach((entry, index) => {
      if (entry.gpu === undefined) return;
      let words: ArrayBufferView;
      const raw = this.weightBytes.subarray(entry.offset, entry.offset + entry.bytes);
      switch (entry.gpu) {
        case 'f32':
          words = Float32Array.from(this.decodeWeight(index));
          break;
        case 'i32':
          words = Int32Array.from(this.decodeWeight(index), (x) =>
            Math.max(-2147483648, Math.min(2147483647, Number(x))),
          );
          break;
        case 'u32':
          words = Uint32Array.from(this.decodeWeight(index), (x) => Number(x));
          break;
        default:
          // 'f16' (float16 weights) and 'raw' (int8/uint8 codes): the stored bytes as they are.
          words = raw;
      }
      this.weightBuffers[index] = this.upload(words, 0x80 /* STORAGE */);
      this.memory.weightBytes += this.weightBuffers[index]!.size;
    });
  }

  /** A buffer holding `data` (padded to whole words). */
  private upload(data: ArrayBufferView, usage: number): GPUBuffer {
    const size = Math.max(4, Math.ceil(data.byteLength / 4) * 4);
    const buffer = this.device.createBuffer({ size, usage, mappedAtCreation: true });
    new Uint8Array(buffer.getMappedRange()).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    buffer.unmap();
    return buffer;
  }

  // ---- plans ----

  private async runNow(
    feeds: Record<string, Feed>,
  ): Promise<Record<string, { data: TensorData; dims: number[] }>> {
    if (this.disposed) throw new Error(`${this.spec.source} (WebGPU): the session was disposed.`);
    const dims = this.checkFeeds(feeds);
    const key = this.inputs.map((i) => dims[i.name].join('x')).join(';');
    let pending = this.plans.get(key);
    if (!pending) {
      pending = this.makePlan(dims);
      this.plans.set(key, pending);
      pending.catch(() => this.plans.delete(key));
    }
    const plan = await pending;
    const device = this.device;
    for (const i of plan.inputs) {
      const words = WebgpuSession.toWords(feeds[i.name].data, i.dtype);
      device.queue.writeBuffer(i.buffer, 0, words.buffer, words.byteOffset, words.byteLength);
    }
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const step of plan.steps) {
      pass.setPipeline(step.pipeline);
      pass.setBindGroup(0, step.bindGroup);
      pass.dispatchWorkgroups(step.workgroups[0], step.workgroups[1], step.workgroups[2]);
    }
    pass.end();
    for (const o of plan.outputs)
      if (o.gpu && o.readback && o.bytes > 0) encoder.copyBufferToBuffer(o.gpu, 0, o.readback, 0, o.bytes);
    device.queue.submit([encoder.finish()]);
    const result: Record<string, { data: TensorData; dims: number[] }> = {};
    await Promise.all(
      plan.outputs.map(async (o) => {
        let values: ArrayLike<number>;
        if (o.host) values = o.host;
        else if (o.bytes === 0) values = [];
        else {
          await o.readback!.mapAsync(1 /* GPUMapMode.READ */);
          const range = o.readback!.getMappedRange(0, o.bytes);
          const isFloat = o.dtype === 'float32' || o.dtype === 'float16';
          const copy = isFloat
            ? new Float32Array(range.slice(0))
            : o.dtype === 'bool'
              ? new Uint32Array(range.slice(0))
              : new Int32Array(range.slice(0));
          o.readback!.unmap();
          values = copy;
        }
        result[o.name] = { data: WebgpuSession.fromNumbers(values, o.dtype), dims: o.dims.slice() };
      }),
    );
    return result;
  }

  private checkFeeds(feeds: Record<string, Feed>): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    const symbols = new Map<string, number>();
    for (const io of this.inputs) {
      const feed = feeds[io.name];
      if (!feed) throw new Error(`${this.spec.source} (WebGPU): input "${io.name}" is missing.`);
      const dims = Array.from(feed.dims, Number);
      if (dims.length !== io.dims.length)
        throw new Error(
          `${this.spec.source} (WebGPU): input "${io.name}" has rank ${dims.length}; the model declares [${io.dims.join(', ')}].`,
        );
      io.dims.forEach((d, i) => {
        const seen = typeof d === 'string' ? symbols.get(d) : d;
        if (typeof d === 'string' && seen === undefined) symbols.set(d, dims[i]);
        else if (seen !== dims[i])
          throw new Error(
            `${this.spec.source} (WebGPU): input "${io.name}" has dims [${dims.join(', ')}]; dim ${i} must be ${seen} (declared [${io.dims.join(', ')}]).`,
          );
      });
      let count = 1;
      for (const d of dims) count *= d;
      if (feed.data.length !== count)
        throw new Error(
          `${this.spec.source} (WebGPU): input "${io.name}" holds ${feed.data.length} values for dims [${dims.join(', ')}].`,
        );
      out[io.name] = dims;
    }
    return out;
  }

  private async makePlan(dims: Record<string, number[]>): Promise<CompiledPlan> {
    const g = new this.spec.PlanContext(this.spec.weights, (i) => this.decodeWeight(i), this.f16);
    const inputs: Record<string, Value> = {};
    for (const io of this.inputs) inputs[io.name] = g.input(io.name, io.dtype, dims[io.name]);
    const results = this.spec.buildGraph(g, inputs);
    const outputs: OutputPlan[] = this.outputs.map((io) => {
      const v = results[io.name];
      if (g.isHost(v))
        return { name: io.name, dtype: io.dtype, dims: v.dims, host: g.numbers(v, 'an output') };
      return { name: io.name, dtype: io.dtype, dims: v.dims, buffer: g.result(v).buffer };
    });
    const physical = this.assignBuffers(g.buffers, g.steps, outputs);
    const device = this.device;
    device.pushErrorScope('validation');
    const steps = g.steps.map((s) => {
      let pipeline = this.pipelines.get(s.code);
      if (!pipeline) {
        const module = device.createShaderModule({ code: s.code, label: s.label });
        pipeline = device.createComputePipeline({
          layout: 'auto',
          compute: { module, entryPoint: 'main' },
          label: s.label,
        });
        this.pipelines.set(s.code, pipeline);
      }
      const bindGroup = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: s.bindings.map((id, binding) => ({ binding, resource: { buffer: physical.buffers[id] } })),
      });
      return { pipeline, bindGroup, workgroups: s.workgroups, label: s.label, once: s.once };
    });
    const error = await device.popErrorScope();
    if (error) {
      for (const b of physical.owned) b.destroy();
      throw new Error(`${this.spec.source} (WebGPU): a kernel failed to compile: ${error.message}`);
    }
    // Folded steps (weights in, nothing from the inputs) run now, once for this plan.
    const folded = steps.filter((s) => s.once);
    if (folded.length > 0) {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      for (const step of folded) {
        pass.setPipeline(step.pipeline);
        pass.setBindGroup(0, step.bindGroup);
        pass.dispatchWorkgroups(step.workgroups[0], step.workgroups[1], step.workgroups[2]);
      }
      pass.end();
      device.queue.submit([encoder.finish()]);
      // Keep only the folded results that per-run steps or outputs read.
      const kept = new Set<number>();
      g.steps.forEach((s) => !s.once && s.bindings.forEach((id) => kept.add(id)));
      for (const o of outputs) if (o.buffer !== undefined) kept.add(o.buffer);
      const dropped = g.buffers.flatMap((b, id) =>
        b.kind === 'folded' && !kept.has(id) ? [physical.buffers[id]] : [],
      );
      await device.queue.onSubmittedWorkDone();
      for (const b of dropped) {
        b.destroy();
        physical.foldedBytes -= b.size;
        physical.owned.splice(physical.owned.indexOf(b), 1);
      }
    }
    const perRun = steps.filter((s) => !s.once);
    this.memory.kernels = this.pipelines.size;
    this.memory.dispatches = perRun.length;
    this.memory.foldedBytes = Math.max(this.memory.foldedBytes, physical.foldedBytes);
    this.memory.peakIntermediateBytes = Math.max(
      this.memory.peakIntermediateBytes,
      physical.intermediateBytes,
    );
    const owned = physical.owned;
    const planned = outputs.map((o) => {
      if (o.buffer === undefined) return { ...o, bytes: 0 };
      const bytes = 4 * o.dims.reduce((p, d) => p * d, 1);
      const readback =
        bytes > 0
          ? device.createBuffer({ size: bytes, usage: 0x01 | 0x08 /* MAP_READ | COPY_DST */ })
          : undefined;
      if (readback) owned.push(readback);
      return { ...o, gpu: physical.buffers[o.buffer], readback, bytes };
    });
    const planInputs = g.buffers.flatMap((b, id) =>
      b.kind === 'input'
        ? [
            {
              name: b.input!,
              dtype: this.inputs.find((i) => i.name === b.input)!.dtype,
              buffer: physical.buffers[id],
            },
          ]
        : [],
    );
    return {
      steps: perRun,
      inputs: planInputs,
      outputs: planned,
      owned,
      intermediateBytes: physical.intermediateBytes,
    };
  }

  /**
   * Physical buffers for a plan's logical ones. Weights use the session's buffers; inputs and
   * uploaded constants get their own; kernel results share buffers by liveness: a result's
   * buffer returns to the pool after the last step that reads it (outputs stay to the end),
   * and a new result takes the smallest free buffer big enough for it.
   */
  private assignBuffers(
    logical: LogicalBuffer[],
    steps: PlannedStep[],
    outputs: OutputPlan[],
  ): { buffers: GPUBuffer[]; owned: GPUBuffer[]; intermediateBytes: number; foldedBytes: number } {
    const usage = 0x80 | 0x04 | 0x08; /* STORAGE | COPY_SRC | COPY_DST */
    const device = this.device;
    const buffers: GPUBuffer[] = [];
    const owned: GPUBuffer[] = [];
    let foldedBytes = 0;
    const lastUse = new Array<number>(logical.length).fill(-1);
    steps.forEach((s, i) => s.bindings.forEach((id) => (lastUse[id] = i)));
    for (const o of outputs) if (o.buffer !== undefined) lastUse[o.buffer] = steps.length;
    logical.forEach((b, id) => {
      if (b.kind === 'weight') buffers[id] = this.weightBuffers[b.weight!]!;
      else if (b.kind === 'input') {
        buffers[id] = device.createBuffer({ size: Math.max(4, b.bytes), usage });
        owned.push(buffers[id]);
      } else if (b.kind === 'constant') {
        buffers[id] = this.upload(b.words!, usage);
        owned.push(buffers[id]);
      } else if (b.kind === 'folded') {
        buffers[id] = device.createBuffer({ size: Math.ceil(Math.max(4, b.bytes) / 16) * 16, usage });
        owned.push(buffers[id]);
        foldedBytes += buffers[id].size;
      }
    });
    const free: GPUBuffer[] = [];
    let intermediateBytes = 0;
    steps.forEach((s, i) => {
      for (let k = s.bindings.length - s.outputs; k < s.bindings.length; k++) {
        const id = s.bindings[k];
        if (logical[id].kind !== 'temp') continue;
        const size = Math.ceil(Math.max(4, logical[id].bytes) / 16) * 16;
        let best = -1;
        for (let f = 0; f < free.length; f++)
          if (free[f].size >= size && (best < 0 || free[f].size < free[best].size)) best = f;
        if (best >= 0 && free[best].size <= size * 4) buffers[id] = free.splice(best, 1)[0];
        else {
          buffers[id] = device.createBuffer({ size, usage });
          owned.push(buffers[id]);
          intermediateBytes += size;
        }
      }
      const released = new Set<number>();
      for (const id of s.bindings)
        if (lastUse[id] === i && logical[id].kind === 'temp' && !released.has(id)) {
          released.add(id);
          free.push(buffers[id]);
        }
    });
    return { buffers, owned, intermediateBytes, foldedBytes };
  }

  // ---- data conversions ----

  private static toWords(
    data: ArrayLike<number> | ArrayLike<bigint>,
    dtype: ElementType,
  ): Float32Array | Int32Array | Uint32Array {
    // Always a fresh copy: a feed may view a larger (or shared) buffer at any offset.
    if (dtype === 'float32' && data instanceof Float32Array) return data.slice();
    if (dtype === 'float32' || dtype === 'float16')
      return Float32Array.from(data as ArrayLike<number>, Number);
    if (dtype === 'bool') return Uint32Array.from(data as ArrayLike<number>, (x) => (x ? 1 : 0));
    return Int32Array.from(data as ArrayLike<number>, (x) =>
      Math.max(-2147483648, Math.min(2147483647, Number(x))),
    );
  }

  private static fromNumbers(values: ArrayLike<number>, dtype: ElementType): TensorData {
    if (dtype === 'float32' || dtype === 'float16')
      return values instanceof Float32Array ? values : Float32Array.from(values);
    if (dtype === 'bool') return Uint8Array.from(values, (x) => (x ? 1 : 0));
    if (dtype === 'int64') return BigInt64Array.from(values, (x) => BigInt(Math.trunc(x)));
    return values instanceof Int32Array ? values : Int32Array.from(values);
  }
}
