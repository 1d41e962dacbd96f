#!/usr/bin/env python3
"""Writes the reference fixtures the Swift tests compare against, using the independent
reference implementation (Hugging Face transformers + tokenizers on PyTorch).

Run with the dev venv (`make fixtures`); the Swift tests then need no Python. Fixtures are
small JSON files; float arrays are base64 of little-endian float32.
"""

import base64, json, os, struct, sys
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModel, AutoModelForMaskedLM, AutoTokenizer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/PromptTransferTests/Fixtures"
DATA = Path(os.environ.get("PT_DATA_MIRROR", ROOT.parent / "shared/data"))
SPLADE, MINILM = ROOT / "models/splade-tiny", ROOT / "models/minilm"


def f32(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def fnv1a(ids):
    h = 0xCBF29CE484222325
    for b in struct.pack(f"<{len(ids)}i", *ids):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def sst2_dev_rows():
    """SST-2 dev as [sentence, label] rows (the mirror's GLUE TSV, header dropped)."""
    return [l.split("\t") for l in (DATA / "sst2/dev.tsv").read_text(encoding="utf-8").splitlines()[1:]]


def write(name, obj):
    (OUT / name).write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {name} ({(OUT / name).stat().st_size} bytes)", file=sys.stderr)


EDGE = [
    "",
    " ",
    "   \t\n ",
    "Hello, world!",
    "Café naïve résumé Ångström",
    "e\u0301 combining acute",
    "我爱北京天安门",
    "こんにちは世界",
    "안녕하세요 세계",
    "Mixed 中文 and English",
    "ＦＵＬＬ ｗｉｄｔｈ",
    "I love it 😍🔥👍🏽 👨‍👩‍👧",
    "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom",
    "tab\there\x00null\x07bell\x1b esc",
    "nel\u0085line\u2028sep\u00a0nbsp\u3000ideo",
    "private\ue000use \U000e0041 tag",
    "a" * 99,
    "b" * 100,
    "c" * 101,
    "supercalifragilisticexpialidocious" * 4,
    "antidisestablishmentarianism",
    "[MASK] is a [SEP] token",
    "[mask] lower [CLS]x[UNK]",
    "İstanbul ǅemal ﬁne Straße ΟΔΟΣ",
    "नमस्ते दुनिया",
    "مرحبا بالعالم",
    "สวัสดีครับ",
    "don't U.S.A. $3.50 e-mail 1,000.5% #tag @user",
    "<br /><br />This movie... was <i>great</i>!",
    "http://example.com/path?q=1&x=y",
    "∑∫√ ≠ ≤ ∞",
    "\u00bfQu\u00e9? \u00a1S\u00ed!",
    "''quoted'' ``text``",
    "-lrb- parenthesis -rrb-",
    "\ufffd replacement \ufffd",
    "Ⅻ ① ½ ²",
    "ǆ ǈ ǋ",
    "\u0130\u0307 dotted",
    "Ωmega ω ς σ",
    "日本語のテキスト、句読点。",
    "ﾊﾝｶｸ ｶﾀｶﾅ",
]
PAIRS = [
    ("A man is playing a guitar.", "Someone plays music."),
    ("The cat sat on the mat.", ""),
    ("What is the capital of France?", "Paris is the capital and most populous city of France."),
    ("Is it [MASK]?", "Yes, it is."),
]
TRUNC = [  # text_a, text_b, max_length
    ("one two three four five six seven eight nine ten eleven twelve", None, 8),
    ("one two three four five six seven eight nine ten", "alpha beta gamma delta", 10),
    ("short", "a much longer second sentence with many many words in it", 9),
    ("a much longer first sentence with many many words in it", "short one", 9),
    ("equal length a b c", "equal length d e f", 7),
    ("x " * 40, "y " * 41, 33),
    ("only special", None, 2),
]


def tokenizer_cases(tok):
    """The edge cases, pairs (with token types when the tokenizer gives them) and truncation
    cases with the ids of a Hugging Face tokenizer."""
    cases = []
    for t in EDGE:
        cases.append({"text_a": t, "input_ids": tok(t)["input_ids"]})
    for a, b in PAIRS:
        enc = tok(a, b)
        case = {"text_a": a, "text_b": b, "input_ids": enc["input_ids"]}
        if "token_type_ids" in enc:
            case["token_type_ids"] = enc["token_type_ids"]
        cases.append(case)
    for a, b, n in TRUNC:
        enc = tok(a, b, truncation=True, max_length=n) if b is not None else tok(a, truncation=True, max_length=n)
        case = {"text_a": a, "input_ids": enc["input_ids"], "max_length": n}
        if b is not None:
            case["text_b"] = b
        cases.append(case)
    return cases


def tokenizer_fixtures(tok):
    write("tokenizer_cases.json", tokenizer_cases(tok))

    rows = sst2_dev_rows()
    write("tokenizer_sst2_dev.json", [tok(r[0])["input_ids"] for r in rows])

    rt = {}
    for name in ("rt-polarity.pos", "rt-polarity.neg"):
        # Lines end in "\n" only; str.splitlines() would also split at U+0085 (byte 0x85).
        lines = (DATA / "rotten_tomatoes" / name).read_bytes().decode("latin-1").split("\n")[:-1]
        rt[name] = [fnv1a(tok(l)["input_ids"]) for l in lines]
    write("tokenizer_rotten_tomatoes.json", rt)


def forward_sentences():
    rows = sst2_dev_rows()
    picks = [rows[i][0] for i in range(0, 440, 20)]  # 22 sentences, varied lengths
    return [(s, None) for s in picks] + [PAIRS[0], PAIRS[2], ("the movie was [MASK] .", None)]


@torch.no_grad()
def forward_fixtures(tok):
    torch.manual_seed(0)
    sents = forward_sentences()
    rng = np.random.default_rng(0)
    cols = sorted(set(rng.choice(30522, 48, replace=False).tolist()) | {2053, 2748, 3893, 4997, 1037, 1996})
    mlm = AutoModelForMaskedLM.from_pretrained(SPLADE).eval()
    enc_model = AutoModel.from_pretrained(MINILM).eval()
    splade, minilm = [], []
    for a, b in sents:
        enc = tok(a, b, return_tensors="pt")
        out = mlm(**enc, output_hidden_states=True)
        logits = out.logits[0]
        splade.append(
            {
                "text_a": a,
                **({"text_b": b} if b else {}),
                "input_ids": enc["input_ids"][0].tolist(),
                "token_type_ids": enc["token_type_ids"][0].tolist(),
                "hidden": f32(out.hidden_states[-1][0]),
                "logit_columns": f32(logits[:, cols]),
                "logsumexp": f32(torch.logsumexp(logits, -1)),
                "argmax": logits.argmax(-1).tolist(),
                "max": f32(logits.max(-1).values),
            }
        )
        h = enc_model(**enc).last_hidden_state[0]
        minilm.append(
            {
                "text_a": a,
                **({"text_b": b} if b else {}),
                "input_ids": enc["input_ids"][0].tolist(),
                "token_type_ids": enc["token_type_ids"][0].tolist(),
                "hidden": f32(h),
            }
        )
    write("forward_splade.json", {"columns": cols, "cases": splade})
    write("forward_minilm.json", {"cases": minilm})


def prompt_gradient_fixtures(tok):
    """Loss and prompt gradient by PyTorch autograd for [CLS] P1..Pn [MASK] text [SEP] on the
    real checkpoints: SPLADE-tiny read through its MLM head, MiniLM-L6 through its tied input
    embeddings (h · E[word]). A padded batch with an attention mask, as PEFT would run it."""
    rows = sst2_dev_rows()
    texts = [(rows[i][0], int(rows[i][1])) for i in (0, 3, 7, 12, 30)]
    words = [tok.convert_tokens_to_ids(w) for w in ("negative", "positive")]
    n = 8
    out = {}
    for name, folder, readout in (("splade", SPLADE, "mlm"), ("minilm", MINILM, "tied")):
        model = AutoModelForMaskedLM.from_pretrained(folder) if readout == "mlm" else AutoModel.from_pretrained(folder)
        model.eval()
        bert = model.bert if readout == "mlm" else model
        emb = bert.embeddings.word_embeddings.weight
        g = torch.Generator().manual_seed(0)
        prompt = (torch.randn(n, emb.shape[1], generator=g) * emb.std().item()).requires_grad_(True)
        seqs = [
            [tok.cls_token_id]
            + [tok.pad_token_id] * n
            + [tok.mask_token_id]
            + tok(t, add_special_tokens=False)["input_ids"]
            + [tok.sep_token_id]
            for t, _ in texts
        ]
        T = max(map(len, seqs))
        ids = torch.tensor([s + [0] * (T - len(s)) for s in seqs])
        mask = torch.tensor([[1] * len(s) + [0] * (T - len(s)) for s in seqs])
        inputs = emb[ids].detach().clone()
        inputs = torch.cat([inputs[:, :1], prompt.unsqueeze(0).expand(len(seqs), -1, -1), inputs[:, 1 + n :]], 1)
        h = bert(inputs_embeds=inputs, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state[
            :, 1 + n
        ]
        if readout == "mlm":
            logits = model.cls(h)[:, words]
        else:
            logits = h @ emb[words].T
        labels = torch.tensor([y for _, y in texts])
        loss = torch.nn.functional.cross_entropy(logits, labels)
        loss.backward()
        out[name] = {
            "readout": readout,
            "n": n,
            "words": words,
            "labels": labels.tolist(),
            "sequences": seqs,
            "prompt": f32(prompt.detach()),
            "loss": loss.item(),
            "logits": f32(logits.detach()),
            "grad": f32(prompt.grad),
        }
    write("prompt_gradients.json", out)


def prompt_reader_fixtures():
    """Small prompts written by the real libraries: NumPy .npy (v1/v2/v3, f4/f8/f2, Fortran
    order), torch.save (bare tensor, a transposed view, a dict), a PEFT prompt-tuning adapter,
    and a malicious pickle that must be refused (its bytes are written, never loaded)."""
    import io, os, pickle, zipfile

    d = OUT / "prompts"
    d.mkdir(exist_ok=True)
    values = np.arange(12, dtype=np.float32).reshape(3, 4) / 8 - 0.5
    (d / "values.json").write_text(json.dumps(values.tolist()) + "\n")
    np.save(d / "v1_f4.npy", values)
    np.save(d / "v1_f8_fortran.npy", np.asfortranarray(values.astype(np.float64)))
    np.save(d / "v1_f2.npy", values.astype(np.float16))
    np.save(d / "int32.npy", values.astype(np.int32))
    np.save(d / "three_d.npy", values.reshape(1, 3, 4).repeat(2, 0))
    from numpy.lib import format as npf

    for v in ((2, 0), (3, 0)):
        with open(d / f"v{v[0]}_f4.npy", "wb") as f:
            npf.write_array(f, values, version=v)
    raw = (d / "v1_f4.npy").read_bytes()
    (d / "truncated.npy").write_bytes(raw[: len(raw) - 8])
    t = torch.from_numpy(values.copy())
    torch.save(t, d / "tensor.pt")
    torch.save(torch.from_numpy(values.T.copy()).T, d / "transposed_view.pt")  # strides (1, 3)
    torch.save({"prompt": t, "step": torch.tensor([3.0])}, d / "dict.pt")

    # A pickle that would run a shell command if it were executed.
    class Evil:
        def __reduce__(self):
            return (os.system, ("touch /tmp/prompt-transfer-pwned",))

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        # fixed timestamps, so that rerunning the script rewrites the same bytes
        z.writestr(zipfile.ZipInfo("archive/data.pkl", (2024, 1, 1, 0, 0, 0)), pickle.dumps(Evil(), protocol=2))
        z.writestr(zipfile.ZipInfo("archive/version", (2024, 1, 1, 0, 0, 0)), "3\n")
    (d / "malicious.pt").write_bytes(buf.getvalue())
    # PEFT adapter on a tiny random BERT
    from transformers import BertConfig, BertForMaskedLM
    from peft import PromptTuningConfig, get_peft_model, TaskType

    torch.manual_seed(0)
    base = BertForMaskedLM(
        BertConfig(vocab_size=64, hidden_size=4, num_hidden_layers=1, num_attention_heads=1, intermediate_size=8)
    )
    model = get_peft_model(base, PromptTuningConfig(task_type=TaskType.SEQ_CLS, num_virtual_tokens=3))
    with torch.no_grad():
        model.prompt_encoder["default"].embedding.weight.copy_(t)
    model.save_pretrained(d / "peft_adapter")
    for f in (d / "peft_adapter").iterdir():
        if f.name not in ("adapter_config.json", "adapter_model.safetensors"):
            f.unlink()
    print("wrote prompts/ reader fixtures", file=sys.stderr)


def corrupt_fixtures():
    """Corrupt and hostile files of the kinds that circulate (truncated downloads, hand-edited
    headers, other tools' files, hostile pickles), each with the tool that must refuse it
    (exit 65, the file named) and a phrase of the expected message: corrupt/cases.json. Only
    numpy and the standard library are used, so the bytes are the same on every machine."""
    import io, zipfile

    d = OUT / "corrupt"
    d.mkdir(exist_ok=True)
    cases = []

    def case(name, data, tool, expect):
        (d / name).write_bytes(data)
        cases.append({"file": name, "tool": tool, "expect": expect})

    # torch.save zips with a hand-written pickle:
    # _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())
    def binint(v):
        return b"J" + struct.pack("<i", v)

    def tup(vals):
        return b"(" + b"".join(binint(v) for v in vals) + b"t"

    def rebuild(count, offset, size, stride, key="0", depth=0):
        pid = (
            b"("
            + b"X"
            + struct.pack("<I", 7)
            + b"storage"
            + b"ctorch\nFloatStorage\n"
            + b"X"
            + struct.pack("<I", len(key))
            + key.encode()
            + b"X"
            + struct.pack("<I", 3)
            + b"cpu"
            + binint(count)
            + b"tQ"
        )
        body = (
            b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n("
            + pid
            + binint(offset)
            + tup(size)
            + tup(stride)
            + b"\x89ccollections\nOrderedDict\n)R"
            + b"tR"
        )
        return body + b"."

    def torch_zip(pickle_bytes, storages, compress=False):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:

            def put(name, data):
                info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
                z.writestr(info, data)

            put("archive/data.pkl", pickle_bytes)
            for key, data in storages.items():
                put("archive/data/" + key, data)
            put("archive/version", b"3\n")
        return buf.getvalue()

    six = np.arange(6, dtype="<f4").tobytes()
    case("pt_good_control.pt", torch_zip(rebuild(6, 0, (2, 3), (3, 1)), {"0": six}), "accept", "")
    case(
        "pt_negative_offset.pt",
        torch_zip(rebuild(6, -4, (2, 3), (3, 1)), {"0": six}),
        "prompt",
        "negative storage size, offset, size or stride",
    )
    case(
        "pt_negative_stride.pt",
        torch_zip(rebuild(6, 5, (2, 3), (-3, 1)), {"0": six}),
        "prompt",
        "negative storage size, offset, size or stride",
    )
    case(
        "pt_size_overflow.pt",
        torch_zip(rebuild(6, 0, (2**31 - 1, 2**31 - 1, 2**31 - 1), (1, 1, 1)), {"0": six}),
        "prompt",
        "overflows",
    )
    case(
        "pt_view_past_storage.pt",
        torch_zip(rebuild(6, 2, (2, 3), (3, 1)), {"0": six}),
        "prompt",
        "reaches past its storage",
    )
    case(
        "pt_storage_short.pt",
        torch_zip(rebuild(6, 0, (2, 3), (3, 1)), {"0": six[:16]}),
        "prompt",
        "declares 16 bytes; the pickle needs 24",
    )
    case(
        "pt_storage_missing.pt",
        torch_zip(rebuild(6, 0, (2, 3), (3, 1), key="7"), {"0": six}),
        "prompt",
        "storage data/7 is missing",
    )
    # a zip bomb: 16 MiB of zeros (16 KiB deflated) where the pickle asks for 24 bytes
    case(
        "pt_zip_bomb.pt",
        torch_zip(rebuild(6, 0, (2, 3), (3, 1)), {"0": bytes(16 << 20)}, compress=True),
        "prompt",
        "the pickle needs 24",
    )
    deep = b"\x80\x02" + b"(" * 40 + b")" + b"t" * 40 + b"."
    case("pt_deep_nesting.pt", torch_zip(deep, {}), "prompt", "nested deeper than")
    case("pt_unknown_opcode.pt", torch_zip(b"\x80\x02\x01.", {}), "prompt", "opcode 0x01")
    case(
        "pt_truncated_pickle.pt", torch_zip(rebuild(6, 0, (2, 3), (3, 1))[:-9], {"0": six}), "prompt", "pickle refused"
    )
    case("pt_not_a_zip.pt", b"PK\x03\x04 this is not really a zip archive", "prompt", "not a torch.save zip archive")

    # .npy
    def npy(header, payload=b"", version=1):
        h = header.encode("latin-1")
        pad = 64 - (10 + len(h) + 1) % 64
        h = h + b" " * pad + b"\n"
        return b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<H", len(h)) + h + payload

    case(
        "npy_negative_dim_fortran.npy",
        npy("{'descr': '<f4', 'fortran_order': True, 'shape': (-2, 3), }", six),
        "prompt",
        "something other than a non-negative integer",
    )
    case(
        "npy_negative_dim_c.npy",
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", six),
        "prompt",
        "something other than a non-negative integer",
    )
    case(
        "npy_no_closing_brace.npy",
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", six),
        "prompt",
        "header is not the dict NumPy writes",
    )
    case(
        "npy_shape_overflow.npy",
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", six),
        "prompt",
        "overflows",
    )
    case(
        "npy_payload_short.npy",
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", six[:20]),
        "prompt",
        "data is 20 bytes",
    )
    case(
        "npy_payload_long.npy",
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", six + b"xxxx"),
        "prompt",
        "data is 28 bytes",
    )
    case(
        "npy_extra_key.npy",
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1, }", six),
        "prompt",
        "unexpected key",
    )
    case(
        "npy_nan.npy",
        npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
            np.array([0, np.nan, 1, 2, np.inf, 3], dtype="<f4").tobytes(),
        ),
        "prompt",
        "2 non-finite values",
    )

    # safetensors
    def st(header, payload=b""):
        h = json.dumps(header, separators=(",", ":")).encode()
        h = h + b" " * ((8 - len(h) % 8) % 8)
        return struct.pack("<Q", len(h)) + h + payload

    case(
        "st_negative_shape.safetensors",
        st({"prompt": {"dtype": "F32", "shape": [-2, 3], "data_offsets": [0, 24]}}, six),
        "prompt",
        "not a non-negative integer",
    )
    case(
        "st_shape_overflow.safetensors",
        st({"prompt": {"dtype": "F32", "shape": [2**62, 2**62], "data_offsets": [0, 24]}}, six),
        "prompt",
        "overflows",
    )
    case(
        "st_header_past_end.safetensors", struct.pack("<Q", 4096) + b'{"prompt":{}}', "prompt", "does not fit the file"
    )
    case(
        "st_offsets_past_end.safetensors",
        st({"prompt": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 240]}}, six),
        "prompt",
        "outside the 24 bytes of data",
    )
    case(
        "st_offsets_reversed.safetensors",
        st({"prompt": {"dtype": "F32", "shape": [2, 3], "data_offsets": [24, 0]}}, six),
        "prompt",
        "outside the",
    )
    case(
        "st_fractional_shape.safetensors",
        st({"prompt": {"dtype": "F32", "shape": [2.5, 3], "data_offsets": [0, 24]}}, six),
        "prompt",
        "not a non-negative integer",
    )
    case(
        "st_size_mismatch.safetensors",
        st({"prompt": {"dtype": "F32", "shape": [2, 4], "data_offsets": [0, 24]}}, six),
        "prompt",
        "does not fill its 24 bytes",
    )
    case(
        "st_nan_prompt.safetensors",
        st(
            {"prompt": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}},
            np.full(6, np.nan, dtype="<f4").tobytes(),
        ),
        "prompt",
        "6 non-finite values",
    )
    case("st_not_json.safetensors", struct.pack("<Q", 8) + b"{{{{{{{{", "prompt", "not valid JSON")
    case(
        "st_nan_projector.safetensors",
        st(
            {
                "__metadata__": {
                    "format": "prompt-transfer/projector",
                    "prompt_length": "1",
                    "source_hidden": "2",
                    "target_hidden": "2",
                    "hidden": "2",
                    "activation": "tanh",
                    "layer_norm": "false",
                },
                "linear1.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
                "linear1.bias": {"dtype": "F32", "shape": [2], "data_offsets": [16, 24]},
                "linear2.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [24, 40]},
                "linear2.bias": {"dtype": "F32", "shape": [2], "data_offsets": [40, 48]},
            },
            np.array([np.nan] + [0.5] * 11, dtype="<f4").tobytes(),
        ),
        "projector",
        "1 non-finite value",
    )
    case(
        "st_huge_projector.safetensors",
        st(
            {
                "__metadata__": {
                    "format": "prompt-transfer/projector",
                    "prompt_length": "100000",
                    "source_hidden": "100000",
                    "target_hidden": "100000",
                    "hidden": "100000",
                    "activation": "tanh",
                    "layer_norm": "false",
                }
            }
        ),
        "projector",
        "do not fit the file",
    )

    # JSON lines
    case("jsonl_deep.jsonl", b'{"text_a":' + b"[" * 600 + b"]" * 600 + b"}\n", "jsonl", "nested too deeply")
    case("jsonl_bad_utf8.jsonl", b'{"text_a":"ok"}\n{"text_a":"\xff\xfe"}\n', "jsonl", ":2: invalid UTF-8")
    case("jsonl_not_object.jsonl", b'{"text_a":"ok"}\n[1,2,3]\n', "jsonl", ":2: expected a JSON object")
    case("jsonl_truncated.jsonl", b'{"text_a":"ok"}\n{"text_a":"cut', "jsonl", ":2: invalid JSON")

    # tokenizer.json (a folder each, read by `tokenize --model`)
    good = {
        "version": "1.0",
        "added_tokens": [],
        "normalizer": None,
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": None,
        "model": {
            "type": "WordPiece",
            "unk_token": "[UNK]",
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100,
            "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3},
        },
    }

    def tokenizer_case(name, obj, expect, raw=None):
        folder = d / name
        folder.mkdir(exist_ok=True)
        (folder / "tokenizer.json").write_bytes(raw if raw is not None else json.dumps(obj).encode())
        cases.append({"file": name, "tool": "tokenizer", "expect": expect})

    huge = json.loads(json.dumps(good))
    huge["model"]["vocab"]["a"] = 2**40
    tokenizer_case("tok_huge_id", huge, "not an integer from 0 to")
    negative = json.loads(json.dumps(good))
    negative["model"]["vocab"]["a"] = -1
    tokenizer_case("tok_negative_id", negative, "not an integer from 0 to")
    added = json.loads(json.dumps(good))
    added["added_tokens"] = [{"content": "[MASK]", "id": 2**33}]
    tokenizer_case("tok_added_huge_id", added, "not an integer from 0 to")
    tokenizer_case("tok_truncated", None, "not valid JSON", raw=json.dumps(good).encode()[:60])
    (d / "cases.json").write_text(json.dumps(cases, indent=1) + "\n")
    print(f"wrote corrupt/ ({len(cases)} cases)", file=sys.stderr)


