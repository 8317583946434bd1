/// What a debug route answers: a status, a content type and a body.
package struct DebugResponse: Sendable, Equatable {
    /// The HTTP status code.
    package var status: Int
    /// The `content-type` header.
    package var contentType: String
    /// The body, sent as UTF-8 (omitted for `HEAD`).
    package var body: String
    /// More headers (e.g. `allow` of a 405); `content-type`, `content-length` and `connection` are the
    /// handler's.
    package var headers: [String: String]

    /// A response from its parts.
    package init(status: Int, contentType: String, body: String, headers: [String: String] = [:]) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A `text/plain` response.
    package static func text(_ body: String, status: Int = 200) -> DebugResponse {
        DebugResponse(status: status, contentType: "text/plain; charset=utf-8", body: body)
    }
}

/// One route of the debug server: computes its response when a request arrives.
package typealias DebugRoute = @Sendable () async -> DebugResponse

/// The debug server's table of paths, and the decision of what each request gets.
///
/// Exists so routing is a plain value tested without a socket (STYLE: decisions as plain values) and so
/// the next endpoints (`/metrics`) are one more entry rather than a change to the handler. `/healthz`
/// is always present; the other routes are the caller's.
///
/// | request | decision |
/// |---|---|
/// | `GET` or `HEAD` of a known path (query ignored) | run its route |
/// | any other method of a known path | 405, `allow: GET, HEAD` |
/// | an unknown path | 404 |
package struct DebugRoutes: Sendable {
    /// Whether the process is fit to serve, and why not.
    package typealias HealthCheck = @Sendable () -> (healthy: Bool, detail: String)

    /// What the handler does with a request.
    package enum Decision: Sendable {
        /// Run the route and send what it answers.
        case run(DebugRoute)
        /// Send this at once.
        case respond(DebugResponse)
    }

    /// The path of the health check.
    package static let healthPath = "/healthz"

    private var routes: [String: DebugRoute]

    /// `/healthz` answering from `health`, plus `routes` (keyed by path, e.g. `"/metrics"`), which may
    /// not contain `/healthz` itself.
    package init(health: @escaping HealthCheck, routes: [String: DebugRoute] = [:]) {
        precondition(routes[Self.healthPath] == nil, "\(Self.healthPath) is the debug server's own route")
        self.routes = routes
        self.routes[Self.healthPath] = { Self.healthResponse(health()) }
    }

    /// The paths served, sorted.
    package var paths: [String] { routes.keys.sorted() }

    /// The decision for a request line: its method (`"GET"`) and its target (`"/healthz?x=1"`).
    package func decide(method: String, uri: String) -> Decision {
        let path = String(uri.prefix { $0 != "?" && $0 != "#" })
        guard let route = routes[path] else {
            return .respond(.text("no such path \(path); try \(paths.joined(separator: ", "))\n", status: 404))
        }
        guard method == "GET" || method == "HEAD" else {
            var response = DebugResponse.text("method \(method) not allowed; use GET\n", status: 405)
            response.headers["allow"] = "GET, HEAD"
            return .respond(response)
        }
        return .run(route)
    }

    /// 200 `ok` when healthy, else 503 with the reason.
    static func healthResponse(_ health: (healthy: Bool, detail: String)) -> DebugResponse {
        guard !health.healthy else { return .text("ok\n") }
        let detail = health.detail.isEmpty ? "unhealthy" : health.detail
        return .text(detail.hasSuffix("\n") ? detail : detail + "\n", status: 503)
    }
}
