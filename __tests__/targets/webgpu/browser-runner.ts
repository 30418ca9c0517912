// Test helper for running a generated webgpu model.js outside the project's own runner: the
// loopback server (../loopback-server.ts), headless Chromium with WebGPU on SwiftShader, tensors as JSON (int64 as decimal strings,
// NaN as null) for pages and plain harness scripts, a small elementwise model with symbolic
// dims, the CLI conversion, and the rel_l2 of every output against ONNX Runtime's.
//   const server = new LoopbackServer(root); await server.listen();
//   const body = await runChromiumPage(server, server.url('run.html'), path.join(root, 'profile'));

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/main.js';
import type { DType, HostTensor, TensorMap } from '../../../src/onnx/dtype.js';
import { writeModel } from '../../../src/onnx/model-io.js';
import { compareTensors } from '../../../src/verify/metrics.js';
import { LoopbackServer } from '../loopback-server.js';
import { buildModel, tensor } from '../webnn/cross-check.js';

export { LoopbackServer };

export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium with WebGPU forced onto SwiftShader (no GPU process, no network chatter). */
export const CHROMIUM_WEBGPU_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
];

/**
 * Opens `url` in headless Chromium (a fresh profile in `profileDir`) until the page POSTs
 * /report, then ends that Chromium and its child processes. Fails when Chromium is missing,
 * exits first, or the page does not report within `timeoutMs`.
 */
export async function runChromiumPage(
  server: LoopbackServer,
  url: string,
  profileDir: string,
  timeoutMs = 45_000,
): Promise<string> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser test needs Chromium`);
  const child = spawn(CHROMIUM, [...CHROMIUM_WEBGPU_FLAGS, `--user-data-dir=${profileDir}`, url], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true, // its own process group, so its renderers end with it
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (e) => reject(new Error(`chromium did not start: ${e.message}`)));
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `chromium exited (${signal ?? `code ${code}`}) before the page reported: ${stderr.slice(-1500)}`,
        ),
      ),
    );
  });
  const stopWaiting = new AbortController();
  const report = server.waitForReport(timeoutMs, stopWaiting.signal);
  try {
    return await Promise.race([report, failed]);
  } finally {
    failed.catch(() => undefined);
    report.catch(() => undefined);
    stopWaiting.abort();
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL'); // the process group of the Chromium started above
      } catch {
        child.kill('SIGKILL');
      }
      await exited;
    }
  }
}

/**
 * `model-convert convert <source> --targets webgpu --precision fp32 --out <out> --no-cache`
 * as a user runs it (plus `extra` options); returns the folder holding model.js and
 * model.weights.bin, or throws with the CLI's output.
 */
export async function convertToWebgpu(source: string, out: string, extra: string[] = []): Promise<string> {
  let log = '';
  const code = await runCli(
    ['convert', source, '--targets', 'webgpu', '--precision', 'fp32', '--out', out, '--no-cache', ...extra],
    { out: (s: string) => (log += s), err: (s: string) => (log += s) },
  );
  if (code !== 0) throw new Error(`convert ${source} failed (exit code ${code}): ${log}`);
  const dir = path.join(out, 'webgpu', 'fp32');
  for (const file of ['model.js', 'model.weights.bin'])
    if (!existsSync(path.join(dir, file))) throw new Error(`convert wrote no ${file} in ${dir}`);
  return dir;
}

/** A tensor as JSON: int64/uint64 values as decimal strings, NaN as null. */
export interface JsonTensor {
  dtype: DType;
  dims: number[];
  data: (number | string | null)[];
}

export function tensorToJson(t: HostTensor): JsonTensor {
  const data = Array.from(t.data as ArrayLike<number | bigint>, (v) =>
    typeof v === 'bigint' ? v.toString() : Number.isNaN(v) ? null : v,
  );
  return { dtype: t.dtype, dims: [...t.dims], data };
}

export function feedsToJson(feeds: TensorMap): Record<string, JsonTensor> {
  return Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, tensorToJson(t)]));
}

/**
 * JavaScript source (a function declaration, for pages and harness scripts) that turns
 * JsonTensors into module-contract feeds and results back into JsonTensors.
 */
export const JSON_TENSOR_CODECS = `
function feedsFromJson(json) {
  const arrays = { int64: BigInt64Array, uint64: BigUint64Array, int32: Int32Array, uint32: Uint32Array,
    int8: Int8Array, uint8: Uint8Array, bool: Uint8Array, float32: Float32Array };
  const feeds = {};
  for (const [name, t] of Object.entries(json)) {
    const Type = arrays[t.dtype];
    if (!Type) throw new Error('no typed array for input dtype ' + t.dtype);
    const big = Type === BigInt64Array || Type === BigUint64Array;
    feeds[name] = { data: Type.from(t.data, (v) => (big ? BigInt(v) : v === null ? NaN : v)), dims: t.dims };
  }
  return feeds;
}
function resultsToJson(results) {
  const names = { Float32Array: 'float32', Int32Array: 'int32', BigInt64Array: 'int64', Uint8Array: 'uint8',
    Uint32Array: 'uint32', Int8Array: 'int8', BigUint64Array: 'uint64' };
  const out = {};
  for (const [name, t] of Object.entries(results))
    out[name] = { dtype: names[t.data.constructor.name] || t.data.constructor.name, dims: Array.from(t.dims),
      data: Array.from(t.data, (v) => (typeof v === 'bigint' ? v.toString() : Number.isNaN(v) ? null : v)) };
  return out;
}
`;

/** rel_l2 of every output of `got` (JSON, as a page or harness returns them) against `want`. */
export function relL2ByOutput(want: TensorMap, got: Record<string, JsonTensor>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    if (!g) throw new Error(`output ${name} is missing from the module's results`);
    if (JSON.stringify(g.dims) !== JSON.stringify(w.dims))
      throw new Error(
        `output ${name} has dims [${g.dims.join(', ')}], ONNX Runtime gives [${w.dims.join(', ')}]`,
      );
    const data = Float32Array.from(g.data, (v) => (v === null ? NaN : Number(v)));
    result[name] = compareTensors(w, { dtype: 'float32', dims: g.dims, data }).rel_l2;
  }
  return result;
}

