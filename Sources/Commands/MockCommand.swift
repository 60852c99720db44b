import Adapters
import Glibc
import Inspect
import JSONText
import LuaHost
import Shell
import Wire
import Workbench

/// `mock VENDOR`: a local stand-in of the vendor's API on 127.0.0.1 that checks requests as the
/// vendor does and answers with its envelope, its codes and realistic records.
public var mockCommand: CommandSpec {
    CommandSpec(
        name: "mock", group: "network", summary: "run a local stand-in of a vendor's API that checks signatures as the vendor does",
        usage: "VENDOR [--port N] [--cred NAME=VALUE]… [--seed S] [--records N] [--latency MS] [--fail-rate R] [--expire] | status | stop [VENDOR]",
        help: """
        Serves every operation the adapter declares, on the vendor's paths, at 127.0.0.1 (--host
        to choose another local address). Each request is checked with the plugin's own recipe:
        a missing signature, a wrong one (with the usual mistake that reproduces it in the log), a
        timestamp outside the vendor's window or in the wrong unit get the vendor's own codes in its
        envelope; where the sources do not document an answer the log says so. Good requests get
        records made from the plugin's fixtures — the same --seed gives the same data — paged as the
        operation pages, --records in all. Responses the vendor signs are signed. A plugin's
        hooks.mock may change any answer, for what its data cannot say (see plugins/README.md).
        Credentials: --cred, else the sample credentials of the vendor's documentation.
        Faults: --latency MS, --fail-rate R (a share of 503s), --expire (always the timestamp error).
        In the shell the mock runs in the background and prints a line per request above the prompt
        ('mock status', 'mock stop'); one-shot it runs until Ctrl-C (--background in a script).
        --json: the log as NDJSON.
        """,
        examples: ["mock nxlink --port 8080", "mock itniotech --seed 7 --records 120", "mock status", "mock stop"],
        flags: [
            FlagSpec("port", .value(placeholder: "N"), summary: "port to listen on (default: any free one)"),
            FlagSpec("host", .value(placeholder: "ADDR"), summary: "local address to listen on (default 127.0.0.1)"),
            FlagSpec("cred", .value(placeholder: "NAME=VALUE"), summary: "a credential the mock accepts (VALUE may be env:VAR or file:PATH)", sensitive: true, repeatable: true, completion: AdapterCompletion.credentialNames),
            FlagSpec("seed", .value(placeholder: "S"), summary: "seed of the generated data and faults (default 1)"),
            FlagSpec("records", .value(placeholder: "N"), summary: "records a listing holds in all (default 25)"),
            FlagSpec("latency", .value(placeholder: "MS"), summary: "answer this many milliseconds late"),
            FlagSpec("fail-rate", .value(placeholder: "R"), summary: "answer this share of requests (0–1) with 503"),
            FlagSpec("expire", summary: "answer every request with the vendor's timestamp error"),
            FlagSpec("background", summary: "keep running while the script goes on (the default in the shell)"),
            FlagSpec("quiet", summary: "no line per request"),
        ] + ServerFactory.limitFlags,
        arguments: [ArgumentSpec("vendor", summary: "an adapter id, or status / stop", optional: true,
                                 completion: .dynamic { r in ["status", "stop"] + (r.session?.adapters.map(\.id) ?? []) }),
                    ArgumentSpec("which", summary: "with stop: the vendor to stop (default: all)", optional: true)]
    ) { context throws(CommandError) in
        try MockRun(context: context).run()
    }
}

/// The mocks a session runs in the background.
final class RunningMocks {
    struct Entry {
        var vendor: String
        var server: NetworkServer
    }
    var entries: [Entry] = []
}

/// A running server, as commands see it (the network edge registers the factory).
public protocol NetworkServer: AnyObject {
    var baseURL: String { get }
    func stop()
}

/// Starts HTTP servers for commands: `(host, port, handler)`; set by the launcher.
public final class ServerFactory {
    public typealias Answer = (status: Int, headers: [(String, String)], body: [UInt8], delayMilliseconds: Int)
    public typealias Handler = @Sendable (HTTPMessage, String) async -> Answer
    /// What a server started from the shell accepts.
    public struct Limits: Sendable {
        /// Larger bodies get 413.
        public var maxBodyBytes = 8 << 20
        /// A connection that sends nothing for this long is closed (a slow or stuck client).
        public var idleTimeoutSeconds = 30
        /// Requests handled at once; more get 503 with Retry-After.
        public var maxConcurrent = 256
        public init() {}
    }
    /// host, port, the limits, the handler.
    public let start: (String, Int, Limits, @escaping Handler) throws -> NetworkServer
    public init(start: @escaping (String, Int, Limits, @escaping Handler) throws -> NetworkServer) { self.start = start }

