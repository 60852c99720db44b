/// What a vendor's recipe signs: the operation, method, path, query, body and any pinned values.
public struct SignRequest: Sendable, Equatable {
    public var operation: String?
    public var method: String
    public var path: String
    public var body: String?
    public var query: [String: String]
    /// Values the user pinned (ts, nonce, request_id, date, algorithm, or any the plugin declares).
    public var pins: [String: String]

    public init(operation: String? = nil, method: String = "POST", path: String = "/", body: String? = nil,
                query: [String: String] = [:], pins: [String: String] = [:]) {
        self.operation = operation
        self.method = method
        self.path = path
        self.body = body
        self.query = query
        self.pins = pins
    }
}

/// One intermediate value of a signing computation, as shown by `sign --explain`.
public struct TraceStep: Equatable, Sendable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The result of signing: what to send, the signature, and every intermediate step of this call.
public struct SignOutput: Equatable, Sendable {
    public var headers: [(String, String)]
    public var query: [(String, String)]
    public var signature: String
    public var steps: [TraceStep]

    public init(headers: [(String, String)], query: [(String, String)], signature: String, steps: [TraceStep]) {
        self.headers = headers
        self.query = query
        self.signature = signature
        self.steps = steps
    }

    public static func == (a: SignOutput, b: SignOutput) -> Bool {
        a.headers.map { $0.0 + "=" + $0.1 } == b.headers.map { $0.0 + "=" + $0.1 }
            && a.query.map { $0.0 + "=" + $0.1 } == b.query.map { $0.0 + "=" + $0.1 }
            && a.signature == b.signature && a.steps == b.steps
    }

    /// A header or query value by name (headers case-insensitively), or the signature.
    public func value(named name: String) -> String? {
        if name == "signature" { return signature }
        if let h = headers.first(where: { $0.0.lowercased() == name.lowercased() }) { return h.1 }
        return query.first(where: { $0.0 == name })?.1
    }

    /// The step that is the string to sign (the last whose name says so), else the first step.
    public var stringToSign: String {
        steps.last { $0.name.lowercased().contains("string to sign") || $0.name.contains("StringToSign") }?.value
            ?? steps.first?.value ?? ""
    }
}
