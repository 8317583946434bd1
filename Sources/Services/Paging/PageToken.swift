import Foundation
import RPC

/// The opaque `page_token` / `next_page_token` of every list: the key (relative to the list's prefix)
/// after which the next page starts, tagged with the list it belongs to.
///
/// Exists so a client cannot pass a token of one list to another, and a token that is not ours is
/// INVALID_ARGUMENT naming `page_token` rather than a silent restart.
public enum PageToken {
    /// The largest page a client may ask for.
    public static let maximumPageSize: Int32 = 10_000

    /// The token continuing `list` after `key`; empty when there is no next page.
    public static func encode(list: String, after key: String?) -> String {
        guard let key else { return "" }
        return Data("\(list):\(key)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The key to continue `list` after, nil for an empty token (first page).
    public static func decode(_ token: String, list: String) throws(RPCError) -> String? {
        if token.isEmpty { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            text.hasPrefix(list + ":")
        else {
            throw BBSError.invalidRequest(
                field: "page_token", "is not a next_page_token of this list; pass it back as it was given, or empty")
        }
        return String(text.dropFirst(list.count + 1))
    }
}
