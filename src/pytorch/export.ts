// The PyTorch source: export a .pt/.pth/.pt2 to ONNX in a Python subprocess running torch,
// and get PyTorch's own outputs on the same samples, so that the pipeline continues from the
// exported ONNX and checks it against PyTorch (report variant onnx/fp32, reference "pytorch").
// The subprocess runs export_model.py (embedded in export-script.ts) on a request file;
// samples go in and outputs come back as .npz, facts as JSON.
//   if (isPytorchFile(plan.model)) {
//     const pytorch = await exportPytorchSource(plan, plan.pytorch ?? defaults, hooks);
//     try { … pytorch.model, pytorch.samples, pytorch.torchOutputs … } finally { pytorch.dispose(); }
//   }

import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { TensorMap } from '../onnx/dtype.js';
import { readModel, type LoadedModel } from '../onnx/model-io.js';
import { withProgress } from '../pipeline/progress.js';
import type { PipelineHooks, Plan } from '../pipeline/types.js';
import { writeNpz } from '../verify/inputs-file.js';
import { exampleInputs } from './example-inputs.js';
import { readNpzTensors } from './npz-tensors.js';
import { EXPORT_SCRIPT, EXPORT_SCRIPT_NAME } from './export-script.js';
import { runPython, type PythonRun } from './python-process.js';
import type { PytorchExportReport, PytorchPlan } from './types.js';

/** The message for a missing Python or torch (issue 4), before the specifics. */
export const NEEDS_TORCH_MESSAGE =
  'PyTorch source needs python3 with torch (pip install torch), or pass an ONNX model';

const MAX_LISTED_WARNINGS = 5;

export interface PytorchSource {
  /** The exported ONNX model (a file in a temporary folder until dispose()). */
  model: LoadedModel;
  /** The samples PyTorch ran on, keyed by the exported model's input names. */
  samples: TensorMap[];
  /** PyTorch's outputs on each sample, keyed by the exported model's output names. */
  torchOutputs: TensorMap[];
  /** The PyTorch file itself, for report.json's `model`. */
  file: { path: string; sha256: string; bytes: number };
  export: PytorchExportReport;
  /** Removes the temporary folder. */
  dispose(): void;
}

/** What export_model.py writes to its result file. */
interface ExportResult {
  ok: boolean;
  code?: string;
  message?: string;
  op?: string | null;
  traceback?: string;
  warnings?: string[];
  torch?: string;
  python?: string;
  kind?: string;
  opset?: number;
  exporter?: string;
  seconds?: number;
  inputNames?: string[];
  outputNames?: string[];
}

/**
 * A zip archive (torch.save ≥ 1.6, torch.jit.save, torch.export.save) or a pickle (legacy
 * torch.save), from the first bytes; which kind of PyTorch file it is, export_model.py tells
 * from the zip's layout. A ".onnx" name only rules out the pickle reading.
 */
export function isPytorchFile(modelPath: string): boolean {
  const head = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = openSync(modelPath, 'r');
    if (readSync(fd, head, 0, 4, 0) < 4) return false;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  const pickle = head[0] === 0x80 && head[1] >= 2 && head[1] <= 5;
  return zip || (pickle && !modelPath.toLowerCase().endsWith('.onnx'));
}

