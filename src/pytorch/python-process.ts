// Runs a Python script as a subprocess: arguments as an array (no shell), a time limit, and
// the tail of stderr kept for messages. A missing interpreter is reported, not thrown.
//   const run = await runPython({ python: 'python3', script: 'x.py', args: ['req.json'], timeoutSeconds: 60 });
//   if (run.missing) …; else if (run.timedOut) …; else run.exitCode, run.stderrTail

import { spawn } from 'node:child_process';

export interface PythonRunRequest {
  /** Interpreter: a command looked up on PATH, or a path. */
  python: string;
  script: string;
  args: string[];
  cwd?: string;
  timeoutSeconds: number;
  env?: NodeJS.ProcessEnv;
}

export interface PythonRun {
  /** The interpreter could not be started (not found, not executable). */
  missing: boolean;
  /** Why it could not be started (e.g. "ENOENT"). */
  startError?: string;
  timedOut: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The last STDERR_TAIL_BYTES of stderr (stdout joined in: both are diagnostics). */
  stderrTail: string;
}

const STDERR_TAIL_BYTES = 64 * 1024;

export function runPython(request: PythonRunRequest): Promise<PythonRun> {
  return new Promise((resolve) => {
    let tail = '';
    let timedOut = false;
    let settled = false;
    const keep = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    };
    const child = spawn(request.python, [request.script, ...request.args], {
      cwd: request.cwd,
      env: {
        ...(request.env ?? process.env),
        PYTHONDONTWRITEBYTECODE: '1',
        PYTHONUNBUFFERED: '1',
        PYTHONIOENCODING: 'utf-8',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, request.timeoutSeconds * 1000);
    const finish = (result: PythonRun): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish({
        missing: error.code === 'ENOENT' || error.code === 'EACCES',
        startError: error.code ?? error.message,
        timedOut: false,
        exitCode: null,
        signal: null,
        stderrTail: tail,
      });
    });
    child.on('close', (exitCode, signal) => {
      finish({ missing: false, timedOut, exitCode, signal, stderrTail: tail });
    });
  });
}