def projector_fixtures():
    """The projector (Linear → LeakyReLU|Tanh → Linear → optional per-token LayerNorm) in
    PyTorch, with its output and the gradients of sum(y · R) for every parameter."""
    cases = []
    for act, ln in (("leakyrelu", False), ("tanh", True), ("leakyrelu", True)):
        g = torch.Generator().manual_seed(len(cases))
        n, ds, dt, h = 2, 3, 4, 5
        l1, l2 = torch.nn.Linear(n * ds, h), torch.nn.Linear(h, n * dt)
        norm = torch.nn.LayerNorm(dt)
        with torch.no_grad():
            for p in (*l1.parameters(), *l2.parameters(), *norm.parameters()):
                p.copy_(torch.randn(p.shape, generator=g) * 0.5 + (1 if p is norm.weight else 0))
        x = torch.randn(2, n * ds, generator=g)
        r = torch.randn(2, n, dt, generator=g)
        a = torch.nn.functional.leaky_relu(l1(x), 0.01) if act == "leakyrelu" else torch.tanh(l1(x))
        y = l2(a).view(2, n, dt)
        if ln:
            y = norm(y)
        (y * r).sum().backward()
        case = {
            "activation": act,
            "layer_norm": ln,
            "n": n,
            "source": ds,
            "target": dt,
            "hidden": h,
            "x": f32(x),
            "r": f32(r),
            "y": f32(y.detach()),
        }
        for name, p in (
            ("w1", l1.weight),
            ("b1", l1.bias),
            ("w2", l2.weight),
            ("b2", l2.bias),
            ("gamma", norm.weight),
            ("beta", norm.bias),
        ):
            case[name] = f32(p.detach())
            case["d" + name] = f32(p.grad if p.grad is not None else torch.zeros_like(p))
        cases.append(case)
    write("projector.json", cases)


