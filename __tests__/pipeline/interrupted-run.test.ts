// An interrupted run: the CLI, started as its own process on bert (fp32 + four quantized
// variants, several seconds), is stopped with SIGKILL or SIGTERM while variants are being
// made. OUT keeps its old complete content, the cache holds only complete entries, SIGTERM
// removes the staging folder and exits 143 at once, and the next run removes a killed run's
// staging folder and completes. The CLI runs from the current sources, transpiled once into
// out/ (dist/ and build/ may be stale while the sources change).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const repo = path.resolve(import.meta.dirname, '../..');
const bert = path.resolve(repo, '../shared/fixtures/bert.legacy.onnx');
const tiny = path.join(repo, 'examples/tiny/model.onnx');
const haveBert = existsSync(bert);

/** src/ transpiled to plain JavaScript under out/ (so node_modules resolve), without type checks. */
function transpileSources(into: string): string {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
    );
  for (const file of walk(path.join(repo, 'src'))) {
    const rel = path.relative(path.join(repo, 'src'), file);
    const target = path.join(into, rel.replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(target), { recursive: true });
    if (file.endsWith('.d.ts')) continue;
    if (!file.endsWith('.ts')) {
      copyFileSync(file, target);
      continue;
    }
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ES2022,
        target: ts.ScriptTarget.ES2022,
        isolatedModules: true,
      },
    });
    writeFileSync(target, outputText);
  }
  return path.join(into, 'cli.js');
}

let tmp: string;
let compiled: string;
let cliJs: string;
beforeAll(() => {
  compiled = path.join(repo, 'out', `.interrupted-run-test-${process.pid}`);
  cliJs = transpileSources(compiled);
});
afterAll(() => rmSync(compiled, { recursive: true, force: true }));
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-interrupt-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, [cliJs, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

/** Every file under `dir` (relative) with its sha256. */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** Waits until the run's staging folder holds a finished variant file, then returns its path. */
async function whileConverting(run: Run, out: string): Promise<string> {
  const stage = path.join(path.dirname(out), `.${path.basename(out)}.partial-${run.child.pid}`);
  for (let waited = 0; waited < 60_000; waited += 20) {
    if (existsSync(path.join(stage, 'onnx', 'fp32', 'model.onnx'))) return stage;
    if (run.child.exitCode !== null) throw new Error('the run ended before it could be interrupted');
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no variant appeared in the staging folder');
}

const PRECISIONS = 'fp32,int8,int4,int3,int2';
const convertArgs = (out: string, cacheDir?: string): string[] => [
  'convert',
  bert,
  '--precision',
  PRECISIONS,
  '--out',
  out,
  '--samples',
  '1',
  ...(cacheDir ? ['--cache-dir', cacheDir] : ['--no-cache']),
];

(haveBert ? test : test.skip)(
  'SIGKILL mid-run: OUT keeps its old content, the cache only complete entries; the next run cleans up and completes',
  async () => {
    const out = path.join(tmp, 'out');
    const cache = path.join(tmp, 'cache');
    const first = start(['convert', tiny, '--out', out, '--no-cache']);
    expect((await first.done).code).toBe(0);
    const before = snapshot(out);
    expect(Object.keys(before).sort()).toEqual(['onnx/fp32/model.onnx', 'report.json', 'summary.md']);

    const run = start(convertArgs(out, cache));
    const stage = await whileConverting(run, out);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    expect(snapshot(out)).toEqual(before);
    expect(existsSync(stage)).toBe(true); // nothing can clean up after SIGKILL …
    // … and the cache holds whole entries only: a manifest and every file it lists.
    for (const key of existsSync(cache) ? readdirSync(cache).filter((k) => !k.startsWith('.')) : []) {
      const manifest = JSON.parse(readFileSync(path.join(cache, key, 'manifest.json'), 'utf8'));
      expect(Object.keys(snapshot(path.join(cache, key, 'files')))).toEqual(Object.keys(manifest.files));
    }

    const again = start(convertArgs(out, cache));
    const result = await again.done;
    expect([result.code, result.stderr.includes('internal error')]).toEqual([0, false]);
    expect(existsSync(stage)).toBe(false); // the killed run's staging folder, removed
    expect(readdirSync(tmp).sort()).toEqual(['cache', 'out']);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(
      report.variants.map((v: { precision: string; status: string }) => `${v.precision} ${v.status}`),
    ).toEqual(PRECISIONS.split(',').map((p) => `${p} pass`));
  },
  120_000,
);

(haveBert ? test : test.skip)(
  'SIGTERM mid-run: exit 143 within seconds, staging folder removed, OUT untouched',
  async () => {
    const out = path.join(tmp, 'out');
    const run = start(convertArgs(out));
    const stage = await whileConverting(run, out);
    const sent = performance.now();
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(performance.now() - sent).toBeLessThan(5000);
    expect(result.code).toBe(143);
    expect(result.stderr).toContain('model-convert: stopped by SIGTERM; unfinished variants were discarded.');
    expect(existsSync(stage)).toBe(false);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
  },
  120_000,
);

test('a staging folder of a live process is left alone; those of a dead process are removed', async () => {
  const out = path.join(tmp, 'out');
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  const deadPid = 2 ** 22 + 12345; // above Linux's pid_max: no such process
  const live = path.join(tmp, `.out.partial-${sleeper.pid}`);
  const dead = path.join(tmp, `.out.partial-${deadPid}`);
  mkdirSync(path.join(live, 'onnx/fp32'), { recursive: true });
  mkdirSync(path.join(dead, 'onnx/fp32'), { recursive: true });
  mkdirSync(out);
  writeFileSync(path.join(out, `.report.json.tmp-${deadPid}`), '{ "half": ');
  try {
    const run = start(['convert', tiny, '--out', out, '--no-cache']);
    expect((await run.done).code).toBe(0);
    expect(readdirSync(tmp).sort()).toEqual([path.basename(live), 'out']);
    expect(readdirSync(out).sort()).toEqual(['onnx', 'report.json', 'summary.md']);
  } finally {
    sleeper.kill('SIGKILL');
  }
});

test('OUT or a folder inside it that is a symbolic link is refused with exit 2, nothing written through it', async () => {
  const elsewhere = path.join(tmp, 'elsewhere');
  mkdirSync(elsewhere);
  const out = path.join(tmp, 'out');
  mkdirSync(out);
  symlinkSync(elsewhere, path.join(out, 'onnx'));
  const run = start(['convert', tiny, '--out', out, '--no-cache']);
  const result = await run.done;
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(
    /^error: .*out\/onnx is a symbolic link; model-convert does not write through links/,
  );
  expect(readdirSync(elsewhere)).toEqual([]);
  expect(statSync(path.join(out, 'onnx')).isDirectory()).toBe(true);
  expect(readdirSync(out)).toEqual(['onnx']);
});
