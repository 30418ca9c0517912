// The IR reader on a hand-written IR (a u8-compressed weight, MatMul with transpose_b, ReLU):
// it passes the structural check, reads back into ONNX, and ONNX Runtime computes the values
// worked out by hand. Broken IRs are reported problem by problem.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeModel } from '../../../src/onnx/model-io.js';
import { irToOnnx } from '../../../src/targets/openvino/ir-reader/ir-to-onnx.js';
import { parseIr } from '../../../src/targets/openvino/ir-reader/parse-ir.js';
import { parseXml } from '../../../src/targets/openvino/xml.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';

const port = (id: number, precision: string, dims: number[], names = ''): string =>
  `<port id="${id}" precision="${precision}"${names ? ` names="${names}"` : ''}>${dims.map((d) => `<dim>${d}</dim>`).join('')}</port>`;

/** y = ReLU(x · ((w_u8 − zp) · scale)ᵀ) with w = [[1,2,3],[4,5,6]], zp = [2,4], scale = [0.5,0.25]. */
const XML = `<?xml version="1.0"?>
<net name="hand" version="11">
  <layers>
    <layer id="0" name="x" type="Parameter" version="opset1"><data shape="2,3" element_type="f32"/>
      <output>${port(0, 'FP32', [2, 3], 'x')}</output></layer>
    <layer id="1" name="w" type="Const" version="opset1"><data element_type="u8" shape="2,3" offset="0" size="6"/>
      <output>${port(0, 'U8', [2, 3])}</output></layer>
    <layer id="2" name="w/convert" type="Convert" version="opset1"><data destination_type="f32"/>
      <rt_info><attribute name="decompression" version="0"/></rt_info>
      <input>${port(0, 'U8', [2, 3])}</input><output>${port(1, 'FP32', [2, 3])}</output></layer>
    <layer id="3" name="w/zero_point" type="Const" version="opset1"><data element_type="f32" shape="2,1" offset="8" size="8"/>
      <output>${port(0, 'FP32', [2, 1])}</output></layer>
    <layer id="4" name="w/subtract" type="Subtract" version="opset1"><data auto_broadcast="numpy"/>
      <input>${port(0, 'FP32', [2, 3])}${port(1, 'FP32', [2, 1])}</input><output>${port(2, 'FP32', [2, 3])}</output></layer>
    <layer id="5" name="w/scale" type="Const" version="opset1"><data element_type="f32" shape="2,1" offset="16" size="8"/>
      <output>${port(0, 'FP32', [2, 1])}</output></layer>
    <layer id="6" name="w/multiply" type="Multiply" version="opset1"><data auto_broadcast="numpy"/>
      <input>${port(0, 'FP32', [2, 3])}${port(1, 'FP32', [2, 1])}</input><output>${port(2, 'FP32', [2, 3])}</output></layer>
    <layer id="7" name="fc" type="MatMul" version="opset1"><data transpose_a="false" transpose_b="true"/>
      <input>${port(0, 'FP32', [2, 3])}${port(1, 'FP32', [2, 3])}</input><output>${port(2, 'FP32', [2, 2])}</output></layer>
    <layer id="8" name="relu" type="ReLU" version="opset1">
      <input>${port(0, 'FP32', [2, 2])}</input><output>${port(1, 'FP32', [2, 2], 'y')}</output></layer>
    <layer id="9" name="y" type="Result" version="opset1"><input>${port(0, 'FP32', [2, 2])}</input></layer>
  </layers>
  <edges>
    <edge from-layer="1" from-port="0" to-layer="2" to-port="0"/>
    <edge from-layer="2" from-port="1" to-layer="4" to-port="0"/>
    <edge from-layer="3" from-port="0" to-layer="4" to-port="1"/>
    <edge from-layer="4" from-port="2" to-layer="6" to-port="0"/>
    <edge from-layer="5" from-port="0" to-layer="6" to-port="1"/>
    <edge from-layer="0" from-port="0" to-layer="7" to-port="0"/>
    <edge from-layer="6" from-port="2" to-layer="7" to-port="1"/>
    <edge from-layer="7" from-port="2" to-layer="8" to-port="0"/>
    <edge from-layer="8" from-port="1" to-layer="9" to-port="0"/>
  </edges>
</net>
`;

