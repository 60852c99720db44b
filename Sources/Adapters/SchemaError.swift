import TextSupport

/// A plugin table that does not follow the schema: where (key path) and what.
public struct SchemaError: Error, Equatable, Sendable, CustomStringConvertible {
    public var keyPath: String
    public var message: String

    public init(_ keyPath: String, _ message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String { keyPath.isEmpty ? message : "\(keyPath): \(message)" }
}

/// Typed, path-aware access to a plugin table while it is validated.
struct SchemaReader {
    let table: PluginTable
    let path: String
    /// Shared by every reader of one plugin: what was ignored, to report without failing the load.
    let warnings: SchemaWarnings

    init(_ table: PluginTable, path: String, warnings: SchemaWarnings) {
        self.table = table
        self.path = path
        self.warnings = warnings
    }

    func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    func at(_ index: Int) -> String { "\(path)[\(index + 1)]" }

    func string(_ key: String) throws(SchemaError) -> String {
        guard let value = table[key] else { throw SchemaError(at(key), "required, missing") }
        guard case .string(let s) = value, !s.isEmpty else {
            throw SchemaError(at(key), "must be a non-empty string, not \(value.typeName)")
        }
        return s
    }

    func optionalString(_ key: String) throws(SchemaError) -> String? {
        guard let value = table[key] else { return nil }
        guard case .string(let s) = value else { throw SchemaError(at(key), "must be a string, not \(value.typeName)") }
        return s
    }

    func bool(_ key: String, default fallback: Bool = false) throws(SchemaError) -> Bool {
        guard let value = table[key] else { return fallback }
        guard case .bool(let b) = value else { throw SchemaError(at(key), "must be true or false, not \(value.typeName)") }
        return b
    }

    func optionalInt(_ key: String) throws(SchemaError) -> Int? {
        guard let value = table[key] else { return nil }
        guard case .integer(let i) = value else { throw SchemaError(at(key), "must be an integer, not \(value.typeName)") }
        return Int(i)
    }

    func strings(_ key: String) throws(SchemaError) -> [String] {
        guard let value = table[key] else { return [] }
        guard case .table(let t) = value, t.fields.isEmpty else {
            throw SchemaError(at(key), "must be a list of strings")
        }
        var out: [String] = []
        for (i, item) in t.array.enumerated() {
            guard case .string(let s) = item else { throw SchemaError("\(at(key))[\(i + 1)]", "must be a string, not \(item.typeName)") }
            out.append(s)
        }
        return out
    }

    func stringMap(_ key: String) throws(SchemaError) -> [String: String] {
        guard let value = table[key] else { return [:] }
        guard case .table(let t) = value, t.array.isEmpty else { throw SchemaError(at(key), "must be a table of name = value") }
        var out: [String: String] = [:]
        for (name, item) in t.fields {
            guard let text = item.scalarText else { throw SchemaError("\(at(key)).\(name)", "must be a string or number") }
            out[name] = text
        }
        return out
    }

    /// A sub-table (list or record), or nil when absent.
    func optionalTable(_ key: String) throws(SchemaError) -> SchemaReader? {
        guard let value = table[key] else { return nil }
        guard case .table(let t) = value else { throw SchemaError(at(key), "must be a table, not \(value.typeName)") }
        return SchemaReader(t, path: at(key), warnings: warnings)
    }

    /// Each element of a list, as a record reader.
    func records(_ key: String) throws(SchemaError) -> [SchemaReader] {
        guard let list = try optionalTable(key) else { return [] }
        guard list.table.fields.isEmpty else { throw SchemaError(at(key), "must be a list ({ {...}, {...} })") }
        var out: [SchemaReader] = []
        for (i, item) in list.table.array.enumerated() {
            guard case .table(let t) = item else { throw SchemaError(list.at(i), "must be a table, not \(item.typeName)") }
            out.append(SchemaReader(t, path: list.at(i), warnings: warnings))
        }
        return out
    }

    /// Each named field of a record, as a record reader, sorted by name.
    func namedRecords(_ key: String) throws(SchemaError) -> [(String, SchemaReader)] {
        guard let map = try optionalTable(key) else { return [] }
        guard map.table.array.isEmpty else { throw SchemaError(at(key), "must map names to tables (name = {...})") }
        var out: [(String, SchemaReader)] = []
        for name in map.table.fields.keys.sorted() {
            let item = map.table.fields[name]!
            guard case .table(let t) = item else { throw SchemaError(map.at(name), "must be a table, not \(item.typeName)") }
            out.append((name, SchemaReader(t, path: map.at(name), warnings: warnings)))
        }
        return out
    }

    /// Rejects keys outside `allowed`, suggesting the nearest.
    /// Keys outside `allowed` are warnings, not errors: a plugin written for a newer callscope still
    /// loads here, and a typo is pointed out with the nearest known key.
    func onlyKeys(_ allowed: Set<String>) {
        for key in table.fields.keys.sorted() where !allowed.contains(key) {
            let hint = EditDistance.suggestions(for: key, among: allowed.sorted(), limit: 1).first.map { " (did you mean '\($0)'?)" } ?? ""
            warnings.list.append(SchemaError(at(key), "unknown key, ignored\(hint)"))
        }
    }
}

/// Warnings collected while one plugin is validated (one builder, one thread).
final class SchemaWarnings {
    var list: [SchemaError] = []
}