def roberta_fixtures():
    """A small random RobertaForMaskedLM saved by transformers (committed: a few hundred KB),
    and its MLM logits for a padded batch, to check the RoBERTa path of the encoder (position
    ids from padding_idx + 1, one token type, lm_head) without RoBERTa weights."""
    from transformers import RobertaConfig, RobertaForMaskedLM

    torch.manual_seed(0)
    cfg = RobertaConfig(
        vocab_size=300,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=66,
        type_vocab_size=1,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    model = RobertaForMaskedLM(cfg).eval()
    write("roberta_tiny.json", tiny_mlm_fixture(model, model.roberta, OUT / "roberta-tiny", (5, 11, 30), (3, 9)))


def tiny_mlm_fixture(model, encoder, folder, lengths, text_lengths):
    """A small random masked-LM checkpoint saved by transformers (config + weights, committed)
    with its MLM logits for a padded batch of random sequences, and the prompt gradient by
    autograd for <s> P1..P4 <mask> text </s> read at <mask> through lm_head's label rows."""
    model.save_pretrained(folder)
    for f in folder.iterdir():
        if f.name not in ("config.json", "model.safetensors"):
            f.unlink()
    g = torch.Generator().manual_seed(1)
    seqs = [[0] + torch.randint(3, 300, (n,), generator=g).tolist() + [2] for n in lengths]
    T = max(map(len, seqs))
    ids = torch.tensor([s + [1] * (T - len(s)) for s in seqs])
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=(ids != 1).long()).logits
    n, words, mask_id = 4, [10, 20, 30], 3
    emb = encoder.embeddings.word_embeddings.weight
    prompt = (torch.randn(n, 32, generator=g) * 0.1).requires_grad_(True)
    pseqs = [[0] + [1] * n + [mask_id] + torch.randint(5, 300, (k,), generator=g).tolist() + [2] for k in text_lengths]
    T = max(map(len, pseqs))
    pids = torch.tensor([q + [1] * (T - len(q)) for q in pseqs])
    x = emb[pids].detach().clone()
    x = torch.cat([x[:, :1], prompt.unsqueeze(0).expand(len(pseqs), -1, -1), x[:, 1 + n :]], 1)
    # prompt rows hold the pad id as a placeholder: give every row its ordinary position
    # (padding_idx + 1 onwards), as transformers does for the real tokens
    pos = torch.arange(T).unsqueeze(0).expand(len(pseqs), -1) + 2
    h = encoder(
        inputs_embeds=x, attention_mask=(pids != 1).long() | (torch.arange(T) <= n).long(), position_ids=pos
    ).last_hidden_state[:, 1 + n]
    plogits = model.lm_head(h)[:, words]
    labels = torch.tensor([0, 2])
    loss = torch.nn.functional.cross_entropy(plogits, labels)
    loss.backward()
    return {
        "sequences": seqs,
        "logits": [f32(logits[i, : len(s)]) for i, s in enumerate(seqs)],
        "prompt_gradient": {
            "n": n,
            "words": words,
            "labels": labels.tolist(),
            "sequences": pseqs,
            "prompt": f32(prompt.detach()),
            "loss": loss.item(),
            "grad": f32(prompt.grad),
        },
    }


