import path from 'node:path';
import { readFileSync } from 'node:fs';
import { runCli } from '../../../src/cli/main.js';

test('cli', async () => {
  for (const f of (process.env.FIX ?? 'bert.legacy').split(',')) {
    const out = `/tmp/scratch/cli-${f}`;
    let text = '';
    const t = Date.now();
    const code = await runCli(['convert', path.resolve('../shared/fixtures', `${f}.onnx`), '--targets', 'webnn', '--precision', process.env.PREC ?? 'fp32,fp16', '--out', out, '--no-cache'], { out: (s) => (text += s), err: (s) => (text += s + '\n') });
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    console.log(f, code, Date.now() - t, report.variants.map((v: any) => [v.precision, v.status, v.reason, v.metrics?.rel_l2, v.bytes, v.runtime, v.files]));
    if (code !== 0) console.log(text);
  }
}, 1800000);
