import SwiftProtobuf

/// What commands print on stdout: one compact JSON object per line.
///
/// Exists so every command prints the same way: API messages as protobuf JSON with proto field
/// names (`cell_id`, not `cellId`; fields at their default value left out, as protobuf's JSON
/// mapping does), and bbsctl's own small objects (`{"domain":"..."}`) through `JSONValue`.
enum JSONOutput {
    static let protobufOptions: JSONEncodingOptions = {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        return options
    }()

    /// Prints `message` as one line of protobuf JSON.
    static func print(_ message: some SwiftProtobuf.Message) throws(BBSCtlError) {
        do {
            Swift.print(try message.jsonString(options: protobufOptions))
        } catch {
            throw .badAnswer("cannot print \(type(of: message).protoMessageName) as JSON: \(error)")
        }
    }

    /// Prints `value` as one line of JSON.
    static func print(_ value: JSONValue) {
        Swift.print(value.text)
    }
}

/// A JSON value that bbsctl builds itself, rendered compactly with its object keys in the order given.
///
/// Exists for the outputs that are not one API message (a domain line, the master report), so
/// their key order is fixed and their strings are escaped without Foundation's encoder.
indirect enum JSONValue: Equatable, ExpressibleByStringLiteral {
    case string(String)
    case bool(Bool)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    init(stringLiteral value: String) { self = .string(value) }

    /// The compact JSON text.
    var text: String {
        switch self {
        case .string(let string): Self.quoted(string)
        case .bool(let bool): bool ? "true" : "false"
        case .array(let values): "[" + values.map(\.text).joined(separator: ",") + "]"
        case .object(let members):
            "{" + members.map { Self.quoted($0.key) + ":" + $0.value.text }.joined(separator: ",") + "}"
        }
    }

    /// RFC 8259 string: `"` and `\` escaped, control characters as `\n`, `\t`, ... or `\u00XX`.
    static func quoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.text == rhs.text }
}
