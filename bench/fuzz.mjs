// Fuzz bench: runs seeded mutants of the test models (src/onnx/fuzz-mutants.ts) through the
// CLI — `inspect`, then `convert --targets onnx --precision fp32` — in child processes, so a
// native crash (ONNX Runtime, V8) ends one child, is counted with its mutant, and the run
// goes on in a fresh child. Prints JSON: counts per exit code, crashes, internal errors,
// multi-line error messages and output folders left non-empty on exit 2 (targets: all 0).
// Usage: npx tsc -p tsconfig.build.json; cp src/onnx/proto/onnx.js build/onnx/proto/
//        node bench/fuzz.mjs [--count 5000] [--seed 1] [--workers 8] [--batch 50] > fuzz.json
// (--crash-at N makes the child kill itself with SIGSEGV at mutant N: the count must show it.)

import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const models = path.join(repo, '__tests__/fixtures/models');
const shared = path.resolve(repo, '../shared/fixtures');

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** The models mutated: the small fixtures every time, the shared (MB-sized) ones one case in eight. */
function sources() {
  const small = [
    'opset9_constants.onnx',
    'opset11_conv.onnx',
    'if_subgraph.onnx',
    'loop_scan.onnx',
    'local_function.onnx',
    'multi_io.onnx',
    'typed_fields.onnx',
  ].map((f) => ({ name: f, bytes: readFileSync(path.join(models, f)) }));
  small.push({
    name: 'external/model.onnx',
    bytes: readFileSync(path.join(models, 'external/model.onnx')),
    siblings: { 'weights.bin': readFileSync(path.join(models, 'external/weights.bin')) },
  });
  small.push({
    name: 'examples/tiny/model.onnx',
    bytes: readFileSync(path.join(repo, 'examples/tiny/model.onnx')),
  });
  const big = ['vit.legacy.onnx', 'bert.legacy.onnx', 'gpt2.dynamo_static.onnx', 'llama.dynamo_static.onnx']
    .filter((f) => existsSync(path.join(shared, f)))
    .map((f) => ({ name: f, bytes: readFileSync(path.join(shared, f)) }));
  return { small, big };
}

/** Mutant i: kind i mod kinds, source cycling slower so every kind meets every source. */
function caseFor(i, all, kinds) {
  const useBig = all.big.length > 0 && i % 8 === 7;
  const pool = useBig ? all.big : all.small;
  return { source: pool[Math.floor(i / kinds.length) % pool.length], kind: kinds[i % kinds.length] };
}

// ---- child: runs cases [from, to) and prints one JSON line before and after each ---------

async function child() {
  const build = (p) => import(path.join(flag('build'), p));
  const { runCli } = await build('cli/main.js');
  const { makeMutant, MUTATIONS } = await build('onnx/fuzz-mutants.js');
  const kinds = Object.keys(MUTATIONS);
  const all = sources();
  const seed = Number(flag('seed', '1'));
  const from = Number(flag('from', '0'));
  const to = Number(flag('to', '0'));
  const work = flag('work');
  const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
  for (let i = from; i < to; i++) {
    const { source, kind } = caseFor(i, all, kinds);
    say({ i, started: true });
    if (i === Number(flag('crash-at', '-1'))) process.kill(process.pid, 'SIGSEGV'); // checks the crash count
    const m = makeMutant(source, seed, i, [kind]);
    const dir = path.join(work, `case-${i}`);
    mkdirSync(dir, { recursive: true });
    const model = path.join(dir, 'model.onnx');
    writeFileSync(model, m.bytes);
    for (const [name, bytes] of Object.entries(m.siblings)) writeFileSync(path.join(dir, name), bytes);
    const out = path.join(dir, 'out');
    const results = [];
    for (const argv of [
      ['inspect', model],
      [
        'convert',
        model,
        '--targets',
        'onnx',
        '--precision',
        'fp32',
        '--out',
        out,
        '--no-cache',
        '--samples',
        '1',
      ],
    ]) {
      let err = '';
      const started = performance.now();
      const code = await runCli(argv, { out: () => {}, err: (t) => (err += `${t}\n`) });
      const errorLines = err
        .split('\n')
        .filter((l) => l && !/^warning: /.test(l) && !/…$| done in [\d.]+ s$/.test(l));
      results.push({
        command: argv[0],
        code,
        seconds: (performance.now() - started) / 1000,
        internal: err.includes('internal error'),
        multiLine: code === 2 && errorLines.length !== 1,
        leftover: argv[0] === 'convert' && code === 2 && existsSync(out) && readdirSync(out).length > 0,
        message: err
          .split('\n')
          .find((l) => l.startsWith('error:') || l.startsWith('internal error'))
          ?.slice(0, 300),
      });
    }
    rmSync(dir, { recursive: true, force: true });
    say({ i, source: source.name, kind, detail: m.detail.slice(0, 200), results });
  }
}

