// The generated webnn module in a real browser (issue 7, "Runners"): where Chromium exposes a
// working navigator.ml, examples/tiny is converted to webnn/fp32, served from a loopback HTTP
// server with a page that imports model.js and runs it on the browser's own WebNN
// (createSession() defaults: navigator.ml, globalThis.MLGraphBuilder), and the outputs are
// compared with ONNX Runtime on the same inputs. Where the browser has no working WebNN
// (Debian's Chromium: "WebNN is not supported on this platform") that one test is skipped
// and the probe's reason is logged; the probe itself is a test that always runs.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../../src/cli/main.js';
import type { HostTensor, TensorMap } from '../../../src/onnx/dtype.js';
import { compareTensors } from '../../../src/verify/metrics.js';
import { LoopbackServer } from '../loopback-server.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';
import { DEFAULT_TOLERANCES } from '../../../src/verify/tolerance.js';

const CHROMIUM = '/usr/bin/chromium';
const TINY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/tiny');
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--enable-features=WebMachineLearningNeuralNetwork',
];

/** What probe.html writes: whether navigator.ml exists and whether createContext() resolves. */
interface ProbeReport {
  hasML: boolean;
  hasBuilder: boolean;
  secureContext: boolean;
  userAgent: string;
  context?: 'created';
  error?: string;
}

interface Probe {
  /** Chromium ran and probe.html wrote a parseable report. */
  ran: boolean;
  /** navigator.ml.createContext() resolved. */
  available: boolean;
  /** Why WebNN is unavailable (or why the probe could not run); '' when available. */
  reason: string;
  /** What the probe printed: the <pre id="result"> text, or Chromium's failure. */
  printed: string;
  report?: ProbeReport;
}

const PROBE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>WebNN probe</title></head><body>
<pre id="result">pending</pre>
<script type="module">
const report = {
  hasML: typeof navigator.ml !== 'undefined',
  hasBuilder: typeof globalThis.MLGraphBuilder !== 'undefined',
  secureContext: globalThis.isSecureContext,
  userAgent: navigator.userAgent,
};
try {
  if (report.hasML) {
    await navigator.ml.createContext();
    report.context = 'created';
  }
} catch (e) {
  report.error = String(e && e.name) + ': ' + String(e && e.message);
}
document.getElementById('result').textContent = JSON.stringify(report);
</script>
</body></html>
`;

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&amp;/g, '&');
}

async function probeWebnn(server: LoopbackServer, root: string): Promise<Probe> {
  if (!existsSync(CHROMIUM)) {
    return { ran: false, available: false, reason: `${CHROMIUM} is missing`, printed: '' };
  }
  writeFileSync(path.join(root, 'probe.html'), PROBE_HTML);
  const args = [
    ...CHROMIUM_FLAGS,
    `--user-data-dir=${path.join(root, 'profile-probe')}`,
    '--virtual-time-budget=5000',
    '--dump-dom',
    server.url('probe.html'),
  ];
  let dom: string;
  try {
    dom = await new Promise<string>((resolve, reject) =>
      execFile(CHROMIUM, args, { timeout: 20_000, maxBuffer: 4 << 20 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr.slice(-2000)}`)) : resolve(stdout),
      ),
    );
  } catch (e) {
    const printed = `chromium failed: ${(e as Error).message}`;
    return { ran: false, available: false, reason: printed, printed };
  }
  const pre = /<pre id="result">([\s\S]*?)<\/pre>/.exec(dom);
  const printed = pre ? unescapeHtml(pre[1]) : dom.slice(0, 2000);
  let report: ProbeReport;
  try {
    report = JSON.parse(printed) as ProbeReport;
  } catch {
    return { ran: false, available: false, reason: `probe.html wrote no JSON report: ${printed}`, printed };
  }
  const reason = !report.hasML
    ? 'navigator.ml is undefined'
    : report.context === 'created'
      ? ''
      : `navigator.ml.createContext() rejected: ${report.error ?? 'unknown error'}`;
  return { ran: true, available: reason === '', reason, printed, report };
}

/** Opens `url` in headless Chromium until the page POSTs /report, then ends that Chromium. */
async function runPage(server: LoopbackServer, root: string, url: string): Promise<string> {
  const child = spawn(
    CHROMIUM,
    [...CHROMIUM_FLAGS, `--user-data-dir=${path.join(root, 'profile-run')}`, url],
    {
      stdio: 'ignore',
      detached: true,
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    return await Promise.race([
      server.waitForReport(25_000),
      exited.then(() => Promise.reject(new Error('chromium exited before the page reported'))),
    ]);
  } finally {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM'); // the Chromium we started and its renderers
      } catch {
        child.kill('SIGTERM');
      }
      await exited;
    }
  }
}

