/// The `bbs-api-version: MAJOR.MINOR` a client sends and the rule for which clients a server serves.
///
/// API.md: a server of major Ms serves a client of major Mc when `0 <= Ms - Mc <= 1`; any other client
/// gets FAILED_PRECONDITION naming both versions; a missing header means "same as the server". The
/// server speaks API 2: the deprecated `_1_0` methods are API 1, served by adapters over the current
/// records, so a 1.x client keeps working against a 2.x server, and a 3.x server will drop them.
public struct APIVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    /// The version this server speaks.
    public static let current = APIVersion(major: 2, minor: 0)
    /// The request header that carries it.
    public static let headerName = "bbs-api-version"

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `MAJOR.MINOR` (both non-negative integers); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        self.init(major: major, minor: minor)
    }

    /// Whether a server of this version serves a client of `client`'s version.
    public func serves(_ client: APIVersion) -> Bool {
        let difference = major - client.major
        return difference >= 0 && difference <= 1
    }

    public var description: String { "\(major).\(minor)" }

    public static func < (lhs: APIVersion, rhs: APIVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }
}
