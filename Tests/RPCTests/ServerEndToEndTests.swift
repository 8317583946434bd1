import Foundation
import RPC
import Testing

/// The server over real mutual TLS and HTTP/2, called by Python grpcio (a real gRPC client).
@Suite("Server end to end with grpcio", .serialized)
struct ServerEndToEndTests {
    static let script = #"""
        import grpc, json, sys
        port, ca, cert, key = sys.argv[1:5]
        creds = grpc.ssl_channel_credentials(open(ca, 'rb').read(), open(key, 'rb').read(), open(cert, 'rb').read())
        ch = grpc.secure_channel('127.0.0.1:' + port, creds, options=[('grpc.max_receive_message_length', 8 << 20)])

        def sv(s):
            b = s.encode() if isinstance(s, str) else s
            if not b: return b''
            n, pre = len(b), b''
            while True:
                if n < 128: pre += bytes([n]); break
                pre += bytes([(n & 127) | 128]); n >>= 7
            return b'\x0a' + pre + b

        def unsv(b):
            if not b: return ''
            i, n, shift = 1, 0, 0
            while True:
                c = b[i]; i += 1; n |= (c & 127) << shift; shift += 7
                if c < 128: break
            return b[i:i + n].decode()

        def md(m):
            return {k: (v if isinstance(v, str) else v.hex()) for k, v in (m or [])}

        out = {}
        def call(name, fn):
            try:
                out[name] = {'ok': fn()}
            except grpc.RpcError as e:
                out[name] = {'code': e.code().name, 'details': e.details(), 'trailing': md(e.trailing_metadata())}

