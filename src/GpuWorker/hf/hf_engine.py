#!/usr/bin/env python3
"""gptbench engine process for HF transformers: engines hf-eager, hf-compile, hf-static.

Speaks the same JSON-lines protocol on stdin/stdout as the C# GpuWorker (docs/frameworks.md):
hello -> load -> loaded -> trial -> sample* -> trial-done -> ... -> bye.
stdout carries protocol lines only; everything else goes to stderr.
Exit codes: 0 after bye or end of input, 3 when torch or transformers is missing, 1 on a crash.
"""

import logging
import os
import platform
import socket
import subprocess
import sys
import traceback

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
# The sibling modules are found even under python -P or PYTHONSAFEPATH, which drop the script's folder.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hf_protocol  # noqa: E402  (after the path is set)

EXIT_MISSING_MODULES = 3

log = logging.getLogger("hf_engine")


class Channel:
    """Protocol lines to the orchestrator, one a line, flushed at once."""

    def __init__(self, stream):
        self.stream = stream

    def send(self, message_type, **fields):
        self.stream.write(hf_protocol.encode(message_type, **fields) + "\n")
        self.stream.flush()

    def error(self, message, fatal=False, trial_id=None):
        log.error("%s", message)
        self.send("error", message=message, fatal=fatal, trialId=trial_id)


def main():
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="hf_engine: %(message)s")
    sys.stdin.reconfigure(encoding="utf-8")
    channel = Channel(_take_stdout())
    missing = _import_problems()
    channel.send("hello", environment=_environment())
    try:
        return _serve(channel, missing)
    except Exception:
        channel.error("hf_engine crashed: " + traceback.format_exc(limit=5), fatal=True)
        return 1


def _take_stdout():
    """Keeps the real stdout for protocol lines and points file descriptor 1 at stderr,
    so that a print from torch, transformers or native code cannot corrupt the protocol."""
    sys.stdout.flush()
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol


def _serve(channel, missing):
    session = None
    for raw in sys.stdin:
        line = raw.strip()
        if not line:
            continue
        try:
            message = hf_protocol.decode(line)
        except hf_protocol.ProtocolError as e:
            channel.error(str(e))
            continue
        if isinstance(message, hf_protocol.Bye):
            channel.send("bye")
            return 0
        if isinstance(message, hf_protocol.Load):
            if missing:
                channel.error(missing, fatal=True)
                return EXIT_MISSING_MODULES
            session = None  # let the previous model go before the next one is built
            session = _load(channel, message)
        elif isinstance(message, hf_protocol.Trial):
            _run_trial(channel, session, message)
    return 0


def _load(channel, message):
    try:
        import hf_generation

        session = hf_generation.Session(message)
    except Exception as e:
        log.error("%s", traceback.format_exc())
        channel.error(f"load failed: {e}")
        return None
    channel.send(
        "loaded",
        loadMs=session.load_ms,
        parameterCount=session.parameter_count,
        weightBytes=session.weight_bytes,
        deviceMemoryBytes=session.device_memory_bytes,
    )
    return session


def _run_trial(channel, session, trial):
    if session is None:
        channel.error("no model loaded: send a load that succeeds before a trial", trial_id=trial.trial_id)
        return
    try:
        for sample in session.run_trial(trial):
            channel.send("sample", **sample)
    except Exception as e:
        log.error("%s", traceback.format_exc())
        channel.error(f"trial failed: {e}", trial_id=trial.trial_id)
        return
    channel.send("trial-done", trialId=trial.trial_id)


def _import_problems():
    """None when torch and transformers import; otherwise what is missing and how to install it."""
    problems = []
    for module in ("torch", "transformers"):
        try:
            __import__(module)
        except ModuleNotFoundError as e:
            if e.name == module:
                problems.append(f"{module} is not installed: pip install {module}")
            else:
                problems.append(f"{module} cannot be imported, it needs {e.name}: {e}")
        except Exception as e:
            problems.append(f"{module} cannot be imported: {type(e).__name__}: {e}")
    return "; ".join(problems) or None


def _environment():
    """The hello message's environment, in EnvironmentInfo's fields (Messages.cs).
    libtorch holds torch's version, torchSharp holds "transformers VERSION", dotNet holds "python VERSION"."""
    torch = sys.modules.get("torch")
    transformers = sys.modules.get("transformers")
    cuda = torch is not None and torch.cuda.is_available()
    environment = {
        "host": socket.gethostname(),
        "cpu": _cpu_name(),
        "device": "cuda" if cuda else "cpu",
        "gpuName": torch.cuda.get_device_name(0) if cuda else None,
        "driver": _driver_version(),
        "cudaRuntime": torch.version.cuda if torch is not None else None,
        "libtorch": torch.__version__ if torch is not None else "torch not installed",
        "torchSharp": "transformers " + transformers.__version__ if transformers is not None else "transformers not installed",
        "dotNet": "python " + platform.python_version(),
        "visibleDevices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "gpuUuid": _gpu_uuid() if cuda else None,
        "gpuIndex": torch.cuda.current_device() if cuda else None,
        "gpuCount": torch.cuda.device_count() if cuda else None,
    }
    return {name: value for name, value in environment.items() if value is not None}


def _gpu_uuid():
    """The GPU's UUID in nvidia-smi's form (GPU-...), when this torch reports it."""
    uuid = getattr(sys.modules["torch"].cuda.get_device_properties(0), "uuid", None)
    return f"GPU-{uuid}" if uuid is not None else None


def _cpu_name():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _driver_version():
    try:
        result = subprocess.run(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.strip().splitlines()
    return lines[0].strip() if lines else None


if __name__ == "__main__":
    sys.exit(main())
