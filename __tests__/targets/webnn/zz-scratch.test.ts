import path from 'node:path';
import { readModel } from '../../../src/onnx/model-io.js';
import { webnnTarget } from '../../../src/targets/webnn/index.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';
import { compareTensors } from '../../../src/verify/metrics.js';
import { mkdirSync, rmSync } from 'node:fs';

test('scratch', async () => {
  for (const f of ['vit.dynamo_static', 'vit.legacy', 'bert.legacy', 'bert.dynamo_static', 'gpt2.dynamo_static', 'llama.dynamo_static']) {
    const file = path.resolve('../shared/fixtures', `${f}.onnx`);
    const source = readModel(file);
    const dir = `/tmp/scratch/e2e-${f}`;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    let tt = Date.now();
    const v = await webnnTarget.emit({ source, model: source.proto, precision: (process.env.PREC ?? 'fp32') as 'fp32', dir, warn: console.warn });
    console.log('emit', Date.now() - tt); tt = Date.now();
    const runner = await webnnTarget.runner(v);
    console.log('runner', Date.now() - tt);
    const ort = await createOrtRunner(file);
    const feeds: Record<string, any> = {};
    for (const i of ort.inputs) {
      const dims = i.dims.map((d) => (typeof d === 'number' ? d : 2));
      const n = dims.reduce((a, b) => a * b, 1);
      feeds[i.name] = { dtype: i.dtype, dims, data: i.dtype === 'int64' ? BigInt64Array.from({ length: n }, (_, k) => BigInt(k % 7)) : Float32Array.from({ length: n }, (_, k) => Math.sin(k)) };
    }
    const t0 = Date.now();
    const a = await ort.run(feeds);
    const b = await runner.run(feeds);
    console.log(f, Date.now() - t0, Object.keys(a), Object.keys(b));
    for (const k of Object.keys(a)) console.log(k, a[k].dims, b[k].dims, JSON.stringify(compareTensors(a[k], b[k])));
  }
});
