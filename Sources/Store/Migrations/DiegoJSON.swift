import Foundation
import SwiftProtobuf

/// Reads legacy JSON in the shape Diego's Go code wrote it (`DiegoJSONShape`): renamed keys
/// (`"rootfs"`, `"env"`, `"run"`), embedded messages flattened into their parent, routes as raw JSON.
/// Produces the protobuf-JSON tree of the same record, which swift-protobuf then decodes.
///
/// Exists so a store filled by Diego-era code (or tools that mimic it) migrates without silently
/// losing the fields protobuf JSON would not recognise.
enum DiegoJSON {
    /// The Diego shape of a message, by its full protobuf name; nil when it has none of its own.
    static func shape(of messageName: String) -> DiegoJSONShape? {
        switch messageName {
        case "diego.bbs.DesiredLRP": return .desiredLRP
        case "diego.bbs.DesiredLRPSchedulingInfo": return .schedulingInfo
        case "diego.bbs.DesiredLRPRunInfo": return .runInfo
        case "diego.bbs.ActualLRP": return .actualLRP
        case "diego.bbs.Task": return .task
        case "diego.bbs.TaskDefinition": return .taskDefinition
        case "diego.bbs.CellPresence": return .cellPresence
        default: return nil
        }
    }

    /// Protobuf-JSON bytes of a Diego-shaped JSON record.
    static func protoJSON(fromDiego bytes: [UInt8], shape: DiegoJSONShape) throws -> [UInt8] {
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw StoreError.corruptRecord("legacy JSON record is not a JSON object")
        }
        let converted = try protoShaped(object, shape)
        return Array(try JSONSerialization.data(withJSONObject: converted, options: [.sortedKeys]))
    }

    /// The protobuf-JSON object for a Diego-shaped one; keys already in protobuf shape pass unchanged.
    static func protoShaped(_ object: [String: Any], _ declared: DiegoJSONShape) throws -> [String: Any] {
        let shape = declared.isActionReference ? DiegoJSONShape.action : declared
        var out: [String: Any] = [:]
        var flattened: [String: [String: Any]] = [:]
        for (key, value) in object {
            if let embedded = shape.embedded.first(where: { $0.goKeys.contains(key) }) {
                flattened[embedded.protoName, default: [:]][key] = value
            } else if let field = shape.fields.first(where: { $0.goName == key }) {
                out[field.protoName] = try convert(value, field.value)
            } else if let field = shape.fields.first(where: { $0.protoName == key }) {
                out[key] = try convert(value, field.value)
            } else {
                out[key] = value
            }
        }
        for embedded in shape.embedded {
            guard let fields = flattened[embedded.protoName] else { continue }
            var inner = try protoShaped(fields, embedded.shape)
            if let nested = out[embedded.protoName] as? [String: Any] {
                inner.merge(nested) { flat, _ in flat }
            }
            out[embedded.protoName] = inner
        }
        return out
    }

    private static func convert(_ value: Any, _ kind: DiegoJSONShape.Value) throws -> Any {
        switch kind {
        case .plain:
            return value
        case .message(let shape):
            if let array = value as? [Any] { return try array.map { try convert($0, kind) } }
            if let object = value as? [String: Any] { return try protoShaped(object, shape) }
            return value
        case .routes:
            return try protoRoutes(value)
        }
    }

    /// `{router: raw JSON}` (Diego) to `{"routes": {router: base64}}` (protobuf JSON of ProtoRoutes).
    private static func protoRoutes(_ value: Any) throws -> Any {
        guard let routes = value as? [String: Any] else { return value }
        if routes.count == 1, let inner = routes["routes"] as? [String: Any], inner.values.allSatisfy({ $0 is String })
        {
            return routes  // already protobuf JSON
        }
        var encoded: [String: Any] = [:]
        for (router, raw) in routes {
            let bytes = try JSONSerialization.data(
                withJSONObject: raw, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
            encoded[router] = bytes.base64EncodedString()
        }
        return ["routes": encoded]
    }
}
