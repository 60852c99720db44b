import Adapters
import Inspect
import JSONText
import Shell
import Wire
import Workbench

/// `captures`: the deliveries `listen` stored — list, show (decoded and verified), export, delete.
public var capturesCommand: CommandSpec {
    CommandSpec(
        name: "captures", group: "network", summary: "list, show, export or delete the webhooks 'listen' received",
        usage: "[list] [--vendor V] [--since T] [--limit N] | show ID | export [--format ndjson|http] | delete ID|--all",
        help: """
        Captures live in $XDG_DATA_HOME/callscope/captures.sqlite3. 'show ID' prints the raw request
        as received, then decodes and verifies it as 'decode' would. 'export' writes every capture
        (NDJSON by default, or raw HTTP separated by blank lines). A capture is an input wherever a
        file is: decode @capture:ID, verify @capture:ID, replay ID.
        """,
        examples: ["captures", "captures --vendor nxlink --since 2026-11-21T00:00:00Z", "captures show 12", "captures export --format http > all.http",
                   "captures delete 12"],
        flags: [
            FlagSpec("vendor", .value(placeholder: "V"), summary: "only this vendor's", completion: AdapterCompletion.vendorIDs),
            FlagSpec("since", .value(placeholder: "T"), summary: "only received at or after (epoch ms, or ISO 8601)"),
            FlagSpec("limit", .value(placeholder: "N"), summary: "at most N, the newest (default 50)"),
            FlagSpec("format", .value(placeholder: "F"), summary: "export as ndjson (default) or http", completion: .words(["ndjson", "http"])),
            FlagSpec("all", summary: "with delete: every capture"),
            FlagSpec("cred", .value(placeholder: "NAME=VALUE"), summary: "with show: a credential to verify with", sensitive: true, repeatable: true, completion: AdapterCompletion.credentialNames),
        ],
        arguments: [ArgumentSpec("action", summary: "list, show, export or delete", optional: true, completion: .words(["list", "show", "export", "delete"])),
                    ArgumentSpec("id", summary: "a capture id", optional: true)]
    ) { context throws(CommandError) in
        try CapturesRun(context: context).run()
    }
}

struct CapturesRun {
    let context: CommandContext
    var session: Session { context.session }

    func run() throws(CommandError) -> Outcome {
        let store = try session.captureStore()
        switch context.positional(0) ?? "list" {
        case "list": return try list(store)
        case "show": return try show(store, try id())
        case "export": return try export(store)
        case "delete":
            let target: Int64? = context.arguments.has("all") ? nil : try id()
            let deleted = try call { try await store.delete(target) }
            // As `show` answers for an id the store does not have.
            if let target, deleted == 0 { throw CommandError(.negative, "no capture \(target)", hint: "see 'captures list'") }
            return .ok(Report(json: ["deleted": .int(deleted)], blocks: [.text("deleted \(deleted) capture\(deleted == 1 ? "" : "s")", .dim)]))
        case let other: throw CommandError.usage("unknown captures action '\(other)'", hint: "usage: \(context.spec.synopsis)")
        }
    }

    func id() throws(CommandError) -> Int64 {
        guard let text = context.positional(1), let id = Int64(text), id > 0 else { throw CommandError.usage("which capture? give its id", hint: "see 'captures list'") }
        return id
    }

    func call<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws(CommandError) -> T {
        do { return try Blocking.run(body) } catch { throw CommandError(.config, "the capture store: \(error)") }
    }

    func list(_ store: any CaptureStore) throws(CommandError) -> Outcome {
        let vendor = context.arguments.value("vendor").map { session.adapterNamed($0)?.id ?? $0 }
        let since = try context.arguments.value("since").map { (t) throws(CommandError) in try VerifyInput.clock(t) }
        var limit = 50
        if let text = context.arguments.value("limit") {
            guard let n = Int(text), n > 0, n <= 1_000_000 else { throw CommandError.usage("--limit takes 1 to 1000000, not '\(text)'") }
            limit = n
        }
        let count = limit
        let captures = try call { try await store.list(vendor: vendor, since: since, limit: count) }
        let rows = captures.map { c in
            [Span(String(c.id ?? 0), .dim), Span(TimeFormat.iso8601(c.receivedAt / 1000)), Span(c.vendor ?? "—", .cyan), Span(c.verdict ?? "—", verdictStyle(c.verdict)),
             Span(String(c.answeredStatus)), Span(c.summary)]
        }
        let blocks: [Block] = captures.isEmpty ? [.text("no captures", .dim)]
            : [.table(Table(headers: ["id", "received", "vendor", "signature", "answered", "summary"], rows: rows, rightAligned: [0]))]
        return .ok(Report(json: ["captures": .array(captures.map(json))], blocks: blocks))
    }

