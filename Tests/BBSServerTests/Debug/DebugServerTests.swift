import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import BBSServer

/// A health check the test flips.
private final class Health: Sendable {
    private let state = Mutex((healthy: true, detail: ""))

    func set(healthy: Bool, detail: String = "") { state.withLock { $0 = (healthy, detail) } }
    var check: DebugRoutes.HealthCheck { { self.state.withLock { $0 } } }
}

@Suite("Debug server over a real socket")
struct DebugServerTests {
    @Test("GET /healthz answers 200 ok while healthy, then 503 with the reason once the check says not")
    func healthz() async throws {
        let health = Health()
        let server = try await startedServer(health: health)
        let port = try #require(server.localPort)
        #expect(port > 0)

        let healthy = try await HTTPReply.send(
            "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", port: port)
        #expect(healthy.status == 200)
        #expect(healthy.body == "ok\n")
        #expect(healthy.headers["content-type"]?.hasPrefix("text/plain") == true)

        health.set(healthy: false, detail: "not the master: waiting for the lock held by bbs-1")
        let unhealthy = try await HTTPReply.send(
            "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", port: port)
        #expect(unhealthy.status == 503)
        #expect(unhealthy.body == "not the master: waiting for the lock held by bbs-1\n")
        await server.stop()
    }

    @Test("an unknown path is 404 and another method than GET or HEAD is 405 with allow")
    func notFoundAndMethodNotAllowed() async throws {
        let server = try await startedServer(health: Health())
        let port = try #require(server.localPort)

        let missing = try await HTTPReply.send("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: port)
        #expect(missing.status == 404)
        let posted = try await HTTPReply.send(
            "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi", port: port)
        #expect(posted.status == 405)
        #expect(posted.headers["allow"] == "GET, HEAD")
        await server.stop()
    }

    @Test("HEAD answers the headers of GET without the body")
    func head() async throws {
        let server = try await startedServer(health: Health())
        let reply = try await HTTPReply.send(
            "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: try #require(server.localPort))
        #expect(reply.status == 200)
        #expect(reply.headers["content-length"] == "3")
        #expect(reply.body.isEmpty)
        await server.stop()
    }

    @Test("added routes are served next to /healthz, and keep-alive serves several requests on one connection")
    func addedRoutesAndKeepAlive() async throws {
        let server = DebugServer(
            configuration: .init(port: 0), health: Health().check,
            routes: [
                "/metrics": { DebugResponse(status: 200, contentType: "text/plain; version=0.0.4", body: "up 1\n") }
            ])
        try await server.start()
        let port = try #require(server.localPort)
        try await HTTPReply.withConnection(port: port) { connection in
            let metrics = try await connection.exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"] == "text/plain; version=0.0.4")
            #expect(metrics.body == "up 1\n")
            let health = try await connection.exchange("GET /healthz?verbose=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(health.body == "ok\n")
        }
        await server.stop()
    }

    @Test("stop closes an idle keep-alive connection at once and refuses new ones", .timeLimit(.minutes(1)))
    func stop() async throws {
        let server = try await startedServer(health: Health())
        let port = try #require(server.localPort)
        try await HTTPReply.withConnection(port: port) { connection in
            let before = try await connection.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(before.status == 200)
            // A timeout far past the time limit: only the quiesce can close the connection in time.
            await server.stop(timeout: .seconds(600))
            #expect(try await connection.readUntilClosed().isEmpty)
        }
        #expect(server.localPort == nil)
        await #expect(throws: (any Error).self) {
            _ = try await HTTPReply.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", port: port)
        }
        await server.stop()  // a second stop is harmless
    }

    @Test("a non-loopback address is refused unless explicitly allowed")
    func nonLoopbackRefused() async throws {
        let refused = DebugServer(configuration: .init(host: "0.0.0.0", port: 0), health: Health().check)
        await #expect {
            try await refused.start()
        } throws: { error in
            guard let error = error as? DebugServerError else { return false }
            return error.kind == .nonLoopbackHost && error.description.contains("0.0.0.0:0")
                && error.description.contains("loopback")
        }

        let allowed = DebugServer(
            configuration: .init(host: "0.0.0.0", port: 0, allowsNonLoopbackHost: true), health: Health().check)
        try await allowed.start()
        #expect(allowed.localPort != nil)
        await allowed.stop()
    }

    @Test("a taken port is reported as the debug address that cannot be listened on")
    func portTaken() async throws {
        let first = try await startedServer(health: Health())
        let port = try #require(first.localPort)
        let second = DebugServer(configuration: .init(port: port), health: Health().check)
        await #expect {
            try await second.start()
        } throws: { error in
            (error as? DebugServerError)?.kind == .cannotListen
                && "\(error)".hasPrefix("cannot listen on debug address 127.0.0.1:\(port): ")
        }
        await first.stop()
    }

    @Test(
        "loopback means 127.0.0.0/8 and ::1",
        arguments: [
            ("127.0.0.1", true), ("127.8.9.10", true), ("::1", true), ("localhost", true),
            ("0.0.0.0", false), ("10.0.0.1", false), ("::", false), ("fe80::1", false),
        ])
    func loopback(host: String, isLoopback: Bool) throws {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: 17017)
        #expect(DebugServer.isLoopback(address) == isLoopback)
    }

    private func startedServer(health: Health) async throws -> DebugServer {
        let server = DebugServer(configuration: .init(port: 0), health: health.check)
        try await server.start()
        return server
    }
}

@Suite("Debug routes")
struct DebugRoutesTests {
    private let routes = DebugRoutes(health: { (false, "migrating to data version 3") })

    @Test("GET and HEAD of a known path run its route, the query ignored", arguments: ["/healthz", "/healthz?x=1"])
    func knownPath(uri: String) async throws {
        for method in ["GET", "HEAD"] {
            guard case .run(let route) = routes.decide(method: method, uri: uri) else {
                Issue.record("\(method) \(uri) was not routed")
                continue
            }
            #expect(await route() == .text("migrating to data version 3\n", status: 503))
        }
    }

    @Test("an unknown path is 404 whatever the method; a known one with another method is 405")
    func refusals() {
        guard case .respond(let missing) = routes.decide(method: "POST", uri: "/metrics") else {
            Issue.record("no 404")
            return
        }
        #expect(missing.status == 404)
        guard case .respond(let wrongMethod) = routes.decide(method: "DELETE", uri: "/healthz") else {
            Issue.record("no 405")
            return
        }
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers == ["allow": "GET, HEAD"])
    }

    @Test("healthy is 200 ok; unhealthy without a reason still says why not")
    func healthResponses() {
        #expect(DebugRoutes.healthResponse((true, "ignored")) == .text("ok\n"))
        #expect(DebugRoutes.healthResponse((false, "")) == .text("unhealthy\n", status: 503))
    }
}
