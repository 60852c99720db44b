/// The parts of a record some code reads, as a tree of member names (built once per payload), so a
/// value tree of only those parts can be built from bytes.
final class ReadTree {
    private(set) var members: [String: ReadTree] = [:]
    /// The whole value is read.
    var whole = false
    /// What is read of each element when the value is an array (`a[]`, or a list that is iterated).
    private(set) var elements: ReadTree?

    func member(_ key: String) -> ReadTree {
        if let existing = members[key] { return existing }
        let node = ReadTree()
        members[key] = node
        return node
    }

    /// The member names, in the order `ByteAnnotator` numbers its read-node children.
    var memberKeys: [String] { members.keys.sorted() }

    func element() -> ReadTree {
        if let elements { return elements }
        let node = ReadTree()
        elements = node
        return node
    }

    /// The node at the end of a `JSONPath` (`a[].b` is member a, each element, member b).
    func follow(_ path: String) -> ReadTree {
        var node = self
        for segment in path.split(separator: ".") {
            var key = Substring(segment)
            let each = key.hasSuffix("[]")
            if each { key = key.dropLast(2) }
            node = node.member(String(key))
            if each { node = node.element() }
        }
        return node
    }
}
