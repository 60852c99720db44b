import FoundationEssentials
import JSONText
import Shell
import TextSupport

/// `expect EXPRESSION [MESSAGE]`: a check in a command script; a failed one ends the script with 1.
public var expectCommand: CommandSpec {
    var spec = CommandSpec(
        name: "expect", summary: "check a condition in a script: a failed expectation ends it with status 1",
        usage: "VALUE [== | != | < | <= | > | >= | contains | matches] [VALUE] [MESSAGE…]",
        help: """
        The words are expanded first ($_.verdict, $r.records.length, $?), then compared: numerically
        when both sides are numbers, else as text. One word alone must be true: not empty, not
        false, 0 or null. What follows the expression is the message shown when it fails; the
        script's file and line are added. 'callscope test FILE…' runs scripts as tests.
        """,
        examples: ["expect $_.verdict == valid", "expect $? == 0 \"send failed\"", "expect $r.records.length > 0 no records came back",
                   "expect $r.records[0].hangupReason contains CLEARING"],
        arguments: [ArgumentSpec("words", summary: "the expression, then an optional message", variadic: true)]
    ) { context throws(CommandError) in
        let check = try Expectation(words: context.positionals)
        guard check.holds else {
            throw CommandError(.negative, "expectation failed: \(check.message ?? check.description)" + (check.message == nil ? "" : " (\(check.description))"))
        }
        return .ok()
    }
    spec.keepsLastResult = true
    return spec
}

/// A parsed `expect` expression.
struct Expectation: CustomStringConvertible {
    static let operators = ["==", "!=", "<", "<=", ">", ">=", "contains", "matches"]
    var left: String
    var op: String?
    var right: String?
    var message: String?

    init(words: [String]) throws(CommandError) {
        guard let first = words.first else { throw CommandError.usage("expect what?", hint: "expect $_.verdict == valid") }
        left = first
        if words.count >= 3, Expectation.operators.contains(words[1]) {
            op = words[1]
            right = words[2]
            message = words.count > 3 ? words.dropFirst(3).joined(separator: " ") : nil
        } else if words.count == 2, Expectation.operators.contains(words[1]) {
            throw CommandError.usage("'\(words[1])' needs a value on its right")
        } else {
            message = words.count > 1 ? words.dropFirst().joined(separator: " ") : nil
        }
    }

    var holds: Bool {
        guard let op, let right else { return !["", "false", "0", "null"].contains(left) }
        switch op {
        case "contains": return left.contains(right)
        case "matches": return (try? Regex(right)).map { left.contains($0) } ?? false
        default:
            // Numerically when both sides are numbers, else as text.
            if let a = Double(left), let b = Double(right) { return Expectation.compare(a, op, b) }
            return Expectation.compare(left, op, right)
        }
    }

    static func compare<T: Comparable>(_ a: T, _ op: String, _ b: T) -> Bool {
        switch op {
        case "==": return a == b
        case "!=": return a != b
        case "<": return a < b
        case "<=": return a <= b
        case ">": return a > b
        default: return a >= b
        }
    }

    var description: String {
        func shown(_ s: String) -> String { s.count > 80 ? "'\(s.prefix(77))…'" : "'\(s)'" }
        guard let op, let right else { return "\(shown(left)) is not true" }
        return "\(shown(left)) \(op) \(shown(right))"
    }
}

/// `source FILE`: runs a command script inside this session (its variables and results stay).
public var sourceCommand: CommandSpec {
    CommandSpec(
        name: "source", summary: "run a command script in this session",
        examples: ["source setup.cs"],
        arguments: [ArgumentSpec("file", summary: "a command script (as for -f)", completion: .files)]
    ) { context throws(CommandError) in
        let path = context.positionals[0]
        let lines = try ScriptFile.lines(path)
        let status = try ScriptFile.nested(context.session) { Runner(session: context.session, keepGoing: false).runScript(lines: lines, name: path) }
        return Outcome(status: status)
    }
}

