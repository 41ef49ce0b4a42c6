"""GPT-2 through HF transformers' generate, timed the way DESIGN.md asks.

Imported only once torch and transformers are known to import (hf_engine.py checks first).
A token counts when its id is in host memory: generate hands every new token to the streamer as
`tokens.cpu()`, a blocking copy, so the streamer's clock reads after the GPU work for that token
has finished. TTFT runs from just before the prompt is copied to the device.
"""

import gc
import logging
import time

import torch
from transformers import GenerationConfig, GPT2Config, GPT2LMHeadModel
from transformers.generation.streamers import BaseStreamer

log = logging.getLogger("hf_engine")

# n_layer, n_head, n_embd of the presets in src/GpuWorker/Model/Gpt2Config.cs
PRESETS = {
    "tiny": (2, 4, 128),
    "gpt2": (12, 12, 768),
    "gpt2-medium": (24, 16, 1024),
    "gpt2-large": (36, 20, 1280),
}

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}

# engine name -> (compile the model's forward, cache_implementation passed to generate)
ENGINES = {
    "hf-eager": (False, None),
    "hf-compile": (True, None),
    "hf-static": (False, "static"),
}


class ArrivalStreamer(BaseStreamer):
    """Records when each generated token id reached the host. generate first puts the prompt; that is skipped."""

    def __init__(self):
        self.arrivals = []
        self.tokens = []
        self._prompt_seen = False

    def put(self, value):
        now = time.perf_counter()
        if not self._prompt_seen:
            self._prompt_seen = True
            return
        self.arrivals.append(now)
        self.tokens.extend(value.reshape(-1).tolist())

    def end(self):
        pass


class Session:
    """One loaded model on one device, as the load message asked."""

    def __init__(self, load):
        if load.engine not in ENGINES:
            raise ValueError(f"unknown engine {load.engine!r}; the hf adapter runs {', '.join(ENGINES)}")
        if load.dtype not in DTYPES:
            raise ValueError(f"unknown dtype {load.dtype!r}; expected one of {', '.join(DTYPES)}")
        self.device = _device(load.device)
        self.dtype = DTYPES[load.dtype]
        compile_forward, self.cache_implementation = ENGINES[load.engine]
        _release_earlier_models()

        started = time.perf_counter()
        model = _build_model(load.model)
        model.to(device=self.device, dtype=self.dtype).eval()
        # Fixed-length runs: no end-of-text token may stop generation, and no checkpoint default may change it.
        model.generation_config = GenerationConfig(bos_token_id=None, eos_token_id=None, pad_token_id=None)
        if compile_forward:
            # torch.compile(model) would leave generate calling the uncompiled forward; compile the forward itself.
            model.forward = torch.compile(model.forward)
        _synchronize(self.device)
        self.load_ms = (time.perf_counter() - started) * 1000.0

        self.model = model
        self.config = model.config
        parameters = list(model.parameters())  # tied embedding listed once
        self.parameter_count = sum(p.numel() for p in parameters)
        self.weight_bytes = sum(p.numel() * p.element_size() for p in parameters)
        element_size = torch.empty((), dtype=self.dtype).element_size()
        # keys and values of one position in every layer
        self.cache_bytes_per_token = 2 * self.config.n_layer * self.config.n_embd * element_size
        self.device_memory_bytes = torch.cuda.memory_allocated(self.device) if self.device.type == "cuda" else 0
        log.info("loaded %s (%s, %s, %s) in %.0f ms", _describe(load.model), load.engine, load.dtype, self.device, self.load_ms)

    def run_trial(self, trial):
        """Warm-up runs, then one sample dict per repeat (the fields of the protocol's sample message)."""
        self._check(trial)
        prompt = _prompt(trial, self.config.vocab_size)
        for index in range(trial.warmup):
            self._generate(prompt, trial, index)
        for index in range(trial.repeats):
            start, arrivals, tokens = self._generate(prompt, trial, index)
            arrival_ms = [(t - start) * 1000.0 for t in arrivals]
            yield {
                "trialId": trial.trial_id,
                "index": index,
                "ttftMs": arrival_ms[0],
                "tokenArrivalMs": arrival_ms,
                "tokensPerSecond": _tokens_per_second(arrival_ms),
                "weightBytesPerToken": self.weight_bytes,
                "cacheBytesPerToken": self.cache_bytes_per_token,
                "tokenIds": tokens,
            }

    def _check(self, trial):
        if trial.prompt_file is not None:
            raise ValueError("promptFile is not supported by the hf adapter: its prompts are seeded random token ids")
        if trial.input_tokens < 1 or trial.output_tokens < 1:
            raise ValueError("inputTokens and outputTokens must be at least 1")
        if trial.input_tokens + trial.output_tokens > self.config.n_positions:
            raise ValueError(
                f"inputTokens + outputTokens = {trial.input_tokens + trial.output_tokens} "
                f"exceeds the context of {self.config.n_positions}")
        if trial.warmup < 0 or trial.repeats < 0:
            raise ValueError("warmup and repeats must not be negative")
        if not trial.sampling.greedy and (trial.sampling.temperature <= 0 or trial.sampling.top_k < 0):
            raise ValueError("sampling needs temperature > 0 and topK >= 0 (0: no top-k)")

    def _generate(self, prompt, trial, index):
        """One run: returns the start time, each token's host arrival time, and the token ids."""
        torch.manual_seed(trial.seed + index)
        streamer = ArrivalStreamer()
        options = _sampling_options(trial.sampling)
        if self.cache_implementation is not None:
            options["cache_implementation"] = self.cache_implementation
        _synchronize(self.device)  # nothing earlier may run inside this run's clock
        start = time.perf_counter()
        input_ids = prompt.to(self.device)
        output = self.model.generate(
            input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=trial.output_tokens,
            min_new_tokens=trial.output_tokens,
            streamer=streamer,
            **options,
        )
        generated = output[0, prompt.shape[1]:].tolist()
        if len(streamer.tokens) != trial.output_tokens or generated != streamer.tokens:
            raise RuntimeError(
                f"generate produced {len(generated)} tokens ({len(streamer.tokens)} streamed), "
                f"expected {trial.output_tokens}")
        return start, streamer.arrivals, streamer.tokens


