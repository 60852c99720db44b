import FoundationEssentials

/// One complete input: the command text and, for the heredoc form, the literal body.
public struct Input: Equatable, Sendable {
    public var text: String
    public var heredoc: String?

    public init(text: String, heredoc: String? = nil) {
        self.text = text
        self.heredoc = heredoc
    }
}

/// Gathers physical lines (or whole pastes) into complete inputs. An input continues while a quote
/// or a JSON value is open or a line ends in `\`; `CMD <<WORD` collects lines up to `WORD` as a body.
/// Once the first line is complete, any further lines of the same paste are that command's body.
public struct InputAssembler {
    private var buffer = ""
    /// The scan of `buffer` so far: each new line is scanned once, never the whole buffer again.
    private var scanner = CompletenessScanner()
    private var heredocCommand: String?
    private var heredocTerminator = ""
    private var heredocStripTabs = false
    private var heredocLines: [String] = []
    /// Whether a complete-looking input goes on anyway (an unfinished Lua block after `lua` or `=`).
    private let continues: ((String) -> Bool)?

    public init(continues: ((String) -> Bool)? = nil) {
        self.continues = continues
    }

    /// True while an input has been started but is not complete.
    public var isPending: Bool { heredocCommand != nil || !buffer.isEmpty }

    /// Why the pending input is not complete, for an end-of-input error.
    public var pendingReason: String? {
        if heredocCommand != nil { return "here-document not closed: expected a line '\(heredocTerminator)'" }
        if buffer.isEmpty { return nil }
        return scanner.incompleteness?.description ?? "unfinished Lua block"
    }

    public mutating func reset() {
        buffer = ""
        scanner = CompletenessScanner()
        heredocCommand = nil
        heredocLines = []
    }

    /// Adds a line (or a pasted block); returns the input once it is complete.
    public mutating func feed(_ line: String) -> Input? {
        if let command = heredocCommand {
            var parts = line.split(separator: "\n", omittingEmptySubsequences: false)
            // A paste whose last line has no newline, then the terminator typed: the terminator
            // is a line of its own ("…}EOF" closes the body after "…}").
            if parts.count > 1, let last = parts.last, last.hasSuffix(heredocTerminator), last != Substring(heredocTerminator),
               !heredocTerminator.isEmpty {
                parts[parts.count - 1] = last.dropLast(heredocTerminator.count)
                parts.append(Substring(heredocTerminator))
            }
            for part in parts {
                var candidate = String(part)
                if candidate.hasSuffix("\r") { candidate.removeLast() }
                if heredocStripTabs { candidate = String(candidate.drop(while: { $0 == "\t" })) }
                if candidate == heredocTerminator {
                    let body = heredocLines.joined(separator: "\n") + (heredocLines.isEmpty ? "" : "\n")
                    reset()
                    return Input(text: command, heredoc: body)
                }
                heredocLines.append(heredocStripTabs ? candidate : String(part))
            }
            return nil
        }
        if !buffer.isEmpty {
            buffer += "\n"
            scanner.scan("\n")
        }
        buffer += line
        scanner.scan(line)
        if scanner.incompleteness != nil { return nil }
        if let continues, continues(buffer) { return nil }
        if let (command, terminator, stripTabs) = InputAssembler.heredocStart(in: buffer) {
            heredocCommand = command
            heredocTerminator = terminator
            heredocStripTabs = stripTabs
            heredocLines = []
            buffer = ""
            scanner = CompletenessScanner()
            return nil
        }
        let input = Input(text: buffer)
        buffer = ""
        scanner = CompletenessScanner()
        return input
    }

    /// What keeps a text from being a complete input.
    public enum Incompleteness: Equatable, Sendable, CustomStringConvertible {
        case openQuote(Character)
        case openJSON(expecting: Character)
        case trailingBackslash

        public var description: String {
            switch self {
            case .openQuote(let q): return "unterminated \(q == "'" ? "single" : "double") quote"
            case .openJSON(let close): return "unterminated JSON value: missing '\(close)'"
            case .trailingBackslash: return "line continues after a trailing '\\'"
            }
        }
    }

