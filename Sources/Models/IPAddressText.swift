import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parsing of the IP forms an egress rule's destination may take, as Go's `net.ParseIP` and
/// `net.ParseCIDR` accept them (Diego's `SecurityGroupRule.validateDestinations`).
enum IPAddressText {
    /// The 16-byte form of an IPv4 or IPv6 address (IPv4 mapped into `::ffff:0:0/96`), or nil.
    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] + withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Whether `text` is `address/prefix` with a prefix length the address family allows.
    static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parse(String(parts[0])) != nil, let bits = Int(parts[1]), bits >= 0 else {
            return false
        }
        return bits <= (parts[0].contains(":") ? 128 : 32)
    }

    /// Whether a destination is an address, a CIDR block or an ascending `first-last` range.
    static func isDestination(_ text: String) -> Bool {
        guard let separator = text.firstIndex(where: { $0 == "-" || $0 == "/" }) else {
            return parse(text) != nil
        }
        if text[separator] == "/" { return isCIDR(text) }
        guard let first = parse(String(text[..<separator])),
            let last = parse(String(text[text.index(after: separator)...]))
        else { return false }
        return !last.lexicographicallyPrecedes(first)
    }
}
