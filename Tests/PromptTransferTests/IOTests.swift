import Foundation
import Plumbing
import TensorFiles
import Tensors
import XCTest

final class JSONTests: XCTestCase {
    func testRoundTripKeepsOrderNumbersAndUnicode() throws {
        let text = #"{"z":1,"a":[0.50,-2e-3,true,null],"s":"é😍\n\"q\"\u0001","n":{}}"#
        let v = try JSON.parse(text)
        XCTAssertEqual(v.text, #"{"z":1,"a":[0.50,-2e-3,true,null],"s":"é😍\n\"q\"\u0001","n":{}}"#)
        XCTAssertEqual(v["s"]?.string, "é😍\n\"q\"\u{1}")
        XCTAssertEqual(try JSON.parse(#""\ud83d\ude0d""#).string, "😍")
        // every escape, at the start, the end and side by side, around multi-byte characters
        let raw = "\t\\a\r\u{7f}\u{2028}ü\u{1f}\"\n"
        XCTAssertEqual(JSON.string(raw).text, #""\t\\a\r\u007f\#u{2028}ü\u001f\"\n""#)
        XCTAssertEqual(try JSON.parse(JSON.string(raw).text).string, raw)
        XCTAssertEqual(JSON.string("").text, #""""#)
    }

    func testSetReplacesInPlaceOrAppends() throws {
        var v = try JSON.parse(#"{"a":1,"b":2}"#)
        v.set("a", .number(5))
        v.set("c", .string("x"))
        XCTAssertEqual(v.text, #"{"a":5,"b":2,"c":"x"}"#)
    }

    func testMalformedInputIsRejectedWithAPlace() {
        for bad in ["{", #"{"a" 1}"#, "[1,]", "01x", #""abc"#, "{} x", "nul", #"{"a":1,}"#, "\"\u{1}\""] {
            XCTAssertThrowsError(try JSON.parse(bad), bad)
        }
    }

    func testReaderReportsFileAndLine() throws {
        let dir = try Fixture.tempDir()
        let f = dir.appendingPathComponent("in.jsonl")
        try Data("{\"a\":1}\n\n{\"a\":\n".utf8).write(to: f)
        var r = JSONLinesReader(paths: [f.path])
        XCTAssertEqual(try r.next()?.line, 1)
        XCTAssertThrowsError(try r.next()) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(f.path):3: invalid JSON"), "\(e)")
        }
        try Data([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a]).write(to: f)
        var r2 = JSONLinesReader(paths: [f.path])
        XCTAssertThrowsError(try r2.next()) { XCTAssertEqual("\($0)", "\(f.path):1: invalid UTF-8") }
    }
}

final class SafetensorsTests: XCTestCase {
    func testWriteReadRoundTripWithMetadata() throws {
        let dir = try Fixture.tempDir()
        let path = dir.appendingPathComponent("t.safetensors").path
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, -6.5])
        try SafetensorsWriter.write([("a", a), ("b", Tensor(shape: [1], values: [7]))], metadata: ["k": "v"], to: path)
        let f = try SafetensorsFile(path: path)
        XCTAssertEqual(f.names, ["a", "b"])
        XCTAssertEqual(f.metadata["k"], "v")
        XCTAssertEqual(try f.tensor("a").array, a.array)
        XCTAssertEqual(try f.tensor("a").shape, [2, 3])
        XCTAssertThrowsError(try f.tensor("missing"))
    }

    /// F16 and BF16 are widened to F32 on load (bit patterns written by hand).
    func testHalfPrecisionIsWidened() throws {
        let header =
            #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,"#
            + #"8]}}"#
        var d = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(contentsOf: Array(header.utf8))
        for v: UInt16 in [0x3C00, 0xC000, 0x3F80, 0xC0A0] {
            withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) }
        }
        let path = try Fixture.tempDir().appendingPathComponent("h.safetensors").path
        try d.write(to: URL(fileURLWithPath: path))
        let f = try SafetensorsFile(path: path)
        XCTAssertEqual(try f.tensor("h").array, [1, -2])
        XCTAssertEqual(try f.tensor("b").array, [1, -5])
    }

    func testTruncatedAndInconsistentFilesAreErrors() throws {
        let dir = try Fixture.tempDir()
        let good = dir.appendingPathComponent("g.safetensors").path
        try SafetensorsWriter.write([("a", Tensor(shape: [4], values: [1, 2, 3, 4]))], metadata: [:], to: good)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let cut = dir.appendingPathComponent("cut.safetensors").path
        try bytes.prefix(bytes.count - 4).write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try SafetensorsFile(path: cut)) { XCTAssertTrue("\($0)".contains(cut)) }
        let tiny = dir.appendingPathComponent("tiny.safetensors").path
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: tiny))
        XCTAssertThrowsError(try SafetensorsFile(path: tiny))
    }
}

