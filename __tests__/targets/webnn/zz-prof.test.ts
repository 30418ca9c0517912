import { WebnnBuildContext } from '../../../src/targets/webnn/module-build-context.js';

test('prof', async () => {
  const a = new Float32Array(500000).map((_, i) => Math.sin(i));
  let t = Date.now();
  WebnnBuildContext.float16Array(a);
  console.log('f16', Date.now() - t); t = Date.now();
  const c = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) { const x = a[i]; c[i] = Number.isFinite(x) ? Math.min(65504, Math.max(-65504, x)) : x; }
  console.log('clamp', Date.now() - t); t = Date.now();
  for (let i = 0; i < a.length; i++) { const x = a[i]; c[i] = x > 65504 ? 65504 : x < -65504 ? -65504 : x; }
  console.log('clamp2', Date.now() - t); t = Date.now();
});
