/// A value's bytes, when there are at most 16 of them, as their count and two words that cover
/// them all: two tokens are the same when these are. For caches that compare the last few
/// values they met before hashing (codes and speakers repeat from record to record).
struct ShortToken {
    private(set) var length = -1
    private var first: UInt64 = 0
    private var last: UInt64 = 0

    /// A token that is the same as none.
    init() {}

    /// Nil for a token of more than 16 bytes.
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
    func same(_ other: ShortToken) -> Bool { length == other.length && first == other.first && last == other.last }
}

/// The last two short tokens a cache found and their numbers there, compared before its table is
/// hashed: a dialogue's turns alternate between two speakers, a field between a few codes.
struct RecentTokens {
    private var newer = (token: ShortToken(), number: 0)
    private var older = (token: ShortToken(), number: 0)

    @inline(__always)
    func find(_ token: ShortToken) -> Int? {
        if token.same(newer.token) { return newer.number }
        if token.same(older.token) { return older.number }
        return nil
    }

    @inline(__always)
    mutating func remember(_ token: ShortToken, _ number: Int) {
        older = newer
        newer = (token, number)
    }
}
