import TextSupport
import JSONText

/// Everything a handler needs: the session, its parsed words and any raw body.
public struct CommandContext {
    public let session: Session
    public let spec: CommandSpec
    public let arguments: ParsedArguments
    /// Literal text after the words (a JSON value, the lines after the first, or a heredoc body).
    public let rawBody: String?

    public var json: Bool { arguments.has("json") }
    public var positionals: [String] { arguments.positionals }
    public func positional(_ i: Int) -> String? { i < positionals.count ? positionals[i] : nil }
}

/// The result of running one input.
public struct Execution {
    public var status: ExitStatus
    public var quit: Bool
    /// Whether the input may be written to the history file.
    public var persistInHistory: Bool
    /// Lines of a multi-line paste that belong to the next commands (for commands without a body).
    public var leftover: String?
}

/// Runs complete inputs: tokenize, resolve the command, parse its flags, call it, render the result.
public enum Interpreter {
    public static func execute(_ input: Input, in session: Session) -> Execution {
        var execution = Execution(status: .ok, quit: false, persistInHistory: !input.text.hasPrefix(" "), leftover: nil)
        do {
            // A payload pasted at a bare prompt is decoded (said so), not taken for a command.
            if input.heredoc == nil, PastedMessage.isPayload(input.text), case .found(let decode) = session.registry.resolve("decode") {
                session.output.err("note: no command given: decoding the pasted payload\n")
                try run(decode, tokens: [], rawBody: input.text, in: session, execution: &execution)
                return finish(execution, input: input, session: session)
            }
            var tokenizer = Tokenizer(input.text, lookup: session.lookup, isResult: { session.result($0) != nil })
            // `= EXPR` is `lua EXPR` (as in lua.c).
            if input.text.first == "=", case .found(let lua) = session.registry.resolve("lua") {
                try run(lua, tokens: [], rawBody: String(input.text.dropFirst()), in: session, execution: &execution)
                return finish(execution, input: input, session: session)
            }
            guard let first = try tokenizer.next() else { return execution }
            let spec = try resolve(first.text, in: session)
            if spec.takesRawRemainder {
                _ = tokenizer.skipBlanks()
                var words: [Token] = []
                // Only the command's own flags before the body (`--help`, `--json`).
                while let c = tokenizer.peekWordStart(), c == "-", tokenizer.remainder.hasPrefix("--") {
                    guard let token = try tokenizer.next() else { break }
                    words.append(token)
                }
                let body = tokenizer.remainder
                try run(spec, tokens: words, rawBody: body.isEmpty ? input.heredoc : body + (input.heredoc.map { "\n" + $0 } ?? ""),
                        in: session, execution: &execution)
                return finish(execution, input: input, session: session)
            }
            var tokens: [Token] = []
            var rawBody = input.heredoc
            // A raw HTTP message or curl command pasted after the command word is its input,
            // whatever its lines look like.
            if spec.acceptsRawBody, rawBody == nil {
                _ = tokenizer.skipBlanks()
                if PastedMessage.isRawMessage(tokenizer.remainder) {
                    try run(spec, tokens: [], rawBody: tokenizer.remainder, in: session, execution: &execution)
                    return finish(execution, input: input, session: session)
                }
            }
            // Lines after a complete first line are a body (or, for other commands, the next inputs);
            // when the first line opens a quote or a JSON value, newlines are just blanks.
            let firstLine = input.text.prefix { $0 != "\n" }
            let splitsAtNewline = InputAssembler.incompleteness(of: String(firstLine)) == nil
            while true {
                let crossedNewline = tokenizer.skipBlanks()
                if crossedNewline, splitsAtNewline, rawBody == nil {
                    if spec.acceptsRawBody { rawBody = tokenizer.remainder } else { execution.leftover = tokenizer.remainder }
                    break
                }
                if spec.acceptsRawBody, rawBody == nil, let c = tokenizer.peekWordStart(), c == "{" || c == "[" {
                    if let value = tokenizer.takeJSONValueBeforeFlags() {
                        rawBody = value
                        continue
                    }
                    rawBody = tokenizer.remainder
                    break
                }
                guard let token = try tokenizer.next() else { break }
                tokens.append(token)
            }
            try run(spec, tokens: tokens, rawBody: rawBody, in: session, execution: &execution)
        } catch let error as TokenizeError {
            report(CommandError(.usage, error.message, context: caret(in: input.text, at: error.offset)), session: session)
            execution.status = .usage
        } catch {
            fail(error, execution: &execution, session: session, json: input.text.split(whereSeparator: \.isWhitespace).contains("--json"))
        }
        return finish(execution, input: input, session: session)
    }

    /// Entries longer than this stay in memory only (a pasted capture is not history).
    static let historyEntryLimit = 64 * 1024

    static func finish(_ execution: Execution, input: Input, session: Session) -> Execution {
        var execution = execution
        if input.heredoc != nil || input.text.contains("\n") {
            session.lastBodyInput = input.heredoc.map { input.text + " <<'EOF'\n" + $0 + "EOF" } ?? input.text
        }
        if session.containsSecret(input.text) || session.containsSecret(input.heredoc ?? "") {
            execution.persistInHistory = false
        }
        // A line that did not parse (a mistyped flag such as --cre, a secret pasted at the prompt)
        // cannot be judged by its arguments: it is kept for this session only.
        if execution.status == .usage || input.text.utf8.count + (input.heredoc?.utf8.count ?? 0) > historyEntryLimit {
            execution.persistInHistory = false
        }
        // A pasted capture with a token or an Authorization header is kept for this session only.
        if input.text.contains("\n") || input.heredoc != nil,
           PastedMessage.carriesCredentialHeader(input.text + "\n" + (input.heredoc ?? "")) {
            execution.persistInHistory = false
        }
        session.lastStatus = execution.status
        return execution
    }

