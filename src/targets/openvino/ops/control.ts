// ONNX If → OpenVINO If-8. Each branch becomes a body graph; values a branch reads from the
// enclosing graph become body Parameters fed through extra If inputs (constants are copied
// into the body instead), and branch outputs become body Results in order.
//   CONTROL_LOWERINGS.If.lower(ctx) // If layer with then_body / else_body

import type { OvValue } from '../ir-graph.js';
import type { BodyEmission, LoweringContext, OpLowering } from '../lowering.js';

function mergeShapes(
  c: LoweringContext,
  a: readonly number[],
  b: readonly number[],
  index: number,
): number[] {
  if (a.length !== b.length)
    c.fail(`has branches whose output ${index + 1} differs in rank (${a.length} vs ${b.length}).`);
  return a.map((d, i) => (d === b[i] ? d : -1));
}

function lowerIf(c: LoweringContext): OvValue[] {
  const thenGraph = c.graph('then_branch');
  const elseGraph = c.graph('else_branch');
  if (!thenGraph || !elseGraph) c.fail('has no then_branch or else_branch.');
  const thenBody = c.emitBody(thenGraph);
  const elseBody = c.emitBody(elseGraph);
  if (thenBody.results.length !== elseBody.results.length || thenBody.results.length !== c.node.output.length)
    c.fail('has branches with different numbers of outputs.');
  const inputs: OvValue[] = [c.input(0)];
  const portOf = new Map<string, number>();
  const mapInputs = (body: BodyEmission): { externalPort: number; internalLayer: number }[] =>
    body.captures.map(({ outer, parameterLayerId }) => {
      const key = `${outer.layer.id}:${outer.port}`;
      let port = portOf.get(key);
      if (port === undefined) {
        port = inputs.length;
        inputs.push(outer);
        portOf.set(key, port);
      }
      return { externalPort: port, internalLayer: parameterLayerId };
    });
  const thenInputs = mapInputs(thenBody);
  const elseInputs = mapInputs(elseBody);
  const outputs = thenBody.results.map((r, i) => {
    const other = elseBody.results[i].value;
    if (other.type !== r.value.type) c.fail(`has branches whose output ${i + 1} differs in element type.`);
    return { type: r.value.type, shape: mergeShapes(c, r.value.shape, other.shape, i) };
  });
  return c.b.ifLayer({
    name: c.label,
    inputs,
    outputs,
    bodies: {
      then: thenBody.builder,
      else: elseBody.builder,
      thenInputs,
      elseInputs,
      thenOutputs: thenBody.results.map((r, i) => ({ externalPort: i, internalLayer: r.layerId })),
      elseOutputs: elseBody.results.map((r, i) => ({ externalPort: i, internalLayer: r.layerId })),
    },
  });
}

export const CONTROL_LOWERINGS: Record<string, OpLowering> = {
  If: { lower: lowerIf },
};
