/// "+08:00" / "-05:30" / "Z" as minutes east of UTC.
public enum TimeZoneOffset {
    /// Read as bytes: a schema's zones are read for every field that has one, whenever a payload
    /// is compiled. Hours and minutes are two digits each.
    public static func minutes(_ text: String) -> Int? {
        if text == "Z" || text == "UTC" { return 0 }
        let s = text.utf8
        guard s.count >= 6 else { return nil }
        let b = Array(s.prefix(6))
        func digit(_ i: Int) -> Int? { b[i] >= 0x30 && b[i] <= 0x39 ? Int(b[i] - 0x30) : nil }
        // Anything after the six is ignored, unless it combines with the sixth into one character.
        guard b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-"), b[3] == UInt8(ascii: ":"),
              let h1 = digit(1), let h2 = digit(2), let m1 = digit(4), let m2 = digit(5),
              s.count == 6 || text.prefix(6).utf8.count == 6 else { return nil }
        let h = h1 * 10 + h2, m = m1 * 10 + m2
        guard h <= 14, m < 60 else { return nil }
        return (h * 60 + m) * (b[0] == UInt8(ascii: "-") ? -1 : 1)
    }
}
