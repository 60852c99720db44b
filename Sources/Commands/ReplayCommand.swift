import Adapters
import JSONText
import Shell
import Signing
import Wire
import Workbench

/// `replay ID --to URL`: sends a captured delivery again, byte for byte or re-signed.
public var replayCommand: CommandSpec {
    CommandSpec(
        name: "replay", group: "network", summary: "send a captured webhook again, as received or re-signed",
        usage: "ID --to URL [--resign] [--cred NAME=VALUE]…",
        help: """
        Sends capture ID to URL with its method, headers (but Host and Content-Length) and body
        bytes exactly as received. With --resign the signature is made anew with a fresh timestamp
        (the vendor's recipe, the session's or --cred credentials), so a receiver that checks the
        clock window accepts it. Shows the receiver's answer.
        """,
        examples: ["replay 12 --to http://127.0.0.1:3000/hooks/nxlink", "replay 12 --to http://127.0.0.1:3000/hooks --resign --cred accessSecret=env:NX_SECRET"],
        flags: [
            FlagSpec("to", .value(placeholder: "URL"), summary: "where to send it"),
            FlagSpec("resign", summary: "sign anew with a fresh timestamp"),
            FlagSpec("cred", .value(placeholder: "NAME=VALUE"), summary: "credentials for --resign", sensitive: true, repeatable: true, completion: AdapterCompletion.credentialNames),
            FlagSpec("timeout", .value(placeholder: "SECONDS"), summary: "how long the receiver may take (default 30)"),
        ],
        arguments: [ArgumentSpec("id", summary: "a capture id (see 'captures')")]
    ) { context throws(CommandError) in
        let session = context.session
        guard let text = context.positional(0), let id = Int64(text) else { throw CommandError.usage("which capture? give its id") }
        guard let url = context.arguments.value("to"), url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw CommandError.usage("where to? give --to http://HOST:PORT/PATH")
        }
        let store = try session.captureStore()
        let found: Capture?
        do { found = try Blocking.run { try await store.get(id) } } catch { throw CommandError(.config, "the capture store: \(error)") }
        guard let capture = found else { throw CommandError(.negative, "no capture \(id)", hint: "see 'captures list'") }
        var message = capture.request
        message.target = url
        message.headers.removeAll { ["host", "content-length", "connection", "transfer-encoding"].contains($0.name.lowercased()) }
        if context.arguments.has("resign") {
            guard let vendor = capture.vendor, let adapter = session.pluginHost?.adapter(vendor) else {
                throw CommandError(.negative, "capture \(id) is of no known vendor: nothing to re-sign with")
            }
            let credentials = try CredentialResolver.resolve(context.arguments.values("cred"), for: adapter, session: session, required: adapter.requiredCredentialNames)
            let signer = try session.signer()
            let output: SignOutput
            do {
                output = try signer.sign(adapter.id, request: SignRequest(method: message.method ?? "POST", path: message.path,
                                                                        body: String(decoding: message.body, as: UTF8.self)),
                                         credentials: credentials, trace: false)
            } catch let error as SigningError { throw CommandError(WorkbenchError(error)) } catch { throw CommandError(.config, "\(error)") }
            let signed = Set(output.headers.map { $0.0.lowercased() })
            message.headers.removeAll { signed.contains($0.name.lowercased()) }
            message.headers += output.headers.map { (name: $0.0, value: $0.1) }
        }
        let transport = try session.transport()
        var options = TransportOptions()
        if let t = context.arguments.value("timeout"), let s = Double(t), s > 0 { options.timeoutSeconds = s }
        let exchange: (response: HTTPMessage, timing: ExchangeTiming)
        do { exchange = try transport.send(message, options: options) } catch let error as TransportError {
            throw CommandError(.unavailable, "\(message.method ?? "POST") \(url): \(error.message)")
        } catch { throw CommandError(.unavailable, "\(error)") }
        let status = exchange.response.status ?? 0
        let body = String(decoding: exchange.response.body.prefix(4096), as: UTF8.self)
        let blocks: [Block] = [
            .line([Span("replayed capture \(id)\(context.arguments.has("resign") ? " (re-signed)" : "")", .bold), Span(" → \(url)", .dim)]),
            .line([Span("\(status) \(exchange.response.reason ?? "")", status < 400 ? .green : .red), Span("  \(SendReport.ms(exchange.timing.totalMilliseconds))", .dim)]),
        ] + (body.isEmpty ? [] : [.text(body)])
        let json: JSONValue = ["id": .int(id), "to": .string(url), "resigned": .bool(context.arguments.has("resign")), "status": .int(status),
                               "response": ["body": (try? JSONParser.parse(bytes: exchange.response.body)) ?? .string(body)]]
        return Outcome(status: status < 400 ? .ok : .negative, report: Report(json: json, blocks: blocks))
    }
}
