import SwiftProtobuf

/// Which file defines which symbol, built once from the router's file descriptors.
///
/// Exists so server reflection answers `file_by_filename`, `file_containing_symbol` and
/// `file_containing_extension` with a dictionary lookup, plus the file's transitive imports.
struct ReflectionIndex: Sendable {
    private(set) var files: [String: (bytes: [UInt8], dependencies: [String])] = [:]
    private(set) var symbols: [String: String] = [:]
    /// Extendee full name -> field number -> file.
    private(set) var extensions: [String: [Int32: String]] = [:]
    let services: [String]

    init(fileDescriptors: [[UInt8]], services: [String]) {
        self.services = Array(Set(services)).sorted()
        for bytes in fileDescriptors {
            guard let file = try? Google_Protobuf_FileDescriptorProto(serializedBytes: bytes) else { continue }
            files[file.name] = (bytes, file.dependency)
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for message in file.messageType { addMessage(message, prefix: prefix, file: file.name) }
            for enumeration in file.enumType { addEnum(enumeration, scope: prefix, file: file.name) }
            for service in file.service {
                let name = prefix + service.name
                symbols[name] = file.name
                for method in service.method { symbols[name + "." + method.name] = file.name }
            }
            for field in file.extension { addExtension(field, prefix: prefix, file: file.name) }
        }
    }

    private mutating func addMessage(_ message: Google_Protobuf_DescriptorProto, prefix: String, file: String) {
        let name = prefix + message.name
        symbols[name] = file
        for field in message.field { symbols[name + "." + field.name] = file }
        for oneof in message.oneofDecl { symbols[name + "." + oneof.name] = file }
        for nested in message.nestedType { addMessage(nested, prefix: name + ".", file: file) }
        for enumeration in message.enumType { addEnum(enumeration, scope: name + ".", file: file) }
        for field in message.extension { addExtension(field, prefix: name + ".", file: file) }
    }

    /// An enum and its values; protobuf scopes the values beside the enum, not inside it
    /// (`pkg.Message.VALUE`, not `pkg.Message.Enum.VALUE`), as DescriptorPool and grpc-go resolve them.
    private mutating func addEnum(_ enumeration: Google_Protobuf_EnumDescriptorProto, scope: String, file: String) {
        symbols[scope + enumeration.name] = file
        for value in enumeration.value { symbols[scope + value.name] = file }
    }

    private mutating func addExtension(_ field: Google_Protobuf_FieldDescriptorProto, prefix: String, file: String) {
        symbols[prefix + field.name] = file
        let extendee = field.extendee.hasPrefix(".") ? String(field.extendee.dropFirst()) : field.extendee
        extensions[extendee, default: [:]][field.number] = file
    }

    /// `name` and its transitive dependencies (each once, `name` first); nil if unknown.
    func fileWithDependencies(_ name: String) -> [[UInt8]]? {
        guard files[name] != nil else { return nil }
        var seen: Set<String> = []
        var order: [String] = []
        var pending = [name]
        while let next = pending.popLast() {
            guard seen.insert(next).inserted, let file = files[next] else { continue }
            order.append(next)
            pending.append(contentsOf: file.dependencies.reversed())
        }
        return order.compactMap { files[$0]?.bytes }
    }

    func file(containingSymbol symbol: String) -> String? {
        symbols[symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol]
    }

    func file(extending type: String, number: Int32) -> String? {
        extensions[type]?[number]
    }

    func extensionNumbers(of type: String) -> [Int32]? {
        if let numbers = extensions[type] { return numbers.keys.sorted() }
        return symbols[type] != nil ? [] : nil
    }
}
