#!/usr/bin/env python3
"""`make bench`: this engine against PyTorch + transformers, same machine, same run, same
shapes (batch x tokens of random ids, fp32, N threads).

Models: MiniLM-L6 and MPNet-base (real weights) and a base-sized random BERT (12 x 768, 12 heads, FFN
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


def torch_train(folder, batch, seq, n, iters, threads):
    """One prompt-tuning step as PyTorch + transformers does it: frozen weights, the prompt
    (requires_grad) spliced in after [CLS] via inputs_embeds, head only at [MASK]
    (MLM head when the checkpoint has one, else h · E[word]), cross-entropy, backward."""
    import torch
    from transformers import AutoModel, AutoModelForMaskedLM

    torch.set_num_threads(threads)
    from safetensors import safe_open

    with safe_open(str(Path(folder) / "model.safetensors"), "pt") as f:  # a head in the weights, not the config's word
        has_head = any(k.split(".")[0] in ("cls", "lm_head") for k in f.keys())
    model = (AutoModelForMaskedLM if has_head else AutoModel).from_pretrained(folder).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    bert = model.base_model
    emb = bert.embeddings.word_embeddings.weight
    g = torch.Generator().manual_seed(0)
    text = torch.randint(1000, 29000, (batch, seq - n - 3), generator=g)
    ids = torch.cat(
        [
            torch.full((batch, 1), 101),
            torch.zeros(batch, n, dtype=torch.long),
            torch.full((batch, 1), 103),
            text,
            torch.full((batch, 1), 102),
        ],
        1,
    )
    prompt = (torch.randn(n, emb.shape[1], generator=g) * 0.02).requires_grad_(True)
    words = [4997, 3893]
    labels = torch.arange(batch) % 2

    def step():
        x = emb[ids]
        x = torch.cat([x[:, :1], prompt.unsqueeze(0).expand(batch, -1, -1), x[:, 1 + n :]], 1)
        h = bert(inputs_embeds=x, attention_mask=torch.ones_like(ids)).last_hidden_state[:, 1 + n]
        head = getattr(model, "cls", None) or getattr(model, "lm_head", None)
        logits = head(h)[:, words] if has_head else h @ emb[words].T
        loss = torch.nn.functional.cross_entropy(logits, labels)
        prompt.grad = None
        loss.backward()

    step()
    t = time.perf_counter()
    for _ in range(iters):
        step()
    return {"seq_per_s": batch * iters / (time.perf_counter() - t)}


def torch_description():
    """PyTorch's version and the CPU capability its kernels dispatch to (e.g. AVX512)."""
    import torch

    return {"version": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability()}


def base_checkpoint():
    folder = OUT / "bert-base-random"
    if (folder / "model.safetensors").exists():
        return folder
    import torch
    from transformers import BertConfig, BertForMaskedLM

    torch.manual_seed(0)
    cfg = BertConfig(
        vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072
    )
    BertForMaskedLM(cfg).save_pretrained(folder)
    return folder


