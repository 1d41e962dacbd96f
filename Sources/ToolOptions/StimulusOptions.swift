// The neuron-overlap stimulus flags, shared by score-similarity and embed --activations.
import Analysis
import ArgumentParser

/// The flags that set how prompts stimulate the model for the neuron-overlap indicator,
/// shared by `score-similarity --model` and `embed --activations`.
public struct StimulusOptions: ParsableArguments {
    @Option(help: "Neuron overlap: text fed after the start token (default none).") public var text = ""
    @Option(
        help: ArgumentHelp(
            "Neuron overlap: read position(s): auto (the mask row in the prompt's own layout, the start token in "
                + "--layout bert), start, prompt, all, or indices like 0,20."))
    public var read = Stimulation().readText
    @Option(help: "Neuron overlap: layers, comma-separated (default all).") public var layers: String?
    @Option(help: "Neuron overlap: an activation above this counts as on.") public var threshold: Float = 0
    @Option(
        name: [.customLong("template"), .customLong("layout")],
        help: ArgumentHelp(
            "Neuron overlap: prompt layout (--layout: the old spelling). own (default): each prompt in the template "
                + "it records, without text, as it was tuned; bert: the paper's stimulus P [CLS]; or a template "
                + "with layout options, e.g. paper-1.0 (<mask> in prompt slot 0, prompt rows without position "
                + "embeddings: the released RoBERTa prompts).")
    ) public var layout = Stimulation().layoutText

    public init() {}

    public func stimulation() throws -> Stimulation {
        var s = Stimulation()
        s.text = text
        s.read = try Stimulation.parseRead(read)
        s.layers = try Stimulation.parseLayers(layers)
        s.threshold = threshold
        try s.useLayout(of: layout)
        return s
    }
}
