/// "+08:00" / "-05:30" / "Z" as minutes east of UTC.
public enum TimeZoneOffset {
    public static func minutes(_ text: String) -> Int? {
        if text == "Z" || text == "UTC" { return 0 }
        let s = Array(text.prefix(6))
        guard s.count == 6, s[0] == "+" || s[0] == "-", s[3] == ":",
              let h = Int(String(s[1...2])), let m = Int(String(s[4...5])), h <= 14, m < 60 else { return nil }
        return (h * 60 + m) * (s[0] == "-" ? -1 : 1)
    }
}