    /// `--max-body`, `--idle-timeout` and `--max-concurrent` as a command gives them.
    static func limits(_ context: CommandContext) throws(CommandError) -> Limits {
        var limits = Limits()
        if let n = try context.integer("max-body", in: 1...(1 << 30)) { limits.maxBodyBytes = n }
        if let n = try context.integer("idle-timeout", in: 1...3600) { limits.idleTimeoutSeconds = n }
        if let n = try context.integer("max-concurrent", in: 1...100_000) { limits.maxConcurrent = n }
        return limits
    }

    static var limitFlags: [FlagSpec] { [
        FlagSpec("idle-timeout", .value(placeholder: "SECONDS"), summary: "close a connection that sends nothing for this long (default 30)"),
        FlagSpec("max-concurrent", .value(placeholder: "N"), summary: "requests handled at once; more get 503 (default 256)"),
    ] }
}

struct MockRun {
    let context: CommandContext
    var session: Session { context.session }

    func run() throws(CommandError) -> Outcome {
        switch context.positional(0) {
        case nil: throw CommandError.usage("which vendor?", hint: "usage: \(context.spec.synopsis)")
        case "status": return status()
        case "stop": return stop(context.positional(1))
        case let vendor?: return try start(vendor)
        }
    }

    var running: RunningMocks { session.shared { RunningMocks() } }

    func status() -> Outcome {
        let entries = running.entries
        let rows = entries.map { [Span($0.vendor, .cyan), Span($0.server.baseURL)] }
        let blocks: [Block] = entries.isEmpty ? [.text("no mock is running", .dim)] : [.table(Table(headers: ["vendor", "url"], rows: rows))]
        return .ok(Report(json: ["mocks": .array(entries.map { ["vendor": .string($0.vendor), "url": .string($0.server.baseURL)] })], blocks: blocks))
    }

    func stop(_ vendor: String?) -> Outcome {
        let stopping = running.entries.filter { vendor == nil || $0.vendor == vendor }
        for entry in stopping { entry.server.stop() }
        running.entries.removeAll { vendor == nil || $0.vendor == vendor }
        let text = stopping.isEmpty ? "no mock \(vendor.map { "of \($0) " } ?? "")is running" : "stopped " + stopping.map(\.vendor).joined(separator: ", ")
        return .ok(Report(json: ["stopped": .array(stopping.map { .string($0.vendor) })], blocks: [.text(text, .dim)]))
    }

    func start(_ id: String) throws(CommandError) -> Outcome {
        let adapter = try session.adapter(id)
        guard adapter.canSign else { throw CommandError(.negative, "\(adapter.id) has no API to stand in for") }
        let credentials = try mockCredentials(adapter)
        var options = MockOptions(credentials: credentials.values)
        options.seed = try context.integer("seed", in: 0...Int.max).map(UInt64.init) ?? 1
        options.records = try context.integer("records", in: 0...1_000_000) ?? 25
        options.latencyMilliseconds = try context.integer("latency", in: 0...600_000) ?? 0
        if let text = context.arguments.value("fail-rate") {
            guard let rate = Double(text), rate >= 0, rate <= 1 else { throw CommandError.usage("--fail-rate takes a share from 0 to 1, not '\(text)'") }
            options.failRate = rate
        }
        options.expire = context.arguments.has("expire")
        let port = try context.integer("port", in: 0...65535) ?? 0
        let host = context.arguments.value("host") ?? "127.0.0.1"
        guard let factory = session.service(ServerFactory.self) else { throw CommandError(.unavailable, "this callscope cannot serve HTTP") }
        let signer = try session.signer()
        let mock = MockVendor(adapter: adapter, adapters: session.adapters, signer: signer, options: options,
                              adjust: adapter.hooks.contains("mock") ? MockHookBridge.adjust(host: signer, vendor: adapter.id) : nil)
        let notify = session.notify
        let json = context.json
        let quiet = context.arguments.has("quiet")
        let latency = options.latencyMilliseconds
        let server: NetworkServer
        do {
            server = try factory.start(host, port, try ServerFactory.limits(context)) { message, peer in
                let answer = mock.answer(to: message)
                if !quiet { notify(MockLog.line(message, answer, vendor: adapter.id, json: json)) }
                return (answer.status, answer.headers, answer.body, latency)
            }
        } catch {
            throw CommandError(.unavailable, "cannot listen on \(host):\(port): \(error)")
        }
        var lines = ["mock \(adapter.id) listening on \(server.baseURL)"]
        if let sample = credentials.sample { lines.append("credentials: the vendor's documented sample (\(sample))") }
        if adapter.mock.errors.isEmpty { lines.append("the sources document no error answers for \(adapter.id): mistakes get a plain 400, said so in the log") }
        let background = session.interactive || context.arguments.has("background")
        if background {
            running.entries.append(.init(vendor: adapter.id, server: server))
            return .ok(Report(json: ["vendor": .string(adapter.id), "url": .string(server.baseURL)], blocks: lines.map { .text($0) }))
        }
        session.serveInForeground(server, lines: lines, stopped: "mock \(adapter.id) stopped")
        return .ok()
    }

