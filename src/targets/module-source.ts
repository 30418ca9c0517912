// JavaScript source for generated web modules (webnn and webgpu model.js): string and
// value literals that are safe in code and comments, identifiers for ONNX value names, the
// live nodes of a graph, and OpLibrary, which copies op lowerings into model.js as source.
//   const lib = new OpLibrary(); const name = lib.add(entry, 'Add'); code.push(lib.source());

import type { Graph } from '../onnx/graph.js';
import type { NodeProto } from '../onnx/proto/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any function signature
export type Helper = (...args: any[]) => unknown;

/** An op table entry as copied: run-time functions only. */
export interface LibraryEntry {
  since: number;
  lower: Helper;
  host?: Helper;
  helpers?: Helper[];
}

/** The nodes that contribute to the graph outputs, in topological order. */
export function liveNodes(graph: Graph): NodeProto[] {
  const order = graph.topologicalOrder();
  const needed = new Set(graph.outputs.map((o) => o.name));
  const live = new Set<NodeProto>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    if (!n.output.some((o) => needed.has(o))) continue;
    live.add(n);
    for (const input of n.input) if (input) needed.add(input);
  }
  return order.filter((n) => live.has(n));
}

/**
 * A string as JavaScript source: JSON with U+2028/U+2029 escaped too. JSON leaves them
 * raw, and in a // comment they end the line, so a value name holding one could inject code.
 */
export function jsString(text: string): string {
  return JSON.stringify(text).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** A JavaScript literal for attribute values (JSON plus NaN and ±Infinity). */
export function literal(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${jsString(k)}: ${literal(v)}`,
    );
    return `{ ${entries.join(', ')} }`;
  }
  return typeof value === 'string' ? jsString(value) : JSON.stringify(value ?? null);
}

/** Source text of a function for model.js; it must be self-contained (see ops/types.ts). */
function functionSource(fn: Helper, what: string): string {
  const text = fn.toString();
  if (/^\s*[A-Za-z_$][\w$]*\s*\(/.test(text) && !text.startsWith('function')) {
    throw new Error(
      `${what} is a method shorthand; lowerings must be functions or arrows to be copied into model.js`,
    );
  }
  return text;
}

export class Identifiers {
  private readonly used = new Set<string>();
  private readonly byValue = new Map<string, string>();

  get(value: string): string {
    let id = this.byValue.get(value);
    if (id) return id;
    const base = `v_${value.replace(/[^A-Za-z0-9_$]/g, '_')}`.slice(0, 60);
    id = base;
    for (let i = 2; this.used.has(id); i++) id = `${base}_${i}`;
    this.used.add(id);
    this.byValue.set(value, id);
    return id;
  }
}

/**
 * The op lowerings a model.js uses, copied as source: each function once (by identity),
 * helpers under their own names, and one `const OP_<type>_<since> = { lower, host }` per entry.
 */
export class OpLibrary {
  private readonly functionNames = new Map<Helper, string>();
  private readonly functionSources: string[] = [];
  private readonly entryNames = new Map<LibraryEntry, string>();
  private readonly entrySources: string[] = [];

  /** Adds an entry (with its functions); returns the constant model.js refers to it by. */
  add(entry: LibraryEntry, opType: string): string {
    let name = this.entryNames.get(entry);
    if (name) return name;
    const base = `OP_${opType.replace(/\W/g, '_')}_${entry.since}`;
    name = base;
    for (let i = 2; [...this.entryNames.values()].includes(name); i++) name = `${base}_${i}`;
    this.entryNames.set(entry, name);
    for (const helper of entry.helpers ?? []) {
      const text = functionSource(helper, `helper ${helper.name}`);
      if (!text.startsWith('function') || !helper.name)
        throw new Error(`helper of ${opType} must be a named function declaration`);
      if (this.copy(helper, `helper of ${opType}`) !== helper.name)
        throw new Error(
          `helper ${helper.name} of ${opType} clashes with another copied function of that name`,
        );
    }
    const lower = this.copy(entry.lower, `${opType} lowering`);
    const host = entry.host ? this.copy(entry.host, `${opType} host evaluation`) : undefined;
    this.entrySources.push(`const ${name} = { lower: ${lower}${host ? `, host: ${host}` : ''} };`);
    return name;
  }

  source(): string {
    return [...this.functionSources, '', ...this.entrySources].join('\n');
  }

  private copy(fn: Helper, what: string): string {
    let name = this.functionNames.get(fn);
    if (name) return name;
    const taken = new Set(this.functionNames.values());
    name = fn.name || 'lowering';
    for (let i = 2; taken.has(name); i++) name = `${fn.name}_${i}`;
    this.functionNames.set(fn, name);
    const text = functionSource(fn, what);
    this.functionSources.push(
      text.startsWith('function') && fn.name === name ? text : `const ${name} = ${text};`,
    );
    return name;
  }
}
