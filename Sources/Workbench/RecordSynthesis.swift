import Adapters
import FoundationEssentials
import Inspect
import JSONText

/// Realistic records made from a plugin's fixture: the fixture is the template; ids are made
/// unique per record and every field the payload schema ties to a code table gets a code from
/// that table, chosen by a seeded generator — the same seed gives the same records.
public struct RecordSynthesis: Sendable {
    let template: JSONValue
    /// Top-level field → the code table the schema ties it to.
    let tables: [String: CodeTable]
    let seed: UInt64

    /// nil when the fixture cannot be read or is not JSON.
    public init?(adapter: Adapter, data: MockSpec.OperationData, adapters: [Adapter], seed: UInt64) {
        guard let bytes = FileManager.default.contents(atPath: adapter.origin + "/" + data.fixture),
              var value = try? JSONParser.parse(bytes: Array(bytes)) else { return nil }
        if let list = data.list, case .array(let items)? = JSONPath.value(at: list, in: value), let first = items.first { value = first }
        template = value
        self.seed = seed
        var decoder = PayloadDecoder(adapters: adapters, vendor: adapter.id)
        var tables: [String: CodeTable] = [:]
        if let kind = decoder.decode(value).first?.kind, let payload = adapter.payload(kind) {
            for field in payload.fields where !field.path.contains(".") && !field.path.contains("[") {
                if let name = field.table, !name.contains(":"), let table = adapter.table(named: name) { tables[field.path] = table }
            }
        }
        self.tables = tables
    }

    /// Record number `index` (0-based).
    public func record(_ index: Int) -> JSONValue {
        guard case .object(let members) = template else { return template }
        var generator = SplitMix64(seed: seed &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15)
        return .object(members.map { member in
            var value = member.value
            let key = member.key
            if let table = tables[key], !table.entries.isEmpty {
                let code = table.entries[Int(generator.next() % UInt64(table.entries.count))].code
                if case .number = value, Int64(code) != nil { value = .number(code) } else if case .string = value { value = .string(code) }
            } else if key == "id" || key.hasSuffix("Id") || key.hasSuffix("ID") {
                switch value {
                case .number(let text): if let n = Int64(text) { value = .int(n &+ Int64(index)) }
                case .string(let text) where !text.isEmpty: value = .string(index == 0 ? text : "\(text)-\(index + 1)")
                default: break
                }
            }
            return JSONMember(key, value)
        })
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64): the mock's data, and
/// deterministic randomness wherever a seed must give the same run.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
