/// Which bytes of a text belong to a secret, so hex dumps and comparisons can hide them while
/// keeping every other byte where it was.
enum SecretBytes {
    static func hidden(in bytes: [UInt8], secrets: [String]) -> [Bool] {
        var hidden = [Bool](repeating: false, count: bytes.count)
        for secret in secrets where !secret.isEmpty {
            let needle = Array(secret.utf8)
            var i = 0
            while i + needle.count <= bytes.count {
                if bytes[i..<i + needle.count].elementsEqual(needle) {
                    for j in i..<i + needle.count { hidden[j] = true }
                    i += needle.count
                } else {
                    i += 1
                }
            }
        }
        return hidden
    }
}
