import Glibc

/// Reads a file descriptor in large blocks and hands out complete lines (without the newline),
/// so arbitrarily large inputs stream in constant memory.
public final class LineStream {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    public private(set) var bytesRead = 0
    public private(set) var lineNumber = 0
    private let blockSize = 1 << 20
    /// Where the search for the next newline resumes (bytes before it hold none).
    private var searched = 0
    /// The block read into, allocated once.
    private var chunk: [UInt8] = []
    /// The longest line kept; a longer one (an endless stream without newlines) ends the stream.
    public static let maxLine = 64 << 20
    /// Set when a line was longer than `maxLine` (the stream stops there).
    public private(set) var overlong = false

    public init(fd: Int32, prefix: [UInt8] = []) {
        self.fd = fd
        buffer = prefix
        bytesRead = prefix.count
    }

    deinit { if fd > 2 { close(fd) } }

    /// The next line, or nil at the end. A final line without a newline is returned too.
    public func next() -> ArraySlice<UInt8>? {
        while true {
            // memchr from where the last search stopped: a line longer than a block is not
            // searched again from its start after every read.
            let from = max(start, searched)
            let found: Int? = buffer.withUnsafeBufferPointer { all in
                guard from < all.count, let hit = memchr(all.baseAddress! + from, 0x0A, all.count - from) else { return nil }
                return UnsafeRawPointer(hit) - UnsafeRawPointer(all.baseAddress!)
            }
            if let nl = found {
                var end = nl
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = buffer[start..<end]
                start = nl + 1
                searched = start
                lineNumber += 1
                return line
            }
            searched = buffer.count
            if buffer.count - start > LineStream.maxLine {
                overlong = true
                eof = true
                start = buffer.count
                return nil
            }
            if eof {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                lineNumber += 1
                return line
            }
            fill()
        }
    }

    private func fill() {
        if start > 0 {
            buffer.removeFirst(start)
            searched -= start
            start = 0
        }
        buffer.reserveCapacity(buffer.count + blockSize)
        if chunk.isEmpty { chunk = [UInt8](repeating: 0, count: blockSize) }
        let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, blockSize) }
        if n > 0 {
            buffer.append(contentsOf: chunk[0..<n])
            bytesRead += n
        } else if n < 0, errno == EINTR {
            return
        } else {
            eof = true
        }
    }
}
