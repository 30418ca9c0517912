// runPipeline: Plan → load → transform → emit → verify → report. The CLI and the Action
// both call it; GitHub specifics arrive through hooks. Variants are built in a staging
// folder beside OUT and moved into OUT/<target>/<precision> only when complete, so OUT
// never holds a half-written variant; report.json and summary.md are written last.
//   const report = await runPipeline(makePlan({ model: 'm.onnx' }), { progress: console.error, warn: console.warn });

import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { errorMessage, isUserError, UserError } from '../errors.js';
import {
  formatHardwareLine,
  hardwareForReport,
  detectHardware,
  type HardwareInfo,
} from '../hardware/detect.js';
import { Graph } from '../onnx/graph.js';
import { readModel, writeAtomically, type LoadedModel } from '../onnx/model-io.js';
import type { GraphProto } from '../onnx/proto/index.js';
import { renderSummary } from '../report/summary.js';
import type { Report, VariantReport } from '../report/types.js';
import { resolvePytorchPlan } from '../pytorch/config.js';
import { exportPytorchSource, isPytorchFile, type PytorchSource } from '../pytorch/export.js';
import type { EmittedVariant } from '../targets/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { compareRuns, runSamples } from '../verify/compare-runs.js';
import { loadInputs } from '../verify/inputs-file.js';
import { divergenceForReport } from '../verify/localize.js';
import { createOrtRunner } from '../verify/ort-runner.js';
import { generateSamples } from '../verify/sample-inputs.js';
import { resolveTolerance } from '../verify/tolerance.js';
import type { Runner, Tolerance } from '../verify/types.js';
import { cacheKey, restoreVariant, saveVariant, sha256Hex } from './cache.js';
import { secondsSince, withProgress } from './progress.js';
import { TARGETS } from './registry.js';
import { TransformCache } from './transforms.js';
import type { PipelineHooks, Plan, Precision, TargetName } from './types.js';

/** Reads an ONNX source model (a PyTorch file is exported to ONNX first: see runPipeline). */
export function loadSource(modelPath: string): LoadedModel {
  return readModel(modelPath);
}

interface VariantJob {
  target: TargetName;
  precision: Precision;
}

function toleranceFor(plan: Plan, job: VariantJob, output: string): Tolerance {
  return resolveTolerance({
    precision: job.precision,
    target: job.target,
    output,
    preset: plan.tolerancePreset,
    rules: plan.tolerance,
  });
}

function relativeFiles(root: string, files: string[]): string[] {
  return files.map((f) => path.relative(root, f).split(path.sep).join('/'));
}

export async function runPipeline(plan: Plan, hooks: PipelineHooks): Promise<Report> {
  if (!isPytorchFile(plan.model)) return convertAndVerify(plan, hooks);
  const pytorchPlan = plan.pytorch ?? resolvePytorchPlan(undefined, {}, undefined);
  const pytorch = await exportPytorchSource(plan, pytorchPlan, hooks);
  try {
    return await convertAndVerify(plan, hooks, pytorch);
  } finally {
    pytorch.dispose();
  }
}

/**
 * The pipeline from an ONNX model: the source itself, or the ONNX exported from a PyTorch
 * source. Then onnx/fp32 is checked against PyTorch's outputs (reference "pytorch") and every
 * other variant against the exported model (reference "onnx/fp32"), on PyTorch's samples.
 */
