import NIOConcurrencyHelpers
import NIOCore
import SwiftProtobuf
import Testing

@testable import RPC

@Suite("Router, interceptors, health board and reflection index")
struct ServerRouterTests {
    static let check = HealthMethods.check

    @Test("registered methods are found by path; unknown ones are not")
    func lookup() {
        var router = RPCRouter()
        router.register(Self.check, unary: { _, _ in .init() })
        #expect(router.route(for: Self.check.descriptor)?.kind == .unary)
        #expect(router.route(for: MethodDescriptor(service: "grpc.health.v1.Health", method: "Nope")) == nil)
        #expect(router.methods == [Self.check.descriptor])
    }

    @Test("request decoding failure is INVALID_ARGUMENT naming the type")
    func decodeFailure() {
        do {
            _ = try RPCRouter.decode(Grpc_Health_V1_HealthCheckRequest.self, ByteBuffer(bytes: [0xFF, 0xFF, 0xFF]))
            Issue.record("garbage decoded")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("grpc.health.v1.HealthCheckRequest"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    struct Recording: ServerInterceptor {
        let name: String
        let log: NIOLockedValueBox<[String]>
        var reject: RPCError?

        func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
            log.withLockedValue { $0.append("\(name) in") }
            if let reject { throw reject }
            defer { log.withLockedValue { $0.append("\(name) out") } }
            try await next(context)
        }
    }

    private func context() -> ServerContext {
        ServerContext(
            method: Self.check.descriptor, requestMetadata: [:], peer: nil, remoteAddress: "127.0.0.1:1", deadline: nil)
    }

    @Test("interceptors run in order around the handler")
    func ordering() async throws {
        let log = NIOLockedValueBox<[String]>([])
        let chain = ServerInterceptors.chain([Recording(name: "a", log: log), Recording(name: "b", log: log)]) { _ in
            log.withLockedValue { $0.append("handler") }
        }
        try await chain(context())
        #expect(log.withLockedValue { $0 } == ["a in", "b in", "handler", "b out", "a out"])
    }

    @Test("an interceptor that throws stops the chain before the handler")
    func rejection() async throws {
        let log = NIOLockedValueBox<[String]>([])
        let chain = ServerInterceptors.chain([
            Recording(name: "a", log: log),
            Recording(name: "b", log: log, reject: .unavailable(reason: "migrating")),
        ]) { _ in
            log.withLockedValue { $0.append("handler") }
        }
        await #expect(throws: RPCError.unavailable(reason: "migrating")) { try await chain(context()) }
        #expect(log.withLockedValue { $0 } == ["a in", "b in", "a out"])
    }

    @Test("the health board tells watchers the current status, then changes, then NOT_SERVING at shutdown")
    func healthBoard() async {
        let board = HealthStatusBoard()
        board.setStatus(.serving, forService: "svc")
        var iterator = board.watch("svc").makeAsyncIterator()
        #expect(await iterator.next() == .serving)
        board.setStatus(.notServing, forService: "svc")
        #expect(await iterator.next() == .notServing)
        var unknown = board.watch("other").makeAsyncIterator()
        #expect(await unknown.next() == .serviceUnknown)
        board.enterShutdown()
        #expect(await unknown.next() == .notServing)
        #expect(await unknown.next() == nil)
        #expect(board.status(forService: "") == .notServing)
    }

    private func index() -> ReflectionIndex {
        var router = RPCRouter()
        router.addFileDescriptorSet(base64: StandardServiceDescriptors.fileDescriptorSetBase64)
        return ReflectionIndex(fileDescriptors: router.fileDescriptors, services: ["grpc.health.v1.Health"])
    }

    @Test(
        "reflection finds the file of services, methods, messages, nested enums",
        arguments: [
            ("grpc.health.v1.Health", "grpc/health/v1/health.proto"),
            ("grpc.health.v1.Health.Watch", "grpc/health/v1/health.proto"),
            ("grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto"),
            ("grpc.reflection.v1alpha.ServerReflectionRequest", "grpc/reflection/v1alpha/reflection.proto"),
            ("grpc.reflection.v1.ServerReflection", "grpc/reflection/v1/reflection.proto"),
        ])
    func symbols(symbol: String, file: String) {
        #expect(index().file(containingSymbol: symbol) == file)
    }

    @Test("reflection answers list_services, file_by_filename, and NOT_FOUND errors")
    func answers() throws {
        let index = index()
        var list = Grpc_Reflection_V1_ServerReflectionRequest()
        list.listServices = ""
        #expect(
            ReflectionService.answer(list, index: index).listServicesResponse.service.map(\.name) == [
                "grpc.health.v1.Health"
            ])

        var byName = Grpc_Reflection_V1_ServerReflectionRequest()
        byName.fileByFilename = "grpc/health/v1/health.proto"
        let files = ReflectionService.answer(byName, index: index).fileDescriptorResponse.fileDescriptorProto
        #expect(files.count == 1)
        let parsed = try Google_Protobuf_FileDescriptorProto(serializedBytes: files[0])
        #expect(parsed.service.map(\.name) == ["Health"])

        var missing = Grpc_Reflection_V1_ServerReflectionRequest()
        missing.fileContainingSymbol = "no.Such"
        #expect(ReflectionService.answer(missing, index: index).errorResponse.errorCode == 5)

        var ext = Grpc_Reflection_V1_ServerReflectionRequest()
        ext.fileContainingExtension = .with {
            $0.containingType = "grpc.health.v1.HealthCheckRequest"
            $0.extensionNumber = 100
        }
        let answer = ReflectionService.answer(ext, index: index)
        #expect(answer.errorResponse.errorCode == 5)
        #expect(answer.originalRequest == ext)
    }
}
