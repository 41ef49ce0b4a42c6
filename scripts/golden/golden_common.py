"""What both golden generators share: the model shapes, the seeded weights, the prompts, and the file formats.

The weights come from numpy's RandomState, drawn in a fixed order, so they do not depend on torch's
initialisation order or version: numpy_gpt2.py and make_golden.py build bit-identical checkpoints.
"""
import base64
import json
import os
import struct

import numpy as np

SEED = 1234

# Small enough to commit (about 0.6 MB of fp32 weights); 4 heads of 16 so that head splitting is exercised.
TINY = dict(n_layer=2, n_head=4, n_embd=64, vocab_size=512, n_positions=128, layer_norm_epsilon=1e-5)
# GPT-2 small's shape: the real vocabulary and context, seeded random weights (not committed).
GPT2 = dict(n_layer=12, n_head=12, n_embd=768, vocab_size=50257, n_positions=1024, layer_norm_epsilon=1e-5)

GREEDY_TOKENS = 64


def weight_shapes(cfg):
    """HF GPT2Model's parameter names (no "transformer." prefix) and shapes, in drawing order."""
    c, v, p = cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"]
    shapes = [("wte.weight", (v, c)), ("wpe.weight", (p, c))]
    for i in range(cfg["n_layer"]):
        h = f"h.{i}."
        shapes += [
            (h + "ln_1.weight", (c,)), (h + "ln_1.bias", (c,)),
            (h + "attn.c_attn.weight", (c, 3 * c)), (h + "attn.c_attn.bias", (3 * c,)),
            (h + "attn.c_proj.weight", (c, c)), (h + "attn.c_proj.bias", (c,)),
            (h + "ln_2.weight", (c,)), (h + "ln_2.bias", (c,)),
            (h + "mlp.c_fc.weight", (c, 4 * c)), (h + "mlp.c_fc.bias", (4 * c,)),
            (h + "mlp.c_proj.weight", (4 * c, c)), (h + "mlp.c_proj.bias", (c,)),
        ]
    shapes += [("ln_f.weight", (c,)), ("ln_f.bias", (c,))]
    return shapes


def make_weights(cfg, seed=SEED):
    """float32 weights: embeddings N(0, 0.1); other matrices N(0, 1.6 / sqrt(fan_in)); biases N(0, 0.02);
    layer-norm gains 1 + N(0, 0.1).

    HF's own init (N(0, 0.02) everywhere, biases 0, gains 1) gives a near-uniform next-token distribution whose
    greedy continuation repeats one token, which would exercise neither positions nor the KV cache. These scales
    give varied continuations with clear top-2 margins, and non-trivial biases and gains, so that a swapped or
    missing one changes the logits.
    """
    rng = np.random.RandomState(seed)
    weights = {}
    for name, shape in weight_shapes(cfg):
        kind = name.split(".")[-2]
        if kind.startswith("ln") and name.endswith("weight"):
            values = 1.0 + rng.normal(0.0, 0.1, size=shape)
        elif name.endswith("bias"):
            values = rng.normal(0.0, 0.02, size=shape)
        elif kind in ("wte", "wpe"):
            values = rng.normal(0.0, 0.1, size=shape)
        else:
            values = rng.normal(0.0, 1.6 / np.sqrt(shape[0]), size=shape)
        weights[name] = values.astype(np.float32)
    return weights


def make_prompts(cfg, seed=SEED):
    """Prompts as token ids: one token, a few, a paragraph, and one filling most of the context."""
    rng = np.random.RandomState(seed + 1)
    v, p = cfg["vocab_size"], cfg["n_positions"]
    lengths = [("one-token", 1), ("short", 7), ("paragraph", 32), ("near-full", p - 8)]
    return [(name, [int(t) for t in rng.randint(0, v, size=n)]) for name, n in lengths]


def greedy_count(cfg, prompt):
    """New tokens to generate: GREEDY_TOKENS, or fewer where the context would overflow."""
    return min(GREEDY_TOKENS, cfg["n_positions"] - len(prompt))


def pack_float32(array):
    """Little-endian float32, base64: exact, and a quarter the size of a JSON float list."""
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def top2_margin(logits_row):
    top = np.sort(logits_row)[-2:]
    return float(top[1] - top[0])


def write_config(folder, cfg):
    """config.json as HF's GPT2Config.save_pretrained writes it, with the keys this project reads."""
    config = dict(cfg)
    config.update(model_type="gpt2", architectures=["GPT2LMHeadModel"], activation_function="gelu_new",
                  n_inner=None)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)


def write_safetensors(path, tensors):
    """safetensors as save_pretrained writes it: names sorted, header space-padded to 8 bytes, format "pt"."""
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name], dtype="<f4")
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for name in sorted(tensors):
            f.write(np.ascontiguousarray(tensors[name], dtype="<f4").tobytes())


def write_golden(folder, source, cfg, cases):
    """golden.json: where it came from, the shape, and per prompt its logits and greedy continuations."""
    golden = {"source": source, "seed": SEED, "config": cfg, "cases": cases}
    with open(os.path.join(folder, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
