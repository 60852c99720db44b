extension Array where Element == String {
    /// `joined(separator:)` through concrete `String` appends. The standard library's version is
    /// generic, and its first call in a process looks up the collection's associated types: a scan
    /// of every protocol conformance in the binary, about 0.3 M instructions, which the one-shot
    /// commands (`help`, `explain`) paid for their first table.
    public func joining(_ separator: String = "") -> String {
        var out = ""
        out.reserveCapacity(reduce(separator.utf8.count * Swift.max(0, count - 1)) { $0 + $1.utf8.count })
        for (i, part) in enumerated() {
            if i > 0 { out += separator }
            out += part
        }
        return out
    }
}