/**
 * Writes a small model with symbolic dims that the webgpu target lowers to a few elementwise
 * kernels: y = Tanh(x * w + b) * Cast(mask), x: float32 [batch, seq, 8], mask: int64
 * [batch, seq, 1], w and b constants (so model.weights.bin is not empty).
 */
export function writeSmallModel(file: string): void {
  const model = buildModel({
    nodes: [
      { op: 'Mul', inputs: ['x', 'w'], outputs: ['xw'] },
      { op: 'Add', inputs: ['xw', 'b'], outputs: ['pre'] },
      { op: 'Tanh', inputs: ['pre'], outputs: ['act'] },
      { op: 'Cast', inputs: ['mask'], outputs: ['keep'], attrs: { to: 1 } },
      { op: 'Mul', inputs: ['act', 'keep'], outputs: ['y'] },
    ],
    tensors: [
      tensor('x', 'float32', ['batch', 'seq', 8]),
      tensor('mask', 'int64', ['batch', 'seq', 1]),
      tensor('w', 'float32', [8], { constant: true }),
      tensor('b', 'float32', [8], { constant: true }),
    ],
    outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 'seq', 8] }],
  });
  writeModel(model, file);
}

/** Feeds for writeSmallModel's model: deterministic x, a mask with some zeros. */
export function smallModelFeeds(batch: number, seq: number): TensorMap {
  const x = new Float32Array(batch * seq * 8).map((_, i) => Math.sin(i * 0.37) * 2.5);
  const mask = new BigInt64Array(batch * seq).map((_, i) => (i % 5 === 3 ? 0n : 1n));
  return {
    x: { dtype: 'float32', dims: [batch, seq, 8], data: x },
    mask: { dtype: 'int64', dims: [batch, seq, 1], data: mask },
  };
}
