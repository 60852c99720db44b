import Synchronization

/// A part of an adapter read from the adapter cache but decoded only when first asked for.
/// `explain` reads code tables only; payload schemas and operations were a third of its start-up,
/// the plugins' own examples another twentieth.
/// The bytes were checked for length when the cache was read; should their contents not decode
/// (a file altered behind callscope's back), the part reads as empty rather than failing later.
/// (Only `Sendable` is required of the value: a protocol requirement on a generic class costs a
/// scan of every conformance in the binary when its metadata is first made, at every start.)
final class DeferredSection<Value: Sendable>: Sendable {
    private enum State {
        case ready(Value)
        case encoded([UInt8], decode: @Sendable (inout BinaryReader) throws(BinaryReader.Failure) -> Value, empty: Value)
    }
    private let state: Mutex<State>

    init(_ value: Value) { state = Mutex(.ready(value)) }

    init(bytes: [UInt8], empty: Value, decode: @escaping @Sendable (inout BinaryReader) throws(BinaryReader.Failure) -> Value) {
        state = Mutex(.encoded(bytes, decode: decode, empty: empty))
    }

    var value: Value {
        state.withLock { state in
            switch state {
            case .ready(let value):
                return value
            case .encoded(let bytes, let decode, let empty):
                var reader = BinaryReader(bytes)
                let value = (try? decode(&reader)).flatMap { reader.atEnd ? $0 : nil } ?? empty
                state = .ready(value)
                return value
            }
        }
    }
}

extension DeferredSection: Equatable where Value: Equatable {
    static func == (a: DeferredSection, b: DeferredSection) -> Bool { a === b || a.value == b.value }
}
