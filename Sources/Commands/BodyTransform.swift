import JSONText

/// Re-serialisations a sender may have applied to a JSON body before signing it.
enum BodyTransform {
    static func apply(_ name: String, to body: String) -> String? {
        switch name {
        case "strip-newline": return body.hasSuffix("\n") ? String(body.dropLast()) : nil
        case "add-newline": return body + "\n"
        case "empty": return ""
        default: break
        }
        guard let value = try? JSONParser.parse(body) else { return nil }
        switch name {
        case "minify": return JSONWriter.compact(value)
        case "pretty": return JSONWriter.pretty(value)
        case "sort-keys": return JSONWriter.compact(sorted(value))
        case "escape-unicode": return escapeNonASCII(JSONWriter.compact(value))
        default: return nil
        }
    }

    static func explanation(_ name: String) -> String {
        switch name {
        case "minify": return "the sender signed the body minified but sent it with whitespace (or re-serialised it)"
        case "pretty": return "the sender signed the body pretty-printed but sent it minified"
        case "sort-keys": return "the sender signed the body with its keys sorted (a re-serialising JSON library)"
        case "escape-unicode": return "the sender signed the body with non-ASCII characters as \\u escapes (e.g. Python's json.dumps default)"
        case "strip-newline": return "the sender signed the body without the final newline it sent"
        case "add-newline": return "the sender signed the body with a final newline it did not send"
        default: return "the sender signed an empty body"
        }
    }

    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): return .object(members.sorted { $0.key < $1.key }.map { JSONMember($0.key, sorted($0.value)) })
        case .array(let items): return .array(items.map(sorted))
        default: return value
        }
    }

    static func escapeNonASCII(_ text: String) -> String {
        var out = ""
        for unit in text.utf16 {
            if unit < 0x80 { out.unicodeScalars.append(Unicode.Scalar(unit)!) } else {
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out
    }
}
