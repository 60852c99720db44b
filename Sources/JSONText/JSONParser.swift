/// Where a JSON text stops being valid: byte offset, 1-based line and column (in characters).
public struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var line: Int
    public var column: Int

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes that keeps member order, duplicate keys and number text.
public struct JSONParser {
    private let bytes: [UInt8]
    private var pos: Int
    /// Nesting limit: deeper documents are rejected instead of exhausting the stack.
    public var maxDepth = 512
    /// Accept invalid UTF-8 inside strings (replaced by U+FFFD) and record where it was.
    public var lenientUTF8 = false
    /// Byte offsets of invalid UTF-8 found in lenient mode.
    public private(set) var invalidUTF8Offsets: [Int] = []

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        self.pos = 0
    }

    public init(text: String) { self.init(bytes: Array(text.utf8)) }

    /// Parses exactly one value surrounded by optional whitespace.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(bytes: Array(text.utf8))
    }

    public static func parse(bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        if parser.pos == bytes.count { throw parser.error("empty input: expected a JSON value") }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.pos < bytes.count { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    /// Parses one value (lenient about UTF-8); returns it with the offsets of invalid UTF-8.
    public static func parseLenient(bytes: [UInt8]) throws(JSONSyntaxError) -> (JSONValue, invalidUTF8: [Int]) {
        var parser = JSONParser(bytes: bytes)
        parser.lenientUTF8 = true
        parser.skipWhitespace()
        if parser.pos == bytes.count { throw parser.error("empty input: expected a JSON value") }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.pos < bytes.count { throw parser.error("unexpected text after the JSON value (several documents? use NDJSON, one per line)") }
        return (value, parser.invalidUTF8Offsets)
    }

    /// Parses a sequence of whitespace-separated values (NDJSON, concatenated documents).
    public static func parseSequence(bytes: [UInt8]) throws(JSONSyntaxError) -> [JSONValue] {
        var parser = JSONParser(bytes: bytes)
        var values: [JSONValue] = []
        parser.skipWhitespace()
        while parser.pos < bytes.count {
            values.append(try parser.parseValue(depth: 0))
            parser.skipWhitespace()
        }
        return values
    }

    /// Computes line and column (1-based; columns count characters) of a byte offset in `bytes`.
    public static func location(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        let end = min(offset, bytes.count)
        var i = 0
        while i < end {
            if bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
            i += 1
        }
        // Count characters, not bytes: UTF-8 continuation bytes do not start a character.
        var column = 1
        for j in lineStart..<end where bytes[j] & 0xC0 != 0x80 { column += 1 }
        return (line, column)
    }

    func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let at = offset ?? pos
        let (line, column) = JSONParser.location(of: at, in: bytes)
        return JSONSyntaxError(message: message, offset: at, line: line, column: column)
    }

    mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
        guard pos < bytes.count else { throw error("unexpected end of input: expected a value (truncated?)") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "'"): throw error("strings must use double quotes, not single quotes")
        default: throw error("unexpected character \(describe(bytes[pos])): expected a value")
        }
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONSyntaxError) {
        let start = pos
        let utf8 = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for b in utf8 {
            guard pos < bytes.count else { throw error("unexpected end of input inside '\(word)'", at: start) }
            guard bytes[pos] == b else { throw error("invalid literal: expected '\(word)'", at: start) }
            pos += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        pos += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of input inside an object (truncated?)") }
            guard bytes[pos] == UInt8(ascii: "\"") else {
                if bytes[pos] == UInt8(ascii: "}") { throw error("trailing comma before '}'") }
                throw error("expected a member name in double quotes, found \(describe(bytes[pos]))")
            }
            let key = try parseString()
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of input after a member name") }
            guard bytes[pos] == UInt8(ascii: ":") else { throw error("expected ':' after member name \"\(key)\"") }
            pos += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            members.append(JSONMember(key, value))
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of input inside an object: missing '}' (truncated?)") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
            throw error("expected ',' or '}' after a member, found \(describe(bytes[pos]))")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        pos += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
        while true {
            skipWhitespace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { throw error("trailing comma before ']'") }
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of input inside an array: missing ']' (truncated?)") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            throw error("expected ',' or ']' after an element, found \(describe(bytes[pos]))")
        }
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = pos
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < bytes.count, isDigit(bytes[pos]) else { throw error("invalid number: expected a digit", at: pos) }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < bytes.count, isDigit(bytes[pos]) { throw error("invalid number: leading zero", at: start) }
        } else {
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw error("invalid number: expected a digit after '.'") }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw error("invalid number: expected a digit in the exponent") }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let open = pos
        pos += 1
        let start = pos
        // Fast path: no escapes, valid UTF-8 checked by the decoder below.
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                let slice = bytes[start..<pos]
                pos += 1
                return try decodeUTF8(slice, at: start)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character \(describe(b)) inside a string (escape it)") }
            pos += 1
        }
        var out: [UInt8] = Array(bytes[start..<pos])
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return try decodeUTF8(out[...], at: start)
            }
            if b < 0x20 { throw error("control character \(describe(b)) inside a string (escape it)") }
            if b != UInt8(ascii: "\\") { out.append(b); pos += 1; continue }
            pos += 1
            guard pos < bytes.count else { break }
            let e = bytes[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    if pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                        pos += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid surrogate pair in \\u escape", at: pos - 6) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        throw error("lone high surrogate in \\u escape", at: pos - 6)
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("lone low surrogate in \\u escape", at: pos - 6)
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            default:
                throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string", at: pos - 2)
            }
        }
        throw error("unterminated string (truncated?)", at: open)
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[pos]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value * 16 + digit
            pos += 1
        }
        return value
    }

    private mutating func decodeUTF8(_ slice: ArraySlice<UInt8>, at start: Int) throws(JSONSyntaxError) -> String {
        if let s = String(validating: slice, as: UTF8.self) { return s }
        if lenientUTF8 {
            invalidUTF8Offsets.append(start)
            return String(decoding: slice, as: UTF8.self)
        }
        // Find the first bad byte for the message.
        var offset = start
        var iterator = slice.makeIterator()
        var decoder = UTF8()
        var consumed = 0
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): consumed += UTF8.width(s)
            case .emptyInput: break loop
            case .error: break loop
            }
        }
        offset += consumed
        throw error("invalid UTF-8 inside a string", at: offset)
    }
}
