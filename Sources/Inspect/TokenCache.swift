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
    /// The last two short tokens found and their values' numbers, compared before the table is
    /// hashed: a dialogue's turns alternate between two speakers, a field between a few codes.
    @exclusivity(unchecked) private var recent = ((ShortToken(), 0), (ShortToken(), 0))

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
        let short = ShortToken(token)
        if let short {
            if short.same(recent.0.0) { return values[recent.0.1] }
            if short.same(recent.1.0) { return values[recent.1.1] }
        }
        guard let i = keys.lookup(token, token.indices) else { return nil }
        remember(short, i)
        return values[i]
    }

    /// Keeps `value` for `token` (not found by `lookup`), while there is room.
    func insert(_ token: UnsafeBufferPointer<UInt8>, _ value: Value) {
        guard values.count < Self.limit else { return }
        keys.insert(token, token.indices, value: values.count)
        remember(ShortToken(token), values.count)
        values.append(value)
    }

    /// `token` as the newer of the two recent ones.
    @inline(__always)
    private func remember(_ token: ShortToken?, _ index: Int) {
        guard let token else { return }
        recent = ((token, index), recent.0)
    }
}
