import Foundation
import Models
import RPC
import Store
import SwiftProtobuf
import Testing

/// Bad input for every method of the BBS API, against the real `bbs` on SQLite over mutual TLS: each
/// refused call answers INVALID_ARGUMENT (FAILED_PRECONDITION for an API version it does not serve) with a
/// message naming what was wrong and the Diego error type where the service gives one, changes nothing
/// stored, and leaves the server serving the next good call of the same method.
@Suite("APIBadInput")
struct APIBadInputTests {
    /// One refused call, what its answer must say, and a good call of the same method that must succeed
    /// after it.
    struct Case: Sendable {
        var name: String
        var code: RPCStatus.Code = .invalidArgument
        /// Texts the status message must contain: the field, or the versions.
        var mentions: [String]
        /// The `bbs-error-type` the answer must carry; nil where the service sets none (a body that does
        /// not decode is refused by the RPC layer before any service sees it).
        var errorType: String?
        var bad: @Sendable (RPCClient) async throws -> Void
        var good: @Sendable (RPCClient) async throws -> Void
    }

    /// A call of `method` with `request` and `metadata`, pinned to the server.
    static func call<Request, Response>(
        _ method: RPCMethod<Request, Response>, _ request: Request, metadata: Metadata = [:]
    ) -> @Sendable (RPCClient) async throws -> Void {
        { client in _ = try await client.unary(method, request, options: BBSAPI.pinned(metadata: metadata)) }
    }

    static func cell(_ id: String, repAddress: String = "http://10.0.0.1:1800") -> Diego_Bbs_CellPresence {
        .with {
            $0.cellID = id
            $0.repAddress = repAddress
            $0.zone = "z1"
        }
    }

    static func heartbeat(_ presence: Diego_Bbs_CellPresence?, ttl: UInt32 = 30) -> Diego_Bbs_HeartbeatCellRequest {
        .with {
            if let presence { $0.cellPresence = presence }
            $0.ttlSeconds = ttl
        }
    }