    /// Runs a command given as words already split by the calling shell (`callscope COMMAND ARGS…`):
    /// no quote removal or `$` expansion happens here.
    public static func execute(words: [String], in session: Session) -> Execution {
        var execution = Execution(status: .ok, quit: false, persistInHistory: false, leftover: nil)
        guard let first = words.first else { return execution }
        do {
            let spec = try resolve(first, in: session)
            let tokens = words.dropFirst().map { Token(text: $0, start: 0, end: 0, quoted: false) }
            try run(spec, tokens: tokens, rawBody: nil, in: session, execution: &execution)
        } catch {
            fail(error, execution: &execution, session: session, json: words.contains("--json"))
        }
        session.lastStatus = execution.status
        return execution
    }

    static func resolve(_ word: String, in session: Session) throws(CommandError) -> CommandSpec {
        if case .unknown = session.registry.resolve(word), let loadMore = session.loadMoreCommands {
            session.loadMoreCommands = nil
            _ = loadMore()
        }
        switch session.registry.resolve(word) {
        case .found(let spec): return spec
        case .ambiguous(let names):
            throw CommandError.usage("'\(word)' is ambiguous: \(names.joined(separator: ", "))")
        case .unknown(let suggestions):
            let hint = suggestions.isEmpty ? "type 'help' for the list of commands"
                : "did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            throw CommandError(.usage, "unknown command '\(word)'", hint: hint)
        }
    }

    static func run(_ spec: CommandSpec, tokens: [Token], rawBody: String?, in session: Session,
                    execution: inout Execution) throws(CommandError) {
        let arguments = try ParsedArguments.parse(tokens, for: spec)
        if spec.sensitive || arguments.usedSensitive { execution.persistInHistory = false }
        if arguments.has("help") {
            render(HelpFormatter.detail(spec), json: arguments.has("json"), session: session)
            return
        }
        try arguments.checkArity(spec)
        if rawBody != nil, !spec.acceptsRawBody, !spec.takesRawRemainder {
            throw CommandError.usage("'\(spec.name)' takes no body", hint: "usage: \(spec.synopsis)")
        }
        let context = CommandContext(session: session, spec: spec, arguments: arguments, rawBody: rawBody)
        session.clearInterrupt()
        let outcome = try spec.handler(context)
        if let report = outcome.report {
            render(report, json: context.json, session: session)
            if !spec.keepsLastResult { session.lastResult = report.json }
        }
        execution.status = outcome.status
        execution.quit = outcome.quit
    }

    static func fail(_ error: any Error, execution: inout Execution, session: Session, json: Bool = false) {
        let commandError = error as? CommandError ?? CommandError(.internalError, "\(error)")
        report(commandError, session: session)
        if json {
            // Scripts reading stdout get a document too.
            var members: [JSONMember] = [JSONMember("status", .int(commandError.status.rawValue)), JSONMember("message", .string(commandError.message))]
            if let hint = commandError.hint { members.append(JSONMember("hint", .string(hint))) }
            session.output.out(JSONWriter.pretty(session.masker.mask(.object([JSONMember("error", .object(members))]))) + "\n")
        }
        execution.status = commandError.status
    }

    public static func render(_ report: Report, json: Bool, session: Session) {
        let masker = session.masker
        if json {
            session.output.out(JSONWriter.pretty(masker.mask(report.json)) + "\n")
        } else {
            let text = masker.mask(HumanRenderer(color: session.color, width: session.terminalWidth).render(report.blocks))
            if let pager = session.pager, pager(text) { return }
            session.output.out(text)
        }
    }

    /// Prints an error: one line, then any context lines and a hint.
    public static func report(_ error: CommandError, session: Session) {
        let renderer = HumanRenderer(color: session.color)
        var text = renderer.paint(Span("error:", .red)) + " " + ControlCharacters.escaped(error.message) + "\n"
        for line in error.context { text += "  " + ControlCharacters.escaped(line) + "\n" }
        if let hint = error.hint { text += renderer.paint(Span("hint: " + hint, .dim)) + "\n" }
        session.output.err(session.masker.mask(text))
    }

    /// The line of `text` holding scalar offset `offset`, and a caret under that column.
    public static func caret(in text: String, at offset: Int) -> [String] {
        let scalars = Array(text.unicodeScalars)
        let at = min(max(0, offset), scalars.count)
        var lineStart = at
        while lineStart > 0, scalars[lineStart - 1] != "\n" { lineStart -= 1 }
        var lineEnd = at
        while lineEnd < scalars.count, scalars[lineEnd] != "\n" { lineEnd += 1 }
        var line = String.UnicodeScalarView()
        line.append(contentsOf: scalars[lineStart..<lineEnd])
        var before = String.UnicodeScalarView()
        before.append(contentsOf: scalars[lineStart..<at])
        let lineNumber = scalars[..<lineStart].filter { $0 == "\n" }.count + 1
        let column = at - lineStart + 1
        return [String(line), String(repeating: " ", count: TextWidth.of(String(before))) + "^ (line \(lineNumber), column \(column))"]
    }
}
