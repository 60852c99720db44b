import JSONText
import Synchronization

/// Read access to the parts of a record the record-wide checks look at (required members, the
/// transcript, the timelines, the summary values): a value tree, or a tape's entries over the
/// record's bytes. Those checks are written once, against this, and read a streamed record in
/// place: no value tree is built for them and none is torn down.
protocol RecordReader {
    associatedtype Node
    /// The first member named `name` of an object; nil for anything else.
    func member(_ node: Node, _ name: MemberName) -> Node?
    /// `body` with each element of an array and its index, in order; false (no call) for
    /// anything else.
    func forEachElement(_ node: Node, _ body: (Int, Node) -> Void) -> Bool
    /// The members named `a`, `b` and `c` (a nil name is not looked for), as `member` finds them.
    func members(_ node: Node, _ a: MemberName, _ b: MemberName?, _ c: MemberName?) -> (Node?, Node?, Node?)
    func isObject(_ node: Node) -> Bool
    func isString(_ node: Node) -> Bool
    /// The text of a string value.
    func string(_ node: Node) -> String?
    /// `body` over the UTF-8 of a string value (nil for anything else), without a `String` where
    /// the reader has the bytes.
    func withText<T>(_ node: Node, _ body: (UnsafeBufferPointer<UInt8>) -> T?) -> T?
    /// A number exactly as written.
    func number(_ node: Node) -> String?
    /// A number that is an integer in `Int64`'s range, as `Int64(number)` reads it.
    func integer(_ node: Node) -> Int64?
    /// A string value as JSON text, quoted and escaped as `JSONWriter` writes it; false (nothing
    /// written) for anything else.
    func writeQuoted<Out: ByteAppending>(_ node: Node, into out: inout Out) -> Bool
    /// Short name of the JSON type ("string", "number", …).
    func typeName(_ node: Node) -> String
    /// `make`'s value for a scalar, kept in `cache` by the scalar's bytes where the reader has them.
    func cached<V>(_ node: Node, _ cache: TokenCache<V>, _ make: () -> V) -> V
}

extension RecordReader {
    func members(_ node: Node, _ a: MemberName, _ b: MemberName?, _ c: MemberName?) -> (Node?, Node?, Node?) {
        (member(node, a), b.flatMap { member(node, $0) }, c.flatMap { member(node, $0) })
    }
}

/// A member name read in every record, with its UTF-8 (a tape's names are compared as bytes).
/// Names are interned for the life of the process — the names of the schemas compiled, bounded by
/// what the adapters declare — so a `MemberName` holds no reference: copying one, as every
/// record's reads do many times, retains and releases nothing.
struct MemberName: @unchecked Sendable {
    /// The name's UTF-8 bytes, then eight zeros (so that it can be compared as words).
    let bytes: UnsafePointer<UInt8>
    let length: Int
    /// This name's number in a `RootIndex` (each distinct name has one).
    let slot: Int

    var text: String { String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self) }

    init(_ text: String) {
        self = MemberName.interned.withLock { names in
            if let name = names[text] { return name }
            let utf8 = Array(text.utf8)
            let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: utf8.count + 8)
            storage.initialize(repeating: 0, count: utf8.count + 8)
            storage.update(from: utf8, count: utf8.count)
            let name = MemberName(bytes: storage, length: utf8.count, slot: names.count)
            names[text] = name
            return name
        }
    }

    private init(bytes: UnsafePointer<UInt8>, length: Int, slot: Int) {
        self.bytes = bytes
        self.length = length
        self.slot = slot
    }

    /// Every name made so far, never freed.
    private static let interned = Mutex<[String: MemberName]>([:])
}

