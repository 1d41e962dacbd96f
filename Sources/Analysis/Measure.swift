// The neuron-overlap indicator's measurement: each prompt's activation mask on a model, and
// the prompt layout a template asks for.
import Foundation
import Models
import Plumbing
import Tokenizers
import Tuning

extension ActivationSet {
    /// Masks of each prompt on the model.
    public static func measure(
        _ prompts: [PromptFile], model: String, stimulation: Stimulation
    ) throws -> ActivationSet {
        let frozen = try loadModel(folder: model)
        let tokenizer = try Tokenizer.load(folder: model)
        var set = ActivationSet()
        set.layers = stimulation.layers ?? Array(0..<frozen.layers)
        set.settings = stimulation.settingsJSON(
            model: URL(fileURLWithPath: model).standardized.lastPathComponent, layers: frozen.layers)
        for p in prompts {
            do {
                set.masks.append(
                    try stimulation.mask(
                        p.prompt, template: p.metadata["template"], model: frozen, tokenizer: tokenizer))
            } catch let e as ToolError {
                throw ToolError("\(p.path): \(e.description)", exitCode: e.exitCode)
            }
            set.names.append(p.name)
        }
        return set
    }
}

extension Stimulation {
    /// The paper's stimulus (`P [CLS]`) with the prompt layout options (`#mask-first`,
    /// `#prompt-no-position`) of a template or template name, e.g. paper-1.0 for the released
    /// RoBERTa prompts; `own` lays each prompt out in the template it records.
    public mutating func useLayout(of template: String) throws {
        if template == "own" {
            ownTemplate = true
            return
        }
        let options: Set<String>
        do { options = try PromptTemplate.options(of: template) } catch let e as ToolError {
            throw ToolError.usage(e.description)
        }
        maskFirst = options.contains("#mask-first")
        promptWithoutPositions = options.contains("#prompt-no-position")
        ownTemplate = false
    }
}
