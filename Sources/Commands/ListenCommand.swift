import Adapters
import Glibc
import Inspect
import JSONText
import Shell
import Wire
import Workbench

/// `listen`: receives webhooks in the session; every delivery is stored before it is acknowledged.
public var listenCommand: CommandSpec {
    CommandSpec(
        name: "listen", group: "network", summary: "receive webhooks: store, verify and decode each delivery, then acknowledge it",
        usage: "[--port N] [--host ADDR] [--path /hook] [--vendor V] [--cred NAME=VALUE]… [--status S] [--reply BODY] | status | stop",
        help: """
        Listens on 127.0.0.1 (--host for another local address). Each delivery is kept exactly as
        received — method, target, headers in order, body bytes, time and peer — in the capture
        store before it is answered, so nothing acknowledged is lost; then it is answered with the
        acknowledgement its vendor expects (--status and --reply simulate a failing receiver).
        The vendor and payload are recognised (--vendor to fix one) and the signature checked when
        the session knows the secret (--cred). One line per delivery: time, vendor · kind, call id,
        result, duration, verdict, capture id. In the shell it runs in the background ('listen
        status', 'listen stop'); one-shot until Ctrl-C (--background in a script). Bodies over
        --max-body bytes (default 8 MiB) get 413. See 'captures' and 'replay'.
        """,
        examples: ["listen --port 8080", "listen --port 8080 --vendor nxlink --cred accessSecret=env:NX_SECRET", "listen --status 503",
                   "listen stop"],
        flags: [
            FlagSpec("port", .value(placeholder: "N"), summary: "port to listen on (default: any free one)"),
            FlagSpec("host", .value(placeholder: "ADDR"), summary: "local address (default 127.0.0.1)"),
            FlagSpec("path", .value(placeholder: "/hook"), summary: "only this path is a webhook; others get 404 (still captured)"),
            FlagSpec("vendor", .value(placeholder: "V"), summary: "decode and verify as this vendor", completion: AdapterCompletion.vendorIDs),
            FlagSpec("cred", .value(placeholder: "NAME=VALUE"), summary: "a credential to verify with", sensitive: true, repeatable: true, completion: AdapterCompletion.credentialNames),
            FlagSpec("status", .value(placeholder: "S"), summary: "answer every delivery with this status"),
            FlagSpec("reply", .value(placeholder: "BODY"), summary: "answer every delivery with this body"),
            FlagSpec("max-body", .value(placeholder: "BYTES"), summary: "largest body accepted (default 8388608)"),
        ] + ServerFactory.limitFlags + [
            FlagSpec("background", summary: "keep listening while the script goes on (the default in the shell)"),
            FlagSpec("quiet", summary: "no line per delivery"),
        ],
        arguments: [ArgumentSpec("action", summary: "status or stop", optional: true, completion: .words(["status", "stop"]))]
    ) { context throws(CommandError) in
        try ListenRun(context: context).run()
    }
}

/// The listener a session runs in the background.
final class RunningListener {
    var server: NetworkServer?
}

struct ListenRun {
    let context: CommandContext
    var session: Session { context.session }

    var running: RunningListener { session.shared { RunningListener() } }

    func run() throws(CommandError) -> Outcome {
        switch context.positional(0) {
        case "status":
            let url = running.server?.baseURL
            return .ok(Report(json: ["listening": .bool(url != nil), "url": url.map { .string($0) } ?? .null],
                              blocks: [.text(url.map { "listening on \($0)" } ?? "not listening", .dim)]))
        case "stop":
            let was = running.server
            was?.stop()
            running.server = nil
            return .ok(Report(json: ["stopped": .bool(was != nil)], blocks: [.text(was == nil ? "not listening" : "stopped listening", .dim)]))
        case let other?:
            throw CommandError.usage("unknown listen action '\(other)'", hint: "listen [FLAGS] | listen status | listen stop")
        case nil:
            return try start()
        }
    }

    func start() throws(CommandError) -> Outcome {
        if let url = running.server?.baseURL { throw CommandError.usage("already listening on \(url)", hint: "'listen stop' first") }
        let vendor = try context.arguments.value("vendor").map { (v) throws(CommandError) in try session.adapter(v).id }
        if let vendor {
            let adapter = try session.adapter(vendor)
            _ = try CredentialResolver.resolve(context.arguments.values("cred"), for: adapter, session: session, required: [])
        } else if !context.arguments.values("cred").isEmpty {
            throw CommandError.usage("--cred needs --vendor (whose credential it is)")
        }
        let status = try context.integer("status", in: 100...599)
        let port = try context.integer("port", in: 0...65535) ?? 0
        let limits = try ServerFactory.limits(context)
        let host = context.arguments.value("host") ?? "127.0.0.1"
        let path = context.arguments.value("path")
        let reception = WebhookReception(adapters: session.adapters, verifier: try session.messageVerifier(), credentials: session.credentialStore,
                                         store: try session.captureStore(), vendor: vendor, status: status, reply: context.arguments.value("reply"))
        guard let factory = session.service(ServerFactory.self) else { throw CommandError(.unavailable, "this callscope cannot serve HTTP") }
        // One-shot in the foreground, the deliveries are the command's data: stdout. In the
        // background (the shell, --background) they are events: above the prompt, or stderr.
        let foreground = !(session.interactive || context.arguments.has("background"))
        let notify = foreground ? session.emitLine : session.notify
        let json = context.json
        let quiet = context.arguments.has("quiet")
        let server: NetworkServer
        do {
            server = try factory.start(host, port, limits) { message, peer in
                let outcome = await reception.receive(message, peer: peer, now: MessageVerifier.systemClock(),
                                                      elsewhere: path.map { message.path != $0 } ?? false)
                if !quiet { notify(ListenLog.line(outcome, json: json)) }
                return (outcome.answer.status, outcome.answer.headers, outcome.answer.body, 0)
            }
        } catch {
            throw CommandError(.unavailable, "cannot listen on \(host):\(port): \(error)")
        }
        let service = session.service(CaptureStoreService.self)
        let lines = ["listening on \(server.baseURL)\(path ?? "")", "deliveries are stored in \(service?.path ?? "the capture store") before they are answered"]
        if !foreground {
            running.server = server
            return .ok(Report(json: ["url": .string(server.baseURL)], blocks: lines.map { .text($0) }))
        }
        session.serveInForeground(server, lines: lines, stopped: "stopped listening")
        return .ok()
    }
}

enum ListenLog {
    static func line(_ o: WebhookReception.Outcome, json: Bool) -> String {
        let c = o.capture
        if json {
            return JSONWriter.compact([
                "id": c.id.map { .int($0) } ?? .null, "received_at": .int(c.receivedAt), "peer": .string(c.peer),
                "method": .string(c.request.method ?? ""), "path": .string(c.request.path), "vendor": c.vendor.map { .string($0) } ?? .null,
                "kind": c.kind.map { .string($0) } ?? .null, "verdict": c.verdict.map { .string($0) } ?? .null, "summary": .string(c.summary),
                "status": .int(o.answer.status), "stored": .bool(o.storeError == nil),
            ])
        }
        var text = "\(TimeFormat.clock(c.receivedAt / 1000, offsetMinutes: 0)) \(c.request.method ?? "?") \(c.request.path)  \(c.summary)"
        if let verdict = c.verdict { text += verdict == "valid" ? "  ✓ signature" : "  ✗ signature \(verdict)" }
        text += "  → \(o.answer.status)"
        text += o.storeError.map { "  NOT STORED: \($0)" } ?? "  #\(c.id ?? 0)"
        return text
    }
}
