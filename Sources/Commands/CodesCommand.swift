import Adapters
import JSONText
import Shell

/// `codes [VENDOR] [TABLE]`: every table, or every code of one table.
public var codesCommand: CommandSpec {
    CommandSpec(
        name: "codes", group: "inspect", summary: "list code tables, or every code of one table",
        usage: "[VENDOR] [TABLE]",
        examples: ["codes", "codes nxlink", "codes nxlink callResult", "codes telephony sip"],
        arguments: [ArgumentSpec("vendor", summary: "an adapter id", optional: true, completion: AdapterCompletion.vendorIDs),
                    ArgumentSpec("table", summary: "a table of that adapter", optional: true, completion: AdapterCompletion.tableNames)]
    ) { context throws(CommandError) in
        let session = context.session
        var vendorID = context.positional(0)
        var tableName = context.positional(1)
        // `codes callResult` with a vendor in use.
        if let only = vendorID, tableName == nil, session.adapterNamed(only) == nil, let current = session.vendor {
            tableName = only
            vendorID = current
        }
        // With a vendor in use, its tables come first.
        let adapters = try vendorID.map { (id) throws(CommandError) in [try session.adapter(id)] }
            ?? session.adapters.sorted { ($0.id == session.vendor ? 0 : 1, $0.id) < ($1.id == session.vendor ? 0 : 1, $1.id) }
        if let tableName {
            let adapter = adapters[0]
            guard let table = adapter.table(named: tableName) else {
                let names = adapter.codeTables.map(\.name)
                throw CommandError(.negative, "\(adapter.id) has no table '\(tableName)'",
                                   hint: EditDistanceHint.suggestion(for: tableName, among: names) ?? "tables: \(names.joined(separator: ", "))")
            }
            let hasNames = table.entries.contains { $0.attributes["name"] != nil }
            let rows = table.entries.map { e -> [Span] in
                var row = [Span(e.code, .cyan)]
                if hasNames { row.append(Span(e.attributes["name"] ?? "", .bold)) }
                row.append(Span(e.meaning))
                return row
            }
            var blocks: [Block] = [.heading("\(adapter.id) · \(table.name) — \(table.title)")]
            if let doc = table.doc { blocks.append(.text(doc, .dim)) }
            blocks.append(.table(Table(headers: hasNames ? ["code", "name", "meaning"] : ["code", "meaning"], rows: rows, rightAligned: [])))
            let json: JSONValue = [
                "vendor": .string(adapter.id), "table": .string(table.name), "title": .string(table.title),
                "codes": .array(table.entries.map { e in
                    var m: [JSONMember] = [JSONMember("code", .string(e.code)), JSONMember("meaning", .string(e.meaning))]
                    if let hint = e.hint { m.append(JSONMember("hint", .string(hint))) }
                    for a in e.attributes { m.append(JSONMember(a.key, .string(a.value))) }
                    return .object(m)
                }),
            ]
            return .ok(Report(json: json, blocks: blocks))
        }
        let rows = adapters.flatMap { a in
            a.codeTables.map { [Span(a.id, .cyan), Span($0.name), Span(String($0.entries.count)), Span($0.title)] }
        }
        let json: JSONValue = ["tables": .array(adapters.flatMap { a in
            a.codeTables.map { ["vendor": .string(a.id), "table": .string($0.name), "values": .int($0.entries.count), "title": .string($0.title)] }
        })]
        return .ok(Report(json: json, blocks: [.table(Table(headers: ["vendor", "table", "codes", "title"], rows: rows, rightAligned: [2]))]))
    }
}
