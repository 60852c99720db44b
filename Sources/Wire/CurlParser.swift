import Glibc
/// Reads a pasted `curl …` command (as browsers' "copy as cURL" and API docs write them) into the
/// request it would send. Quoting follows POSIX shell rules; `$'…'` strings are understood.
public enum CurlParser {
    public static func looksLikeCurl(_ text: String) -> Bool {
        text.drop { $0 == " " || $0 == "\n" || $0 == "\t" }.hasPrefix("curl ")
    }

    public static func parse(_ text: String) throws(WireError) -> HTTPMessage {
        let words = try shellWords(text)
        guard words.first == "curl" else { throw WireError(message: "not a curl command", line: nil) }
        var message = HTTPMessage(kind: .request)
        var bodies: [String] = []
        var i = 1
        func next(_ flag: String) throws(WireError) -> String {
            guard i + 1 < words.count else { throw WireError(message: "\(flag) needs a value", line: nil) }
            i += 1
            return words[i]
        }
        while i < words.count {
            let w = words[i]
            switch w {
            case "-X", "--request": message.method = try next(w)
            case "-H", "--header":
                let h = try next(w)
                guard let colon = h.firstIndex(of: ":") else { throw WireError(message: "header '\(h)' has no ':'", line: nil) }
                message.headers.append((String(h[..<colon]).trimmingSpaces(), String(h[h.index(after: colon)...]).trimmingSpaces()))
            case "--data-raw": bodies.append(try next(w))
            case "-d", "--data", "--data-binary", "--data-ascii":
                // As curl does: @file reads the file (relative to the working directory).
                let value = try next(w)
                bodies.append(value.hasPrefix("@") ? try CurlParser.fileBody(String(value.dropFirst())) : value)
            case "--json":
                bodies.append(try next(w))
                message.headers.append(("Content-Type", "application/json"))
            case "--url": message.target = try next(w)
            case "-u", "--user", "-A", "--user-agent", "-e", "--referer", "-o", "--output", "-b", "--cookie",
                 "--connect-timeout", "-m", "--max-time", "--retry", "-w", "--write-out":
                _ = try next(w)
            default:
                if !w.hasPrefix("-") { message.target = w }
            }
            i += 1
        }
        guard message.target != nil else { throw WireError(message: "the curl command has no URL", line: nil) }
        if !bodies.isEmpty { message.body = Array(bodies.joined(separator: "&").utf8) }
        if message.method == nil { message.method = bodies.isEmpty ? "GET" : "POST" }
        return message
    }

    /// Splits a shell command line into words (quotes removed; backslash-newline joins lines).
    static func shellWords(_ text: String) throws(WireError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        let s = Array(text)
        var i = 0
        while i < s.count {
            let c = s[i]
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(current); current = ""; inWord = false }
            case "\\":
                if i + 1 < s.count {
                    if s[i + 1] != "\n" && s[i + 1] != "\r" { current.append(s[i + 1]); inWord = true }
                    i += 1
                    if s[i] == "\r", i + 1 < s.count, s[i + 1] == "\n" { i += 1 }
                }
            case "'":
                inWord = true
                i += 1
                while i < s.count, s[i] != "'" { current.append(s[i]); i += 1 }
                guard i < s.count else { throw WireError(message: "unterminated single quote in the curl command", line: nil) }
            case "$" where i + 1 < s.count && s[i + 1] == "'":
                inWord = true
                i += 2
                while i < s.count, s[i] != "'" {
                    if s[i] == "\\", i + 1 < s.count {
                        i += 1
                        switch s[i] {
                        case "n": current.append("\n")
                        case "t": current.append("\t")
                        case "r": current.append("\r")
                        default: current.append(s[i])
                        }
                    } else {
                        current.append(s[i])
                    }
                    i += 1
                }
                guard i < s.count else { throw WireError(message: "unterminated $'…' string in the curl command", line: nil) }
            case "\"":
                inWord = true
                i += 1
                while i < s.count, s[i] != "\"" {
                    if s[i] == "\\", i + 1 < s.count, "\"\\$`".contains(s[i + 1]) { i += 1 }
                    current.append(s[i])
                    i += 1
                }
                guard i < s.count else { throw WireError(message: "unterminated double quote in the curl command", line: nil) }
            default:
                current.append(c)
                inWord = true
            }
            i += 1
        }
        if inWord { words.append(current) }
        return words
    }

    /// A `-d @file` body: the file's bytes (as UTF-8 text), or an error naming the file.
    static func fileBody(_ path: String) throws(WireError) -> String {
        guard let fd = Optional(open(path, O_RDONLY | O_CLOEXEC)), fd >= 0 else {
            throw WireError(message: "curl -d @\(path): cannot read \(path)", line: nil)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while out.count <= 64 << 20 {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { out += buffer[0..<n] } else if n < 0, errno == EINTR { continue } else { break }
        }
        guard out.count <= 64 << 20 else { throw WireError(message: "curl -d @\(path): larger than 64 MiB", line: nil) }
        return String(decoding: out, as: UTF8.self)
    }
}
