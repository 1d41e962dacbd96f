#!/usr/bin/env python3
"""`make bench`: this engine against PyTorch + transformers, same machine, same run, same
shapes (batch x tokens of random ids, fp32, N threads).

Models: MiniLM-L6 (real weights) and a base-sized random BERT (12 x 768, 12 heads, FFN
3072: RoBERTa-base's compute shape) that this script saves with transformers. The PyTorch
side runs when torch is importable (the dev venv, `make bench-setup`); otherwise only the
Swift numbers are printed.
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-out"

def torch_forward(folder, batch, seq, iters, threads):
    import torch
    from transformers import AutoModel
    torch.set_num_threads(threads)
    model = AutoModel.from_pretrained(folder).eval()
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(1000, 29000, (batch, seq), generator=g)
    mask = torch.ones_like(ids)
    with torch.inference_mode():
        model(input_ids=ids, attention_mask=mask)
        t = time.perf_counter()
        for _ in range(iters):
            model(input_ids=ids, attention_mask=mask)
        dt = time.perf_counter() - t
    return {"engine": "pytorch", "torch": torch.__version__, "seq_per_s": batch * iters / dt}

def base_checkpoint():
    folder = OUT / "bert-base-random"
    if (folder / "model.safetensors").exists():
        return folder
    import torch
    from transformers import BertConfig, BertForMaskedLM
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                     intermediate_size=3072)
    BertForMaskedLM(cfg).save_pretrained(folder)
    return folder

def swift_forward(folder, batch, seq, iters, threads):
    exe = ROOT / ".build/release/pt-bench"
    out = subprocess.run([str(exe), "--model", str(folder), "--batch-size", str(batch), "--sequence-length", str(seq),
                          "--iterations", str(iters), "--threads", str(threads)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
        print("torch not importable: PyTorch side skipped (run `make bench-setup`, then `make bench`)", file=sys.stderr)
    OUT.mkdir(exist_ok=True)
    models = [("minilm", ROOT / "models/minilm", 8)]
    base = base_checkpoint() if have_torch else (OUT / "bert-base-random")
    if (base / "model.safetensors").exists():
        models.append(("base-12x768", base, 3))
    rows = []
    for name, folder, iters in models:
        s = swift_forward(folder, args.batch, args.seq, iters, args.threads)
        row = {"bench": "forward", "model": name, "batch": args.batch, "seq": args.seq, "threads": args.threads,
               "swift_seq_per_s": round(s["seq_per_s"], 2), "swift_gflops": round(s["gflops"], 1)}
        if have_torch:
            t = torch_forward(folder, args.batch, args.seq, iters, args.threads)
            row["torch_seq_per_s"] = round(t["seq_per_s"], 2)
            row["ratio"] = round(s["seq_per_s"] / t["seq_per_s"], 2)
        rows.append(row)
        print(json.dumps(row), flush=True)

if __name__ == "__main__":
    main()