// ---- parent: hands out batches to workers, restarts a worker after a crash -----------------

async function runBatch(from, to, seed, work, build) {
  const done = [];
  let next = from;
  const crashes = [];
  let startFailures = 0;
  while (next < to) {
    const args = [
      '--child',
      '--from',
      String(next),
      '--to',
      String(to),
      '--seed',
      String(seed),
      '--work',
      work,
      '--build',
      build,
    ];
    args.push('--crash-at', flag('crash-at', '-1'));
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    let inFlight;
    const lines = createInterface({ input: proc.stdout });
    lines.on('line', (line) => {
      let o;
      try {
        o = JSON.parse(line);
      } catch {
        return; // a stray line from a native library
      }
      if (o.started) inFlight = o.i;
      else {
        done.push(o);
        inFlight = undefined;
        next = o.i + 1;
      }
    });
    const { code, signal } = await new Promise((resolve) =>
      proc.on('close', (c, s) => resolve({ code: c, signal: s })),
    );
    if (code === 0 && next >= to) break;
    const tail = stderr.split('\n').filter(Boolean).slice(-3).join(' | ');
    if (inFlight === undefined) {
      // The child ended between cases (it failed to start): the harness's trouble, not a mutant's.
      if (++startFailures > 3) throw new Error(`fuzz child cannot start: ${tail}`);
      continue;
    }
    crashes.push({ i: inFlight, code, signal, stderr: tail });
    next = inFlight + 1;
  }
  return { done, crashes };
}

async function parent() {
  const count = Number(flag('count', '5000'));
  const seed = Number(flag('seed', '1'));
  const workers = Number(flag('workers', String(Math.max(1, Math.min(8, os.cpus().length - 1)))));
  const batch = Number(flag('batch', '50'));
  const work = mkdtempSync(path.join(os.tmpdir(), 'mc-fuzz-'));
  // A snapshot of build/ (inside the repository, so node_modules resolve): a rebuild while
  // the bench runs must not change the code under test halfway.
  const build = path.join(repo, 'out', `.fuzz-build-${process.pid}`);
  cpSync(path.join(repo, 'build'), build, { recursive: true });
  const started = performance.now();
  const batches = [];
  for (let from = 0; from < count; from += batch) batches.push([from, Math.min(count, from + batch)]);
  const done = [];
  const crashes = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (batches.length > 0) {
        const [from, to] = batches.shift();
        const r = await runBatch(from, to, seed, work, build);
        done.push(...r.done);
        crashes.push(...r.crashes);
      }
    }),
  );
  rmSync(work, { recursive: true, force: true });
  rmSync(build, { recursive: true, force: true });
  const exitCodes = {};
  const perKind = {};
  const odd = { internal: [], multiLine: [], leftover: [], exit1: [] };
  for (const d of done) {
    for (const r of d.results) {
      const key = `${r.command} ${r.code}`;
      exitCodes[key] = (exitCodes[key] ?? 0) + 1;
      perKind[d.kind] ??= {};
      perKind[d.kind][key] = (perKind[d.kind][key] ?? 0) + 1;
      const at = {
        i: d.i,
        source: d.source,
        kind: d.kind,
        detail: d.detail,
        command: r.command,
        message: r.message,
      };
      if (r.internal) odd.internal.push(at);
      if (r.multiLine) odd.multiLine.push(at);
      if (r.leftover) odd.leftover.push(at);
      if (r.code === 1) odd.exit1.push(at);
    }
  }
  const seconds = done.flatMap((d) => d.results.map((r) => r.seconds)).sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify(
      {
        mutants: count,
        seed,
        workers,
        seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
        completed: done.length,
        exit_codes: exitCodes,
        crashes: crashes.length,
        internal_errors: odd.internal.length,
        multi_line_errors: odd.multiLine.length,
        outputs_left_on_exit_2: odd.leftover.length,
        exit_1: odd.exit1.length,
        command_seconds_p50: seconds[Math.floor(seconds.length / 2)] ?? 0,
        command_seconds_max: seconds[seconds.length - 1] ?? 0,
        per_kind: perKind,
        crash_cases: crashes.slice(0, 20),
        internal_error_cases: odd.internal.slice(0, 20),
        multi_line_cases: odd.multiLine.slice(0, 10),
        leftover_cases: odd.leftover.slice(0, 10),
        exit_1_cases: odd.exit1.slice(0, 20),
      },
      null,
      2,
    )}\n`,
  );
}

if (process.argv.includes('--child')) await child();
else await parent();
