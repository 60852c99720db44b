import Adapters
import Inspect
import JSONText
import Shell
import TextSupport
import Signing
import Wire
import Workbench

/// `verify [REQUEST|@file|-]`: does the received signature match, and if not, why.
public var verifyCommand: CommandSpec {
    CommandSpec(
        name: "verify", aliases: ["v"], group: "inspect", summary: "check a received signature and find out why it does not match",
        usage: "[HTTP|curl|@file|-] [--header NAME:VALUE]… [--cred NAME=VALUE]… [--now T] [--their-string S]",
        help: """
        Input: a raw HTTP request or response, a curl command, or --header flags plus a body. The
        vendor is recognised from its signature headers (--vendor to force). The signature is
        recomputed with the adapter's recipe and compared in constant time.
        The verdict is about the signature only; a timestamp outside the vendor's window, or in the
        wrong unit, is a separate warning with the skew and the error the vendor would answer
        (--now EPOCH_MS or ISO 8601 pins the clock for old captures).
        On a mismatch, re-signs under the usual mistakes — body re-serialised (minified, pretty,
        keys sorted, unicode-escaped, newline), timestamp unit, hex case, MD5 vs SHA-256, a secret
        with a trailing newline, and the adapter's own pitfalls — and says which one reproduces
        what was received. With --their-string (the sender's string to sign, e.g. from Alibaba's
        SignatureDoesNotMatch) shows the first differing byte, or that the secret differs.
        Exit: 0 valid, 1 mismatch, 65 cannot evaluate.
        """,
        examples: ["verify @captured-request.http --cred accessSecret=env:NX_SECRET", "verify <<EOF", "verify --header 'Api-Key: k' --header 'Timestamp: 1630468800' --header 'Sign: 05d7…'"],
        flags: [
            FlagSpec("header", .value(placeholder: "NAME:VALUE"), summary: "a received header (with a body as the input)", repeatable: true),
            FlagSpec("method", .value(placeholder: "M"), summary: "the method, with --header"),
            FlagSpec("path", .value(placeholder: "P"), summary: "the path and query, with --header"),
            FlagSpec("vendor", .value(placeholder: "V"), summary: "check as this vendor's signature", completion: AdapterCompletion.vendorIDs),
            FlagSpec("cred", .value(placeholder: "NAME=VALUE"), summary: "a credential (VALUE may be env:VAR or file:PATH)", sensitive: true, repeatable: true, completion: AdapterCompletion.credentialNames),
            FlagSpec("now", .value(placeholder: "T"), summary: "the clock for the timestamp check (epoch ms, or ISO 8601)"),
            FlagSpec("their-string", .value(placeholder: "S|@file"), summary: "the sender's string to sign, to find the first difference"),
            FlagSpec("explain", summary: "show the string to sign we expect, step by step, as 'sign --explain' does"),
        ],
        arguments: [ArgumentSpec("input", summary: "raw HTTP, a curl command, @file, - for stdin, or the body with --header", optional: true,
                                 completion: .files)],
        acceptsRawBody: true
    ) { context throws(CommandError) in
        let message = try VerifyInput.message(context)
        let session = context.session
        let verifier = try session.messageVerifier()
        let (adapter, claim) = try CommandError.wrap { () throws(WorkbenchError) in
            try verifier.claim(in: message, vendor: context.arguments.value("vendor").map { session.adapterNamed($0)?.id ?? $0 })
        }
        let store = session.credentialStore
        // A secret the session holds for another key is never used silently for this message.
        let given = Set(context.arguments.values("cred").map { String($0.prefix { $0 != "=" }) })
        let held = store.get(adapter.id)
        let secretsGiven = adapter.requiredSecretNames.allSatisfy(given.contains)
        if !secretsGiven, adapter.requiredSecretNames.contains(where: { held[$0] != nil }) {
            for (name, value) in claim.publicCredentials where held[name] != nil && held[name] != value {
                throw CommandError.usage("this message is signed with \(name) \(value), but the session's \(adapter.requiredSecretNames.joined(separator: ", ")) was given with \(name) \(held[name]!)",
                                         hint: "give the secret of \(name) \(value): --cred \(adapter.requiredSecretNames.first ?? "secret")=…")
            }
        }
        for (name, value) in claim.publicCredentials { store.set(adapter.id, name, value) }
        var credentials = try CredentialResolver.resolve(context.arguments.values("cred"), for: adapter, session: session,
                                                         required: adapter.requiredSecretNames)
        for (name, value) in claim.publicCredentials { credentials[name] = value }
        let now = try context.arguments.value("now").map { (text) throws(CommandError) in try VerifyInput.clock(text) }
        let theirs = try context.arguments.value("their-string").map { (word) throws(CommandError) in
            try InputText.read(word: word, rawBody: nil)?.text ?? word
        }
        var verification = verifier.verify(message, claim: claim, adapter: adapter, credentials: credentials, now: now, theirString: theirs)
        verification.clockWarnings = message.notes + verification.clockWarnings
        let used = adapter.credentials.filter { credentials[$0.name] != nil }.map { c in
            c.secret ? "\(c.name) (\(given.contains(c.name) ? "given here" : "held by the session"))" : "\(c.name) \(credentials[c.name]!)"
        }
        var report = Report(json: VerifyReport.json(verification), blocks: VerifyReport.blocks(verification) + [.text("checked with " + used.joined(separator: ", "), .dim)])
        if case .object(var members) = report.json {
            members.append(JSONMember("credentials", .array(used.map { .string($0) })))
            report.json = .object(members)
        }
        if context.arguments.has("explain"), let request = verification.signedRequest {
            let steps = SecretSteps(signer: verifier.signer).shown(adapter: adapter, request: request, credentials: credentials,
                                                                   output: SignOutput(headers: [], query: [], signature: verification.expected ?? "", steps: verification.steps))
            report.blocks += [.blank, .heading("What we sign")] + SignReport.stepBlocks(steps, hex: false, secrets: !adapter.requiredSecretNames.isEmpty)
            if case .object(var members) = report.json {
                members.append(JSONMember("steps", .array(steps.map { ["name": .string($0.name), "value": .string($0.masked), "bytes": .int($0.byteCount)] })))
                report.json = .object(members)
            }
        }
        let status: ExitStatus = switch verification.verdict {
        case .valid: .ok
        case .mismatch: .negative
        case .unverifiable: .dataError
        }
        return Outcome(status: status, report: report)
    }
}

