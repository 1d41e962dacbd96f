#!/usr/bin/env python3
"""The PyTorch probe: prompt tuning written independently of the toolkit, in PyTorch and
transformers (the dev venv, `make bench-setup`), to check tune-prompt's results against.

The same recipe as `tune-prompt --preset mpnet-base --eval-every 0`: a frozen encoder reads
[CLS] P1..Pn [MASK] text [SEP] (for MPNet <s> P <mask> text </s>); only the n prompt vectors
are trained (AdamW, linear warm-up then linear decay to 0, batches of a seeded shuffle of
train, text truncated to --max-text-tokens); the label is read at [MASK] as h . E[word] over
the task's label words (the tied readout); the prompt starts as N(0, sd of the word
embeddings). The final prompt (no checkpoint is chosen) is evaluated on the whole --split.
Random numbers are PyTorch's, so a seed here is not the toolkit's seed of the same number:
compare the spread over seeds, not single runs.

With --prompt FILE the probe tunes nothing: it evaluates that prompt (a toolkit safetensors
prompt file) on the whole split and writes "correct", one 0/1 per example in the split's
order, to set beside `eval-prompt --per-example` on the same file (its rows, unlimited, keep
the split's order).

Reads the prepared splits (data/TASK/SPLIT.jsonl, `make data`) and the task's manifest (its
label words); writes one JSON line per seed on stdout, progress on stderr.

Example (the README's probe row):
  .venv/bin/python scripts/pytorch-probe.py --model models/mpnet-base --task sst2 \\
      --steps 400 --seeds 0 1 2
  .venv/bin/python scripts/pytorch-probe.py --model models/mpnet-base --task sst2 \
      --prompt out/cross-task/mpnet-base/prompts/sst2.safetensors
"""

import argparse
import json
import os
import sys
import time

import torch
from transformers import AutoModel, AutoTokenizer


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def encode(tokenizer, rows, max_text_tokens):
    """Each example as its text token ids (longest-first truncation of a pair) and its label."""
    out = []
    for row in rows:
        a = tokenizer(row["text_a"], add_special_tokens=False)["input_ids"]
        b = tokenizer(row["text_b"], add_special_tokens=False)["input_ids"] if row.get("text_b") else None
        if b is None:
            a = a[:max_text_tokens]
        else:
            while len(a) + len(b) > max_text_tokens:
                if len(a) >= len(b):
                    a = a[:-1]
                else:
                    b = b[:-1]
        out.append((a, b, int(row["label"])))
    return out


def batch_inputs(model, tokenizer, prompt, examples):
    """inputs_embeds and the attention mask of [CLS] P [MASK] text [SEP] ([SEP] text_b [SEP]),
    right-padded; the [MASK] row is 1 + n in every sequence."""
    n = prompt.shape[0]
    embed = model.get_input_embeddings()
    sequences = []
    for a, b, _ in examples:
        ids = [tokenizer.mask_token_id] + a + [tokenizer.sep_token_id]
        if b is not None:
            ids += [tokenizer.sep_token_id] + b + [tokenizer.sep_token_id]
        sequences.append(ids)
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), tokenizer.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), 1 + n + width), dtype=torch.long)
    for i, s in enumerate(sequences):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : 1 + n + len(s)] = 1
    cls = embed(torch.full((len(sequences), 1), tokenizer.cls_token_id, dtype=torch.long))
    embeds = torch.cat([cls, prompt.unsqueeze(0).expand(len(sequences), -1, -1), embed(ids)], dim=1)
    return embeds, mask


def logits(model, tokenizer, prompt, examples, word_rows):
    embeds, mask = batch_inputs(model, tokenizer, prompt, examples)
    states = model(inputs_embeds=embeds, attention_mask=mask).last_hidden_state
    return states[:, 1 + prompt.shape[0]] @ word_rows.T


def correctness(model, tokenizer, prompt, evaluated, word_rows):
    """One 0/1 per example, in the split's order (eval-prompt --per-example's "correct")."""
    correct = []
    with torch.no_grad():
        for i in range(0, len(evaluated), 64):
            batch = evaluated[i : i + 64]
            predicted = logits(model, tokenizer, prompt, batch, word_rows).argmax(dim=1)
            correct += [int(p) == label for p, (_, _, label) in zip(predicted.tolist(), batch)]
    return correct