// Set up at load time: whether the model test runs or is skipped depends on the probe.
const root = mkdtempSync(path.join(os.tmpdir(), 'webnn-browser-'));
const server = new LoopbackServer(root);
await server.listen();
const probe = await probeWebnn(server, root);

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

test('the WebNN probe runs in Chromium and reports whether navigator.ml works', () => {
  console.log(`WebNN probe (${CHROMIUM}): ${probe.printed || probe.reason}`);
  if (!existsSync(CHROMIUM)) {
    expect(probe.reason).toBe(`${CHROMIUM} is missing`);
    return;
  }
  expect(probe.ran).toBe(true);
  expect(probe.report).toEqual(
    expect.objectContaining({ hasML: expect.any(Boolean), hasBuilder: expect.any(Boolean) }),
  );
  expect(probe.report?.secureContext).toBe(true); // WebNN is exposed to secure contexts only
  expect(probe.available).toBe(probe.report?.context === 'created');
  if (!probe.available) expect(probe.reason).not.toBe('');
});

if (!probe.available) {
  console.log(`skipping the browser WebNN run of the generated module: ${probe.reason}`);
}
const runInBrowser = probe.available ? test : test.skip;

runInBrowser(
  'the generated tiny model.js runs on the browser’s navigator.ml and matches ONNX Runtime',
  async () => {
    const source = path.join(TINY, 'model.onnx');
    const out = path.join(root, 'convert');
    mkdirSync(out);
    const code = await runCli(
      [
        'convert',
        source,
        '--config',
        path.join(TINY, 'convert.yml'),
        '--targets',
        'webnn',
        '--precision',
        'fp32',
        '--out',
        out,
        '--no-cache',
        '--samples',
        '1',
      ],
      { out: () => {}, err: () => {} },
    );
    expect(code).toBe(0);
    expect(existsSync(path.join(out, 'webnn/fp32/model.weights.bin'))).toBe(true);

    const [batch, seq] = [2, 12];
    const ids = new BigInt64Array(batch * seq).map((_, i) => BigInt((i * 37 + 5) % 64));
    const mask = new BigInt64Array(batch * seq).map((_, i) => (i < seq || i % seq < 8 ? 1n : 0n));
    const feeds: TensorMap = {
      input_ids: { dtype: 'int64', dims: [batch, seq], data: ids },
      attention_mask: { dtype: 'int64', dims: [batch, seq], data: mask },
    };
    const pageFeeds = Object.fromEntries(
      Object.entries(feeds).map(([name, t]) => [
        name,
        { dims: t.dims, data: Array.from(t.data as BigInt64Array, (v) => v.toString()) },
      ]),
    );
    writeFileSync(
      path.join(root, 'run.html'),
      `<!doctype html>
<html><head><meta charset="utf-8"><title>WebNN run</title></head><body>
<pre id="result">pending</pre>
<script type="module">
const FEEDS = ${JSON.stringify(pageFeeds)};
async function report(body) {
  const text = JSON.stringify(body);
  document.getElementById('result').textContent = text;
  await fetch('/report', { method: 'POST', body: text });
}
try {
  const { createSession } = await import('./convert/webnn/fp32/model.js');
  // Defaults of the module contract: navigator.ml and globalThis.MLGraphBuilder, weights from
  // model.weights.bin next to model.js.
  const session = await createSession();
  const feeds = {};
  for (const [name, f] of Object.entries(FEEDS)) feeds[name] = { data: BigInt64Array.from(f.data, BigInt), dims: f.dims };
  const results = await session.run(feeds);
  const outputs = {};
  for (const [name, t] of Object.entries(results)) outputs[name] = { dims: t.dims, data: Array.from(t.data, Number) };
  session.dispose();
  await report({ outputs });
} catch (e) {
  await report({ error: String(e && e.name) + ': ' + String(e && e.message) });
}
</script>
</body></html>
`,
    );

    const body = JSON.parse(await runPage(server, root, server.url('run.html'))) as {
      outputs?: Record<string, { dims: number[]; data: number[] }>;
      error?: string;
    };
    if (body.error !== undefined) throw new Error(`the page failed in Chromium: ${body.error}`);
    const got = body.outputs ?? {};

    const reference = await createOrtRunner(source);
    const want = await reference.run(feeds);
    await reference.dispose();
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    const relL2: Record<string, number> = {};
    for (const [name, w] of Object.entries(want)) {
      const candidate: HostTensor = {
        dtype: 'float32',
        dims: got[name].dims,
        data: Float32Array.from(got[name].data),
      };
      relL2[name] = compareTensors(w, candidate).rel_l2;
    }
    console.log(`browser WebNN vs ONNX Runtime (fp32), rel_l2: ${JSON.stringify(relL2)}`);
    for (const value of Object.values(relL2))
      expect(value).toBeLessThanOrEqual(DEFAULT_TOLERANCES.fp32.rel_l2 ?? 2e-6);
  },
);