def swift_run(folder, batch, seq, iters, threads, mode="forward", n=100):
    exe = ROOT / ".build/release/pt-bench"
    out = subprocess.run(
        [
            str(exe),
            "--model",
            str(folder),
            "--batch-size",
            str(batch),
            "--sequence-length",
            str(seq),
            "--iterations",
            str(iters),
            "--threads",
            str(threads),
            "--mode",
            mode,
            "--prompt-length",
            str(n),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def imdb_jsonl(count=5000):
    """The first `count` IMDB reviews of the dataset mirror as JSON lines: long texts with
    markup, the tokenizer bench's input."""
    path = OUT / f"imdb-{count}.jsonl"
    if path.exists():
        return path
    import tarfile

    mirror = Path(os.environ.get("PT_DATA_MIRROR", ROOT.parent / "shared/data"))
    lines = []
    with tarfile.open(mirror / "imdb/aclImdb_v1-labelled.tar.gz") as tar:
        for m in tar:
            if m.isfile() and m.name.startswith("aclImdb/train/") and m.name.endswith(".txt"):
                lines.append(json.dumps({"text_a": tar.extractfile(m).read().decode("utf-8")}))
                if len(lines) == count:
                    break
    path.write_text("\n".join(lines) + "\n")
    return path


def tokenizer_bench(have_torch):
    """JSON lines in → JSON lines with input_ids out: the `tokenize` tool (process start
    included) against the HF fast tokenizer doing the same per line in Python; the HF
    batched call (which also uses both cores) is printed beside it."""
    data = imdb_jsonl()
    for name, folder, cls in (
        ("wordpiece/minilm", ROOT / "models/minilm", "AutoTokenizer"),
        ("bpe/gpt2-50k", ROOT / "models/gpt2-bpe", "RobertaTokenizerFast"),
    ):
        t = time.perf_counter()
        out = subprocess.run(
            [str(ROOT / ".build/release/tokenize"), "--model", str(folder), str(data)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        swift_s = time.perf_counter() - t
        lines = out.split("\n")[:-1]  # not splitlines(): U+2028 may stand raw inside a JSON string
        tokens = sum(len(json.loads(l)["input_ids"]) for l in lines)
        row = {
            "bench": "tokenize",
            "model": name,
            "texts": len(lines),
            "tokens": tokens,
            "swift_tokens_per_s": round(tokens / swift_s),
        }
        if have_torch:
            import transformers

            tok = getattr(transformers, cls).from_pretrained(folder)
            t = time.perf_counter()
            texts = []
            for line in data.read_text().split("\n")[:-1]:
                j = json.loads(line)
                texts.append(j["text_a"])
                j["input_ids"] = tok(j["text_a"])["input_ids"]
                json.dumps(j)
            hf_s = time.perf_counter() - t
            t = time.perf_counter()
            tok(texts)
            batch_s = time.perf_counter() - t
            row.update(
                {
                    "hf_tokens_per_s": round(tokens / hf_s),
                    "ratio": round(hf_s / swift_s, 2),
                    "hf_batched_tokens_per_s": round(tokens / batch_s),
                }
            )
        print(json.dumps(row), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompt", type=int, default=100, help="prompt vectors among the tokens (train bench)")
    ap.add_argument(
        "--only", choices=("forward", "train", "tokenize"), action="append", help="these benches only (repeatable)"
    )
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
    if (ROOT / "models/mpnet-base/model.safetensors").exists():
        models.append(("mpnet-base", ROOT / "models/mpnet-base", 3))
    chosen = args.only or ["forward", "train", "tokenize"]
    for bench in [b for b in ("forward", "train") if b in chosen]:
        for name, folder, iters in models:
            s = swift_run(folder, args.batch, args.seq, iters, args.threads, bench, args.prompt)
            row = {
                "bench": bench,
                "model": name,
                "batch": args.batch,
                "seq": args.seq,
                "threads": args.threads,
                "swift_seq_per_s": round(s["seq_per_s"], 2),
                "swift_gflops": round(s["gflops"], 1),
                "matrix_backend": s["matrix_backend"],
                "sgemm_gflops": s["sgemm_gflops"],
            }
            if bench == "train":
                row["prompt"] = args.prompt
            if have_torch:
                t = (
                    torch_forward(folder, args.batch, args.seq, iters, args.threads)
                    if bench == "forward"
                    else torch_train(folder, args.batch, args.seq, args.prompt, iters, args.threads)
                )
                row["torch_seq_per_s"] = round(t["seq_per_s"], 2)
                row["torch"] = torch_description()
                row["ratio"] = round(s["seq_per_s"] / t["seq_per_s"], 2)
            print(json.dumps(row), flush=True)
    if "tokenize" in chosen:
        tokenizer_bench(have_torch)


if __name__ == "__main__":
    main()