    /// The request fields of each method.
    static func fieldCases(cellsToken: String, domainsToken: String) -> [Case] {
        let upsert = { (domain: String) in call(BBSAPI.upsertDomain, .with { $0.domain = domain }) }
        let goodUpsert = upsert("good-domain")
        let listDomains = { (size: Int32, token: String) in
            call(
                BBSAPI.listDomains,
                .with {
                    $0.pageSize = size
                    $0.pageToken = token
                })
        }
        let listCells = { (size: Int32, token: String) in
            call(
                BBSAPI.listCells,
                .with {
                    $0.pageSize = size
                    $0.pageToken = token
                })
        }
        let goodHeartbeat = call(BBSAPI.heartbeatCell, heartbeat(cell("cell-good")))
        let request = "InvalidRequest"
        let record = "InvalidRecord"
        return [
            Case(
                name: "UpsertDomain with an empty domain", mentions: ["domain"], errorType: request,
                bad: upsert(""), good: goodUpsert),
            Case(
                name: "UpsertDomain with a domain of 1025 bytes", mentions: ["domain", "1025"], errorType: request,
                bad: upsert(String(repeating: "d", count: 1025)), good: goodUpsert),
            Case(
                name: "UpsertDomain with a NUL in the domain", mentions: ["domain", "control"], errorType: request,
                bad: upsert("cf\u{0}apps"), good: goodUpsert),
            Case(
                name: "UpsertDomain with a newline in the domain", mentions: ["domain", "control"],
                errorType: request, bad: upsert("cf-apps\n"), good: goodUpsert),
            Case(
                name: "ListDomains with page_size -1", mentions: ["page_size", "-1"], errorType: request,
                bad: listDomains(-1, ""), good: listDomains(1, "")),
            Case(
                name: "ListDomains with page_size 10001", mentions: ["page_size", "10001"], errorType: request,
                bad: listDomains(10_001, ""), good: listDomains(10_000, "")),
            Case(
                name: "ListDomains with a bogus page_token", mentions: ["page_token"], errorType: request,
                bad: listDomains(1, "bogus!"), good: listDomains(1, domainsToken)),
            Case(
                name: "ListDomains with a page_token of ListCells", mentions: ["page_token"], errorType: request,
                bad: listDomains(1, cellsToken), good: listDomains(1, domainsToken)),
            Case(
                name: "HeartbeatCell without cell_presence", mentions: ["cell_presence"], errorType: request,
                bad: call(BBSAPI.heartbeatCell, heartbeat(nil)), good: goodHeartbeat),
            Case(
                name: "HeartbeatCell with ttl_seconds 0", mentions: ["ttl_seconds"], errorType: request,
                bad: call(BBSAPI.heartbeatCell, heartbeat(cell("cell-zero-ttl"), ttl: 0)), good: goodHeartbeat),
            Case(
                name: "HeartbeatCell with ttl_seconds past a day", mentions: ["ttl_seconds"], errorType: request,
                bad: call(BBSAPI.heartbeatCell, heartbeat(cell("cell-long-ttl"), ttl: 86_401)), good: goodHeartbeat),
            Case(
                name: "HeartbeatCell with an empty cell_id", mentions: ["cell_id"], errorType: record,
                bad: call(BBSAPI.heartbeatCell, heartbeat(cell(""))), good: goodHeartbeat),
            Case(
                name: "HeartbeatCell with an empty rep_address", mentions: ["rep_address"], errorType: record,
                bad: call(BBSAPI.heartbeatCell, heartbeat(cell("cell-no-rep", repAddress: ""))), good: goodHeartbeat),
            Case(
                name: "ListCells with page_size -1", mentions: ["page_size", "-1"], errorType: request,
                bad: listCells(-1, ""), good: listCells(1, "")),
            Case(
                name: "ListCells with page_size 10001", mentions: ["page_size", "10001"], errorType: request,
                bad: listCells(10_001, ""), good: listCells(10_000, "")),
            Case(
                name: "ListCells with a bogus page_token", mentions: ["page_token"], errorType: request,
                bad: listCells(1, "bogus!"), good: listCells(1, cellsToken)),
            Case(
                name: "ListCells with a page_token of ListDomains", mentions: ["page_token"], errorType: request,
                bad: listCells(1, domainsToken), good: listCells(1, cellsToken)),
        ]
    }

    /// One method of the API with a good request, for the checks that every method must pass.
    struct Method: Sendable {
        var name: String
        /// The request's protobuf name, which a refusal of an undecodable body names.
        var requestType: String
        /// The good request, with `metadata`.
        var call: @Sendable (Metadata) -> @Sendable (RPCClient) async throws -> Void
        /// `bytes` as the request body.
        var raw: @Sendable ([UInt8]) -> @Sendable (RPCClient) async throws -> Void

        init<Request, Response>(_ method: RPCMethod<Request, Response>, _ request: Request) {
            name = method.descriptor.method
            requestType = Request.protoMessageName
            call = { metadata in APIBadInputTests.call(method, request, metadata: metadata) }
            raw = { bytes in APIBadInputTests.call(method.sendingRawBytes, RawMessage(bytes)) }
        }
    }

    static let methods = [
        Method(BBSAPI.ping, Diego_Bbs_PingRequest()),
        Method(BBSAPI.upsertDomain, .with { $0.domain = "versioned" }),
        Method(BBSAPI.listDomains, Diego_Bbs_ListDomainsRequest()),
        Method(BBSAPI.heartbeatCell, heartbeat(cell("cell-versioned"))),
        Method(BBSAPI.listCells, Diego_Bbs_ListCellsRequest()),
        Method(BBSAPI.getDataVersion, Diego_Bbs_GetDataVersionRequest()),
    ]

