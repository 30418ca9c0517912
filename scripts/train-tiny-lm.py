#!/usr/bin/env python3
"""Train the tiny byte-level language model in __tests__/fixtures/tiny-lm/.

Quantizers look better on random weights than on trained ones (trained weights have
outliers), so the tests also measure next-token loss of a small *trained* LM. This
script builds that model from text that ships with Debian, with no downloads:

  corpus  docstrings (ast.get_docstring) of /usr/lib/python3.11/**/*.py, sorted by path,
          skipping test/ directories, site-/dist-packages and files that do not parse;
          one UTF-8 byte stream per file, docstrings joined by a blank line. Every 10th
          file (index % 10 == 9) is held out for validation; the rest is training text.
          Bytes are tokens (vocab 256).
  model   decoder-only transformer, Llama-like: token + learned position embedding,
          3 pre-norm blocks of RMSNorm -> causal self-attention (4 heads) and RMSNorm ->
          SwiGLU MLP, final RMSNorm, untied LM head; hidden 128, context 64.
  train   AdamW, fixed step count (600 x 16 x 64 tokens), seeded batch sampling, one
          thread (two OpenMP threads crawl on a busy 2-core machine), linear layers on
          oneDNN because Debian's torch links the slow reference BLAS. About 5-7 minutes.
  export  torch.onnx.export opset 17: input_ids int64 [batch, seq] -> logits float32
          [batch, seq, 256], dynamic axes batch/seq, constant folding.

Writes model.onnx, eval-tokens.npy (int64 [8, 64], held-out text) and inputs.npz (key
input_ids, same array) into __tests__/fixtures/tiny-lm/, and prints the numbers that
README.md records. Same inputs, same thread count -> same weights.

Requirements: Debian's python3-torch (1.13), python3-onnx (1.12), python3-numpy:

    /usr/bin/python3 scripts/train-tiny-lm.py [--steps N] [--out DIR] [--compare a.onnx ...]

--compare prints the same weight-outlier statistics for other ONNX models (e.g. the
random fixtures in ../shared/fixtures).
"""

import argparse
import ast
import glob
import hashlib
import math
import os
import sys
import time
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "__tests__", "fixtures", "tiny-lm")
STDLIB = "/usr/lib/python3.11"

SEED = 1234
THREADS = 1
VOCAB = 256
CONTEXT = 64
HIDDEN = 128
HEADS = 4
LAYERS = 3
FFN = 352
BATCH = 16
STEPS = 600
LR = 3e-3
WARMUP = 50
WEIGHT_DECAY = 0.01
EVAL_SEQS = 8


# --------------------------------------------------------------------------
# corpus
# --------------------------------------------------------------------------

def corpus_files():
    files = sorted(glob.glob(os.path.join(STDLIB, "**", "*.py"), recursive=True))
    keep = []
    for f in files:
        rel = os.path.relpath(f, STDLIB)
        parts = rel.split(os.sep)
        if any(p in ("test", "tests", "site-packages", "dist-packages") for p in parts):
            continue
        keep.append(f)
    return keep


def file_docstrings(path):
    try:
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return None
    docs = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            d = ast.get_docstring(node)
            if d:
                docs.append(d)
    return "\n\n".join(docs) + "\n\n" if docs else None


def build_corpus():
    warnings.simplefilter("ignore", SyntaxWarning)  # invalid escapes in old stdlib sources
    train, val = [], []
    for i, f in enumerate(corpus_files()):
        text = file_docstrings(f)
        if text is None:
            continue
        (val if i % 10 == 9 else train).append(text.encode("utf-8"))
    return b"".join(train), b"".join(val)


# --------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------

def _mm_nt(a, b):
    """a [M, K] @ b [N, K]^T on oneDNN (Debian's torch links the slow reference BLAS)."""
    a, b = a.contiguous().to_mkldnn(), b.contiguous().to_mkldnn()
    return torch._C._nn.mkldnn_linear(a, b, None).to_dense()


class _OneDnnLinear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return _mm_nt(x.reshape(-1, x.shape[-1]), w).view(*x.shape[:-1], w.shape[0])

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        g2, x2 = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
        return _mm_nt(g2, w.t()).view(x.shape), _mm_nt(g2.t(), x2.t())


