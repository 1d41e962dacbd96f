#!/usr/bin/env python3
"""Turns GPT-2's byte-level BPE ranks (whisper/assets/gpt2.tiktoken in the openai-whisper
sdist: base64 token + rank per line) into a RoBERTa-style tokenizer folder:
vocab.json + merges.txt + tokenizer_config.json, as `RobertaTokenizer` reads them.

Standard library only (CI has no torch). The merges are rebuilt from the ranks: the merge
that makes token t is the split BPE reaches when it may only use tokens ranked below t.
Ids are GPT-2's ranks; RoBERTa's special tokens follow <|endoftext|> (50256), so the real
roberta-base ids differ (fairseq renumbered them) but every step of the algorithm is the same.

usage: tiktoken-to-bpe.py SDIST.tar.gz OUT_FOLDER
"""

import base64, json, os, sys, tarfile


def bytes_to_unicode():
    # GPT-2's reversible map: printable bytes map to themselves, the rest to U+0100 onwards
    bs = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
          + list(range(ord("®"), ord("ÿ") + 1)))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def split_at_rank(ranks, token, max_rank):
    parts = [bytes([b]) for b in token]
    while True:
        best = None
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and r < max_rank and (best is None or r < best[0]):
                best = (r, i)
        if best is None:
            return parts
        i = best[1]
        parts[i : i + 2] = [parts[i] + parts[i + 1]]


def main(sdist, out):
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("whisper/assets/gpt2.tiktoken"))
        lines = tar.extractfile(member).read().decode().split()
    ranks = {}
    for tok, rank in zip(lines[0::2], lines[1::2]):
        ranks[base64.b64decode(tok)] = int(rank)
    u = bytes_to_unicode()
    text = lambda b: "".join(u[x] for x in b)
    vocab = {text(t): r for t, r in ranks.items()}
    merges = []
    for t, r in sorted(ranks.items(), key=lambda kv: kv[1]):
        if len(t) < 2:
            continue
        parts = split_at_rank(ranks, t, r)
        if len(parts) != 2:
            sys.exit(f"token {t!r} (rank {r}) does not split into a merge: {parts}")
        merges.append(f"{text(parts[0])} {text(parts[1])}")
    n = len(vocab)
    for i, s in enumerate(["<|endoftext|>", "<s>", "<pad>", "</s>", "<unk>", "<mask>"]):
        vocab[s] = n + i
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
    config = {
        "tokenizer_class": "RobertaTokenizer",
        "add_prefix_space": False,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
        "model_max_length": 512,
    }
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=1)
    print(f"{out}: {len(vocab)} tokens, {len(merges)} merges", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
