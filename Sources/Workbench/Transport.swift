import Wire

/// How long the parts of one exchange took, in milliseconds.
public struct ExchangeTiming: Sendable, Equatable {
    /// Until the request head was on the wire: connection set-up (TCP, TLS) when there was one.
    public var connectMilliseconds: Double
    /// Until the response head arrived.
    public var firstByteMilliseconds: Double
    public var totalMilliseconds: Double

    public init(connectMilliseconds: Double, firstByteMilliseconds: Double, totalMilliseconds: Double) {
        self.connectMilliseconds = connectMilliseconds
        self.firstByteMilliseconds = firstByteMilliseconds
        self.totalMilliseconds = totalMilliseconds
    }
}

public struct TransportOptions: Sendable {
    public var timeoutSeconds: Double
    /// Accept a certificate no authority vouches for (a self-signed test server).
    public var allowInsecureTLS: Bool
    /// The largest response body kept.
    public var maxBodyBytes: Int

    public init(timeoutSeconds: Double = 30, allowInsecureTLS: Bool = false, maxBodyBytes: Int = 64 << 20) {
        self.timeoutSeconds = timeoutSeconds
        self.allowInsecureTLS = allowInsecureTLS
        self.maxBodyBytes = maxBodyBytes
    }
}

/// Why a request got no answer.
public struct TransportError: Error, Sendable, Equatable {
    public enum Kind: String, Sendable { case refused, unresolved, timeout, tls, invalidURL, tooLarge, other }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// Puts a request on the wire and brings the response back. The network edge implements it;
/// tests use a fake.
public protocol Transport: Sendable {
    func send(_ request: HTTPMessage, options: TransportOptions) throws(TransportError) -> (response: HTTPMessage, timing: ExchangeTiming)
}
