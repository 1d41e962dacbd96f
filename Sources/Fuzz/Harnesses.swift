import Datasets
import Foundation
import Plumbing
import TensorFiles
import Tokenizers

#if FUZZING
    import CFuzzDriver
#endif

// libFuzzer harnesses for every reader of files a user may download: the pickle machine,
// torch.save zips (libarchive + pickle + storages), .npy, safetensors, JSON lines, tokenizer.json
// and the SemEval XML reader. One binary;
// FUZZ_TARGET names the harness. Built with -sanitize=fuzzer,address by `make fuzz`
// (scripts/fuzz.sh); in the ordinary build the same harnesses replay files (`fuzz-readers
// TARGET FILE...`), which is how the tests run the seed corpus and every kept crasher.

/// A refusal is the expected outcome of bad input; only a crash (or a sanitizer report) is a finding.
enum Harness: String, CaseIterable {
    case pickle, torch, npy, safetensors, jsonl, tokenizer, semeval

    /// A scratch folder for the readers that take a path (on tmpfs when there is one).
    static let scratch: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let folder = base + "/fuzz-readers-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }()

    func run(_ bytes: [UInt8]) {
        switch self {
        case .pickle:
            _ = try? TorchFile.pickleTensorCount(bytes, file: "fuzz.pkl")
        case .torch:
            let path = Harness.write(bytes, "x.pt")
            if let tensors = try? TorchFile.tensors(path) {
                _ = tensors.map { $0.1.array.reduce(0, +) }
            }
        case .npy:
            let path = Harness.write(bytes, "x.npy")
            if let tensor = try? NumpyFile.read(path) {
                _ = tensor.array.reduce(0, +)
            }
        case .safetensors:
            let path = Harness.write(bytes, "x.safetensors")
            if let file = try? SafetensorsFile(path: path) {
                for name in file.names {
                    if let tensor = try? file.tensor(name) {
                        _ = tensor.array.reduce(0, +)
                    }
                }
            }
        case .jsonl:
            let path = Harness.write(bytes, "x.jsonl")
            var reader = JSONLinesReader(paths: [path])
            while let record = try? reader.next() {
                _ = record.value.text
            }
        case .tokenizer:
            let path = Harness.write(bytes, "tokenizer.json")
            if let tokenizer = try? Tokenizer.load(tokenizerJSON: path) {
                let text = "Hello, wörld! [MASK] <s> 123 ünïcode 😀"
                _ = try? tokenizer.encode(text, "a second text", maxLength: 16)
            }
        case .semeval:
            _ = try? semevalRowCount(bytes, file: "fuzz.xml")
        }
    }

    static func write(_ bytes: [UInt8], _ name: String) -> String {
        let path = scratch + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }
}

#if FUZZING
    private let selected: Harness = {
        guard let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"], let harness = Harness(rawValue: name)
        else {
            fatalError("set FUZZ_TARGET to one of \(Harness.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return harness
    }()

    /// SwiftPM links an executable's entry point as `<target>_main`; libFuzzer's driver runs from it.
    @_cdecl("fuzz_readers_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var vector = argv
        return LLVMFuzzerRunDriver(&count, &vector) { data, size in
            selected.run(Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }
#else
    @main
    struct Replay {
        static func main() {
            let arguments = Array(CommandLine.arguments.dropFirst())
            guard let name = arguments.first, let harness = Harness(rawValue: name) else {
                let names = Harness.allCases.map(\.rawValue).joined(separator: "|")
                FileHandle.standardError.write(Data("usage: fuzz-readers \(names) FILE...\n".utf8))
                exit(64)
            }
            for path in arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    FileHandle.standardError.write(Data("\(path): cannot read\n".utf8))
                    exit(66)
                }
                harness.run([UInt8](data))
            }
            try? FileManager.default.removeItem(atPath: Harness.scratch)  // the replay's scratch files go with it
            print("\(harness.rawValue): \(arguments.count - 1) inputs replayed")
        }
    }
#endif
