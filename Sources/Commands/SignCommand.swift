import Adapters
import JSONText
import Shell
import Signing
import Workbench

/// `sign VENDOR [OPERATION] [BODY|@file|-]`: the headers or parameters a vendor expects, every
/// intermediate string, and an equivalent curl command (secrets never shown).
public var signCommand: CommandSpec {
    CommandSpec(
        name: "sign", group: "inspect", summary: "sign a request the way the vendor does, showing every step",
        usage: "[VENDOR] [OPERATION] [BODY|@file|-] [--cred NAME=VALUE]… [--ts T] [--explain]",
        help: """
        VENDOR defaults to the one in use. Credentials come from --cred NAME=VALUE (VALUE may be
        env:VAR or file:PATH), from earlier commands of this session, or from a prompt that does not
        echo. Every generated value can be pinned so a signature is reproducible: --ts, --nonce,
        --request-id, --date, --algorithm, or any --pin NAME=VALUE the adapter reads (e.g. bizType,
        action, style=v2 for Alibaba RPC). The body is signed byte for byte as given.
        --explain shows each intermediate string with its separators made visible and its length;
        --hex adds its UTF-8 bytes.
        """,
        examples: ["sign nxlink call/list '{\"taskId\":\"t1\",\"pageNumber\":1,\"pageSize\":10}' --cred accessKey=AK --cred accessSecret=env:NX_SECRET",
                   "sign itniotech --ts 1630468800 --explain", "sign alibaba-aiccs QueryAiCallTaskPage --pin style=v2"],
        flags: SignFlags.specs + [
            FlagSpec("explain", summary: "show every intermediate string"),
            FlagSpec("hex", summary: "with --explain, also the UTF-8 bytes of each string"),
        ],
        arguments: SignFlags.arguments,
        acceptsRawBody: true
    ) { context throws(CommandError) in
        let plan = try SignFlags.plan(context)
        let preparation = RequestPreparation(signer: try context.session.signer())
        let prepared = try CommandError.wrap { () throws(WorkbenchError) in try preparation.prepare(plan) }
        return .ok(SignReport.make(prepared, explain: context.arguments.has("explain"), hex: context.arguments.has("hex")))
    }
}

/// `sign`'s words and flags as a `RequestPlan` (also what `send` will read).
enum SignFlags {
    /// The flags of everything that signs a request (`sign`, `send`).
    static var specs: [FlagSpec] { [
        FlagSpec("cred", .value(placeholder: "NAME=VALUE"), summary: "a credential (VALUE may be env:VAR or file:PATH)", sensitive: true, repeatable: true, completion: AdapterCompletion.credentialNames),
        FlagSpec("ts", .value(placeholder: "T"), summary: "pin the timestamp (in the vendor's unit)"),
        FlagSpec("nonce", .value(placeholder: "N"), summary: "pin the nonce"),
        FlagSpec("request-id", .value(placeholder: "ID"), summary: "pin the request id"),
        FlagSpec("date", .value(placeholder: "D"), summary: "pin the date (Alibaba: yyyy-MM-ddTHH:mm:ssZ)"),
        FlagSpec("algorithm", .value(placeholder: "ALG"), summary: "digest algorithm (md5, sha256)", completion: .words(["md5", "sha256", "MD5", "SHA256"])),
        FlagSpec("pin", .value(placeholder: "NAME=VALUE"), summary: "pin any value the adapter reads", repeatable: true, completion: AdapterCompletion.pinNames),
        FlagSpec("query", .value(placeholder: "NAME=VALUE"), summary: "a query parameter to send (and sign)", repeatable: true),
        FlagSpec("method", .value(placeholder: "M"), summary: "HTTP method (default: the operation's, else POST)"),
        FlagSpec("path", .value(placeholder: "P"), summary: "request path (default: the operation's)"),
        FlagSpec("region", .value(placeholder: "CODE"), summary: "the region whose base URL to use", completion: AdapterCompletion.regionCodes),
        FlagSpec("profile", .value(placeholder: "NAME"), summary: "vendor, base URL and credentials from a config.toml profile"),
    ] }

    /// VENDOR OPERATION BODY, as `sign` and `send` take them.
    static var arguments: [ArgumentSpec] { [
        ArgumentSpec("vendor", summary: "an adapter id (default: the one in use)", optional: true, completion: AdapterCompletion.vendorIDs),
        ArgumentSpec("operation", summary: "an operation of the adapter", optional: true, completion: AdapterCompletion.operationNames),
        ArgumentSpec("body", summary: "the body: JSON, @file, or - for stdin", optional: true, completion: .files),
    ] }

