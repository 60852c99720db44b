extension StringProtocol {
    /// Without leading and trailing blanks (spaces, tabs, line feeds, carriage returns — so a
    /// trailing "\r\n" too). Scans bytes: no `Character` is formed.
    public func trimmingBlanks() -> String {
        let bytes = Substring(self).utf8
        func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
