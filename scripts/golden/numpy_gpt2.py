#!/usr/bin/env python3
"""GPT-2's forward pass in plain numpy (float64), following HF's GPT2LMHeadModel: gelu_new, eps from the config,
Conv1D weights stored [in, out], logits tied to wte.

Run without torch: writes the tiny checkpoint (config.json, model.safetensors) and a provisional golden.json
that says it came from here. make_golden.py later replaces golden.json with HF transformers' own numbers, and
checks them against this file's forward pass.

    python3 scripts/golden/numpy_gpt2.py --out tests/GpuWorker.Tests/Golden/tiny
"""
import argparse
import os

import numpy as np

import golden_common as common


def layer_norm(x, gain, bias, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gain + bias


def gelu_new(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))


def forward(weights, cfg, ids):
    """Logits [T, V] of every position."""
    w = {name: value.astype(np.float64) for name, value in weights.items()}
    t, c, heads, eps = len(ids), cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    head_dim = c // heads
    x = w["wte.weight"][ids] + w["wpe.weight"][:t]
    future = np.triu(np.ones((t, t), dtype=bool), k=1)
    for i in range(cfg["n_layer"]):
        h = f"h.{i}."
        a = layer_norm(x, w[h + "ln_1.weight"], w[h + "ln_1.bias"], eps)
        qkv = a @ w[h + "attn.c_attn.weight"] + w[h + "attn.c_attn.bias"]
        q, k, v = (part.reshape(t, heads, head_dim).transpose(1, 0, 2) for part in np.split(qkv, 3, axis=-1))
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(head_dim)
        scores[:, future] = -np.inf
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        attended = (scores @ v).transpose(1, 0, 2).reshape(t, c)
        x = x + attended @ w[h + "attn.c_proj.weight"] + w[h + "attn.c_proj.bias"]
        m = layer_norm(x, w[h + "ln_2.weight"], w[h + "ln_2.bias"], eps)
        m = gelu_new(m @ w[h + "mlp.c_fc.weight"] + w[h + "mlp.c_fc.bias"])
        x = x + m @ w[h + "mlp.c_proj.weight"] + w[h + "mlp.c_proj.bias"]
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], eps)
    return x @ w["wte.weight"].T


def greedy(weights, cfg, prompt, count):
    """count new tokens, each the argmax after a full forward pass; and the smallest top-2 margin met."""
    ids, margin = list(prompt), np.inf
    for _ in range(count):
        last = forward(weights, cfg, ids)[-1]
        margin = min(margin, common.top2_margin(last))
        ids.append(int(np.argmax(last)))
    return ids[len(prompt):], margin


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder for config.json, model.safetensors, golden.json")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    cfg, recipe = common.GOLDENS["tiny"]
    weights = common.make_weights(cfg, recipe)
    common.write_config(args.out, cfg)
    # The names GPT2LMHeadModel.save_pretrained writes; the tied lm_head.weight is left out, as HF does.
    common.write_safetensors(os.path.join(args.out, "model.safetensors"),
                             {"transformer." + name: value for name, value in weights.items()})

    cases = []
    for name, prompt in common.make_prompts(cfg):
        logits = forward(weights, cfg, prompt)
        continuation, margin = greedy(weights, cfg, prompt, common.greedy_count(cfg, prompt))
        cases.append(dict(name=name, prompt=prompt, logits_positions=list(range(len(prompt))),
                          logits_fp32=common.pack_float32(logits), greedy_fp32=continuation,
                          greedy_fp32_min_margin=margin))
        print(f"{name}: {len(prompt)} prompt tokens, {len(continuation)} greedy, smallest top-2 margin {margin:.2e}")
    common.write_golden(args.out, "numpy float64 (scripts/golden/numpy_gpt2.py): provisional, until "
                        "make_golden.py's HF transformers output replaces it", cfg, recipe, cases)


if __name__ == "__main__":
    main()
