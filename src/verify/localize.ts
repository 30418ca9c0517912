// Failure localization: for a candidate ONNX model that misses its tolerance, find the first
// value, in the reference graph's topological order, whose candidate value is already beyond
// tolerance. Values present in both graphs (same name) are exposed as extra graph outputs in
// temporary copies of both models, both run on ONNX Runtime on the same sample, and the
// values are compared in order; the first one past the rel_l2 / cosine / nan / inf bounds is
// where the outputs start to diverge.
//   const d = await findFirstDivergence({ reference: 'm.onnx', candidate: 'out/onnx/int4/model.onnx', samples, tolerance });
//   d?.node // "encoder/layer.2/attention/MatMul"

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TensorMap } from '../onnx/dtype.js';
import { Graph } from '../onnx/graph.js';
import { readModel, writeModel } from '../onnx/model-io.js';
import { onnx, type GraphProto, type ModelProto } from '../onnx/proto/index.js';
import type { Divergence } from '../report/types.js';
import { compareTensors } from './metrics.js';
import { createOrtRunner } from './ort-runner.js';
import type { Metrics, Runner, Tolerance } from './types.js';

export interface LocalizeRequest {
  /** Path of the reference .onnx (usually the source model). */
  reference: string;
  /** Path of the candidate .onnx (the failing variant). */
  candidate: string;
  /** Samples to try, in order; the walk stops at the first sample that shows a divergence. */
  samples: TensorMap[];
  /** The variant's bounds; rel_l2, cosine, nan and inf are checked on every value. */
  tolerance: Tolerance;
  /** Values exposed per pair of sessions (bounds the memory of one run); default 256. */
  valuesPerRun?: number;
  /** At most this many samples are tried; default 2. */
  maxSamples?: number;
}

/** A value produced in the reference graph that the candidate graph also produces. */
interface SharedValue {
  name: string;
  node: string;
  opType: string;
}

const DEFAULT_VALUES_PER_RUN = 256;
const DEFAULT_MAX_SAMPLES = 2;

/** True when `metrics` miss one of the bounds that localization checks. */
export function beyondTolerance(metrics: Metrics, tolerance: Tolerance): boolean {
  if (metrics.nan > (tolerance.nan ?? 0) || metrics.inf > (tolerance.inf ?? 0)) return true;
  if (tolerance.rel_l2 !== undefined && !(metrics.rel_l2 <= tolerance.rel_l2)) return true;
  if (tolerance.cosine !== undefined && !(metrics.cosine >= tolerance.cosine)) return true;
  return false;
}

/** Node outputs of the reference graph, in topological order, that the candidate graph also produces. */
function sharedValues(reference: GraphProto, candidate: GraphProto, where: string): SharedValue[] {
  const graph = new Graph(reference, where);
  const candidateValues = new Set<string>();
  for (const node of candidate.node ?? []) for (const o of node.output ?? []) if (o) candidateValues.add(o);
  const fed = new Set<string>([
    ...(reference.input ?? []).map((v) => v.name ?? ''),
    ...(reference.initializer ?? []).map((t) => t.name ?? ''),
  ]);
  const values: SharedValue[] = [];
  const seen = new Set<string>();
  for (const node of graph.topologicalOrder()) {
    if (node.opType === 'Constant' && (node.domain ?? '') === '') continue; // weights, not activations
    for (const name of node.output) {
      if (!name || fed.has(name) || seen.has(name) || !candidateValues.has(name)) continue;
      seen.add(name);
      values.push({ name, node: node.name || `${node.opType} → ${name}`, opType: node.opType });
    }
  }
  return values;
}

/** A copy of `model` whose graph also outputs `names` (ONNX Runtime infers their types). */
function withExtraOutputs(model: ModelProto, names: string[]): ModelProto {
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const graph = copy.graph as GraphProto;
  const present = new Set((graph.output ?? []).map((o) => o.name));
  for (const name of names) if (!present.has(name)) graph.output.push(new onnx.ValueInfoProto({ name }));
  return copy;
}

/** Metrics of one value in both runs; undefined when it is missing, not numeric, or shaped differently. */
function compareValue(reference: TensorMap, candidate: TensorMap, name: string): Metrics | undefined {
  const r = reference[name];
  const c = candidate[name];
  if (!r || !c || r.dtype === 'string' || c.dtype === 'string') return undefined;
  try {
    return compareTensors(r, c);
  } catch {
    return undefined; // shapes differ (a layout change): not comparable by name
  }
}

async function openWithOutputs(model: ModelProto, names: string[], file: string): Promise<Runner> {
  writeModel(withExtraOutputs(model, names), file, { externalData: 'auto' });
  return createOrtRunner(file);
}

/**
 * The first shared value beyond tolerance, or undefined when every shared value stays within
 * it on the samples tried (the divergence is then in the outputs alone, or in values the
 * candidate renamed). Errors (a model ORT cannot open, a run that fails) are thrown.
 */
export async function findFirstDivergence(request: LocalizeRequest): Promise<Divergence | undefined> {
  const reference = readModel(request.reference);
  const candidate = readModel(request.candidate);
  const values = sharedValues(
    reference.proto.graph as GraphProto,
    candidate.proto.graph as GraphProto,
    path.basename(request.reference),
  );
  const samples = request.samples.slice(0, request.maxSamples ?? DEFAULT_MAX_SAMPLES);
  const perRun = Math.max(1, request.valuesPerRun ?? DEFAULT_VALUES_PER_RUN);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'model-convert-localize-'));
  try {
    for (let start = 0; start < values.length; start += perRun) {
      const chunk = values.slice(start, start + perRun);
      const names = chunk.map((v) => v.name);
      const runners: Runner[] = [];
      try {
        runners.push(await openWithOutputs(reference.proto, names, path.join(tmp, 'reference.onnx')));
        runners.push(await openWithOutputs(candidate.proto, names, path.join(tmp, 'candidate.onnx')));
        const [referenceRunner, candidateRunner] = runners;
        // The earliest value over the samples tried: a later sample can only move it earlier.
        let earliest: { index: number; divergence: Divergence } | undefined;
        for (let s = 0; s < samples.length; s++) {
          const r = await referenceRunner.run(samples[s]);
          const c = await candidateRunner.run(samples[s]);
          for (let i = 0; i < (earliest?.index ?? chunk.length); i++) {
            const metrics = compareValue(r, c, chunk[i].name);
            if (metrics && beyondTolerance(metrics, request.tolerance)) {
              const { name, node, opType } = chunk[i];
              earliest = {
                index: i,
                divergence: {
                  value: name,
                  node,
                  op_type: opType,
                  metrics,
                  sample: s,
                  compared: start + i + 1,
                },
              };
              break;
            }
          }
        }
        if (earliest) return earliest.divergence;
      } finally {
        for (const runner of runners) await runner.dispose();
      }
    }
    return undefined;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * findFirstDivergence for report.json: undefined when the candidate is not an ONNX file or
 * localization could not run (the variant's verdict stands either way).
 */
export async function divergenceForReport(request: LocalizeRequest): Promise<Divergence | undefined> {
  if (!request.candidate.endsWith('.onnx') || request.samples.length === 0) return undefined;
  try {
    return await findFirstDivergence(request);
  } catch {
    return undefined;
  }
}
