// Paths written in convert.yml (model, inputs, output-dir, quantization.calibration-inputs,
// pytorch.python): relative to the file's folder, and they may not lead outside it or the
// workspace ($GITHUB_WORKSPACE, else the current folder) — not by an absolute path, not by
// "..", not through a symbolic link. convert.yml may come from a pull request; the paths
// given as flags or Action inputs are the workflow's own and are taken as they are.
//   const model = resolveConfigPath('ci/convert.yml', 'model.onnx', 'model'); // <abs>/ci/model.onnx

import { realpathSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

/** The folders a convert.yml path may resolve into. */
export function configPathRoots(configFile: string): string[] {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  return [...new Set([path.dirname(path.resolve(configFile)), path.resolve(workspace)].map(realOrResolved))];
}

/** The real path of `p`: its deepest existing ancestor resolved through links, the rest appended. */
function realOrResolved(p: string): string {
  const missing: string[] = [];
  let at = path.resolve(p);
  for (;;) {
    try {
      return path.join(realpathSync(at), ...missing.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return path.join(at, ...missing.reverse());
      missing.push(path.basename(at));
      at = parent;
    }
  }
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * Resolves `value` (the `key` entry of `configFile`) against the config's folder, refusing
 * absolute paths and any path whose real location leaves both the config's folder and the
 * workspace.
 */
export function resolveConfigPath(configFile: string, value: string, key: string): string {
  if (path.isAbsolute(value) || /^[A-Za-z]:/.test(value) || value.startsWith('\\')) {
    throw new UserError(
      `${configFile}: ${key} "${value}" is an absolute path; paths in convert.yml are relative to its folder ` +
        `(pass an absolute path as a command-line flag or Action input instead).`,
    );
  }
  const resolved = path.resolve(path.dirname(configFile), value);
  const real = realOrResolved(resolved);
  const roots = configPathRoots(configFile);
  if (!roots.some((root) => isInside(root, real))) {
    throw new UserError(
      `${configFile}: ${key} "${value}" leads outside the config's folder and the workspace (to ${real}); ` +
        `paths in convert.yml must stay inside ${roots.join(' or ')}.`,
    );
  }
  return resolved;
}
