import RPC
import Testing

@testable import Services

@Suite("the bbs-api-version rule")
struct APIVersionTests {
    @Test(
        "a server of major Ms serves a client of major Mc exactly when 0 <= Ms - Mc <= 1",
        arguments: [
            ("2.0", "2.0", true), ("2.0", "2.7", true), ("2.0", "1.0", true), ("2.0", "1.9", true),
            ("2.0", "0.9", false), ("2.0", "3.0", false), ("3.1", "2.0", true), ("3.1", "1.0", false),
            ("1.0", "1.0", true), ("1.0", "0.0", true), ("1.0", "2.0", false),
        ])
    func rule(server: String, client: String, served: Bool) throws {
        let server = try #require(APIVersion(server))
        let client = try #require(APIVersion(client))
        #expect(server.serves(client) == served)
    }

    @Test("only MAJOR.MINOR with non-negative integers parses", arguments: ["", "2", "2.", ".1", "2.0.1", "a.b", "-1.0", "2.-1", " 2.0", "٢.0"])
    func malformed(text: String) {
        #expect(APIVersion(text) == nil)
    }

    @Test("a missing header is the server's own version; a malformed one is INVALID_ARGUMENT naming the header")
    func header() throws {
        let interceptor = APIVersionInterceptor(server: APIVersion(major: 2, minor: 0))
        #expect(throws: Never.self) { try interceptor.check(nil) }
        #expect(throws: Never.self) { try interceptor.check("1.4") }
        let malformed = #expect(throws: (any Error).self) { try interceptor.check("two") }
        let error = try #require(malformed as? RPCErrorAlias)
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("bbs-api-version"))
        let tooOld = #expect(throws: (any Error).self) { try interceptor.check("0.9") }
        let refusal = try #require(tooOld as? RPCErrorAlias)
        #expect(refusal.code == .failedPrecondition)
        #expect(refusal.message.contains("0.9") && refusal.message.contains("2.0"))
    }
}
