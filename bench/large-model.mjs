// Large-model bench: generates a synthetic ONNX model over 2 GB with external data (an
// 8192×4096 Gather embedding, then LAYERS × [MatMul 4096×4096, Add bias, Tanh], deterministic
// weights with a few outliers), streaming it to disk a chunk at a time, then, in a child
// process, loads it (lazily: weights stay on disk), quantizes it to int4 with the real
// quantizeNBit and the settings the pipeline gives a model this size, and writes the result;
// prints input/output bytes, seconds per phase and that child's peak RSS. A second child runs
// the output (then the source, for comparison) in ONNX Runtime on a tiny input; its RSS is
// reported apart, since ORT's own memory is not ours. The generated files are deleted at the end.
// Usage: npx tsc -p tsconfig.build.json && node bench/large-model.mjs [--layers 34] [--dir /tmp] [--method mse|rtn|gptq]
//        [--keep] > large-model.json   (--method overrides the pipeline's choice for the size)

import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const repo = path.resolve(path.dirname(self), '..');
const build = (p) => import(path.join(repo, 'build', p));

const HIDDEN = 4096;
const VOCAB = 8192;
const SEQUENCE = 4;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Fills `out` with deterministic uniform values of standard deviation `std`, 0.1% of them ×8 (outliers). */
function fillWeights(out, state, std) {
  const a = std * Math.sqrt(3);
  let s = state.s;
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    let v = ((s / 2 ** 32) * 2 - 1) * a;
    if ((s & 1023) === 7) v *= 8;
    out[i] = v;
  }
  state.s = s;
}

/** Writes the model: tensors streamed into model.onnx.data 4 MiB at a time, then the small .onnx. */
async function generate(dir, layers) {
  const { onnx } = await build('onnx/proto/index.js');
  const dataName = 'model.onnx.data';
  const fd = openSync(path.join(dir, dataName), 'w');
  const chunk = new Float32Array(2 ** 20);
  const chunkBytes = new Uint8Array(chunk.buffer);
  const initializers = [];
  let offset = 0;
  const addTensor = (name, dims, std, seed) => {
    const count = dims.reduce((a, b) => a * b, 1);
    const state = { s: seed >>> 0 || 1 };
    for (let done = 0; done < count;) {
      const n = Math.min(chunk.length, count - done);
      fillWeights(chunk.subarray(0, n), state, std);
      for (let w = 0; w < n * 4;) w += writeSync(fd, chunkBytes, w, n * 4 - w);
      done += n;
    }
    initializers.push(
      new onnx.TensorProto({
        name,
        dataType: 1,
        dims,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: dataName },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(count * 4) },
        ],
      }),
    );
    offset += count * 4; // every tensor is a multiple of 64 bytes, so offsets stay aligned
  };
  const nodes = [];
  addTensor('embed.weight', [VOCAB, HIDDEN], 1, 1);
  nodes.push(
    new onnx.NodeProto({
      name: 'embed/Gather',
      opType: 'Gather',
      input: ['embed.weight', 'input_ids'],
      output: ['h0'],
    }),
  );
  let h = 'h0';
  for (let l = 0; l < layers; l++) {
    addTensor(`layers.${l}.weight`, [HIDDEN, HIDDEN], 1 / Math.sqrt(HIDDEN), 1000 + l);
    addTensor(`layers.${l}.bias`, [HIDDEN], 0.02, 5000 + l);
    nodes.push(
      new onnx.NodeProto({
        name: `layers.${l}/MatMul`,
        opType: 'MatMul',
        input: [h, `layers.${l}.weight`],
        output: [`m${l}`],
      }),
    );
    nodes.push(
      new onnx.NodeProto({
        name: `layers.${l}/Add`,
        opType: 'Add',
        input: [`m${l}`, `layers.${l}.bias`],
        output: [`a${l}`],
      }),
    );
    nodes.push(
      new onnx.NodeProto({
        name: `layers.${l}/Tanh`,
        opType: 'Tanh',
        input: [`a${l}`],
        output: [`h${l + 1}`],
      }),
    );
    h = `h${l + 1}`;
  }
  closeSync(fd);
  const tensorType = (elemType, dims) => ({
    tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } },
  });
  const model = new onnx.ModelProto({
    irVersion: 8,
    producerName: 'bench/large-model.mjs',
    opsetImport: [{ domain: '', version: 17 }],
    graph: new onnx.GraphProto({
      name: 'large',
      node: nodes,
      initializer: initializers,
      input: [new onnx.ValueInfoProto({ name: 'input_ids', type: tensorType(7, [1, SEQUENCE]) })],
      output: [new onnx.ValueInfoProto({ name: h, type: tensorType(1, [1, SEQUENCE, HIDDEN]) })],
    }),
  });
  writeFileSync(path.join(dir, 'model.onnx'), onnx.ModelProto.encode(model).finish());
  return { largestTensorBytes: VOCAB * HIDDEN * 4, dataBytes: offset };
}

const seconds = (from) => +((performance.now() - from) / 1000).toFixed(2);
const peakRssBytes = () => process.resourceUsage().maxRSS * 1024;

