import FoundationEssentials
import Glibc

/// Reads lines from a file descriptor with no prompt and no editing (pipes and `-f FILE`).
public final class PlainReader: LineReader {
    private let file: UnsafeMutablePointer<FILE>
    private var lineBuffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    /// 1-based number of the last line read, for error positions in scripts.
    public private(set) var lineNumber = 0

    public init?(fd: Int32) {
        guard let file = fdopen(fd, "r") else { return nil }
        self.file = file
    }

    public init?(path: String) {
        guard let file = fopen(path, "r") else { return nil }
        self.file = file
    }

    deinit {
        free(lineBuffer)
        fclose(file)
    }

    public func readLine(prompt: String) -> ReadResult {
        let n = getline(&lineBuffer, &capacity, file)
        guard n >= 0, let lineBuffer else { return .eof }
        lineNumber += 1
        var bytes = UnsafeBufferPointer(start: UnsafeRawPointer(lineBuffer).assumingMemoryBound(to: UInt8.self), count: n)[...]
        if bytes.last == 0x0A { bytes = bytes.dropLast() }
        if bytes.last == 0x0D { bytes = bytes.dropLast() }
        return .line(String(decoding: bytes, as: UTF8.self))
    }
}
