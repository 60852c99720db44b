import FoundationEssentials

/// Session variables for `$name` expansion; secret ones are masked and kept out of history.
public struct Variables {
    public struct Entry: Equatable {
        public var value: String
        public var secret: Bool
    }

    public private(set) var entries: [String: Entry] = [:]

    public init() {}

    public subscript(name: String) -> String? { entries[name]?.value }

    public mutating func set(_ name: String, _ value: String, secret: Bool = false) {
        entries[name] = Entry(value: value, secret: secret)
    }

    @discardableResult
    public mutating func unset(_ name: String) -> Bool { entries.removeValue(forKey: name) != nil }

    public var names: [String] { entries.keys.sorted() }
}

/// Replaces every occurrence of a secret value in `text` with `****`.
public func maskSecrets(_ text: String, secrets: Set<String>) -> String {
    var out = text
    for secret in secrets.sorted(by: { $0.count > $1.count }) where secret.count >= 3 {
        out = out.replacing(secret, with: "****")
    }
    return out
}
