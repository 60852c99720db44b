/// Parses a raw HTTP/1.x request or response as pasted: CRLF or LF line ends, the body taken
/// byte for byte after the blank line (or none).
public enum HTTPParser {
    static let methods: Set<String> = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]

    /// Whether `bytes` start like an HTTP request or response line.
    public static func looksLikeHTTP(_ bytes: [UInt8]) -> Bool {
        let head = String(decoding: bytes.prefix(64), as: UTF8.self)
        if head.hasPrefix("HTTP/") { return true }
        guard let space = head.firstIndex(of: " ") else { return false }
        return methods.contains(String(head[..<space]))
    }

    public static func parse(_ bytes: [UInt8]) throws(WireError) -> HTTPMessage {
        var lines: [(text: String, end: Int)] = []
        var start = 0
        var i = 0
        var bodyStart = bytes.count
        while i < bytes.count {
            if bytes[i] == 0x0A {
                var end = i
                if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                let text = String(decoding: bytes[start..<end], as: UTF8.self)
                if text.isEmpty, !lines.isEmpty {
                    bodyStart = i + 1
                    break
                }
                lines.append((text, i + 1))
                start = i + 1
            }
            i += 1
        }
        if i >= bytes.count, start < bytes.count, bodyStart == bytes.count {
            // No blank line: the last line is a header line (or the start line).
            var end = bytes.count
            if bytes[end - 1] == 0x0D { end -= 1 }
            lines.append((String(decoding: bytes[start..<end], as: UTF8.self), bytes.count))
        }
        guard let first = lines.first?.text else { throw WireError(message: "empty input: expected an HTTP start line", line: 1) }
        let parts = first.split(separator: " ", maxSplits: 2).map(String.init)
        var message: HTTPMessage
        if first.hasPrefix("HTTP/") {
            guard parts.count >= 2, let status = Int(parts[1]) else {
                throw WireError(message: "bad status line '\(first)': expected 'HTTP/1.1 200 OK'", line: 1)
            }
            message = HTTPMessage(kind: .response, status: status)
        } else {
            guard parts.count >= 2, methods.contains(parts[0]) else {
                throw WireError(message: "bad request line '\(first)': expected 'METHOD /path HTTP/1.1'", line: 1)
            }
            message = HTTPMessage(kind: .request, method: parts[0], target: parts[1])
        }
        for (n, line) in lines.dropFirst().enumerated() {
            guard let colon = line.text.firstIndex(of: ":") else {
                throw WireError(message: "header line without ':' — '\(line.text)' (is a blank line missing before the body?)", line: n + 2)
            }
            let name = String(line.text[..<colon]).trimmingSpaces()
            let value = String(line.text[line.text.index(after: colon)...]).trimmingSpaces()
            message.headers.append((name, value))
        }
        message.body = bodyStart < bytes.count ? Array(bytes[bodyStart...]) : []
        // The sender's Content-Length says which bytes were sent: a copy often adds a newline.
        if let text = message.header("Content-Length"), let length = Int(text.trimmingSpaces()), length >= 0 {
            if message.body.count > length {
                let extra = message.body.count - length
                message.notes.append("the body is \(extra) byte\(extra == 1 ? "" : "s") longer than its Content-Length (\(length)): the first \(length) bytes are used (a copy added \(extra == 1 && message.body.last == 0x0A ? "a newline" : "bytes"))")
                message.body = Array(message.body.prefix(length))
            } else if message.body.count < length {
                message.notes.append("the body is \(length - message.body.count) bytes shorter than its Content-Length (\(length)): it looks cut off")
            }
        }
        return message
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
