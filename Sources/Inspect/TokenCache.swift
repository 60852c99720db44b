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
    @exclusivity(unchecked) private var recent = RecentTokens()

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
        if let short, let i = recent.find(short) { return values[i] }
        guard let i = keys.lookup(token, token.indices) else { return nil }
        if let short { recent.remember(short, i) }
        return values[i]
    }

    /// Keeps `value` for `token` (not found by `lookup`), while there is room.
    func insert(_ token: UnsafeBufferPointer<UInt8>, _ value: Value) {
        guard values.count < Self.limit else { return }
        keys.insert(token, token.indices, value: values.count)
        if let short = ShortToken(token) { recent.remember(short, values.count) }
        values.append(value)
    }
}