enum VerifyInput {
    static func message(_ context: CommandContext) throws(CommandError) -> HTTPMessage {
        let captured = try context.session.captureInput(context.positional(0))
        let input: InputText?
        if let captured {
            input = InputText(bytes: Array(captured.utf8), origin: context.positional(0)!)
        } else {
            input = try InputText.read(word: context.positional(0), rawBody: context.rawBody)
        }
        let headers = context.arguments.values("header")
        if !headers.isEmpty {
            var message = HTTPMessage(kind: .request, method: context.arguments.value("method")?.uppercased() ?? "POST",
                                      target: context.arguments.value("path") ?? "/")
            for h in headers {
                guard let colon = h.firstIndex(of: ":") else { throw CommandError.usage("--header takes NAME:VALUE, not '\(h)'") }
                message.headers.append((h[..<colon].trimmingBlanks(), h[h.index(after: colon)...].trimmingBlanks()))
            }
            message.body = input?.bytes ?? []
            return message
        }
        guard let input else {
            throw CommandError.usage("nothing to verify", hint: "paste the received request, or give @file, -, or --header flags with the body")
        }
        let text = input.text.drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        let bytes = Array(text.utf8)
        do {
            if HTTPParser.looksLikeHTTP(bytes) { return try HTTPParser.parse(bytes) }
            if CurlParser.looksLikeCurl(String(text)) { return try CurlParser.parse(String(text)) }
        } catch {
            throw CommandError(.dataError, "\(input.origin): \(error.message)" + (error.line.map { " (line \($0))" } ?? ""))
        }
        throw CommandError(.dataError, "\(input.origin) is neither a raw HTTP message nor a curl command",
                           hint: "for a bare body, give the received signature headers with --header NAME:VALUE")
    }

