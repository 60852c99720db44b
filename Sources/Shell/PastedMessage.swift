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
}
