import ArgumentParser

/// The `bbs` executable: `bbs [serve]` runs the server, `bbs migrate` moves the data between data versions.
///
/// The only place (with bbsctl) that wires the store, migrations and the RPC server together.
@main
struct BBSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bbs",
        abstract: "The bbs server: Diego's bulletin board system over gRPC.",
        subcommands: [ServeCommand.self, MigrateCommand.self],
        defaultSubcommand: ServeCommand.self)
}
