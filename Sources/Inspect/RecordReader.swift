import JSONText

/// Read access to the parts of a record the record-wide checks look at (required members, the
/// transcript, the timelines, the summary values): a value tree, or a tape's entries over the
/// record's bytes. Those checks are written once, against this, and read a streamed record in
/// place: no value tree is built for them and none is torn down.
protocol RecordReader {
    associatedtype Node
    /// The first member named `key` of an object; nil for anything else.
    func member(_ node: Node, _ key: String) -> Node?
    /// The elements of an array; nil for anything else.
    func elements(_ node: Node) -> [Node]?
    func isObject(_ node: Node) -> Bool
    func isString(_ node: Node) -> Bool
    /// The text of a string value.
    func string(_ node: Node) -> String?
    /// `body` over the UTF-8 of a string value (nil for anything else), without a `String` where
    /// the reader has the bytes.
    func withText<T>(_ node: Node, _ body: (UnsafeBufferPointer<UInt8>) -> T?) -> T?
    /// A number exactly as written.
    func number(_ node: Node) -> String?
    /// A string value as JSON text, quoted and escaped as `JSONWriter` writes it; false (nothing
    /// written) for anything else.
    func writeQuoted<Out: ByteAppending>(_ node: Node, into out: inout Out) -> Bool
    /// Short name of the JSON type ("string", "number", …).
    func typeName(_ node: Node) -> String
}

/// A value tree.
struct ValueReader: RecordReader {
    func member(_ node: JSONValue, _ key: String) -> JSONValue? { node[key] }
    func elements(_ node: JSONValue) -> [JSONValue]? { node.arrayValue }
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
    func typeName(_ node: JSONValue) -> String { node.typeName }
}

/// A record's tape, a node being an entry's index. Member names are compared as written, as the
/// walk over the same tape compares them.
struct TapeReader: RecordReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let entries: UnsafeBufferPointer<JSONTape.Entry>

    func member(_ node: Int, _ key: String) -> Int? {
        let object = entries[node]
        guard object.kind == .object else { return nil }
        var key = key
        return key.withUTF8 { key -> Int? in
            var child = node + 1
            for _ in 0..<object.count {
                let m = entries[child]
                if m.keyEnd - m.keyStart == key.count, sameBytes(m.keyStart, key) { return child }
                child = m.next
            }
            return nil
        }
    }

    private func sameBytes(_ start: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in key.indices where bytes[start + i] != key[i] { return false }
        return true
    }

    func elements(_ node: Int) -> [Int]? {
        let array = entries[node]
        guard array.kind == .array else { return nil }
        var items: [Int] = []
        items.reserveCapacity(array.count)
        var child = node + 1
        for _ in 0..<array.count {
            items.append(child)
            child = entries[child].next
        }
        return items
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
