// Shared by the openvino target tests: fixture paths, the transformed graph the pipeline
// hands the target at a precision, and one call that transforms and emits a model, runs the
// variant through the target's runner and compares it with the source on ONNX Runtime (the
// pipeline's transform and verification, without the rest of the pipeline).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Graph } from '../../../src/onnx/graph.js';
import { readModel, type LoadedModel } from '../../../src/onnx/model-io.js';
import type { GraphProto, ModelProto } from '../../../src/onnx/proto/index.js';
import { makePlan } from '../../../src/pipeline/plan.js';
import { TransformCache } from '../../../src/pipeline/transforms.js';
import type { Precision } from '../../../src/pipeline/types.js';
import { openvinoTarget } from '../../../src/targets/openvino/index.js';
import { compareRuns, runSamples, type Verdict } from '../../../src/verify/compare-runs.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';
import { generateSamples } from '../../../src/verify/sample-inputs.js';
import { DEFAULT_TOLERANCES } from '../../../src/verify/tolerance.js';

export const repo = path.resolve(import.meta.dirname, '../../..');
export const sharedFixtures = path.resolve(repo, '../shared/fixtures');
export const modelFixtures = path.join(repo, '__tests__/fixtures/models');

export interface ConvertedVariant {
  verdict: Verdict;
  runtime: string;
  note?: string;
  xml: string;
  bin: Uint8Array;
  bytes: number;
  sourceBytes: number;
}

/** The graph the pipeline's transform makes of `source` at `precision` for the openvino target. */
export async function transformedFor(source: LoadedModel, precision: Precision): Promise<ModelProto> {
  const plan = makePlan({
    model: source.path,
    targets: 'openvino',
    precisions: precision,
    outDir: os.tmpdir(),
    cache: false,
  });
  const reference = await createOrtRunner(source.path);
  try {
    const graph = new Graph(source.proto.graph as GraphProto, path.basename(source.path));
    const transforms = new TransformCache({ source, plan, graph, inputs: reference.inputs, warn: () => {} });
    return (await transforms.get(precision, openvinoTarget)).model;
  } finally {
    await reference.dispose();
  }
}

/** Transforms and emits `modelPath` at `precision` and judges the variant against the source with the default tolerance. */
export async function convertAndCompare(
  modelPath: string,
  precision: Precision,
  samples = 2,
): Promise<ConvertedVariant> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-ov-'));
  try {
    const source = readModel(modelPath);
    const emitted = await openvinoTarget.emit({
      source,
      model: await transformedFor(source, precision),
      precision,
      dir,
      warn: () => {},
    });
    const reference = await createOrtRunner(modelPath);
    const graph = new Graph(source.proto.graph as GraphProto, path.basename(modelPath));
    const inputs = generateSamples(graph, reference.inputs, {
      count: samples,
      seed: 0,
      dims: {},
      intRange: [0, 8],
    });
    const expected = await runSamples(reference, inputs);
    await reference.dispose();
    const candidate = await openvinoTarget.runner(emitted);
    const actual = await runSamples(candidate, inputs);
    await candidate.dispose();
    return {
      verdict: compareRuns(expected, actual, () => DEFAULT_TOLERANCES[precision]),
      runtime: candidate.runtime,
      note: candidate.note,
      xml: readFileSync(emitted.files[0], 'utf8'),
      bin: new Uint8Array(readFileSync(emitted.files[1])),
      bytes: emitted.bytes,
      sourceBytes: source.bytes,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
