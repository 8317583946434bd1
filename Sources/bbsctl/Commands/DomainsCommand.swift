import ArgumentParser
import Models
import Services

/// `bbsctl domains`: the fresh domains, one `{"domain":"..."}` per line, all pages.
struct DomainsCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "domains", abstract: "List the fresh (unexpired) domains, one per line.")

    @OptionGroup var connection: ConnectionOptions

    func run(against bbs: BBSClient) async throws(BBSCtlError) {
        try await bbs.forEachPage(BBSMethods.Domain.listDomains) { page in
            for domain in page.domains { JSONOutput.print(.object([("domain", .string(domain))])) }
        }
    }
}

extension Diego_Bbs_ListDomainsRequest: PagedRequest {}
extension Diego_Bbs_ListDomainsResponse: PagedResponse {}