SEQIO_WHEEL = ("seqio==0.0.20", "seqio/test_data/sentencepiece/sentencepiece.model")


def t5_tokenizer():
    """A T5-format tokenizer.json (T5's own cannot be had from PyPI): the pipeline transformers
    writes for T5 — normalizer Precompiled (a real SentencePiece nmt_nfkc charsmap, taken from
    the test model in the seqio wheel), Strip right, Replace " {2,}" → "▁"; Metaspace; Unigram;
    "$A </s>" / "$A </s> $B </s>" — with a 1,000-piece Unigram model trained by `tokenizers` on
    SST-2 dev, and <extra_id_9> … <extra_id_0> after it as T5 has them. Saved into t5-tiny, and
    its ids on the edge cases, pairs, truncation and all of SST-2 dev as the fixture."""
    import subprocess, tempfile, zipfile
    from sentencepiece import sentencepiece_model_pb2
    from tokenizers import Regex, Tokenizer, AddedToken, models, normalizers, pre_tokenizers, processors, trainers

    tmp = Path(tempfile.mkdtemp())
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(tmp), SEQIO_WHEEL[0]], check=True
    )
    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(zipfile.ZipFile(next(tmp.glob("seqio-*.whl"))).read(SEQIO_WHEEL[1]))
    charsmap = proto.normalizer_spec.precompiled_charsmap
    assert proto.normalizer_spec.name == "nmt_nfkc" and len(charsmap) > 100000
    tk = Tokenizer(models.Unigram())
    tk.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(charsmap),
            normalizers.Strip(left=False, right=True),
            normalizers.Replace(Regex(" {2,}"), "\u2581"),
        ]
    )
    tk.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(
        vocab_size=1000, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>", show_progress=False
    )
    tk.train_from_iterator([r[0] for r in sst2_dev_rows()], trainer)
    tk.add_special_tokens([AddedToken(f"<extra_id_{i}>", special=True) for i in range(9, -1, -1)])
    tk.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    folder = OUT / "t5-tiny"
    folder.mkdir(parents=True, exist_ok=True)
    tk.save(str(folder / "tokenizer.json"))
    cases = []
    extra = ["a <extra_id_0> b", "<extra_id_0>", "two  spaces   three", " lead", "trail ", "ﬁne ① ½ Ⅻ ＡＢＣ"]
    for t in EDGE + extra:
        cases.append({"text_a": t, "input_ids": tk.encode(t).ids})
    for a, b in PAIRS:
        cases.append({"text_a": a, "text_b": b, "input_ids": tk.encode(a, b or None).ids})
    write(
        "tokenizer_t5.json",
        {
            "vocab_size": tk.get_vocab_size(),
            "cases": cases,
            "sst2_dev": [fnv1a(tk.encode(r[0]).ids) for r in sst2_dev_rows()],
        },
    )
    return tk.get_vocab_size()


