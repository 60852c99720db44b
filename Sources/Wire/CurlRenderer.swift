/// A curl command that sends a request value exactly: method, URL, headers in order, body bytes.
public enum CurlRenderer {
    public static func command(for request: HTTPMessage) -> String {
        var parts = ["curl", "-X", request.method ?? "POST", quote(request.target ?? "/")]
        for header in request.headers where header.name.lowercased() != "host" {
            parts += ["-H", quote("\(header.name): \(header.value)")]
        }
        if !request.body.isEmpty { parts += ["--data-binary", quote(String(decoding: request.body, as: UTF8.self))] }
        return parts.joined(separator: " ")
    }

    /// Single-quoted for a POSIX shell.
    public static func quote(_ s: String) -> String { "'" + s.replacing("'", with: "'\\''") + "'" }
}
