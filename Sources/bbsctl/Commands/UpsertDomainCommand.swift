import ArgumentParser
import Models
import Services

/// `bbsctl upsert-domain NAME [--ttl 2m]`: marks a domain fresh, for `--ttl` or for ever; prints the
/// domain as upserted (`{"domain":"cf-apps","ttl_seconds":120}`).
struct UpsertDomainCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "upsert-domain",
        abstract: "Mark a domain fresh for a while (--ttl) or for ever (no --ttl, or 0).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The domain, e.g. cf-apps.")
    var domain: String

    @Option(
        name: .customLong("ttl"),
        help: ArgumentHelp(
            "How long it stays fresh, whole seconds as a Go duration, e.g. 2m; 0: for ever.",
            valueName: "duration"))
    var ttl: String?

    func validate() throws {
        do {
            _ = try ttlSeconds()
        } catch {
            // ArgumentParser reports its own ValidationError as bad usage.
            throw ValidationError(error.message)
        }
    }

    func run(against bbs: BBSClient) async throws(BBSCtlError) {
        var request = Diego_Bbs_UpsertDomainRequest()
        request.domain = domain
        request.ttlSeconds = try ttlSeconds()
        _ = try await bbs.call(BBSMethods.Domain.upsertDomain, request)
        try JSONOutput.print(request)
    }

    /// `--ttl` in whole seconds; a fraction is refused rather than rounded (down to 0 would mean "for ever").
    private func ttlSeconds() throws(BBSCtlError) -> UInt32 {
        guard let ttl else { return 0 }
        let duration: Duration
        do {
            duration = try GoDuration(parsing: ttl).duration
        } catch {
            throw .usage("--ttl: \(error)")
        }
        let (seconds, attoseconds) = duration.components
        guard attoseconds == 0 else { throw .usage("--ttl must be whole seconds, got '\(ttl)'") }
        guard let whole = UInt32(exactly: seconds) else {
            throw .usage("--ttl must be at most \(GoDuration(.seconds(UInt32.max))), got '\(ttl)'")
        }
        return whole
    }
}