export async function exportPytorchSource(
  plan: Plan,
  pytorch: PytorchPlan,
  hooks: Pick<PipelineHooks, 'progress' | 'warn'>,
): Promise<PytorchSource> {
  const where = path.basename(plan.model);
  const examples = exampleInputs(plan, pytorch);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'model-convert-pytorch-'));
  const dispose = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const file = {
      path: plan.model,
      sha256: await sha256OfFile(plan.model),
      bytes: statSync(plan.model).size,
    };
    const script = path.join(dir, EXPORT_SCRIPT_NAME);
    writeFileSync(script, EXPORT_SCRIPT);
    const samplePaths = examples.samples.map((sample, i) => {
      const samplePath = path.join(dir, `sample_${i}.npz`);
      writeNpz(samplePath, sample);
      return samplePath;
    });
    const dynamicAxes: Record<string, Record<number, string>> = { ...examples.dynamicAxes };
    for (const o of pytorch.outputs ?? []) if (o.dynamicAxes) dynamicAxes[o.name] = o.dynamicAxes;
    const onnxPath = path.join(dir, 'model.onnx');
    const resultPath = path.join(dir, 'result.json');
    const request = {
      model: path.resolve(plan.model),
      allowPickle: pytorch.allowPickle,
      module: pytorch.module ?? null,
      moduleArgs: pytorch.moduleArgs,
      moduleKwargs: pytorch.moduleKwargs,
      workspace: pytorch.workspace,
      samples: samplePaths,
      inputNames: examples.inputs.map((i) => i.name),
      outputNames: pytorch.outputs?.map((o) => o.name) ?? null,
      dynamicAxes,
      opset: pytorch.opset ?? null,
      onnxPath,
      outputsDir: dir,
      resultPath,
    };
    const requestPath = path.join(dir, 'request.json');
    writeFileSync(requestPath, JSON.stringify(request));

    const run = await withProgress(hooks, `export ${where} to ONNX with torch (${pytorch.python})`, () =>
      runPython({
        python: pytorch.python,
        script,
        args: [requestPath],
        timeoutSeconds: pytorch.timeoutSeconds,
      }),
    );
    const result = readResult(resultPath);
    if (!result || !result.ok) throw exportError({ where, plan, pytorch, run, result });

    for (const w of (result.warnings ?? []).slice(0, MAX_LISTED_WARNINGS)) hooks.warn(`${where}: ${w}`);
    const model = readModel(onnxPath);
    const graphInputs = new Set((model.proto.graph?.input ?? []).map((i) => i.name));
    const unused = examples.inputs.filter((i) => !graphInputs.has(i.name)).map((i) => i.name);
    if (unused.length > 0) {
      hooks.warn(
        `${where}: the exported ONNX has no input ${unused.map((n) => `"${n}"`).join(', ')} (the model does not use it); it is fed to PyTorch only.`,
      );
    }
    const samples = examples.samples.map((s) =>
      Object.fromEntries(Object.entries(s).filter(([name]) => graphInputs.has(name))),
    );
    const torchOutputs = examples.samples.map((_, i) => readNpzTensors(path.join(dir, `torch_${i}.npz`)));
    return {
      model,
      samples,
      torchOutputs,
      file,
      export: {
        seconds: result.seconds ?? 0,
        torch: result.torch ?? 'unknown',
        opset: result.opset ?? 0,
        exporter: result.exporter ?? 'torch.onnx.export',
        kind: result.kind ?? 'unknown',
        python: result.python ?? pytorch.python,
      },
      dispose,
    };
  } catch (e) {
    dispose();
    throw e;
  }
}

function readResult(resultPath: string): ExportResult | undefined {
  if (!existsSync(resultPath)) return undefined;
  try {
    return JSON.parse(readFileSync(resultPath, 'utf8')) as ExportResult;
  } catch {
    return undefined;
  }
}

/** The last line of a Python traceback that says what went wrong ("ValueError: …"). */
export function lastRelevantLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const errorLine = [...lines].reverse().find((l) => /^[\w.]+(Error|Exception|Interrupt|Exit)\b/.test(l));
  return errorLine ?? lines[lines.length - 1] ?? '';
}

function exportError(args: {
  where: string;
  plan: Plan;
  pytorch: PytorchPlan;
  run: PythonRun;
  result: ExportResult | undefined;
}): UserError {
  const { where, plan, pytorch, run, result } = args;
  const python = pytorch.python;
  if (run.missing) {
    const lookedUp = python.includes('/') ? `"${python}" cannot be run` : `no "${python}" on PATH`;
    return new UserError(
      `${where}: ${NEEDS_TORCH_MESSAGE} (${lookedUp}; pass --python or the python input).`,
    );
  }
  if (run.timedOut) {
    return new UserError(
      `${where}: the PyTorch export did not finish within ${pytorch.timeoutSeconds} s and was stopped; ` +
        `raise pytorch.timeout-seconds in convert.yml if the model needs longer.`,
    );
  }
  // The traceback goes in the error's detail (printed after its one-line message) with --verbose.
  const verbose = (): string => (plan.verbose ? '' : ' (--verbose shows the traceback)');
  const detailOf = (text: string | undefined): { detail?: string } =>
    plan.verbose && text ? { detail: text } : {};
  if (!result) {
    const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
    const line = lastRelevantLine(run.stderrTail);
    const lacksPython3 = /SyntaxError|invalid syntax/.test(run.stderrTail);
    if (lacksPython3) {
      return new UserError(
        `${where}: ${NEEDS_TORCH_MESSAGE} ("${python}" is not a Python 3.8+ interpreter).`,
      );
    }
    return new UserError(
      `${where}: the PyTorch export crashed (${python} ${how})${line ? `: ${line}` : ''}${verbose()}`,
      detailOf(run.stderrTail),
    );
  }
  const message = result.message ?? 'unknown problem';
  switch (result.code) {
    case 'no-torch':
      return new UserError(`${where}: ${NEEDS_TORCH_MESSAGE} (${message}).`);
    case 'unsupported-op':
      return new UserError(
        `${where}: the ONNX exporter cannot handle op ${result.op ?? 'unknown'}: ${message.trim()} ` +
          `Rewrite that part of the model, set another pytorch.opset, or export to ONNX yourself and pass the .onnx file.`,
        detailOf(result.traceback),
      );
    case 'crash':
      return new UserError(
        `${where}: the PyTorch export failed: ${message}${verbose()}`,
        detailOf(result.traceback),
      );
    default:
      return new UserError(`${where}: ${message.replace(/\.$/, '')}.`, detailOf(result.traceback));
  }
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