        unary = ch.unary_unary('/test.Echo/Unary')
        def hello():
            resp, c = unary.with_call(sv('hello'), metadata=[('x-echo', 'v1'), ('x-bytes-bin', b'\x00\x01\xff')], timeout=10)
            return {'value': unsv(resp), 'initial': md(c.initial_metadata()), 'trailing': md(c.trailing_metadata())}
        call('hello', hello)
        for name in ['fail', 'crash', 'redirect', 'unavailable', 'peer', 'remote']:
            call(name, lambda name=name: unsv(unary(sv(name), timeout=10)))
        call('deadline', lambda: unsv(unary(sv('sleep'), timeout=0.3)))
        def cancel():
            future = unary.future(sv('sleep'), timeout=10)
            import time; time.sleep(0.3)
            future.cancel()
            return future.cancelled()
        call('cancel', cancel)
        call('rejected', lambda: unsv(unary(sv('hello'), metadata=[('x-reject', '1')], timeout=10)))
        call('gzip', lambda: unsv(unary(sv('zipped ' * 100), compression=grpc.Compression.Gzip, timeout=10)))
        call('large', lambda: len(unsv(unary(sv('x' * (3 << 20)), timeout=20))))
        call('too_large', lambda: len(unsv(unary(sv('x' * (5 << 20)), timeout=20))))
        call('unknown_method', lambda: ch.unary_unary('/test.Echo/Nope')(b'', timeout=10))
        call('unknown_service', lambda: ch.unary_unary('/no.Such/Thing')(b'', timeout=10))
        call('unknown_gated', lambda: ch.unary_unary('/no.Such/Thing')(b'', metadata=[('x-reject', '1')], timeout=10))
        call('server_stream', lambda: [unsv(m) for m in ch.unary_stream('/test.Echo/ServerStream')(sv('3'), timeout=10)])
        call('empty_stream', lambda: [unsv(m) for m in ch.unary_stream('/test.Echo/ServerStream')(sv('0'), timeout=10)])
        call('client_stream', lambda: unsv(ch.stream_unary('/test.Echo/ClientStream')(iter([sv('a'), sv('b'), sv('c')]), timeout=10)))
        call('bidi', lambda: [unsv(m) for m in ch.stream_stream('/test.Echo/Bidi')(iter([sv('x'), sv('y')]), timeout=10)])
        call('health', lambda: ch.unary_unary('/grpc.health.v1.Health/Check')(b'', timeout=10).hex())
        call('health_unknown', lambda: ch.unary_unary('/grpc.health.v1.Health/Check')(sv('nope'), timeout=10).hex())
        def watch():
            it = ch.unary_stream('/grpc.health.v1.Health/Watch')(sv('nope'), timeout=10)
            first = next(it).hex(); it.cancel(); return first
        call('watch_unknown', watch)
        def reflect(path):
            responses = ch.stream_stream(path)(iter([b'\x3a\x00', b'\x22' + sv('grpc.health.v1.Health')[1:]]), timeout=10)
            return [r.hex() for r in responses]
        call('reflection_v1', lambda: reflect('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo'))
        call('reflection_v1alpha', lambda: reflect('/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo'))
        call('after', lambda: unsv(unary(sv('still here'), timeout=10)))
        print(json.dumps(out))
        """#

    @Test(
        "grpcio calls every kind of method and sees the statuses, metadata and answers of the spec",
        arguments: [false, true])
    func grpcio(handlersOnEventLoop: Bool) async throws {
        guard let python = ServerTestFixture.python() else {
            Issue.record("no Python with grpcio (set BBS_PYTHON or run make deps)")
            return
        }
        let fixture = try await ServerTestFixture.start(handlersOnEventLoop: handlersOnEventLoop)
        let scriptPath = fixture.certificates.directory + "/e2e.py"
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let certs = fixture.certificates
        let (status, output) = try await ServerTestFixture.run(
            python, [scriptPath, String(fixture.port), certs.caFile, certs.clientCert, certs.clientKey])
        let cancelledHandlers = fixture.cancelled.withLockedValue { $0 }
        let sleepers = fixture.sleepers.withLockedValue { $0 }
        let stopping = ContinuousClock.now
        await fixture.stop()
        // Far below the 10 s drain timeout it would wait if it waited for connections; not 1 s,
        // which a loaded 2-core machine overshoots.
        #expect(ContinuousClock.now - stopping < .seconds(5), "shutdown with no connections does not wait to drain")
        #expect(status == 0)
        let results = try #require(
            try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]])

        let hello = try #require(results["hello"]?["ok"] as? [String: Any], "\(results["hello"] ?? [:])")
        #expect(hello["value"] as? String == "hello")
        #expect((hello["initial"] as? [String: String])?["x-initial"] == "hello")
        #expect((hello["trailing"] as? [String: String])?["x-echo"] == "v1")
        #expect((hello["trailing"] as? [String: String])?["x-bytes-bin"] == "0001ff")

        func failure(_ name: String) -> (String?, String?, [String: String]?) {
            let result = results[name]
            return (result?["code"] as? String, result?["details"] as? String, result?["trailing"] as? [String: String])
        }
        let fail = failure("fail")
        #expect(fail.0 == "NOT_FOUND")
        #expect(fail.1 == "ünïcode 100%")
        #expect(fail.2?["bbs-error-type"] == "ResourceNotFound")
        #expect(failure("crash").0 == "UNKNOWN")
        let redirect = failure("redirect")
        #expect(redirect.0 == "UNAVAILABLE")
        #expect(redirect.1?.contains("https://10.0.0.2:8889") == true)
        #expect(redirect.2?["bbs-master-url"] == "https://10.0.0.2:8889")
        // grpcio shows the extra headers of a trailers-only answer as trailing metadata.
        #expect(redirect.2?["location"] == "https://10.0.0.2:8889/test.Echo/Unary")
        #expect(failure("unavailable").2?["retry-after"] == "2")
        #expect(failure("unavailable").0 == "UNAVAILABLE")
        #expect(failure("unavailable").1 == "migrating")
        #expect(results["peer"]?["ok"] as? String == "CN=bbs-test-client,O=bbs")
        let remote = results["remote"]?["ok"] as? String ?? ""
        #expect(remote.hasPrefix("127.0.0.1:") && remote != "127.0.0.1:0", "\(remote)")
        #expect(failure("deadline").0 == "DEADLINE_EXCEEDED")
        #expect(results["cancel"]?["ok"] as? Bool == true)
        // The deadline and the client's RST_STREAM cancel the handler's task (a call cancelled
        // before its handler started, on a loaded machine, never had one).
        #expect(sleepers >= 1)
        #expect(cancelledHandlers == sleepers)
        let rejected = failure("rejected")
        #expect(rejected.0 == "UNAVAILABLE")
        #expect(rejected.1 == "rejected by interceptor")
        #expect(rejected.2?["retry-after"] == "7")
        #expect(results["gzip"]?["ok"] as? String == String(repeating: "zipped ", count: 100))
        #expect(results["large"]?["ok"] as? Int == 3 << 20)
        #expect(failure("too_large").0 == "RESOURCE_EXHAUSTED")
        #expect(failure("unknown_method").0 == "UNIMPLEMENTED")
        #expect(failure("unknown_method").1?.contains("/test.Echo/Nope") == true)
        #expect(failure("unknown_service").0 == "UNIMPLEMENTED")
        // The interceptors run for unknown methods too: a gate answers them with its 503.
        let gated = failure("unknown_gated")
        #expect(gated.0 == "UNAVAILABLE")
        #expect(gated.1 == "rejected by interceptor")
        #expect(gated.2?["retry-after"] == "7")
        #expect(
            results["server_stream"]?["ok"] as? [String] == ["message 0", "message 1", "message 2"],
            "\(results["server_stream"] ?? [:])")
        #expect(results["empty_stream"]?["ok"] as? [String] == [])
        #expect(results["client_stream"]?["ok"] as? String == "a,b,c")
        #expect(results["bidi"]?["ok"] as? [String] == ["x", "y"])
        #expect(results["health"]?["ok"] as? String == "0801")
        #expect(failure("health_unknown").0 == "NOT_FOUND")
        #expect(results["watch_unknown"]?["ok"] as? String == "0803")
        for version in ["reflection_v1", "reflection_v1alpha"] {
            let responses = try #require(results[version]?["ok"] as? [String], "\(version): \(results[version] ?? [:])")
            #expect(responses.count == 2)
            let listed = String(decoding: Self.bytes(hex: responses.first ?? ""), as: UTF8.self)
            #expect(listed.contains("test.Echo") && listed.contains("grpc.health.v1.Health"))
            let file = String(decoding: Self.bytes(hex: responses.last ?? ""), as: UTF8.self)
            #expect(file.contains("grpc/health/v1/health.proto"))
        }
        #expect(results["after"]?["ok"] as? String == "still here")
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}
