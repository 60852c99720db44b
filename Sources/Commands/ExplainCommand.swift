import TextSupport
import Adapters
import Inspect
import JSONText
import Shell

/// `explain [VENDOR] [TABLE] CODE|TEXT`: what a status, result, error, hang-up cause or SIP code means.
public var explainCommand: CommandSpec {
    CommandSpec(
        name: "explain", aliases: ["x"], group: "inspect", summary: "what a status, result, error, hang-up cause or SIP code means",
        usage: "[VENDOR] [TABLE] CODE|TEXT [--operation OP]",
        help: """
        Searches every adapter and table unless a vendor or table is named; a table name alone
        searches the vendor in use first. Exact codes and names match first (17, -16,
        NORMAL_CLEARING, ANSWERED); otherwise every word must appear in the meaning ("busy").
        Tables that differ by endpoint family (itniotech) are narrowed with --operation.
        'sip' and 'hangup' name the telephony reference tables.
        """,
        examples: ["explain 17", "explain nxlink callResult 17", "explain callResult 17", "explain NORMAL_CLEARING",
                   "explain sip 486", "explain 1003", "explain busy", "explain itniotech -4 --operation taskList"],
        flags: [FlagSpec("operation", .value(placeholder: "OP"), summary: "only the tables of this operation's endpoint family",
                         completion: AdapterCompletion.operationNames)],
        arguments: [ArgumentSpec("query", summary: "vendor, table and code or words", variadic: true,
                                 completion: .described { request in
                                     let adapters = request.session?.adapters ?? []
                                     func plain(_ words: [String]) -> [(word: String, description: String)] { words.map { ($0, "") } }
                                     if request.words.count <= 1 { return plain(adapters.map(\.id) + adapters.flatMap { $0.codeTables.map(\.name) }) }
                                     if case .described(let codes) = AdapterCompletion.codeValues {
                                         let found = codes(request)
                                         if !found.isEmpty { return found }
                                     }
                                     return plain(adapters.filter { request.words.contains($0.id) }.flatMap { $0.codeTables.map(\.name) })
                                 })]
    ) { context throws(CommandError) in
        let session = context.session
        var adapters = session.adapters
        var query = CodeLookup.parse(context.positionals, adapters: adapters, defaultVendor: session.vendor)
        if let opName = context.arguments.value("operation") {
            let owner = adapters.first { $0.id == (query.vendor ?? session.vendor) && $0.operation(named: opName) != nil }
                ?? adapters.first { $0.operation(named: opName) != nil }
            guard let owner, let operation = owner.operation(named: opName) else {
                throw CommandError(.negative, "no operation '\(opName)'", hint: "see 'plugins info VENDOR'")
            }
            query.vendor = owner.id
            if let family = operation.family {
                adapters = adapters.map { adapter in
                    guard adapter.id == owner.id else { return adapter }
                    var narrowed = adapter
                    narrowed.codeTables = adapter.codeTables.filter { $0.family == nil || $0.family == family }
                    return narrowed
                }
            }
        }
        guard !query.terms.isEmpty else {
            throw CommandError.usage("what should I explain?", hint: "usage: \(context.spec.synopsis); 'codes' lists whole tables")
        }
        // With a vendor in use (and none named), its tables answer first.
        var notes: [String] = []
        if query.vendor == nil, let current = session.vendor, adapters.contains(where: { $0.id == current }) {
            var scoped = query
            scoped.vendor = current
            let own = CodeLookup.find(scoped, in: adapters)
            if !own.isEmpty {
                let others = CodeLookup.find(query, in: adapters).count - own.count
                if others > 0 { notes.append("\(others) more in other vendors' tables ('use' alone searches all)") }
                return .ok(ExplainReport.make(own, notes: notes))
            }
            notes.append("\(query.terms.joined(separator: " ")) is not defined by \(current)" + CodeGaps.describe(query.terms.joined(separator: " "), in: adapters.first { $0.id == current }!))
        }
        let matches = CodeLookup.find(query, in: adapters)
        if matches.isEmpty, !notes.isEmpty {
            throw CommandError(.negative, notes[0], hint: "no other vendor defines it either")
        }
        if matches.isEmpty {
            let near = CodeLookup.nearest(query, in: adapters)
            let scope = [query.vendor, query.table].compactMap { $0 }.joined(separator: " ")
            let gaps = query.vendor.flatMap { v in adapters.first { $0.id == v } }.map { adapter in
                var narrowed = adapter
                if let table = query.table { narrowed.codeTables = adapter.codeTables.filter { $0.name == table } }
                return CodeGaps.describe(query.terms.joined(separator: " "), in: narrowed)
            } ?? ""
            var error = CommandError(.negative, "\(query.terms.joined(separator: " ")) not found\(scope.isEmpty ? "" : " in \(scope)")\(gaps)")
            // A mistyped vendor or table name before the code: say which was probably meant.
            let names = adapters.flatMap { [$0.id] + $0.aliases + $0.codeTables.map(\.name) }
            let mistyped = query.terms.count >= 2 ? EditDistanceHint.suggestion(for: query.terms[0], among: names) : nil
            if let mistyped {
                error.hint = mistyped
            } else if !near.isEmpty {
                error.context = near.map { "\($0.vendor) \($0.table.name) \($0.entry.code)  \($0.entry.meaning)" }
                error.hint = "nearest matches above"
            } else {
                error.hint = "'codes' lists every table"
            }
            throw error
        }
        return .ok(ExplainReport.make(matches, notes: notes))
    }
}

