import Glibc

/// A map from byte strings (member names, values) to small integers, looked up straight from an
/// input buffer without building a `String`: open addressing on a hash read a word at a time,
/// keys kept in one contiguous array. A class, so a lookup never copies the table. Filled by its
/// owner before it is shared; a table that keeps growing (a cache) belongs to one thread.
public final class ByteKeyTable: @unchecked Sendable {
    /// One key: its bytes in `arena`, its hash and its value.
    private struct Key {
        var hash: UInt64
        var offset: Int
        var length: Int
        var value: Int
    }
    // Storage the class allocates and frees itself: a lookup is a handful of loads, with no
    // array to retain or bounds to check (with arrays it cost three times as much).
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<Int32>   // index into `keys`, or -1
    @exclusivity(unchecked) private var mask: Int
    @exclusivity(unchecked) private var keys: UnsafeMutablePointer<Key>
    @exclusivity(unchecked) public private(set) var count = 0
    @exclusivity(unchecked) private var arena: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var arenaCapacity: Int
    @exclusivity(unchecked) private var arenaCount = 0
    /// Bit n set when a key of n bytes (63 for longer) is in the table: most names looked up in a
    /// small table (the few members a summary reads) are turned away by their length alone.
    @exclusivity(unchecked) private var lengths: UInt64 = 0

    public convenience init<S: Sequence>(_ pairs: S) where S.Element == (String, Int) {
        let list = Array(pairs)
        var size = 8
        while size < list.count * 4 { size <<= 1 }
        self.init(size: size)
        for (key, value) in list {
            let bytes = Array(key.utf8)
            bytes.withUnsafeBufferPointer { insert($0, $0.indices, value: value) }
        }
    }

    private init(size: Int) {
        mask = size - 1
        slots = .allocate(capacity: size)
        slots.initialize(repeating: -1, count: size)
        keys = .allocate(capacity: size / 4)   // the slots are kept at most a quarter full
        arenaCapacity = 64
        arena = ByteKeyTable.allocateArena(arenaCapacity)
    }

