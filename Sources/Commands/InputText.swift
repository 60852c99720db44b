import FoundationEssentials
import Glibc
import Shell

/// Text a command works on: a body pasted or typed after the words, `@file`, `-` for stdin, or a word.
struct InputText {
    var bytes: [UInt8]
    /// Where it came from, for messages ("fixtures/a.json", "stdin", "the command line").
    var origin: String

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The raw body if there is one, else the word (`@path`, `-`, or literal text); nil if neither.
    static func read(word: String?, rawBody: String?) throws(CommandError) -> InputText? {
        if let rawBody { return InputText(bytes: Array(rawBody.utf8), origin: "the input") }
        guard let word else { return nil }
        if word == "-" {
            noticeIfTerminal()
            return try capped(readAll(fd: 0, limit: maxDocument + 1), origin: "stdin")
        }
        if word.hasPrefix("@") {
            let path = String(word.dropFirst())
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw CommandError(.dataError, "cannot read \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            return try capped(readAll(fd: fd, limit: maxDocument + 1), origin: path)
        }
        return InputText(bytes: Array(word.utf8), origin: "the command line")
    }

    /// Says why the shell went quiet when a command waits for stdin at a terminal.
    static func noticeIfTerminal() {
        if isatty(0) != 0 { _ = "reading from stdin; Ctrl-D ends\n".withCString { write(2, $0, strlen($0)) } }
    }

    /// The largest single document read whole (an endless input such as /dev/zero stops here).
    static let maxDocument = 256 << 20

    static func capped(_ bytes: [UInt8], origin: String) throws(CommandError) -> InputText {
        guard bytes.count <= maxDocument else {
            throw CommandError(.dataError, "\(origin) is larger than \(maxDocument >> 20) MiB: too large for one document",
                               hint: "a stream of records goes one a line (NDJSON), which is read in constant memory")
        }
        return InputText(bytes: bytes, origin: origin)
    }

    /// Everything left on `fd`, or at most `limit` bytes.
    static func readAll(fd: Int32, limit: Int = .max) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while out.count < limit {
            let n = Glibc.read(fd, &buffer, min(buffer.count, limit - out.count))
            if n > 0 { out += buffer[0..<n] } else if n < 0, errno == EINTR { continue } else { break }
        }
        return out
    }
}

extension CommandContext {
    /// A whole-number flag within `range`; nil when absent.
    func integer(_ flag: String, in range: ClosedRange<Int>) throws(CommandError) -> Int? {
        guard let text = arguments.value(flag) else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw CommandError.usage("--\(flag) takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return n
    }
}
