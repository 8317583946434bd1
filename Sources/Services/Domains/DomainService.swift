import Models
import RPC
import Store

/// `diego.bbs.DomainService`: syncers mark their domain fresh with a TTL; lists show fresh domains only.
///
/// Diego's rule: a domain is fresh until its TTL runs out (0: forever), and destructive convergence only
/// acts in fresh domains, so a broken syncer cannot cause mass deletion.
public struct DomainService: Sendable {
    /// The name of this list in page tokens.
    static let listName = "domains"
    private let domains: DomainRepository

    public init(domains: DomainRepository) {
        self.domains = domains
    }

    public func upsertDomain(_ request: Diego_Bbs_UpsertDomainRequest) async throws -> Diego_Bbs_UpsertDomainResponse {
        try RequestValidation.identifier(request.domain, field: "domain")
        try await domains.upsert(request.domain, ttl: request.ttlSeconds == 0 ? nil : .seconds(request.ttlSeconds))
        return Diego_Bbs_UpsertDomainResponse()
    }

    public func listDomains(_ request: Diego_Bbs_ListDomainsRequest) async throws -> Diego_Bbs_ListDomainsResponse {
        try RequestValidation.pageSize(request.pageSize)
        let after = try PageToken.decode(request.pageToken, list: Self.listName)
        let page = try await domains.listFresh(after: after, pageSize: Int(request.pageSize))
        var response = Diego_Bbs_ListDomainsResponse()
        response.domains = page.items
        response.nextPageToken = PageToken.encode(list: Self.listName, after: page.continueAfter)
        return response
    }
}
