import Adapters
import Signing
import Wire

/// What to sign: the adapter, the operation, the request and the credentials, all resolved.
public struct RequestPlan: Sendable {
    public var adapter: Adapter
    public var operation: Operation?
    public var request: SignRequest
    public var credentials: [String: String]
    /// The base URL (a region's, or given); nil when unknown.
    public var baseURL: String?

    public init(adapter: Adapter, operation: Operation?, request: SignRequest, credentials: [String: String], baseURL: String?) {
        self.adapter = adapter
        self.operation = operation
        self.request = request
        self.credentials = credentials
        self.baseURL = baseURL
    }

    /// Secret credentials in use, by name.
    public var secrets: [(name: String, value: String)] {
        adapter.credentials.filter(\.secret).compactMap { c in credentials[c.name].map { (c.name, $0) } }
    }
}

/// One step of the signing trace as it may be shown: secret bytes replaced, sizes kept.
public struct ShownStep: Sendable, Equatable {
    public var name: String
    /// The value with each secret credential written as ‹name›.
    public var masked: String
    /// Length of the real value in bytes.
    public var byteCount: Int
    /// The real value's bytes as hex pairs, `**` for a secret's bytes.
    public var hexPairs: [String]
}

/// A signed request, ready to send or to print.
public struct PreparedRequest: Sendable {
    public var plan: RequestPlan
    public var output: SignOutput
    /// What goes on the wire: method, full URL as target, headers, body bytes as signed.
    public var http: HTTPMessage
    public var steps: [ShownStep]

    public var url: String { http.target ?? "/" }
    public var curl: String { CurlRenderer.command(for: http) }
}

/// The "prepare a signed request" use-case.
public struct RequestPreparation: Sendable {
    public let signer: any Signer
    public init(signer: any Signer) { self.signer = signer }

    public func prepare(_ plan: RequestPlan) throws(WorkbenchError) -> PreparedRequest {
        let output: SignOutput
        do {
            output = try signer.sign(plan.adapter.id, request: plan.request, credentials: plan.credentials, trace: true)
        } catch {
            throw WorkbenchError(error)
        }
        let url = RequestPreparation.url(plan, output)
        var http = HTTPMessage(kind: .request, method: plan.request.method, target: url, headers: output.headers.map { (name: $0.0, value: $0.1) })
        if let body = plan.request.body { http.body = Array(body.utf8) }
        return PreparedRequest(plan: plan, output: output, http: http,
                               steps: SecretSteps(signer: signer).shown(adapter: plan.adapter, request: plan.request, credentials: plan.credentials, output: output))
    }

    static func url(_ plan: RequestPlan, _ output: SignOutput) -> String {
        var url = (plan.baseURL ?? "https://HOST") + plan.request.path
        if let host = output.value(named: "host"), plan.baseURL == nil || plan.request.pins["host"] != nil {
            url = "https://" + host + plan.request.path
        }
        let query = output.query.isEmpty ? plan.request.query.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } : output.query
        if !query.isEmpty {
            url += "?" + query.map { Primitives.percentEncode($0.0) + "=" + Primitives.percentEncode($0.1) }.joined(separator: "&")
        }
        return url
    }
}

/// Masks a signing trace by where the secrets went, not by searching for their text: the request
/// is signed once more with each secret replaced by a marker, and a step that carries markers is
/// shown from that run — after checking that putting the secrets back gives the real step exactly.
/// A short secret like `b` so never hides the `b` of `bizType`.
public struct SecretSteps: Sendable {
    let signer: any Signer
    static let open: Character = "\u{E000}", close: Character = "\u{E001}"

    public init(signer: any Signer) { self.signer = signer }

    /// The steps of `output` (signed from `request` with `credentials`) as they may be shown.
    public func shown(adapter: Adapter, request: SignRequest, credentials: [String: String], output: SignOutput) -> [ShownStep] {
        let secrets = adapter.credentials.filter(\.secret).compactMap { c in credentials[c.name].map { (name: c.name, value: $0) } }
            .filter { !$0.value.isEmpty }
        guard !secrets.isEmpty else { return output.steps.map { ShownStep($0, hidden: []) } }
        var marked = credentials
        for secret in secrets { marked[secret.name] = "\(SecretSteps.open)\(secret.name)\(SecretSteps.close)" }
        let markedSteps = (try? signer.sign(adapter.id, request: request, credentials: marked, trace: true).steps) ?? []
        let values = Dictionary(secrets.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        let aligned = markedSteps.count == output.steps.count && zip(markedSteps, output.steps).allSatisfy { $0.name == $1.name }
        return output.steps.enumerated().map { i, step in
            if aligned {
                let markedValue = markedSteps[i].value
                // No secret went into this step (a digest, a timestamp): shown as it is.
                if !markedValue.contains(SecretSteps.open) {
                    return ShownStep(step, hidden: [])
                }
                if let (masked, hidden) = SecretSteps.unmark(markedValue, values: values), hidden.real == step.value {
                    return ShownStep(name: step.name, masked: masked, byteCount: step.value.utf8.count,
                                     hexPairs: SecretSteps.hex(step.value, hidden.flags))
                }
            }
            // The recipe transformed the markers (or the secret) beyond recognition: fall back to
            // hiding every occurrence of a secret's text.
            let flags = SecretBytes.hidden(in: Array(step.value.utf8), secrets: secrets.map(\.value))
            var masked = step.value
            for secret in secrets.sorted(by: { $0.value.count > $1.value.count }) { masked = masked.replacing(secret.value, with: "‹\(secret.name)›") }
            return ShownStep(name: step.name, masked: masked, byteCount: step.value.utf8.count, hexPairs: SecretSteps.hex(step.value, flags))
        }
    }

    /// The marked text with markers as ‹name›, and the real text with its secret bytes flagged;
    /// nil when a marker is broken or names no secret.
    static func unmark(_ text: String, values: [String: String]) -> (String, (real: String, flags: [Bool]))? {
        var masked = "", real = ""
        var flags: [Bool] = []
        var rest = Substring(text)
        while let start = rest.firstIndex(of: open) {
            let plain = rest[..<start]
            masked += plain
            real += plain
            flags += [Bool](repeating: false, count: plain.utf8.count)
            guard let end = rest[start...].firstIndex(of: close), let value = values[String(rest[rest.index(after: start)..<end])] else { return nil }
            let name = String(rest[rest.index(after: start)..<end])
            masked += "‹\(name)›"
            real += value
            flags += [Bool](repeating: true, count: value.utf8.count)
            rest = rest[rest.index(after: end)...]
        }
        masked += rest
        real += rest
        flags += [Bool](repeating: false, count: rest.utf8.count)
        return (masked, (real, flags))
    }

    static func hex(_ text: String, _ hidden: [Bool]) -> [String] {
        Array(text.utf8).enumerated().map { $0.offset < hidden.count && hidden[$0.offset] ? "**" : Primitives.hex([$0.element]) }
    }
}

extension ShownStep {
    init(_ step: TraceStep, hidden: [Bool]) {
        self.init(name: step.name, masked: step.value, byteCount: step.value.utf8.count, hexPairs: SecretSteps.hex(step.value, hidden))
    }
}
