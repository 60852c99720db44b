import Glibc

/// A plain mutex (FoundationEssentials has no NSLock).
final class Lock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    func lock() { pthread_mutex_lock(&mutex) }
    func unlock() { pthread_mutex_unlock(&mutex) }
}

/// Writes all of `text` to `fd`, retrying short writes and EINTR.
public func writeAll(_ fd: Int32, _ text: String) { writeAll(fd, bytes: Array(text.utf8)) }

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
public func writeAll(_ fd: Int32, bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { writeAll(fd, buffer: $0) }
}

/// Writes all of `buffer` to `fd`, retrying short writes and EINTR.
public func writeAll(_ fd: Int32, buffer: UnsafeBufferPointer<UInt8>) {
    var offset = 0
    while offset < buffer.count {
        let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
        if n < 0, errno == EINTR { continue }
        if n <= 0 { return }
        offset += n
    }
}
