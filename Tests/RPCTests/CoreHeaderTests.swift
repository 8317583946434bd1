import HTTP2
import Testing

@testable import RPC

@Suite("grpc-message, grpc-timeout, metadata and content-type on the wire")
struct CoreHeaderTests {
    @Test(
        "grpc-message percent-encoding round-trips",
        arguments: ["plain", "ünïcode & 100%", "tab\there", "%%%", "emoji 🎉", "", "new\nline", "a%2"])
    func percentRoundTrip(message: String) {
        let encoded = StatusMessageEncoding.encode(message)
        #expect(encoded.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E })
        #expect(StatusMessageEncoding.decode(encoded) == message)
    }

    @Test("percent-encoding matches the spec's bytes")
    func percentBytes() {
        #expect(StatusMessageEncoding.encode("ü 100%") == "%C3%BC 100%25")
        #expect(StatusMessageEncoding.decode("%C3%BC%20ok") == "ü ok")
    }

    @Test("malformed escapes are kept as they are", arguments: ["%", "%4", "%zz", "100%", "%G1"])
    func malformedEscapes(value: String) {
        #expect(StatusMessageEncoding.decode(value) == value)
    }

    @Test(
        "grpc-timeout parses every unit",
        arguments: [
            ("1H", Duration.seconds(3600)), ("2M", .seconds(120)), ("3S", .seconds(3)),
            ("100m", .milliseconds(100)), ("5u", .microseconds(5)), ("7n", .nanoseconds(7)),
            ("99999999S", .seconds(99_999_999)), ("0m", .zero),
        ])
    func timeoutParse(value: String, expected: Duration) throws {
        #expect(try #require(GRPCTimeout(headerValue: value)).duration == expected)
    }

    @Test(
        "bad grpc-timeout values are refused",
        arguments: ["", "S", "10", "10s", "-1S", "123456789S", "1.5S", " 1S", "1 S", "1Sm", "١S"])
    func timeoutRefused(value: String) {
        #expect(GRPCTimeout(headerValue: value) == nil)
    }

    @Test("grpc-timeout formatting stays within 8 digits and never shortens the timeout")
    func timeoutFormat() throws {
        #expect(GRPCTimeout(duration: .milliseconds(100)).headerValue == "100000u")
        #expect(GRPCTimeout(duration: .seconds(1)).headerValue == "1000000u")
        #expect(GRPCTimeout(duration: .seconds(3600 * 24 * 365)).headerValue == "31536000S")
        #expect(GRPCTimeout(duration: .nanoseconds(5)).headerValue == "5n")
        #expect(GRPCTimeout(duration: .seconds(-3)).headerValue == "0n")
        for duration in [Duration.nanoseconds(123_456_789_123), .seconds(100_000_001), .milliseconds(1)] {
            let formatted = GRPCTimeout(duration: duration)
            #expect(formatted.headerValue.count <= 9)
            #expect(formatted.duration >= duration)
            #expect(GRPCTimeout(headerValue: formatted.headerValue)?.duration == formatted.duration)
        }
    }

    @Test("metadata to headers and back: reserved keys dropped, -bin base64 unpadded")
    func metadataRoundTrip() throws {
        var metadata = Metadata()
        metadata.add("x-user", "alice")
        metadata.add("x-trace-bin", bytes: [0xFF, 0x00, 0x01, 0x02])
        metadata.add("grpc-status", "0")
        metadata.add("content-type", "text/plain")
        var headers = HTTP2Headers()
        metadata.appendHeaders(to: &headers)
        #expect(headers.count == 2)
        #expect(headers["x-trace-bin"] == "/wABAg")

        headers.add(name: ":path", value: "/a/b")
        headers.add(name: "te", value: "trailers")
        headers.add(name: "grpc-timeout", value: "1S")
        let back = try Metadata(headers: headers)
        #expect(back["x-user"] == "alice")
        #expect(back.bytes("x-trace-bin") == [0xFF, 0x00, 0x01, 0x02])
        #expect(back.count == 2)
    }

    @Test("metadata the spec does not allow is not written")
    func invalidMetadataSkipped() {
        var metadata = Metadata()
        metadata.add("x-ok", "fine")
        metadata.add("x-newline", "a\nb")
        metadata.add("x-unicode", "ü")
        metadata.add("bad key", "v")
        var headers = HTTP2Headers()
        metadata.appendHeaders(to: &headers)
        #expect(headers.fields.map(\.name) == ["x-ok"])
    }

    @Test("-bin values: padded, unpadded and comma-separated are accepted; garbage is an error")
    func binaryValues() throws {
        let headers: HTTP2Headers = ["a-bin": "AQI=", "b-bin": "AQI", "c-bin": "AQ==,Ag"]
        let metadata = try Metadata(headers: headers)
        #expect(metadata.bytes("a-bin") == [1, 2])
        #expect(metadata.bytes("b-bin") == [1, 2])
        #expect(metadata.values("c-bin") == [.binary([1]), .binary([2])])
        #expect(throws: RPCError.self) { try Metadata(headers: ["d-bin": "not base64!"]) }
    }

    @Test("base64 round-trips every length", arguments: 0...10)
    func base64(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        #expect(Base64.decode(Base64.encode(bytes, padded: true)) == bytes)
    }

    @Test(
        "content types",
        arguments: [
            ("application/grpc", true), ("application/grpc+proto", true), ("application/grpc; charset=utf-8", true),
            ("Application/GRPC", true), ("application/grpc+json", false), ("application/json", false), ("", false),
            ("application/grpcx", false),
        ])
    func contentTypes(value: String, accepted: Bool) {
        #expect(GRPCHeaderName.isGRPCContentType(value) == accepted)
    }
}
