import Glibc

/// A buffered writer on a file descriptor; `flush` after each command keeps output ordered
/// with stderr while large outputs are written in big blocks.
public final class OutputWriter: @unchecked Sendable {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let lock = Lock()
    private let threshold = 1 << 16

    public init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(threshold)
    }

    public func write(_ text: String) {
        lock.lock()
        buffer.append(contentsOf: text.utf8)
        let full = buffer.count >= threshold
        lock.unlock()
        if full { flush() }
    }

    public func write(buffer bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count >= threshold {
            // Large blocks go straight out, without another copy.
            flush()
            lock.lock()
            writeAll(fd, buffer: bytes)
            lock.unlock()
            return
        }
        lock.lock()
        buffer.append(contentsOf: bytes)
        let full = buffer.count >= threshold
        lock.unlock()
        if full { flush() }
    }

    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        writeAll(fd, bytes: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
