/// An HTTP request or response as pasted (raw text or a curl command): start line, headers in
/// order, and the body bytes exactly as they came.
public struct HTTPMessage: Equatable, Sendable {
    public enum Kind: String, Sendable { case request, response }

    public var kind: Kind
    public var method: String?
    /// The request target (path and query, or a full URL from curl).
    public var target: String?
    public var status: Int?
    /// The status line's reason phrase ("OK"), when known.
    public var reason: String?
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// What parsing noticed about the message (a body longer than its Content-Length, …).
    public var notes: [String] = []

    public init(kind: Kind, method: String? = nil, target: String? = nil, status: Int? = nil,
                headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.kind = kind
        self.method = method
        self.target = target
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func == (a: HTTPMessage, b: HTTPMessage) -> Bool {
        a.kind == b.kind && a.method == b.method && a.target == b.target && a.status == b.status && a.body == b.body
            && a.headers.map { $0.name + ":" + $0.value } == b.headers.map { $0.name + ":" + $0.value }
    }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Query parameters of the target, percent-decoded (`+` stays `+`).
    public var queryItems: [(String, String)] {
        guard let target, let q = target.firstIndex(of: "?") else { return [] }
        return target[target.index(after: q)...].split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecode(String(parts[0])), parts.count > 1 ? percentDecode(String(parts[1])) : "")
        }
    }

    /// The path of the target without scheme, host and query.
    public var path: String {
        guard let target else { return "/" }
        let bytes = target.utf8
        var start = bytes.startIndex
        // "scheme://host[:port]/path": skip to the slash after the authority.
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes[colon...].starts(with: "://".utf8),
           bytes[..<colon].allSatisfy({ $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") }) {
            let authority = bytes.index(colon, offsetBy: 3)
            guard let slash = bytes[authority...].firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }),
                  bytes[slash] == UInt8(ascii: "/") else { return "/" }
            start = slash
        }
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "?")) ?? bytes.endIndex
        return String(target[start..<end])
    }
}

func percentDecode(_ s: String) -> String {
    var bytes: [UInt8] = []
    var it = Array(s.utf8)[...]
    while let b = it.first {
        it = it.dropFirst()
        if b == UInt8(ascii: "%"), it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
            bytes.append(v)
            it = it.dropFirst(2)
        } else {
            bytes.append(b)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

extension String {
    func range(of needle: String) -> Range<String.Index>? { ranges(of: needle).first }
}

/// A problem with a pasted HTTP message or curl command.
public struct WireError: Error, Equatable, Sendable {
    public var message: String
    public var line: Int?
}
