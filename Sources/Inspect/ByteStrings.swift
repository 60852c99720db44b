/// Byte strings kept end to end in one buffer of their owner's, numbered as they are added:
/// handing one to a writer is a pointer and a length, with no reference count to touch (an array
/// of arrays cost a retain and a release for every field written). The owner frees it.
struct ByteStrings {
    private var buffer = OutputBuffer(capacity: 1 << 12)
    /// Where each string starts, and after the last one where the next would.
    private var starts: UnsafeMutablePointer<Int>
    private var capacity = 64
    private(set) var count = 0

    init() {
        starts = .allocate(capacity: capacity + 1)
        starts[0] = 0
    }

    private init(buffer: OutputBuffer, starts: UnsafeMutablePointer<Int>, capacity: Int, count: Int) {
        self.buffer = buffer
        self.starts = starts
        self.capacity = capacity
        self.count = count
    }

    /// Adds `bytes` as string number `count` (before the call).
    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Adds `bytes` as string number `count` (before the call).
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
        endString()
    }

    /// Adds the concatenation of `parts` as string number `count` (before the call).
    mutating func append(_ parts: [UInt8]...) {
        for part in parts { part.withUnsafeBufferPointer { buffer.append(contentsOf: $0) } }
        endString()
    }

    /// What was appended to `buffer` since the last string ends string number `count`.
    private mutating func endString() {
        if count == capacity {
            let larger = UnsafeMutablePointer<Int>.allocate(capacity: capacity * 2 + 1)
            larger.update(from: starts, count: count + 1)
            starts.deallocate()
            starts = larger
            capacity *= 2
        }
        count += 1
        starts[count] = buffer.count
    }

    /// The same strings in a buffer of the copy's own (for another owner to free), copied whole.
    func copied() -> ByteStrings {
        var bytes = OutputBuffer(capacity: buffer.count)
        bytes.append(contentsOf: buffer.bytes)
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: capacity + 1)
        offsets.initialize(from: starts, count: count + 1)
        return ByteStrings(buffer: bytes, starts: offsets, capacity: capacity, count: count)
    }

    /// String number `i`; valid until the next `append`.
    @inline(__always)
    subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: buffer.base + starts[i], count: starts[i + 1] - starts[i])
    }

    func free() {
        buffer.free()
        starts.deallocate()
    }
}
