import Testing

@testable import TLS

@Suite("ALPN lists and certificate names")
struct ALPNAndPeerCertificateTests {
    @Test("protocol names are length-prefixed on the wire")
    func wireFormat() throws {
        #expect(try ALPN.wireFormat(["h2", "http/1.1"]) == [2] + Array("h2".utf8) + [8] + Array("http/1.1".utf8))
        #expect(try ALPN.wireFormat([]) == [])
    }

    @Test("an empty or over-long protocol name is a configuration error", arguments: ["", String(repeating: "a", count: 256)])
    func invalidNames(name: String) {
        #expect(throws: TLSError.self) { try ALPN.wireFormat([name]) }
    }

    @Test("our first preference that the peer offers is selected, wherever it sits in the peer's list")
    func selectsOurPreference() throws {
        let offered = try ALPN.wireFormat(["http/1.1", "h2"])
        let match = offered.withUnsafeBufferPointer { ALPN.select(["h2", "http/1.1"], from: $0) }
        let selected = try #require(match)
        #expect(Array(offered[selected.offset..<selected.offset + selected.length]) == Array("h2".utf8))
    }

    @Test("nothing is selected when the lists do not meet or the peer's list is malformed")
    func noSelection() throws {
        let http1 = try ALPN.wireFormat(["http/1.1"])
        #expect(http1.withUnsafeBufferPointer { ALPN.select(["h2"], from: $0) } == nil)
        let truncated: [UInt8] = [5, 0x68, 0x32]
        #expect(truncated.withUnsafeBufferPointer { ALPN.select(["h2"], from: $0) } == nil)
        let prefix: [UInt8] = [3, 0x68, 0x32, 0x63]  // "h2c" must not match "h2"
        #expect(prefix.withUnsafeBufferPointer { ALPN.select(["h2"], from: $0) } == nil)
    }

    @Test(
        "IP address SANs are printed in their usual text form",
        arguments: [
            ([127, 0, 0, 1], "127.0.0.1"),
            ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "::1"),
            ([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "2001:db8::1"),
            ([0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], "1:0:0:1::1"),
            ([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8], "1:2:3:4:5:6:7:8"),
        ] as [([UInt8], String)])
    func ipAddressText(bytes: [UInt8], text: String) {
        #expect(PeerCertificate.ipAddressText(bytes) == text)
    }

    @Test("an address of another length is not an IP address")
    func badAddress() {
        #expect(PeerCertificate.ipAddressText([1, 2, 3]) == nil)
    }
}
