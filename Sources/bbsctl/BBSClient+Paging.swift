import RPC
import SwiftProtobuf

/// A list request that takes `page_size` and `page_token` (API.md: every list does).
protocol PagedRequest: SwiftProtobuf.Message {
    var pageSize: Int32 { get set }
    var pageToken: String { get set }
}

/// A list response that carries `next_page_token` (empty on the last page).
protocol PagedResponse: SwiftProtobuf.Message {
    var nextPageToken: String { get }
}

extension BBSClient {
    /// The page size bbsctl asks for: well under gRPC's usual 4 MiB for Diego-sized records.
    static let pageSize: Int32 = 500

    /// Calls a list method page after page, from the first to the last, handing each page to `body`
    /// as it arrives (so a long list prints while it is fetched).
    /// - Parameter request: the filters of the list; its page fields are set here.
    func forEachPage<Request: PagedRequest, Response: PagedResponse>(
        _ method: RPCMethod<Request, Response>, _ request: Request = Request(),
        _ body: (Response) throws(BBSCtlError) -> Void
    ) async throws(BBSCtlError) {
        var request = request
        request.pageSize = Self.pageSize
        request.pageToken = ""
        var seenTokens: Set<String> = []
        while true {
            let page = try await call(method, request)
            try body(page)
            if page.nextPageToken.isEmpty { return }
            // A token seen before would page forever.
            guard seenTokens.insert(page.nextPageToken).inserted else {
                throw .badAnswer("\(method.path) gave next_page_token '\(page.nextPageToken)' a second time")
            }
            request.pageToken = page.nextPageToken
        }
    }
}
