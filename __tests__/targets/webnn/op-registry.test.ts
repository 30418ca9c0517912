// The op table as a whole: every entry's lowering, host evaluation and helpers copy into a
// module that loads (no method shorthands, no name clashes), and the registry picks the
// entry with the highest `since` not above the model's opset.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Graph } from '../../../src/onnx/graph.js';
import type { ModelProto } from '../../../src/onnx/proto/index.js';
import { OpLibrary } from '../../../src/targets/module-source.js';
import { findLowering, modelOpsets, WEBNN_OPS } from '../../../src/targets/webnn/op-registry.js';
import { buildModel, oneOp, tensor } from './cross-check.js';

test('every entry of the op table copies into a module that loads', async () => {
  const library = new OpLibrary();
  const names: string[] = [];
  for (const [key, versions] of Object.entries(WEBNN_OPS))
    for (const v of versions) names.push(library.add(v, key));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webnn-ops-'));
  try {
    const file = path.join(dir, 'ops.mjs');
    writeFileSync(file, `${library.source()}\nexport const ENTRIES = [${names.join(', ')}];\n`);
    const { ENTRIES } = (await import(pathToFileURL(file).href)) as {
      ENTRIES: { lower: unknown; host?: unknown }[];
    };
    expect(ENTRIES).toHaveLength(names.length);
    expect(
      ENTRIES.every(
        (e) => typeof e.lower === 'function' && (e.host === undefined || typeof e.host === 'function'),
      ),
    ).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(names.length).toBeGreaterThan(100);
});

test('the entry with the highest since ≤ the model opset wins', () => {
  const pick = (opset: number) => {
    const model = buildModel(
      oneOp(
        'Softmax',
        [tensor('x', 'float32', [2, 3])],
        [{ name: 'y', dtype: 'float32', dims: [2, 3] }],
        {},
        { opset },
      ),
    );
    const found = findLowering(
      model.graph!.node![0] as never,
      new Graph(model.graph as Graph['proto'], 'm'),
      modelOpsets(model as ModelProto),
    );
    return 'reason' in found ? found.reason : found.attrs;
  };
  expect(pick(11)).toEqual({ axis: 1, legacy: true, log: false });
  expect(pick(13)).toEqual({ axis: -1, legacy: false, log: false });
  expect(pick(21)).toEqual({ axis: -1, legacy: false, log: false });
});