def t5_fixtures():
    """T5 without weights: two small random T5ForConditionalGeneration checkpoints (committed),
    t5-tiny (v1.0: ReLU FFN, tied LM head with the d_model^-0.5 scaling, saved by this
    transformers) and t5-v1_1-tiny (v1.1: gated-GELU FFN, inner attention width 64 ≠ d_model 32,
    3 decoder layers, its own lm_head and no scaling, written as transformers 4 saved flan-t5:
    tie_word_embeddings false and an lm_head.weight tensor), with the vocabulary of t5_tokenizer.
    For each: encoder last hidden states for a padded batch reaching every bucket (a sequence of
    180), the first decoder step's logits over the whole vocabulary, and the prompt gradient by
    autograd for the paper's layout (P1..P4 text </s>) read from the first decoder step's logits
    at 3 words."""
    from safetensors.torch import save_file
    from transformers import T5Config, T5ForConditionalGeneration
    from transformers.models.t5.modeling_t5 import T5Attention

    vocab = t5_tokenizer()
    common = dict(
        vocab_size=vocab,
        d_model=32,
        d_ff=64,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=32,
        relative_attention_max_distance=128,
        dropout_rate=0.0,
        layer_norm_epsilon=1e-6,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    for name, extra in [
        ("t5-tiny", dict(feed_forward_proj="relu", d_kv=8)),
        ("t5-v1_1-tiny", dict(feed_forward_proj="gated-gelu", d_kv=16, num_decoder_layers=3)),
    ]:
        torch.manual_seed(0)
        cfg = T5Config(**common, **extra, tie_word_embeddings=name == "t5-tiny")
        model = T5ForConditionalGeneration(cfg).eval()
        folder = OUT / name
        if name == "t5-tiny":
            model.save_pretrained(folder)
            for f in folder.iterdir():
                if f.name not in ("config.json", "model.safetensors", "tokenizer.json"):
                    f.unlink()
        else:
            model.lm_head = torch.nn.Linear(32, vocab, bias=False)
            torch.nn.init.normal_(model.lm_head.weight, std=0.5)
            folder.mkdir(parents=True, exist_ok=True)
            state = {k: v.contiguous() for k, v in model.state_dict().items() if not k.endswith("embed_tokens.weight")}
            save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
            config = cfg.to_dict()
            config.pop("scale_decoder_outputs", None)
            config["tie_word_embeddings"] = False
            config["architectures"] = ["T5ForConditionalGeneration"]
            (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")
        g = torch.Generator().manual_seed(1)
        seqs = [torch.randint(2, 300, (n,), generator=g).tolist() + [1] for n in (4, 10, 179)]
        T = max(map(len, seqs))
        ids = torch.tensor([s + [0] * (T - len(s)) for s in seqs])
        mask = torch.tensor([[1] * len(s) + [0] * (T - len(s)) for s in seqs])
        start = torch.zeros(len(seqs), 1, dtype=torch.long)
        with torch.no_grad():
            out = model(input_ids=ids, attention_mask=mask, decoder_input_ids=start)
        hidden = out.encoder_last_hidden_state
        n, words = 4, [10, 20, 30]
        prompt = (torch.randn(n, 32, generator=g) * 0.5).requires_grad_(True)
        texts = [torch.randint(2, 300, (k,), generator=g).tolist() + [1] for k in (3, 40)]
        T = n + max(map(len, texts))
        x = torch.zeros(len(texts), T, 32)
        pmask = torch.zeros(len(texts), T, dtype=torch.long)
        for i, t in enumerate(texts):
            x[i, n : n + len(t)] = model.shared.weight[torch.tensor(t)].detach()
            pmask[i, : n + len(t)] = 1
        x = torch.cat([prompt.unsqueeze(0).expand(len(texts), -1, -1), x[:, n:]], 1)
        logits = model(inputs_embeds=x, attention_mask=pmask, decoder_input_ids=start[: len(texts)]).logits[:, 0, words]
        labels = torch.tensor([0, 2])
        loss = torch.nn.functional.cross_entropy(logits, labels)
        loss.backward()
        write(
            name.replace("-", "_") + ".json",
            {
                "sequences": seqs,
                "encoder_hidden": [f32(hidden[i, : len(s)]) for i, s in enumerate(seqs)],
                "first_step_logits": f32(out.logits[:, 0]),
                "unidirectional_buckets_from_minus_300": T5Attention._relative_position_bucket(
                    torch.arange(-300, 301), bidirectional=False, num_buckets=32, max_distance=128
                ).tolist(),
                "prompt_gradient": {
                    "n": n,
                    "words": words,
                    "labels": labels.tolist(),
                    "texts": texts,
                    "prompt": f32(prompt.detach()),
                    "loss": loss.item(),
                    "grad": f32(prompt.grad),
                },
            },
        )


MPNET = ROOT / "models/mpnet-base"


def mpnet_fixtures():
    """MPNet: a small random MPNetForMaskedLM (committed) with its MLM logits for a padded
    batch long enough to reach every bucket of the relative position bias (distances past
    128), and a prompt gradient by autograd; the real all-mpnet-base-v2: tokenizer ids on the
    WordPiece corpora, last hidden states (sampled columns at every row) and the sentence
    embeddings of sentence-transformers (mean pooling + normalisation, 384 tokens)."""
    from transformers import MPNetConfig, MPNetForMaskedLM
    from transformers.models.mpnet.modeling_mpnet import MPNetEncoder

    torch.manual_seed(0)
    cfg = MPNetConfig(
        vocab_size=300,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=202,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        relative_attention_num_buckets=32,
        layer_norm_eps=1e-5,
    )
    model = MPNetForMaskedLM(cfg).eval()
    fixture = tiny_mlm_fixture(model, model.mpnet, OUT / "mpnet-tiny", (5, 11, 180), (3, 40))
    fixture["buckets_from_minus_600"] = MPNetEncoder.relative_position_bucket(torch.arange(-600, 601)).tolist()
    write("mpnet_tiny.json", fixture)

    tok = AutoTokenizer.from_pretrained(MPNET)
    cases = tokenizer_cases(tok)
    rt = {}
    for name in ("rt-polarity.pos", "rt-polarity.neg"):
        lines = (DATA / "rotten_tomatoes" / name).read_bytes().decode("latin-1").split("\n")[:-1]
        rt[name] = [fnv1a(tok(l)["input_ids"]) for l in lines]
    write(
        "tokenizer_mpnet.json",
        {"cases": cases, "sst2_dev": [fnv1a(tok(r[0])["input_ids"]) for r in sst2_dev_rows()], "rotten_tomatoes": rt},
    )

    real = AutoModel.from_pretrained(MPNET).eval()
    rng = np.random.default_rng(0)
    cols = sorted(rng.choice(768, 64, replace=False).tolist())
    sents = forward_sentences()
    try:
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(str(MPNET), device="cpu")
        st.max_seq_length = 384
        reference = "sentence-transformers"
    except ImportError:
        st, reference = None, "transformers + mean pooling + normalisation (sentence-transformers not installed)"
    out = []
    with torch.no_grad():
        for a, b in sents:
            enc = tok(a, b, return_tensors="pt")
            hid = real(**enc).last_hidden_state[0]
            pooled = torch.nn.functional.normalize(hid.mean(0), dim=0)
            if st is not None and b is None:
                pooled = torch.from_numpy(st.encode([a], convert_to_numpy=True)[0])
            out.append(
                {
                    "text_a": a,
                    **({"text_b": b} if b else {}),
                    "input_ids": enc["input_ids"][0].tolist(),
                    "hidden_columns": f32(hid[:, cols]),
                    "max_abs_hidden": hid.abs().max().item(),
                    "sentence_embedding": f32(pooled),
                }
            )
    write("forward_mpnet.json", {"columns": cols, "sentence_reference": reference, "cases": out})


BPE_EDGE = [
    "it's they're we've I'm you'll he'd IT'S 'sand 'Tis",
    "two  spaces   three    four",
    "trailing spaces   ",
    "\n\nnewlines\r\n\ttabs\t\t",
    "!!!!!!!!" * 60,
    "1234567890 3.14159 1,000,000",
    "<mask> at start, middle <mask> and end <mask>",
    "no space<mask>here",
    "<s>raw</s> specials <pad> <unk>",
    "ünïcödé Ελληνικά Кириллица",
    "emoji 😍🔥👍🏽 👨‍👩‍👧 flags 🇫🇷",
    "a" * 600,
    "x\u00a0y\u2028z\u3000w",
    "\u0300combining first",
]


def bpe_tokenizer_fixtures():
    """Byte-level BPE ids by Hugging Face on GPT-2's 50k vocabulary (models/gpt2-bpe, rebuilt
    from the openai-whisper ranks by scripts/tiktoken-to-bpe.py) in RoBERTa's format, on
    real text; and the tiny RoBERTa's own tokenizer.json (trained here, <mask> lstrip as
    roberta-base has it)."""
    from transformers import RobertaTokenizerFast

    tok = RobertaTokenizerFast.from_pretrained(ROOT / "models/gpt2-bpe")
    cases = []
    for t in EDGE + BPE_EDGE:
        cases.append({"text_a": t, "input_ids": tok(t)["input_ids"]})
    for a, b in PAIRS:
        cases.append({"text_a": a, "text_b": b, "input_ids": tok(a, b)["input_ids"]})
    for a, b, n in TRUNC:
        enc = tok(a, b, truncation=True, max_length=n) if b is not None else tok(a, truncation=True, max_length=n)
        cases.append(
            {"text_a": a, **({"text_b": b} if b is not None else {}), "input_ids": enc["input_ids"], "max_length": n}
        )
    rows = sst2_dev_rows()
    sst2 = [fnv1a(tok(r[0])["input_ids"]) for r in rows]
    tweets = [
        json.loads(l)["text"]
        for l in (DATA / "tweeteval_sentiment/derived_validation.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    mnli = [
        json.loads(l)
        for l in (DATA / "mnli/derived_validation_matched.jsonl").read_text(encoding="utf-8").splitlines()[:1000]
    ]
    import tarfile

    imdb = {}
    with tarfile.open(DATA / "imdb/aclImdb_v1-labelled.tar.gz") as tar:
        for m in tar:
            if m.isfile() and m.name.startswith(("aclImdb/train/pos/", "aclImdb/train/neg/")) and len(imdb) < 400:
                imdb[m.name] = fnv1a(tok(tar.extractfile(m).read().decode("utf-8"))["input_ids"])
    spaced = RobertaTokenizerFast.from_pretrained(ROOT / "models/gpt2-bpe", add_prefix_space=True)
    prefix_cases = [{"text_a": t, "input_ids": spaced(t)["input_ids"]} for t in EDGE[:6] + BPE_EDGE[:4]]
    prefix_cases += [{"text_a": a, "text_b": b, "input_ids": spaced(a, b)["input_ids"]} for a, b in PAIRS]
    write(
        "tokenizer_bpe.json",
        {
            "cases": cases,
            "cases_add_prefix_space": prefix_cases,
            "sst2_dev": sst2,
            "tweeteval_validation": [fnv1a(tok(x)["input_ids"]) for x in tweets],
            "mnli_validation_matched_1000": [fnv1a(tok(r["premise"], r["hypothesis"])["input_ids"]) for r in mnli],
            "imdb_train": imdb,
            "tokens": {
                w: tok.convert_tokens_to_ids(w) for w in ("positive", "Ġpositive", "negative", "Ġnegative", "<mask>")
            },
        },
    )


def paper_layout_fixture():
    """The paper's 1.0 input layout (Prompt-Transferability-1.0/model/modelling_roberta.py),
    re-implemented on the tiny RoBERTa: ids [-1..-n] <s> a </s> (b </s>); prompt slot 0 holds
    the <mask> word embedding instead of prompt vector 0; position ids count every row from
    padding_idx + 1 but the n prompt rows get a zero position embedding; one token type;
    logits read at row 0. Padded batch with an attention mask; loss gradient by autograd."""
    from transformers import RobertaForMaskedLM

    model = RobertaForMaskedLM.from_pretrained(OUT / "roberta-tiny").eval()
    emb = model.roberta.embeddings
    C, P = model.config.hidden_size, model.config.max_position_embeddings
    # a zero row at index P stands for "no position embedding"
    pos_table = torch.nn.Embedding(P + 1, C)
    with torch.no_grad():
        pos_table.weight[:P] = emb.position_embeddings.weight
        pos_table.weight[P] = 0
    emb.position_embeddings = pos_table
    g = torch.Generator().manual_seed(7)
    n, mask_id, pad = 6, 4, 1
    prompt = (torch.randn(n, C, generator=g) * 0.5).requires_grad_(True)
    texts = [(torch.randint(5, 300, (k,), generator=g).tolist(), None) for k in (4, 13)]
    texts += [
        (torch.randint(5, 300, (k,), generator=g).tolist(), torch.randint(5, 300, (j,), generator=g).tolist())
        for k, j in ((5, 7), (20, 9))
    ]
    seqs = [[-(i + 1) for i in range(n)] + [0] + a + [2] + ((b + [2]) if b else []) for a, b in texts]
    T = max(map(len, seqs))
    ids = torch.tensor([s + [pad] * (T - len(s)) for s in seqs])
    words = emb.word_embeddings(ids.clamp(min=0)) * (ids >= 0).unsqueeze(2)
    slot = (-(ids + 1)).clamp(min=0)
    pemb = prompt[slot] * (ids < 0).unsqueeze(2)
    pemb = torch.cat([emb.word_embeddings.weight[mask_id].detach().expand(len(seqs), 1, C), pemb[:, 1:]], 1)
    x = words + pemb
    real = (ids != pad).long()
    pos = torch.cumsum(real, 1) * real + pad  # create_position_ids_from_input_ids
    pos[:, :n] = P  # the paper zeroes the prompt rows' positions
    logits = model(inputs_embeds=x, attention_mask=real, position_ids=pos, token_type_ids=torch.zeros_like(ids)).logits[
        :, 0
    ]
    label_words, labels = [10, 20, 30], torch.tensor([0, 2, 1, 2])
    loss = torch.nn.functional.cross_entropy(logits[:, label_words], labels)
    loss.backward()
    # FFN activations (after GELU) at <s> for the prompt alone, laid out the same way: ON's stimulus
    acts = []
    hooks = [
        l.intermediate.register_forward_hook(lambda m, i, o: acts.append(o[0, n].detach()))
        for l in model.roberta.encoder.layer
    ]
    sid = torch.tensor([[-(i + 1) for i in range(n)] + [0]])
    sx = torch.cat(
        [
            emb.word_embeddings.weight[mask_id].detach().view(1, 1, C),
            prompt.detach()[1:].unsqueeze(0),
            emb.word_embeddings.weight[0].detach().view(1, 1, C),
        ],
        1,
    )
    spos = torch.tensor([[P] * n + [n + 2]])
    with torch.no_grad():
        model(inputs_embeds=sx, position_ids=spos, token_type_ids=torch.zeros_like(sid))
    for h in hooks:
        h.remove()
    write(
        "roberta_paper_layout.json",
        {
            "n": n,
            "texts": [{"a": a, **({"b": b} if b else {})} for a, b in texts],
            "sequences": seqs,
            "prompt": f32(prompt.detach()),
            "logits_row0": f32(logits.detach()),
            "words": label_words,
            "labels": labels.tolist(),
            "loss": loss.item(),
            "grad": f32(prompt.grad),
            "start_activations": f32(torch.cat(acts)),
        },
    )


ADDED_TEXTS = [
    "a <s> b </s> c <mask> d <pad>",
    "x [MASK] y [mask] z [Mask] [CLS]",
    "no<mask>space  <mask> end",
    "<S> </S> <MASK>",
    "[SEP][SEP] [UNK]x",
    "plain text only",
]


def normalized_added_fixture():
    """roberta-base's tokenizer.json on the hub marks <s> </s> <pad> <unk> as normalized: such
    added tokens are matched in the normalised text (content normalised too: [mask] matches
    [MASK] under BERT's lower-casing). Both tokenizers with every added token normalized."""
    from tokenizers import Tokenizer

    out = {}
    for name, path in (("roberta-tiny", OUT / "roberta-tiny/tokenizer.json"), ("minilm", MINILM / "tokenizer.json")):
        j = json.loads(path.read_text())
        for t in j["added_tokens"]:
            t["normalized"] = True
        tk = Tokenizer.from_str(json.dumps(j))
        tk.no_padding()
        tk.no_truncation()
        out[name] = [{"text_a": s, "input_ids": tk.encode(s).ids} for s in ADDED_TEXTS]
    write("tokenizer_normalized_added.json", out)


def roberta_tiny_tokenizer():
    """A 300-token byte-level BPE trained on SST-2 sentences, with RoBERTa's special tokens
    (<s>=0, <pad>=1, </s>=2, <unk>=3, <mask>=4, lstrip) and post-processor, for the tiny
    checkpoint: then every tool can run on a RoBERTa folder."""
    from tokenizers import Tokenizer, AddedToken, models, pre_tokenizers, processors, trainers, decoders

    rows = [r[0] for r in sst2_dev_rows()]
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    mask = AddedToken("<mask>", lstrip=True, rstrip=False, normalized=False, special=True)
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", mask],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tk.train_from_iterator(rows, trainer)
    tk.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    tk.save(str(OUT / "roberta-tiny/tokenizer.json"))
    cases = []
    for t in EDGE + BPE_EDGE + ["the movie was <mask> .", "great <mask>", "  <mask>  two"]:
        cases.append({"text_a": t, "input_ids": tk.encode(t).ids})
    for a, b in PAIRS:
        # transformers (and this toolkit) read an empty second text as none
        cases.append({"text_a": a, "text_b": b, "input_ids": tk.encode(a, b or None).ids})
    write("tokenizer_roberta_tiny.json", {"vocab_size": tk.get_vocab_size(), "cases": cases})


UNICODE_EDGES = [
    "Hello World",
    "  leading and trailing  ",
    "Crème brûlée à la mode",
    "ﬁne ① ½ Ⅻ ＡＢＣ ＤＩＧＩＴＳ １２３ 456",
    "e\u0301 vs é, A\u030a vs Å Ångström",
    "tab\there\nnewline\r\nCRLF\fform\vvertical",
    "zero\u200bwidth\u200cnon\u200djoiner\u200eltr\u200frtl",
    "\ufeffBOM start",
    "control\x01\x07\x1f chars\x7f\x8f\x9f",
    "ｶﾀｶﾅ ﾊﾝｶｸ",
    "Straße İstanbul ΣΑΣ ǅ",
    "emoji 👍🏽 family 👨\u200d👩\u200d👧",
    "한국어 텍스트",
    "中文字符 and ㈱",
    "\u2581metaspace\u2581 already",
    "x\u00a0nbsp\u3000ideographic\u1680ogham",
    "line\u2028sep\u2029para",
    "replacement \ufffd char",
    "",
    "   ",
    "don't ``quote'' -- it's 3.5% (ok)!",
    "n\u0303 \u0915\u094d\u0937 \u0e01\u0e34",
]


def normalizer_fixtures():
    """Each normalizer and pre-tokenizer stage this toolkit implements, as HF `tokenizers` runs it:
    its tokenizer.json form and what it makes of UNICODE_EDGES (normalize_str, pre_tokenize_str's
    words); and the issue's tokenizer — a Unigram model with the Nmt and NFKC normalizers — with
    its ids on the same texts."""
    from tokenizers import Regex, Tokenizer, models, normalizers as N, pre_tokenizers as P, processors

    def as_json(normalizer=None, pre=None):
        tk = Tokenizer(models.WordPiece({"[UNK]": 0}, unk_token="[UNK]"))
        if normalizer is not None:
            tk.normalizer = normalizer
        if pre is not None:
            tk.pre_tokenizer = pre
        j = json.loads(tk.to_str())
        return j["normalizer"] if normalizer is not None else j["pre_tokenizer"]

    stages = [
        N.NFC(),
        N.NFD(),
        N.NFKC(),
        N.NFKD(),
        N.Nmt(),
        N.Lowercase(),
        N.Strip(),
        N.Strip(left=False, right=True),
        N.StripAccents(),
        N.Replace("``", '"'),
        N.Replace(Regex(" {2,}"), "\u2581"),
        N.Prepend("\u2581"),
        N.Sequence([N.Nmt(), N.NFKC()]),
        N.Sequence([N.NFD(), N.StripAccents(), N.Lowercase()]),
        N.BertNormalizer(),
        N.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False),
    ]
    normal = [{"json": as_json(normalizer=n), "outputs": [n.normalize_str(t) for t in UNICODE_EDGES]} for n in stages]
    pres = [
        P.WhitespaceSplit(),
        P.Whitespace(),
        P.Punctuation(),
        P.Digits(individual_digits=False),
        P.Digits(individual_digits=True),
        P.BertPreTokenizer(),
        P.Metaspace(replacement="\u2581", prepend_scheme="always"),
        P.Sequence([P.WhitespaceSplit(), P.Metaspace(replacement="\u2581", prepend_scheme="always")]),
        P.Sequence([P.Whitespace(), P.Digits(individual_digits=True)]),
    ]
    pre = [
        {"json": as_json(pre=p), "outputs": [[w for w, _ in p.pre_tokenize_str(t)] for t in UNICODE_EDGES]}
        for p in pres
    ]
    # the case: a SentencePiece-style Unigram model with the Nmt and NFKC normalizers
    tk = Tokenizer(
        models.Unigram(
            [
                ("<unk>", 0.0),
                ("\u2581", -2.0),
                ("\u2581the", -3.0),
                ("\u2581fine", -4.0),
                ("e", -3.5),
                ("n", -3.6),
                ("i", -3.7),
                ("f", -3.8),
                ("\u2581a", -3.1),
                ("ABC", -5.0),
                ("123", -5.0),
                ("1", -6.0),
                ("2", -6.0),
                ("3", -6.0),
                ("s", -4.0),
                ("\u2581\u2581", -9.0),
                ("é", -4.5),
                ("Å", -4.5),
                ("\u2581Hello", -4.0),
                ("o", -4.0),
                ("l", -4.0),
                ("W", -4.2),
                ("r", -4.0),
                ("d", -4.0),
                ("t", -3.9),
                ("a", -3.9),
                ("</s>", 0.0),
            ],
            unk_id=0,
        )
    )
    tk.normalizer = N.Sequence([N.Nmt(), N.NFKC()])
    tk.pre_tokenizer = P.Metaspace(replacement="\u2581", prepend_scheme="always")
    tk.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 26)]
    )
    folder = OUT / "unigram-nmt-nfkc"
    folder.mkdir(parents=True, exist_ok=True)
    tk.save(str(folder / "tokenizer.json"))
    write(
        "tokenizer_stages.json",
        {
            "texts": UNICODE_EDGES,
            "normalizers": normal,
            "pre_tokenizers": pre,
            "unigram_nmt_nfkc": [tk.encode(t, add_special_tokens=False).ids for t in UNICODE_EDGES],
        },
    )


