/// A read-only map from byte strings (member names) to small integers, looked up straight from an
/// input buffer without building a `String`: FNV-1a hashing, open addressing, keys kept in one
/// contiguous array. Built once, then shared between threads.
public struct ByteKeyTable: Sendable {
    private var slots: [Int32]      // index into `offsets`, or -1
    private var offsets: [Int] = [0]
    private var values: [Int] = []
    private var hashes: [UInt64] = []
    private var arena: [UInt8] = []
    private var mask: Int

    public init<S: Sequence>(_ pairs: S) where S.Element == (String, Int) {
        let list = Array(pairs)
        var size = 8
        while size < list.count * 2 { size <<= 1 }
        mask = size - 1
        slots = [Int32](repeating: -1, count: size)
        for (key, value) in list {
            let bytes = Array(key.utf8)
            bytes.withUnsafeBufferPointer { insert($0, $0.startIndex..<$0.endIndex, value: value) }
        }
    }

    public var isEmpty: Bool { values.isEmpty }
    public var count: Int { values.count }

    /// Adds `bytes[range]` with `value` (a key already present keeps its value).
    public mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, value: Int) {
        guard lookup(bytes, range) == nil else { return }
        if (values.count + 1) * 2 > slots.count { grow() }
        let hash = ByteKeyTable.hash(bytes, range)
        arena.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
        offsets.append(arena.count)
        values.append(value)
        hashes.append(hash)
        place(values.count - 1)
    }

    private mutating func place(_ index: Int) {
        var slot = Int(truncatingIfNeeded: hashes[index]) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index)
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for index in values.indices { place(index) }
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in range {
            h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01b3
        }
        return h
    }

    /// The value stored for the bytes `bytes[range]`, or nil.
    public func lookup(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        if values.isEmpty { return nil }
        let hash = ByteKeyTable.hash(bytes, range)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { return nil }
            if hashes[index] == hash, equal(index, bytes, range) { return values[index] }
            slot = (slot + 1) & mask
        }
    }

    private func equal(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        let from = offsets[index], to = offsets[index + 1]
        guard to - from == range.count else { return false }
        var j = range.lowerBound
        for i in from..<to {
            if arena[i] != bytes[j] { return false }
            j += 1
        }
        return true
    }
}
