import ArgumentParser
import Models
import Services

/// `bbsctl data-version`: the data version record, the release's data and API versions, the master,
/// and whether a migration runs, as one object.
struct DataVersionCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-version",
        abstract: "Print the stored data version, the bbs's data and API versions, and whether it migrates.")

    @OptionGroup var connection: ConnectionOptions

    func run(against bbs: BBSClient) async throws(BBSCtlError) {
        try JSONOutput.print(try await bbs.call(BBSMethods.Admin.getDataVersion, Diego_Bbs_GetDataVersionRequest()))
    }
}
