// Where a training run chooses its "best": by default a selection slice carved from the train
// split (seeded, grouped by first text, disjoint from the examples trained on and from every
// reported split); the old choice on the validation split only when asked for by name.
import Foundation
import Plumbing

/// The examples a run chooses its best parameters on.
public enum Selection: Equatable {
    /// A seeded slice of at most `size` train examples, carved out of train before training.
    case trainSlice(size: Int)
    /// The task's validation split (`--select-on-validation`): the old behaviour; numbers
    /// reported on validation are then chosen on the examples they report.
    case validation

    public static let defaultSize = 500
    /// A slice takes at most this fraction of train's groups (the rule for small train splits:
    /// laptop, restaurant, movie_rationales keep nine tenths to train on).
    public static let maxFraction = 0.1

    /// What the settings record: `"train:500"` or `"validation"`.
    public var recorded: String {
        switch self {
        case .trainSlice(let size): return "train:\(size)"
        case .validation: return "validation"
        }
    }

    /// The split the selection examples come from.
    public var split: String {
        switch self {
        case .trainSlice: return "train"
        case .validation: return "validation"
        }
    }

    /// The seed of the carve (derived from the run's seed, apart from the batch order's).
    public static func carveSeed(_ seed: UInt64) -> UInt64 { seed ^ 0x5E1E_C7ED }

    /// Splits `train` into the examples to train on and the selection slice: groups (the
    /// normalised first text, so a premise never stands on both sides) are shuffled with the
    /// seed and taken whole until the slice holds `size` examples, or a tenth of the groups.
    /// Both keep train's order.
    public static func carve(
        _ train: [LabeledText], size: Int, seed: UInt64
    ) -> (fit: [LabeledText], selection: [LabeledText]) {
        var groups: [String] = []
        var members: [String: [Int]] = [:]
        for (i, t) in train.enumerated() {
            let key = TextKey.normalized(t.a)
            if members[key] == nil { groups.append(key) }
            members[key, default: []].append(i)
        }
        let maxGroups = Int((Double(groups.count) * maxFraction).rounded(.down))
        var rng = SplitMix64(seed: carveSeed(seed))
        groups.seededShuffle(&rng)
        var chosen = Set<Int>()
        for key in groups.prefix(maxGroups) {
            guard chosen.count < size else { break }
            chosen.formUnion(members[key]!)
        }
        var fit: [LabeledText] = []
        var selection: [LabeledText] = []
        for (i, t) in train.enumerated() {
            if chosen.contains(i) { selection.append(t) } else { fit.append(t) }
        }
        return (fit, selection)
    }

    /// A seeded sample of at most `limit` examples (each validation pass's `--eval-limit`).
    public static func sample(_ texts: [LabeledText], limit: Int?, seed: UInt64) -> [LabeledText] {
        guard let limit, limit < texts.count else { return texts }
        var shuffled = texts
        var rng = SplitMix64(seed: seed ^ 0xE7A1)
        shuffled.seededShuffle(&rng)
        return Array(shuffled.prefix(limit))
    }
}

/// The examples of a run: those it trains on and those it chooses its best on.
public struct SelectedData {
    public var fit: [LabeledText]
    public var selection: [LabeledText]
    /// What the run records of its selection (split, size asked, n, seed).
    public var json: JSON

    /// `train` and, for `.validation`, the validation split's examples; the selection is then
    /// sampled to `evalLimit` (seeded). A run that does not validate (`validating` false) trains on
    /// all of train and carves nothing.
    public init(
        train: [LabeledText], validation: () throws -> [LabeledText], selection where: Selection,
        evalLimit: Int?, seed: UInt64, validating: Bool = true
    ) throws {
        guard validating else {
            fit = train
            selection = []
            json = .object([.init("split", .string("none")), .init("n", .number(0))])
            return
        }
        var chosen: [LabeledText]
        var members: [JSON.Member] = [.init("split", .string(`where`.split))]
        switch `where` {
        case .trainSlice(let size):
            (fit, chosen) = Selection.carve(train, size: size, seed: seed)
            members.append(.init("size", .number(size)))
            members.append(.init("seed", .number(Int(Selection.carveSeed(seed)))))
        case .validation:
            fit = train
            chosen = try validation()
        }
        selection = Selection.sample(chosen, limit: evalLimit, seed: seed)
        members.append(.init("n", .number(self.selection.count)))
        json = .object(members)
    }
}
