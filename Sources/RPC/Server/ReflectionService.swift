import Foundation
import SwiftProtobuf

/// The method handles of server reflection, `grpc.reflection.v1` and the deprecated `v1alpha`.
///
/// Exists so reflection clients in tests (and tools built on the RPC client) use typed constants.
public enum ReflectionMethods {
    public static let v1 = RPCMethod<
        Grpc_Reflection_V1_ServerReflectionRequest, Grpc_Reflection_V1_ServerReflectionResponse
    >(
        service: "grpc.reflection.v1.ServerReflection", method: "ServerReflectionInfo", kind: .bidirectionalStreaming)
    public static let v1alpha = RPCMethod<
        Grpc_Reflection_V1alpha_ServerReflectionRequest, Grpc_Reflection_V1alpha_ServerReflectionResponse
    >(
        service: "grpc.reflection.v1alpha.ServerReflection", method: "ServerReflectionInfo",
        kind: .bidirectionalStreaming)
}

/// Server reflection over the router's registered services and file descriptors.
///
/// Exists so reflection-based tools (grpcurl, grpc_cli, Postman) list and call every service.
/// v1alpha has the same wire format as v1, so its messages are re-read as v1 and answered once.
enum ReflectionService {
    /// Registers both versions; call after every other service and descriptor is in `router`.
    static func register(in router: inout RPCRouter) {
        let services =
            router.methods.map(\.service) + [
                ReflectionMethods.v1.descriptor.service,
                ReflectionMethods.v1alpha.descriptor.service,
            ]
        let index = ReflectionIndex(fileDescriptors: router.fileDescriptors, services: services)
        router.register(
            ReflectionMethods.v1,
            bidirectionalStreaming: { requests, writer, _ in
                for try await request in requests {
                    try await writer.write(answer(request, index: index))
                }
            })
        router.register(
            ReflectionMethods.v1alpha,
            bidirectionalStreaming: { requests, writer, _ in
                for try await alphaRequest in requests {
                    let request = try Grpc_Reflection_V1_ServerReflectionRequest(
                        serializedBytes: try alphaRequest.serializedBytes() as [UInt8])
                    let response = answer(request, index: index)
                    try await writer.write(
                        Grpc_Reflection_V1alpha_ServerReflectionResponse(
                            serializedBytes: try response.serializedBytes() as [UInt8]))
                }
            })
    }

    static func answer(
        _ request: Grpc_Reflection_V1_ServerReflectionRequest, index: ReflectionIndex
    ) -> Grpc_Reflection_V1_ServerReflectionResponse {
        var response = Grpc_Reflection_V1_ServerReflectionResponse()
        response.validHost = request.host
        response.originalRequest = request
        func files(_ name: String?, notFound: String) {
            if let name, let files = index.fileWithDependencies(name) {
                response.fileDescriptorResponse = .with { $0.fileDescriptorProto = files.map { Data($0) } }
            } else {
                response.errorResponse = error(.notFound, notFound)
            }
        }
        switch request.messageRequest {
        case .listServices:
            response.listServicesResponse = .with { list in
                list.service = index.services.map { name in .with { $0.name = name } }
            }
        case .fileByFilename(let name):
            files(name, notFound: "file not found: \(name)")
        case .fileContainingSymbol(let symbol):
            files(index.file(containingSymbol: symbol), notFound: "symbol not found: \(symbol)")
        case .fileContainingExtension(let request):
            files(
                index.file(extending: request.containingType, number: request.extensionNumber),
                notFound: "extension not found: \(request.containingType) field \(request.extensionNumber)")
        case .allExtensionNumbersOfType(let type):
            if let numbers = index.extensionNumbers(of: type) {
                response.allExtensionNumbersResponse = .with {
                    $0.baseTypeName = type
                    $0.extensionNumber = numbers
                }
            } else {
                response.errorResponse = error(.notFound, "type not found: \(type)")
            }
        case nil:
            response.errorResponse = error(.invalidArgument, "the request names no message_request")
        }
        return response
    }

    private static func error(_ code: RPCStatus.Code, _ message: String) -> Grpc_Reflection_V1_ErrorResponse {
        .with {
            $0.errorCode = Int32(code.rawValue)
            $0.errorMessage = message
        }
    }
}