/// The top-level members of records that list the same names in the same order (one of
/// `LineAnnotator`'s generations): each member's entry in the record being read, by place, and
/// the place of each name the record-wide checks look up, found once per list of names (the same
/// names in the same order put the first of a name in the same place). One thread's own.
final class RootIndex {
    // One thread's own: no access is checked at run time.
    @exclusivity(unchecked) private var generation = 0
    /// By `MemberName.slot`: the place of the first member of that name (-1: none) and the
    /// generation it was found in (an older one is not known: nothing is cleared between them).
    @exclusivity(unchecked) private var places: [(generation: Int, place: Int32)] = []
    /// The entry of each member of the root being read, by place.
    @exclusivity(unchecked) private(set) var entries: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) private var capacity = 64

    init() { entries = .allocate(capacity: capacity) }
    deinit { entries.deallocate() }

    /// A record of list `generation`, of `count` members, is next: room for its entries.
    func start(generation: Int, count: Int) {
        self.generation = generation
        if count > capacity {
            entries.deallocate()
            capacity = max(count, capacity * 2)
            entries = .allocate(capacity: capacity)
        }
    }

    /// The place of name `slot` in this generation, -1 for none, -2 not yet known.
    @inline(__always)
    func place(_ slot: Int) -> Int {
        guard slot < places.count, places[slot].generation == generation else { return -2 }
        return Int(places[slot].place)
    }

    func setPlace(_ slot: Int, _ place: Int) {
        if slot >= places.count { places.append(contentsOf: repeatElement((generation: -1, place: Int32(-1)), count: slot + 1 - places.count)) }
        places[slot] = (generation, Int32(truncatingIfNeeded: place))
    }
}

/// Where each name was found last, below the object it was looked up in (`MemberName.slot` ->
/// the member's entry minus the object's; 0: not yet): members of records of one kind sit at the
/// same distance, so a name is looked for there first. Only for records with no name repeated in
/// an object, where the member found there is the first of its name. One thread's own.
final class MemberHints {
    @exclusivity(unchecked) private var offsets: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) private var capacity = 0

    init() { offsets = .allocate(capacity: 0) }
    deinit { offsets.deallocate() }

    @inline(__always)
    func offset(_ slot: Int) -> Int { slot < capacity ? Int(offsets[slot]) : 0 }

    func setOffset(_ slot: Int, _ offset: Int) {
        if slot >= capacity {
            let bigger = UnsafeMutablePointer<Int32>.allocate(capacity: max(slot + 1, capacity * 2, 64))
            bigger.initialize(repeating: 0, count: max(slot + 1, capacity * 2, 64))
            bigger.update(from: offsets, count: capacity)
            offsets.deallocate()
            offsets = bigger
            capacity = max(slot + 1, capacity * 2, 64)
        }
        offsets[slot] = Int32(truncatingIfNeeded: offset)
    }
}

/// A value tree.
struct ValueReader: RecordReader {
    func member(_ node: JSONValue, _ name: MemberName) -> JSONValue? { node[name.text] }
    func forEachElement(_ node: JSONValue, _ body: (Int, JSONValue) -> Void) -> Bool {
        guard let items = node.arrayValue else { return false }
        for (i, item) in items.enumerated() { body(i, item) }
        return true
    }
    func isObject(_ node: JSONValue) -> Bool {
        if case .object = node { return true }
        return false
    }
    func isString(_ node: JSONValue) -> Bool { node.stringValue != nil }
    func string(_ node: JSONValue) -> String? { node.stringValue }
    func withText<T>(_ node: JSONValue, _ body: (UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        guard var text = node.stringValue else { return nil }
        return text.withUTF8(body)
    }
    func writeQuoted<Out: ByteAppending>(_ node: JSONValue, into out: inout Out) -> Bool {
        guard let text = node.stringValue else { return false }
        DecodedRecord.string(text, into: &out)
        return true
    }
    func number(_ node: JSONValue) -> String? {
        if case .number(let text) = node { return text }
        return nil
    }
    func integer(_ node: JSONValue) -> Int64? { number(node).flatMap { Int64($0) } }
    func cached<V>(_ node: JSONValue, _ cache: TokenCache<V>, _ make: () -> V) -> V { make() }
    func typeName(_ node: JSONValue) -> String { node.typeName }
}

/// A record's tape, a node being an entry's index. Member names are compared as written, as the
/// walk over the same tape compares them.
struct TapeReader: RecordReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let entries: UnsafeBufferPointer<JSONTape.Entry>
    /// The root's members by place, when the root lists names met before (see `RootIndex`).
    var root: RootIndex? = nil
    /// Where names were found in earlier records, when no object of this one repeats a name.
    var hints: MemberHints? = nil