def settings(args):
    return {
        "prompt_length": args.prompt_length,
        "lr": args.lr,
        "warmup": args.warmup,
        "steps": args.steps,
        "batch_size": args.batch_size,
        "max_text_tokens": args.max_text_tokens,
        "readout": "tied",
        "selection": "none (the final prompt)",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }


def run(args, seed, model, tokenizer, word_rows, train, evaluated):
    torch.manual_seed(seed)
    embed = model.get_input_embeddings().weight
    prompt = torch.nn.Parameter(torch.randn(args.prompt_length, embed.shape[1]) * embed.std().item())
    optimizer = torch.optim.AdamW([prompt], lr=args.lr, weight_decay=0.0)

    def rate(step):  # linear warm-up, then linear decay to 0 at the last step
        if step < args.warmup:
            return (step + 1) / args.warmup
        return max(0.0, (args.steps - step) / max(1, args.steps - args.warmup))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    order = torch.randperm(len(train)).tolist()
    cursor = 0
    start = time.time()
    for step in range(args.steps):
        if cursor + args.batch_size > len(order):
            order = torch.randperm(len(train)).tolist()
            cursor = 0
        batch = [train[i] for i in order[cursor : cursor + args.batch_size]]
        cursor += args.batch_size
        labels = torch.tensor([label for _, _, label in batch])
        loss = torch.nn.functional.cross_entropy(logits(model, tokenizer, prompt, batch, word_rows), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if (step + 1) % 50 == 0:
            print(f"seed {seed}: step {step + 1}/{args.steps} loss {loss.item():.4f}", file=sys.stderr)
    return {
        "probe": "pytorch",
        "task": args.task,
        "model": os.path.basename(os.path.normpath(args.model)),
        "split": args.split,
        "seed": seed,
        "accuracy": sum(correctness(model, tokenizer, prompt, evaluated, word_rows)) / len(evaluated),
        "n": len(evaluated),
        "seconds": round(time.time() - start, 1),
        "settings": settings(args),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="model folder (config.json, weights, tokenizer)")
    parser.add_argument("--task", required=True, help="task: data/TASK/SPLIT.jsonl and data-manifests/TASK.json")
    parser.add_argument("--split", default="validation", help="split evaluated on (default validation)")
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--manifests", default="data-manifests")
    parser.add_argument("--prompt-length", type=int, default=20)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-text-tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--prompt", help="evaluate this prompt file (tensor 'prompt') instead of tuning")
    args = parser.parse_args()
    if args.steps < 1 or args.batch_size < 1 or args.prompt_length < 1 or args.warmup < 1:
        parser.error("--steps, --batch-size, --prompt-length and --warmup must be at least 1")
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.manifests, args.task + ".json"), encoding="utf-8") as f:
        words = json.load(f)["verbalizer"]
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModel.from_pretrained(args.model).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    word_ids = []
    for w in words:
        ids = tokenizer(w, add_special_tokens=False)["input_ids"]
        if len(ids) != 1:
            sys.exit(f"pytorch-probe: label word {w!r} is {len(ids)} tokens; the probe reads one-token words")
        word_ids.append(ids[0])
    word_rows = model.get_input_embeddings().weight[word_ids].detach()
    train = encode(tokenizer, read_jsonl(os.path.join(args.data_dir, args.task, "train.jsonl")), args.max_text_tokens)
    evaluated = encode(
        tokenizer, read_jsonl(os.path.join(args.data_dir, args.task, args.split + ".jsonl")), args.max_text_tokens
    )
    if args.prompt:
        from safetensors.torch import load_file

        prompt = load_file(args.prompt)["prompt"].float()
        row = {"probe": "pytorch", "prompt": args.prompt, "task": args.task, "split": args.split, "n": len(evaluated)}
        correct = correctness(model, tokenizer, prompt, evaluated, word_rows)
        row["accuracy"] = sum(correct) / len(correct)
        row["correct"] = "".join("1" if c else "0" for c in correct)
        print(json.dumps(row), flush=True)
        return
    for seed in args.seeds:
        print(json.dumps(run(args, seed, model, tokenizer, word_rows, train, evaluated)), flush=True)


if __name__ == "__main__":
    main()
