import Adapters
import FoundationEssentials
import Inspect
import JSONText
import Shell
import Wire
import Workbench

/// `trigger VENDOR [KIND|@fixture] --to URL`: a vendor-shaped webhook, signed as the vendor signs
/// its pushes, retried on the vendor's schedule until the receiver acknowledges it.
public var triggerCommand: CommandSpec {
    CommandSpec(
        name: "trigger", group: "network", summary: "send a vendor-shaped webhook to a receiver, with the vendor's retries",
        usage: "VENDOR [KIND|@fixture] --to URL [--cred NAME=VALUE]… [--retries N --every S] [--speed X] [--count N --concurrency C]",
        help: """
        Sends a push as the vendor sends it: the body from @fixture, or the plugin's fixture of that
        kind's payload; the vendor's content type; signed with its recipe where it signs pushes
        (--sign where signing is the customer's choice). The receiver's answer is checked against the
        acknowledgement the vendor expects (any 2xx where that is not documented). On failure it
        retries on the vendor's documented schedule — or, where that is not documented, --retries N
        every --every S seconds; --speed X runs the schedule X times faster. --count N --concurrency C
        sends a burst instead and prints latency percentiles. Exit 0 acknowledged, 1 not.
        """,
        examples: ["trigger nxlink 'call record' --to http://127.0.0.1:8080/hooks/nxlink",
                   "trigger alibaba-aiccs AlicomAgentCallReport --to http://127.0.0.1:8080/hook --speed 60",
                   "trigger itniotech @push.json --to http://127.0.0.1:8080/hook --retries 3 --every 10",
                   "trigger nxcloud-callbot call --to http://127.0.0.1:8080/cb --count 500 --concurrency 20"],
        flags: [
            FlagSpec("to", .value(placeholder: "URL"), summary: "the receiver's URL"),
            FlagSpec("cred", .value(placeholder: "NAME=VALUE"), summary: "the credentials pushes are signed with", sensitive: true, repeatable: true, completion: AdapterCompletion.credentialNames),
            FlagSpec("sign", summary: "sign where the vendor signs only on request"),
            FlagSpec("retries", .value(placeholder: "N"), summary: "retries when the vendor's schedule is not documented (or to override it)"),
            FlagSpec("every", .value(placeholder: "S"), summary: "seconds between those retries (default 60)"),
            FlagSpec("speed", .value(placeholder: "X"), summary: "run the retry schedule X times faster"),
            FlagSpec("count", .value(placeholder: "N"), summary: "send N pushes (a burst)"),
            FlagSpec("concurrency", .value(placeholder: "C"), summary: "with --count, C at a time (default 10)"),
            FlagSpec("timeout", .value(placeholder: "SECONDS"), summary: "how long the receiver may take (default 10)"),
        ],
        arguments: [ArgumentSpec("vendor", summary: "an adapter id", completion: AdapterCompletion.vendorIDs),
                    ArgumentSpec("kind", summary: "a webhook kind of the adapter, or @fixture", optional: true, completion: .files)]
    ) { context throws(CommandError) in
        try TriggerRun(context: context).run()
    }
}

struct TriggerRun {
    let context: CommandContext
    var session: Session { context.session }

