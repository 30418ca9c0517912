// webgpu target benchmark: for each fixture × precision, converts the model with the webgpu
// target (the precision transform the pipeline would use, then webgpuTarget.emit) and times,
// in child processes of this script started with dawnEnvironment()'s Vulkan driver (so Dawn
// and ONNX Runtime's WebGPU EP find the same adapter):
//   - the generated model.js on Dawn (the `webgpu` package): createSession({ gpu }), run() with readback,
//   - onnxruntime-node, executionProviders ['webgpu'], on the same ONNX graph (the fixture for fp32,
//     the transformed graph otherwise) and the same inputs (the fixture's <model>.input.*.npy),
//     both in one process, run by run in alternating order, so load from elsewhere hits both alike;
//   - onnxruntime-node CPU in its own process, for context (and the reference for rel_l2).
// Median latency over --runs runs after --warmup runs, the generated/ORT-webgpu ratio, the
// session's GPU memory, and code size: gzip -9 of model.js (without weights) against what
// ONNX Runtime Web's WebGPU entry ships (its JS and the .wasm it loads). A model or precision
// that fails to convert or run is kept in the JSON with its error, so the bench runs at any stage.
// Prints JSON and writes bench/results/webgpu.json. Goals are reported, never asserted.
// Usage: npm run build:tsc && node bench/webgpu.mjs [fixture|file.onnx …] [--precision fp32,fp16,int8,int4]
//        [--runs 20] [--warmup 3] [--out bench/results/webgpu.json]

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import zlib from 'node:zlib';

const self = fileURLToPath(import.meta.url);
const repo = path.resolve(path.dirname(self), '..');
const fixtures = path.resolve(repo, '../shared/fixtures');
const require = createRequire(import.meta.url);

const CODE_GOAL_BYTES = 50 * 1024;
const LATENCY_GOAL_RATIO = 1.0;
const LATENCY_GOAL_MODELS = ['bert.legacy', 'vit.legacy'];
const CHILD_TIMEOUT_MS = 240_000;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const gzipBytes = (bytes) => zlib.gzipSync(bytes, { level: 9 }).length;
const round = (x, digits = 3) => (Number.isFinite(x) ? +x.toFixed(digits) : x);
const oneLine = (s, max = 600) => {
  const t = String(s).replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
};

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    median: round(median),
    mean: round(times.reduce((a, b) => a + b, 0) / times.length),
    min: round(sorted[0]),
    p90: round(at(0.9)),
    runs: times.length,
  };
}

// ---------------------------------------------------------------- child: runners of one model

/** Dawn's GPU object: referenced for the whole process (Dawn crashes if it is collected). */
let gpu;

/** Opens one runner: { run() → outputs { name: { dtype, dims, data } }, dispose(), info }. */
async function openRunner(kind, model, feeds) {
  if (kind === 'dawn') {
    if (!gpu) {
      const { create } = await import('webgpu');
      gpu = create([]);
    }
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new Error('Dawn found no GPU adapter');
    const info = adapter.info ?? {};
    const mod = await import(pathToFileURL(model).href);
    const session = await mod.createSession({ gpu });
    const moduleFeeds = {};
    for (const [name, t] of Object.entries(feeds)) moduleFeeds[name] = { data: t.data, dims: t.dims };
    const dtypes = Object.fromEntries(session.outputs.map((o) => [o.name, o.dtype]));
    return {
      info: {
        adapter: {
          vendor: info.vendor,
          architecture: info.architecture,
          device: info.device,
          description: info.description,
          shader_f16: adapter.features.has('shader-f16'),
        },
      },
      async run() {
        const out = await session.run(moduleFeeds);
        const host = {};
        for (const [name, t] of Object.entries(out))
          host[name] = { dtype: dtypes[name], dims: t.dims, data: t.data };
        return host;
      },
      memory: () => ({ ...session.memory }),
      dispose: () => session.dispose(),
    };
  }
  const ort = (await import('onnxruntime-node')).default;
  const webgpu = kind === 'ort-webgpu';
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [webgpu ? 'webgpu' : 'cpu'],
    graphOptimizationLevel: 'all',
    // On the GPU only shape ops run on the CPU: one thread, so no spinning pool takes CPU from SwiftShader.
    ...(webgpu ? { intraOpNumThreads: 1 } : {}),
    logSeverityLevel: 3,
  });
  const ortFeeds = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.dtype, t.data, t.dims);
  return {
    info: {},
    async run() {
      const out = await session.run(ortFeeds);
      const host = {};
      for (const [name, t] of Object.entries(out))
        host[name] = { dtype: t.type, dims: [...t.dims], data: t.data };
      return host;
    },
    dispose: () => session.release(),
  };
}

