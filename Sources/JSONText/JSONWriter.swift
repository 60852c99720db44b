/// Serialises `JSONValue`s, compact or indented, straight into UTF-8 bytes. Non-ASCII text is
/// written as UTF-8, not escaped.
public enum JSONWriter {
    public static func compact(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out, indent: nil, depth: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the compact form of `value` to `out`.
    public static func compact(_ value: JSONValue, into out: inout [UInt8]) {
        write(value, into: &out, indent: nil, depth: 0)
    }

    public static func pretty(_ value: JSONValue, indent: Int = 2) -> String {
        var out: [UInt8] = []
        write(value, into: &out, indent: [UInt8](repeating: 0x20, count: indent), depth: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// The JSON string literal for `text`, quotes included.
    public static func quote(_ text: String) -> String {
        var out: [UInt8] = []
        appendQuoted(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func append(_ s: StaticString, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    static func write(_ value: JSONValue, into out: inout [UInt8], indent: [UInt8]?, depth: Int) {
        switch value {
        case .null: append("null", into: &out)
        case .bool(let b): if b { append("true", into: &out) } else { append("false", into: &out) }
        case .number(let n): var n = n; n.withUTF8 { out.append(contentsOf: $0) }
        case .string(let s): appendQuoted(s, into: &out)
        case .array(let items):
            if items.isEmpty { append("[]", into: &out); return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(into: &out, indent: indent, depth: depth + 1)
                write(item, into: &out, indent: indent, depth: depth + 1)
            }
            newline(into: &out, indent: indent, depth: depth)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { append("{}", into: &out); return }
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(into: &out, indent: indent, depth: depth + 1)
                appendQuoted(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(0x20) }
                write(member.value, into: &out, indent: indent, depth: depth + 1)
            }
            newline(into: &out, indent: indent, depth: depth)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(into out: inout [UInt8], indent: [UInt8]?, depth: Int) {
        guard let indent else { return }
        out.append(0x0A)
        for _ in 0..<depth { out.append(contentsOf: indent) }
    }

    /// Whether all eight bytes of `word` are printable ASCII other than `"` and `\` (copied as they are).
    @inline(__always)
    static func isPlainWord(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZeroByte(_ v: UInt64) -> Bool { (v &- ones) & ~v & high != 0 }
        return word & high == 0                                   // ASCII,
            && (word &- 0x2020_2020_2020_2020) & high == 0       // no control character,
            && (word &+ ones) & high == 0                         // no DEL,
            && !hasZeroByte(word ^ 0x2222_2222_2222_2222) && !hasZeroByte(word ^ 0x5C5C_5C5C_5C5C_5C5C)
    }

    /// Appends `text` as a JSON string literal: runs of bytes that need no escape are copied whole.
    public static func appendQuoted(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        quotedPieces(text) { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "\""))
    }

    /// `text` as a JSON string literal without its quotes, in pieces handed to `piece` in order:
    /// runs of bytes that need no escape, and escapes. (For writers into any kind of byte sink.)
    public static func quotedPieces(_ text: String, _ piece: (UnsafeBufferPointer<UInt8>) -> Void) {
        var text = text
        text.withUTF8 { quotedPieces(utf8: $0, piece) }
    }

    /// `quotedPieces` of text already in UTF-8 (valid UTF-8: a lead byte says how long its character is).
    public static func quotedPieces(utf8 bytes: UnsafeBufferPointer<UInt8>, _ piece: (UnsafeBufferPointer<UInt8>) -> Void) {
        var runStart = 0
        var i = 0
        let n = bytes.count
        func run(_ end: Int) { if end > runStart { piece(UnsafeBufferPointer(rebasing: bytes[runStart..<end])) } }
        func escape(_ literal: StaticString) { piece(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)) }
        // Short printable ASCII (names, codes, event names): one piece, no case looked at.
        if n <= 32, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) { return run(n) }
        while i < n {
            // Eight bytes at a time while none of them needs a closer look (ASCII text without
            // a quote, a backslash or a control character: most names, values and sentences).
            while i &+ 8 <= n, isPlainWord(UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)) {
                i &+= 8
            }
            guard i < n else { break }
            let b = bytes[i]
            if b >= 0x20, b != 0x22, b != 0x5C, b != 0x7F, b != 0xE2 {
                // A String is valid UTF-8: a lead byte says how long its character is (CJK
                // text is mostly three-byte characters, stepped over whole).
                i += b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
                continue
            }
            // U+2028/U+2029 (E2 80 A8/A9) are escaped for JavaScript; other E2 sequences are copied.
            if b == 0xE2 {
                if i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                    run(i)
                    escape(bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029")
                    i += 3
                    runStart = i
                } else {
                    i += 3
                }
                continue
            }
            run(i)
            switch b {
            case 0x22: escape("\\\"")
            case 0x5C: escape("\\\\")
            case 0x0A: escape("\\n")
            case 0x0D: escape("\\r")
            case 0x09: escape("\\t")
            case 0x08: escape("\\b")
            case 0x0C: escape("\\f")
            default:
                let hex: StaticString = "0123456789abcdef"
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 6) { u in
                    for (k, c) in "\\u00".utf8.enumerated() { u[k] = c }
                    u[4] = hex.utf8Start[Int(b >> 4)]
                    u[5] = hex.utf8Start[Int(b & 0x0F)]
                    piece(UnsafeBufferPointer(u))
                }
            }
            i += 1
            runStart = i
        }
        run(n)
    }
}