    public static func incompleteness(of text: String) -> Incompleteness? {
        var scanner = CompletenessScanner()
        scanner.scan(text)
        return scanner.incompleteness
    }

    /// Recognises a trailing `<<WORD`, `<<'WORD'` or `<<-WORD` on the last line.
    static func heredocStart(in text: String) -> (command: String, terminator: String, stripTabs: Bool)? {
        guard !text.contains("\n") else { return nil }
        let trimmed = text.trimmingTrailingBlanks()
        guard let range = trimmed.ranges(of: "<<").last else { return nil }
        let before = trimmed[..<range.lowerBound]
        guard before.isEmpty || before.last == " " || before.last == "\t" else { return nil }
        var word = trimmed[range.upperBound...]
        var stripTabs = false
        if word.hasPrefix("-") { stripTabs = true; word = word.dropFirst() }
        if let q = word.first, q == "'" || q == "\"", word.count >= 2, word.last == q {
            word = word.dropFirst().dropLast()
        }
        guard Tokenizer.isValidName(String(word)) else { return nil }
        return (String(before).trimmingTrailingBlanks(), String(word), stripTabs)
    }
}

/// Whether a text is a complete input, scanned incrementally: quotes, JSON values opened at the
/// start of a word, `#` comments and a trailing `\\`. The first newline outside all of these ends
/// the command; whatever follows in the same paste is its body.
struct CompletenessScanner {
    private enum Mode {
        case plain
        case quote(Unicode.Scalar, escaped: Bool)
        case json(inString: Bool, escaped: Bool)
        case comment
        case complete
    }

    private var mode = Mode.plain
    /// The closing brackets a JSON value still needs, innermost last.
    private var closers: [Unicode.Scalar] = []
    private var atWordStart = true
    private var pendingBackslash = false

    mutating func scan(_ text: String) {
        for c in text.unicodeScalars {
            if case .complete = mode { return }
            step(c)
        }
    }

    private mutating func step(_ c: Unicode.Scalar) {
        switch mode {
        case .complete:
            return
        case .comment:
            if c == "\n" { mode = .complete }
        case .quote(let q, let escaped):
            if escaped { mode = .quote(q, escaped: false) }
            else if q == "\"", c == "\\" { mode = .quote(q, escaped: true) }
            else if c == q { mode = .plain; atWordStart = false }
        case .json(let inString, let escaped):
            if inString {
                if escaped { mode = .json(inString: true, escaped: false) }
                else if c == "\\" { mode = .json(inString: true, escaped: true) }
                else if c == "\"" { mode = .json(inString: false, escaped: false) }
            } else if c == "\"" {
                mode = .json(inString: true, escaped: false)
            } else if c == "{" || c == "[" {
                closers.append(c == "{" ? "}" : "]")
            } else if c == "}" || c == "]" {
                if !closers.isEmpty { closers.removeLast() }
                if closers.isEmpty { mode = .plain; atWordStart = false }
            }
        case .plain:
            if pendingBackslash {
                pendingBackslash = false
                atWordStart = false
                return
            }
            switch c {
            case "{" where atWordStart, "[" where atWordStart:
                closers = [c == "{" ? "}" : "]"]
                mode = .json(inString: false, escaped: false)
            case "'", "\"": mode = .quote(c, escaped: false)
            case "\\": pendingBackslash = true
            case "#" where atWordStart: mode = .comment
            case "\n": mode = .complete
            case " ", "\t", "\r": atWordStart = true
            default: atWordStart = false
            }
        }
    }

    var incompleteness: InputAssembler.Incompleteness? {
        switch mode {
        case .plain: return pendingBackslash ? .trailingBackslash : nil
        case .quote(let q, _): return .openQuote(Character(q))
        case .json(let inString, _): return inString ? .openQuote("\"") : .openJSON(expecting: Character(closers.last ?? "}"))
        case .comment, .complete: return nil
        }
    }
}

extension String {
    func trimmingTrailingBlanks() -> String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
