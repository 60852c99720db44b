/// Display width of text in a terminal cell grid: East Asian wide characters take two cells,
/// combining marks and zero-width characters none.
public enum TextWidth {
    public static func of(_ text: String) -> Int {
        var width = 0
        for scalar in text.unicodeScalars { width += of(scalar) }
        return width
    }

    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        // Printable ASCII, the common case, needs no Unicode property lookup.
        if v >= 0x20 && v < 0x7F { return 1 }
        if v == 0 || v == 0x200B || v == 0x200D || v == 0xFEFF { return 0 }
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return 0
        default: break
        }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v)
            || (0x20000...0x3FFFD).contains(v) {
            return 2
        }
        return 1
    }

    /// `text` padded with spaces on the right to `width` cells.
    public static func pad(_ text: String, to width: Int) -> String {
        let w = of(text)
        return w >= width ? text : text + String(repeating: " ", count: width - w)
    }

    /// `text` in lines of at most `width` cells, broken after a space where there is one in the
    /// line, else inside a word. Never empty.
    public static func wrap(_ text: String, to width: Int) -> [String] {
        guard width > 0, of(text) > width else { return [text] }
        var lines: [String] = []
        var line = ""
        var used = 0
        var lastSpace: String.Index?
        for ch in text {
            let w = of(String(ch))
            if used + w > width, !line.isEmpty {
                if let space = lastSpace, space < line.endIndex {
                    let rest = String(line[line.index(after: space)...])
                    lines.append(String(line[...space]).trimmingSpaces())
                    line = rest
                } else {
                    lines.append(line)
                    line = ""
                }
                used = of(line)
                lastSpace = nil
            }
            if ch == " " { lastSpace = line.endIndex }
            line.append(ch)
            used += w
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// `text` cut to at most `width` cells, ending in "…" when cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard of(text) > width, width > 0 else { return text }
        var out = ""
        var used = 0
        for ch in text {
            let w = of(String(ch))
            if used + w > width - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
