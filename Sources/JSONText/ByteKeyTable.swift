import Glibc

/// A map from byte strings (member names, values) to small integers, looked up straight from an
/// input buffer without building a `String`: FNV-1a hashing, open addressing, keys kept in one
/// contiguous array. A class, so a lookup never copies the table. Filled by its owner before it is
/// shared; a table that keeps growing (a cache) belongs to one thread.
public final class ByteKeyTable: @unchecked Sendable {
    @exclusivity(unchecked) private var slots: [Int32]      // index into `offsets`, or -1
    @exclusivity(unchecked) private var offsets: [Int] = [0]
    @exclusivity(unchecked) private var values: [Int] = []
    @exclusivity(unchecked) private var hashes: [UInt64] = []
    @exclusivity(unchecked) private var arena: [UInt8] = []
    @exclusivity(unchecked) private var mask: Int

    public convenience init<S: Sequence>(_ pairs: S) where S.Element == (String, Int) {
        let list = Array(pairs)
        var size = 8
        while size < list.count * 2 { size <<= 1 }
        self.init(size: size)
        for (key, value) in list {
            let bytes = Array(key.utf8)
            let (hash, present) = bytes.withUnsafeBufferPointer { buffer in
                (ByteKeyTable.hash(buffer, buffer.indices), lookup(buffer, buffer.indices) != nil)
            }
            if !present { add(bytes[...], hash: hash, value: value) }
        }
    }

    private init(size: Int) {
        mask = size - 1
        slots = [Int32](repeating: -1, count: size)
    }

    /// An empty table.
    public convenience init() { self.init(size: 8) }

    public var isEmpty: Bool { values.isEmpty }
    public var count: Int { values.count }

    /// Adds `bytes[range]` with `value` (a key already present keeps its value).
    public func insert(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, value: Int) {
        guard lookup(bytes, range) == nil else { return }
        add(bytes[range], hash: ByteKeyTable.hash(bytes, range), value: value)
    }

    private func add<C: Collection>(_ key: C, hash: UInt64, value: Int) where C.Element == UInt8 {
        if (values.count + 1) * 2 > slots.count { grow() }
        arena.append(contentsOf: key)
        offsets.append(arena.count)
        values.append(value)
        hashes.append(hash)
        place(values.count - 1)
    }

    private func place(_ index: Int) {
        var slot = Int(truncatingIfNeeded: hashes[index]) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index)
    }

    private func grow() {
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
        if range.isEmpty { return true }
        return arena.withUnsafeBufferPointer { stored in
            memcmp(stored.baseAddress! + from, bytes.baseAddress! + range.lowerBound, range.count) == 0
        }
    }
}
