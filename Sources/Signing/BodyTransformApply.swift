import Adapters
import JSONText

extension BodyTransform {
    /// The body as the sender may have signed it; nil when the transform does not apply (not JSON,
    /// no final newline to strip).
    public func apply(to body: String) -> String? {
        switch self {
        case .stripNewline: return body.hasSuffix("\n") ? String(body.dropLast()) : nil
        case .addNewline: return body + "\n"
        case .empty: return ""
        default: break
        }
        guard let value = try? JSONParser.parse(body) else { return nil }
        switch self {
        case .minify: return JSONWriter.compact(value)
        case .pretty: return JSONWriter.pretty(value)
        case .sortKeys: return JSONWriter.compact(BodyTransform.sorted(value))
        case .escapeUnicode: return BodyTransform.escapeNonASCII(JSONWriter.compact(value))
        default: return nil
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
