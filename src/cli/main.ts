// The model-convert CLI: convert, verify, inspect, list, detect, find, merge-reports. A thin shell over
// the pipeline, like the Action. Exit codes: 0 pass, 1 a variant out of tolerance (or our
// bug, with its stack), 2 a usage or input error (one line, no stack).
//   process.exitCode = await runCli(['convert', 'model.onnx', '--out', 'out']);

import { Command, CommanderError } from 'commander';
import path from 'node:path';
import { errorMessage, isUserError, printable, printableLines, UserError } from '../errors.js';
import { detectHardware, formatHardwareLine, recommendTargets } from '../hardware/detect.js';
import { Graph } from '../onnx/graph.js';
import { inspectModel } from '../onnx/inspect.js';
import type { GraphProto } from '../onnx/proto/index.js';
import { listLayerRoles } from '../quantize/roles.js';
import { readModel } from '../onnx/model-io.js';
import { LocalCacheStore } from '../pipeline/cache.js';
import { findModels } from '../pipeline/find-models.js';
import { makePlan } from '../pipeline/plan.js';
import { TARGETS, TRANSFORMS } from '../pipeline/registry.js';
import { runPipeline } from '../pipeline/run.js';
import { PRECISIONS, TARGET_NAMES } from '../pipeline/types.js';
import { mergeReportFiles } from '../report/merge.js';
import { overallPassed } from '../report/regression.js';
import { TOOL_VERSION } from '../version.js';
import { loadToleranceOption } from '../verify/tolerance.js';
import { verifyModels } from '../verify/verify-models.js';
import { formatFoundModels, formatInspection, formatVariantLines, formatVerifyResult } from './format.js';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

const processIO: CliIO = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

interface CommonFlags {
  json?: boolean;
  verbose?: boolean;
}

