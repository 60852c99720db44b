import Adapters
import JSONText
import LuaHost
import Shell
import Workbench

/// `plugins [list]`, `plugins info ID`, `plugins test [ID]`, `plugins reload`.
public var pluginsCommand: CommandSpec {
    CommandSpec(
        name: "plugins", group: "plugins", summary: "list, inspect, test or reload the vendor adapters",
        usage: "[list | info ID | test [ID] | reload]",
        help: """
        Adapters are Lua plugins: plugins/<id>/plugin.lua, loaded from the bundled folder,
        $CALLSCOPE_PLUGINS, $XDG_DATA_HOME/callscope/plugins and --plugins DIR (later ones override
        earlier ones with the same id). 'test' runs every example a plugin carries — signature
        vectors, explain samples, table sizes — and exits 1 if any fails.
        """,
        examples: ["plugins", "plugins info telephony", "plugins test", "plugins reload"],
        arguments: [ArgumentSpec("action", summary: "list (default), info, test or reload", optional: true,
                                 completion: .words(["list", "info", "test", "reload"])),
                    ArgumentSpec("id", summary: "an adapter id", optional: true, completion: AdapterCompletion.vendorIDs)]
    ) { context throws(CommandError) in
        guard let host = context.session.pluginHost else { throw CommandError(.config, "no plugin host in this session") }
        switch context.positional(0) ?? "list" {
        case "list":
            return .ok(PluginReports.list(host))
        case "info":
            guard let id = context.positional(1) else { throw CommandError.usage("missing ID", hint: "usage: plugins info ID") }
            return .ok(PluginReports.info(try context.session.adapter(id)))
        case "test":
            var adapters = host.adapters
            if let id = context.positional(1) { adapters = [try context.session.adapter(id)] }
            let all = host.adapters
            let results = adapters.flatMap { ExampleRunner.run($0, host: host) + DecodeExamples.run($0, adapters: all) }
            let failed = results.filter { !$0.passed }.count
            return Outcome(status: failed == 0 && host.diagnostics.isEmpty ? .ok : .negative,
                           report: PluginReports.test(results, diagnostics: host.diagnostics))
        case "reload":
            host.load(useCache: false)
            if let vendor = context.session.vendor, host.adapter(vendor) == nil { context.session.vendor = nil }
            return Outcome(status: host.diagnostics.isEmpty ? .ok : .config, report: PluginReports.list(host))
        case let other:
            throw CommandError.usage("unknown plugins action '\(other)'", hint: "usage: plugins [list | info ID | test [ID] | reload]")
        }
    }
}

/// Reports of the `plugins` command.
enum PluginReports {
    static func list(_ host: PluginHost) -> Report {
        let rows = host.adapters.map { a -> [Span] in
            let codes = a.codeTables.reduce(0) { $0 + $1.entries.count }
            return [Span(a.id, .cyan), Span(a.name), Span(a.version), Span(String(a.codeTables.count)), Span(String(codes)),
                    Span(String(a.payloads.count)), Span(String(a.operations.count)), Span(a.canSign ? "yes" : "—"), Span(a.origin, .dim)]
        }
        var blocks: [Block] = [.table(Table(headers: ["id", "name", "version", "tables", "codes", "payloads", "operations", "signs", "origin"],
                                            rows: rows, rightAligned: [3, 4, 5, 6]))]
        blocks += notes(host)
        let json: JSONValue = [
            "plugins": .array(host.adapters.map { a in
                ["id": .string(a.id), "name": .string(a.name), "version": .string(a.version), "origin": .string(a.origin),
                 "tables": .int(a.codeTables.count), "codes": .int(a.codeTables.reduce(0) { $0 + $1.entries.count }),
                 "payloads": .int(a.payloads.count), "operations": .int(a.operations.count), "signs": .bool(a.canSign)]
            }),
            "diagnostics": .array(host.diagnostics.map { .string($0.description) }),
            "notices": .array(host.notices.map { .string($0) }),
        ]
        return Report(json: json, blocks: blocks)
    }

    static func notes(_ host: PluginHost) -> [Block] {
        var blocks: [Block] = []
        for notice in host.notices { blocks.append(.text("note: " + notice, .dim)) }
        for d in host.diagnostics { blocks.append(.line([Span("skipped: ", .red), Span(d.description)])) }
        return blocks
    }

