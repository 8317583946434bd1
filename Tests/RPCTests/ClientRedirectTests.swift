import Foundation
import Interop
import NIOConcurrencyHelpers
import RPC
import TestSupport
import Testing

/// Test-only methods that answer with the RPC layer's two transport answers.
enum ProbeMethods {
    static let service = "bbs.test.Probe"
    /// Always answers with `RPCError.redirect(toMaster:path:)` (the master URL comes from the server).
    static let redirect = RPCMethod<Grpc_Testing_SimpleRequest, Grpc_Testing_SimpleResponse>(
        service: service, method: "Redirect", kind: .unary)
    /// Answers with `RPCError.unavailable(reason:retryAfterSeconds:)` a configured number of times.
    static let unavailable = RPCMethod<Grpc_Testing_SimpleRequest, Grpc_Testing_SimpleResponse>(
        service: service, method: "Unavailable", kind: .unary)
    /// Answers normally, naming the server in `server_id`.
    static let whoAmI = RPCMethod<Grpc_Testing_SimpleRequest, Grpc_Testing_SimpleResponse>(
        service: service, method: "WhoAmI", kind: .unary)
    static let streamRedirect =
        RPCMethod<Grpc_Testing_StreamingOutputCallRequest, Grpc_Testing_StreamingOutputCallResponse>(
            service: service, method: "StreamRedirect", kind: .serverStreaming)

    /// Registers the probe methods. `masterURL` nil: this server is the master and answers
    /// `Redirect` and `StreamRedirect` itself.
    static func register(
        in router: inout RPCRouter, name: String, masterURL: String?, failures: NIOLockedValueBox<Int>,
        retryAfter: Int = 0
    ) {
        router.register(
            redirect,
            unary: { _, context in
                if let masterURL { throw RPCError.redirect(toMaster: masterURL, path: context.method.path) }
                var response = Grpc_Testing_SimpleResponse()
                response.serverID = name
                return response
            })
        router.register(
            unavailable,
            unary: { _, _ in
                let fail = failures.withLockedValue { left in
                    defer { left -= 1 }
                    return left > 0
                }
                if fail {
                    throw RPCError.unavailable(reason: "migrating the data, try again", retryAfterSeconds: retryAfter)
                }
                var response = Grpc_Testing_SimpleResponse()
                response.serverID = name
                return response
            })
        router.register(
            whoAmI,
            unary: { _, _ in
                var response = Grpc_Testing_SimpleResponse()
                response.serverID = name
                return response
            })
        router.register(
            streamRedirect,
            serverStreaming: { _, writer, context in
                if let masterURL { throw RPCError.redirect(toMaster: masterURL, path: context.method.path) }
                var response = Grpc_Testing_StreamingOutputCallResponse()
                response.payload = zeros(name.count)
                try await writer.write(response)
            })
    }
}

