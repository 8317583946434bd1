import RPC
import Services

/// The bbs as bbsctl's commands see it: one call at a time to the first of the URLs that can be reached.
///
/// Exists so every command gets the same connection rules. The URLs are tried in order, starting
/// with the one that answered last (so the pages of a list go to one bbs); a URL whose call failed
/// before its request was sent (`delivery == .notSent`: refused, unresolvable, handshake failed,
/// connect timeout) gives way to the next. Anything else ends the call: an answer, even an error
/// status, is the bbs's word, and a request that may have been sent is never sent to another bbs.
/// The RPC client follows a 307 to the master and retries 503 answers within the deadline by itself.
/// Every call carries `bbs-api-version` and the `--timeout` deadline.
final class BBSClient {
    let settings: ConnectionSettings
    private var clients: [String: RPCClient] = [:]
    /// The URL that answered the last call: tried first next time.
    private var preferredURL: String?

    init(settings: ConnectionSettings) {
        self.settings = settings
    }

    /// Calls `method` on the first bbs that can be reached.
    /// - Throws: `BBSCtlError`: `.unreachable` when no URL could be reached, else the failure of the
    ///   call that reached one.
    func call<Request, Response>(
        _ method: RPCMethod<Request, Response>, _ request: Request
    ) async throws(BBSCtlError) -> Response {
        var order = settings.urls
        if let preferredURL, let index = order.firstIndex(of: preferredURL) {
            order.insert(order.remove(at: index), at: 0)
        }
        var attempts: [(url: String, error: RPCError)] = []
        for url in order {
            do {
                let response = try await call(method, request, at: url)
                preferredURL = url
                return response
            } catch let error where error.delivery == .notSent {
                attempts.append((url, error))
            } catch {
                throw .call(to: url, failedWith: error)
            }
        }
        throw .unreachable(attempts)
    }

    /// Calls `method` on the bbs at `url` only; `followingRedirects: false` returns a "not the master"
    /// answer as the error it is, for commands that report who redirects.
    func call<Request, Response>(
        _ method: RPCMethod<Request, Response>, _ request: Request, at url: String, followingRedirects: Bool = true
    ) async throws(RPCError) -> Response {
        var options = CallOptions(
            timeout: settings.timeout, metadata: [APIVersion.headerName: APIVersion.current.description])
        options.followRedirects = followingRedirects
        do {
            return try await client(for: url).unary(method, request, options: options)
        } catch let error as RPCError {
            throw error
        } catch {
            // The client throws only RPCErrors; anything else is reported as not answered.
            throw RPCError(code: .unknown, message: "\(error)", delivery: .maybeSent)
        }
    }

    /// Closes every connection opened.
    func close() async {
        for client in clients.values { await client.close() }
        clients = [:]
    }

    private func client(for url: String) throws(RPCError) -> RPCClient {
        if let client = clients[url] { return client }
        var configuration: RPCClientConfiguration
        do {
            configuration = try RPCClientConfiguration(url: url, tls: settings.tls)
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(code: .invalidArgument, message: "\(error)", delivery: .cannotSend)
        }
        // Retry 503 answers (a migration) for as long as the caller allows, and never wait longer to
        // connect than the whole call may take.
        configuration.retryBudget = settings.timeout
        configuration.connectTimeout = min(configuration.connectTimeout, settings.timeout)
        let client = RPCClient(configuration: configuration)
        clients[url] = client
        return client
    }
}