function weights(): Uint8Array {
  const bin = new Uint8Array(24);
  bin.set([1, 2, 3, 4, 5, 6], 0);
  new Float32Array(bin.buffer, 8, 4).set([2, 4, 0.5, 0.25]);
  return bin;
}

test('a hand-written IR passes the structural check and ONNX Runtime computes it as worked out by hand', async () => {
  const { model, problems } = parseIr(XML, weights(), 'hand.xml');
  expect(problems).toEqual([]);
  expect(model.network.order.map((l) => l.id)).toEqual([0, 1, 3, 5, 2, 4, 6, 7, 8, 9]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-ir-reader-'));
  try {
    writeModel(irToOnnx(model, 'hand.xml'), path.join(dir, 'hand.onnx'));
    const runner = await createOrtRunner(path.join(dir, 'hand.onnx'));
    expect(runner.inputs.map((i) => [i.name, i.dims])).toEqual([['x', [2, 3]]]);
    const out = await runner.run({
      x: { dtype: 'float32', dims: [2, 3], data: Float32Array.of(1, 2, 3, 4, 0, -1) },
    });
    await runner.dispose();
    // w = [[-0.5, 0, 0.5], [0, 0.25, 0.5]]; x·wᵀ = [[1, 2], [-2.5, -0.5]]; ReLU → [[1, 2], [0, 0]].
    expect(out.y.dims).toEqual([2, 2]);
    expect(Array.from(out.y.data as Float32Array)).toEqual([1, 2, 0, 0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.each([
  [
    'a Const reading past the end of the .bin',
    (x: string) => x.replace('offset="16" size="8"', 'offset="20" size="8"'),
    /Const 5 \("w\/scale"\) reads bytes 20..28 of a 24-byte \.bin/,
  ],
  [
    'a Const whose size disagrees with its shape',
    (x: string) => x.replace('shape="2,3" offset="0" size="6"', 'shape="2,3" offset="0" size="5"'),
    /Const 1 \("w"\) has size 5, but u8\[2,3\] takes 6/,
  ],
  [
    'an edge into a missing port',
    (x: string) => x.replace('to-layer="9" to-port="0"', 'to-layer="9" to-port="3"'),
    /edge 8:1 → 9:3 connects a port that does not exist/,
  ],
  [
    'an edge between ports whose dims disagree',
    (x: string) =>
      x.replace(`${port(0, 'FP32', [2, 2])}</input><output>`, `${port(0, 'FP32', [2, 3])}</input><output>`),
    /edge 7:2 → 8:0: dims \[2,2\] vs \[2,3\]/,
  ],
  [
    'a repeated layer id',
    (x: string) => x.replace('<layer id="9"', '<layer id="8"'),
    /layer id 8 appears twice/,
  ],
  [
    'an illegal element type',
    (x: string) => x.replace('element_type="u8"', 'element_type="u7"'),
    /Const 1 has element_type u7/,
  ],
])('the structural check reports %s', (_what, corrupt, message) => {
  const { problems } = parseIr(corrupt(XML), weights(), 'hand.xml');
  expect(problems.join('\n')).toMatch(message);
});

test('the XML reader decodes entities, skips comments and reports malformed input with a line number', () => {
  const root = parseXml('<?xml version="1.0"?>\n<!-- c --><a x="&lt;&#65;&amp;"><b/><c>t&gt;</c></a>');
  expect(root.attrs.x).toBe('<A&');
  expect(root.children.map((c) => c.name)).toEqual(['b', 'c']);
  expect(root.children[1].text).toBe('t>');
  expect(() => parseXml('<a>\n<b></a>')).toThrow(/XML line 2: <\/a> does not close <b>/);
});
