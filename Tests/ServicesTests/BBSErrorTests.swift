import Models
import RPC
import Store
import Testing

@testable import Services

typealias RPCErrorAlias = RPCError

@Suite("domain errors as gRPC statuses with the Diego type in bbs-error-type")
struct BBSErrorTests {
    @Test(
        "every store and model error maps onto its status and Diego type",
        arguments: [
            (StoreError.notFound("x") as any Error, RPCStatus.Code.notFound, "ResourceNotFound"),
            (StoreError.conditionFailed("x"), .aborted, "ResourceConflict"),
            (StoreError.invalidArgument("x"), .invalidArgument, "InvalidRequest"),
            (StoreError.corruptRecord("x"), .dataLoss, "Deserialize"),
            (ModelError(.invalidRecord, "x"), .invalidArgument, "InvalidRecord"),
            (ModelError(.invalidStateTransition, "x"), .failedPrecondition, "InvalidStateTransition"),
        ] as [(any Error, RPCStatus.Code, String)])
    func mapping(error: any Error, code: RPCStatus.Code, type: String) {
        let answer = BBSError.answer(for: error)
        #expect(answer.code == code)
        #expect(answer.metadata[BBSError.errorTypeMetadataKey] == type)
    }

    @Test("a lost lock and a failing store are the 503 answer, never INTERNAL", arguments: [
        StoreError.lockLost("x"), StoreError.backendFailure("x"), StoreError.closed("x"),
    ])
    func unavailable(error: StoreError) {
        let answer = BBSError.answer(for: error)
        #expect(answer.code == .unavailable)
        #expect(answer.httpAnswer?.status == 503)
    }

    @Test("an RPC error passes through unchanged; anything else is UNKNOWN, not INTERNAL")
    func passThrough() {
        let redirect = RPCError.redirect(toMaster: "https://m:8889", path: "/p")
        #expect(BBSError.answer(for: redirect) == redirect)
        struct Odd: Error {}
        #expect(BBSError.answer(for: Odd()).code == .unknown)
    }

    @Test("an invalid request names the field")
    func invalidRequest() {
        let error = BBSError.invalidRequest(field: "domain", "must not be empty")
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("domain"))
        #expect(error.metadata[BBSError.errorTypeMetadataKey] == "InvalidRequest")
    }
}
