// Models exported by torch's TorchScript exporter (made by the committed script into a temp
// folder): a CNN with Resize, ConvTranspose, grouped Conv, pooling and hard activations, and a
// bidirectional LSTM; plus the If fixture. Each converts at every precision and passes the IR
// round trip; the written XML parses with Python's standard XML parser.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Precision } from '../../../src/pipeline/types.js';
import { DEFAULT_TOLERANCES } from '../../../src/verify/tolerance.js';
import { convertAndCompare, modelFixtures, repo } from './helpers.js';

const PYTHON = '/usr/bin/python3';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mc-ov-torch-'));
  execFileSync(PYTHON, [path.join(repo, '__tests__/fixtures/openvino/make-torch-models.py'), dir], {
    stdio: 'ignore',
  });
}, 60000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PRECISIONS: Precision[] = ['fp32', 'fp16', 'int8', 'int4'];

describe.each(['cnn', 'lstm', 'if_subgraph'])('%s', (name) => {
  const file = (): string =>
    name === 'if_subgraph' ? path.join(modelFixtures, 'if_subgraph.onnx') : path.join(dir, `${name}.onnx`);

  test.each(PRECISIONS)('%s passes the IR round trip within its default tolerance', async (precision) => {
    const r = await convertAndCompare(file(), precision, 3);
    expect(r.verdict.reason).toBe('');
    expect(r.verdict.metrics!.rel_l2).toBeLessThanOrEqual(DEFAULT_TOLERANCES[precision].rel_l2!);
  });
});

test('the IR parses with a standard XML parser and holds the layers OpenVINO expects', async () => {
  const r = await convertAndCompare(path.join(dir, 'cnn.onnx'), 'fp16');
  const xmlPath = path.join(dir, 'cnn-fp16.xml');
  writeFileSync(xmlPath, r.xml);
  const script = [
    'import sys, xml.etree.ElementTree as ET',
    'net = ET.parse(sys.argv[1]).getroot()',
    'layers = net.find("layers").findall("layer")',
    'types = sorted({l.get("type") for l in layers})',
    'marked = [l for l in layers if l.get("type") == "Convert" and l.find("rt_info/attribute[@name=\'decompression\']") is not None]',
    'print(net.get("version"), len(layers), len(net.find("edges")), len(marked) > 0, ",".join(types))',
  ].join('\n');
  const out = execFileSync(PYTHON, ['-c', script, xmlPath], { encoding: 'utf8' }).trim().split(' ');
  expect(out[0]).toBe('11');
  expect(Number(out[1])).toBeGreaterThan(40);
  expect(out[3]).toBe('True');
  const types = out[4].split(',');
  for (const t of [
    'ConvolutionBackpropData',
    'GroupConvolution',
    'Interpolate',
    'MaxPool',
    'AvgPool',
    'HSwish',
    'SoftMax',
    'Result',
  ]) {
    expect(types).toContain(t);
  }
});
