"""The engine-process protocol (src/GpuWorker/Protocol/Messages.cs), spoken from Python.

One JSON object a line, camelCase names, a "type" discriminator written first (System.Text.Json
reads the discriminator only as the first property) and "v": 1 on every message. Null fields are
left out, as JsonLines.Encode does. Standard library only: this module must work where torch is missing.
"""

import json
from dataclasses import dataclass
from typing import Optional

PROTOCOL_VERSION = 1


class ProtocolError(Exception):
    """A line that is not a well-formed message this side understands."""


@dataclass(frozen=True)
class ModelSpec:
    preset: Optional[str]
    path: Optional[str]
    seed: int


@dataclass(frozen=True)
class Load:
    model: ModelSpec
    engine: str
    dtype: str
    device: str


@dataclass(frozen=True)
class Sampling:
    greedy: bool
    temperature: float
    top_k: int


@dataclass(frozen=True)
class Trial:
    trial_id: str
    input_tokens: int
    output_tokens: int
    sampling: Sampling
    warmup: int
    repeats: int
    seed: int
    prompt_file: Optional[str]


@dataclass(frozen=True)
class Bye:
    pass


def encode(message_type, **fields):
    """One protocol line: type first, then v, then the fields that are not None."""
    message = {"type": message_type, "v": PROTOCOL_VERSION}
    message.update({name: value for name, value in fields.items() if value is not None})
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def decode(line):
    """Parses one line sent to the engine (load, trial or bye); anything else raises ProtocolError."""
    try:
        message = json.loads(line)
    except ValueError as e:
        raise ProtocolError(f"malformed protocol line ({e}): {_truncate(line)}") from None
    if not isinstance(message, dict):
        raise ProtocolError(f"malformed protocol line (not a JSON object): {_truncate(line)}")
    version = message.get("v")
    if version != PROTOCOL_VERSION:
        raise ProtocolError(f"protocol version {version}, expected {PROTOCOL_VERSION}")
    message_type = message.get("type")
    if message_type == "load":
        return _load(message)
    if message_type == "trial":
        return _trial(message)
    if message_type == "bye":
        return Bye()
    raise ProtocolError(f"unexpected protocol message type {message_type!r}: {_truncate(line)}")


def _load(message):
    model = _field(message, "model", dict, "load")
    spec = ModelSpec(
        preset=_optional(model, "preset", str, "load.model"),
        path=_optional(model, "path", str, "load.model"),
        seed=_optional(model, "seed", int, "load.model") or 0,
    )
    if (spec.preset is None) == (spec.path is None):
        raise ProtocolError("load.model needs exactly one of preset and path")
    return Load(
        model=spec,
        engine=_field(message, "engine", str, "load"),
        dtype=_field(message, "dtype", str, "load"),
        device=_field(message, "device", str, "load"),
    )


def _trial(message):
    sampling = _field(message, "sampling", dict, "trial")
    return Trial(
        trial_id=_field(message, "trialId", str, "trial"),
        input_tokens=_field(message, "inputTokens", int, "trial"),
        output_tokens=_field(message, "outputTokens", int, "trial"),
        sampling=Sampling(
            greedy=_field(sampling, "greedy", bool, "trial.sampling"),
            temperature=float(_field(sampling, "temperature", (int, float), "trial.sampling")),
            top_k=_field(sampling, "topK", int, "trial.sampling"),
        ),
        warmup=_field(message, "warmup", int, "trial"),
        repeats=_field(message, "repeats", int, "trial"),
        seed=_field(message, "seed", int, "trial"),
        prompt_file=_optional(message, "promptFile", str, "trial"),
    )


def _field(message, name, kind, where):
    value = _optional(message, name, kind, where)
    if value is None:
        raise ProtocolError(f"{where}.{name} is missing")
    return value


def _optional(message, name, kind, where):
    value = message.get(name)
    # bool is an int in Python; only a field that asks for bool may hold one
    is_bool_mismatch = isinstance(value, bool) and kind is not bool
    if value is not None and (is_bool_mismatch or not isinstance(value, kind)):
        raise ProtocolError(f"{where}.{name} has the wrong type: {value!r}")
    return value


def _truncate(line):
    return line if len(line) <= 200 else line[:200] + "..."
