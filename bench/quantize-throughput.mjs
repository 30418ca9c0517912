// Block-quantizer throughput: MB/s of fp32 weights per method on one core (JavaScript runs
// the quantizer on the main thread only), for a large deterministic random matrix with
// outliers, as a MatMul weight [K, N] quantized along K. `mb_per_s` is the path n-bit
// quantization takes (quantizeAlongAxis: columns gathered a few at a time); the column copy
// (toColumns) + quantizeColumns path is reported apart, from one run; `mb_per_s` is the best
// of REPEATS runs. `*_cpu_s` rates divide by the process's CPU time instead of wall time
// (steadier on a shared machine). Also prints the
// reconstruction rel_l2 and a hash of the codes/scales, so a faster quantizer can be checked
// to give the same (or equally accurate) results.
// Usage: npx tsc -p tsconfig.build.json && node bench/quantize-throughput.mjs [K N] > throughput.json

import { createHash } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { quantizeColumns, quantizeAlongAxis, dequantizeColumns, toColumns } = await import(
  path.join(repo, 'build', 'quantize', 'blockwise.js')
);

const [K, N] = process.argv.length >= 4 ? [Number(process.argv[2]), Number(process.argv[3])] : [4096, 4096];
const BLOCK_SIZE = 32;
const REPEATS = 3;

/** Deterministic normal-ish weights (sum of uniforms from a fixed-seed xorshift) with 0.1% outliers ×12. */
function makeWeight(count, seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let v = (next() + next() + next() + next() - 2) * 0.03;
    if (next() < 0.001) v *= 12;
    out[i] = v;
  }
  return out;
}

function relL2(a, b) {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    num += d * d;
    den += a[i] * a[i];
  }
  return Math.sqrt(num / den);
}

const CASES = [
  { method: 'rtn', bits: 4, symmetric: false, search: false },
  { method: 'mse', bits: 4, symmetric: false, search: true },
  { method: 'rtn', bits: 4, symmetric: true, search: false },
  { method: 'mse', bits: 4, symmetric: true, search: true },
  { method: 'mse', bits: 3, symmetric: false, search: true },
  { method: 'mse', bits: 2, symmetric: false, search: true },
];

const weight = makeWeight(K * N, 0x5eed);
const dims = [K, N];
const fp32MB = (K * N * 4) / 1e6;

// Warm up every code path on a small matrix so the timings measure compiled code.
const warm = makeWeight(256 * 64, 7);
for (const c of CASES) {
  quantizeColumns(toColumns(warm, [256, 64], 0), { K: 256, N: 64, blockSize: BLOCK_SIZE, ...c });
  quantizeAlongAxis?.(warm, [256, 64], 0, { K: 256, N: 64, blockSize: BLOCK_SIZE, ...c });
}

const results = [];
for (const c of CASES) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const columns = toColumns(weight, dims, 0);
  const t1 = performance.now();
  const q = quantizeColumns(columns, {
    K,
    N,
    bits: c.bits,
    blockSize: BLOCK_SIZE,
    symmetric: c.symmetric,
    search: c.search,
  });
  const t2 = performance.now();
  const cpu2 = process.cpuUsage();
  const cpuSeconds = (a, b) => (b.user + b.system - a.user - a.system) / 1e6;
  const hash = createHash('sha256')
    .update(q.codes)
    .update(new Uint8Array(q.scales.buffer))
    .update(q.zeroPoints)
    .digest('hex')
    .slice(0, 16);
  const rel = +relL2(columns, dequantizeColumns(q)).toFixed(6);
  const row = {
    method: c.method,
    bits: c.bits,
    symmetric: c.symmetric,
    to_columns_seconds: +((t1 - t0) / 1000).toFixed(3),
    quantize_columns_seconds: +((t2 - t1) / 1000).toFixed(3),
    columns_path_mb_per_s: +(fp32MB / ((t2 - t0) / 1000)).toFixed(1),
    columns_path_mb_per_cpu_s: +(fp32MB / cpuSeconds(cpu0, cpu2)).toFixed(1),
    rel_l2: rel,
    hash,
  };
  if (quantizeAlongAxis) {
    // Best of REPEATS runs: the machine may be shared, and the fastest run is the one least disturbed.
    let wall = Infinity;
    let cpu = Infinity;
    let same = true;
    for (let r = 0; r < REPEATS; r++) {
      const cpu3 = process.cpuUsage();
      const t3 = performance.now();
      const qa = quantizeAlongAxis(weight, dims, 0, {
        K,
        N,
        bits: c.bits,
        blockSize: BLOCK_SIZE,
        symmetric: c.symmetric,
        search: c.search,
      });
      const t4 = performance.now();
      const cpu4 = process.cpuUsage();
      wall = Math.min(wall, (t4 - t3) / 1000);
      cpu = Math.min(cpu, cpuSeconds(cpu3, cpu4));
      same &&=
        createHash('sha256')
          .update(qa.codes)
          .update(new Uint8Array(qa.scales.buffer))
          .update(qa.zeroPoints)
          .digest('hex')
          .slice(0, 16) === hash;
    }
    Object.assign(row, {
      seconds: +wall.toFixed(3),
      mb_per_s: +(fp32MB / wall).toFixed(1),
      mb_per_cpu_s: +(fp32MB / cpu).toFixed(1),
      same_as_columns_path: same,
    });
  }
  results.push(row);
  process.stderr.write(`${JSON.stringify(row)}\n`);
}
console.log(
  JSON.stringify(
    {
      bench: 'quantize-throughput',
      K,
      N,
      block_size: BLOCK_SIZE,
      fp32_mb: fp32MB,
      node: process.version,
      results,
    },
    null,
    2,
  ),
);