def converted_tokenizer_fixtures():
    """The tokenizer.json that transformers' converters write for the SentencePiece families
    (ALBERT, XLM-R, DeBERTa-v2/v3, T5), from one real SentencePiece model (the seqio wheel's test
    model: an nmt_nfkc charsmap, 26 pieces): each file with its charsmap stored once, and the ids
    HF `tokenizers` gives for UNICODE_EDGES and pairs, special tokens included."""
    import subprocess, tempfile, zipfile
    from transformers import AlbertTokenizer, DebertaV2Tokenizer, T5Tokenizer, XLMRobertaTokenizer
    from transformers.convert_slow_tokenizer import convert_slow_tokenizer

    tmp = Path(tempfile.mkdtemp())
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(tmp), SEQIO_WHEEL[0]], check=True
    )
    spm = tmp / "sentencepiece.model"
    spm.write_bytes(zipfile.ZipFile(next(tmp.glob("seqio-*.whl"))).read(SEQIO_WHEEL[1]))
    charsmap, families = None, []
    for name, cls in [
        ("albert", AlbertTokenizer),
        ("xlm-roberta", XLMRobertaTokenizer),
        ("deberta-v2", DebertaV2Tokenizer),
        ("t5", T5Tokenizer),
    ]:
        fast = convert_slow_tokenizer(cls(vocab_file=str(spm)))
        text = fast.to_str()
        j = json.loads(text)
        stages = j["normalizer"]["normalizers"] if j["normalizer"]["type"] == "Sequence" else [j["normalizer"]]
        for st in stages:
            if st["type"] == "Precompiled":
                assert charsmap in (None, st["precompiled_charsmap"])
                charsmap = st["precompiled_charsmap"]
                st["precompiled_charsmap"] = "@charsmap"
        cases = [{"text_a": t, "input_ids": fast.encode(t).ids} for t in UNICODE_EDGES]
        cases += [
            {"text_a": a, "text_b": b, "input_ids": fast.encode(a, b).ids}
            for a, b in [("a premise here", "a hypothesis"), ("Crème brûlée", "ﬁne ①")]
        ]
        families.append({"name": name, "tokenizer": j, "cases": cases})
    write("tokenizer_families.json", {"charsmap": charsmap, "families": families})


