/// Recognises text that is a message rather than words: a raw HTTP request or response, a curl
/// command, or a JSON value — what users paste after a command word or at a bare prompt.
public enum PastedMessage {
    static let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]

    /// A raw HTTP start line (`POST /path HTTP/1.1`, `HTTP/1.1 200 OK`) or a curl command.
    public static func isRawMessage(_ text: String) -> Bool {
        let first = text.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }.prefix { $0 != "\n" && $0 != "\r" }
        if first.hasPrefix("curl ") || first == "curl" { return true }
        if first.hasPrefix("HTTP/1.") || first.hasPrefix("HTTP/2") {
            return first.split(separator: " ").dropFirst().first.map { $0.count == 3 && $0.allSatisfy(\.isNumber) } ?? false
        }
        let words = first.split(separator: " ", omittingEmptySubsequences: true)
        return words.count == 3 && methods.contains(String(words[0])) && words[2].hasPrefix("HTTP/")
    }

    /// A payload: a raw message, or text that opens a JSON object or array.
    public static func isPayload(_ text: String) -> Bool {
        let start = text.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }.first
        return start == "{" || start == "[" || isRawMessage(text)
    }

    /// Whether a pasted capture carries a credential in a header (an STS token, a session
    /// cookie, an Authorization value): such an input stays out of the history file. Header
    /// lines (`Name: value`) and curl's `-H 'Name: value'` are both looked at.
    public static func carriesCredentialHeader(_ text: String) -> Bool {
        let sensitive = ["token", "secret", "password", "authorization", "cookie", "api-key", "apikey"]
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var candidate = Substring(line)
            if let h = candidate.firstRange(of: "-H ") ?? candidate.firstRange(of: "--header ") { candidate = candidate[h.upperBound...] }
            candidate = candidate.drop { $0 == " " || $0 == "'" || $0 == "\"" }
            guard let colon = candidate.firstIndex(of: ":") else { continue }
            let name = candidate[..<colon].lowercased()
            guard !name.contains(" "), !name.isEmpty else { continue }
            if sensitive.contains(where: { name.contains($0) }) { return true }
        }
        return false
    }
}
