import ArgumentParser

/// `bbs`: `bbs [serve]` runs the server, `bbs migrate` moves the data between data versions.
struct BBSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bbs",
        abstract: "The bbs server: Diego's bulletin board system over gRPC.",
        discussion: """
            Exit codes: 0 after SIGTERM (drained, lock released); 64 for a bad flag or config file; 2 when the \
            data version in the store says this release must not start; 3 when a migration failed (the data \
            is back where it was); 1 for anything else.
            """,
        subcommands: [ServeCommand.self, MigrateCommand.self],
        defaultSubcommand: ServeCommand.self)
}
