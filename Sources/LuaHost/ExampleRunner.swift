import Adapters
import Signing

/// Runs every example of an adapter: signature vectors through its sign function, explain samples
/// against its tables, and each table's size against the count its source lists.
public enum ExampleRunner {
    public static func run(_ adapter: Adapter, host: PluginHost) -> [ExampleResult] {
        var results: [ExampleResult] = []
        for table in adapter.codeTables {
            guard let expected = table.expectedCount else { continue }
            let ok = expected == table.entries.count
            results.append(ExampleResult(plugin: adapter.id, kind: "table-size", name: table.name, passed: ok,
                                         detail: ok ? "\(expected) values" : "\(table.entries.count) values, the source lists \(expected)"))
        }
        for example in adapter.examples.explain {
            let label = "\(example.table) \(example.code)"
            guard let table = adapter.table(named: example.table) else {
                results.append(ExampleResult(plugin: adapter.id, kind: "explain", name: label, passed: false, detail: "no table \(example.table)"))
                continue
            }
            guard let entry = table.entry(example.code) else {
                results.append(ExampleResult(plugin: adapter.id, kind: "explain", name: label, passed: false, detail: "code not in the table"))
                continue
            }
            let ok = entry.meaning.lowercased().contains(example.contains.lowercased())
            results.append(ExampleResult(plugin: adapter.id, kind: "explain", name: label, passed: ok,
                                         detail: ok ? entry.meaning : "meaning '\(entry.meaning)' lacks '\(example.contains)'"))
        }
        for example in adapter.examples.sign {
            let label = "\(example.name) (\(example.provenance))"
            do {
                let operation = example.operation.flatMap(adapter.operation(named:))
                let request = SignRequest(operation: example.operation, method: example.method ?? operation?.method ?? "POST",
                                          path: example.path ?? operation?.path ?? "/", body: example.body,
                                          query: example.query, pins: example.pins)
                let output = try host.sign(adapter.id, request: request,
                                           credentials: example.credentials, trace: false)
                var mismatches: [String] = []
                for (name, expected) in example.expect.sorted(by: { $0.key < $1.key }) {
                    let actual = output.value(named: name)
                    if actual != expected { mismatches.append("\(name): expected \(expected), got \(actual ?? "nothing")") }
                }
                results.append(ExampleResult(plugin: adapter.id, kind: "sign", name: label, passed: mismatches.isEmpty,
                                             detail: mismatches.isEmpty ? "signature \(output.signature)" : mismatches.joined(separator: "; ")))
            } catch {
                results.append(ExampleResult(plugin: adapter.id, kind: "sign", name: label, passed: false, detail: error.message))
            }
        }
        return results
    }
}