    /// Epoch milliseconds of `--now`: digits (ms, or s when 10 digits) or ISO 8601 (UTC or with offset).
    static func clock(_ text: String) throws(CommandError) -> Int64 {
        if let n = Int64(text) { return text.count <= 10 ? n * 1000 : n }
        var body = text
        var offset = 0
        if body.hasSuffix("Z") { body.removeLast() } else if body.count > 19, let minutes = TimeZoneOffset.minutes(String(body.suffix(6))) {
            offset = minutes
            body.removeLast(6)
        }
        guard let seconds = TimeFormat.parseLocal(String(body.prefix(19)), offsetMinutes: offset) else {
            throw CommandError.usage("--now takes epoch milliseconds or ISO 8601 (2026-11-21T10:00:00Z), not '\(text)'")
        }
        return seconds * 1000
    }
}

/// Human and JSON forms of a verification.
enum VerifyReport {
    static func json(_ v: Verification) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember("verdict", .string(v.verdict.rawValue)), JSONMember("vendor", v.vendor.map { .string($0) } ?? .null),
            JSONMember("expected", v.expected.map { .string($0) } ?? .null), JSONMember("received", v.received.map { .string($0) } ?? .null),
            JSONMember("diagnosis", .array(v.diagnosis.map { ["variant": .string($0.variant), "matches": .bool($0.matches), "explanation": .string($0.explanation)] })),
            JSONMember("warnings", .array(v.clockWarnings.map { .string($0) })),
        ]
        if let reason = v.reason { members.append(JSONMember("reason", .string(reason))) }
        if !v.comparison.isEmpty { members.append(JSONMember("stringComparison", .array(v.comparison.map { .string($0) }))) }
        return .object(members)
    }

    static func blocks(_ v: Verification) -> [Block] {
        var blocks: [Block] = []
        switch v.verdict {
        case .valid: blocks.append(.line([Span("✓ valid", .green), Span(" — the \(v.vendor ?? "") signature matches")]))
        case .mismatch: blocks.append(.line([Span("✗ mismatch", .red), Span(" — the \(v.vendor ?? "") signature does not match")]))
        case .unverifiable: blocks.append(.line([Span("? unverifiable", .yellow), Span(" — " + (v.reason ?? ""))]))
        }
        var pairs: [(String, [Span])] = []
        if let r = v.received { pairs.append(("received", [Span(r)])) }
        if let e = v.expected { pairs.append(("expected", [Span(e)])) }
        if !pairs.isEmpty { blocks.append(.pairs(pairs)) }
        for w in v.clockWarnings { blocks.append(.line([Span("⚠ ", .yellow), Span(w)])) }
        if v.verdict == .mismatch {
            let hits = v.diagnosis.filter(\.matches)
            if hits.isEmpty {
                let next = v.comparison.isEmpty
                    ? "most likely a different secret, or a different recipe. Give --their-string with the sender's string to sign to find the first difference."
                    : "compared with the sender's string to sign:"
                blocks.append(.line([Span("None of the \(v.diagnosis.count) usual mistakes reproduces the received signature: ", .yellow), Span(next)]))
            } else {
                blocks.append(.heading("Why"))
                for hit in hits { blocks.append(.line([Span("  ✓ \(hit.variant): ", .green), Span(hit.explanation)])) }
            }
        }
        if !v.comparison.isEmpty { blocks.append(.indented(v.comparison)) }
        return blocks
    }
}
