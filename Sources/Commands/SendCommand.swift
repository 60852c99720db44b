import Glibc
import Adapters
import Inspect
import JSONText
import Shell
import Wire
import Workbench

/// `send VENDOR OPERATION [BODY|@file|-]`: signs exactly as `sign` does, sends it, and decodes the
/// answer with the adapter — the envelope's code explained, each record annotated.
public var sendCommand: CommandSpec {
    CommandSpec(
        name: "send", group: "network", summary: "sign a request, send it, and decode the vendor's answer",
        usage: "[VENDOR] OPERATION [BODY|@file|-] [--cred NAME=VALUE]… [--base-url URL] [--all] [--dry-run|--curl] [-v]",
        help: """
        Signs exactly as 'sign' does (every pin available) and sends the request: method, URL from
        the adapter's region (--region) or --base-url, headers, and the body bytes that were signed.
        Shows the status, the time to connect, to the first byte and in total, and the answer decoded
        by the adapter: the envelope's code with its meaning and what to do, each record annotated as
        'decode' does. A response the vendor signs is verified. --all follows the operation's paging
        until every record is in (Ctrl-C stops cleanly). --dry-run prints the request instead of
        sending it; --curl prints the equivalent curl command. Secrets never appear in either.
        Exit: 0 success, 1 the vendor answered with an error, 69 no answer (refused, unknown host,
        timeout).
        """,
        examples: ["send nxlink call/list '{\"taskId\":\"t1\",\"pageNumber\":1,\"pageSize\":10}' --cred accessKey=AK --cred accessSecret=env:NX_SECRET",
                   "send itniotech recordQuery @query.json --all --json > records.ndjson",
                   "send nxlink call/list @body.json --base-url http://127.0.0.1:8080 -v"],
        flags: SignFlags.specs + [
            FlagSpec("base-url", .value(placeholder: "URL"), summary: "send here instead of the region's base URL"),
            FlagSpec("timeout", .value(placeholder: "SECONDS"), summary: "give up after this long (default 30)"),
            FlagSpec("all", summary: "follow the operation's paging until every record is in"),
            FlagSpec("dry-run", summary: "print the request instead of sending it"),
            FlagSpec("curl", summary: "print the equivalent curl command instead of sending"),
            FlagSpec("verbose", short: "v", summary: "also show request and response headers"),
            FlagSpec("insecure", summary: "accept a TLS certificate nobody vouches for (a self-signed test server)"),
        ],
        arguments: SignFlags.arguments,
        acceptsRawBody: true
    ) { context throws(CommandError) in
        try SendRun(context: context).run()
    }
}

/// The network the session sends through (registered by the launcher).
public final class TransportService {
    public let transport: any Transport
    public init(_ transport: any Transport) { self.transport = transport }
}

extension Session {
    func transport() throws(CommandError) -> any Transport {
        guard let transport = service(TransportService.self)?.transport else { throw CommandError(.unavailable, "this callscope has no network transport") }
        return transport
    }

    /// The session's one instance of a service, made on first use.
    func shared<T: AnyObject>(_ make: () -> T) -> T {
        if let existing = service(T.self) { return existing }
        let made = make()
        register(made)
        return made
    }

    /// Runs a server in the foreground until Ctrl-C, saying so on stderr.
    func serveInForeground(_ server: NetworkServer, lines: [String], stopped: String) {
        output.err(lines.joined(separator: "\n") + "\n(Ctrl-C stops it)\n")
        while !interruptRequested() { usleep(50_000) }
        server.stop()
        output.err(stopped + "\n")
    }
}

struct SendRun {
    let context: CommandContext
    var session: Session { context.session }

    func run() throws(CommandError) -> Outcome {
        var plan = try SignFlags.plan(context)
        guard plan.operation != nil || context.arguments.value("path") != nil else {
            throw CommandError.usage("which operation?", hint: "\(plan.adapter.id) operations: \(plan.adapter.operations.map(\.name).joined(separator: ", "))")
        }
        if let base = context.arguments.value("base-url") {
            guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
                throw CommandError.usage("--base-url takes http://HOST[:PORT] or https://…, not '\(base)'")
            }
            plan.baseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        }
        let signer = try session.signer()
        if context.arguments.has("dry-run") || context.arguments.has("curl") {
            let prepared = try CommandError.wrap { () throws(WorkbenchError) in try RequestPreparation(signer: signer).prepare(plan) }
            if context.arguments.has("curl") {
                return .ok(Report(json: ["curl": .string(prepared.curl)], blocks: [.text(prepared.curl)]))
            }
            return .ok(SendReport.request(prepared))
        }
        var options = TransportOptions(allowInsecureTLS: context.arguments.has("insecure"))
        if let text = context.arguments.value("timeout") {
            guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
                throw CommandError.usage("--timeout takes seconds from 0 to 3600, not '\(text)'")
            }
            options.timeoutSeconds = seconds
        }
        let transport = try session.transport()
        let sending = RequestSending(adapters: session.adapters, signer: signer, transport: transport, credentials: session.credentialStore)
        if context.arguments.has("all") { return try sendAll(plan, sending: sending, options: options) }
        let result = try CommandError.wrap { () throws(WorkbenchError) in try sending.send(plan, options: options) }
        return Outcome(status: result.isVendorError ? .negative : .ok,
                       report: SendReport.exchange(result, verbose: context.arguments.has("verbose"), valueWidth: session.terminalWidth >= 1000 ? Int.max : 40))
    }

    /// Every page, records streamed in order: NDJSON with --json, rows otherwise; then a summary.
    func sendAll(_ plan: RequestPlan, sending: RequestSending, options: TransportOptions) throws(CommandError) -> Outcome {
        let renderer = HumanRenderer(color: session.color, width: session.terminalWidth)
        var summary = BatchSummary()
        var progress = ProgressLine(total: nil, always: true)
        var pages = 0
        if !context.json { session.output.out(renderer.render(DecodeReport.batchHeader())) }
        let outcome = try CommandError.wrap { () throws(WorkbenchError) in
            try sending.sendAllPages(plan, options: options, cancel: session.cancellation) { page in
                for record in page.recognisedRecords {
                    summary.add(record)
                    if context.json {
                        var bytes: [UInt8] = []
                        record.writeJSON(into: &bytes)
                        bytes.append(0x0A)
                        bytes.withUnsafeBufferPointer(session.output.outBytes)
                    } else {
                        session.output.out(renderer.render([DecodeReport.batchRow(record, line: nil, index: summary.records - 1)]))
                    }
                }
                pages += 1
                progress.note("page \(pages) · \(summary.records) records (Ctrl-C stops)")
            }
        }
        progress.finish()
        var summaryJSON = DecodeReport.summaryJSON(summary, failedLines: [])
        if case .object(var members) = summaryJSON {
            members.append(JSONMember("pages", .int(outcome.pages)))
            if outcome.interrupted { members.append(JSONMember("interrupted", .bool(true))) }
            summaryJSON = .object(members)
        }
        if context.json {
            session.output.out(JSONWriter.compact(["summary": summaryJSON]) + "\n")
        } else {
            session.output.out(renderer.render(DecodeReport.summaryBlocks(summary, failedLines: []) + [.text("\(outcome.pages) pages", .dim)]))
        }
        if let failed = outcome.failed {
            session.output.out(HumanRenderer(color: session.color, width: session.terminalWidth).render(SendReport.envelopeBlocks(failed)))
            return Outcome(status: .negative)
        }
        if outcome.interrupted { throw CommandError(.interrupted, "interrupted after \(outcome.pages) pages, \(summary.records) records") }
        return Outcome(status: .ok)
    }
}