    /// Room for `capacity` bytes of keys and eight zeros after them, so that a word can be loaded
    /// at any key's start (`shortWord`).
    private static func allocateArena(_ capacity: Int) -> UnsafeMutablePointer<UInt8> {
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 8)
        arena.initialize(repeating: 0, count: capacity + 8)
        return arena
    }

    deinit {
        slots.deallocate()
        keys.deallocate()
        arena.deallocate()
    }

    /// An empty table.
    public convenience init() { self.init(size: 8) }

    public var isEmpty: Bool { count == 0 }

    /// Adds `bytes[range]` with `value` (a key already present keeps its value).
    public func insert(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, value: Int) {
        guard lookup(bytes, range) == nil else { return }
        let key = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range]))
        if (count + 1) * 4 > mask + 1 { grow() }
        if arenaCount + key.count > arenaCapacity {
            let bigger = ByteKeyTable.allocateArena(max(arenaCapacity * 2, arenaCount + key.count))
            bigger.update(from: arena, count: arenaCount)
            arena.deallocate()
            arena = bigger
            arenaCapacity = max(arenaCapacity * 2, arenaCount + key.count)
        }
        if let base = key.baseAddress { (arena + arenaCount).update(from: base.assumingMemoryBound(to: UInt8.self), count: key.count) }
        (keys + count).initialize(to: Key(hash: ByteKeyTable.hash(key, loadable: range.lowerBound + 8 <= bytes.count),
                                          offset: arenaCount, length: key.count, value: value))
        arenaCount += key.count
        count += 1
        lengths |= ByteKeyTable.lengthBit(key.count)
        place(count - 1)
    }

    private func place(_ index: Int) {
        var slot = Int(truncatingIfNeeded: keys[index].hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index)
    }

    /// Twice the slots and room for as many keys. At most a quarter of the slots are taken, so
    /// a miss (most lookups of the record-wide reads) usually stops at the first empty slot.
    private func grow() {
        let size = (mask + 1) * 2
        slots.deallocate()
        slots = .allocate(capacity: size)
        slots.initialize(repeating: -1, count: size)
        mask = size - 1
        let bigger = UnsafeMutablePointer<Key>.allocate(capacity: size / 4)
        bigger.moveInitialize(from: keys, count: count)
        keys.deallocate()
        keys = bigger
        for index in 0..<count { place(index) }
    }

    /// Every byte counts, eight at a time (a key's last word overlaps the one before it).
    /// `loadable`: a word can be loaded at the key's start (see `shortWord`).
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer, loadable: Bool) -> UInt64 {
        let n = key.count
        var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        if n >= 8 {
            var i = 0
            while i + 8 < n {
                h = (h ^ key.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 31
                i += 8
            }
            h = (h ^ key.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
        } else if n > 0 {
            h = (h ^ ByteKeyTable.shortWord(key, loadable: loadable)) &* 0xBF58_476D_1CE4_E5B9
        }
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 29)
    }

    /// The bytes of a key shorter than eight, as one word: one load, the bytes after the key
    /// masked off, where eight bytes can be read from its start (`loadable`: a key in the arena,
    /// or in a buffer that goes on past it; member names are followed by `":` and a value), else
    /// byte by byte.
    @inlinable @inline(__always)
    public static func shortWord(_ key: UnsafeRawBufferPointer, loadable: Bool) -> UInt64 {
        let n = key.count
        guard n > 0 else { return 0 }
        if loadable { return key.baseAddress!.loadUnaligned(as: UInt64.self) & (UInt64.max &>> UInt64(64 - 8 * n)) }
        var word: UInt64 = 0
        for i in 0..<n { word |= UInt64(key[i]) << (UInt64(i) &* 8) }
        return word
    }

    /// Whether a key in the arena (`stored`) is `key`, of the same length. Usable for any two runs
    /// of bytes of one length where eight bytes can be read from `stored`'s start.
    @inlinable @inline(__always)
    public static func same(_ stored: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer, loadable: Bool) -> Bool {
        let n = stored.count
        return n == 0 || same(stored.baseAddress!, key.baseAddress!, count: n, loadable: loadable)
    }

    /// `same` on pointers (`count` above 0), for loops that keep their own bounds.
    @inlinable @inline(__always)
    public static func same(_ stored: UnsafeRawPointer, _ key: UnsafeRawPointer, count n: Int, loadable: Bool) -> Bool {
        if n >= 8 {
            if n <= 16 {
                return stored.loadUnaligned(as: UInt64.self) == key.loadUnaligned(as: UInt64.self)
                    && stored.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == key.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            }
            return memcmp(stored, key, n) == 0
        }
        let mask = UInt64.max &>> UInt64(64 - 8 * n)
        if loadable { return (stored.loadUnaligned(as: UInt64.self) ^ key.loadUnaligned(as: UInt64.self)) & mask == 0 }
        return shortWord(UnsafeRawBufferPointer(start: stored, count: n), loadable: true)
            == shortWord(UnsafeRawBufferPointer(start: key, count: n), loadable: false)
    }

    /// The value stored for the bytes `bytes[range]`, or nil.
    public func lookup(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        index(of: bytes, range).map { keys[$0].value }
    }

    @inline(__always)
    static func lengthBit(_ length: Int) -> UInt64 { 1 &<< UInt64(min(length, 63)) }

    /// The number of the key `bytes[range]` (keys are numbered from 0 as they were added), or nil.
    public func index(of bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        if lengths & ByteKeyTable.lengthBit(range.count) == 0 { return nil }
        let key = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range]))
        let loadable = range.lowerBound + 8 <= bytes.count
        let hash = ByteKeyTable.hash(key, loadable: loadable)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { return nil }
            let stored = keys[index]
            if stored.hash == hash, stored.length == key.count,
               ByteKeyTable.same(UnsafeRawBufferPointer(start: arena + stored.offset, count: stored.length), key, loadable: loadable) {
                return index
            }
            slot = (slot + 1) & mask
        }
    }

    /// Whether key number `index` is the bytes `bytes[range]` (a guess checked without hashing).
    @inline(__always)
    public func matches(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard index >= 0, index < count else { return false }
        let stored = keys[index]
        guard stored.length == range.count else { return false }
        return ByteKeyTable.same(UnsafeRawBufferPointer(start: arena + stored.offset, count: stored.length),
                                 UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range])), loadable: range.lowerBound + 8 <= bytes.count)
    }

    /// The value of key number `index`.
    @inline(__always)
    public func value(at index: Int) -> Int { keys[index].value }
}
