// Lowerings the fixtures do not reach (made by the committed script into a temp folder):
// opset-11 attribute forms, Softmax over a non-last axis, PRelu per channel, variadic Max/Min,
// uneven Split, reflect Pad, Tile, integer Div of negative numbers, GatherND, Range, and
// opset-9 Upsample. Each converts and passes the IR round trip at fp32 and fp16.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Precision } from '../../../src/pipeline/types.js';
import { DEFAULT_TOLERANCES } from '../../../src/verify/tolerance.js';
import { convertAndCompare, repo } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mc-ov-ops-'));
  execFileSync('/usr/bin/python3', [path.join(repo, '__tests__/fixtures/openvino/make-op-models.py'), dir], {
    stdio: 'ignore',
  });
}, 60000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(['ops11', 'upsample9'])('%s', (name) => {
  test.each<Precision>(['fp32', 'fp16'])(
    '%s passes the IR round trip within its default tolerance',
    async (precision) => {
      const r = await convertAndCompare(path.join(dir, `${name}.onnx`), precision, 3);
      expect(r.verdict.reason).toBe('');
      expect(Object.keys(r.verdict.outputs).length).toBe(name === 'ops11' ? 11 : 1);
      expect(r.verdict.metrics!.rel_l2).toBeLessThanOrEqual(DEFAULT_TOLERANCES[precision].rel_l2!);
    },
  );
});