/// Where a vendor's numbered table skips a code: "callResult lists 0–20 without 4".
enum CodeGaps {
    static func describe(_ term: String, in adapter: Adapter) -> String {
        guard let n = Int(term) else { return "" }
        var gaps: [String] = []
        for table in adapter.codeTables {
            let numbers = table.entries.compactMap { Int($0.code) }
            // Only a table that numbers its codes densely has gaps worth naming (an error table does not).
            guard numbers.count >= 3, let low = numbers.min(), let high = numbers.max(), low < n, n < high,
                  numbers.count * 10 >= (high - low + 1) * 7, !numbers.contains(n) else { continue }
            gaps.append("\(table.name) lists \(low)–\(high) without \(n) (the source leaves it out)")
        }
        return gaps.isEmpty ? "" : ": " + gaps.joined(separator: "; ")
    }
}

/// The report of `explain`: matches grouped by vendor and table.
enum ExplainReport {
    static func make(_ matches: [CodeMatch], notes: [String] = []) -> Report {
        var blocks: [Block] = notes.map { .text($0, .yellow) }
        var lastGroup = ""
        for match in matches {
            let group = match.vendor + "/" + match.table.name
            if group != lastGroup {
                if !lastGroup.isEmpty { blocks.append(.blank) }
                var title = "\(match.vendor) · \(match.table.name) — \(match.table.title)"
                if let family = match.table.family { title += " [\(family) endpoints]" }
                blocks.append(.heading(title))
                lastGroup = group
            }
            var line: [Span] = [Span("  " + match.entry.code, .cyan)]
            if let name = match.entry.attributes["name"] { line.append(Span(" " + name, .bold)) }
            line.append(Span("  " + match.entry.meaning))
            blocks.append(.line(line))
            let extra = match.entry.attributes.filter { $0.key != "name" }
            if !extra.isEmpty {
                blocks.append(.line([Span("      " + extra.map { "\($0.key): \($0.value)" }.joining("  "), .dim)]))
            }
            if let hint = match.entry.hint { blocks.append(.line([Span("      → ", .yellow), Span(hint)])) }
        }
        var json: JSONValue = ["matches": .array(matches.map(entryJSON))]
        if !notes.isEmpty, case .object(var members) = json {
            members.append(JSONMember("notes", .array(notes.map { .string($0) })))
            json = .object(members)
        }
        return Report(json: json, blocks: blocks)
    }

    static func entryJSON(_ match: CodeMatch) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember("vendor", .string(match.vendor)), JSONMember("table", .string(match.table.name)),
            JSONMember("code", .string(match.entry.code)), JSONMember("meaning", .string(match.entry.meaning)),
            JSONMember("tableTitle", .string(match.table.title)), JSONMember("matchedBy", .string(match.via)),
        ]
        if let family = match.table.family { members.append(JSONMember("family", .string(family))) }
        if let hint = match.entry.hint { members.append(JSONMember("hint", .string(hint))) }
        if !match.entry.aliases.isEmpty { members.append(JSONMember("aliases", .array(match.entry.aliases.map { .string($0) }))) }
        if !match.entry.attributes.isEmpty {
            members.append(JSONMember("attributes", .object(match.entry.attributes.map { JSONMember($0.key, .string($0.value)) })))
        }
        if let doc = match.entry.doc ?? match.table.doc { members.append(JSONMember("doc", .string(doc))) }
        return .object(members)
    }
}