    func run() throws(CommandError) -> Outcome {
        let adapter = try session.adapter(context.positional(0) ?? "")
        guard let url = context.arguments.value("to"), url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw CommandError.usage("where to? give --to http://HOST:PORT/PATH")
        }
        let (webhook, body) = try pushAndBody(adapter)
        let transport = try session.transport()
        let runner = WebhookDelivery(adapter: adapter, webhook: webhook, signer: try session.signer(), transport: transport)
        let credentials = try credentialsIfSigning(adapter, webhook)
        let sign = context.arguments.has("sign")
        let message = try CommandError.wrap { () throws(WorkbenchError) in try runner.request(to: url, body: body, credentials: credentials, sign: sign) }
        var options = TransportOptions(timeoutSeconds: 10)
        if let t = context.arguments.value("timeout") {
            guard let s = Double(t), s > 0, s <= 3600 else { throw CommandError.usage("--timeout takes seconds from 0 to 3600, not '\(t)'") }
            options.timeoutSeconds = s
        }
        if let countText = context.arguments.value("count") {
            guard let count = Int(countText), (1...1_000_000).contains(count) else { throw CommandError.usage("--count takes 1 to 1000000, not '\(countText)'") }
            let concurrency = try context.integer("concurrency", in: 1...1000) ?? 10
            let attempts = runner.burst(message, options: options, count: count, concurrency: concurrency)
            return TriggerReport.burst(attempts, adapter: adapter.id, webhook: webhook, url: url)
        }
        let retries = try context.integer("retries", in: 0...100)
        let every = try context.integer("every", in: 1...86_400) ?? 60
        var speed = 1.0
        if let text = context.arguments.value("speed") {
            guard let x = Double(text), x >= 1, x <= 1_000_000 else { throw CommandError.usage("--speed takes a factor of 1 or more, not '\(text)'") }
            speed = x
        }
        let renderer = HumanRenderer(color: session.color, width: session.terminalWidth)
        if !context.json {
            let schedule = retries.map { "\($0) retries every \($0 == 0 ? 0 : every) s" }
                ?? (webhook.retrySchedule.isEmpty ? "no retries: the vendor's schedule is not documented (--retries N --every S)"
                    : "retries after " + webhook.retrySchedule.map { TimeFormat.duration(seconds: Int64($0)) }.joined(separator: ", ") + (speed > 1 ? " (×\(speed) faster)" : ""))
            session.output.out(renderer.render([.line([Span("\(adapter.id) · \(webhook.kind)", .bold), Span(" → \(url)  \(body.count) bytes, \(schedule)", .dim)])]))
        }
        let attempts = runner.deliver(message, options: options, retries: retries, every: every, speed: speed, cancel: session.cancellation) { attempt in
            if !context.json { session.output.out(renderer.render([TriggerReport.line(attempt)])) }
        }
        let delivered = attempts.last?.acknowledged == true
        let json: JSONValue = ["vendor": .string(adapter.id), "kind": .string(webhook.kind), "to": .string(url), "delivered": .bool(delivered),
                               "attempts": .array(attempts.map(TriggerReport.json))]
        if session.interruptRequested() { throw CommandError(.interrupted, "interrupted after \(attempts.count) attempts") }
        return Outcome(status: delivered ? .ok : .negative, report: Report(json: json, blocks: context.json ? [] : [TriggerReport.verdict(delivered, attempts.count)]))
    }

    /// The webhook and its body: @fixture, or the plugin's fixture of the kind's payload.
    func pushAndBody(_ adapter: Adapter) throws(CommandError) -> (Webhook, [UInt8]) {
        guard let first = adapter.webhooks.first else { throw CommandError(.negative, "\(adapter.id) sends no webhooks") }
        let word = context.positional(1)
        if let word, word.hasPrefix("@") {
            guard let input = try InputText.read(word: word, rawBody: nil) else { throw CommandError.usage("nothing to send") }
            return (first, input.bytes)
        }
        let webhook: Webhook
        if let word {
            guard let named = adapter.webhooks.first(where: { $0.kind.lowercased() == word.lowercased() }) else {
                throw CommandError.usage("\(adapter.id) has no webhook '\(word)'", hint: "webhooks: \(adapter.webhooks.map { "'\($0.kind)'" }.joined(separator: ", "))")
            }
            webhook = named
        } else {
            webhook = first
        }
        guard let payload = webhook.payload, let example = adapter.examples.decode.first(where: { $0.kind == payload && !$0.fixture.hasSuffix(".ndjson") }),
              let data = FileManager.default.contents(atPath: adapter.origin + "/" + example.fixture) else {
            throw CommandError(.negative, "\(adapter.id) has no sample of its '\(webhook.kind)' push", hint: "give the body as @file")
        }
        return (webhook, Array(data))
    }

    func credentialsIfSigning(_ adapter: Adapter, _ webhook: Webhook) throws(CommandError) -> [String: String] {
        guard webhook.signed == .yes || (webhook.signed == .optional && context.arguments.has("sign")) else { return [:] }
        return try CredentialResolver.resolve(context.arguments.values("cred"), for: adapter, session: session, required: adapter.requiredCredentialNames)
    }
}

enum TriggerReport {
    static func line(_ a: DeliveryAttempt) -> Block {
        let status = a.status.map(String.init) ?? "—"
        var spans = [Span("attempt \(a.number)  ", .dim), Span(status, a.acknowledged ? .green : .red), Span("  \(SendReport.ms(a.milliseconds))  ", .dim),
                     Span(a.acknowledged ? "✓ acknowledged" : "✗ " + (a.reason ?? "not acknowledged"), a.acknowledged ? .green : .yellow)]
        if let next = a.nextAfterSeconds { spans.append(Span("  (next at \(TimeFormat.duration(seconds: Int64(next))) on the vendor's clock)", .dim)) }
        return .line(spans)
    }

    static func verdict(_ delivered: Bool, _ attempts: Int) -> Block {
        delivered ? .text("delivered after \(attempts) attempt\(attempts == 1 ? "" : "s")", .green)
            : .text("not acknowledged after \(attempts) attempt\(attempts == 1 ? "" : "s")", .red)
    }

    static func json(_ a: DeliveryAttempt) -> JSONValue {
        ["attempt": .int(a.number), "status": a.status.map { .int($0) } ?? .null, "ms": .double(SendReport.rounded(a.milliseconds)),
         "acknowledged": .bool(a.acknowledged), "reason": a.reason.map { .string($0) } ?? .null]
    }

    static func burst(_ attempts: [DeliveryAttempt], adapter: String, webhook: Webhook, url: String) -> Outcome {
        let times = attempts.map(\.milliseconds).sorted()
        // Nearest rank.
        func p(_ q: Double) -> Double {
            guard !times.isEmpty else { return 0 }
            return times[max(0, min(times.count - 1, Int((q * Double(times.count)).rounded(.up)) - 1))]
        }
        let ok = attempts.filter(\.acknowledged).count
        let blocks: [Block] = [
            .line([Span("\(adapter) · \(webhook.kind)", .bold), Span(" → \(url)", .dim)]),
            .pairs([("sent", [Span(String(attempts.count))]), ("acknowledged", [Span("\(ok)", ok == attempts.count ? .green : .yellow)]),
                    ("latency", [Span("p50 \(SendReport.ms(p(0.5))) · p90 \(SendReport.ms(p(0.9))) · p99 \(SendReport.ms(p(0.99))) · max \(SendReport.ms(times.last ?? 0))")])]),
        ]
        let json: JSONValue = ["vendor": .string(adapter), "kind": .string(webhook.kind), "to": .string(url), "sent": .int(attempts.count),
                               "acknowledged": .int(ok),
                               "latency_ms": ["p50": .double(SendReport.rounded(p(0.5))), "p90": .double(SendReport.rounded(p(0.9))),
                                              "p99": .double(SendReport.rounded(p(0.99))), "max": .double(SendReport.rounded(times.last ?? 0))]]
        return Outcome(status: ok == attempts.count ? .ok : .negative, report: Report(json: json, blocks: blocks))
    }
}
