/// One word of a command line after quote removal and `$name` expansion.
public struct Token: Equatable, Sendable {
    public var text: String
    /// Offset (in Unicode scalars) of the word's first character in the input.
    public var start: Int
    /// Offset just past the word's last character in the input.
    public var end: Int
    /// True when any part of the word was quoted or escaped (so it is never taken as a flag or `<<`).
    public var quoted: Bool
}

/// A tokenizing failure, with the position (scalar offset) where it was found.
public struct TokenizeError: Error, Equatable, Sendable {
    public var message: String
    public var offset: Int
}

/// Looks up `$name` values during expansion; nil means "unknown variable".
public typealias VariableLookup = (String) -> String?

/// A shell-like tokenizer: whitespace separates words; '…' is literal; "…" allows `\"`, `\\`, `\$`
/// and expansion; a backslash outside quotes escapes the next character (and joins lines);
/// `$name` / `${name}` expand; `#` at the start of a word begins a comment.
///
/// It is a cursor, so a caller can read the command word first and then decide how to read the
/// rest (commands that take a raw body stop at a JSON value or at the end of the first line).
public struct Tokenizer {
    public let scalars: [Unicode.Scalar]
    public private(set) var position = 0
    private let lookup: VariableLookup
    /// Whether `$name` names a result, whose fields a path reaches (`$r.records[0].callId`); a
    /// plain variable followed by `.` keeps the dot as text (`$name.txt`).
    private let isResult: (String) -> Bool

    public init(_ text: String, lookup: @escaping VariableLookup = { _ in nil }, isResult: @escaping (String) -> Bool = { _ in false }) {
        self.scalars = Array(text.unicodeScalars)
        self.lookup = lookup
        self.isResult = isResult
    }

    /// Tokenizes the whole input.
    public static func tokenize(_ text: String, lookup: @escaping VariableLookup = { _ in nil }) throws(TokenizeError) -> [Token] {
        var t = Tokenizer(text, lookup: lookup)
        var tokens: [Token] = []
        while let token = try t.next() { tokens.append(token) }
        return tokens
    }

