import Glibc

/// What the byte writers of the annotators append to: an array, or an `OutputBuffer`.
public protocol ByteAppending {
    mutating func append(_ byte: UInt8)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>)
    mutating func append(contentsOf bytes: [UInt8])
}

extension Array: ByteAppending where Element == UInt8 {}

extension ByteAppending {
    /// Appends a literal's bytes (a `String`'s UTF-8 view goes through a slow generic path).
    @inline(__always)
    public mutating func append(literal text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

/// Where annotated records are written (a worker's share of a batch, straight from the walk
/// over each record's fields): an append is a capacity check and a copy. (Counts are added
/// without overflow traps: a count is bounded by the capacity, which `malloc` gave.)
/// (`Array.append(contentsOf:)` costs some 70 instructions more per call, and a record of sixty
/// fields makes hundreds of them: a fifth of `decode --json`.) The owner allocates it once, hands
/// it to one writer at a time, takes it back (it may have moved when it grew) and frees it.
public struct OutputBuffer: ByteAppending {
    private(set) var base: UnsafeMutablePointer<UInt8>
    public private(set) var count = 0
    private var capacity: Int

    /// The storage is `malloc`'s, so that growing it is a `realloc`: a large block is moved by
    /// remapping its pages, not by copying it (an annotated batch is megabytes).
    public init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 1)
        base = OutputBuffer.allocate(self.capacity)
    }

    /// Frees the storage; the buffer must not be used afterwards.
    public func free() { Glibc.free(base) }

    private static func allocate(_ bytes: Int) -> UnsafeMutablePointer<UInt8> {
        guard let memory = malloc(bytes) else { fatalError("out of memory (\(bytes) bytes for output)") }
        return memory.assumingMemoryBound(to: UInt8.self)
    }

    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    public var isEmpty: Bool { count == 0 }

    public mutating func removeAll() { count = 0 }

    public mutating func truncate(to length: Int) { count = min(count, length) }

    /// Room for `n` more bytes.
    @inline(__always)
    public mutating func reserve(_ n: Int) {
        if count &+ n > capacity { grow(to: count + n) }
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        let larger = max(needed, capacity * 2)
        guard let moved = realloc(base, larger) else { fatalError("out of memory (\(larger) bytes for output)") }
        base = moved.assumingMemoryBound(to: UInt8.self)
        capacity = larger
    }

    @inline(__always)
    public mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count &+= 1
    }

    @inline(__always)
    public mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count)
        appendReserved(contentsOf: bytes)
    }

    /// `append(contentsOf:)` into room already reserved (`reserve`): several pieces of known
    /// length, one capacity check.
    @inline(__always)
    mutating func appendReserved(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let from = bytes.baseAddress, !bytes.isEmpty else { return }
        let n = bytes.count
        assert(count + n <= capacity, "appended past the room reserved")
        let to = UnsafeMutableRawPointer(base + count)
        let raw = UnsafeRawPointer(from)
        // Pieces of up to 64 bytes (names, values, paths, meanings) are copied as two to four
        // overlapping words or vectors: a call to memcpy costs more than such a copy.
        @inline(__always) func copy<T>(_: T.Type, at offset: Int) {
            to.storeBytes(of: raw.loadUnaligned(fromByteOffset: offset, as: T.self), toByteOffset: offset, as: T.self)
        }
        if n <= 16 {
            if n >= 8 {
                copy(UInt64.self, at: 0); copy(UInt64.self, at: n - 8)
            } else if n >= 4 {
                copy(UInt32.self, at: 0); copy(UInt32.self, at: n - 4)
            } else {
                to.storeBytes(of: from[0], as: UInt8.self)
                if n > 1 { copy(UInt16.self, at: n - 2) }
            }
        } else if n <= 32 {
            copy(SIMD16<UInt8>.self, at: 0); copy(SIMD16<UInt8>.self, at: n - 16)
        } else if n <= 64 {
            copy(SIMD16<UInt8>.self, at: 0); copy(SIMD16<UInt8>.self, at: 16)
            copy(SIMD16<UInt8>.self, at: n - 32); copy(SIMD16<UInt8>.self, at: n - 16)
        } else {
            to.copyMemory(from: raw, byteCount: n)
        }
        count &+= n
    }

    @inline(__always)
    mutating func appendReserved(_ byte: UInt8) {
        assert(count < capacity, "appended past the room reserved")
        base[count] = byte
        count &+= 1
    }

    @inline(__always)
    mutating func appendReserved(literal text: StaticString) {
        appendReserved(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(__always)
    public mutating func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
    }
}
