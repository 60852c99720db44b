import Shell

/// `unset NAME…`: removes variables.
public var unsetCommand: CommandSpec {
    CommandSpec(
    name: "unset", summary: "remove session variables",
    examples: ["unset task"],
    arguments: [ArgumentSpec("name", summary: "variables to remove", variadic: true,
                             completion: .dynamic { $0.session?.variables.names ?? [] })]
) { context throws(CommandError) in
    var missing: [String] = []
    for name in context.positionals where !context.session.variables.unset(name) { missing.append(name) }
    guard missing.isEmpty else {
        throw CommandError(.negative, "no variable \(missing.joined(separator: ", "))", hint: "see 'vars'")
    }
    return .ok(Report(json: ["removed": .array(context.positionals.map { .string($0) })], blocks: []))
}
}