/// `test FILE…`: runs command scripts as tests, each in a fresh scope of variables and results.
public var testCommand: CommandSpec {
    CommandSpec(
        name: "test", summary: "run command scripts as tests: N passed, N failed",
        help: """
        Each script runs as with -f, stopping at its first failure (a failed 'expect' or any
        command that fails); variables, results and the vendor in use start empty for each. The
        status is 0 when every script passed, 1 otherwise.
        """,
        examples: ["callscope test examples/*.cs", "test checks/nxlink.cs"],
        arguments: [ArgumentSpec("files", summary: "command scripts", variadic: true, completion: .files)]
    ) { context throws(CommandError) in
        let session = context.session
        var passed: [String] = []
        var failed: [String] = []
        for path in context.positionals {
            let lines = try ScriptFile.lines(path)
            let saved = (session.variables, session.results, session.lastResult, session.vendor)
            session.variables = Variables()
            session.results = [:]
            session.lastResult = nil
            session.vendor = nil
            let status = try ScriptFile.nested(session) { Runner(session: session, keepGoing: false).runScript(lines: lines, name: path) }
            (session.variables, session.results, session.lastResult, session.vendor) = saved
            if status == .ok { passed.append(path) } else { failed.append(path) }
            if !context.json {
                session.output.out(HumanRenderer(color: session.color).render([.line([Span(status == .ok ? "pass" : "FAIL", status == .ok ? .green : .red), Span("  " + path)])]))
            }
        }
        let summary = "\(passed.count) passed, \(failed.count) failed"
        let json: JSONValue = ["passed": .array(passed.map { .string($0) }), "failed": .array(failed.map { .string($0) })]
        return Outcome(status: failed.isEmpty ? .ok : .negative,
                       report: Report(json: json, blocks: [.line([Span(summary, failed.isEmpty ? .green : .red)])]))
    }
}

/// Reading scripts, and bounding how deeply they run one another.
enum ScriptFile {
    static func lines(_ path: String) throws(CommandError) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandError(.dataError, "cannot read \(path)") }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    static func nested(_ session: Session, _ body: () -> ExitStatus) throws(CommandError) -> ExitStatus {
        try nestedValue(session) { () throws(CommandError) in body() }
    }

    /// Runs `body` one level deeper; a script running itself (through source or cs.exec) stops at
    /// ScriptDepth.limit levels instead of overflowing the stack.
    static func nestedValue<T>(_ session: Session, _ body: () throws(CommandError) -> T) throws(CommandError) -> T {
        let depth = session.shared { ScriptDepth() }
        guard depth.value < ScriptDepth.limit else {
            throw CommandError(.negative, "scripts nested \(ScriptDepth.limit) deep (a script running itself?): stopped")
        }
        depth.value += 1
        defer { depth.value -= 1 }
        return try body()
    }
}

/// `edit [@FILE|TEXT]`: the user's editor on a body; what is saved runs as the next input (as
/// psql's \e does). Without an argument it opens the last input that carried a body.
public var editCommand: CommandSpec {
    var spec = CommandSpec(
        name: "edit", summary: "edit the last pasted input (or a file, or a value) in $VISUAL/$EDITOR, then run it",
        usage: "[@FILE | $NAME | TEXT]",
        help: """
        Opens $VISUAL (else $EDITOR, else vi) on the text; when you save and quit, the text runs as
        if typed at the prompt — a command with its body ('verify' and a pasted request, a 'decode'
        heredoc). With no argument: the last input that had a body. Quit without saving, or make
        the editor fail (:cq in vi), to cancel. Needs the interactive shell.
        """,
        examples: ["edit", "edit @request.http", "edit $r.records[0]"],
        arguments: [ArgumentSpec("text", summary: "@FILE, a value, or text", optional: true, variadic: true, completion: .files)]
    ) { context throws(CommandError) in
        let session = context.session
        guard let editText = session.editText else { throw CommandError.usage("edit needs the interactive shell (an editor on a terminal)") }
        var text: String
        if let first = context.positionals.first, first.hasPrefix("@"), context.positionals.count == 1 {
            text = try InputText.read(word: first, rawBody: nil)?.text ?? ""
        } else if !context.positionals.isEmpty {
            text = context.positionals.joined(separator: " ")
        } else {
            guard let last = session.lastBodyInput else {
                throw CommandError(.negative, "nothing to edit yet", hint: "paste a request or a body first, or give @FILE")
            }
            text = last
        }
        guard let edited = editText(text.hasSuffix("\n") ? text : text + "\n") else {
            return Outcome(report: Report(json: ["edited": false], blocks: [.text("edit cancelled", .dim)]))
        }
        let input = edited.hasSuffix("\n") ? String(edited.dropLast()) : edited
        guard !input.trimmingBlanks().isEmpty else { return Outcome(report: Report(json: ["edited": false], blocks: [.text("nothing to run", .dim)])) }
        let execution = Runner(session: session, keepGoing: false).runScript(lines: input.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), name: "edit")
        return Outcome(status: execution)
    }
    spec.keepsLastResult = true
    return spec
}
