// The tool's version, written into report.json and cache keys. A test checks it
// matches package.json.
export const TOOL_NAME = 'model-convert';
export const TOOL_VERSION = '0.1.0';
/** onnxruntime-node version the project pins (package.json), used for native installs. */
export const ORT_VERSION = '1.30.0';
/** webgpu (Dawn for Node) version the project pins (package.json), used for native installs. */
export const WEBGPU_VERSION = '0.6.2';
