/// The method handles of `grpc.health.v1.Health`.
///
/// Exists so clients (and tests) call the health service with the same typed constants the
/// server registers.
public enum HealthMethods {
    public static let check = RPCMethod<Grpc_Health_V1_HealthCheckRequest, Grpc_Health_V1_HealthCheckResponse>(
        service: "grpc.health.v1.Health", method: "Check", kind: .unary)
    public static let list = RPCMethod<Grpc_Health_V1_HealthListRequest, Grpc_Health_V1_HealthListResponse>(
        service: "grpc.health.v1.Health", method: "List", kind: .unary)
    public static let watch = RPCMethod<Grpc_Health_V1_HealthCheckRequest, Grpc_Health_V1_HealthCheckResponse>(
        service: "grpc.health.v1.Health", method: "Watch", kind: .serverStreaming)
}

/// `grpc.health.v1.Health` over a `HealthStatusBoard`, per grpc's health-checking.md: Check of an
/// unknown service is NOT_FOUND; Watch of one streams SERVICE_UNKNOWN and keeps the call open.
struct HealthService: RegistrableService {
    let board: HealthStatusBoard

    func registerMethods(with router: inout RPCRouter) {
        let board = self.board
        router.register(
            HealthMethods.check,
            unary: { request, _ in
                guard let status = board.status(forService: request.service) else {
                    throw RPCError(code: .notFound, message: "unknown service \"\(request.service)\"")
                }
                return .with { $0.status = Self.wire(status) }
            })
        router.register(
            HealthMethods.list,
            unary: { _, _ in
                let statuses = board.statuses
                guard statuses.count <= 100 else {
                    throw RPCError(code: .resourceExhausted, message: "more than 100 services have a health status")
                }
                return .with { response in
                    for (service, status) in statuses {
                        response.statuses[service] = .with { $0.status = Self.wire(status) }
                    }
                }
            })
        router.register(
            HealthMethods.watch,
            serverStreaming: { request, writer, _ in
                var last: HealthStatusBoard.ServingStatus?
                for await status in board.watch(request.service) where status != last {
                    last = status
                    try await writer.write(.with { $0.status = Self.wire(status) })
                }
            })
    }

    static func wire(_ status: HealthStatusBoard.ServingStatus) -> Grpc_Health_V1_HealthCheckResponse.ServingStatus {
        switch status {
        case .unknown: .unknown
        case .serving: .serving
        case .notServing: .notServing
        case .serviceUnknown: .serviceUnknown
        }
    }
}
