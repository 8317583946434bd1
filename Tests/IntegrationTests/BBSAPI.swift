import Foundation
import Models
import RPC
import SwiftProtobuf
import TestSupport

/// The methods of the BBS API that the end-to-end scenarios call, as typed handles, and the clients that
/// call them.
///
/// The shipped handles are `Services.BBSMethods`, but this test target does not depend on `Services` (and
/// should not need to: it tests the executables from the outside, as any client would). The paths are
/// spelled here from API.md; `MasterFailoverTests` would fail on any that the server does not serve.
enum BBSAPI {
    static let ping = RPCMethod<Diego_Bbs_PingRequest, Diego_Bbs_PingResponse>(
        service: "diego.bbs.PingService", method: "Ping", kind: .unary)
    static let upsertDomain = RPCMethod<Diego_Bbs_UpsertDomainRequest, Diego_Bbs_UpsertDomainResponse>(
        service: "diego.bbs.DomainService", method: "UpsertDomain", kind: .unary)
    static let listDomains = RPCMethod<Diego_Bbs_ListDomainsRequest, Diego_Bbs_ListDomainsResponse>(
        service: "diego.bbs.DomainService", method: "ListDomains", kind: .unary)
    static let heartbeatCell = RPCMethod<Diego_Bbs_HeartbeatCellRequest, Diego_Bbs_HeartbeatCellResponse>(
        service: "diego.bbs.CellService", method: "HeartbeatCell", kind: .unary)
    static let listCells = RPCMethod<Diego_Bbs_ListCellsRequest, Diego_Bbs_ListCellsResponse>(
        service: "diego.bbs.CellService", method: "ListCells", kind: .unary)
    static let getDataVersion = RPCMethod<Diego_Bbs_GetDataVersionRequest, Diego_Bbs_GetDataVersionResponse>(
        service: "diego.bbs.AdminService", method: "GetDataVersion", kind: .unary)

    /// Options for a call that reports what this one server answered: no redirect followed, no 503 retried.
    static func pinned(timeout: Duration = .seconds(5), metadata: Metadata = [:]) -> CallOptions {
        var options = CallOptions(timeout: timeout, metadata: metadata)
        options.followRedirects = false
        options.retryUnavailable = false
        return options
    }
}

/// The throwaway CA and certificates of the integration tests, made once per test run.
enum IntegrationCertificates {
    private static let made: Result<CertificateAuthority, any Error> = Result { try CertificateAuthority.make() }

    static func get() throws -> CertificateAuthority { try made.get() }

    /// The good client's files, as `RPCClient` takes them.
    static func client() throws -> RPCTLSConfiguration {
        let ca = try get()
        return RPCTLSConfiguration(caFile: ca.caFile, certificateChainFile: ca.clientCert, privateKeyFile: ca.clientKey)
    }

    /// `--ca-file CA --cert-file CERT --key-file KEY` for `bbs serve`.
    static func serverArguments() throws -> [String] {
        let ca = try get()
        return ["--ca-file", ca.caFile, "--cert-file", ca.serverCert, "--key-file", ca.serverKey]
    }

    /// The same flags for `bbsctl`, with the client certificate.
    static func clientArguments() throws -> [String] {
        let ca = try get()
        return ["--ca-file", ca.caFile, "--cert-file", ca.clientCert, "--key-file", ca.clientKey]
    }
}

extension RPCClient {
    /// A mutual-TLS client of `https://127.0.0.1:port` with the test client certificate. With
    /// `followRedirects` off it never leaves that server (and retries nothing), so each answer is the
    /// server's own; on, it follows the master redirect and retries 503 answers for a short while.
    static func bbs(port: Int, followRedirects: Bool = true) throws -> RPCClient {
        var configuration = RPCClientConfiguration(
            host: "127.0.0.1", port: port, security: .mutualTLS(try IntegrationCertificates.client(), serverName: nil))
        configuration.connectTimeout = .seconds(2)
        if followRedirects {
            configuration.retryBudget = .seconds(5)
        } else {
            configuration.maxRedirects = 0
            configuration.retryBudget = .zero
        }
        return RPCClient(configuration: configuration)
    }

    /// The health of the whole server (`grpc.health.v1.Health/Check`, service ""), as this server says it.
    func health() async throws -> Grpc_Health_V1_HealthCheckResponse.ServingStatus {
        try await unary(HealthMethods.check, Grpc_Health_V1_HealthCheckRequest(), options: BBSAPI.pinned()).status
    }

    /// Upserts `domain` (no TTL: fresh until changed).
    func upsertDomain(_ domain: String, options: CallOptions = CallOptions(timeout: .seconds(5))) async throws {
        _ = try await unary(BBSAPI.upsertDomain, .with { $0.domain = domain }, options: options)
    }

    /// Every fresh domain, read page by page (`page_size` pages, following `next_page_token`).
    func allDomains(pageSize: Int32 = 0, options: CallOptions = CallOptions(timeout: .seconds(10))) async throws
        -> [String]
    {
        var domains: [String] = []
        var token = ""
        repeat {
            let page = try await unary(
                BBSAPI.listDomains,
                .with {
                    $0.pageSize = pageSize
                    $0.pageToken = token
                }, options: options)
            domains += page.domains
            token = page.nextPageToken
        } while !token.isEmpty
        return domains
    }
}

/// Polls `condition` every `interval` until it returns a value (returned) or `timeout` passes (nil).
///
/// For waiting on a state a test can observe (a health answer, a redirect, a log line): the test goes on
/// as soon as the state is there, and fails with the timeout when it never comes.
func poll<T>(
    timeout: Duration, interval: Duration = .milliseconds(20), _ condition: () async throws -> T?
) async rethrows -> T? {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await condition() { return value }
        guard ContinuousClock.now < deadline else { return nil }
        try? await Task.sleep(for: interval)
    }
}
