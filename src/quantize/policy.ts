// Mixed-precision policy: rules from convert.yml (`quantization.policy`) that assign a
// precision to each weight by layer role, block index and node-name pattern; the first
// matching rule wins. Also the recipes used when no rule matches.
//   const bitsFor = policyBitsFor(rules, roles, defaultBitsFor(4, graph));

import type { Graph } from '../onnx/graph.js';
import { roleMatches, type LayerRole } from './roles.js';
import type { NodePrecision, PolicyRule } from './types.js';
import type { QuantizableWeight } from './weights.js';

/** Storage bits per precision; 16 = float16 storage; undefined = leave the weight as it is. */
export const PRECISION_BITS: Record<NodePrecision, number | undefined> = {
  fp32: undefined,
  keep: undefined,
  fp16: 16,
  int8: 8,
  int4: 4,
  int3: 3,
  int2: 2,
};

export function precisionOfBits(bits: number | undefined): NodePrecision {
  return bits === undefined ? 'fp32' : bits === 16 ? 'fp16' : (`int${bits}` as NodePrecision);
}

/** Chooses the bits for a weight (undefined: leave it alone). */
export type BitsForWeight = (weight: QuantizableWeight) => number | undefined;

/**
 * `mixed` with no policy: the example recipe — embeddings, head, first and last
 * blocks and attention at int8, feed-forward at int4, convolutions int8, anything else fp16.
 */
export const DEFAULT_MIXED_POLICY: readonly PolicyRule[] = [
  { role: 'embedding', precision: 'int8' },
  { role: 'head', precision: 'int8' },
  { blocks: [0, -1], precision: 'int8' },
  { role: 'attention', precision: 'int8' },
  { role: 'ffn', precision: 'int4' },
  { role: 'conv', precision: 'int8' },
  { precision: 'fp16' },
];

export function ruleMatches(rule: PolicyRule, role: LayerRole): boolean {
  if (rule.role !== undefined && !roleMatches(role.role, rule.role)) return false;
  if (rule.blocks !== undefined) {
    const wanted = rule.blocks.map((b) => (b < 0 ? role.blocks + b : b));
    if (!wanted.includes(role.block)) return false;
  }
  if (rule.name !== undefined && !new RegExp(rule.name).test(role.node)) return false;
  return true;
}

/** The first matching rule's bits, else `fallback`'s. */
export function policyBitsFor(
  rules: readonly PolicyRule[],
  roles: Map<string, LayerRole>,
  fallback: BitsForWeight,
): BitsForWeight {
  return (w) => {
    const role = roles.get(w.name);
    if (role) for (const rule of rules) if (ruleMatches(rule, role)) return PRECISION_BITS[rule.precision];
    return fallback(w);
  };
}

/**
 * The default recipe for a pure n-bit precision: linear layers and convolutions at `bits`;
 * embedding tables, the LM head / classifier and the first convolution (it reads the
 * model's input) at 8 bits — the layers whose errors reach every later layer or the
 * outputs directly.
 */
export function defaultBitsFor(bits: number, graph: Graph, roles: Map<string, LayerRole>): BitsForWeight {
  const graphInputs = new Set(graph.inputs.map((i) => i.name));
  return (w) => {
    const role = roles.get(w.name)?.role;
    if (role === 'embedding' || role === 'head') return Math.max(bits, 8);
    if (w.sites.every((s) => s.use === 'conv' && graphInputs.has(s.node.input[0]))) return Math.max(bits, 8);
    return bits;
  };
}