    static func info(_ a: Adapter) -> Report {
        var blocks: [Block] = [.line([Span(a.id, .bold), Span(" — " + a.name)])]
        if !a.summary.isEmpty { blocks.append(.text(a.summary)) }
        var pairs: [(String, [Span])] = [("version", [Span(a.version)]), ("origin", [Span(a.origin)]),
                                         ("signs", [Span(a.canSign ? "yes" : "no")])]
        if !a.credentials.isEmpty {
            pairs.append(("credentials", [Span(a.credentials.map { $0.name + ($0.secret ? " (secret)" : "") }.joined(separator: ", "))]))
        }
        for doc in a.docs { pairs.append(("doc", [Span(doc, .dim)])) }
        blocks.append(.pairs(pairs))
        if !a.regions.isEmpty {
            blocks += [.blank, .heading("Regions"),
                       .table(Table(headers: ["code", "name", "base URL", "note"],
                                    rows: a.regions.map { [Span($0.code), Span($0.name), Span($0.baseURL), Span($0.note ?? "", .dim)] }))]
        }
        if !a.codeTables.isEmpty {
            blocks += [.blank, .heading("Code tables"),
                       .table(Table(headers: ["table", "values", "title"],
                                    rows: a.codeTables.map { [Span($0.name, .cyan), Span(String($0.entries.count)), Span($0.title)] },
                                    rightAligned: [1]))]
        }
        if !a.payloads.isEmpty {
            blocks += [.blank, .heading("Payloads"),
                       .table(Table(headers: ["kind", "fields", "title"],
                                    rows: a.payloads.map { [Span($0.kind, .cyan), Span(String($0.fields.count)), Span($0.title)] },
                                    rightAligned: [1]))]
        }
        if !a.operations.isEmpty {
            blocks += [.blank, .heading("Operations"),
                       .table(Table(headers: ["name", "method", "path", "summary"],
                                    rows: a.operations.map { [Span($0.name, .cyan), Span($0.method), Span($0.path), Span($0.summary)] }))]
        }
        if !a.webhooks.isEmpty {
            blocks += [.blank, .heading("Webhooks")]
            for w in a.webhooks {
                blocks.append(.pairs([(w.kind, [Span("ack: " + w.acknowledgement)]), ("", [Span("retry: " + w.retry)]),
                                      ("", [Span("signing: " + w.signing)])]))
            }
        }
        if !a.conflicts.isEmpty { blocks += [.blank, .heading("Conflicts in the sources"), .indented(a.conflicts.map { "• " + $0 })] }
        if !a.undocumented.isEmpty { blocks += [.blank, .heading("Not documented"), .indented(a.undocumented.map { "• " + $0 })] }
        let json: JSONValue = [
            "id": .string(a.id), "name": .string(a.name), "version": .string(a.version), "origin": .string(a.origin),
            "summary": .string(a.summary), "docs": .array(a.docs.map { .string($0) }), "signs": .bool(a.canSign),
            "credentials": .array(a.credentials.map { ["name": .string($0.name), "secret": .bool($0.secret)] }),
            "regions": .array(a.regions.map { ["code": .string($0.code), "name": .string($0.name), "baseURL": .string($0.baseURL)] }),
            "tables": .array(a.codeTables.map { ["name": .string($0.name), "title": .string($0.title), "values": .int($0.entries.count)] }),
            "payloads": .array(a.payloads.map { ["kind": .string($0.kind), "fields": .int($0.fields.count)] }),
            "operations": .array(a.operations.map { ["name": .string($0.name), "method": .string($0.method), "path": .string($0.path)] }),
            "conflicts": .array(a.conflicts.map { .string($0) }),
            "undocumented": .array(a.undocumented.map { .string($0) }),
        ]
        return Report(json: json, blocks: blocks)
    }

    static func test(_ results: [ExampleResult], diagnostics: [PluginDiagnostic]) -> Report {
        let rows = results.map { r -> [Span] in
            [Span(r.passed ? "pass" : "FAIL", r.passed ? .green : .red), Span(r.plugin, .cyan), Span(r.kind), Span(r.name),
             Span(r.detail, r.passed ? .dim : .plain)]
        }
        let failed = results.filter { !$0.passed }.count
        var blocks: [Block] = [.table(Table(headers: ["", "plugin", "kind", "example", "detail"], rows: rows))]
        for d in diagnostics { blocks.append(.line([Span("FAIL ", .red), Span("load: " + d.description)])) }
        blocks.append(.line([Span("\(results.count - failed) passed, \(failed + diagnostics.count) failed", failed + diagnostics.count == 0 ? .green : .red)]))
        let json: JSONValue = [
            "results": .array(results.map {
                ["plugin": .string($0.plugin), "kind": .string($0.kind), "name": .string($0.name), "passed": .bool($0.passed),
                 "detail": .string($0.detail)]
            }),
            "diagnostics": .array(diagnostics.map { .string($0.description) }),
            "passed": .int(results.count - failed), "failed": .int(failed + diagnostics.count),
        ]
        return Report(json: json, blocks: blocks)
    }
}