    func member(_ node: Int, _ name: MemberName) -> Int? {
        let object = entries[node]
        guard object.kind == .object else { return nil }
        let root = node == 0 ? self.root : nil
        if let root {
            let place = root.place(name.slot)
            if place >= 0 { return Int(root.entries[place]) }
            if place == -1 { return nil }
        }
        let n = name.length
        guard let text = bytes.baseAddress else { return nil }
        let key = UnsafeRawPointer(name.bytes)
        @inline(__always) func named(_ m: JSONTape.Entry) -> Bool {
            m.keyEnd &- m.keyStart == n
                && (n == 0 || ByteKeyTable.same(key, UnsafeRawPointer(text + m.keyStart), count: n, loadable: m.keyStart &+ 8 <= bytes.count))
        }
        if root == nil, let hints {
            // An entry inside the object one level down is one of its members.
            let guess = node &+ hints.offset(name.slot)
            if guess > node, guess < object.next, entries[guess].depth == object.depth &+ 1, named(entries[guess]) { return guess }
        }
        var child = node + 1
        for place in 0..<object.count {
            let m = entries[child]
            if named(m) {
                root?.setPlace(name.slot, place)
                if root == nil { hints?.setOffset(name.slot, child - node) }
                return child
            }
            child = m.next
        }
        root?.setPlace(name.slot, -1)
        return nil
    }

    /// In one pass over the object's members (a transcript turn's three are read for every turn),
    /// or, with `hints`, each where it was last.
    func members(_ node: Int, _ a: MemberName, _ b: MemberName?, _ c: MemberName?) -> (Int?, Int?, Int?) {
        let object = entries[node]
        guard object.kind == .object, node != 0 || root == nil, hints == nil, let text = bytes.baseAddress else {
            return (member(node, a), b.flatMap { member(node, $0) }, c.flatMap { member(node, $0) })
        }
        var found: (Int?, Int?, Int?) = (nil, nil, nil)
        @inline(__always) func named(_ name: MemberName, _ m: JSONTape.Entry) -> Bool {
            let n = name.length
            return m.keyEnd &- m.keyStart == n
                && (n == 0 || ByteKeyTable.same(UnsafeRawPointer(name.bytes), UnsafeRawPointer(text + m.keyStart), count: n,
                                                loadable: m.keyStart &+ 8 <= bytes.count))
        }
        var child = node + 1
        for _ in 0..<object.count {
            let m = entries[child]
            if found.0 == nil, named(a, m) { found.0 = child }
            if found.1 == nil, let b, named(b, m) { found.1 = child }
            if found.2 == nil, let c, named(c, m) { found.2 = child }
            child = m.next
        }
        return found
    }

    func forEachElement(_ node: Int, _ body: (Int, Int) -> Void) -> Bool {
        let array = entries[node]
        guard array.kind == .array else { return false }
        var child = node + 1
        for i in 0..<array.count {
            body(i, child)
            child = entries[child].next
        }
        return true
    }

    func isObject(_ node: Int) -> Bool { entries[node].kind == .object }
    func isString(_ node: Int) -> Bool { entries[node].kind == .string }

    func string(_ node: Int) -> String? {
        let v = entries[node]
        guard v.kind == .string else { return nil }
        if v.plain { return String(decoding: UnsafeBufferPointer(rebasing: bytes[(v.start + 1)..<(v.end - 1)]), as: UTF8.self) }
        return ByteAnnotator.value(node, bytes, entries).stringValue
    }

    func withText<T>(_ node: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        let v = entries[node]
        guard v.kind == .string else { return nil }
        if v.plain { return body(UnsafeBufferPointer(rebasing: bytes[(v.start + 1)..<(v.end - 1)])) }
        guard var text = string(node) else { return nil }
        return text.withUTF8(body)
    }