    /// The input from the current position on, unprocessed.
    public var remainder: String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars[position...])
        return String(s)
    }

    /// Skips blanks (and comments); returns whether a newline was crossed.
    @discardableResult
    public mutating func skipBlanks() -> Bool {
        var crossedNewline = false
        while position < scalars.count {
            let c = scalars[position]
            if c == " " || c == "\t" || c == "\r" {
                position += 1
            } else if c == "\n" {
                crossedNewline = true
                position += 1
            } else if c == "\\", position + 1 < scalars.count, scalars[position + 1] == "\n" {
                position += 2
            } else if c == "#" {
                while position < scalars.count, scalars[position] != "\n" { position += 1 }
            } else {
                break
            }
        }
        return crossedNewline
    }

    /// A JSON value starting here, when it closes and only flags follow it on its line
    /// (`{"a":1} --cred …`): consumes and returns the value, so the flags are read as flags and
    /// never end up inside the body. Nil (nothing consumed) otherwise.
    public mutating func takeJSONValueBeforeFlags() -> String? {
        var depth = 0
        var inString = false
        var i = position
        while i < scalars.count {
            let c = scalars[i]
            if inString {
                if c == "\\" { i += 1 } else if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            } else if c == "{" || c == "[" {
                depth += 1
            } else if c == "}" || c == "]" {
                depth -= 1
                if depth == 0 { break }
            }
            i += 1
        }
        guard i < scalars.count, depth == 0 else { return nil }
        var j = i + 1
        while j < scalars.count, scalars[j] == " " || scalars[j] == "\t" { j += 1 }
        guard j + 1 < scalars.count, scalars[j] == "-", scalars[j + 1] == "-" else { return nil }
        var value = String.UnicodeScalarView()
        value.append(contentsOf: scalars[position...i])
        position = i + 1
        return String(value)
    }

    /// The next unprocessed character, after blanks, without consuming it.
    public mutating func peekWordStart() -> Unicode.Scalar? {
        skipBlanks()
        return position < scalars.count ? scalars[position] : nil
    }

    public mutating func next() throws(TokenizeError) -> Token? {
        skipBlanks()
        guard position < scalars.count else { return nil }
        let start = position
        var text = String.UnicodeScalarView()
        var quoted = false
        while position < scalars.count {
            let c = scalars[position]
            if c == " " || c == "\t" || c == "\n" || c == "\r" { break }
            switch c {
            case "'":
                quoted = true
                let open = position
                position += 1
                while position < scalars.count, scalars[position] != "'" {
                    text.append(scalars[position]); position += 1
                }
                guard position < scalars.count else { throw TokenizeError(message: "unterminated single quote", offset: open) }
                position += 1
            case "\"":
                quoted = true
                let open = position
                position += 1
                var closed = false
                while position < scalars.count {
                    let d = scalars[position]
                    if d == "\"" { closed = true; position += 1; break }
                    if d == "\\", position + 1 < scalars.count {
                        let e = scalars[position + 1]
                        if e == "\"" || e == "\\" || e == "$" || e == "`" {
                            text.append(e); position += 2; continue
                        }
                        if e == "\n" { position += 2; continue }
                        text.append(d); position += 1; continue
                    }
                    if d == "$" {
                        try expandVariable(into: &text)
                        continue
                    }
                    text.append(d); position += 1
                }
                guard closed else { throw TokenizeError(message: "unterminated double quote", offset: open) }
            case "\\":
                quoted = true
                if position + 1 < scalars.count {
                    if scalars[position + 1] != "\n" { text.append(scalars[position + 1]) }
                    position += 2
                } else {
                    position += 1
                }
            case "$":
                try expandVariable(into: &text)
            default:
                text.append(c); position += 1
            }
        }
        return Token(text: String(text), start: start, end: position, quoted: quoted)
    }

    /// Expands `$name`, `${name}` or `$?` at `position`; a `$` not followed by a name is literal.
    private mutating func expandVariable(into text: inout String.UnicodeScalarView) throws(TokenizeError) {
        let dollar = position
        position += 1
        var name = ""
        if position < scalars.count, scalars[position] == "{" {
            position += 1
            while position < scalars.count, scalars[position] != "}" {
                name.unicodeScalars.append(scalars[position]); position += 1
            }
            guard position < scalars.count else { throw TokenizeError(message: "unterminated ${…}", offset: dollar) }
            position += 1
            guard Tokenizer.isValidName(name) || name == "?" || (isResult(ValuePath(name).base) && ValuePath(name).valid) else {
                throw TokenizeError(message: "invalid variable name '\(name)'", offset: dollar)
            }
        } else if position < scalars.count, scalars[position] == "?" {
            name = "?"; position += 1
        } else {
            while position < scalars.count, Tokenizer.isNameScalar(scalars[position], first: name.isEmpty) {
                name.unicodeScalars.append(scalars[position]); position += 1
            }
            if name.isEmpty { text.append("$"); return }
            if isResult(name) { name += readPath() }
        }
        if name.contains(where: { $0 == "." || $0 == "[" }) {
            guard let value = lookup(name) else {
                throw TokenizeError(message: "$\(name): no such field (see 'show $\(name.prefix { $0 != "." && $0 != "[" })')", offset: dollar)
            }
            text.append(contentsOf: value.unicodeScalars)
            return
        }
        guard let value = lookup(name) else {
            throw TokenizeError(message: "unknown variable $\(name) (see 'vars'; set it with 'set \(name) VALUE')", offset: dollar)
        }
        text.append(contentsOf: value.unicodeScalars)
    }

    /// `.member` and `[index]` steps right after a result's name.
    private mutating func readPath() -> String {
        var path = ""
        while position + 1 < scalars.count {
            let c = scalars[position]
            if c == ".", Tokenizer.isNameScalar(scalars[position + 1], first: false) {
                path.unicodeScalars.append(c)
                position += 1
                while position < scalars.count, Tokenizer.isNameScalar(scalars[position], first: false) {
                    path.unicodeScalars.append(scalars[position]); position += 1
                }
            } else if c == "[" {
                var end = position + 1
                if end < scalars.count, scalars[end] == "-" { end += 1 }
                while end < scalars.count, ("0"..."9").contains(scalars[end]) { end += 1 }
                guard end < scalars.count, scalars[end] == "]", end > position + 1 else { break }
                for i in position...end { path.unicodeScalars.append(scalars[i]) }
                position = end + 1
            } else {
                break
            }
        }
        return path
    }

    static func isNameScalar(_ c: Unicode.Scalar, first: Bool) -> Bool {
        if c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) { return true }
        return !first && ("0"..."9").contains(c)
    }

    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        for (i, c) in name.unicodeScalars.enumerated() where !isNameScalar(c, first: i == 0) { return false }
        return true
    }
}
