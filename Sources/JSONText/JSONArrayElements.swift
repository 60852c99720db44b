/// The elements of a top-level JSON array, found by a scan of the bytes that builds no values, so
/// a large list of records can be read one record at a time.
public enum JSONArrayElements {
    /// The byte ranges of the elements, or nil when `bytes` is not one array whose brackets and
    /// strings close (then the whole text goes through the parser, which says what is wrong).
    public static func ranges(_ bytes: [UInt8]) -> [Range<Int>]? {
        var i = 0
        func skipBlanks() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 } }
        skipBlanks()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        var ranges: [Range<Int>] = []
        var depth = 0
        var start: Int?
        var inString = false
        while i < bytes.count {
            let c = bytes[i]
            if inString {
                if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { inString = false }
            } else {
                switch c {
                case UInt8(ascii: "\""):
                    inString = true
                    if start == nil { start = i }
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    if start == nil { start = i }
                case UInt8(ascii: "}"), UInt8(ascii: "]") where depth > 0:
                    depth -= 1
                case UInt8(ascii: "]"):
                    // The array's own end.
                    if let s = start { ranges.append(s..<trimmedEnd(bytes, s, i)) }
                    i += 1
                    skipBlanks()
                    return i == bytes.count ? ranges : nil
                case UInt8(ascii: ",") where depth == 0:
                    guard let s = start else { return nil }
                    ranges.append(s..<trimmedEnd(bytes, s, i))
                    start = nil
                case 0x20, 0x0A, 0x0D, 0x09:
                    break
                default:
                    if start == nil { start = i }
                }
            }
            i += 1
        }
        return nil
    }

    private static func trimmedEnd(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int {
        var e = end
        while e > start, bytes[e - 1] == 0x20 || bytes[e - 1] == 0x0A || bytes[e - 1] == 0x0D || bytes[e - 1] == 0x09 { e -= 1 }
        return e
    }
}
