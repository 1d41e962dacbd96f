import Foundation
import Models
import Plumbing
import TensorFiles
import Tensors

/// A Hugging Face PEFT prompt-tuning adapter: `adapter_config.json` (peft_type PROMPT_TUNING)
/// and `adapter_model.safetensors` with `prompt_embeddings` [n, hidden]. PEFT prepends the
/// virtual tokens to the whole input, while this toolkit's template puts them after [CLS]:
/// the vectors carry over, the layout is PEFT's.
public enum PEFTExport {
    public static func write(_ p: PromptFile, encoder: Encoder, folder: String) throws {
        let c = encoder.config
        let config = JSON.object([
            .init("peft_type", .string("PROMPT_TUNING")), .init("task_type", .null),
            .init("num_virtual_tokens", .number(p.length)), .init("token_dim", .number(p.hidden)),
            .init("num_transformer_submodules", .number(1)), .init("num_attention_heads", .number(c.heads)),
            .init("num_layers", .number(c.layers)), .init("prompt_tuning_init", .string("RANDOM")),
            .init("prompt_tuning_init_text", .null), .init("tokenizer_name_or_path", .null),
            .init("base_model_name_or_path", .string(URL(fileURLWithPath: encoder.folder).standardized.path)),
            .init("inference_mode", .bool(true)), .init("revision", .null),
        ])
        try AtomicFile.write(Data((config.text + "\n").utf8), to: folder + "/adapter_config.json")
        var meta = p.metadata
        meta["format"] = "pt"
        try SafetensorsWriter.write(
            [("prompt_embeddings", p.prompt)], metadata: meta, to: folder + "/adapter_model.safetensors")
    }
}
