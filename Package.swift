// swift-tools-version:5.9
// Soft prompt tuning and prompt transfer as composable Unix tools.
// Libraries hold all logic; each executable only parses its flags and calls one of them.
import PackageDescription

// The numeric kernels are written with SIMD types; compiling them for the CPU they run on
// (the tools are always built where they run) makes scalar and SIMD math 2-16x faster.
// -O, not -Ounchecked: bounds and overflow checks stay on. -Ounchecked measured no faster
// (pt-bench, tokenize) and once produced garbage token ids where -O was correct.
let fast: [SwiftSetting] = [
    .unsafeFlags(["-O", "-wmo", "-target-cpu", "native"], .when(configuration: .release))
]

func tool(_ name: String) -> Target {
    .executableTarget(
        name: "tool-\(name)",
        dependencies: [
            "ToolOptions", "Pipelines", "Plumbing", "Datasets", "Tuning", "Transfer", "Analysis",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ],
        path: "Sources/Tools/\(name)",
        swiftSettings: fast)
}

// The readers' fuzz harnesses: replays files in this build; `make fuzz` builds it with libFuzzer.
let fuzzTarget: Target = .executableTarget(
    name: "fuzz-readers",
    dependencies: ["Plumbing", "TensorFiles", "Tokenizers", "Datasets", "CFuzzDriver"],
    path: "Sources/Fuzz",
    swiftSettings: fast)

let toolNames = [
    "tokenize", "embed", "prepare-data", "tune-prompt", "eval-prompt", "heatmap-csv", "score-similarity", "project",
    "pt-bench", "overlap", "results-table", "inspect-prompt", "rank-sources", "score-rankings",
    "cross-model-results", "compare-runs",
]

let package = Package(
    name: "PromptTransfer",
    products: toolNames.map { .executable(name: $0, targets: ["tool-\($0)"]) }
        + [.executable(name: "fuzz-readers", targets: ["fuzz-readers"])],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // The C libraries, each a module map in Sources/C.
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/C/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CDNNL", path: "Sources/C/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CFuzzDriver", path: "Sources/C/CFuzzDriver"),
        .systemLibrary(
            name: "CArchive", path: "Sources/C/CArchive", pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(
            name: "CLibXML2", path: "Sources/C/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "Tensors", dependencies: ["COpenBLAS", "CDNNL"], swiftSettings: fast),
        // Unix plumbing: errors and exit codes, JSON lines, atomic outputs, progress, RNG, SHA-256.
        .target(name: "Plumbing", swiftSettings: fast),
        // Tensor file formats: safetensors, .npy, torch.save (zip + a pickle machine), prompt files.
        .target(name: "TensorFiles", dependencies: ["Plumbing", "Tensors", "CArchive"], swiftSettings: fast),
        .target(name: "Tokenizers", dependencies: ["Plumbing"], swiftSettings: fast),
        .target(
            name: "Models", dependencies: ["Tensors", "Plumbing", "TensorFiles"], swiftSettings: fast),
        .target(
            name: "Tuning", dependencies: ["Models", "Tensors", "Plumbing", "TensorFiles", "Tokenizers"],
            swiftSettings: fast),
        // Cross-model transfer: the projector, the vocabulary map, and the projector's training objectives.
        .target(
            name: "Transfer", dependencies: ["Tensors", "Plumbing", "TensorFiles", "Models", "Tuning"],
            swiftSettings: fast),
        // Reports: matrices as CSV and SVG heatmaps.
        .target(name: "Reports", dependencies: ["Plumbing"], swiftSettings: fast),
        .target(
            name: "Analysis",
            dependencies: ["Plumbing", "TensorFiles", "Tensors", "Models", "Tokenizers", "Tuning"],
            swiftSettings: fast),
        .target(name: "Datasets", dependencies: ["Plumbing", "TensorFiles", "CLibXML2"], swiftSettings: fast),
        .target(
            name: "Pipelines",
            dependencies: [
                "Models", "Tokenizers", "Plumbing", "TensorFiles", "Tensors", "Datasets", "Tuning", "Transfer",
                "Analysis", "Reports",
            ],
            swiftSettings: fast),
        // The command-line layer: shared option groups and the tools' main; the libraries above never
        // import ArgumentParser.
        .target(
            name: "ToolOptions",
            dependencies: [
                "Pipelines", "Plumbing", "Tensors", "Analysis", "Tuning", "Transfer", "Datasets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fast),
        .testTarget(
            name: "PromptTransferTests",
            dependencies: [
                "Pipelines", "Models", "Tokenizers", "Plumbing", "TensorFiles", "Tensors", "Datasets", "Tuning",
                "Transfer", "Analysis", "Reports", "ToolOptions",
            ],
            path: "Tests/PromptTransferTests",
            exclude: ["Fixtures"],
            swiftSettings: fast),
    ] + toolNames.map(tool) + [fuzzTarget]
)
