import ArgumentParser
import Models
import Services

/// `bbsctl ping`: whether a bbs is there and serving; prints `{"available":true}`.
struct PingCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping", abstract: "Check that the bbs (its master) is up and serving.")

    @OptionGroup var connection: ConnectionOptions

    func run(against bbs: BBSClient) async throws(BBSCtlError) {
        try JSONOutput.print(try await bbs.call(BBSMethods.Ping.ping, Diego_Bbs_PingRequest()))
    }
}