final class KernelTests: XCTestCase {
    func testVectorisedExpAndErfAgainstLibm() {
        var worstExp: Float = 0
        var worstErf: Float = 0
        var x: Float = -20
        while x < 20 {
            let v = FloatLanes((0..<16).map { x + Float($0) * 0.0013 })
            let e = lanesExp(v)
            let r = lanesErf(v)
            for i in 0..<16 {
                let xe = Double(v[i])
                worstExp = max(worstExp, Float(abs(Double(e[i]) - Foundation.exp(xe)) / Foundation.exp(xe)))
                worstErf = max(worstErf, Float(abs(Double(r[i]) - Foundation.erf(xe))))
            }
            x += 0.0213
        }
        XCTAssertLessThan(worstExp, 2e-7)
        XCTAssertLessThan(worstErf, 6e-7)
        print("vexp max relative error \(worstExp), verf max absolute error \(worstErf)")
    }

    func testLayerNormSoftmaxGeluOnSmallCases() {
        let x: [Float] = [1, 2, 3, 4, -1, 0, 1, 2, 5, 5, 5, 5, 0.5, 0.25, -0.25, 9]
        let out = UnsafeMutablePointer<Float>.allocate(capacity: 16)
        defer { out.deallocate() }
        let w = [Float](repeating: 2, count: 4)
        let b = [Float](repeating: 1, count: 4)
        layerNormForward(out, x, w, b, rows: 4, cols: 4, eps: 1e-12)
        for r in 0..<4 {
            let row = Array(x[(r * 4)..<(r * 4 + 4)])
            let mean = row.reduce(0, +) / 4
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            for c in 0..<4 {
                let want = variance == 0 ? 1 : (row[c] - mean) / (variance + 1e-12).squareRoot() * 2 + 1
                XCTAssertEqual(out[r * 4 + c], want, accuracy: 1e-5)
            }
        }
        var s: [Float] = [1, 2, 3, 100, 0, 0, 0, 0]
        softmaxRows(&s, rows: 2, cols: 4, ld: 4, valid: 3)
        let z = exp(Float(1)) + exp(Float(2)) + exp(Float(3))
        XCTAssertEqual(s[0], exp(1) / z, accuracy: 1e-6)
        XCTAssertEqual(s[3], 0)
        XCTAssertEqual(s[4], 1.0 / 3, accuracy: 1e-6)
        let g = (0..<37).map { Float($0) / 4 - 4.5 }
        geluForward(out, g, count: 16)
        for i in 0..<16 {
            XCTAssertEqual(
                out[i], 0.5 * g[i] * (1 + Float(Foundation.erf(Double(g[i]) / 2.0.squareRoot()))), accuracy: 1e-6)
        }
    }

    func testLinearMatchesNaiveProduct() {
        let n = 5
        let c = 7
        let oc = 3
        let inp = (0..<(n * c)).map { Float($0 % 11) * 0.1 - 0.4 }
        let w = (0..<(oc * c)).map { Float($0 % 7) * 0.2 - 0.5 }
        let bias: [Float] = [0.1, -0.2, 0.3]
        var out = [Float](repeating: 9, count: n * oc)
        linearForward(&out, inp, w, bias, rows: n, inDim: c, outDim: oc)
        for i in 0..<n {
            for o in 0..<oc {
                var s = bias[o]
                for k in 0..<c { s += inp[i * c + k] * w[o * c + k] }
                XCTAssertEqual(out[i * oc + o], s, accuracy: 1e-5)
            }
        }
    }
}
