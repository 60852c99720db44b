import FoundationEssentials
import JSONText
import Shell

/// `history [list [N]]`, `history clear`.
public var historyCommand: CommandSpec {
    CommandSpec(
    name: "history", summary: "list or clear the command history",
    usage: "[list [N] | clear | save FILE]",
    help: """
    History lives in $XDG_STATE_HOME/callscope/history (mode 0600). Lines that carry a secret,
    use a sensitive flag, or start with a space are kept in memory for this session only.
    """,
    examples: ["history", "history list 20", "history clear", "history save session.cs"],
    arguments: [ArgumentSpec("action", summary: "list (default), clear, or save", optional: true, completion: .words(["list", "clear", "save"])),
                ArgumentSpec("count", summary: "how many of the newest entries to list; for save, the script file", optional: true)]
) { context throws(CommandError) in
    let history = context.session.history
    switch context.positional(0) ?? "list" {
    case "clear":
        history.clear()
        return .ok(Report(json: ["cleared": true], blocks: [.text("history cleared", .dim)]))
    case "list":
        var count = history.entries.count
        if let n = context.positional(1) {
            guard let parsed = Int(n), parsed > 0 else { throw CommandError.usage("COUNT must be a positive number, not '\(n)'") }
            count = min(parsed, count)
        }
        let start = history.entries.count - count
        let items = Array(history.entries.enumerated().suffix(count))
        let secrets = context.session.secretValues
        let json: JSONValue = ["entries": .array(items.map {
            ["index": .int($0.offset + 1), "line": .string(maskSecrets($0.element, secrets: secrets))]
        })]
        let width = String(start + count).count
        let lines = items.map { item -> Block in
            let number = String(item.offset + 1)
            return .line([Span(String(repeating: " ", count: width - number.count) + number, .dim),
                          Span("  " + maskSecrets(item.element.replacing("\n", with: "⏎"), secrets: secrets))])
        }
        return .ok(Report(json: json, blocks: lines))
    case "save":
        guard let path = context.positional(1) else { throw CommandError.usage("history save needs a FILE", hint: "history save session.cs") }
        // This session's commands, as a script that reproduces it; lines that held a secret are
        // left out (said so in the script), as they are left out of the history file.
        let entries = history.sessionEntries
        var script = "# callscope session, \(entries.count) commands; replay with: callscope -f \(path)\n"
        var omitted = 0
        for entry in entries {
            if history.isSensitive(entry) || context.session.containsSecret(entry) { omitted += 1; continue }
            // A multi-line entry (an open JSON value, a paste) reads back as one input.
            script += entry + "\n"
        }
        if omitted > 0 { script += "# \(omitted) line\(omitted == 1 ? "" : "s") with a secret left out\n" }
        guard FileManager.default.createFile(atPath: path, contents: Data(script.utf8)) else { throw CommandError(.negative, "cannot write \(path)") }
        return .ok(Report(json: ["saved": .string(path), "commands": .int(entries.count - omitted), "omitted": .int(omitted)],
                          blocks: [.text("saved \(entries.count - omitted) commands to \(path)" + (omitted > 0 ? " (\(omitted) with a secret left out)" : ""), .dim)]))
    case let other:
        throw CommandError.usage("unknown history action '\(other)'", hint: "usage: history [list [N] | clear | save FILE]")
    }
}
}
