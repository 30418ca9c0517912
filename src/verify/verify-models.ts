// `model-convert verify A B`: runs two ONNX models on the same samples and judges B
// against A with the tolerances of a precision (fp32 by default).
//   const result = await verifyModels({ reference: 'a.onnx', candidate: 'b.onnx', ...defaults });

import path from 'node:path';
import { UserError } from '../errors.js';
import { Graph } from '../onnx/graph.js';
import { readModel } from '../onnx/model-io.js';
import type { GraphProto } from '../onnx/proto/index.js';
import { compareRuns, runSamples, type Verdict } from './compare-runs.js';
import { loadInputs } from './inputs-file.js';
import { createOrtRunner } from './ort-runner.js';
import { generateSamples } from './sample-inputs.js';
import { resolveTolerance } from './tolerance.js';
import type { Tolerance, ToleranceRule } from './types.js';

export interface VerifyModelsOptions {
  reference: string;
  candidate: string;
  inputsFile?: string;
  samples: number;
  seed: number;
  dims: Record<string, number>;
  intRange: [number, number];
  /** Which precision's default tolerances apply. */
  precision: string;
  preset?: string;
  rules: ToleranceRule[];
}

export interface VerifyModelsResult extends Verdict {
  reference: string;
  candidate: string;
  runtime: string;
  samples: number;
  tolerance: Record<string, Tolerance>;
}

export async function verifyModels(options: VerifyModelsOptions): Promise<VerifyModelsResult> {
  const ref = readModel(options.reference);
  readModel(options.candidate);
  const refRunner = await createOrtRunner(options.reference);
  const candRunner = await createOrtRunner(options.candidate);
  try {
    const candInputs = new Set(candRunner.inputs.map((i) => i.name));
    const missing = refRunner.inputs.filter((i) => !candInputs.has(i.name)).map((i) => i.name);
    const extra = candRunner.inputs
      .filter((i) => !refRunner.inputs.some((r) => r.name === i.name))
      .map((i) => i.name);
    if (missing.length > 0 || extra.length > 0) {
      throw new UserError(
        `${path.basename(options.candidate)}: its inputs differ from ${path.basename(options.reference)}'s ` +
          `(${[...missing.map((m) => `missing "${m}"`), ...extra.map((e) => `extra "${e}"`)].join(', ')}); both models must take the same inputs.`,
      );
    }
    const graph = new Graph(ref.proto.graph as GraphProto, path.basename(options.reference));
    const samples = options.inputsFile
      ? loadInputs(options.inputsFile, refRunner.inputs)
      : generateSamples(graph, refRunner.inputs, {
          count: options.samples,
          seed: options.seed,
          dims: options.dims,
          intRange: options.intRange,
        });
    const refOut = await runSamples(refRunner, samples);
    const candOut = await runSamples(candRunner, samples);
    const tolerance: Record<string, Tolerance> = {};
    for (const o of Object.keys(refOut[0] ?? {})) {
      tolerance[o] = resolveTolerance({
        precision: options.precision,
        target: 'onnx',
        output: o,
        preset: options.preset,
        rules: options.rules,
      });
    }
    const verdict = compareRuns(refOut, candOut, (o) => tolerance[o]);
    return {
      ...verdict,
      reference: options.reference,
      candidate: options.candidate,
      runtime: candRunner.runtime,
      samples: samples.length,
      tolerance,
    };
  } finally {
    await refRunner.dispose();
    await candRunner.dispose();
  }
}
