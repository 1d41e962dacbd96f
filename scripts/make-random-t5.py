#!/usr/bin/env python3
"""Writes a T5-base-shaped checkpoint with random weights (seeded) into models/t5-base-random,
for running the T5 tools end to end where no T5 weights can be had (no accuracy is claimed
with it): config of t5-base (d_model 768, 12 + 12 layers, 12 heads, d_ff 3072, ReLU, tied
and scaled head), weights from transformers' initialisation, and a T5-format tokenizer.json
(Precompiled nmt_nfkc rules from the seqio test model, Strip, Replace, Metaspace, Unigram)
whose Unigram model is trained by `tokenizers` on the prepared training texts (data/*/train.jsonl,
32,000 pieces) with <extra_id_99> … <extra_id_0> after it, as T5 has them.

usage: .venv/bin/python scripts/make-random-t5.py [OUT_DIR]   (make t5-random)
"""

import json, subprocess, sys, tempfile, zipfile
from pathlib import Path

import torch
from sentencepiece import sentencepiece_model_pb2
from tokenizers import AddedToken, Regex, Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
from transformers import T5Config, T5ForConditionalGeneration

ROOT = Path(__file__).resolve().parent.parent
out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models/t5-base-random"
out.mkdir(parents=True, exist_ok=True)
texts = []
for f in sorted((ROOT / "data").glob("*/train.jsonl")):
    for line in f.read_text(encoding="utf-8").split("\n"):
        if not line:
            continue
        r = json.loads(line)
        texts += [r["text_a"]] + ([r["text_b"]] if r.get("text_b") else [])
if not texts:
    sys.exit("make-random-t5: no data/*/train.jsonl (run `make data` first)")
tmp = Path(tempfile.mkdtemp())
subprocess.run(
    [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(tmp), "seqio==0.0.20"], check=True
)
proto = sentencepiece_model_pb2.ModelProto()
proto.ParseFromString(
    zipfile.ZipFile(next(tmp.glob("seqio-*.whl"))).read("seqio/test_data/sentencepiece/sentencepiece.model")
)
tk = Tokenizer(models.Unigram())
tk.normalizer = normalizers.Sequence(
    [
        normalizers.Precompiled(proto.normalizer_spec.precompiled_charsmap),
        normalizers.Strip(left=False, right=True),
        normalizers.Replace(Regex(" {2,}"), "\u2581"),
    ]
)
tk.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
trainer = trainers.UnigramTrainer(
    vocab_size=32000, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>", show_progress=False
)
tk.train_from_iterator(texts, trainer)
tk.add_special_tokens([AddedToken(f"<extra_id_{i}>", special=True) for i in range(99, -1, -1)])
tk.post_processor = processors.TemplateProcessing(
    single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
)
tk.save(str(out / "tokenizer.json"))
torch.manual_seed(0)
config = T5Config(
    vocab_size=32128,
    d_model=768,
    d_kv=64,
    d_ff=3072,
    num_layers=12,
    num_heads=12,
    relative_attention_num_buckets=32,
    relative_attention_max_distance=128,
    dropout_rate=0.0,
    feed_forward_proj="relu",
    pad_token_id=0,
    eos_token_id=1,
    decoder_start_token_id=0,
)
T5ForConditionalGeneration(config).save_pretrained(out)
print(f"wrote {out} (vocabulary {tk.get_vocab_size()} tokens, {len(texts)} training texts)", file=sys.stderr)
