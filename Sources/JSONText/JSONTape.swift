import CByteScan

/// One JSON text indexed in place: a flat list of its values in document order, each pointing at
/// its bytes, with no value built. Containers know where their subtree ends, so a reader can skip
/// or descend. It accepts exactly what `JSONParser` accepts (RFC 8259, strict UTF-8, the same depth
/// limit) and gives no message: when `index` returns false, the parser says what is wrong.
public struct JSONTape {
    public enum Kind: UInt8 { case object, array, string, number, trueValue, falseValue, null }

    /// One value in 32 bytes (offsets as 32-bit numbers; a text of 2 GiB or more is not indexed;
    /// a power of two, so that finding entry i is a shift, not a multiplication).
    public struct Entry {
        public var kind: Kind
        /// For strings: nothing between the quotes needs escaping or unescaping, so the bytes
        /// (quotes included) are already what `JSONWriter` would write. For objects and arrays:
        /// no whitespace in them and every string and key in them plain, so their bytes are what
        /// `JSONWriter.compact` writes. Numbers and literals: always.
        public var plain: Bool
        /// For members: the key is plain in the same sense.
        public var keyPlain: Bool
        var start32: Int32
        var end32: Int32
        var keyStart32: Int32
        var keyEnd32: Int32
        var next32: Int32
        var count32: Int32
        /// How deep the value is: 0 for the text's value, 1 for its members or elements, and so on.
        var depth32: Int32

        /// How deep the value is (0: the root; a member of the value at entry i is one deeper).
        @inline(__always) public var depth: Int { Int(depth32) }

        /// The value's bytes (strings with their quotes).
        @inline(__always) public var start: Int { Int(start32) }
        @inline(__always) public var end: Int { Int(end32) }
        /// For members: the key's bytes, without quotes; -1 otherwise.
        @inline(__always) public var keyStart: Int { Int(keyStart32) }
        @inline(__always) public var keyEnd: Int { Int(keyEnd32) }
        /// The index of the first entry after this value's subtree.
        @inline(__always) public var next: Int { Int(next32) }
        /// For containers: the number of members or elements.
        @inline(__always) public var count: Int { Int(count32) }
    }

    /// The entries, in memory the tape allocates and grows itself: the scanner writes each entry
    /// with plain stores, no array uniqueness or bounds checks (they were half of its cost).
    final class Storage {
        var base: UnsafeMutablePointer<Entry>
        var capacity: Int
        var count = 0
        init(capacity: Int = 64) {
            self.capacity = capacity
            base = .allocate(capacity: capacity)
        }
        deinit { base.deallocate() }
    }

    private var storage = Storage()
    /// Every member name is plain and ASCII, so comparing names byte by byte is comparing them as
    /// `String`s (which treat canonically equivalent Unicode as equal).
    public private(set) var keysPlainASCII = true
    public var maxDepth = 512

    public init() {}

    /// Indexes `bytes` (one JSON text with optional surrounding whitespace), reusing this tape's
    /// storage. False when the text is not valid JSON (or is 2 GiB or more).
    public mutating func index(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // A copy of the tape keeps the entries it had.
        if !isKnownUniquelyReferenced(&storage) { storage = Storage() }
        storage.count = 0
        guard bytes.count < Int(Int32.max) else { return false }
        var scanner = Scanner(bytes: bytes, maxDepth: maxDepth, base: storage.base, capacity: storage.capacity)
        let ok = scanner.scan()
        storage.base = scanner.base
        storage.capacity = scanner.capacity
        storage.count = ok ? scanner.count : 0
        keysPlainASCII = scanner.keysPlainASCII
        return ok
    }

    /// The number of entries.
    public var count: Int { storage.count }

    /// Calls `body` with the entries (valid only inside it).
    @inline(__always)
    public func withEntries<R>(_ body: (UnsafeBufferPointer<Entry>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(UnsafeBufferPointer(start: storage.base, count: storage.count)) }
    }

    /// A copy of the entries, for inspection.
    public var entries: [Entry] { withEntries { Array($0) } }

    /// The bytes of entry `i`.
    @inline(__always)
    public func range(_ i: Int) -> Range<Int> {
        precondition(i >= 0 && i < storage.count)
        return storage.base[i].start..<storage.base[i].end
    }
}

