#!/usr/bin/env python3
"""Golden outputs of HF transformers' GPT2LMHeadModel, for the C# GPT-2 to match.

For each golden of golden_common.GOLDENS (the committed tiny one; gpt2, GPT-2 small's shape with the "varied"
weights; gpt2-init, the same shape with GPT-2's own initialisation), this builds GPT2LMHeadModel, overwrites every
parameter with golden_common.make_weights (numpy-seeded, so independent of torch's init), saves it with
save_pretrained, and writes golden.json: per prompt, fp32 logits (every position for tiny, a few for gpt2),
bf16 logits likewise, and 64-token greedy continuations in fp32 and bf16 (each new token the argmax of a full
forward pass). For tiny it also checks HF's logits against numpy_gpt2.py's forward pass and fails if they
differ, so the committed golden file stands on two independent implementations.

Run on a machine with torch and transformers (the GPU machine; no network needed):

    python3 scripts/golden/make_golden.py --out OUT            # or --only tiny|gpt2|gpt2-init
    # OUT/tiny/{config.json,model.safetensors,golden.json} replace tests/GpuWorker.Tests/Golden/tiny/
    # OUT/gpt2/ and OUT/gpt2-init/ are ~500 MB each: not committed; check-golden reads them on the GPU machine.
"""
import argparse
import copy
import os
import sys

import numpy as np
import torch
import transformers
from safetensors.numpy import load_file
from transformers import GPT2Config, GPT2LMHeadModel

import golden_common as common
import numpy_gpt2

NUMPY_AGREEMENT = 1e-4  # largest |HF - numpy| over a row, relative to the row's largest |logit|


def build_model(cfg, weights, device):
    config = GPT2Config(**cfg, activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                        tie_word_embeddings=True)
    model = GPT2LMHeadModel(config)
    if hasattr(model, "set_attn_implementation"):
        model.set_attn_implementation("eager")  # the textbook attention, not a fused kernel
    params = dict(model.transformer.named_parameters())
    if set(params) != set(weights):
        sys.exit(f"HF GPT2Model's parameters differ from golden_common's: {sorted(set(params) ^ set(weights))}")
    with torch.no_grad():
        for name, param in params.items():
            if tuple(param.shape) != weights[name].shape:
                sys.exit(f"{name}: HF shape {tuple(param.shape)}, golden_common shape {weights[name].shape}")
            param.copy_(torch.from_numpy(weights[name]))
    if model.lm_head.weight.data_ptr() != model.transformer.wte.weight.data_ptr():
        sys.exit("lm_head.weight is not tied to wte.weight")
    print(f"attention implementation: {getattr(model.config, '_attn_implementation', 'unknown')}", flush=True)
    return model.eval().to(device)


@torch.no_grad()
def logits_of(model, ids):
    device = next(model.parameters()).device
    return model(torch.tensor([ids], device=device), use_cache=False).logits[0].float().cpu().numpy()


def greedy(model, prompt, count):
    """count new tokens, each the argmax after a full forward pass; and the smallest top-2 margin met."""
    ids, margin = list(prompt), np.inf
    for _ in range(count):
        last = logits_of(model, ids)[-1]
        margin = min(margin, common.top2_margin(last))
        ids.append(int(np.argmax(last)))
    return ids[len(prompt):], margin


def check_saved_weights(folder, weights):
    """The file save_pretrained wrote holds exactly the weights we meant (names with or without 'transformer.')."""
    saved = {name.removeprefix("transformer."): value for name, value in
             load_file(os.path.join(folder, "model.safetensors")).items()}
    for name, value in weights.items():
        if name not in saved or not np.array_equal(saved[name], value):
            sys.exit(f"{folder}/model.safetensors: {name} is missing or differs from golden_common's weights")


def check_against_numpy(cfg, weights, prompt, hf_logits):
    expected = numpy_gpt2.forward(weights, cfg, prompt)
    error = float(np.max(np.abs(hf_logits - expected).max(-1) / np.abs(expected).max(-1)))
    if error > NUMPY_AGREEMENT:
        sys.exit(f"HF and numpy logits differ by {error:.2e} relative (allowed {NUMPY_AGREEMENT:.0e})")
    return error


def make(name, out, device):
    """Every logits position for tiny (and the numpy cross-check); a few for the gpt2-shaped ones."""
    cfg, recipe = common.GOLDENS[name]
    tiny = name == "tiny"
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    weights = common.make_weights(cfg, recipe)
    model = build_model(cfg, weights, device)
    model.save_pretrained(folder)
    check_saved_weights(folder, weights)
    model_bf16 = copy.deepcopy(model).to(torch.bfloat16)

    cases = []
    for case, prompt in common.make_prompts(cfg):
        count = common.greedy_count(cfg, prompt)
        fp32 = logits_of(model, prompt)
        bf16 = logits_of(model_bf16, prompt)
        positions = list(range(len(prompt))) if tiny else sorted({0, len(prompt) // 2, len(prompt) - 1})
        greedy_fp32, margin_fp32 = greedy(model, prompt, count)
        greedy_bf16, margin_bf16 = greedy(model_bf16, prompt, count)
        cases.append(dict(name=case, prompt=prompt, logits_positions=positions,
                          logits_fp32=common.pack_float32(fp32[positions]),
                          logits_bf16=common.pack_float32(bf16[positions]),
                          greedy_fp32=greedy_fp32, greedy_fp32_min_margin=margin_fp32,
                          greedy_bf16=greedy_bf16, greedy_bf16_min_margin=margin_bf16))
        report = f"{name}/{case}: {len(prompt)} prompt tokens, {count} greedy, fp32 margin {margin_fp32:.2e}, " \
                 f"bf16 agrees with fp32 on {sum(a == b for a, b in zip(greedy_fp32, greedy_bf16))}/{count} tokens"
        if tiny:
            report += f", HF vs numpy {check_against_numpy(cfg, weights, prompt, fp32):.1e}"
            numpy_greedy, _ = numpy_gpt2.greedy(weights, cfg, prompt, count)
            if numpy_greedy != greedy_fp32:
                sys.exit(f"{case}: HF's fp32 greedy continuation differs from numpy's")
        print(report, flush=True)

    device_name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    source = (f"HF transformers {transformers.__version__} GPT2LMHeadModel, torch {torch.__version__}, "
              f"{device_name}, fp32 matmuls at full precision (scripts/golden/make_golden.py)")
    common.write_golden(folder, source, cfg, recipe, cases)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder that gets one subfolder per golden")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--only", choices=list(common.GOLDENS), help="make just this golden")
    args = parser.parse_args()

    torch.set_float32_matmul_precision("highest")  # no TF32: the fp32 golden must be fp32
    device = torch.device(args.device)
    for name in [args.only] if args.only else common.GOLDENS:
        make(name, args.out, device)


if __name__ == "__main__":
    main()
