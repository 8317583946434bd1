import Models
import RPC
import Store

/// `diego.bbs.AdminService`: what operators ask a running BBS (bbsctl data-version, bbsctl master).
///
/// `GetDataVersion` is answered during a migration too (it is how an operator watches one), so it
/// reads the version record from the store rather than trusting what start-up saw.
public struct AdminService: Sendable {
    private let backend: any Backend
    private let state: ServingState
    private let binaryDataVersion: Int
    private let masterURL: String

    /// - Parameters:
    ///   - binaryDataVersion: the data version this release writes.
    ///   - masterURL: this instance's advertise URL (a call only reaches the service on the master).
    public init(backend: any Backend, state: ServingState, binaryDataVersion: Int, masterURL: String) {
        self.backend = backend
        self.state = state
        self.binaryDataVersion = binaryDataVersion
        self.masterURL = masterURL
    }

    public func getDataVersion(_ request: Diego_Bbs_GetDataVersionRequest) async throws -> Diego_Bbs_GetDataVersionResponse {
        var response = Diego_Bbs_GetDataVersionResponse()
        if let (version, _) = try await backend.readDataVersion() {
            response.currentVersion = Int32(version.current)
            response.targetVersion = Int32(version.target)
        }
        response.bbsDataVersion = Int32(binaryDataVersion)
        response.apiVersion = APIVersion.current.description
        response.masterURL = masterURL
        response.migrating = state.isMigrating || response.currentVersion != response.targetVersion
        return response
    }
}