private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var pos = 0
    var keysPlainASCII = true
    /// Counts what keeps a container from standing as written (whitespace, a string or key that
    /// is not plain): a container is plain when this did not change while it was scanned.
    var impure = 0
    /// The entries written so far (the tape's storage, grown here when full).
    var base: UnsafeMutablePointer<JSONTape.Entry>
    var capacity: Int
    var count = 0
    /// Where the 64 bytes classified in `specials` start (`skipToSpecial`).
    var windowStart = -64
    var specials: UInt64 = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, base: UnsafeMutablePointer<JSONTape.Entry>, capacity: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.base = base
        self.capacity = capacity
    }

    /// Room for one more entry.
    @inline(__always)
    mutating func reserveOne() {
        guard count == capacity else { return }
        let bigger = UnsafeMutablePointer<JSONTape.Entry>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }

    mutating func scan() -> Bool {
        skipWhitespace()
        guard value(keyStart: -1, keyEnd: -1, keyPlain: true, depth: 0) else { return false }
        skipWhitespace()
        return pos == bytes.count
    }

    /// Compact JSON has none: one comparison decides (every whitespace byte is 0x20 or below).
    @inline(__always)
    mutating func skipWhitespace() {
        guard pos < bytes.count, bytes[pos] <= 0x20 else { return }
        skipWhitespaceRun()
    }

    mutating func skipWhitespaceRun() {
        impure &+= 1
        while pos < bytes.count {
            let b = bytes[pos]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            pos += 1
        }
    }

    mutating func value(keyStart: Int, keyEnd: Int, keyPlain: Bool, depth: Int) -> Bool {
        guard depth < maxDepth, pos < bytes.count else { return false }
        // This value's slot; written once its end is known (its subtree's entries follow it).
        reserveOne()
        let me = count
        self.count += 1
        let start = pos
        let impureBefore = impure
        var kind: JSONTape.Kind
        var plain = true
        var count = 0
        switch bytes[pos] {
        case UInt8(ascii: "{"):
            kind = .object
            pos += 1
            skipWhitespace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
                pos += 1
                break
            }
            while true {
                if pos >= bytes.count || bytes[pos] != UInt8(ascii: "\"") {
                    skipWhitespace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { return false }
                }
                let kStart = pos + 1
                guard let kFlags = string() else { return false }
                let kEnd = pos - 1
                let kPlain = kFlags & Scanner.plain != 0
                if kFlags != Scanner.plain | Scanner.ascii {
                    keysPlainASCII = false
                    if !kPlain { impure &+= 1 }
                }
                // Compact JSON (most of it): the colon right after the name, the value right after it.
                if pos &+ 1 < bytes.count, bytes[pos] == UInt8(ascii: ":"), bytes[pos &+ 1] > 0x20 {
                    pos &+= 1
                } else {
                    skipWhitespace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { return false }
                    pos += 1
                    skipWhitespace()
                }
                // Most members are strings, numbers and nulls: their entries are written here,
                // without the call to `value` (whose frame, made for containers, cost more than they do).
                if depth + 1 < maxDepth, pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") || bytes[pos] == UInt8(ascii: "-")
                    || (bytes[pos] >= UInt8(ascii: "0") && bytes[pos] <= UInt8(ascii: "9")) || bytes[pos] == UInt8(ascii: "n") {
                    guard scalar(keyStart: kStart, keyEnd: kEnd, keyPlain: kPlain, depth: depth + 1) else { return false }
                } else {
                    guard value(keyStart: kStart, keyEnd: kEnd, keyPlain: kPlain, depth: depth + 1) else { return false }
                }
                count += 1
                // A comma right after the value (compact JSON) is taken before looking for whitespace.
                if pos < bytes.count, bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                skipWhitespace()
                guard pos < bytes.count else { return false }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "}") { pos += 1; break }
                return false
            }
        case UInt8(ascii: "["):
            kind = .array
            pos += 1
            skipWhitespace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
                pos += 1
                break
            }
            while true {
                skipWhitespace()
                guard value(keyStart: -1, keyEnd: -1, keyPlain: true, depth: depth + 1) else { return false }
                count += 1
                if pos < bytes.count, bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                skipWhitespace()
                guard pos < bytes.count else { return false }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "]") { pos += 1; break }
                return false
            }
        case UInt8(ascii: "\""):
            kind = .string
            guard let flags = string() else { return false }
            plain = flags & Scanner.plain != 0
            if !plain { impure &+= 1 }
        case UInt8(ascii: "t"):
            kind = .trueValue
            guard word(0x74, 0x72, 0x75, 0x65) else { return false }
        case UInt8(ascii: "f"):
            kind = .falseValue
            guard word(0x66, 0x61, 0x6C, 0x73), pos < bytes.count, bytes[pos] == 0x65 else { return false }
            pos += 1
        case UInt8(ascii: "n"):
            kind = .null
            guard word(0x6E, 0x75, 0x6C, 0x6C) else { return false }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            kind = .number
            guard number() else { return false }
        default:
            return false
        }
        if kind == .object || kind == .array { plain = impure == impureBefore }
        (base + me).initialize(to: JSONTape.Entry(kind: kind, plain: plain, keyPlain: keyPlain, start32: Int32(truncatingIfNeeded: start),
                                                   end32: Int32(truncatingIfNeeded: pos), keyStart32: Int32(truncatingIfNeeded: keyStart),
                                                   keyEnd32: Int32(truncatingIfNeeded: keyEnd), next32: Int32(truncatingIfNeeded: self.count),
                                                   count32: Int32(truncatingIfNeeded: count), depth32: Int32(truncatingIfNeeded: depth)))
        return true
    }

    /// A member's string, number or null and its entry.
    @inline(__always)
    mutating func scalar(keyStart: Int, keyEnd: Int, keyPlain: Bool, depth: Int) -> Bool {
        reserveOne()
        let me = count
        count += 1
        let start = pos
        let kind: JSONTape.Kind
        var plain = true
        if bytes[pos] == UInt8(ascii: "\"") {
            kind = .string
            guard let flags = string() else { return false }
            plain = flags & Scanner.plain != 0
            if !plain { impure &+= 1 }
        } else if bytes[pos] == UInt8(ascii: "n") {
            kind = .null
            guard word(0x6E, 0x75, 0x6C, 0x6C) else { return false }
        } else {
            kind = .number
            guard number() else { return false }
        }
        (base + me).initialize(to: JSONTape.Entry(kind: kind, plain: plain, keyPlain: keyPlain, start32: Int32(truncatingIfNeeded: start),
                                                   end32: Int32(truncatingIfNeeded: pos), keyStart32: Int32(truncatingIfNeeded: keyStart),
                                                   keyEnd32: Int32(truncatingIfNeeded: keyEnd), next32: Int32(truncatingIfNeeded: count),
                                                   count32: 0, depth32: Int32(truncatingIfNeeded: depth)))
        return true
    }

    @inline(__always)
    mutating func word(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> Bool {
        guard pos + 4 <= bytes.count, bytes[pos] == a, bytes[pos + 1] == b, bytes[pos + 2] == c, bytes[pos + 3] == d else { return false }
        pos += 4
        return true
    }

    @inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    mutating func number() -> Bool {
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < bytes.count, isDigit(bytes[pos]) else { return false }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < bytes.count, isDigit(bytes[pos]) { return false }
        } else {
            skipDigits()
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < bytes.count, isDigit(bytes[pos]) else { return false }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < bytes.count, isDigit(bytes[pos]) else { return false }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        return true
    }

    /// Moves `pos` past a run of digits, eight at a time while eight bytes can be read (epochs
    /// and ids are long runs).
    @inline(__always)
    mutating func skipDigits() {
        while pos &+ 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + pos).loadUnaligned(as: UInt64.self))
            // Per byte, a high half that is not 0 where the byte is not 0x30–0x39 (its high half
            // not 3, or its low half above 9: plus 6, it carries into the high half); the first
            // such byte ends the run.
            let stops = ((word & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030 | ((word & 0x0F0F_0F0F_0F0F_0F0F) &+ 0x0606_0606_0606_0606))
                & 0xF0F0_F0F0_F0F0_F0F0
            guard stops == 0 else {
                pos &+= stops.trailingZeroBitCount / 8
                return
            }
            pos &+= 8
        }
        while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
    }

    static let plain: UInt8 = 1, ascii: UInt8 = 2

    /// Skips a string starting at its opening quote. Nil when it is invalid; otherwise its flags:
    /// `plain` (no escape in it, nothing `JSONWriter` would escape: DEL, U+2028, U+2029) and
    /// `ascii` (no byte above 0x7F).
    @inline(__always)
    mutating func string() -> UInt8? {
        pos += 1
        // Most strings hold nothing but printable ASCII: their end is the next byte that needs a look.
        skipToSpecial()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") {
            pos += 1
            return Scanner.plain | Scanner.ascii
        }
        return stringFromSpecial()
    }

    /// The rest of a string from a byte that needs a look (`pos`), as `string()` gives it.
    @inline(never)
    mutating func stringFromSpecial() -> UInt8? {
        var plain = true
        var ascii = true
        while true {
            skipToSpecial()
            guard pos < bytes.count else { return nil }
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return (plain ? Scanner.plain : 0) | (ascii ? Scanner.ascii : 0)
            }
            if b < 0x20 { return nil }
            if b == UInt8(ascii: "\\") {
                plain = false
                pos += 1
                guard pos < bytes.count else { return nil }
                switch bytes[pos] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    pos += 1
                case UInt8(ascii: "u"):
                    // Surrogates must pair up, as the parser demands.
                    guard let unit = hex4(at: pos + 1) else { return nil }
                    pos += 5
                    if (0xD800...0xDBFF).contains(unit) {
                        guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u"),
                              let low = hex4(at: pos + 2), (0xDC00...0xDFFF).contains(low) else { return nil }
                        pos += 6
                    } else if (0xDC00...0xDFFF).contains(unit) {
                        return nil
                    }
                default:
                    return nil
                }
                continue
            }
            if b == 0x7F { plain = false; pos += 1; continue }
            ascii = false
            // A run of multi-byte characters (CJK text is mostly 3-byte sequences), validated
            // one after another without going back to the window for each.
            let base = UnsafeRawPointer(bytes.baseAddress!)
            repeat {
                // Two at a time, read as one word, while both have a lead byte E1, E3–EC or EE–EF
                // (no check of their second byte needed, and none of them U+2028 or U+2029).
                while pos &+ 8 <= bytes.count {
                    let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
                    let first = UInt8(truncatingIfNeeded: word), second = UInt8(truncatingIfNeeded: word &>> 24)
                    guard word & 0xC0C0_F0C0_C0F0 == 0x8080_E080_80E0, first != 0xE0, first != 0xED, first != 0xE2,
                          second != 0xE0, second != 0xED, second != 0xE2 else { break }
                    pos &+= 6
                }
                guard pos < bytes.count, bytes[pos] >= 0x80 else { break }
                // The common case, read as one word: a lead byte E1–EC or EE–EF (whose second
                // byte may be any continuation byte) and two continuation bytes.
                if pos &+ 4 <= bytes.count {
                    let word = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: pos, as: UInt32.self))
                    let lead = word & 0xFF
                    if word & 0x00C0_C0F0 == 0x0080_80E0, lead != 0xE0, lead != 0xED {
                        // U+2028 and U+2029 (E2 80 A8/A9) are escaped by the writer.
                        if word & 0x00FE_FFFF == 0x00A8_80E2 { plain = false }
                        pos &+= 3
                        continue
                    }
                }
                guard let w = utf8Sequence(at: pos) else { return nil }
                pos += w
            } while pos < bytes.count && bytes[pos] >= 0x80
        }
    }

    /// Moves `pos` to the next byte that needs a look inside a string (a quote, a backslash, a
    /// control byte, DEL, or a byte of a multi-byte character), or to the end. The bytes are
    /// classified 64 at a time (`cbs_string_specials64`); strings are short, so the window one
    /// string's end was found in usually holds the next few strings too.
    @inline(__always)
    mutating func skipToSpecial() {
        while true {
            let offset = pos &- windowStart
            if UInt(bitPattern: offset) < 64 {
                let rest = specials >> UInt64(offset)
                if rest != 0 {
                    pos &+= rest.trailingZeroBitCount
                    return
                }
                pos = windowStart &+ 64
            }
            guard pos < bytes.count else { return }
            classifyWindow()
        }
    }

    /// Classifies the 64 bytes from `pos` into `specials` (out of line: once every few strings).
    @inline(never)
    mutating func classifyWindow() {
        if pos &+ 64 <= bytes.count {
            specials = cbs_string_specials64(bytes.baseAddress! + pos)
        } else {
            // The last bytes, in a window padded with zeros (control bytes: they stop the
            // search at the end).
            var padded: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
            specials = withUnsafeMutableBytes(of: &padded) { window in
                window.copyMemory(from: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[pos...])))
                return cbs_string_specials64(window.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        windowStart = pos
    }

    func hex4(at p: Int) -> UInt32? {
        guard p + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for i in p..<(p + 4) {
            let b = bytes[i]
            switch b {
            case 0x30...0x39: value = value << 4 | UInt32(b - 0x30)
            case 0x41...0x46: value = value << 4 | UInt32(b - 0x41 + 10)
            case 0x61...0x66: value = value << 4 | UInt32(b - 0x61 + 10)
            default: return nil
            }
        }
        return value
    }

    /// The length of the well-formed UTF-8 sequence at `p` (Unicode table 3-7), or nil.
    func utf8Sequence(at p: Int) -> Int? {
        let b0 = bytes[p]
        func cont(_ i: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            i < bytes.count && bytes[i] >= low && bytes[i] <= high
        }
        switch b0 {
        case 0xC2...0xDF: return cont(p + 1) ? 2 : nil
        case 0xE0: return cont(p + 1, 0xA0) && cont(p + 2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return cont(p + 1) && cont(p + 2) ? 3 : nil
        case 0xED: return cont(p + 1, 0x80, 0x9F) && cont(p + 2) ? 3 : nil
        case 0xF0: return cont(p + 1, 0x90) && cont(p + 2) && cont(p + 3) ? 4 : nil
        case 0xF1...0xF3: return cont(p + 1) && cont(p + 2) && cont(p + 3) ? 4 : nil
        case 0xF4: return cont(p + 1, 0x80, 0x8F) && cont(p + 2) && cont(p + 3) ? 4 : nil
        default: return nil
        }
    }
}