async function convertAndVerify(plan: Plan, hooks: PipelineHooks, pytorch?: PytorchSource): Promise<Report> {
  const outDir = path.resolve(plan.outDir);
  const source =
    pytorch?.model ??
    (await withProgress(hooks, `load ${path.basename(plan.model)}`, async () => loadSource(plan.model)));
  const where = path.basename(plan.model);
  const graph = new Graph(source.proto.graph as GraphProto, where);
  graph.topologicalOrder();

  // Everything a target cannot express is reported at once, before any work.
  const jobs: VariantJob[] = plan.targets.flatMap((target) =>
    plan.precisions.map((precision) => ({ target, precision })),
  );
  // A PyTorch source always yields onnx/fp32: the exported model, checked against PyTorch.
  if (pytorch && !jobs.some((j) => j.target === 'onnx' && j.precision === 'fp32'))
    jobs.unshift({ target: 'onnx', precision: 'fp32' });
  const gaps = jobs.flatMap((j) =>
    TARGETS[j.target]!.supports(source.proto, j.precision).map(
      (u) => `${j.target}/${j.precision}: node "${u.node}" (${u.opType}) ${u.reason}`,
    ),
  );
  if (gaps.length > 0) throw new UserError(`${where}: cannot convert — ${gaps.join('; ')}.`);
  refuseLinksInOutput(outDir, jobs);
  removeStaleStagingFolders(outDir);

  const reference = await createOrtRunner(source.path);
  const hardwarePromise = detectHardware().catch(() => undefined);
  const stage = path.join(path.dirname(outDir), `.${path.basename(outDir)}.partial-${process.pid}`);
  try {
    const samples = pytorch
      ? pytorch.samples
      : plan.inputsFile
        ? loadInputs(plan.inputsFile, reference.inputs)
        : generateSamples(graph, reference.inputs, {
            count: plan.samples,
            seed: plan.seed,
            dims: plan.dims,
            intRange: plan.intRange,
          });
    const referenceOutputs = await withProgress(
      hooks,
      `run the source model on ${samples.length} samples`,
      () =>
        runSamples(reference, samples).catch((e: unknown) => {
          // The source itself fails on ONNX Runtime: the model (or its declared shapes) is at fault.
          if (isUserError(e)) throw e;
          throw new UserError(`${where}: the source model fails on ONNX Runtime: ${errorMessage(e)}`);
        }),
    );

    const transforms = new TransformCache({
      source,
      plan,
      graph,
      inputs: reference.inputs,
      warn: hooks.warn,
    });
    rmSync(stage, { recursive: true, force: true });
    activeStagingFolders.add(stage);
    mkdirSync(stage, { recursive: true });
    const variants: VariantReport[] = [];
    let cacheHits = 0;
    let firstKey = '';
    for (const job of jobs) {
      const label = `${job.target}/${job.precision}`;
      const dir = path.join(stage, job.target, job.precision);
      const key = cacheKey({
        modelSha256: source.sha256,
        plan,
        target: job.target,
        precision: job.precision,
      });
      firstKey ||= key;
      const started = performance.now();
      let emitted: EmittedVariant | undefined;
      let convertSeconds = 0;
      try {
        emitted = await withProgress(hooks, `convert ${label}`, async () => {
          if (plan.cache && hooks.cache) {
            try {
              const files = await restoreVariant(hooks.cache, key, dir);
              if (files) {
                cacheHits++;
                const abs = files.map((f) => path.join(dir, f));
                return {
                  files: orderMainFirst(abs),
                  bytes: abs.reduce((n, f) => n + readFileSync(f).length, 0),
                };
              }
            } catch (e) {
              hooks.warn(`cache restore failed for ${label}: ${errorMessage(e)}; converting again.`);
            }
            rmSync(dir, { recursive: true, force: true });
          }
          mkdirSync(dir, { recursive: true });
          const transformed = await transforms.get(job.precision, TARGETS[job.target]!);
          const made = await TARGETS[job.target]!.emit({
            source,
            model: transformed.model,
            precision: job.precision,
            dir,
            warn: hooks.warn,
          });
          if (plan.cache && hooks.cache) {
            try {
              await saveVariant(hooks.cache, key, dir);
            } catch (e) {
              hooks.warn(`cache save failed for ${label}: ${errorMessage(e)}`);
            }
          }
          return {
            ...made,
            ...(transformed.assignments ? { layers: transformed.assignments } : {}),
            ...(transformed.calibration ? { calibration: transformed.calibration } : {}),
          };
        });
        convertSeconds = secondsSince(started);
      } catch (e) {
        if (isUserError(e)) throw e;
        variants.push(
          errorVariant(
            job,
            pytorch && !(job.target === 'onnx' && job.precision === 'fp32')
              ? 'onnx/fp32'
              : pytorch
                ? 'pytorch'
                : 'source',
            reference.runtime,
            `conversion failed: ${errorMessage(e)}`,
            secondsSince(started),
          ),
        );
        continue;
      }
      const verifyStarted = performance.now();
      const checksPytorch = pytorch !== undefined && job.target === 'onnx' && job.precision === 'fp32';
      variants.push(
        await withProgress(hooks, `verify ${label}`, () =>
          verifyVariant({
            plan,
            job,
            source,
            emitted: emitted!,
            stage,
            referenceOutputs: checksPytorch ? pytorch.torchOutputs : referenceOutputs,
            referenceName: checksPytorch ? 'pytorch' : pytorch ? 'onnx/fp32' : 'source',
            samples,
            convertSeconds,
            verifyStarted,
          }),
        ),
      );
    }

    // Move finished variants into OUT, replacing older ones of the same name.
    mkdirSync(outDir, { recursive: true });
    for (const job of jobs) {
      const from = path.join(stage, job.target, job.precision);
      if (!existsSync(from)) continue;
      const to = path.join(outDir, job.target, job.precision);
      mkdirSync(path.dirname(to), { recursive: true });
      rmSync(to, { recursive: true, force: true });
      renameSync(from, to);
    }
    const hardware: HardwareInfo | undefined = await hardwarePromise;
    const report: Report = {
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      model: {
        path: plan.model,
        sha256: pytorch?.file.sha256 ?? source.sha256,
        format: pytorch ? 'pytorch' : 'onnx',
        bytes: pytorch?.file.bytes ?? source.bytes,
        parameters: graph.parameterCount(),
        ...(pytorch ? { export: pytorch.export } : {}),
      },
      variants,
      hardware: hardware ? hardwareForReport(hardware) : {},
      cache: { hit: jobs.length > 0 && cacheHits === jobs.length, key: firstKey },
      passed: variants.every((v) => v.status === 'pass'),
    };
    writeAtomically(path.join(outDir, 'report.json'), [Buffer.from(JSON.stringify(report, null, 2) + '\n')]);
    const summary = renderSummary(report, {
      hardwareLine: hardware ? formatHardwareLine(hardware) : undefined,
    });
    writeAtomically(path.join(outDir, 'summary.md'), [Buffer.from(summary)]);
    return report;
  } finally {
    await reference.dispose();
    await hardwarePromise;
    rmSync(stage, { recursive: true, force: true });
    activeStagingFolders.delete(stage);
  }
}