def _build_model(spec):
    if spec.path is not None:
        return GPT2LMHeadModel.from_pretrained(spec.path, local_files_only=True)
    if spec.preset not in PRESETS:
        raise ValueError(f"unknown preset {spec.preset!r}; expected one of {', '.join(PRESETS)}")
    n_layer, n_head, n_embd = PRESETS[spec.preset]
    config = GPT2Config(n_layer=n_layer, n_head=n_head, n_embd=n_embd, vocab_size=50257, n_positions=1024)
    # HF's own initialisation (normal, std 0.02), seeded; built in fp32 on the CPU so every device gets the same weights
    torch.manual_seed(spec.seed)
    return GPT2LMHeadModel(config)


def _device(name):
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {name} asked for, but torch {torch.__version__} sees no CUDA device")
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"unknown device {name!r}; expected cpu or cuda")
    return device


def _prompt(trial, vocab_size):
    """The trial's prompt: seeded random token ids, the same for every run of the trial."""
    generator = torch.Generator().manual_seed(trial.seed)
    return torch.randint(vocab_size, (1, trial.input_tokens), generator=generator)


def _sampling_options(sampling):
    if sampling.greedy:
        return {"do_sample": False}
    return {"do_sample": True, "temperature": sampling.temperature, "top_k": sampling.top_k}


def _tokens_per_second(arrival_ms):
    """(M - 1) / (arrival of token M - arrival of token 1); 0 when there is no interval to measure."""
    if len(arrival_ms) < 2 or arrival_ms[-1] <= arrival_ms[0]:
        return 0.0
    return (len(arrival_ms) - 1) * 1000.0 / (arrival_ms[-1] - arrival_ms[0])


def _release_earlier_models():
    """An earlier load's model lives on in compiled graphs and the CUDA caching allocator; free it, so that
    deviceMemoryBytes counts this model only."""
    torch._dynamo.reset()
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def _synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _describe(spec):
    return f"path:{spec.path}" if spec.path is not None else f"preset:{spec.preset} seed {spec.seed}"
