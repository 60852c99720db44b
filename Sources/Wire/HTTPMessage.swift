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

    /// Query parameters of the target, percent-decoded (`+` stays `+`). Split on bytes, not
    /// characters: a combining mark after `&` or `=` does not hide the separator.
    public var queryItems: [(String, String)] {
        guard var target else { return [] }
        // The '?' found in the contiguous bytes: a search through the generic UTF8View walks
        // index by index, and mock asks for every request.
        guard let q = target.withUTF8({ $0.firstIndex(of: UInt8(ascii: "?")) }) else { return [] }
        let query = target.utf8.index(target.utf8.startIndex, offsetBy: q + 1)
        return target.utf8[query...].split(separator: UInt8(ascii: "&")).map { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecode(parts[0]), parts.count > 1 ? percentDecode(parts[1]) : "")
        }
    }

    /// The path of the target without scheme, host and query.
    public var path: String {
        guard var target else { return "/" }
        return target.withUTF8 { bytes -> String in
            var start = 0
            // "scheme://host[:port]/path": skip to the slash after the authority.
            if let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon + 3 <= bytes.count,
               bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/"),
               !bytes[..<colon].contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) {
                guard let slash = bytes[(colon + 3)...].firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }),
                      bytes[slash] == UInt8(ascii: "/") else { return "/" }
                start = slash
            }
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }
}

/// `%XX` (two hex digits) as the byte it names; anything else as it is.
func percentDecode(_ text: some Collection<UInt8>) -> String {
    func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
    let input = Array(text)
    guard input.contains(UInt8(ascii: "%")) else { return String(decoding: input, as: UTF8.self) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(input.count)
    var i = 0
    while i < input.count {
        if input[i] == UInt8(ascii: "%"), i + 2 < input.count, let high = hex(input[i + 1]), let low = hex(input[i + 2]) {
            bytes.append(high << 4 | low)
            i += 3
        } else {
            bytes.append(input[i])
            i += 1
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
