import TextSupport
import Shell

/// `help`, `help COMMAND`, `help TEXT`.
public var helpCommand: CommandSpec {
    CommandSpec(
    name: "help", aliases: ["?"], summary: "list commands, show one command's help, or search help",
    help: """
    With no argument, lists every command by group.
    With a command name (or unique prefix), shows its usage, flags and examples.
    With any other text, lists the commands whose help mentions every word of it.
    """,
    examples: ["help", "help set", "help history", "help variable"],
    arguments: [ArgumentSpec("topic", summary: "a command name or words to search for", optional: true, variadic: true,
                             completion: .dynamic { $0.session?.registry.allNames ?? [] })]
) { context throws(CommandError) in
    let registry = context.session.registry
    guard !context.positionals.isEmpty else { return .ok(HelpFormatter.overview(registry)) }
    let topic = context.positionals.joined(separator: " ")
    if context.positionals.count == 1, case .found(let spec) = registry.resolve(topic) {
        return .ok(HelpFormatter.detail(spec))
    }
    let found = registry.search(topic)
    guard !found.isEmpty else {
        let near = EditDistance.suggestions(for: topic, among: registry.allNames)
        throw CommandError(.negative, "no help about '\(topic)'",
                           hint: near.isEmpty ? "type 'help' for the list of commands" : "did you mean \(near.joined(separator: ", "))?")
    }
    return .ok(HelpFormatter.searchResults(topic, found))
}
}
