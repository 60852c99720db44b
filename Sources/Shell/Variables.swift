import FoundationEssentials
import JSONText

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

/// Replaces each occurrence of a secret value in `text` with `****` — as a value, never inside a
/// longer word: a secret `b` leaves `bizType` alone, a secret `1` the digits of a timestamp.
public func maskSecrets(_ text: String, secrets: Set<String>) -> String {
    SecretMasker(secrets: secrets).mask(text)
}

/// The one masking pass every output mode goes through (human text and JSON strings alike).
public struct SecretMasker: Sendable {
    public static let mask = "****"
    /// Longest first, so a secret containing another is masked whole.
    private let secrets: [[UInt8]]

    public init(secrets: Set<String>) {
        self.secrets = secrets.filter { !$0.isEmpty }.sorted { $0.utf8.count > $1.utf8.count || ($0.utf8.count == $1.utf8.count && $0 < $1) }.map { Array($0.utf8) }
    }

    /// Whether `text` holds a secret as a value.
    public func matches(_ text: String) -> Bool { mask(text) != text }

    public func mask(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var bytes = Array(text.utf8)
        var changed = false
        for secret in secrets {
            var out: [UInt8] = []
            var i = 0
            var replaced = false
            while i < bytes.count {
                if bytes[i] == secret[0], i + secret.count <= bytes.count, bytes[i..<i + secret.count].elementsEqual(secret),
                   !(SecretMasker.isWord(secret[0]) && i > 0 && SecretMasker.isWord(bytes[i - 1])),
                   !(SecretMasker.isWord(secret[secret.count - 1]) && i + secret.count < bytes.count && SecretMasker.isWord(bytes[i + secret.count])) {
                    out += Array(SecretMasker.mask.utf8)
                    i += secret.count
                    replaced = true
                } else {
                    out.append(bytes[i])
                    i += 1
                }
            }
            if replaced { bytes = out; changed = true }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    /// Masks every string in a JSON value (keys stay: they are names, not values).
    public func mask(_ value: JSONValue) -> JSONValue {
        guard !secrets.isEmpty else { return value }
        switch value {
        case .string(let s): return .string(mask(s))
        case .array(let items): return .array(items.map { mask($0) })
        case .object(let members): return .object(members.map { JSONMember($0.key, mask($0.value)) })
        default: return value
        }
    }

    /// A letter or digit (ASCII, or any byte of a multi-byte character): where a secret's edge is
    /// one, the byte beside the match must not be, or the match is part of a longer word.
    static func isWord(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b >= 0x80
    }
}
