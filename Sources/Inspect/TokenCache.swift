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

    /// The value for `token`, made by `make` when it is not kept yet.
    func value(_ token: UnsafeBufferPointer<UInt8>, _ make: () -> Value) -> Value {
        if let i = keys.lookup(token, token.indices) { return values[i] }
        let value = make()
        if values.count < Self.limit {
            keys.insert(token, token.indices, value: values.count)
            values.append(value)
        }
        return value
    }
}
