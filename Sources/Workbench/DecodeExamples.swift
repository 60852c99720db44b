import Adapters
import FoundationEssentials
import Inspect

/// Runs a plugin's `examples.decode`: each fixture decoded as a user would, checked against what
/// the plugin says it must give.
public enum DecodeExamples {
    public static func run(_ adapter: Adapter, adapters: [Adapter]) -> [ExampleResult] {
        adapter.examples.decode.map { example in
            let failures = check(example, adapter: adapter, adapters: adapters)
            return ExampleResult(plugin: adapter.id, kind: "decode", name: "\(example.name) (\(example.fixture))", passed: failures.isEmpty,
                                 detail: failures.isEmpty ? "\(example.kind) as expected" : failures.joined(separator: "; "))
        }
    }

    static func check(_ example: DecodeExample, adapter: Adapter, adapters: [Adapter]) -> [String] {
        let path = adapter.origin + "/" + example.fixture
        guard let data = FileManager.default.contents(atPath: path) else { return ["cannot read \(path)"] }
        var decoder = PayloadDecoder(adapters: adapters)
        var records: [DecodedRecord] = []
        if example.fixture.hasSuffix(".ndjson") {
            for line in Array(data).split(separator: 0x0A) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
                do {
                    records += try DocumentDecoding.decode(Array(line), origin: example.fixture, decoder: &decoder).records
                } catch { return [error.message] }
            }
        } else {
            do { records = try DocumentDecoding.decode(Array(data), origin: example.fixture, decoder: &decoder).records } catch { return [error.message] }
        }
        var failures: [String] = []
        if let expected = example.records, records.count != expected { failures.append("\(records.count) records, expected \(expected)") }
        for (i, r) in records.enumerated() where r.vendor != adapter.id || r.kind != example.kind {
            failures.append("record \(i + 1) decoded as \(r.vendor ?? "nothing") \(r.kind ?? "")")
        }
        for (path, text) in example.fields.sorted(by: { $0.key < $1.key }) {
            guard let field = records.first?.fields.first(where: { $0.path == path }) else { failures.append("no field \(path)"); continue }
            if !(field.meaning ?? "").contains(text) { failures.append("\(path): meaning '\(field.meaning ?? "")' lacks '\(text)'") }
        }
        let codes = Set(records.flatMap { $0.warnings.map(\.code) })
        if codes != Set(example.warnings) {
            failures.append("warnings [\(codes.sorted().joined(separator: ", "))], expected [\(example.warnings.sorted().joined(separator: ", "))]")
        }
        return failures
    }
}
