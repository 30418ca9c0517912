// A deep copy of a ModelProto for transforms that must not touch the source model.
//   const copy = cloneModel(source.proto);

import { onnx, type ModelProto } from './proto/index.js';

export function cloneModel(model: ModelProto): ModelProto {
  return onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
}
