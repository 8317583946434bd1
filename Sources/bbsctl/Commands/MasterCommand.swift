import ArgumentParser
import Models
import RPC
import Services

/// `bbsctl master`: which bbs is the master, and how each `--bbs-url` answered.
///
/// Prints one object: `master_url` (GetDataVersion's, as the master says it), then `bbs_urls`, one
/// entry per URL given, in order, each with `answer`:
///
/// | answer | the URL, asked without following redirects |
/// |---|---|
/// | `master` | answered GetDataVersion itself |
/// | `redirect` | said "not the master" and named it (`master_url`) |
/// | `unreachable` | could not be reached (`error`) |
/// | `error` | answered with another error status (`error`) |
///
/// When no URL answered as the master, `master_url` comes from one call that follows the redirect.
struct MasterCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "master", abstract: "Print the master's URL and whether each --bbs-url is it or redirects to it.")

    @OptionGroup var connection: ConnectionOptions

    func run(against bbs: BBSClient) async throws(BBSCtlError) {
        var masterURL: String?
        var answers: [JSONValue] = []
        var unreachable: [(url: String, error: RPCError)] = []
        for url in bbs.settings.urls {
            var entry: [(key: String, value: JSONValue)] = [("url", .string(url))]
            do {
                let version = try await bbs.call(
                    BBSMethods.Admin.getDataVersion, Diego_Bbs_GetDataVersionRequest(), at: url,
                    followingRedirects: false)
                masterURL = masterURL ?? version.masterURL
                entry.append(("answer", "master"))
            } catch {
                if let redirect = Self.redirectTarget(of: error) {
                    entry += [("answer", "redirect"), ("master_url", .string(redirect))]
                } else {
                    if error.delivery == .notSent { unreachable.append((url, error)) }
                    entry += [
                        ("answer", error.delivery == .notSent ? "unreachable" : "error"),
                        ("error", .string(error.description)),
                    ]
                }
            }
            answers.append(.object(entry))
        }
        if unreachable.count == bbs.settings.urls.count { throw .unreachable(unreachable) }
        if masterURL == nil {
            masterURL = try await bbs.call(BBSMethods.Admin.getDataVersion, Diego_Bbs_GetDataVersionRequest()).masterURL
        }
        JSONOutput.print(.object([("master_url", .string(masterURL ?? "")), ("bbs_urls", .array(answers))]))
    }

    /// The master's base URL named by a "not the master" answer (`bbs-master-url`, else the 307's
    /// `location` without its path); nil for any other error.
    static func redirectTarget(of error: RPCError) -> String? {
        guard error.delivery == .answered else { return nil }
        if let master = error.metadata[RPCError.masterURLMetadataKey] { return master }
        guard let answer = error.httpAnswer, answer.status == 307 || answer.status == 308,
            let location = answer.headers.first(where: { $0.name == "location" })?.value,
            let schemeEnd = location.range(of: "://")
        else { return nil }
        let path = location[schemeEnd.upperBound...].firstIndex(of: "/") ?? location.endIndex
        return String(location[..<path])
    }
}
