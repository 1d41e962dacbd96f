import Foundation
import Plumbing

@_implementationOnly import CLibXML2  // its ICU headers clash with Foundation's if clients see them

/// A parsed XML element: name, attributes, text content and children — enough to walk the
/// SemEval files without holding libxml2 pointers outside this file.
public struct XMLElement {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLElement]
    public var text: String

    public func child(_ n: String) -> XMLElement? { children.first { $0.name == n } }
    public func all(_ n: String) -> [XMLElement] { children.filter { $0.name == n } }

    /// Parses a whole document with libxml2 (no network access, no entity expansion).
    public static func parse(_ bytes: [UInt8], name: String) throws -> XMLElement {
        let doc = bytes.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) {
                xmlReadMemory(
                    $0, Int32(p.count), name, nil,
                    Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue))
            }
        }
        guard let doc else {
            let e = xmlGetLastError()
            let msg =
                e.map {
                    "line \($0.pointee.line): "
                    + "\(String(cString: $0.pointee.message).trimmingCharacters(in: .whitespacesAndNewlines))"
                } ?? "not well-formed"
            throw ToolError.data(name, "invalid XML, \(msg)")
        }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { throw ToolError.data(name, "empty XML document") }
        return convert(root)
    }

    private static func convert(_ node: UnsafeMutablePointer<xmlNode>) -> XMLElement {
        var attrs: [String: String] = [:]
        var a = node.pointee.properties
        while let attr = a {
            let key = String(cString: attr.pointee.name)
            if let v = xmlGetProp(node, attr.pointee.name) {
                attrs[key] = String(cString: v)
                xmlFree(v)
            }
            a = attr.pointee.next
        }
        var kids: [XMLElement] = []
        var c = node.pointee.children
        while let child = c {
            if child.pointee.type == XML_ELEMENT_NODE { kids.append(convert(child)) }
            c = child.pointee.next
        }
        var text = ""  // only for leaf elements: a parent's content would repeat the whole subtree
        if kids.isEmpty, let t = xmlNodeGetContent(node) {
            text = String(cString: t)
            xmlFree(t)
        }
        return XMLElement(name: String(cString: node.pointee.name), attributes: attrs, children: kids, text: text)
    }
}