class Linear(nn.Linear):
    """nn.Linear without bias; trains through oneDNN, exports as a plain MatMul."""

    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out, bias=False)

    def forward(self, x):
        if torch.onnx.is_in_onnx_export():
            return F.linear(x, self.weight)
        return _OneDnnLinear.apply(x, self.weight)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q_proj = Linear(HIDDEN, HIDDEN)
        self.k_proj = Linear(HIDDEN, HIDDEN)
        self.v_proj = Linear(HIDDEN, HIDDEN)
        self.o_proj = Linear(HIDDEN, HIDDEN)
        mask = torch.tril(torch.ones(CONTEXT, CONTEXT, dtype=torch.bool))
        self.register_buffer("mask", mask.view(1, 1, CONTEXT, CONTEXT), persistent=False)

    def forward(self, x):
        b, t, _ = x.shape
        hd = HIDDEN // HEADS

        def split(y):
            return y.view(b, t, HEADS, hd).transpose(1, 2)

        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        att = att.masked_fill(~self.mask[:, :, :t, :t], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, HIDDEN)
        return self.o_proj(y)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate_proj = Linear(HIDDEN, FFN)
        self.up_proj = Linear(HIDDEN, FFN)
        self.down_proj = Linear(FFN, HIDDEN)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.input_norm = RMSNorm(HIDDEN)
        self.attn = Attention()
        self.post_attention_norm = RMSNorm(HIDDEN)
        self.mlp = MLP()

    def forward(self, x):
        x = x + self.attn(self.input_norm(x))
        return x + self.mlp(self.post_attention_norm(x))


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed_tokens = nn.Embedding(VOCAB, HIDDEN)
        self.embed_positions = nn.Embedding(CONTEXT, HIDDEN)
        self.layers = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.norm = RMSNorm(HIDDEN)
        self.lm_head = Linear(HIDDEN, VOCAB)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)
                if name.endswith("o_proj.weight") or name.endswith("down_proj.weight"):
                    p.data.mul_(1.0 / math.sqrt(2 * LAYERS))

    def forward(self, input_ids):
        t = input_ids.shape[1]
        pos = torch.arange(t, device=input_ids.device)
        x = self.embed_tokens(input_ids) + self.embed_positions(pos)
        for layer in self.layers:
            x = layer(x)
        return self.lm_head(self.norm(x))


# --------------------------------------------------------------------------
# data, training, evaluation
# --------------------------------------------------------------------------

def batch_at(data, starts):
    idx = starts[:, None] + torch.arange(CONTEXT + 1)[None, :]
    chunk = data[idx]
    return chunk[:, :-1], chunk[:, 1:]


def val_windows(val):
    """Non-overlapping 65-byte windows over the whole validation text."""
    n = (len(val) - 1) // CONTEXT
    return torch.arange(n) * CONTEXT


@torch.no_grad()
def mean_loss(model, data, starts, batch=256):
    total, count = 0.0, 0
    for i in range(0, len(starts), batch):
        x, y = batch_at(data, starts[i : i + batch])
        logits = model(x)
        total += F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1), reduction="sum").item()
        count += y.numel()
    return total / count


def unigram_cross_entropy(train, targets):
    """Loss of predicting `targets` with the training-text byte frequencies (add-one smoothing)."""
    counts = np.bincount(np.frombuffer(train, dtype=np.uint8), minlength=VOCAB).astype(np.float64) + 1
    logp = np.log(counts / counts.sum())
    return float(-logp[np.asarray(targets, dtype=np.int64)].mean())


