import JSONText
import Shell

/// `vars`: lists session variables (secrets masked) and the results kept with `let`.
public var varsCommand: CommandSpec {
    var spec = CommandSpec(
    name: "vars", summary: "list session variables (secrets masked) and kept results"
) { context throws(CommandError) in
    let session = context.session
    let variables = session.variables
    let rows = variables.names.map { name -> (String, String, Bool) in
        let entry = variables.entries[name]!
        return (name, entry.secret ? "****" : entry.value, entry.secret)
    }
    var results = session.results.keys.sorted().map { ($0, session.results[$0]!) }
    if let last = session.lastResult { results.insert(("_", last), at: 0) }
    let json: JSONValue = ["variables": .array(rows.map { ["name": .string($0.0), "value": .string($0.1), "secret": .bool($0.2)] }),
                           "results": .array(results.map { ["name": .string($0.0), "summary": .string(ResultSummary.of($0.1))] })]
    if rows.isEmpty, results.isEmpty {
        return .ok(Report(json: json, blocks: [.text("no variables; set one with 'set NAME VALUE', keep a result with 'let NAME = COMMAND'", .dim)]))
    }
    var blocks: [Block] = []
    if !rows.isEmpty { blocks.append(.pairs(rows.map { ($0.0, [Span($0.1, $0.2 ? .dim : .plain)]) })) }
    if !results.isEmpty { blocks.append(.pairs(results.map { ("$" + $0.0, [Span(ResultSummary.of($0.1), .dim)]) })) }
    return .ok(Report(json: json, blocks: blocks))
}
    spec.keepsLastResult = true
    return spec
}
