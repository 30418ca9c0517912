// Quantization benchmark: for each fixture × method, bytes, rel_l2, cosine (against the
// fp32 source on ONNX Runtime), seconds and MB/s of fp32 weights processed. Includes an
// "ort-like RTN" row — symmetric round-to-nearest on MatMul weights only, block 32, fp32
// scales, embeddings and convolutions left in fp32 (what ORT's MatMulNBitsQuantizer does) —
// measured in the same run, so ratios compare like with like.
// Usage: npm run build:tsc && node bench/quantize.mjs [fixture …] > bench-quantize.json
// Metrics are computed on the fixture's own sample input (<model>.input.*.npy) and on the
// generated verification samples (3, seed 0).

import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = (p) => import(path.join(repo, 'build', p));
const { readModel, writeModel } = await build('onnx/model-io.js');
const { Graph } = await build('onnx/graph.js');
const { quantizeNBit } = await build('quantize/nbit.js');
const { DEFAULT_QUANTIZE_SETTINGS } = await build('quantize/types.js');
const { createOrtRunner } = await build('verify/ort-runner.js');
const { generateSamples } = await build('verify/sample-inputs.js');
const { loadInputs } = await build('verify/inputs-file.js');
const { runSamples } = await build('verify/compare-runs.js');
const { compareTensors, worstMetrics } = await build('verify/metrics.js');
const { tensorByteLength } = await build('onnx/tensor.js');
const { findQuantizableWeights } = await build('quantize/weights.js');
const { CALIBRATION_SEED_OFFSET, DEFAULT_CALIBRATION_SAMPLES } = await build('pipeline/transforms.js');
const { QuantizationSession } = await build('quantize/nbit.js');
const { quantizeAuto } = await build('quantize/auto.js');

const fixtures = path.resolve(repo, '../shared/fixtures');
const names = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['vit.legacy', 'llama.dynamo_static', 'gpt2.dynamo_static', 'bert.legacy'];
const tmp = path.join(repo, 'out', 'bench-quantize');
mkdirSync(tmp, { recursive: true });

const METHODS = [
  { name: 'ort-like-rtn', settings: { method: 'rtn', symmetric: true }, matmulOnly: true },
  { name: 'rtn', settings: { method: 'rtn', symmetric: false } },
  { name: 'mse', settings: { method: 'mse', symmetric: false } },
  { name: 'gptq (default)', settings: { method: 'gptq', symmetric: false } },
];
/** auto rows: the greedy search against a cosine target (the 2-bit goal is cosine ≥ 0.95). */
const AUTO_TARGETS = [0.95, 0.99];

function fixtureSample(name, inputs) {
  const stem = name.split('.')[0];
  const files = readdirSync(fixtures).filter((f) => f.startsWith(`${stem}.input.`));
  const spec = files.map((f) => `${f.slice(stem.length + 7, -4)}=${path.join(fixtures, f)}`).join(',');
  return loadInputs(spec, inputs);
}

function compare(ref, cand) {
  const all = [];
  for (let s = 0; s < ref.length; s++)
    for (const o of Object.keys(ref[s])) all.push(compareTensors(ref[s][o], cand[s][o]));
  return worstMetrics(all);
}

const results = [];
for (const name of names) {
  const file = path.join(fixtures, `${name}.onnx`);
  const source = readModel(file);
  const graph = new Graph(source.proto.graph, name);
  const ref = await createOrtRunner(file);
  const sets = {
    fixture_input: fixtureSample(name, ref.inputs),
    generated: generateSamples(graph, ref.inputs, { count: 3, seed: 0, dims: {}, intRange: [0, 8] }),
  };
  const calibration = generateSamples(graph, ref.inputs, {
    count: DEFAULT_CALIBRATION_SAMPLES,
    seed: CALIBRATION_SEED_OFFSET,
    dims: {},
    intRange: [0, 8],
  });
  const refOut = {};
  for (const [k, s] of Object.entries(sets)) refOut[k] = await runSamples(ref, s);
  const weightBytes = findQuantizableWeights(graph).reduce((n, w) => n + tensorByteLength(w.tensor), 0);
  for (const m of METHODS) {
    for (const bits of [4, 3, 2]) {
      const settings = { ...DEFAULT_QUANTIZE_SETTINGS, ...m.settings };
      const context = { source, settings, calibration: async () => calibration, warn: () => {} };
      const started = performance.now();
      const { model } = m.matmulOnly
        ? await new QuantizationSession(context).build((w) =>
            w.sites.every((s) => s.use === 'matmul' && !s.transposed) ? bits : undefined,
          )
        : await quantizeNBit(context, { bits });
      const seconds = (performance.now() - started) / 1000;
      const out = path.join(tmp, `${name}-${m.name}-int${bits}.onnx`);
      const written = writeModel(model, out);
      const runner = await createOrtRunner(out);
      const row = {
        fixture: name,
        method: m.name,
        bits,
        block_size: settings.blockSize,
        bytes: written.bytes,
        compression: +(written.bytes / source.bytes).toFixed(4),
        seconds: +seconds.toFixed(3),
        weight_mb_per_s: +(weightBytes / 1e6 / seconds).toFixed(1),
      };
      for (const [k, s] of Object.entries(sets)) {
        const metrics = compare(refOut[k], await runSamples(runner, s));
        row[k] = { rel_l2: +metrics.rel_l2.toFixed(5), cosine: +metrics.cosine.toFixed(6) };
      }
      await runner.dispose();
      results.push(row);
      process.stderr.write(`${JSON.stringify(row)}\n`);
    }
  }
  for (const cosine of AUTO_TARGETS) {
    const settings = { ...DEFAULT_QUANTIZE_SETTINGS };
    const context = {
      source,
      settings,
      calibration: async () => calibration,
      toleranceFor: () => ({ cosine }),
      warn: () => {},
    };
    const started = performance.now();
    const { model, assignments } = await quantizeAuto(context);
    const seconds = (performance.now() - started) / 1000;
    const out = path.join(tmp, `${name}-auto-${cosine}.onnx`);
    const written = writeModel(model, out);
    const runner = await createOrtRunner(out);
    const row = {
      fixture: name,
      method: `auto (cosine ≥ ${cosine})`,
      bytes: written.bytes,
      compression: +(written.bytes / source.bytes).toFixed(4),
      seconds: +seconds.toFixed(3),
      layers: assignments.map((a) => `${a.role}:${a.precision}`).join(' '),
    };
    for (const [k, s] of Object.entries(sets)) {
      const metrics = compare(refOut[k], await runSamples(runner, s));
      row[k] = { rel_l2: +metrics.rel_l2.toFixed(5), cosine: +metrics.cosine.toFixed(6) };
    }
    await runner.dispose();
    results.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
  await ref.dispose();
}
console.log(JSON.stringify({ bench: 'quantize', results }, null, 2));
