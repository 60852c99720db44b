/// A value read out of a plugin's Lua table, before validation.
public indirect enum PluginValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case table(PluginTable)
    /// A Lua function, kept in its plugin's state under this reference.
    case function(Int32)

    public var typeName: String {
        switch self {
        case .null: return "nil"
        case .bool: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .table: return "table"
        case .function: return "function"
        }
    }

    /// Numbers and strings as text (integers without a decimal point); nil otherwise.
    public var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }
}

/// A Lua table split into its sequence part (1…n) and its named fields (sorted by key).
public struct PluginTable: Equatable, Sendable {
    public var array: [PluginValue]
    public var fields: [String: PluginValue]

    public init(array: [PluginValue] = [], fields: [String: PluginValue] = [:]) {
        self.array = array
        self.fields = fields
    }

    public subscript(key: String) -> PluginValue? { fields[key] }
}