def transferability_fixtures():
    """LEEP, LogME and H-score on fixed seeded inputs, computed with numpy as their authors'
    code does (LogME: thuml/LogME's fixed-point iteration with numpy's SVD; H-score: numpy's
    pinv of the feature covariance; the regularised H-score: scikit-learn's LedoitWolf, as
    tllib's regularized_h_score), for TransferabilityTests (scikit-learn: make bench-setup)."""
    rng = np.random.default_rng(7)

    def logme(f, y):
        n, d = f.shape
        if n > d:
            _, s2, vh = np.linalg.svd(f.T @ f)
            s = np.sqrt(s2)
            rank = int((s > 1e-10).sum())
            u = (f @ vh.T)[:, :rank] / s[:rank].reshape(1, -1)
            s = s[:rank]
        else:
            u, s, _ = np.linalg.svd(f, full_matrices=False)
        sigma = (s**2).reshape(-1, 1)
        evidences = []
        for k in range(int(y.max()) + 1):
            y_ = (y == k).astype(np.float64).reshape(-1, 1)
            x = u.T @ y_
            x2 = x**2
            res_x2 = (y_**2).sum() - x2.sum()
            alpha, beta = 1.0, 1.0
            for _ in range(11):
                t = alpha / beta
                gamma = (sigma / (sigma + t)).sum()
                m2 = (sigma * x2 / ((t + sigma) ** 2)).sum()
                res2 = (x2 / ((1 + sigma / t) ** 2)).sum() + res_x2
                alpha = gamma / (m2 + 1e-5)
                beta = (n - gamma) / (res2 + 1e-5)
                if abs(alpha / beta - t) / t <= 1e-3:
                    break
            evidence = (
                d / 2.0 * np.log(alpha)
                + n / 2.0 * np.log(beta)
                - 0.5 * np.sum(np.log(alpha + beta * sigma))
                - beta / 2.0 * res2
                - alpha / 2.0 * m2
                - n / 2.0 * np.log(2 * np.pi)
            )
            evidences.append(evidence / n)
        return float(np.mean(evidences))

    def class_means(f, y):  # each row replaced by the mean feature of its class
        g = np.zeros_like(f)
        for z in np.unique(y):
            g[y == z] = f[y == z].mean(axis=0)
        return g

    def hscore(f, y):
        def cov(x):
            c = x - x.mean(axis=0, keepdims=True)
            return c.T @ c / (len(x) - 1)

        return float(np.trace(np.linalg.pinv(cov(f), rcond=1e-15) @ cov(class_means(f, y))))

    def regularized_hscore(f, y):  # Ibrahim et al. 2022 as tllib writes it, scikit-learn's Ledoit-Wolf
        from sklearn.covariance import LedoitWolf

        lw = LedoitWolf(assume_centered=False).fit(f - f.mean(axis=0, keepdims=True))
        covg = np.cov(class_means(f, y), rowvar=False)
        return float(np.trace(np.linalg.pinv(lw.covariance_, rcond=1e-15) @ ((1 - lw.shrinkage_) * covg)))

    def leep(theta, y, k):
        n, z = theta.shape
        joint = np.zeros((k, z))
        for i in range(n):
            joint[y[i]] += theta[i] / n
        conditional = joint / joint.sum(axis=0, keepdims=True)
        return float(np.mean(np.log((theta @ conditional.T)[np.arange(n), y])))

    cases = []
    for n, d, k in [(40, 8, 2), (12, 24, 3), (90, 16, 4)]:
        y = np.arange(n) % k
        rng.shuffle(y)
        f = rng.normal(size=(n, d)) + 0.8 * np.eye(k, d)[y]  # features that carry the label a little
        cases.append(
            {
                "n": n,
                "d": d,
                "classes": k,
                "features": f.reshape(-1).tolist(),
                "labels": y.tolist(),
                "logme": logme(f, y),
                "hscore": hscore(f, y) if n > d else None,
                "hscore_regularized": regularized_hscore(f, y),
            }
        )
    theta = rng.dirichlet([1.0, 1.0], size=50)
    y = rng.integers(0, 3, size=50)
    write(
        "transferability.json",
        {
            "cases": cases,
            "leep": {
                "theta": theta.reshape(-1).tolist(),
                "source_classes": 2,
                "labels": y.tolist(),
                "classes": 3,
                "value": leep(theta, y, 3),
            },
        },
    )


