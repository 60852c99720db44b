import FoundationEssentials
import JSONText
import Shell
import TextSupport

/// `let NAME = COMMAND …`: runs the command quietly and keeps its result under NAME.
public var letCommand: CommandSpec {
    var spec = CommandSpec(
        name: "let", summary: "run a command and keep its result as $NAME (fields: $NAME.records[0].callId)",
        usage: "NAME = COMMAND [ARGS…]",
        help: """
        The command runs as with --json, without printing; its document is kept as a value. Later
        commands reach it by path where a word is expected ($r.records[0].callId, $r.total,
        $r.records[-1], $r.records.length) — strings as text, anything else as JSON. $_ is the
        last command's result, whatever it was. 'vars' lists results; 'show $r' prints one.
        """,
        examples: ["let r = send nxlink call/list '{\"pageSize\":10}'", "echo $r.records[0].callId", "let m = mock nxlink --port 0 --background"]
    ) { context throws(CommandError) in
        let session = context.session
        let text = context.rawBody ?? ""
        guard let eq = text.firstIndex(of: "=") else { throw CommandError.usage("usage: let NAME = COMMAND …") }
        let name = text[..<eq].trimmingBlanks()
        let command = text[text.index(after: eq)...].trimmingBlanks()
        guard Tokenizer.isValidName(name), name != "_" else { throw CommandError.usage("'\(name)' is not a name for a result", hint: "letters, digits and _, not starting with a digit") }
        guard !command.isEmpty else { throw CommandError.usage("let \(name) = what? give a command", hint: "let \(name) = explain 17") }
        let captured = CommandCapture.run(command, in: session)
        // A command that answered (a vendor's error reply, a mismatch) still has a result to
        // look at; one that failed outright (a usage error) has only its error.
        if captured.failed {
            session.output.err(captured.errors.isEmpty ? "error: \(captured.value["error"]?.text ?? "failed")\n" : captured.errors)
            return Outcome(status: captured.status)
        }
        session.results[name] = captured.value
        session.lastResult = captured.value
        return .ok(Report(json: ["name": .string(name), "value": captured.value],
                          blocks: [.line([Span(name, .cyan), Span(" = "), Span(ResultSummary.of(captured.value), .dim)])]))
    }
    spec.takesRawRemainder = true
    spec.keepsLastResult = true
    return spec
}

/// `show [VALUE]`: prints a value (a result, a path into one, any JSON) in full.
public var showCommand: CommandSpec {
    var spec = CommandSpec(
        name: "show", summary: "print a result or any JSON value in full ($_ when none is given)",
        usage: "[$NAME[.path]|JSON]",
        examples: ["show $r.records[0]", "show $_", "show"],
        arguments: [ArgumentSpec("value", summary: "a result, a path into one, or JSON text", optional: true, variadic: true)]
    ) { context throws(CommandError) in
        let value = try ResultArgument.value(context.positionals, session: context.session)
        return .ok(Report(json: value, blocks: [.text(JSONWriter.pretty(value))]))
    }
    spec.keepsLastResult = true
    return spec
}

/// `save [VALUE] @FILE`: writes a value as JSON (secrets masked, as on screen).
public var saveCommand: CommandSpec {
    var spec = CommandSpec(
        name: "save", summary: "write a result (or $_) to a file as JSON",
        usage: "[$NAME[.path]|JSON] @FILE",
        examples: ["save $r @records.json", "save $r.records[0] @one.json", "save @last.json"],
        arguments: [ArgumentSpec("args", summary: "the value (default $_), then @FILE", variadic: true)]
    ) { context throws(CommandError) in
        var words = context.positionals
        guard let target = words.last, target.hasPrefix("@"), target.count > 1 else {
            throw CommandError.usage("save needs the file last, as @FILE", hint: "save $r @records.json")
        }
        words.removeLast()
        let value = try ResultArgument.value(words, session: context.session)
        let text = context.session.masker.mask(JSONWriter.pretty(value)) + "\n"
        let path = String(target.dropFirst())
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw CommandError(.negative, "cannot write \(path)")
        }
        return .ok(Report(json: ["saved": .string(path), "bytes": .int(text.utf8.count)],
                          blocks: [.text("saved \(text.utf8.count) bytes to \(path)", .dim)]))
    }
    spec.keepsLastResult = true
    return spec
}

/// The value a `show` or `save` argument stands for: after expansion it is JSON text (a result
/// or a path into one) or plain text; nothing means `$_`.
enum ResultArgument {
    static func value(_ words: [String], session: Session) throws(CommandError) -> JSONValue {
        guard !words.isEmpty else {
            guard let last = session.lastResult else { throw CommandError(.negative, "no result yet", hint: "run a command first, or name one: show $r") }
            return last
        }
        let text = words.joined(separator: " ")
        return (try? JSONParser.parse(text)) ?? .string(text)
    }
}

/// One line for a value: its keys or length, cut short.
enum ResultSummary {
    static func of(_ value: JSONValue) -> String {
        switch value {
        case .object(let members):
            let keys = members.prefix(6).map(\.key).joined(separator: ", ")
            return "{\(keys)\(members.count > 6 ? ", …" : "")}"
        case .array(let items): return "[\(items.count) item\(items.count == 1 ? "" : "s")]"
        default:
            let text = JSONWriter.compact(value)
            return text.count > 60 ? String(text.prefix(59)) + "…" : text
        }
    }
}