export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  let exitCode = 0;
  const program = new Command('model-convert')
    .description(
      'Convert ONNX models to ONNX/OpenVINO/WebNN/WebGPU at several precisions, each variant verified numerically.',
    )
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError('(run model-convert --help for usage)');

  program
    .command('convert')
    .description('convert a model to each target × precision and verify every variant against the source')
    .argument('[model]', 'source model (.onnx, or PyTorch .pt/.pth/.pt2); may come from --config')
    .option('-t, --targets <list>', `comma-separated: ${TARGET_NAMES.join(',')} (default: onnx)`)
    .option('-p, --precision <list>', `comma-separated: ${PRECISIONS.join(',')} (default: fp32)`)
    .option('-o, --out <dir>', 'output folder (default: model-convert-out)')
    .option('-c, --config <file>', 'convert.yml')
    .option('-i, --inputs <file>', 'sample inputs: .npz, .npy, .json, or name=file.npy,…')
    .option('--tolerance <preset|file>', 'strict | default | loose, or a YAML/JSON file of tolerance rules')
    .option('--samples <n>', 'number of generated samples (default 3)')
    .option('--seed <n>', 'seed for generated samples (default 0)')
    .option('--no-cache', 'do not use the local variant cache')
    .option('--cache-dir <dir>', 'local cache folder (default: $XDG_CACHE_HOME/model-convert)')
    .option('--json', 'print report.json to stdout')
    .option('-v, --verbose', 'more detail on errors (a PyTorch export failure: the full Python traceback)')
    .option('--python <path>', 'Python with torch that exports a PyTorch source (default: python3 on PATH)')
    .option('--allow-pickle', 'load a fully pickled nn.Module (unpickling runs code from the file)')
    .action(
      async (
        model: string | undefined,
        flags: Record<string, string | boolean | undefined> & CommonFlags,
      ) => {
        const plan = makePlan({
          model: model ?? '',
          targets: flags.targets as string | undefined,
          precisions: flags.precision as string | undefined,
          outDir: flags.out as string | undefined,
          config: flags.config as string | undefined,
          inputs: flags.inputs as string | undefined,
          tolerance: flags.tolerance as string | undefined,
          samples: flags.samples as string | undefined,
          seed: flags.seed as string | undefined,
          cache: flags.cache !== false,
          cacheDir: flags.cacheDir as string | undefined,
          verbose: Boolean(flags.verbose),
          python: flags.python as string | undefined,
          allowPickle: flags.allowPickle === true ? true : undefined,
        });
        const report = await runPipeline(plan, {
          progress: (m) => io.err(printable(m)),
          warn: (m) => io.err(`warning: ${printable(m)}`),
          cache: plan.cache && plan.cacheDir ? new LocalCacheStore(plan.cacheDir) : undefined,
        });
        if (flags.json) io.out(JSON.stringify(report, null, 2));
        else {
          io.out(formatVariantLines(report));
          io.out(
            `report: ${path.join(plan.outDir, 'report.json')}\nsummary: ${path.join(plan.outDir, 'summary.md')}`,
          );
        }
        exitCode = report.passed ? 0 : 1;
      },
    );

  program
    .command('verify')
    .description('compare a candidate model with a reference model on the same sample inputs')
    .argument('<reference>', 'reference model (.onnx)')
    .argument('<candidate>', 'candidate model (.onnx)')
    .option('-i, --inputs <file>', 'sample inputs: .npz, .npy, .json, or name=file.npy,…')
    .option('-p, --precision <name>', 'whose default tolerances apply', 'fp32')
    .option('--tolerance <preset|file>', 'strict | default | loose, or a YAML/JSON file of tolerance rules')
    .option('-c, --config <file>', 'convert.yml (dims, int-range, tolerance, samples, seed)')
    .option('--samples <n>', 'number of generated samples (default 3)')
    .option('--seed <n>', 'seed for generated samples (default 0)')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        reference: string,
        candidate: string,
        flags: Record<string, string | undefined> & CommonFlags,
      ) => {
        const base = makePlan({
          model: reference,
          config: flags.config,
          samples: flags.samples,
          seed: flags.seed,
          inputs: flags.inputs,
          cache: false,
        });
        const tol = flags.tolerance ? loadToleranceOption(flags.tolerance) : { rules: [] };
        if (!(PRECISIONS as readonly string[]).includes(flags.precision ?? '')) {
          throw new UserError(
            `unknown precision "${flags.precision}". Use one of: ${PRECISIONS.join(', ')}.`,
          );
        }
        const result = await verifyModels({
          reference,
          candidate,
          inputsFile: base.inputsFile,
          samples: base.samples,
          seed: base.seed,
          dims: base.dims,
          intRange: base.intRange,
          precision: flags.precision ?? 'fp32',
          preset: tol.preset ?? base.tolerancePreset,
          rules: [...base.tolerance, ...tol.rules],
        });
        io.out(
          flags.json
            ? JSON.stringify({ ...result, status: result.passed ? 'pass' : 'fail' }, null, 2)
            : formatVerifyResult(result),
        );
        exitCode = result.passed ? 0 : 1;
      },
    );

  program
    .command('inspect')
    .description('ops, parameters, bytes, opsets and inputs/outputs of a model')
    .argument('<model>', 'model (.onnx)')
    .option('--json', 'print as JSON')
    .action(async (model: string, flags: CommonFlags) => {
      const loaded = readModel(model);
      const summary = inspectModel(loaded);
      const layers = listLayerRoles(new Graph(loaded.proto.graph as GraphProto, path.basename(model)));
      io.out(
        flags.json ? JSON.stringify({ ...summary, layers }, null, 2) : formatInspection(summary, layers),
      );
    });

  program
    .command('list')
    .description('targets, precisions and quantization methods this version provides')
    .option('--json', 'print as JSON')
    .action(async (flags: CommonFlags) => {
      const targets = TARGET_NAMES.map((name) => ({
        name,
        available: Boolean(TARGETS[name]),
        precisions: TARGETS[name]?.precisions ?? [],
        ops: TARGETS[name]?.supportedOps?.() ?? [],
      }));
      const precisions = PRECISIONS.map((p) => ({
        name: p,
        available: Boolean(TRANSFORMS[p]),
        method: TRANSFORMS[p]?.description ?? 'not in this version',
      }));
      if (flags.json) io.out(JSON.stringify({ targets, precisions }, null, 2));
      else {
        io.out('targets:');
        for (const t of targets)
          io.out(
            `  ${t.name.padEnd(9)} ${t.available ? `precisions ${t.precisions.join(', ')}; ops: ${t.ops.join(' ')}` : 'not in this version'}`,
          );
        io.out('precisions:');
        for (const p of precisions) io.out(`  ${p.name.padEnd(6)} ${p.method}`);
      }
    });

  program
    .command('detect')
    .description('this machine’s hardware (CPU flags, GPUs, memory) and what it recommends')
    .option('--json', 'print as JSON')
    .action(async (flags: CommonFlags) => {
      const hw = await detectHardware();
      const recommendations = recommendTargets(hw);
      if (flags.json) io.out(JSON.stringify({ hardware: hw, recommendations }, null, 2));
      else {
        io.out(formatHardwareLine(hw));
        io.out('recommended:');
        for (const r of recommendations) io.out(`  ${r.target}/${r.precision}: ${r.reason}`);
      }
    });

  program
    .command('find')
    .description('model files under a folder, with format and size')
    .argument('<dir>', 'folder to search')
    .option('--json', 'print as JSON')
    .action(async (dir: string, flags: CommonFlags) => {
      const found = await findModels(dir);
      io.out(flags.json ? JSON.stringify(found, null, 2) : formatFoundModels(found));
    });

  program
    .command('merge-reports')
    .description('merge the report.json files of one model (one job each) into one report and verdict')
    .argument('<reports...>', 'report.json files, or folders searched for them')
    .option('-o, --out <dir>', 'folder for the merged report.json and summary.md', 'model-convert-merged')
    .option('--json', 'print the merged report.json')
    .action(async (inputs: string[], flags: CommonFlags & { out: string }) => {
      const merged = mergeReportFiles(inputs, flags.out);
      if (flags.json) io.out(JSON.stringify(merged, null, 2));
      else {
        io.out(formatVariantLines(merged));
        io.out(`report: ${path.join(flags.out, 'report.json')}`);
        io.out(`summary: ${path.join(flags.out, 'summary.md')}`);
      }
      exitCode = overallPassed(merged) ? 0 : 1;
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help / --version exit 0; any usage error is exit 2 (commander already printed it).
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isUserError(e)) {
      io.err(`error: ${e.message}${e.detail ? `\n${e.detail}` : ''}`);
      return 2;
    }
    // The message on one line (it may quote model content), then the stack's frames.
    const frames = e instanceof Error ? (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)) : [];
    io.err(
      `internal error (please report it): ${printable(errorMessage(e))}` +
        (frames.length > 0 ? `\n${printableLines(frames.join('\n'))}` : ''),
    );
    return 1;
  }
}
