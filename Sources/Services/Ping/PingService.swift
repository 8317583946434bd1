import Models

/// `diego.bbs.PingService`: tells a client that this BBS is there and serving.
///
/// A call only reaches it on a master that finished migrating (the interceptors redirect or answer 503
/// otherwise), so `available` is false only while the server is shutting down under the call.
public struct PingService: Sendable {
    private let state: ServingState

    public init(state: ServingState) {
        self.state = state
    }

    public func ping(_ request: Diego_Bbs_PingRequest) -> Diego_Bbs_PingResponse {
        var response = Diego_Bbs_PingResponse()
        response.available = state.isServing
        return response
    }
}