    /// A plain string (no escape, nothing to escape) is copied as it stands, quotes and all.
    func writeQuoted<Out: ByteAppending>(_ node: Int, into out: inout Out) -> Bool {
        let v = entries[node]
        guard v.kind == .string else { return false }
        if v.plain {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[v.start..<v.end]))
        } else {
            DecodedRecord.string(string(node), into: &out)
        }
        return true
    }

    func number(_ node: Int) -> String? {
        let v = entries[node]
        guard v.kind == .number else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[v.start..<v.end]), as: UTF8.self)
    }

    func integer(_ node: Int) -> Int64? {
        let v = entries[node]
        guard v.kind == .number else { return nil }
        if let n = TapeReader.integer(v, bytes, maxDigits: 18) { return n }
        // Longer (18 digits cannot overflow, 19 may not): left to `Int64.init`.
        return v.end - v.start > 18 ? number(node).flatMap { Int64($0) } : nil
    }

    /// The value of the `count` (1–8) ASCII digits at `p` (eight bytes readable there), or nil
    /// when one of them is not a digit.
    @inline(__always)
    static func digits(_ p: UnsafeRawPointer, _ count: Int) -> Int64? {
        // The digits moved to the top of the word (little-endian: the first digit lowest), with
        // zeros below them (leading zeros), the bytes after them shifted out.
        let shift = UInt64(8 &* (8 &- count))
        let word = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) &<< shift
        let zeros: UInt64 = 0x3030_3030_3030_3030 &<< shift
        let d = word &- zeros
        // Each digit byte is 0x3_ and its low half at most 9.
        guard word & (0xF0F0_F0F0_F0F0_F0F0 &<< shift) == zeros, (d &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0 else { return nil }
        var x = (d &* 2561) &>> 8
        x = ((x & 0x00FF_00FF_00FF_00FF) &* 6_553_601) &>> 16
        x = ((x & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) &>> 32
        return Int64(truncatingIfNeeded: x)
    }

    /// The integer a number entry writes when it is digits alone (a minus sign before them), at
    /// most `maxDigits` of them (18 at most: no overflow); nil otherwise.
    @inline(__always)
    static func integer(_ v: JSONTape.Entry, _ bytes: UnsafeBufferPointer<UInt8>, maxDigits: Int) -> Int64? {
        var i = v.start
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < v.end, v.end - i <= maxDigits else { return nil }
        let count = v.end &- i
        if count <= 16, i &+ 8 <= bytes.count, let base = bytes.baseAddress {
            // Eight digits a step, read as words (epochs are ten).
            let p = UnsafeRawPointer(base + i)
            guard count > 8 else {
                guard let n = digits(p, count) else { return nil }
                return negative ? -n : n
            }
            guard let high = digits(p, count &- 8), let low = digits(p + (count &- 8), 8) else { return nil }
            let n = high &* 100_000_000 &+ low
            return negative ? -n : n
        }
        var n: Int64 = 0
        while i < v.end {
            let b = bytes[i]
            guard b >= 0x30, b <= 0x39 else { return nil }
            n = n * 10 + Int64(b - 0x30)
            i += 1
        }
        return negative ? -n : n
    }

    /// The value's bytes as written (a string with its quotes).
    func token(_ node: Int) -> UnsafeBufferPointer<UInt8> {
        let v = entries[node]
        return UnsafeBufferPointer(rebasing: bytes[v.start..<v.end])
    }

    func cached<V>(_ node: Int, _ cache: TokenCache<V>, _ make: () -> V) -> V {
        guard cacheable(node) else { return make() }
        return cache.value(token(node), make)
    }

    /// Whether `cached` keeps what is made for this node: a scalar of at most 64 bytes.
    func cacheable(_ node: Int) -> Bool {
        let v = entries[node]
        return v.kind != .object && v.kind != .array && v.end - v.start <= 64
    }

    func typeName(_ node: Int) -> String {
        switch entries[node].kind {
        case .null: return "null"
        case .trueValue, .falseValue: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
