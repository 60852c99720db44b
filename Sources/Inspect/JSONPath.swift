import JSONText

/// Dotted paths with `[]` for "every element": `callInfoDetailList[].agent.agentName`.
public enum JSONPath {
    /// Every value at `path` (several when the path crosses arrays), with concrete paths (`a[0].b`).
    public static func values(at path: String, in root: JSONValue, prefix: String = "") -> [(path: String, value: JSONValue)] {
        if prefix.isEmpty, isMemberName(path) { return root[path].map { [(path, $0)] } ?? [] }
        var current: [(String, JSONValue)] = [(prefix, root)]
        for segment in path.split(separator: ".") {
            var key = Substring(segment)
            let each = key.hasSuffix("[]")
            if each { key = key.dropLast(2) }
            var next: [(String, JSONValue)] = []
            for (p, v) in current {
                guard let child = v[String(key)] else { continue }
                let childPath = p.isEmpty ? String(key) : p + "." + key
                if each {
                    guard case .array(let items) = child else { continue }
                    for (i, item) in items.enumerated() { next.append(("\(childPath)[\(i)]", item)) }
                } else {
                    next.append((childPath, child))
                }
            }
            current = next
        }
        return current.map { (path: $0.0, value: $0.1) }
    }

    public static func value(at path: String, in root: JSONValue) -> JSONValue? {
        if isMemberName(path) { return root[path] }
        return values(at: path, in: root).last?.value
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
