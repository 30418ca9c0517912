// Covers src/onnx/model-checks.ts and the hostile-input paths around it: nesting depth (64
// accepted, 65 refused, 20,000 refused without a stack overflow), value names defined twice,
// dims whose product cannot be addressed, typed-field tensors whose count disagrees with
// their dims (refused before anything is allocated), generated inputs sized by absurd dims,
// and names with control characters, which never reach the log unescaped.
import Long from 'long';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { printable, UserError } from '../../src/errors.js';
import { deeplyNestedModel } from '../../src/onnx/fuzz-mutants.js';
import { checkModelStructure, MAX_GRAPH_NESTING } from '../../src/onnx/model-checks.js';
import { decodeModel } from '../../src/onnx/model-io.js';
import { onnx } from '../../src/onnx/proto/index.js';
import { tensorFromProto } from '../../src/onnx/tensor.js';

const repo = path.resolve(import.meta.dirname, '../..');
const tinyBytes = readFileSync(path.join(repo, 'examples/tiny/model.onnx'));
const convBytes = readFileSync(path.join(repo, '__tests__/fixtures/models/opset11_conv.onnx'));

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-checks-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

/** The main graph with its repeated fields typed as the classes decode() makes. */
interface DecodedGraph {
  node: onnx.NodeProto[];
  initializer: onnx.TensorProto[];
  input: onnx.ValueInfoProto[];
  output: onnx.ValueInfoProto[];
}
const graphOf = (m: onnx.ModelProto): DecodedGraph => m.graph as unknown as DecodedGraph;

function edited(bytes: Uint8Array, edit: (m: onnx.ModelProto) => void): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  edit(m);
  return onnx.ModelProto.encode(m).finish();
}

function refusal(bytes: Uint8Array): string {
  try {
    decodeModel(bytes, 'm.onnx');
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('the model was accepted');
}

describe('subgraph nesting', () => {
  /** The conv model with an If whose then_branch nests `depth` levels, built in memory. */
  function nestedInMemory(depth: number): onnx.ModelProto {
    const m = onnx.ModelProto.decode(convBytes);
    let inner = new onnx.GraphProto({ name: 'leaf' });
    for (let level = depth; level >= 1; level--) {
      const attribute = new onnx.AttributeProto({
        name: 'then_branch',
        type: onnx.AttributeProto.AttributeType.GRAPH,
        g: inner,
      });
      const node = new onnx.NodeProto({
        opType: 'If',
        input: ['x'],
        output: [`nest_${level}`],
        attribute: [attribute],
      });
      inner = new onnx.GraphProto({ name: `level_${level}`, node: [node] });
    }
    m.graph!.node!.push(inner.node[0]);
    return m;
  }

  test(`${MAX_GRAPH_NESTING} levels pass the check, ${MAX_GRAPH_NESTING + 1} are refused naming the limit`, () => {
    expect(() => checkModelStructure(nestedInMemory(MAX_GRAPH_NESTING), 'm.onnx')).not.toThrow();
    expect(() => checkModelStructure(nestedInMemory(MAX_GRAPH_NESTING + 1), 'm.onnx')).toThrow(
      /^m\.onnx: subgraphs nest more than 64 levels deep \(at node "If" attribute then_branch\); .*at most 64/,
    );
  });

  test("files: 33 levels load; 34 pass protobuf's limit of 100 nested messages and are refused", () => {
    const source = { name: 'conv', bytes: convBytes };
    expect(() => decodeModel(deeplyNestedModel(source, 33), 'm.onnx')).not.toThrow();
    expect(refusal(deeplyNestedModel(source, 34))).toMatch(/^m\.onnx: subgraphs nest too deeply to read/);
  });

  test('5,000 levels: exit 2 with one line from inspect and convert, no stack overflow', async () => {
    const file = path.join(tmp, 'deep.onnx');
    writeFileSync(file, deeplyNestedModel({ name: 'conv', bytes: convBytes }, 5_000));
    for (const argv of [
      ['inspect', file],
      ['convert', file, '--out', path.join(tmp, 'out'), '--no-cache'],
    ]) {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^error: deep\.onnx: subgraphs nest too deeply to read/);
    }
  });
});