    /// What every method must refuse: a body that does not decode, a malformed `bbs-api-version`, and
    /// clients of API major 0 and 3 (the server speaks 2.x, which serves majors 1 and 2; the good call
    /// after each is the nearest version it serves).
    static func everyMethodCases() -> [Case] {
        // A truncated varint where the first field tag should be: no message decodes from it.
        let garbage: [UInt8] = [0xFF, 0xFF, 0xFF]
        // A length-delimited field 1 claiming 5 bytes with only 1 there.
        let truncated: [UInt8] = [0x0A, 0x05, 0x61]
        let version = "bbs-api-version"
        return methods.flatMap { method -> [Case] in
            let good = method.call([:])
            return [
                Case(
                    name: "\(method.name) with a body that does not decode (truncated varint)",
                    mentions: [method.requestType], bad: method.raw(garbage), good: good),
                Case(
                    name: "\(method.name) with a body that does not decode (field past the end)",
                    mentions: [method.requestType], bad: method.raw(truncated), good: good),
                Case(
                    name: "\(method.name) with bbs-api-version 'two'", mentions: [version, "two"],
                    errorType: "InvalidRequest", bad: method.call([version: "two"]), good: good),
                Case(
                    name: "\(method.name) with bbs-api-version '2'", mentions: [version], errorType: "InvalidRequest",
                    bad: method.call([version: "2"]), good: good),
                Case(
                    name: "\(method.name) from a client of API 0.7", code: .failedPrecondition,
                    mentions: ["0.7", "2.0"],
                    bad: method.call([version: "0.7"]), good: method.call([version: "1.0"])),
                Case(
                    name: "\(method.name) from a client of API 3.0", code: .failedPrecondition,
                    mentions: ["3.0", "2.0"],
                    bad: method.call([version: "3.0"]), good: method.call([version: "2.0"])),
            ]
        }
    }

    @Test(
        "every method refuses bad input naming what is wrong, writes nothing, and serves the next good call"
    )
    func badInput() async throws {
        let store = try await StoreFixture.make(.sqlite)
        defer { store.remove() }
        let cluster = try await BBSCluster.start(1, on: store)
        let bbs = cluster.instances[0]
        let client = try cluster.client(bbs)
        defer { Task { await client.close() } }
        let backend = try store.openBackend()
        defer { Task { try? await backend.close() } }

        // Two of each, so each list has a next_page_token to pass to the other list.
        for name in ["cf-apps", "cf-tasks"] { try await client.upsertDomain(name, options: BBSAPI.pinned()) }
        for id in ["cell-a", "cell-b"] {
            try await Self.call(BBSAPI.heartbeatCell, Self.heartbeat(Self.cell(id)))(client)
        }
        let domainsToken = try await client.unary(
            BBSAPI.listDomains, .with { $0.pageSize = 1 }, options: BBSAPI.pinned()
        ).nextPageToken
        let cellsToken = try await client.unary(
            BBSAPI.listCells, .with { $0.pageSize = 1 }, options: BBSAPI.pinned()
        ).nextPageToken
        #expect(!domainsToken.isEmpty && !cellsToken.isEmpty)

        let cases = Self.fieldCases(cellsToken: cellsToken, domainsToken: domainsToken) + Self.everyMethodCases()
        for testCase in cases {
            let before = try await StoreSnapshot.read(backend, version: BBSDataVersion)
            do {
                try await testCase.bad(client)
                Issue.record("\(testCase.name): was served")
            } catch let error as RPCError {
                #expect(error.code == testCase.code, "\(testCase.name): \(error)")
                for text in testCase.mentions {
                    #expect(error.message.contains(text), "\(testCase.name): the message names \(text): \(error)")
                }
                if let type = testCase.errorType {
                    #expect(error.metadata["bbs-error-type"] == type, "\(testCase.name): \(error.metadata)")
                }
            }
            let after = try await StoreSnapshot.read(backend, version: BBSDataVersion)
            #expect(after == before, "\(testCase.name): the store changed")
            do {
                try await testCase.good(client)
            } catch {
                Issue.record("\(testCase.name): the good call after it failed: \(error)")
            }
        }
        #expect(try await client.health() == .serving)
        let domains = try await client.allDomains(options: BBSAPI.pinned())
        #expect(Set(domains) == ["cf-apps", "cf-tasks", "good-domain", "versioned"], "\(domains)")
        #expect(bbs.process.isRunning, "\(bbs.process.standardError)")
    }
}
