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
    private var heredocCommand: String?
    private var heredocTerminator = ""
    private var heredocStripTabs = false
    private var heredocLines: [String] = []

    public init() {}

    /// True while an input has been started but is not complete.
    public var isPending: Bool { heredocCommand != nil || !buffer.isEmpty }

    /// Why the pending input is not complete, for an end-of-input error.
    public var pendingReason: String? {
        if heredocCommand != nil { return "here-document not closed: expected a line '\(heredocTerminator)'" }
        if buffer.isEmpty { return nil }
        return InputAssembler.incompleteness(of: buffer)?.description
    }

    public mutating func reset() {
        buffer = ""
        heredocCommand = nil
        heredocLines = []
    }

    /// Adds a line (or a pasted block); returns the input once it is complete.
    public mutating func feed(_ line: String) -> Input? {
        if let command = heredocCommand {
            for part in line.split(separator: "\n", omittingEmptySubsequences: false) {
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
        buffer += buffer.isEmpty ? line : "\n" + line
        if InputAssembler.incompleteness(of: buffer) != nil { return nil }
        if let (command, terminator, stripTabs) = InputAssembler.heredocStart(in: buffer) {
            heredocCommand = command
            heredocTerminator = terminator
            heredocStripTabs = stripTabs
            heredocLines = []
            buffer = ""
            return nil
        }
        let input = Input(text: buffer)
        buffer = ""
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
        let s = Array(text.unicodeScalars)
        var i = 0
        var atWordStart = true
        while i < s.count {
            let c = s[i]
            if atWordStart, c == "{" || c == "[" {
                var stack: [Unicode.Scalar] = []
                var inString = false
                while i < s.count {
                    let d = s[i]
                    if inString {
                        if d == "\\" { i += 1 } else if d == "\"" { inString = false }
                    } else if d == "\"" {
                        inString = true
                    } else if d == "{" || d == "[" {
                        stack.append(d == "{" ? "}" : "]")
                    } else if d == "}" || d == "]" {
                        if !stack.isEmpty { stack.removeLast() }
                        if stack.isEmpty { break }
                    }
                    i += 1
                }
                if i >= s.count {
                    if inString { return .openQuote("\"") }
                    return .openJSON(expecting: Character(stack.last ?? "}"))
                }
                i += 1
                atWordStart = false
                continue
            }
            switch c {
            case "'", "\"":
                var j = i + 1
                while j < s.count, s[j] != c {
                    if c == "\"", s[j] == "\\" { j += 1 }
                    j += 1
                }
                if j >= s.count { return .openQuote(Character(c)) }
                i = j + 1
                atWordStart = false
            case "\\":
                if i + 1 >= s.count { return .trailingBackslash }
                i += 2
                atWordStart = false
            case "#" where atWordStart:
                while i < s.count, s[i] != "\n" { i += 1 }
            case "\n":
                // The first line is complete: whatever follows in the same paste is its body.
                return nil
            case " ", "\t", "\r":
                i += 1
                atWordStart = true
            default:
                i += 1
                atWordStart = false
            }
        }
        return nil
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

extension String {
    func trimmingTrailingBlanks() -> String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
