#!/usr/bin/env python3
"""Build examples/tiny/model.onnx: the tiny text classifier the README runs first.

    python3 examples/make_tiny_model.py

Needs PyTorch (developed with torch 1.13, exporting at ONNX opset 17).
Weights come from torch.manual_seed(0), so the model is reproducible.

Model: input_ids int64 [batch, seq] and attention_mask int64 [batch, seq]
-> Embedding(64, 32) -> single-head self-attention (masked keys get -1e4
before the softmax) -> mean-pool over unmasked tokens -> LayerNorm
-> GELU MLP (residual) -> Linear -> logits float32 [batch, 4].
"""

import math
import os

import torch
from torch import nn

VOCAB = 64
DIM = 32
HIDDEN = 64
CLASSES = 4
OPSET = 17

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "tiny", "model.onnx")


class TinyClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, DIM)
        self.q = nn.Linear(DIM, DIM)
        self.k = nn.Linear(DIM, DIM)
        self.v = nn.Linear(DIM, DIM)
        self.o = nn.Linear(DIM, DIM)
        self.norm = nn.LayerNorm(DIM)
        self.mlp = nn.Sequential(nn.Linear(DIM, HIDDEN), nn.GELU(), nn.Linear(HIDDEN, DIM))
        self.head = nn.Linear(DIM, CLASSES)

    def forward(self, input_ids, attention_mask):
        h = self.embed(input_ids)                                   # [b, s, d]
        mask = attention_mask.to(h.dtype)                           # [b, s]
        scores = torch.matmul(self.q(h), self.k(h).transpose(1, 2)) / math.sqrt(DIM)
        scores = scores + (1.0 - mask).unsqueeze(1) * -1e4          # mask keys
        attn = torch.softmax(scores, dim=-1)                        # [b, s, s]
        h = h + self.o(torch.matmul(attn, self.v(h)))
        m = mask.unsqueeze(-1)                                      # [b, s, 1]
        pooled = (h * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)  # [b, d]
        z = self.norm(pooled)
        z = z + self.mlp(z)
        return self.head(z)                                         # [b, 4]


def main():
    torch.manual_seed(0)
    model = TinyClassifier().eval()

    gen = torch.Generator().manual_seed(0)
    input_ids = torch.randint(0, VOCAB, (2, 12), generator=gen, dtype=torch.int64)
    attention_mask = torch.ones(2, 12, dtype=torch.int64)
    attention_mask[1, 8:] = 0  # second row padded, so the mask path is traced

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            model,
            (input_ids, attention_mask),
            OUT,
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "logits": {0: "batch"},
            },
            opset_version=OPSET,
            do_constant_folding=True,
        )
    print(f"wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes, opset {OPSET})")


if __name__ == "__main__":
    main()
