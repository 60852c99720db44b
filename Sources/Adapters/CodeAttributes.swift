/// A code's extra facts (`sip: 486`, `name: USER_BUSY`), kept as a short list in key order.
/// An entry has none or a few, so a list looked through is as quick as hashing, and reading the
/// adapter cache at start-up builds no dictionary per entry (that was an eighth of `explain`).
public struct CodeAttributes: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Attribute: Sendable, Equatable {
        public var key: String
        public var value: String
    }
    /// Sorted by key, each key once.
    public private(set) var attributes: [Attribute] = []

    public init() {}
    public init(dictionaryLiteral elements: (String, String)...) {
        for (key, value) in elements { self[key] = value }
    }

    public subscript(key: String) -> String? {
        get { attributes.first { $0.key == key }?.value }
        set {
            let index = attributes.firstIndex { $0.key >= key } ?? attributes.endIndex
            let present = index < attributes.endIndex && attributes[index].key == key
            switch (newValue, present) {
            case (let value?, true): attributes[index].value = value
            case (let value?, false): attributes.insert(Attribute(key: key, value: value), at: index)
            case (nil, true): attributes.remove(at: index)
            case (nil, false): break
            }
        }
    }

    public var isEmpty: Bool { attributes.isEmpty }
    public var count: Int { attributes.count }
    public func makeIterator() -> IndexingIterator<[Attribute]> { attributes.makeIterator() }

    /// From the cache: pairs already sorted and unique, or nil when they are not.
    init?(sorted attributes: [Attribute]) {
        for i in attributes.indices.dropFirst() where !(attributes[i - 1].key < attributes[i].key) { return nil }
        self.attributes = attributes
    }
}
