// Runs a generated webgpu model.js the way a user would — import() of the file, then
// createSession({ gpu }) — on Dawn (the `webgpu` npm package) in a child Node process
// with the Vulkan environment of dawn.ts, and converts between HostTensors and the module
// contract's { data, dims }. Messages cross with Node's 'advanced' IPC serialization, so
// typed arrays arrive as typed arrays.
//   const runner = await createWebgpuRunner('out/webgpu/fp32/model.js');
//   const out = await runner.run({ input_ids: { dtype: 'int64', dims: [1, 16], data } });

import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { DType, HostTensor, TensorMap } from '../../onnx/dtype.js';
import type { IOInfo, Runner } from '../../verify/types.js';
import { dawnEnvironment, webgpuPackageUrl } from './dawn.js';
import type { ModuleIO, SessionMemory } from './module-session.js';

/** The child: loads Dawn and the module, then answers run requests until told to close. */
const WORKER_SOURCE = `
const send = (m) => process.send(m);
// gpu and adapter stay referenced for the process's life: Dawn's instance must outlive the device.
let session, gpu, adapter;
process.on('message', async (m) => {
  try {
    if (m.type === 'open') {
      const { create } = await import(m.webgpu);
      gpu = create([]);
      adapter = await gpu.requestAdapter();
      if (!adapter) throw new Error('Dawn found no GPU adapter (Vulkan: ' + m.driver + '). Install a Vulkan driver for the GPU, or a browser that ships SwiftShader (Debian/Ubuntu: apt-get install chromium), or point VK_ICD_FILENAMES at a Vulkan driver manifest.');
      const info = adapter.info || {};
      const mod = await import(m.modelUrl);
      session = await mod.createSession({ gpu });
      send({ type: 'opened', inputs: session.inputs, outputs: session.outputs,
        adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter',
        f16: adapter.features.has('shader-f16') });
    } else if (m.type === 'run') {
      const out = await session.run(m.feeds);
      send({ type: 'result', outputs: out, memory: session.memory });
    } else if (m.type === 'close') {
      if (session) session.dispose();
      setTimeout(() => process.exit(0), 10);
    }
  } catch (e) {
    send({ type: 'error', message: String((e && e.message) || e) });
  }
});
send({ type: 'ready' });
`;

interface Reply {
  type: string;
  message?: string;
  inputs?: ModuleIO[];
  outputs?: ModuleIO[] | Record<string, { data: HostTensor['data']; dims: number[] }>;
  adapter?: string;
  f16?: boolean;
  memory?: SessionMemory;
}

export interface WebgpuRunner extends Runner {
  /** GPU memory of the session after the last run. */
  memory(): SessionMemory | undefined;
}

class DawnChild {
  private readonly child: ChildProcess;
  private pending: { resolve(r: Reply): void; reject(e: Error): void } | undefined;
  private stderr = '';
  private exited: Error | undefined;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--input-type=module', '-e', WORKER_SOURCE], {
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.child.on('message', (m: Reply) => {
      const p = this.pending;
      this.pending = undefined;
      if (!p) return;
      if (m.type === 'error') p.reject(new Error(m.message));
      else p.resolve(m);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(
        `the Dawn process ended (${signal ?? `exit code ${code}`})${this.stderr ? `: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
      );
      this.pending?.reject(this.exited);
      this.pending = undefined;
    });
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** Sends `message` (none: waits for the child's 'ready') once earlier requests are answered. */
  request(message: object | undefined): Promise<Reply> {
    const next = this.queue.then(
      () =>
        new Promise<Reply>((resolve, reject) => {
          if (this.exited) return reject(this.exited);
          this.pending = { resolve, reject };
          if (message) this.child.send(message);
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    if (this.exited) return;
    this.child.send({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    timer.unref();
  }
}

export async function createWebgpuRunner(modelJs: string): Promise<WebgpuRunner> {
  const webgpu = await webgpuPackageUrl();
  const { env, driver } = dawnEnvironment();
  const child = new DawnChild(env);
  await child.request(undefined); // 'ready'
  let opened: Reply;
  try {
    opened = await child.request({
      type: 'open',
      webgpu,
      modelUrl: pathToFileURL(modelJs).href,
      driver,
    });
  } catch (e) {
    child.close();
    throw e;
  }
  const describe = (list: ModuleIO[]): IOInfo[] =>
    list.map((io) => ({ name: io.name, dtype: io.dtype as DType, dims: io.dims }));
  const outputs = describe((opened.outputs as ModuleIO[] | undefined) ?? []);
  let memory: SessionMemory | undefined;
  return {
    runtime: `Dawn webgpu (${opened.adapter}, ${driver})`,
    inputs: describe(opened.inputs ?? []),
    outputs,
    async run(feeds: TensorMap): Promise<TensorMap> {
      const converted: Record<string, { data: HostTensor['data']; dims: number[] }> = {};
      for (const [name, t] of Object.entries(feeds)) converted[name] = { data: t.data, dims: t.dims };
      const reply = await child.request({ type: 'run', feeds: converted });
      memory = reply.memory;
      const results = reply.outputs as Record<string, { data: HostTensor['data']; dims: number[] }>;
      const out: TensorMap = {};
      for (const o of outputs)
        out[o.name] = { dtype: o.dtype, dims: results[o.name].dims, data: results[o.name].data };
      return out;
    },
    memory: () => memory,
    gpuMemory: () =>
      memory && {
        weight_bytes: memory.weightBytes,
        peak_intermediate_bytes: memory.peakIntermediateBytes,
        folded_bytes: memory.foldedBytes,
        kernels: memory.kernels,
        dispatches: memory.dispatches,
      },
    async dispose(): Promise<void> {
      child.close();
    },
  };
}
