// `project`: cross-model prompt transfer, as two subcommands (ProjectTrain, ProjectApply).
import ArgumentParser
import Plumbing

public struct Project: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Cross-model prompt transfer: train a projector, or apply one.",
        version: toolkitVersion,
        subcommands: [ProjectTrain.self, ProjectApply.self])

    public init() {}
}