/** Staging folders of this process's runs in progress (removeStagingFolders deletes them). */
const activeStagingFolders = new Set<string>();

/**
 * Deletes the staging folders of runs in progress, synchronously: the CLI and the Action
 * call it from their SIGTERM/SIGINT handlers before exiting, so a stopped run leaves OUT as
 * it was and nothing beside it.
 */
export function removeStagingFolders(): void {
  for (const stage of activeStagingFolders) rmSync(stage, { recursive: true, force: true });
  activeStagingFolders.clear();
}

/**
 * For entry points (CLI, Action): on SIGTERM or SIGINT, delete the staging folders and exit
 * with 128 + the signal's number. A JavaScript handler runs when the event loop is free, so
 * inside a long synchronous step the exit waits for that step; SIGKILL leaves the staging
 * folder, which the next run with the same OUT removes.
 */
export function cleanUpOnSignals(): void {
  const signals = [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const;
  for (const [signal, exitCode] of signals) {
    process.once(signal, () => {
      removeStagingFolders();
      process.stderr.write(`model-convert: stopped by ${signal}; unfinished variants were discarded.\n`);
      process.exit(exitCode);
    });
  }
}

/**
 * The staging folder beside OUT is `.<OUT>.partial-<pid>`: those of processes that are gone
 * (killed runs) are removed, with their half-written report.json / summary.md in OUT.
 */
function removeStaleStagingFolders(outDir: string): void {
  const removeDead = (folder: string, pattern: RegExp): void => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of names) {
      const pid = Number(pattern.exec(name)?.[1]);
      if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
      rmSync(path.join(folder, name), { recursive: true, force: true });
    }
  };
  const base = path.basename(outDir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  removeDead(path.dirname(outDir), new RegExp(`^\\.${base}\\.partial-(\\d+)$`));
  // And the temporary files of report.json / summary.md being written when a run was killed.
  removeDead(outDir, /^\.(?:report\.json|summary\.md)\.tmp-(\d+)$/);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * OUT and what a run replaces in it may not be symbolic links: a checked-out repository
 * could plant one (say model-convert-out/onnx → elsewhere) to redirect writes and deletes.
 */
function refuseLinksInOutput(outDir: string, jobs: VariantJob[]): void {
  const paths = [
    outDir,
    ...new Set(jobs.map((j) => path.join(outDir, j.target))),
    ...jobs.map((j) => path.join(outDir, j.target, j.precision)),
    path.join(outDir, 'report.json'),
    path.join(outDir, 'summary.md'),
  ];
  for (const p of paths) {
    let link = false;
    try {
      link = lstatSync(p).isSymbolicLink();
    } catch {
      continue; // not there yet
    }
    if (link) {
      throw new UserError(
        `${p} is a symbolic link; model-convert does not write through links in the output folder. Remove it or choose another --out.`,
      );
    }
  }
}

function orderMainFirst(files: string[]): string[] {
  return [...files].sort(
    (a, b) =>
      Number(b.endsWith('.onnx') || b.endsWith('.xml') || b.endsWith('.js')) -
        Number(a.endsWith('.onnx') || a.endsWith('.xml') || a.endsWith('.js')) || a.localeCompare(b),
  );
}

/** A variant whose conversion failed (our bug or a runtime failure, not the user's input). */
function errorVariant(
  job: VariantJob,
  referenceName: string,
  runtime: string,
  reason: string,
  seconds: number,
): VariantReport {
  return {
    target: job.target,
    precision: job.precision,
    files: [],
    bytes: 0,
    compression: 0,
    reference: referenceName,
    runtime,
    outputs: {},
    tolerance: {},
    status: 'error',
    reason,
    samples: 0,
    seconds: { convert: seconds, verify: 0 },
  };
}

async function verifyVariant(args: {
  plan: Plan;
  job: VariantJob;
  source: LoadedModel;
  emitted: EmittedVariant;
  stage: string;
  referenceOutputs: Awaited<ReturnType<typeof runSamples>>;
  /** report.json `reference`: "source", "pytorch" (PyTorch's own outputs) or "onnx/fp32". */
  referenceName: string;
  samples: Parameters<typeof runSamples>[1];
  convertSeconds: number;
  verifyStarted: number;
}): Promise<VariantReport> {
  const { plan, job, source, emitted, stage } = args;
  const outputNames = Object.keys(args.referenceOutputs[0] ?? {});
  const base: VariantReport = {
    target: job.target,
    precision: job.precision,
    files: relativeFiles(stage, emitted.files),
    bytes: emitted.bytes,
    compression: source.bytes > 0 ? Number((emitted.bytes / source.bytes).toFixed(4)) : 0,
    reference: args.referenceName,
    runtime: '',
    outputs: {},
    tolerance: toleranceFor(plan, job, outputNames[0] ?? ''),
    status: 'error',
    samples: args.samples.length,
    ...(emitted.layers ? { layers: emitted.layers } : {}),
    ...(emitted.calibration ? { calibration: emitted.calibration } : {}),
    seconds: { convert: args.convertSeconds, verify: 0 },
  };
  const perOutput = Object.fromEntries(outputNames.map((o) => [o, toleranceFor(plan, job, o)]));
  if (outputNames.some((o) => JSON.stringify(perOutput[o]) !== JSON.stringify(base.tolerance)))
    base.tolerance_per_output = perOutput;
  let runner: Runner | undefined;
  try {
    runner = await TARGETS[job.target]!.runner(emitted);
    base.runtime = runner.runtime;
    if (runner.note) base.note = runner.note;
    const candidate = await runSamples(runner, args.samples);
    const gpuMemory = runner.gpuMemory?.();
    if (gpuMemory) base.gpu_memory = gpuMemory;
    const verdict = compareRuns(args.referenceOutputs, candidate, (o) => perOutput[o] ?? base.tolerance);
    base.metrics = verdict.metrics;
    base.outputs = verdict.outputs;
    base.status = verdict.passed ? 'pass' : 'fail';
    if (!verdict.passed) base.reason = verdict.reason;
    if (!verdict.passed && args.referenceName !== 'pytorch') {
      const localize = { reference: source.path, candidate: emitted.files[0] ?? '', samples: args.samples };
      base.divergence = await divergenceForReport({ ...localize, tolerance: base.tolerance });
    }
  } catch (e) {
    base.status = 'error';
    base.reason = `verification could not run: ${errorMessage(e)}`;
  } finally {
    await runner?.dispose();
    base.seconds.verify = secondsSince(args.verifyStarted);
  }
  return base;
}

export { sha256Hex };
