import NIOCore
import Testing
@testable import Net

@Suite struct PeerAddressTests {
    /// The peer of a delivery reads "address:port".
    @Test func peerTextMatchesNIOsFormatting() throws {
        let cases: [(String, Int)] = [("127.0.0.1", 56556), ("0.0.0.0", 0), ("10.0.0.100", 10), ("255.255.255.255", 65535),
                                      ("192.168.1.10", 100), ("1.20.3.40", 1000), ("8.8.8.8", 80), ("100.10.1.0", 10000)]
        for (ip, port) in cases {
            let address = try SocketAddress(ipAddress: ip, port: port)
            #expect(HTTPServer.peerText(address) == "\(ip):\(port)")
        }
        let v6 = try SocketAddress(ipAddress: "::1", port: 8080)
        #expect(HTTPServer.peerText(v6) == "::1:8080")
    }
}
