import JSONText
import Shell

/// `set NAME VALUE`: defines a variable for `$NAME` expansion.
public var setCommand: CommandSpec {
    CommandSpec(
    name: "set", summary: "set a session variable, used as $NAME or ${NAME}",
    help: """
    Variables expand inside unquoted and double-quoted words, never inside single quotes.
    With --secret the value is masked in 'vars' and in output, and lines containing it are kept
    out of the history file. Without a value, prompts for it without echo (or reads a line of stdin).
    """,
    examples: ["set code 17", "explain callResult $code", "set --secret token"],
    flags: [FlagSpec("secret", summary: "treat the value as a secret", sensitive: true)],
    arguments: [ArgumentSpec("name", summary: "letters, digits and _, not starting with a digit",
                             completion: .dynamic { $0.session?.variables.names ?? [] }),
                ArgumentSpec("value", summary: "the value (several words are joined with spaces)", optional: true,
                             variadic: true)]
) { context throws(CommandError) in
    let name = context.positionals[0]
    guard Tokenizer.isValidName(name) else {
        throw CommandError.usage("invalid variable name '\(name)': use letters, digits and _, not starting with a digit")
    }
    let secret = context.arguments.has("secret")
    var value = context.positionals.dropFirst().joined(separator: " ")
    if context.positionals.count == 1 {
        guard let prompt = context.session.readSecret else {
            throw CommandError.usage("missing VALUE", hint: "usage: set [--secret] NAME VALUE")
        }
        guard let read = prompt("value for \(name): ") else { throw CommandError(.negative, "cancelled: \(name) was not set") }
        guard !read.isEmpty || !secret else { throw CommandError(.negative, "empty value: \(name) was not set") }
        value = read
    }
    context.session.variables.set(name, value, secret: secret)
    if secret { context.session.addSecret(value) }
    let shown = secret ? "****" : value
    return .ok(Report(json: ["name": .string(name), "value": .string(shown), "secret": .bool(secret)],
                      blocks: [.line([Span(name, .cyan), Span(" = "), Span(shown)])]))
}
}