    static func plan(_ context: CommandContext) throws(CommandError) -> RequestPlan {
        let session = context.session
        var words = context.positionals[...]
        let adapter: Adapter
        let profileName = context.arguments.value("profile") ?? session.profile
        let profile = try profileName.map { (name) throws(CommandError) in try session.profile(named: name) }
        if let first = words.first, session.adapterNamed(first) != nil {
            adapter = try session.adapter(first)
            words = words.dropFirst()
            if let profile, profile.vendor != adapter.id, context.arguments.value("profile") != nil {
                throw CommandError.usage("profile \(profile.name) is for \(profile.vendor), not \(adapter.id)")
            }
        } else if let profile {
            adapter = try session.adapter(profile.vendor)
        } else if let current = session.vendor {
            adapter = try session.adapter(current)
        } else if let first = words.first, !first.hasPrefix("@"), first != "-", !first.hasPrefix("{") {
            _ = try session.adapter(first)  // not an adapter: says so, with the nearest name
            throw CommandError.usage("which vendor?")
        } else {
            throw CommandError.usage("which vendor? name one or 'use VENDOR' first",
                                     hint: "vendors: \(session.adapters.filter(\.canSign).map(\.id).joined(separator: ", "))")
        }
        guard adapter.canSign else { throw CommandError(.negative, "\(adapter.id) has no signature to compute") }
        var operation: Operation?
        if let word = words.first, let op = adapter.operation(named: word) {
            operation = op
            words = words.dropFirst()
        }
        // A word that is not a body (JSON, @file, -) is a mistyped operation, not something to sign.
        if operation == nil, let word = words.first, !adapter.operations.isEmpty,
           !["{", "[", "@", "-", "\""].contains(where: { word.hasPrefix($0) }), !word.contains(where: \.isWhitespace) {
            let names = adapter.operations.map(\.name)
            throw CommandError.usage("\(adapter.id) has no operation '\(word)'",
                                     hint: EditDistanceHint.suggestion(for: word, among: names) ?? "operations: \(names.joined(separator: ", "))")
        }
                guard words.count <= 1 else {
            throw CommandError.usage("unexpected '\(words.dropFirst().first!)'", hint: "quote a body that contains spaces, or use @file")
        }
        let body = try InputText.read(word: words.first, rawBody: context.rawBody)
        var pins = try pairs(context.arguments.values("pin"), flag: "--pin")
        for (flag, key) in [("ts", "ts"), ("nonce", "nonce"), ("request-id", "request_id"), ("date", "date"), ("algorithm", "algorithm")] {
            if let value = context.arguments.value(flag) { pins[key] = value }
        }
        if let refusal = SignInputCheck.refusal(pins: pins, adapter: adapter) { throw CommandError(refusal) }
        let request = SignRequest(operation: operation?.name ?? pins["action"],
                                  method: context.arguments.value("method")?.uppercased() ?? operation?.method ?? "POST",
                                  path: context.arguments.value("path") ?? operation?.path ?? "/",
                                  body: body?.text, query: try pairs(context.arguments.values("query"), flag: "--query"), pins: pins)
        if let profile, profile.vendor == adapter.id {
            let given = Set(context.arguments.values("cred").map { String($0.prefix { $0 != "=" }) })
            try session.applyCredentials(of: profile, adapter: adapter, except: given)
        }
        let credentials = try CredentialResolver.resolve(context.arguments.values("cred"), for: adapter, session: session,
                                                         required: adapter.requiredCredentialNames)
        for warning in SignInputCheck.warnings(request, operation: operation, adapter: adapter, credentials: credentials) {
            session.output.err("warning: \(warning)\n")
        }
        var baseURL = adapter.regions.first?.baseURL
        if let profile, profile.vendor == adapter.id {
            if let url = profile.baseURL { baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url }
            if let code = profile.region, context.arguments.value("region") == nil {
                guard let region = adapter.regions.first(where: { $0.code.lowercased() == code.lowercased() }) else {
                    throw CommandError(.config, "profile \(profile.name): \(adapter.id) has no region \(code)")
                }
                baseURL = region.baseURL
            }
        }
        if let code = context.arguments.value("region") {
            guard let region = adapter.regions.first(where: { $0.code.lowercased() == code.lowercased() }) else {
                throw CommandError.usage("\(adapter.id) has no region \(code)", hint: "regions: \(adapter.regions.map(\.code).joined(separator: ", "))")
            }
            baseURL = region.baseURL
        }
        return RequestPlan(adapter: adapter, operation: operation, request: request, credentials: credentials, baseURL: baseURL)
    }

    static func pairs(_ values: [String], flag: String) throws(CommandError) -> [String: String] {
        var out: [String: String] = [:]
        for value in values {
            guard let eq = value.firstIndex(of: "="), eq != value.startIndex else {
                throw CommandError.usage("\(flag) takes NAME=VALUE, not '\(value)'")
            }
            out[String(value[..<eq])] = String(value[value.index(after: eq)...])
        }
        return out
    }
}
