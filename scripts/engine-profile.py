#!/usr/bin/env python3
"""`make profile`: where the engine's time goes, per model and pass, as a markdown table.

Runs `pt-bench` (batch 16 x 128 tokens, fp32, 2 threads, the shapes of `make bench`) under
`perf record -e cpu-clock` (a software clock: it works in VMs without hardware counters) and
sums the samples by what ran: the matrix products' JIT kernels (oneDNN), oneDNN's own code
(packing, dispatch), the OpenMP team (barriers and spinning), the engine's kernels by name
(GELU, softmax, LayerNorm, ...), libc copies, the kernel, and the rest. Prints the table
on stdout, one column per model and pass, and the pt-bench rates beside it (slower than
`make bench`'s: sampling costs time). Run it on an idle machine and name the CPU.
"""

import argparse, collections, json, re, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Symbol substrings (lower case) of the engine's kernels, first match wins.
ENGINE_KERNELS = [
    ("gelu", "GELU"),
    ("softmax", "softmax"),
    ("layernorm", "LayerNorm"),
    ("relativeposition", "relative position bias"),
    ("attention", "attention (outside the products)"),
    ("residual", "residual adds"),
    ("embedding", "embeddings"),
]
ROWS = [
    "matrix products (oneDNN JIT kernels)",
    "oneDNN (packing, dispatch)",
    "OpenMP team (barriers, spinning)",
    *[name for _, name in ENGINE_KERNELS],
    "libc (copies)",
    "kernel",
    "rest",
]


def category(dso, symbol):
    lowered = symbol.lower()
    if dso.startswith("[JIT]"):
        return ROWS[0]
    if "dnnl" in dso:
        return ROWS[1]
    if "gomp" in dso:
        return ROWS[2]
    for key, name in ENGINE_KERNELS:
        if key in lowered:
            return name
    if dso.startswith("libc") or "memcpy" in lowered or "memmove" in lowered or "memset" in lowered:
        return "libc (copies)"
    if dso.startswith("[kernel"):
        return "kernel"
    return "rest"


def profile(model, mode, threads, iterations, frequency):
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "perf.data"
        bench = [str(ROOT / ".build/release/pt-bench"), "--model", str(model), "--mode", mode,
                 "--iterations", str(iterations), "--threads", str(threads)]
        run = subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", str(frequency), "-o", str(data),
                              "--", *bench], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"profile: perf record failed ({run.stderr.strip()[:200]}); is linux-perf installed?")
        rates = json.loads(run.stdout.strip().splitlines()[-1])
        report = subprocess.run(["perf", "report", "-i", str(data), "--sort", "dso,symbol", "--stdio"],
                                capture_output=True, text=True, check=True).stdout
    shares = collections.Counter()
    for line in report.splitlines():
        match = re.match(r"\s*([\d.]+)%\s+(\S+(?: tid \d+)?)\s+\[.\]\s+(.*)$", line)
        if match:
            shares[category(match.group(2), match.group(3))] += float(match.group(1))
    return shares, rates


def cpu_family_model():
    """'family F model M' of the first CPU in /proc/cpuinfo (VMs often hide the model name)."""
    fields = {}
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("cpu family", "model") and key.strip() not in fields:
            fields[key.strip()] = value.strip()
    return f"family {fields.get('cpu family', '?')} model {fields.get('model', '?')}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="minilm,mpnet-base", help="folders under models/ (comma-separated)")
    parser.add_argument("--modes", default="forward,train")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=8)
    parser.add_argument("--frequency", type=int, default=499, help="samples per second")
    args = parser.parse_args()
    if shutil.which("perf") is None:
        sys.exit("profile: no perf on PATH (apt-get install linux-perf)")
    columns = []
    for model in args.models.split(","):
        for mode in args.modes.split(","):
            print(f"profile: {model} {mode}", file=sys.stderr)
            shares, rates = profile(ROOT / "models" / model, mode, args.threads, args.iterations, args.frequency)
            columns.append((f"{model} {mode}", shares, rates))
    print("| share of samples | " + " | ".join(name for name, _, _ in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for row in ROWS:
        if any(shares[row] >= 0.05 for _, shares, _ in columns):
            print(f"| {row} | " + " | ".join(f"{shares[row]:.1f} %" for _, shares, _ in columns) + " |")
    print("| seq/s under perf (GFLOP/s) | "
          + " | ".join(f"{r['seq_per_s']:.2f} ({r['gflops']:.0f})" for _, _, r in columns) + " |")
    cpu = columns[0][2].get("matrix_backend", {})
    print(f"\nCPU {cpu.get('cpu', '?')} ({cpu_family_model()}), "
          f"backend {cpu.get('backend', '?')} {cpu.get('version', '')} "
          f"kernel {cpu.get('kernel', '?')}; pt-bench batch 16 x 128, {args.threads} threads")


if __name__ == "__main__":
    main()