/**
 * Opens job.runners on one model and times them interleaved (the order alternating every
 * round), so that load from elsewhere on the machine falls on all of them alike. A runner
 * that fails to open or run is reported with its error; the others go on.
 */
async function measure(jobFile) {
  const job = JSON.parse(readFileSync(jobFile, 'utf8'));
  const feeds = v8.deserialize(readFileSync(job.feeds));
  const live = [];
  const results = {};
  for (const kind of job.runners) {
    const r = (results[kind] = {});
    try {
      const created = performance.now();
      const runner = await openRunner(kind, job.models[kind], feeds);
      r.create_ms = round(performance.now() - created);
      Object.assign(r, runner.info);
      const started = performance.now();
      runner.last = await runner.run();
      r.first_run_ms = round(performance.now() - started);
      for (let i = 1; i < job.warmup; i++) await runner.run();
      live.push({ kind, runner, times: [] });
    } catch (e) {
      r.error = oneLine(e?.message ?? e, 1500);
    }
  }
  for (let round_ = 0; round_ < job.runs; round_++) {
    const order = round_ % 2 ? [...live].reverse() : live;
    for (const l of order) {
      if (l.error) continue;
      try {
        const started = performance.now();
        l.runner.last = await l.runner.run();
        l.times.push(performance.now() - started);
      } catch (e) {
        l.error = results[l.kind].error = oneLine(e?.message ?? e, 1500);
      }
    }
  }
  const outputs = {};
  for (const l of live) {
    if (l.error) continue;
    results[l.kind].latency_ms = stats(l.times);
    results[l.kind].times = l.times;
    if (l.runner.memory) results[l.kind].memory = l.runner.memory();
    outputs[l.kind] = l.runner.last;
    await l.runner.dispose();
  }
  writeFileSync(job.outputs, v8.serialize(outputs));
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

if (process.argv[2] === '--measure') {
  try {
    await measure(process.argv[3]);
    // Dawn and ORT threads can keep the process alive; the result is written.
    setTimeout(() => process.exit(0), 50);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: oneLine(e?.stack ?? e, 1500) })}\n`);
    setTimeout(() => process.exit(1), 50);
  }
} else {
  await main();
}

// ---------------------------------------------------------------- parent: convert, spawn, report

async function main() {
  const build = (p) => import(path.join(repo, 'build', p));
  const { readModel, writeModel } = await build('onnx/model-io.js');
  const { Graph } = await build('onnx/graph.js');
  const { webgpuTarget } = await build('targets/webgpu/index.js');
  const { dawnEnvironment } = await build('targets/webgpu/dawn.js');
  const { TransformCache } = await build('pipeline/transforms.js');
  const { makePlan } = await build('pipeline/plan.js');
  const { createOrtRunner } = await build('verify/ort-runner.js');
  const { loadInputs } = await build('verify/inputs-file.js');
  const { generateSamples } = await build('verify/sample-inputs.js');
  const { compareTensors } = await build('verify/metrics.js');

  const flags = new Set(['--precision', '--runs', '--warmup', '--out']);
  const names = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !flags.has(all[i - 1]));
  const models = names.length
    ? names
    : ['bert.legacy', 'vit.legacy', 'gpt2.dynamo_static', 'llama.dynamo_static'];
  const precisions = arg('--precision', 'fp32,fp16,int8,int4').split(',');
  const runs = Number(arg('--runs', 20));
  const warmup = Number(arg('--warmup', 3));
  const outFile = path.resolve(arg('--out', path.join(repo, 'bench', 'results', 'webgpu.json')));
  const { env, driver } = dawnEnvironment();
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-webgpu-'));
  const began = performance.now();
  const log = (m) => process.stderr.write(`${m}\n`);

  const machine = {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model,
    memory_gib: round(os.totalmem() / 2 ** 30, 1),
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
    load_average_at_start: os.loadavg().map((x) => round(x, 2)),
  };
  const version = (pkg) => {
    const dir = packageDir(pkg);
    return dir && JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  };

  /**
   * Times `runners` ({ kind: model file }) interleaved in one child process with the Dawn
   * environment; returns { kind: { latency_ms, …, outputs } | { error } }. If that process
   * dies (a native crash takes every runner in it down), each runner is timed alone.
   */
  function measureInChild(runners, feedsFile, label, alone = false) {
    const kinds = Object.keys(runners);
    const job = path.join(work, `${label}.${kinds.join('+')}.job.json`);
    const outputs = `${job}.out.bin`;
    writeFileSync(
      job,
      JSON.stringify({ runners: kinds, models: runners, feeds: feedsFile, outputs, runs, warmup }),
    );
    const r = spawnSync(process.execPath, [self, '--measure', job], {
      env,
      cwd: repo,
      encoding: 'utf8',
      timeout: CHILD_TIMEOUT_MS,
      maxBuffer: 16 << 20,
    });
    let results;
    try {
      results = JSON.parse((r.stdout ?? '').trim().split('\n').pop());
    } catch {
      const why = r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit code ${r.status}`;
      results = { error: `the measuring process ended (${why}): ${(r.stderr ?? '').slice(-800)}` };
    }
    if (results.error) {
      if (kinds.length > 1 && !alone) {
        log(`   ${label}: ${oneLine(results.error, 200)}; timing each runner alone`);
        return Object.assign(
          {},
          ...kinds.map((k) => measureInChild({ [k]: runners[k] }, feedsFile, label, true)),
        );
      }
      return Object.fromEntries(kinds.map((k) => [k, { error: oneLine(results.error) }]));
    }
    const out = v8.deserialize(readFileSync(outputs));
    for (const k of kinds) if (out[k]) results[k].outputs = out[k];
    return results;
  }

  function fixtureFeeds(name, file, inputs, graph) {
    const stem = path.basename(name).split('.')[0];
    const dir = path.dirname(file);
    const files = readdirSync(dir).filter((f) => f.startsWith(`${stem}.input.`) && f.endsWith('.npy'));
    if (files.length) {
      const spec = files.map((f) => `${f.slice(stem.length + 7, -4)}=${path.join(dir, f)}`).join(',');
      return { feeds: loadInputs(spec, inputs)[0], origin: files.join(', ') };
    }
    const feeds = generateSamples(graph, inputs, { count: 1, seed: 0, dims: {}, intRange: [0, 8] })[0];
    return { feeds, origin: 'generated (seed 0)' };
  }

  function relL2(reference, candidate) {
    if (!reference || !candidate) return undefined;
    let worst = 0;
    for (const [name, r] of Object.entries(reference)) {
      const c = candidate[name];
      if (!c) return undefined;
      worst = Math.max(worst, compareTensors(r, c).rel_l2);
    }
    return +worst.toPrecision(3);
  }

  const results = [];
  for (const name of models) {
    const file = name.endsWith('.onnx') ? path.resolve(name) : path.join(fixtures, `${name}.onnx`);
    const entry = { model: name, file: path.relative(repo, file), inputs: undefined, inputs_from: undefined };
    results.push(entry);
    log(`== ${name}`);
    let source, graph, feedsFile, inputs;
    try {
      source = readModel(file);
      graph = new Graph(source.proto.graph, name);
      const cpu = await createOrtRunner(file);
      inputs = cpu.inputs;
      const { feeds, origin } = fixtureFeeds(name, file, inputs, graph);
      await cpu.dispose();
      entry.inputs = Object.fromEntries(
        Object.entries(feeds).map(([k, t]) => [k, { dtype: t.dtype, dims: t.dims }]),
      );
      entry.inputs_from = origin;
      feedsFile = path.join(work, `${path.basename(name)}.feeds.bin`);
      writeFileSync(feedsFile, v8.serialize(feeds));
    } catch (e) {
      entry.error = oneLine(e?.message ?? e);
      continue;
    }
    const gaps = webgpuTarget.supports(source.proto, 'fp32');
    if (gaps.length) {
      const ops = {};
      for (const g of gaps) ops[g.opType] = (ops[g.opType] ?? 0) + 1;
      entry.error = `the source has ${gaps.length} node(s) the webgpu target cannot express; skipped every precision`;
      entry.unsupported = ops;
      entry.first_gap = oneLine(`${gaps[0].node} (${gaps[0].opType}): ${gaps[0].reason}`);
      log(`   skipped: ${JSON.stringify(ops)}`);
      continue;
    }
    entry.variants = [];
    const plan = makePlan({ model: file, targets: 'webgpu', precisions: precisions.join(','), cache: false });
    const warnings = [];
    const transforms = new TransformCache({
      source,
      plan,
      graph,
      inputs,
      warn: (m) => warnings.push(oneLine(m, 300)),
    });
    for (const precision of precisions) {
      const variant = { precision };
      entry.variants.push(variant);
      const label = `${path.basename(name)}.${precision}`;
      const dir = path.join(work, label);
      mkdirSync(path.join(dir, 'webgpu'), { recursive: true });
      let onnxFile;
      let moduleFile;
      try {
        const started = performance.now();
        const transformed = await transforms.get(precision, webgpuTarget);
        const transformSeconds = (performance.now() - started) / 1000;
        onnxFile = precision === 'fp32' ? file : path.join(dir, 'model.onnx');
        if (precision !== 'fp32') writeModel(transformed.model, onnxFile, { externalData: 'never' });
        const emitStarted = performance.now();
        const emitted = await webgpuTarget.emit({
          source,
          model: transformed.model,
          precision,
          dir: path.join(dir, 'webgpu'),
          warn: (m) => warnings.push(oneLine(m, 300)),
        });
        moduleFile = emitted.files[0];
        const code = readFileSync(moduleFile);
        variant.convert = {
          transform_seconds: round(transformSeconds),
          emit_seconds: round((performance.now() - emitStarted) / 1000),
          model_js_bytes: code.length,
          model_js_gzip_bytes: gzipBytes(code),
          weights_bytes: statSync(emitted.files[1]).size,
          onnx_bytes: statSync(onnxFile).size,
        };
      } catch (e) {
        variant.error = `convert: ${oneLine(e?.message ?? e)}`;
        log(`   ${precision}: ${variant.error}`);
        continue;
      }
      variant.load_average_1m = round(os.loadavg()[0], 2);
      const gpuRuns = measureInChild({ dawn: moduleFile, 'ort-webgpu': onnxFile }, feedsFile, label);
      const measured = {
        generated: gpuRuns.dawn,
        ort_webgpu: gpuRuns['ort-webgpu'],
        ort_cpu: measureInChild({ 'ort-cpu': onnxFile }, feedsFile, label)['ort-cpu'],
      };
      variant.latency_ms = {};
      for (const [k, r] of Object.entries(measured)) {
        if (r.error) (variant.errors ??= {})[k] = r.error;
        else variant.latency_ms[k] = { ...r.latency_ms, first_run: r.first_run_ms, create: r.create_ms };
      }
      const g = variant.latency_ms.generated?.median;
      const w = variant.latency_ms.ort_webgpu?.median;
      if (g !== undefined && w !== undefined) {
        variant.ratio_generated_vs_ort_webgpu = round(g / w);
        // Median of the per-round ratios: each pair ran back to back, so it shrugs off load drift.
        const a = measured.generated.times;
        const b = measured.ort_webgpu.times;
        if (a.length === b.length) variant.paired_ratio_median = stats(a.map((t, i) => t / b[i])).median;
        // Fastest against fastest: the runs least disturbed by other work on the machine.
        variant.min_ratio = round(variant.latency_ms.generated.min / variant.latency_ms.ort_webgpu.min);
      }
      if (measured.generated.memory) variant.memory = measured.generated.memory;
      if (measured.generated.adapter) entry.dawn_adapter ??= measured.generated.adapter;
      const reference = measured.ort_cpu.outputs;
      variant.rel_l2_vs_ort_cpu = {
        generated: relL2(reference, measured.generated.outputs),
        ort_webgpu: relL2(reference, measured.ort_webgpu.outputs),
      };
      log(
        `   ${precision}: generated ${g ?? 'error'} ms, ORT webgpu ${w ?? 'error'} ms, ORT cpu ${variant.latency_ms.ort_cpu?.median ?? 'error'} ms` +
          (variant.errors ? `; errors: ${Object.keys(variant.errors).join(', ')}` : ''),
      );
    }
    if (warnings.length) entry.warnings = [...new Set(warnings)];
  }

  const ortWeb = ortWebCodeSize();
  const headline = ortWeb.error ? undefined : ortWeb.options[ortWeb.headline].gzip_bytes;
  const goals = { latency: [], code_size: [] };
  for (const e of results) {
    for (const v of e.variants ?? []) {
      if (LATENCY_GOAL_MODELS.includes(e.model) && v.ratio_generated_vs_ort_webgpu !== undefined)
        goals.latency.push({
          model: e.model,
          precision: v.precision,
          ratio: v.ratio_generated_vs_ort_webgpu,
          paired_ratio_median: v.paired_ratio_median,
          min_ratio: v.min_ratio,
          goal: `≤ ${LATENCY_GOAL_RATIO}`,
          met: v.ratio_generated_vs_ort_webgpu <= LATENCY_GOAL_RATIO,
        });
      if (v.convert)
        goals.code_size.push({
          model: e.model,
          precision: v.precision,
          model_js_gzip_bytes: v.convert.model_js_gzip_bytes,
          goal_bytes: CODE_GOAL_BYTES,
          met: v.convert.model_js_gzip_bytes <= CODE_GOAL_BYTES,
          vs_ort_web_gzip: headline ? round(v.convert.model_js_gzip_bytes / headline, 5) : undefined,
        });
    }
  }
  const report = {
    bench: 'webgpu',
    command: `node bench/webgpu.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date().toISOString(),
    machine,
    gpu: {
      driver,
      VK_ICD_FILENAMES: env.VK_ICD_FILENAMES,
      LD_LIBRARY_PATH: env.LD_LIBRARY_PATH,
      dawn_adapter: results.find((e) => e.dawn_adapter)?.dawn_adapter,
      note:
        'each runner runs in its own process with this environment; onnxruntime-node reports no adapter info, ' +
        'but its webgpu EP uses the same Vulkan driver (VK_ICD_FILENAMES); without it the EP finds no adapter here',
    },
    versions: {
      'onnxruntime-node': version('onnxruntime-node'),
      'onnxruntime-web': version('onnxruntime-web'),
      webgpu: version('webgpu'),
    },
    settings: {
      warmup,
      runs,
      latency:
        'median of `runs` timed session.run() calls (host inputs → host outputs, readback included) after `warmup` runs; ' +
        'the generated module and ORT webgpu run in one process, interleaved run by run (order alternating), ORT cpu in its own',
      ort_model:
        'fp32: the fixture itself; other precisions: the transformed graph the webgpu module was generated from ' +
        "(the pipeline's transform with the webgpu target's settings), written as ONNX",
      rel_l2_vs_ort_cpu:
        'worst rel_l2 over outputs of the last timed run against ORT cpu on the same ONNX graph and inputs',
      ort_options: {
        webgpu: { executionProviders: ['webgpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1 },
        cpu: { executionProviders: ['cpu'], graphOptimizationLevel: 'all' },
      },
    },
    models: results,
    code_size: { ort_web: ortWeb },
    goals,
    seconds: round((performance.now() - began) / 1000, 1),
    load_average_at_end: os.loadavg().map((x) => round(x, 2)),
  };
  for (const e of results) delete e.dawn_adapter;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.dirname(outFile), { recursive: true });
  const text = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(outFile, text);
  process.stdout.write(text);
}

/** Folder of an installed package (its package.json may not be exported), or undefined. */
function packageDir(name) {
  let dir;
  try {
    dir = path.dirname(require.resolve(name));
  } catch {
    return undefined;
  }
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      if (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name === name) return dir;
    } catch {
      // no package.json here: go up
    }
  }
  return undefined;
}

/**
 * What ONNX Runtime Web ships for WebGPU: the entry's JS and the wasm glue and binary it
 * loads. The build folds the choice of glue into constant conditions
 * (`false ? "….jsep.mjs" : true ? "….asyncify.mjs" : …`), read here from ort.webgpu.mjs.
 */
function ortWebCodeSize() {
  const dir = packageDir('onnxruntime-web');
  if (!dir) return { error: 'onnxruntime-web is not installed (npm install --save-dev onnxruntime-web)' };
  const dist = path.join(dir, 'dist');
  const source = readFileSync(path.join(dist, 'ort.webgpu.mjs'), 'utf8');
  const choice = /wasmModuleFilename\s*=\s*([^;]+);/.exec(source);
  if (!choice) return { error: 'cannot find wasmModuleFilename in ort.webgpu.mjs' };
  const branches = [...choice[1].matchAll(/(?:(true|false)\s*\?\s*)?"([^"]+\.mjs)"/g)];
  const glue = (branches.find((b) => b[1] === 'true') ?? branches.at(-1))[2];
  const wasm = glue.replace(/\.mjs$/, '.wasm');
  const bundle = 'ort.webgpu.bundle.min.mjs';
  const size = (f) => {
    const bytes = readFileSync(path.join(dist, f));
    return { file: `onnxruntime-web/dist/${f}`, bytes: bytes.length, gzip_bytes: gzipBytes(bytes) };
  };
  const sizes = Object.fromEntries(['ort.webgpu.min.mjs', bundle, glue, wasm].map((f) => [f, size(f)]));
  const option = (files, note) => ({
    files: files.map((f) => sizes[f].file),
    bytes: files.reduce((n, f) => n + sizes[f].bytes, 0),
    gzip_bytes: files.reduce((n, f) => n + sizes[f].gzip_bytes, 0),
    note,
  });
  const bundleLoadsWasm = readFileSync(path.join(dist, bundle), 'utf8').includes(wasm);
  return {
    entry: 'onnxruntime-web/webgpu (ort.webgpu.*)',
    loads: {
      wasm_glue: glue,
      wasm,
      how: 'ort.webgpu.mjs: wasmModuleFilename / wasm URL chosen at build time',
    },
    headline: 'bundle',
    options: {
      bundle: option(
        [bundle, wasm],
        `the single-file entry (wasm glue inlined); fetches ${wasm}${bundleLoadsWasm ? '' : ' (name not found in the bundle: check)'}`,
      ),
      separate: option(
        ['ort.webgpu.min.mjs', glue, wasm],
        `ort.webgpu.min.mjs imports ${glue}, which fetches ${wasm}`,
      ),
    },
    files: Object.values(sizes),
  };
}
