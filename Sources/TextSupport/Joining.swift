extension Array where Element == String {
    /// `joined(separator:)`, written as UTF-8 bytes straight into the new string. The standard
    /// library's version is generic, and its first call in a process looks up the collection's
    /// associated types: a scan of every protocol conformance in the binary, about 0.3 M
    /// instructions, which the one-shot commands (`help`, `explain`) paid for their first table.
    /// `String.append` checks the seam of each part for a grapheme that spans it: ~340
    /// instructions an append, 3,900 to join a delivery's five-part summary line.
    public func joining(_ separator: String = "") -> String {
        var separator = separator
        let total = reduce(separator.utf8.count * Swift.max(0, count - 1)) { $0 + $1.utf8.count }
        guard total > 0 else { return "" }
        return separator.withUTF8 { between in
            String(unsafeUninitializedCapacity: total) { buffer in
                var at = 0
                for i in indices {
                    if i > 0 {
                        _ = UnsafeMutableBufferPointer(rebasing: buffer[at...]).initialize(fromContentsOf: between)
                        at += between.count
                    }
                    var part = self[i]
                    part.withUTF8 { bytes in
                        _ = UnsafeMutableBufferPointer(rebasing: buffer[at...]).initialize(fromContentsOf: bytes)
                        at += bytes.count
                    }
                }
                return at
            }
        }
    }
}
