@testable import Net
import Testing

@Suite struct FramingHeaderTests {
    /// The headers the server writes itself are known in any case; nothing else is.
    @Test func framingHeadersAreKnownInAnyCase() {
        for name in ["Content-Length", "content-length", "CONTENT-LENGTH", "Transfer-Encoding", "transfer-ENCODING", "Connection", "connection"] {
            #expect(HTTPServer.isFraming(name), "\(name)")
        }
        for name in ["Content-Type", "Content-Lengths", "Content-Lengt", "Connection ", "X-Connection", "", "Cönnection", "content_length"] {
            #expect(!HTTPServer.isFraming(name), "\(name)")
        }
    }
}