/// What grpcio reports for the redirect and 503 answers, and how our client handles them.
@Suite("the redirect to the master and the 503 answer")
struct ClientRedirectTests {
    /// Runs `call_raw.py` against `port`; returns grpcio's report as JSON.
    func grpcioCall(port: Int, method: String) async throws -> [String: Any] {
        let certs = try TestCertificates.get()
        let result = try await Python.run(
            Python.script("call_raw.py"),
            [
                "--target", "localhost:\(port)", "--method", method, "--ca_file", certs.caFile, "--cert_file",
                certs.clientCert, "--key_file", certs.clientKey,
            ],
            timeout: .seconds(30))
        try #require(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        let data = Data(result.standardOutput.utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func metadataPairs(_ value: Any?) -> [[String]] { (value as? [[String]]) ?? [] }

    @Test("grpcio reports the 307 redirect as UNAVAILABLE with the master in details and bbs-master-url metadata")
    func grpcioSeesRedirect() async throws {
        let failures = NIOLockedValueBox(0)
        let server = try await InProcessServer.start { router in
            ProbeMethods.register(in: &router, name: "replica", masterURL: "https://10.0.0.2:8889", failures: failures)
        }
        let report = try await grpcioCall(port: server.port, method: ProbeMethods.redirect.path)
        #expect(report["code"] as? String == "UNAVAILABLE")
        #expect(report["details"] as? String == "not the master: redirect to the master at https://10.0.0.2:8889")
        let trailing = metadataPairs(report["trailing_metadata"])
        #expect(trailing.contains(["bbs-master-url", "https://10.0.0.2:8889"]), "\(trailing)")
        #expect(trailing.contains(["location", "https://10.0.0.2:8889\(ProbeMethods.redirect.path)"]), "\(trailing)")
        await server.stop()
    }

    @Test("grpcio reports the 503 answer as UNAVAILABLE with the reason as details")
    func grpcioSeesUnavailable() async throws {
        let failures = NIOLockedValueBox(1000)
        let server = try await InProcessServer.start { router in
            ProbeMethods.register(in: &router, name: "migrating", masterURL: nil, failures: failures, retryAfter: 1)
        }
        let report = try await grpcioCall(port: server.port, method: ProbeMethods.unavailable.path)
        #expect(report["code"] as? String == "UNAVAILABLE")
        #expect(report["details"] as? String == "migrating the data, try again")
        #expect(metadataPairs(report["trailing_metadata"]).contains(["retry-after", "1"]), "\(report)")
        await server.stop()
    }

    @Test("our client follows the redirect to the master and gets the master's answer")
    func clientFollowsRedirect() async throws {
        let failures = NIOLockedValueBox(0)
        let master = try await InProcessServer.start { router in
            ProbeMethods.register(in: &router, name: "master", masterURL: nil, failures: failures)
        }
        let replica = try await InProcessServer.start { router in
            ProbeMethods.register(
                in: &router, name: "replica", masterURL: "https://127.0.0.1:\(master.port)", failures: failures)
        }
        let client = try replica.client()
        let response = try await client.unary(ProbeMethods.redirect, Grpc_Testing_SimpleRequest())
        #expect(response.serverID == "master")
        let streamed = try await client.serverStreaming(
            ProbeMethods.streamRedirect, Grpc_Testing_StreamingOutputCallRequest()
        ) { responses in
            var sizes: [Int] = []
            for try await response in responses { sizes.append(response.payload.body.count) }
            return sizes
        }
        #expect(streamed == ["master".count])
        await client.close()
        await replica.stop()
        await master.stop()
    }

    @Test("our client stops after maxRedirects hops and reports the redirect")
    func clientBoundsRedirects() async throws {
        let failures = NIOLockedValueBox(0)
        // Two replicas that name each other as the master: a loop.
        let first = try await InProcessServer.start { router in
            ProbeMethods.register(in: &router, name: "a", masterURL: "https://127.0.0.1:1", failures: failures)
        }
        let second = try await InProcessServer.start { router in
            ProbeMethods.register(
                in: &router, name: "b", masterURL: "https://127.0.0.1:\(first.port)", failures: failures)
        }
        let client = try second.client { $0.maxRedirects = 0 }
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.unary(ProbeMethods.redirect, Grpc_Testing_SimpleRequest())
        }
        #expect(error?.code == .unavailable)
        #expect(error?.metadata[RPCError.masterURLMetadataKey] == "https://127.0.0.1:\(first.port)")
        var options = CallOptions()
        options.followRedirects = false
        let unfollowed = await #expect(throws: RPCError.self) {
            _ = try await second.client().unary(ProbeMethods.redirect, Grpc_Testing_SimpleRequest(), options: options)
        }
        #expect(unfollowed?.httpAnswer?.status == 307)
        await client.close()
        await second.stop()
        await first.stop()
    }

    @Test("our client retries a 503 answer with backoff until the server answers")
    func clientRetriesUnavailable() async throws {
        let failures = NIOLockedValueBox(3)
        try await withServerAndClient({ router in
            ProbeMethods.register(in: &router, name: "recovered", masterURL: nil, failures: failures)
        }) { _, client in
            let start = ContinuousClock.now
            let response = try await client.unary(ProbeMethods.unavailable, Grpc_Testing_SimpleRequest())
            #expect(response.serverID == "recovered")
            #expect(failures.withLockedValue { $0 } == -1, "three 503s, then the answer")
            #expect(ContinuousClock.now - start < .seconds(30), "no retry-after: short backoffs only")
        }
    }

    @Test("our client gives up on 503 answers when the retry budget is spent")
    func clientRetryBudget() async throws {
        let failures = NIOLockedValueBox(1_000_000)
        let server = try await InProcessServer.start { router in
            ProbeMethods.register(in: &router, name: "stuck", masterURL: nil, failures: failures)
        }
        let client = try server.client { $0.retryBudget = .milliseconds(300) }
        let start = ContinuousClock.now
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.unary(ProbeMethods.unavailable, Grpc_Testing_SimpleRequest())
        }
        #expect(error?.code == .unavailable)
        #expect(error?.httpAnswer?.status == 503)
        #expect(error?.message == "migrating the data, try again")
        // A million 503s would take forever: the 300 ms budget ends it after a few attempts.
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(1_000_000 - failures.withLockedValue { $0 } < 20, "attempts within a 300 ms budget")
        await client.close()
        await server.stop()
    }
}
