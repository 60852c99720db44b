/// A change a sender may have made to a JSON body before signing it. The one list of them: plugin
/// pitfalls name these, the diagnosis tries them, and `Signing` applies them.
public enum BodyTransform: String, Sendable, CaseIterable {
    case minify
    case pretty
    case sortKeys = "sort-keys"
    case escapeUnicode = "escape-unicode"
    case stripNewline = "strip-newline"
    case addNewline = "add-newline"
    case empty

    /// What the sender did, in words.
    public var explanation: String {
        switch self {
        case .minify: return "the sender signed the body minified but sent it with whitespace (or re-serialised it)"
        case .pretty: return "the sender signed the body pretty-printed but sent it minified"
        case .sortKeys: return "the sender signed the body with its keys sorted (a re-serialising JSON library)"
        case .escapeUnicode: return "the sender signed the body with non-ASCII characters as \\u escapes (e.g. Python's json.dumps default)"
        case .stripNewline: return "the sender signed the body without the final newline it sent"
        case .addNewline: return "the sender signed the body with a final newline it did not send"
        case .empty: return "the sender signed an empty body"
        }
    }

    /// The transforms the diagnosis tries on every mismatch (an empty body only as a plugin's pitfall).
    public static let usual: [BodyTransform] = [.minify, .pretty, .sortKeys, .escapeUnicode, .stripNewline, .addNewline]
}
