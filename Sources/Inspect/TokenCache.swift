import JSONText

/// Values made from a record's scalar (a code's meaning, a speaker as written out), kept by the
/// scalar's bytes as written: the few codes a field takes repeat in every record. Holds at most
/// `limit` of them; past that a value is made every time. Not `Sendable`: a decoder (and so its
/// caches) belongs to one thread; another thread's decoder has caches of its own.
final class TokenCache<Value> {
    private let keys = ByteKeyTable()
    // One thread's own: no access is checked at run time.
    @exclusivity(unchecked) private var values: [Value] = []
    static var limit: Int { 256 }
    /// The last two short tokens found, compared before the table is hashed: a dialogue's turns
    /// alternate between two speakers, a field between a few codes.
    @exclusivity(unchecked) private var recent = (Recent(), Recent())

    /// A token of at most 16 bytes as its length and two words that cover all its bytes: two
    /// tokens are the same when these are.
    private struct Recent {
        var length = -1
        var first: UInt64 = 0
        var last: UInt64 = 0
        var index = 0

        init() {}

        @inline(__always)
        init?(_ token: UnsafeBufferPointer<UInt8>) {
            let n = token.count
            guard n <= 16 else { return nil }
            length = n
            guard let p = token.baseAddress.map(UnsafeRawPointer.init) else { return }
            if n >= 8 {
                first = p.loadUnaligned(as: UInt64.self)
                last = p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            } else if n >= 4 {
                first = UInt64(p.loadUnaligned(as: UInt32.self))
                last = UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            } else if n > 0 {
                first = UInt64(token[0]) | UInt64(token[n / 2]) << 8 | UInt64(token[n - 1]) << 16
            }
        }

        @inline(__always)
        func same(_ other: Recent) -> Bool { length == other.length && first == other.first && last == other.last }
    }

    /// The value for `token`, made by `make` when it is not kept yet.
    func value(_ token: UnsafeBufferPointer<UInt8>, _ make: () -> Value) -> Value {
        if let value = lookup(token) { return value }
        let value = make()
        insert(token, value)
        return value
    }

    /// The value kept for `token`, if any. (With `insert`, for callers that would otherwise make
    /// a closure for every token.)
    @inline(__always)
    func lookup(_ token: UnsafeBufferPointer<UInt8>) -> Value? {
        let short = Recent(token)
        if let short {
            if short.same(recent.0) { return values[recent.0.index] }
            if short.same(recent.1) { return values[recent.1.index] }
        }
        guard let i = keys.lookup(token, token.indices) else { return nil }
        remember(short, i)
        return values[i]
    }

    /// Keeps `value` for `token` (not found by `lookup`), while there is room.
    func insert(_ token: UnsafeBufferPointer<UInt8>, _ value: Value) {
        guard values.count < Self.limit else { return }
        keys.insert(token, token.indices, value: values.count)
        remember(Recent(token), values.count)
        values.append(value)
    }

    /// `token` as the newer of the two recent ones.
    @inline(__always)
    private func remember(_ token: Recent?, _ index: Int) {
        guard var token else { return }
        token.index = index
        recent = (token, recent.0)
    }
}
