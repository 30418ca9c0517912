import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';

const repo = path.resolve(import.meta.dirname, '../..');

test('explore', async () => {
  for (const tol of ['', '  - { precision: auto, rel_l2: 0.3, cosine: 0.95 }', '  - { precision: auto, rel_l2: 0.005, cosine: 0.99999 }']) {
    writeFileSync('/tmp/auto.yml', `dims: { batch: 2, seq: 12 }\nsamples: 3\n${tol ? 'tolerance:\n' + tol + '\n' : ''}`);
    const t = process.cpuUsage();
    let out = '';
    let err = '';
    rmSync('/tmp/ao', { recursive: true, force: true });
    const code = await runCli(['convert', path.join(repo, 'examples/tiny/model.onnx'), '-c', '/tmp/auto.yml', '--precision', 'fp16,int8,int4,auto', '--out', '/tmp/ao', '--no-cache', '--json'], { out: (s) => (out += s), err: (s) => (err += s + '\n') });
    const u = process.cpuUsage(t);
    const r = JSON.parse(out);
    appendFileSync('/tmp/explore.txt', `${tol} code=${code} cpu=${((u.user + u.system) / 1e6).toFixed(1)}\n${err.split('\n').filter((l) => l.includes('warn')).join('\n')}\n` + r.variants.map((v: { precision: string; status: string; metrics: { rel_l2: number; cosine: number }; bytes: number; layers: unknown }) => `  ${v.precision} ${v.status} ${v.metrics?.rel_l2} ${v.metrics?.cosine} ${v.bytes} ${JSON.stringify(v.layers)}`).join('\n') + '\n');
  }
}, 600000);
