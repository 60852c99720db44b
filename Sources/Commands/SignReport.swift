import Adapters
import JSONText
import LuaHost
import Shell
import Signing

/// The report of `sign`: what to send, the signature, each step, and a curl command.
enum SignReport {
    static func make(_ invocation: SignInvocation, _ output: SignOutput, explain: Bool, hex: Bool) -> Report {
        let secrets = invocation.adapter.credentials.filter(\.secret).compactMap { c in invocation.credentials[c.name].map { (c.name, $0) } }
        let url = urlString(invocation, output)
        let curl = curlCommand(invocation, output, url: url)
        var blocks: [Block] = [
            .line([Span(invocation.adapter.id, .bold), Span(invocation.operation.map { " · " + $0.name } ?? ""),
                   Span("  \(invocation.request.method) \(url)", .dim)]),
            .line([Span("signature  ", .cyan), Span(output.signature, .green)]),
        ]
        if !output.headers.isEmpty {
            blocks += [.blank, .heading("Headers to send"), .pairs(output.headers.map { ($0.0, [Span($0.1)]) })]
        }
        if !output.query.isEmpty {
            blocks += [.blank, .heading("Query parameters"), .pairs(output.query.map { ($0.0, [Span($0.1)]) })]
        }
        if explain {
            blocks += [.blank, .heading("Steps")]
            for (i, step) in output.steps.enumerated() {
                let shown = mask(step.value, secrets)
                blocks.append(.line([Span(" \(i + 1). ", .dim), Span(step.name, .cyan), Span("  (\(step.value.utf8.count) bytes)", .dim)]))
                blocks.append(.indented(visible(shown).split(separator: "\n", omittingEmptySubsequences: false).map { "   " + $0 }))
                if hex { blocks.append(.indented(hexLines(step.value, secrets).map { "   " + $0 })) }
            }
            if !secrets.isEmpty {
                blocks.append(.text("   ‹name› stands for a secret credential; byte counts include it. ⏎ newline, ⇥ tab, · trailing space.", .dim))
            }
        }
        blocks += [.blank, .heading("curl"), .indented([curl])]
        var json: [JSONMember] = [
            JSONMember("vendor", .string(invocation.adapter.id)),
            JSONMember("operation", invocation.operation.map { .string($0.name) } ?? .null),
            JSONMember("method", .string(invocation.request.method)), JSONMember("url", .string(url)),
            JSONMember("signature", .string(output.signature)),
            JSONMember("headers", .object(output.headers.map { JSONMember($0.0, .string($0.1)) })),
            JSONMember("query", .object(output.query.map { JSONMember($0.0, .string($0.1)) })),
            JSONMember("steps", .array(output.steps.map { step in
                var m: [JSONMember] = [JSONMember("name", .string(step.name)), JSONMember("value", .string(mask(step.value, secrets))),
                                       JSONMember("bytes", .int(step.value.utf8.count))]
                if hex { m.append(JSONMember("hex", .string(maskedHex(step.value, secrets).joined()))) }
                return .object(m)
            })),
            JSONMember("curl", .string(curl)),
        ]
        if let body = invocation.request.body { json.append(JSONMember("bodyBytes", .int(body.utf8.count))) }
        return Report(json: .object(json), blocks: blocks)
    }

    /// Replaces secret values with ‹name›.
    static func mask(_ text: String, _ secrets: [(String, String)]) -> String {
        var out = text
        for (name, value) in secrets.sorted(by: { $0.1.count > $1.1.count }) where !value.isEmpty {
            out = out.replacing(value, with: "‹\(name)›")
        }
        return out
    }

    /// Newlines, tabs, carriage returns and trailing spaces made visible.
    static func visible(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var s = String(line).replacing("\t", with: "⇥").replacing("\r", with: "␍")
            var trailing = 0
            while s.hasSuffix(" ") { s.removeLast(); trailing += 1 }
            lines.append(s + String(repeating: "·", count: trailing))
        }
        return lines.joined(separator: "⏎\n")
    }

    /// The UTF-8 bytes of `text` as hex pairs, with the bytes of any secret shown as `**`.
    static func maskedHex(_ text: String, _ secrets: [(String, String)]) -> [String] {
        let bytes = Array(text.utf8)
        let hidden = SecretBytes.hidden(in: bytes, secrets: secrets.map(\.1))
        return bytes.enumerated().map { hidden[$0.offset] ? "**" : Primitives.hex([$0.element]) }
    }

    static func hexLines(_ text: String, _ secrets: [(String, String)]) -> [String] {
        let pairs = maskedHex(text, secrets)
        return stride(from: 0, to: pairs.count, by: 32).map { pairs[$0..<min($0 + 32, pairs.count)].joined(separator: " ") }
    }

    static func urlString(_ invocation: SignInvocation, _ output: SignOutput) -> String {
        var url = (invocation.regionBase ?? "https://HOST") + invocation.request.path
        if let host = output.value(named: "host"), invocation.regionBase == nil || invocation.request.pins["host"] != nil {
            url = "https://" + host + invocation.request.path
        }
        let query = output.query.isEmpty ? invocation.request.query.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } : output.query
        if !query.isEmpty {
            url += "?" + query.map { Primitives.percentEncode($0.0) + "=" + Primitives.percentEncode($0.1) }.joined(separator: "&")
        }
        return url
    }

    /// A curl command equivalent to the signed request; no secret appears in it.
    static func curlCommand(_ invocation: SignInvocation, _ output: SignOutput, url: String) -> String {
        var parts = ["curl", "-X", invocation.request.method, quote(url)]
        for (name, value) in output.headers where name.lowercased() != "host" {
            parts += ["-H", quote("\(name): \(value)")]
        }
        if let body = invocation.request.body, !body.isEmpty { parts += ["--data-binary", quote(body)] }
        return parts.joined(separator: " ")
    }

    /// Single-quoted for a POSIX shell.
    static func quote(_ s: String) -> String { "'" + s.replacing("'", with: "'\\''") + "'" }
}