def lr_at(step):
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    progress = (step - WARMUP) / max(1, STEPS - WARMUP)
    return LR * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def train(model, train_t, val_t):
    gen = torch.Generator().manual_seed(SEED)
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": no_decay, "weight_decay": 0.0}],
        lr=LR,
        betas=(0.9, 0.95),
    )
    vstarts = val_windows(val_t)
    t0 = time.time()
    ema = None
    for step in range(STEPS):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        starts = torch.randint(0, len(train_t) - CONTEXT - 1, (BATCH,), generator=gen)
        x, y = batch_at(train_t, starts)
        loss = F.cross_entropy(model(x).reshape(-1, VOCAB), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % 150 == 0 or step == STEPS - 1:
            model.eval()
            v = mean_loss(model, val_t, vstarts[:256])
            model.train()
            print(f"step {step:5d}  train(ema) {ema:.4f}  val(256 windows) {v:.4f}  {time.time() - t0:6.1f}s",
                  flush=True)
    return time.time() - t0


def eval_tokens(val):
    """EVAL_SEQS windows of CONTEXT bytes, evenly spaced through the validation text."""
    step = (len(val) - CONTEXT) // EVAL_SEQS
    arr = np.frombuffer(val, dtype=np.uint8)
    return np.stack([arr[i * step : i * step + CONTEXT] for i in range(EVAL_SEQS)]).astype(np.int64)


# --------------------------------------------------------------------------
# weight statistics
# --------------------------------------------------------------------------

def weight_stats(name, w):
    shape = list(np.shape(w))
    w = np.asarray(w, dtype=np.float64).ravel()
    std = w.std()
    kurt = float(((w - w.mean()) ** 4).mean() / std**4 - 3.0)
    return f"{name:40s} {str(shape):>12s} excess-kurtosis {kurt:7.2f}  max|w|/std {np.abs(w).max() / std:6.2f}"


def onnx_weight_stats(path, min_size=4096):
    m = onnx.load(path)
    rows = []
    for init in m.graph.initializer:
        a = numpy_helper.to_array(init)
        if a.ndim == 2 and a.size >= min_size and a.dtype == np.float32:
            w = a.astype(np.float64).ravel()
            std = w.std()
            rows.append((init.name, a.shape, float(((w - w.mean()) ** 4).mean() / std**4 - 3.0),
                         float(np.abs(w).max() / std)))
    return rows


def print_onnx_stats(path):
    rows = onnx_weight_stats(path)
    print(f"\n{os.path.basename(path)}: 2-D float initializers with >= 4096 values")
    for name, shape, k, r in rows:
        print(f"  {name[:48]:48s} {str(list(shape)):>12s} excess-kurtosis {k:7.2f}  max|w|/std {r:6.2f}")
    if rows:
        ks, rs = [r[2] for r in rows], [r[3] for r in rows]
        print(f"  median excess-kurtosis {np.median(ks):.2f} (max {max(ks):.2f}); "
              f"median max|w|/std {np.median(rs):.2f} (max {max(rs):.2f})")


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def main():
    global STEPS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--compare", nargs="*", default=[], help="other ONNX files to print weight statistics for")
    args = ap.parse_args()
    STEPS = args.steps

    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)

    train_b, val_b = build_corpus()
    print(f"python {sys.version.split()[0]}, torch {torch.__version__}, onnx {onnx.__version__}, numpy {np.__version__}")
    print(f"corpus: train {len(train_b)} bytes sha256 {hashlib.sha256(train_b).hexdigest()[:16]}, "
          f"val {len(val_b)} bytes sha256 {hashlib.sha256(val_b).hexdigest()[:16]}")
    train_t = torch.from_numpy(np.frombuffer(train_b, dtype=np.uint8).astype(np.int64))
    val_t = torch.from_numpy(np.frombuffer(val_b, dtype=np.uint8).astype(np.int64))

    model = TinyLM()
    print(f"parameters: {sum(p.numel() for p in model.parameters())}")
    seconds = train(model, train_t, val_t)
    model.eval()

    vstarts = val_windows(val_t)
    rng = torch.Generator().manual_seed(SEED + 1)
    tstarts = torch.randint(0, len(train_t) - CONTEXT - 1, (512,), generator=rng)
    train_loss = mean_loss(model, train_t, tstarts)
    val_loss = mean_loss(model, val_t, vstarts)
    val_targets = val_t[1 : len(vstarts) * CONTEXT + 1].numpy()
    print(f"\ntraining: {STEPS} steps x {BATCH} x {CONTEXT} tokens in {seconds:.1f}s ({THREADS} thread(s))")
    print(f"train loss {train_loss:.4f} (512 random windows)  val loss {val_loss:.4f} (all {len(vstarts)} windows), nats/token")
    print(f"unigram baseline (train byte frequencies) on val: {unigram_cross_entropy(train_b, val_targets):.4f}")

    ev = eval_tokens(val_b)
    with torch.no_grad():
        logits = model(torch.from_numpy(ev))
        ev_loss = F.cross_entropy(logits[:, :-1].reshape(-1, VOCAB), torch.from_numpy(ev[:, 1:]).reshape(-1)).item()
    print(f"eval set [{EVAL_SEQS}, {CONTEXT}]: torch loss {ev_loss:.6f}; "
          f"unigram {unigram_cross_entropy(train_b, ev[:, 1:]):.6f}")

    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "eval-tokens.npy"), ev)
    np.savez(os.path.join(args.out, "inputs.npz"), input_ids=ev)
    onnx_path = os.path.join(args.out, "model.onnx")
    torch.onnx.export(
        model,
        (torch.from_numpy(ev),),
        onnx_path,
        input_names=["input_ids"],
        output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}},
        opset_version=17,
        do_constant_folding=True,
    )
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m, full_check=True)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes)")

    print("\ntrained weights:")
    for name, p in model.named_parameters():
        if p.dim() == 2 and ("layers.0." in name or "layers.2." in name or "layers" not in name):
            print("  " + weight_stats(name, p.detach().numpy()))
    for path in [onnx_path] + args.compare:
        print_onnx_stats(path)


if __name__ == "__main__":
    main()
