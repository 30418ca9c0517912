// Generated from export_model.py by embed-export-script.mjs: do not edit by hand.
// The PyTorch exporter script, embedded so that it ships inside dist/ (export.ts writes it
// to a temporary folder and runs it).
//   writeFileSync(path.join(dir, EXPORT_SCRIPT_NAME), EXPORT_SCRIPT);

export const EXPORT_SCRIPT_NAME = 'export_model.py';

export const EXPORT_SCRIPT = `"""model-convert's PyTorch exporter, run in a subprocess by src/pytorch/export.ts.

Loads a PyTorch source (TorchScript archive, ExportedProgram .pt2, a state_dict plus a module
class, or -- only when allowed -- a pickled nn.Module), runs it on the sample inputs that
model-convert generated, exports it to ONNX with torch.onnx.export, and writes a JSON result.
Everything it needs comes from one request file; it never reads stdin.

    python3 export_model.py request.json

The request names: model, allowPickle, module/moduleArgs/moduleKwargs, workspace (folders put
on sys.path), samples (.npz files, one per sample, keyed by input name), inputNames,
outputNames, dynamicAxes, opset, onnxPath, outputsDir and resultPath. The result is
{"ok": true, ...facts} or {"ok": false, "code", "message", "op", "traceback"}; the exit code is 0
whenever the result file was written. The text of this file is embedded in
src/pytorch/export-script.ts (regenerate with \`node src/pytorch/embed-export-script.mjs\`).
"""

import importlib
import inspect
import json
import os
import re
import sys
import time
import traceback
import warnings
import zipfile

MAX_DEFAULT_OPSET = 20
STATE_DICT_KEYS = ("state_dict", "model_state_dict", "model")


class ExportProblem(Exception):
    """A problem with the user's model or settings: reported as one line, exit 2 upstream."""

    def __init__(self, code, message, op=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.op = op


def one_line(text, limit=400):
    text = re.sub(r"\\s+", " ", str(text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_exception(error):
    name = type(error).__name__
    message = str(error).strip()
    # TorchScript errors carry their own multi-line traceback; keep the first meaningful line.
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if lines and lines[0].startswith("The following operation failed in the TorchScript interpreter"):
        tail = [line for line in lines if re.match(r"^[\\w.]+(Error|Exception):", line)]
        return one_line(tail[-1] if tail else lines[-1])
    return one_line(f"{name}: {lines[0] if lines else ''}" if lines else name)


# ---------------------------------------------------------------- what the file is


def detect_kind(path):
    """'torchscript' | 'exported-program' | 'pickle' (torch.save, zip or legacy) | 'unknown'."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        inner = {name.split("/", 1)[1] if "/" in name else name for name in names}
        if "serialized_exported_program.json" in inner or (
            "archive_format" in inner and any(n.startswith("models/") for n in inner)
        ):
            return "exported-program"
        if "constants.pkl" in inner and any(n.startswith("code/") for n in inner):
            return "torchscript"
        if "data.pkl" in inner:
            return "pickle"
        return "unknown"
    with open(path, "rb") as handle:
        head = handle.read(2)
    if len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "pickle"
    return "unknown"


# ---------------------------------------------------------------- loading the module


def import_class(spec, workspace):
    if ":" not in spec:
        raise ExportProblem("bad-module", f'pytorch.module "{spec}" must look like package.module:Class')
    module_name, _, attribute = spec.partition(":")
    for folder in reversed(workspace):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        where = ", ".join(workspace)
        raise ExportProblem(
            "bad-module",
            f'cannot import "{module_name}" for pytorch.module "{spec}" from {where}: {describe_exception(error)}',
        ) from error
    target = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise ExportProblem("bad-module", f'"{module_name}" has no attribute "{attribute}" (pytorch.module "{spec}")')
    return target


def pick_state_dict(obj, torch):
    """The tensor dict inside a checkpoint: the dict itself or obj['state_dict'|'model_state_dict'|'model']."""
    if isinstance(obj, dict):
        if obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
            return obj
        for key in STATE_DICT_KEYS:
            inner = obj.get(key)
            if isinstance(inner, dict) and inner and all(isinstance(v, torch.Tensor) for v in inner.values()):
                return inner
    return None


def build_from_state_dict(state, request, torch):
    spec = request.get("module")
    if not spec:
        raise ExportProblem(
            "needs-module",
            f"a state_dict ({len(state)} tensors) and no module class to load it into; set pytorch.module: "
            "package.module:Class (and pytorch.args / pytorch.kwargs) in convert.yml",
        )
    cls = import_class(spec, request.get("workspace", []))
    try:
        module = cls(*request.get("moduleArgs", []), **request.get("moduleKwargs", {}))
    except Exception as error:
        raise ExportProblem("bad-module", f"{spec}(...) failed: {describe_exception(error)}") from error
    if not isinstance(module, torch.nn.Module):
        raise ExportProblem("bad-module", f"{spec} made a {type(module).__name__}, not a torch.nn.Module")
    if all(key.startswith("module.") for key in state):
        state = {key[len("module."):]: value for key, value in state.items()}
    result = module.load_state_dict(state, strict=False)
    if result.missing_keys or result.unexpected_keys:
        parts = []
        if result.missing_keys:
            parts.append(f"missing {len(result.missing_keys)} (e.g. {result.missing_keys[0]})")
        if result.unexpected_keys:
            parts.append(f"unexpected {len(result.unexpected_keys)} (e.g. {result.unexpected_keys[0]})")
        raise ExportProblem(
            "state-dict-mismatch",
            f"the state_dict does not fit {spec}: {'; '.join(parts)}; check pytorch.module, args and kwargs",
        )
    return module


def load_module(request, torch, kind, facts):
    path = request["model"]
    load_signature = inspect.signature(torch.load).parameters
    if kind == "torchscript":
        if request.get("module"):
            facts["warnings"].append("a TorchScript archive: pytorch.module is not used")
        return torch.jit.load(path, map_location="cpu")
    if kind == "exported-program":
        export = getattr(torch, "export", None)
        if export is None or not hasattr(export, "load"):
            raise ExportProblem(
                "no-torch-export",
                "an ExportedProgram (.pt2), which needs torch.export (torch >= 2.1); "
                f"the installed torch {torch.__version__} has none. Upgrade torch, or save the model "
                "with torch.jit.save (TorchScript) instead",
            )
        return export.load(path).module()
    if kind != "pickle":
        raise ExportProblem(
            "unknown-format",
            "neither a TorchScript archive, an ExportedProgram nor a torch.save file; "
            "pass a .pt saved with torch.jit.save or torch.save, or an ONNX model",
        )
    # torch.save: weights only (safe) unless the user allowed unpickling arbitrary objects.
    safe_error = None
    if "weights_only" in load_signature:
        try:
            loaded = torch.load(path, map_location="cpu", weights_only=True)
            state = pick_state_dict(loaded, torch)
            if state is None:
                raise ExportProblem(
                    "unknown-format",
                    f"holds a {type(loaded).__name__} of plain data, not a state_dict of tensors",
                )
            facts["kind"] = "state-dict"
            return build_from_state_dict(state, request, torch)
        except ExportProblem:
            raise
        except Exception as error:  # UnpicklingError: it references classes beyond tensors
            found = re.search(r"Unsupported (?:class|global:?)\\s+(?:GLOBAL\\s+)?([\\w.:]+)", str(error))
            safe_error = f"it refers to {found.group(1)}" if found else describe_exception(error)
    if not request.get("allowPickle"):
        detail = f" ({safe_error})" if safe_error else ""
        raise ExportProblem(
            "pickle-refused",
            f"a pickled Python object{detail}; unpickling it runs arbitrary code from the "
            "file. If you trust it, set allow-pickle: true (--allow-pickle), or save a TorchScript "
            "archive (torch.jit.save) or a state_dict with pytorch.module instead",
        )
    for folder in reversed(request.get("workspace", [])):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    try:
        extra = {"weights_only": False} if "weights_only" in load_signature else {}
        loaded = torch.load(path, map_location="cpu", **extra)
    except (AttributeError, ModuleNotFoundError, ImportError) as error:
        raise ExportProblem(
            "bad-module",
            "unpickling needs a class that is not importable from the workspace "
            f"({', '.join(request.get('workspace', []))}): {describe_exception(error)}; the class must "
            "live in a module there (not in the __main__ script that saved it)",
        ) from error
    if isinstance(loaded, torch.nn.Module):
        facts["kind"] = "pickled-module"
        return loaded
    state = pick_state_dict(loaded, torch)
    if state is not None:
        facts["kind"] = "state-dict"
        return build_from_state_dict(state, request, torch)
    raise ExportProblem("unknown-format", f"holds a {type(loaded).__name__}, not an nn.Module or a state_dict")


# ---------------------------------------------------------------- inputs and outputs


def forward_parameters(module, torch):
    """(name, required) for each parameter of forward after self; None when unknown."""
    if isinstance(module, torch.jit.ScriptModule):
        try:
            arguments = module.forward.schema.arguments[1:]
        except Exception:
            return None
        return [(a.name, not a.has_default_value()) for a in arguments]
    try:
        parameters = inspect.signature(module.forward).parameters.values()
    except (TypeError, ValueError):
        return None
    plain = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind == p.VAR_POSITIONAL for p in parameters):
        return None
    return [(p.name, p.default is inspect.Parameter.empty) for p in plain]


def argument_order(input_names, parameters):
    """Input names in forward's positional order (names that are forward's parameters), else as given."""
    if parameters is None:
        return list(input_names)
    names = [name for name, _ in parameters]
    given = set(input_names)
    if not given.issubset(names):
        if len(input_names) > len(names):
            raise ExportProblem(
                "input-names",
                f"{len(input_names)} inputs ({', '.join(input_names)}) but forward takes "
                f"{len(names)} ({', '.join(names)})",
            )
        return list(input_names)  # positional, in the order given
    last = max(names.index(name) for name in input_names)
    skipped = [name for name in names[:last] if name not in given]
    if skipped:
        raise ExportProblem(
            "input-names",
            f"forward({', '.join(names)}) needs {', '.join(skipped)} before {names[last]}; "
            "give an input for each leading parameter of forward",
        )
    required = [name for name, needed in parameters[last + 1 :] if needed]
    if required:
        raise ExportProblem(
            "input-names", f"forward({', '.join(names)}) also needs {', '.join(required)}; add it to pytorch.inputs"
        )
    return names[: last + 1]


def flatten_outputs(value, torch):
    if value is None:
        return []
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in flatten_outputs(item, torch)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in flatten_outputs(item, torch)]
    if isinstance(value, (bool, int, float)):
        return [torch.as_tensor(value)]
    raise ExportProblem("bad-output", f"forward returned a {type(value).__name__}; return tensors (or tuples/dicts of them)")


def to_numpy(tensor, torch):
    tensor = tensor.detach().cpu()
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.float()
    return tensor.contiguous().numpy()


def max_supported_opset(torch):
    constants = getattr(torch.onnx, "_constants", None)
    value = getattr(constants, "ONNX_MAX_OPSET", None) if constants else None
    if value is None:
        helper = getattr(torch.onnx, "symbolic_helper", None)
        stable = getattr(helper, "_onnx_stable_opsets", None) if helper else None
        value = max(stable) if stable else 13
    return int(value)


# ---------------------------------------------------------------- the job


def run(request, facts):
    try:
        import numpy
        import torch
    except ImportError as error:
        raise ExportProblem("no-torch", f"{sys.executable} cannot import torch: {describe_exception(error)}") from error
    facts["torch"] = torch.__version__
    facts["python"] = sys.executable
    torch.set_grad_enabled(False)

    kind = detect_kind(request["model"])
    facts["kind"] = kind
    module = load_module(request, torch, kind, facts)
    if isinstance(module, torch.nn.Module):
        module.eval()
    facts["moduleClass"] = type(module).__name__
    if isinstance(module, torch.jit.ScriptModule):
        facts["moduleClass"] = getattr(module, "original_name", facts["moduleClass"])

    input_names = request["inputNames"]
    order = argument_order(input_names, forward_parameters(module, torch))
    samples = []
    for file in request["samples"]:
        with numpy.load(file, allow_pickle=False) as data:
            samples.append(tuple(torch.from_numpy(numpy.array(data[name])) for name in order))

    # PyTorch's own outputs on every sample: the reference the exported ONNX is checked against.
    output_names = list(request.get("outputNames") or [])
    for index, args in enumerate(samples):
        try:
            outputs = flatten_outputs(module(*args), torch)
        except ExportProblem:
            raise
        except Exception as error:
            shapes = ", ".join(f"{n}{list(a.shape)} {str(a.dtype).replace('torch.', '')}" for n, a in zip(order, args))
            raise ExportProblem(
                "forward-failed",
                f"running the module on sample {index} ({shapes}) failed: {describe_exception(error)}; "
                "check pytorch.inputs (names, shapes, dtypes, ranges)",
            ) from error
        if not output_names:
            output_names = ["output"] if len(outputs) == 1 else [f"output_{i}" for i in range(len(outputs))]
        if len(output_names) != len(outputs):
            raise ExportProblem(
                "output-names",
                f"forward returns {len(outputs)} tensors but pytorch.outputs names {len(output_names)} "
                f"({', '.join(output_names)})",
            )
        arrays = {name: to_numpy(t, torch) for name, t in zip(output_names, outputs)}
        numpy.savez(os.path.join(request["outputsDir"], f"torch_{index}.npz"), **arrays)

    highest = max_supported_opset(torch)
    opset = request.get("opset") or min(MAX_DEFAULT_OPSET, highest)
    if opset > highest:
        raise ExportProblem(
            "bad-opset", f"torch {torch.__version__} exports ONNX opsets up to {highest}; set pytorch.opset to {highest} or lower"
        )
    facts["opset"] = opset

    dynamic_axes = {}
    for name, axes in (request.get("dynamicAxes") or {}).items():
        dynamic_axes[name] = {int(axis): label for axis, label in axes.items()}
    options = dict(
        input_names=order,
        output_names=output_names,
        opset_version=opset,
        do_constant_folding=True,
        dynamic_axes=dynamic_axes or None,
    )
    export_parameters = inspect.signature(torch.onnx.export).parameters
    if "dynamo" in export_parameters:
        options["dynamo"] = False  # the TorchScript-based exporter: it handles ScriptModules too
    facts["exporter"] = f"torch.onnx.export (TorchScript-based) {torch.__version__}"
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            torch.onnx.export(module, samples[0], request["onnxPath"], **options)
        except Exception as error:
            message = str(error)
            found = re.search(r"operator '?([\\w:.]+)'?", message)
            unsupported = type(error).__name__ == "UnsupportedOperatorError" or (
                found and "not supported" in message
            )
            if unsupported:
                op = found.group(1) if found else "unknown"
                first = message.split("Please feel free")[0]
                raise ExportProblem("unsupported-op", one_line(first), op=op) from error
            raise ExportProblem("export-failed", f"torch.onnx.export failed: {describe_exception(error)}") from error
    facts["seconds"] = round(time.perf_counter() - started, 3)
    tracer = [one_line(w.message, 300) for w in caught if type(w.message).__name__ == "TracerWarning"]
    facts["warnings"].extend(dict.fromkeys(tracer))
    facts["inputNames"] = order
    facts["outputNames"] = output_names


def write_result(path, result):
    partial = path + ".partial"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    os.replace(partial, path)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: export_model.py request.json\\n")
        return 2
    with open(sys.argv[1], encoding="utf-8") as handle:
        request = json.load(handle)
    facts = {"warnings": []}
    try:
        run(request, facts)
        result = dict(facts, ok=True)
    except ExportProblem as problem:
        result = dict(facts, ok=False, code=problem.code, message=problem.message, op=problem.op)
        result["traceback"] = traceback.format_exc()
    except BaseException as error:  # a crash: the last relevant line, the traceback for --verbose
        result = dict(facts, ok=False, code="crash", message=describe_exception(error))
        result["traceback"] = traceback.format_exc()
    write_result(request["resultPath"], result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;