    /// `--cred` values, else the vendor's published sample credentials from the plugin's examples.
    func mockCredentials(_ adapter: Adapter) throws(CommandError) -> (values: [String: String], sample: String?) {
        let flags = context.arguments.values("cred")
        if flags.isEmpty, let sample = adapter.examples.sign.first(where: { $0.provenance == "verified" })?.credentials ?? adapter.examples.sign.first?.credentials,
           adapter.requiredCredentialNames.allSatisfy({ sample[$0] != nil }) {
            let shown = adapter.credentials.filter { sample[$0.name] != nil }.map { "\($0.name)=\($0.secret ? "‹\($0.name)›" : sample[$0.name]!)" }
            return (sample, shown.joined(separator: ", ") + "; see 'plugins info \(adapter.id)'")
        }
        var values: [String: String] = [:]
        for flag in flags {
            let (name, value) = try CommandError.wrap { () throws(WorkbenchError) in try CredentialReference.parse(flag, for: adapter) }
            values[name] = value
            if adapter.credentials.first(where: { $0.name == name })?.secret == true { session.addSecret(value, name: name) }
        }
        let missing = adapter.requiredCredentialNames.filter { values[$0] == nil }
        guard missing.isEmpty else {
            throw CommandError.usage("the mock needs \(missing.joined(separator: ", ")) for \(adapter.id)", hint: "give --cred NAME=VALUE for each")
        }
        return (values, nil)
    }
}

/// One line per request: human, or NDJSON with --json.
enum MockLog {
    static func line(_ message: HTTPMessage, _ answer: MockAnswer, vendor: String, json: Bool) -> String {
        let now = MessageVerifier.systemClock()
        if json {
            var members: [JSONMember] = [
                JSONMember("time_ms", .int(now)), JSONMember("vendor", .string(vendor)),
                JSONMember("method", .string(message.method ?? "")), JSONMember("path", .string(message.path)),
                JSONMember("status", .int(answer.status)), JSONMember("verdict", .string(answer.verdict)),
                JSONMember("operation", answer.operation.map { .string($0) } ?? .null), JSONMember("code", answer.code.map { .string($0) } ?? .null),
            ]
            if let note = answer.note { members.append(JSONMember("note", .string(note))) }
            return JSONWriter.compact(.object(members))
        }
        var text = "\(TimeFormat.clock(now / 1000, offsetMinutes: 0)) \(vendor) \(message.method ?? "?") \(message.path) → \(answer.status) \(answer.verdict)"
        if let code = answer.code { text += " (code \(code))" }
        if let note = answer.note { text += " — \(note)" }
        return text
    }
}

/// Hands each of the mock's answers to the plugin's `hooks.mock` and applies what it changes.
enum MockHookBridge {
    static func adjust(host: PluginHost, vendor: String) -> MockVendor.Adjust {
        { request, answer in
            do throws(LuaError) {
                guard let change = try host.mockHook(vendor, request: request, operation: answer.operation, verdict: answer.verdict,
                                                     answer: (answer.status, answer.headers, answer.body)) else { return answer }
                var changed = answer
                if let status = change.status { changed.status = status }
                if let headers = change.headers { changed.headers = headers }
                if let body = change.body { changed.body = body }
                if let note = change.note { changed.note = [answer.note, note].compactMap { $0 }.joined(separator: "; ") }
                return changed
            } catch {
                // The answer is the plugin's fault, not the client's: say so rather than guess.
                var failed = answer
                failed.status = 500
                failed.headers = [("Content-Type", "application/json")]
                failed.body = Array(JSONWriter.compact(["mock": .string("the plugin's mock hook failed: \(error.message)")]).utf8)
                failed.verdict = "unverifiable"
                failed.note = "the plugin's mock hook failed: \(error.message)"
                return failed
            }
        }
    }
}