/** Child: load lazily, quantize to int4 with the pipeline's settings for this size, write. */
async function quantizeChild(dir, method) {
  const { readModel, writeModel } = await build('onnx/model-io.js');
  const { quantizeNBit } = await build('quantize/nbit.js');
  const { DEFAULT_QUANTIZE_SETTINGS } = await build('quantize/types.js');
  const { GPTQ_MAX_WEIGHT_BYTES } = await build('pipeline/transforms.js');
  const { tensorByteLength } = await build('onnx/tensor.js');
  const baselineRss = process.memoryUsage().rss;
  let t = performance.now();
  const source = readModel(path.join(dir, 'model.onnx'));
  const load = seconds(t);
  const weightBytes = source.proto.graph.initializer.reduce((n, x) => n + tensorByteLength(x), 0);
  // What TransformCache.settingsFor gives a model this size when convert.yml sets no method.
  const settings = {
    ...DEFAULT_QUANTIZE_SETTINGS,
    method: method || (weightBytes > GPTQ_MAX_WEIGHT_BYTES ? 'mse' : 'gptq'),
  };
  const warnings = [];
  t = performance.now();
  const { model, assignments } = await quantizeNBit(
    { source, settings, calibration: async () => [], warn: (m) => warnings.push(m) },
    { bits: 4 },
  );
  const quantize = seconds(t);
  const afterQuantizeRss = process.memoryUsage().rss;
  t = performance.now();
  const out = path.join(dir, 'int4', 'model.onnx');
  mkdirSync(path.dirname(out), { recursive: true });
  const written = writeModel(model, out, { externalData: source.hadExternalData ? 'always' : 'auto' });
  const write = seconds(t);
  const precisions = {};
  for (const a of assignments) precisions[a.precision] = (precisions[a.precision] ?? 0) + 1;
  return {
    method: settings.method,
    weight_bytes: weightBytes,
    output_files: written.files.map((f) => path.relative(dir, f)),
    output_bytes: written.bytes,
    precisions,
    seconds: { load, quantize, write },
    weight_mb_per_s: +(weightBytes / 1e6 / quantize).toFixed(1),
    rss_bytes: { baseline: baselineRss, after_quantize: afterQuantizeRss, peak: peakRssBytes() },
    warnings,
  };
}

/** Child: ONNX Runtime runs the int4 output, then the source, on one tiny input. */
async function ortChild(dir) {
  const { createOrtRunner } = await build('verify/ort-runner.js');
  const { compareTensors } = await build('verify/metrics.js');
  const feeds = {
    input_ids: { dtype: 'int64', dims: [1, SEQUENCE], data: BigInt64Array.from([1n, 200n, 4000n, 8191n]) },
  };
  const run = async (file) => {
    const t = performance.now();
    const runner = await createOrtRunner(file);
    try {
      const out = await runner.run(feeds);
      return { out: Object.values(out)[0], seconds: seconds(t) };
    } finally {
      await runner.dispose();
    }
  };
  const int4 = await run(path.join(dir, 'int4', 'model.onnx'));
  const int4PeakRss = peakRssBytes();
  const source = await run(path.join(dir, 'model.onnx'));
  const m = compareTensors(source.out, int4.out);
  return {
    int4_runs: int4.out.data.every(Number.isFinite),
    int4_seconds: int4.seconds,
    int4_peak_rss_bytes: int4PeakRss,
    source_seconds: source.seconds,
    peak_rss_bytes_with_source: peakRssBytes(),
    int4_vs_source: { rel_l2: +m.rel_l2.toFixed(5), cosine: +m.cosine.toFixed(6) },
  };
}

function child(kind, dir, method = '') {
  const r = spawnSync(process.execPath, [self, '--child', kind, dir, method], {
    encoding: 'utf8',
    maxBuffer: 2 ** 24,
  });
  if (r.status !== 0) throw new Error(`${kind} child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

if (process.argv[2] === '--child') {
  const [kind, dir, method] = process.argv.slice(3);
  const result = kind === 'quantize' ? await quantizeChild(dir, method) : await ortChild(dir);
  process.stdout.write(JSON.stringify(result));
} else {
  const layers = Number(arg('--layers', '34'));
  const dir = mkdtempSync(path.join(arg('--dir', os.tmpdir()), 'mc-large-model-'));
  try {
    let t = performance.now();
    const generated = await generate(dir, layers);
    const generateSeconds = seconds(t);
    const inputBytes =
      statSync(path.join(dir, 'model.onnx')).size + statSync(path.join(dir, 'model.onnx.data')).size;
    process.stderr.write(
      `generated ${(inputBytes / 1e9).toFixed(2)} GB in ${generateSeconds} s (generator peak RSS ${(peakRssBytes() / 2 ** 20).toFixed(0)} MiB)\n`,
    );
    const quantize = child('quantize', dir, arg('--method', ''));
    process.stderr.write(`${JSON.stringify(quantize)}\n`);
    t = performance.now();
    const ort = child('ort', dir);
    const result = {
      bench: 'large-model',
      layers,
      input_bytes: inputBytes,
      largest_tensor_bytes: generated.largestTensorBytes,
      generate: { seconds: generateSeconds, peak_rss_bytes: peakRssBytes() },
      quantize,
      peak_rss_mib: +(quantize.rss_bytes.peak / 2 ** 20).toFixed(0),
      peak_rss_target_met: quantize.rss_bytes.peak < 1.5e9,
      ort: { ...ort, seconds: seconds(t) },
      node: process.version,
      cpus: os.cpus().length,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}
