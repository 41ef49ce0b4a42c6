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


def varied_weight(rng, name, shape, cfg):
    """The "varied" recipe, for the tiny and gpt2 goldens: embeddings N(0, 0.1); other matrices
    N(0, 1.6 / sqrt(fan_in)); biases N(0, 0.02); layer-norm gains 1 + N(0, 0.1).

    HF's own init (N(0, 0.02) everywhere, biases 0, gains 1) gives a near-uniform next-token distribution whose
    greedy continuation repeats one token, which would exercise neither positions nor the KV cache. These scales
    give varied continuations with clear top-2 margins, and non-trivial biases and gains, so that a swapped or
    missing one changes the logits. The price is large activations: HF's own bf16 logits are 1e-2 or more from its
    fp32 ones on the gpt2 shape.
    """
    kind = name.split(".")[-2]
    if kind.startswith("ln") and name.endswith("weight"):
        return 1.0 + rng.normal(0.0, 0.1, size=shape)
    if name.endswith("bias"):
        return rng.normal(0.0, 0.02, size=shape)
    if kind in ("wte", "wpe"):
        return rng.normal(0.0, 0.1, size=shape)
    return rng.normal(0.0, 1.6 / np.sqrt(shape[0]), size=shape)


def gpt2_init_weight(rng, name, shape, cfg):
    """The "gpt2-init" recipe, GPT-2's own initialisation as HF's GPT2PreTrainedModel._init_weights does it:
    matrices and embeddings N(0, 0.02), the two c_proj matrices N(0, 0.02 / sqrt(2 n_layer)), biases 0,
    layer-norm gains 1. Realistic activation scales, for bounding bf16 logits; greedy may repeat tokens.
    """
    kind = name.split(".")[-2]
    if kind.startswith("ln") and name.endswith("weight"):
        return np.ones(shape)
    if name.endswith("bias"):
        return np.zeros(shape)
    std = 0.02 / np.sqrt(2 * cfg["n_layer"]) if kind == "c_proj" else 0.02
    return rng.normal(0.0, std, size=shape)


RECIPES = {"varied": varied_weight, "gpt2-init": gpt2_init_weight}

# Each golden: its shape and its weight recipe.
GOLDENS = {"tiny": (TINY, "varied"), "gpt2": (GPT2, "varied"), "gpt2-init": (GPT2, "gpt2-init")}


def make_weights(cfg, recipe="varied", seed=SEED):
    """float32 weights by one of RECIPES, drawn from RandomState(seed) in weight_shapes order."""
    rng = np.random.RandomState(seed)
    weight = RECIPES[recipe]
    return {name: weight(rng, name, shape, cfg).astype(np.float32) for name, shape in weight_shapes(cfg)}


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


def write_golden(folder, source, cfg, recipe, cases):
    """golden.json: where it came from, the shape and weight recipe, and per prompt its logits and greedy
    continuations."""
    golden = {"source": source, "seed": SEED, "weights": recipe, "config": cfg, "cases": cases}
    with open(os.path.join(folder, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
