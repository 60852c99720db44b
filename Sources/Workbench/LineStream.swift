import Glibc

/// Reads a file descriptor in large blocks and hands out complete lines (without the newline),
/// so arbitrarily large inputs stream in constant memory.
public final class LineStream {
    private let fd: Int32
    /// Storage read into (`malloc`'s, grown by `realloc`); bytes `start..<end` are read and not
    /// yet handed out. Not an array: lending an array's bytes out retains and releases it, for
    /// every line.
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var eof = false
    public private(set) var bytesRead = 0
    public private(set) var lineNumber = 0
    private let blockSize = 1 << 20
    /// Where the search for the next newline resumes (bytes before it hold none).
    private var searched = 0
    /// The longest line kept; a longer one (an endless stream without newlines) ends the stream.
    public static let maxLine = 64 << 20
    /// Set when a line was longer than `maxLine` (the stream stops there).
    public private(set) var overlong = false

    public init(fd: Int32, prefix: [UInt8] = []) {
        self.fd = fd
        capacity = prefix.count + blockSize
        guard let memory = malloc(capacity) else { fatalError("out of memory (\(capacity) bytes for reading)") }
        buffer = memory.assumingMemoryBound(to: UInt8.self)
        prefix.withUnsafeBufferPointer { if let from = $0.baseAddress { buffer.update(from: from, count: $0.count) } }
        end = prefix.count
        bytesRead = prefix.count
    }

    deinit {
        free(buffer)
        if fd > 2 { close(fd) }
    }

    /// The next line (a copy), or nil at the end. A final line without a newline is returned too.
    public func next() -> [UInt8]? {
        withNextLine { Array($0) }
    }

    /// `body` with the next line's bytes (valid only inside it), or nil at the end.
    public func withNextLine<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        guard let range = nextRange() else { return nil }
        return body(UnsafeBufferPointer(start: buffer + range.lowerBound, count: range.count))
    }

    /// Where the next line is in the storage.
    private func nextRange() -> Range<Int>? {
        while true {
            // memchr from where the last search stopped: a line longer than a block is not
            // searched again from its start after every read.
            let from = max(start, searched)
            var found: Int?
            if from < end, let hit = memchr(buffer + from, 0x0A, end - from) { found = UnsafeRawPointer(hit) - UnsafeRawPointer(buffer) }
            if let nl = found {
                var end = nl
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = start..<end
                start = nl + 1
                searched = start
                lineNumber += 1
                return line
            }
            searched = end
            if end - start > LineStream.maxLine {
                overlong = true
                eof = true
                start = end
                return nil
            }
            if eof {
                guard start < end else { return nil }
                let line = start..<end
                start = end
                lineNumber += 1
                return line
            }
            fill()
        }
    }

    /// Reads the next block straight into the storage, after the line begun (moved to the front).
    private func fill() {
        if start > 0 {
            let kept = end - start
            if kept > 0 { memmove(buffer, buffer + start, kept) }
            searched -= start
            end = kept
            start = 0
        }
        // A line longer than the storage grows it.
        if capacity < end + blockSize {
            capacity = max(end + blockSize, capacity * 2)
            guard let moved = realloc(buffer, capacity) else { fatalError("out of memory (\(capacity) bytes for reading)") }
            buffer = moved.assumingMemoryBound(to: UInt8.self)
        }
        let n = Glibc.read(fd, buffer + end, blockSize)
        if n > 0 {
            end += n
            bytesRead += n
        } else if n < 0, errno == EINTR {
            return
        } else {
            eof = true
        }
    }
}