describe('value names defined twice', () => {
  const cases: [string, (g: DecodedGraph) => void, RegExp][] = [
    [
      'two nodes produce one value',
      (g) => (g.node[1].output[0] = g.node[0].output[0]),
      /and another node both produce it/,
    ],
    [
      'a node produces an initializer',
      (g) => (g.node[0].output[0] = g.initializer[0].name),
      /produces an initializer's name/,
    ],
    [
      'a node produces a graph input',
      (g) => (g.node[0].output[0] = g.input[0].name),
      /produces a graph input's name/,
    ],
    ['an initializer twice', (g) => g.initializer.push(g.initializer[0]), /\(two initializers\)/],
    ['a graph input twice', (g) => g.input.push(g.input[0]), /\(two graph inputs\)/],
  ];
  test.each(cases)('%s', (_, edit, message) => {
    const msg = refusal(edited(convBytes, (m) => edit(graphOf(m))));
    expect(msg).toMatch(/^m\.onnx: value ".+" is defined twice in the main graph/);
    expect(msg).toMatch(message);
  });

  test('an initializer that is also listed as a graph input is fine (a default value)', () => {
    const bytes = edited(convBytes, (m) => {
      const g = graphOf(m);
      g.input.push(new onnx.ValueInfoProto({ name: g.initializer[0].name }));
    });
    expect(() => decodeModel(bytes, 'm.onnx')).not.toThrow();
  });
});

describe('dims and stored sizes', () => {
  test('dims whose product passes 2^53 are refused at load, naming the tensor', () => {
    const bytes = edited(convBytes, (m) => {
      m.graph!.initializer![0].dims = [Long.fromString('1099511627776'), Long.fromString('1099511627776')];
    });
    expect(refusal(bytes)).toMatch(
      /tensor ".+" has dims 1099511627776×1099511627776, more elements than can be addressed/,
    );
  });

  test('a negative dim, and raw_data of the wrong size, are refused at load', () => {
    expect(refusal(edited(convBytes, (m) => (m.graph!.initializer![0].dims = [Long.fromInt(-1)])))).toMatch(
      /has an invalid dim -1/,
    );
    const first = onnx.ModelProto.decode(convBytes).graph!.initializer!.find(
      (t) => (t.rawData?.length ?? 0) > 0,
    )!;
    const msg = refusal(
      edited(convBytes, (m) => {
        m.graph!.initializer!.find((t) => t.name === first.name)!.dims = [
          Long.fromInt(3),
          Long.fromInt(1 << 20),
        ];
      }),
    );
    expect(msg).toMatch(/holds \d+ bytes but its dims 3×1048576 of float32 need 12582912/);
  });

  test('typed-field values that disagree with 2^40 dims: a UserError before any allocation', () => {
    const t = new onnx.TensorProto({
      name: 'w',
      dataType: 1,
      dims: [Long.fromString('1099511627776')],
      floatData: [1, 2, 3],
    });
    expect(() => tensorFromProto(t, 'm.onnx')).toThrow(
      /holds 3 values but its shape \[1099511627776\] needs 1099511627776/,
    );
  });

  test('an input declared 2^40 wide: exit 2 before samples are generated', async () => {
    const file = path.join(tmp, 'wide.onnx');
    writeFileSync(
      file,
      edited(tinyBytes, (m) => {
        const shape = m.graph!.input![0].type!.tensorType!.shape!;
        shape.dim = shape.dim!.map(
          () => new onnx.TensorShapeProto.Dimension({ dimValue: Long.fromString('1099511627776') }),
        );
      }),
    );
    const r = await cli('convert', file, '--out', path.join(tmp, 'out'), '--no-cache');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('names with control characters', () => {
  test('printable escapes line breaks, escapes and bidi controls', () => {
    expect(printable('a\n::error::x')).toBe('a\\n::error::x');
    expect(printable('\u001b[31mred\r\u2028\u202e')).toBe('\\x1b[31mred\\r\\u2028\\u202e');
    expect(new UserError('x\ny').message).toBe('x\\ny');
  });

  test('a cycle through a node named "\\n::error::forged" is reported on one escaped line', async () => {
    const file = path.join(tmp, 'm.onnx');
    writeFileSync(
      file,
      edited(convBytes, (m) => {
        const g = graphOf(m);
        g.node[0].name = 'evil\n::error::forged\u001b[2J';
        g.node[0].input[0] = g.node[1].output[0];
      }),
    );
    const r = await cli('convert', file, '--out', path.join(tmp, 'out'), '--no-cache');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'error: m.onnx: the graph has a cycle through node "evil\\n::error::forged\\x1b[2J"; ONNX graphs must be acyclic.\n',
    );
  });

  test('inspect prints an input named "x\\n::set-output name=passed::true" on one line', async () => {
    const file = path.join(tmp, 'm.onnx');
    const name = 'x\n::set-output name=passed::true';
    writeFileSync(
      file,
      edited(tinyBytes, (m) => {
        const g = graphOf(m);
        const old = g.input[0].name;
        for (const n of g.node) n.input = n.input.map((i) => (i === old ? name : i));
        g.input[0].name = name;
      }),
    );
    const r = await cli('inspect', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain('x\\n::set-output name=passed::true');
    expect(r.out.split('\n').some((l) => l.startsWith('::'))).toBe(false);
  });
});