def ranking_fixtures():
    """The transferability benchmark's measures against independent references: Spearman and
    Kendall's tau-b from scipy.stats, and Regret@k / top-1 hit rate by enumerating every order the
    estimator's ties allow (each equally likely), for RankingQualityTests."""
    import itertools
    from scipy import stats

    rng = np.random.default_rng(11)
    cases = []
    for n, levels in [(6, 3), (7, 7), (5, 2), (7, 4)]:
        transfer = np.round(rng.uniform(0.4, 1.0, size=n), 2)
        transfer[rng.integers(0, n)] = transfer.max()  # a tie for the best source in hindsight
        scores = rng.integers(0, levels, size=n).astype(float)  # ties in the estimator
        orders = [
            p for p in itertools.permutations(range(n)) if all(scores[p[i]] >= scores[p[i + 1]] for i in range(n - 1))
        ]
        best = transfer.max()
        regret = {k: float(np.mean([100 * (best - max(transfer[list(p[:k])])) for p in orders])) for k in (1, 3)}
        top1 = float(np.mean([transfer[p[0]] == best for p in orders]))
        rho = stats.spearmanr(scores, transfer).statistic
        tau = stats.kendalltau(scores, transfer, variant="b").statistic
        cases.append(
            {
                "transfer": transfer.tolist(),
                "scores": scores.tolist(),
                "regret_at_1": regret[1],
                "regret_at_3": regret[3],
                "top1": top1,
                "spearman": None if np.isnan(rho) else float(rho),
                "kendall": None if np.isnan(tau) else float(tau),
            }
        )
    write("ranking.json", {"cases": cases})


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    if sys.argv[1:2] == ["--only"]:  # e.g. --only corrupt_fixtures: one group, without the models
        globals()[sys.argv[2]]()
        sys.exit(0)
    torch.set_num_threads(2)
    tok = AutoTokenizer.from_pretrained(MINILM)
    tokenizer_fixtures(tok)
    forward_fixtures(tok)
    prompt_gradient_fixtures(tok)
    prompt_reader_fixtures()
    projector_fixtures()
    roberta_fixtures()
    roberta_tiny_tokenizer()
    normalized_added_fixture()
    paper_layout_fixture()
    bpe_tokenizer_fixtures()
    mpnet_fixtures()
    t5_fixtures()
    normalizer_fixtures()
    converted_tokenizer_fixtures()
    transferability_fixtures()
    ranking_fixtures()
