import JSONText
import Shell

/// `vars`: lists session variables, secrets masked.
public var varsCommand: CommandSpec {
    CommandSpec(
    name: "vars", summary: "list session variables (secrets masked)"
) { context throws(CommandError) in
    let variables = context.session.variables
    let rows = variables.names.map { name -> (String, String, Bool) in
        let entry = variables.entries[name]!
        return (name, entry.secret ? "****" : entry.value, entry.secret)
    }
    let json: JSONValue = ["variables": .array(rows.map { ["name": .string($0.0), "value": .string($0.1), "secret": .bool($0.2)] })]
    if rows.isEmpty {
        return .ok(Report(json: json, blocks: [.text("no variables; set one with 'set NAME VALUE'", .dim)]))
    }
    return .ok(Report(json: json, blocks: [.pairs(rows.map { ($0.0, [Span($0.1, $0.2 ? .dim : .plain)]) })]))
}
}
