import JSONText

/// Dotted paths with `[]` for "every element": `callInfoDetailList[].agent.agentName`.
public enum JSONPath {
    /// Every value at `path` (several when the path crosses arrays), with concrete paths (`a[0].b`).
    public static func values(at path: String, in root: JSONValue, prefix: String = "") -> [(path: String, value: JSONValue)] {
        if prefix.isEmpty, isMemberName(path) { return root[path].map { [(path, $0)] } ?? [] }
        return Compiled(path).values(in: root, prefix: prefix)
    }

    /// The last value at `path` (in the order `values` gives them), without writing any path.
    public static func value(at path: String, in root: JSONValue) -> JSONValue? {
        if isMemberName(path) { return root[path] }
        return Compiled(path).value(in: root)
    }

    /// A path split into its member names once, for paths read in every record.
    public struct Compiled: Sendable {
        /// Member names, each with whether it is followed by `[]` (every element).
        let segments: [(key: MemberName, each: Bool)]

        /// The same path in storage of its own (for another thread: reading a path retains it).
        var unshared: Compiled { Compiled(segments: segments.map { $0 }) }

        private init(segments: [(key: MemberName, each: Bool)]) { self.segments = segments }

        public init(_ path: String) {
            segments = path.utf8.split(separator: UInt8(ascii: ".")).map { segment in
                let each = segment.count >= 2 && segment.last == UInt8(ascii: "]")
                    && segment[segment.index(segment.endIndex, offsetBy: -2)] == UInt8(ascii: "[")
                return (MemberName(String(decoding: each ? segment.dropLast(2) : segment, as: UTF8.self)), each)
            }
        }

        /// See `JSONPath.values(at:in:prefix:)`.
        public func values(in root: JSONValue, prefix: String = "") -> [(path: String, value: JSONValue)] {
            values(ValueReader(), root, prefix: prefix).map { ($0.path, $0.node) }
        }

        /// See `JSONPath.value(at:in:)`.
        public func value(in root: JSONValue) -> JSONValue? { value(ValueReader(), root) }

        /// `values(in:prefix:)` through any reader of records.
        func values<R: RecordReader>(_ reader: R, _ root: R.Node, prefix: String = "") -> [(path: String, node: R.Node)] {
            var found: [(path: String, node: R.Node)] = []
            var path: [UInt8] = []
            path.reserveCapacity(64)
            var prefix = prefix
            prefix.withUTF8 { path.append(contentsOf: $0) }
            forEach(reader, root, path: &path) { path, node in found.append((String(decoding: path, as: UTF8.self), node)) }
            return found
        }

        /// `body` with each value at the path, depth first in document order, and its concrete
        /// path written after what `path` holds (cut back as it comes up): no list, no `String`.
        func forEach<R: RecordReader, P: PathBytes>(_ reader: R, _ root: R.Node, path: inout P, _ body: (inout P, R.Node) -> Void) {
            collect(reader, root, from: 0, path: &path, body)
        }

        private func collect<R: RecordReader, P: PathBytes>(_ reader: R, _ node: R.Node, from segment: Int, path: inout P,
                                                            _ body: (inout P, R.Node) -> Void) {
            guard segment < segments.count else { return body(&path, node) }
            guard let child = reader.member(node, segments[segment].key) else { return }
            let mark = path.count
            defer { path.cutBack(to: mark) }
            if !path.isEmpty { path.append(UInt8(ascii: ".")) }
            path.append(contentsOf: UnsafeBufferPointer(start: segments[segment].key.bytes, count: segments[segment].key.length))
            guard segments[segment].each else { return collect(reader, child, from: segment + 1, path: &path, body) }
            let base = path.count
            _ = reader.forEachElement(child) { i, item in
                JSONPath.appendIndex(i, to: &path)
                collect(reader, item, from: segment + 1, path: &path, body)
                path.cutBack(to: base)
            }
        }

        /// `value(in:)` through any reader of records: the last value `values` would list, with no
        /// path written and no list made on the way.
        func value<R: RecordReader>(_ reader: R, _ root: R.Node) -> R.Node? {
            if segments.count == 1, !segments[0].each { return reader.member(root, segments[0].key) }
            return last(reader, root, from: 0)
        }

        private func last<R: RecordReader>(_ reader: R, _ node: R.Node, from segment: Int) -> R.Node? {
            guard segment < segments.count else { return node }
            guard let child = reader.member(node, segments[segment].key) else { return nil }
            guard segments[segment].each else { return last(reader, child, from: segment + 1) }
            var found: R.Node?
            _ = reader.forEachElement(child) { _, item in
                if let value = last(reader, item, from: segment + 1) { found = value }
            }
            return found
        }
    }

    /// `[i]`, appended to a path being written (most indexes are one digit: three bytes at once).
    @inline(__always)
    static func appendIndex<Out: ByteAppending>(_ index: Int, to out: inout Out) {
        if index >= 0, index < 10 {
            let bytes: (UInt8, UInt8, UInt8) = (UInt8(ascii: "["), UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: index), UInt8(ascii: "]"))
            return withUnsafeBytes(of: bytes) { out.append(contentsOf: $0.bindMemory(to: UInt8.self)) }
        }
        out.append(UInt8(ascii: "["))
        TimeFormat.appendDecimal(index, into: &out)
        out.append(UInt8(ascii: "]"))
    }

    /// A path that is one member name (no dot, no `[]`): the common case, read without splitting.
    static func isMemberName(_ path: String) -> Bool {
        !path.isEmpty && !path.utf8.contains(UInt8(ascii: ".")) && !path.hasSuffix("[]")
    }

    /// `a[3].b[0].c` -> `a[].b[].c`.
    public static func schemaPath(_ concrete: String) -> String {
        var out = ""
        var skipping = false
        for c in concrete {
            if c == "[" { out += "[]"; skipping = true } else if c == "]" { skipping = false } else if !skipping { out.append(c) }
        }
        return out
    }

    /// Sets the value at a dotted path of object keys, creating objects on the way (replacing
    /// whatever is not an object there).
    public static func set(_ path: String, in root: inout JSONValue, to value: JSONValue) {
        set(path.split(separator: ".").map(String.init)[...], in: &root, to: value)
    }

    private static func set(_ keys: ArraySlice<String>, in node: inout JSONValue, to value: JSONValue) {
        guard let key = keys.first else { node = value; return }
        var members: [JSONMember] = []
        if case .object(let existing) = node { members = existing }
        if let i = members.firstIndex(where: { $0.key == key }) {
            set(keys.dropFirst(), in: &members[i].value, to: value)
        } else {
            var child = JSONValue.object([])
            set(keys.dropFirst(), in: &child, to: value)
            members.append(JSONMember(key, child))
        }
        node = .object(members)
    }
}

/// Bytes a path is written into, cut back as the walk comes up: an array, or (for the paths
/// written for every streamed record) an `OutputBuffer`, cut back without the array's
/// `removeSubrange`.
protocol PathBytes: ByteAppending {
    var count: Int { get }
    var isEmpty: Bool { get }
    /// Drops the bytes from `count` on, keeping the storage.
    mutating func cutBack(to count: Int)
}

extension Array: PathBytes where Element == UInt8 {
    mutating func cutBack(to count: Int) { removeLast(self.count - count) }
}

extension OutputBuffer: PathBytes {
    mutating func cutBack(to count: Int) { truncate(to: count) }
}