    func verdictStyle(_ v: String?) -> Style { v == "valid" ? .green : v == "mismatch" ? .red : .dim }

    func json(_ c: Capture) -> JSONValue {
        ["id": .int(c.id ?? 0), "received_at": .int(c.receivedAt), "vendor": c.vendor.map { .string($0) } ?? .null,
         "kind": c.kind.map { .string($0) } ?? .null, "verdict": c.verdict.map { .string($0) } ?? .null, "summary": .string(c.summary),
         "peer": .string(c.peer), "answered_status": .int(c.answeredStatus)]
    }

    func show(_ store: any CaptureStore, _ id: Int64) throws(CommandError) -> Outcome {
        guard let capture = try call({ try await store.get(id) }) else { throw CommandError(.negative, "no capture \(id)", hint: "see 'captures list'") }
        var blocks: [Block] = [.line([Span("capture \(id)", .bold), Span("  \(TimeFormat.iso8601(capture.receivedAt / 1000)) from \(capture.peer), answered \(capture.answeredStatus)", .dim)]),
                               .indented(RawHTTP.text(capture.request).replacing("\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }),
                               .blank]
        var json: [JSONMember] = [JSONMember("capture", self.json(capture)), JSONMember("raw", .string(RawHTTP.text(capture.request)))]
        var decoder = PayloadDecoder(adapters: session.adapters)
        let verifier = try session.messageVerifier()
        if !context.arguments.values("cred").isEmpty,
           let vendor = capture.vendor ?? (try? verifier.claim(in: capture.request))?.0.id {
            _ = try CredentialResolver.resolve(context.arguments.values("cred"), for: try session.adapter(vendor), session: session, required: [])
        }
        if let verdict = capture.verdict { blocks.append(.text("signature when received: \(verdict)", .dim)) }
        do {
            // As the raw request, so the signature is checked as 'decode' checks a pasted request.
            let document = try DocumentDecoding.decode(Array(RawHTTP.text(capture.request).utf8), origin: "capture \(id)", decoder: &decoder,
                                                       verifier: verifier, credentials: session.credentialStore)
            let report = DecodeReport.document(document.records, message: capture.request, verification: document.verification, all: false,
                                               valueWidth: session.terminalWidth >= 1000 ? Int.max : 40)
            blocks += report.blocks
            json.append(JSONMember("decoded", report.json))
        } catch {
            blocks.append(.text("not decodable: \(error.message)", .yellow))
        }
        return .ok(Report(json: .object(json), blocks: blocks))
    }

    func export(_ store: any CaptureStore) throws(CommandError) -> Outcome {
        let format = context.arguments.value("format") ?? "ndjson"
        guard format == "ndjson" || format == "http" else { throw CommandError.usage("--format is ndjson or http, not '\(format)'") }
        let vendor = context.arguments.value("vendor").map { session.adapterNamed($0)?.id ?? $0 }
        let captures = try call { try await store.list(vendor: vendor, since: nil, limit: Int.max) }
        for c in captures {
            if format == "http" {
                session.output.out(RawHTTP.text(c.request) + "\n\n")
            } else {
                var doc = json(c)
                if case .object(var members) = doc {
                    members += [JSONMember("method", .string(c.request.method ?? "")), JSONMember("target", .string(c.request.target ?? "")),
                                JSONMember("headers", .array(c.request.headers.map { .array([.string($0.name), .string($0.value)]) })),
                                JSONMember("body", .string(String(decoding: c.request.body, as: UTF8.self)))]
                    doc = .object(members)
                }
                session.output.out(JSONWriter.compact(doc) + "\n")
            }
        }
        return .ok()
    }
}
