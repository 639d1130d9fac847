import CLibXML2
import Glibc

/// Reads HTML with libxml2's HTML parser, as a browser-grade check that generated pages are well-formed.
public enum HTMLCheck {
    public struct Result {
        /// True when libxml2 reported no error other than tags its HTML 4 parser does not know (inline
        /// SVG: `svg`, `rect`, `polyline` …).
        public var wellFormed: Bool
        /// The errors libxml2 reported, unknown tags left out.
        public var errors: [String] = []
        /// Names of every element in the document, in document order (lower-case).
        public var elements: [String]
        /// The text of every `<td>` and `<li>`, to see how report strings came out.
        public var cellTexts: [String]
    }

    public static func parse(_ html: String) -> Result {
        var bytes = Array(html.utf8)
        let context = bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { htmlCreateMemoryParserCtxt($0.baseAddress, Int32($0.count)) }
        }
        guard let context else { return Result(wellFormed: false, elements: [], cellTexts: []) }
        defer { htmlFreeParserCtxt(context) }
        let collector = ErrorCollector()
        let box = Unmanaged.passRetained(collector)
        defer { box.release() }
        xmlSetStructuredErrorFunc(box.toOpaque()) { pointer, error in
            guard let pointer, let error else { return }
            let collector = Unmanaged<ErrorCollector>.fromOpaque(pointer).takeUnretainedValue()
            guard error.pointee.code != Int32(XML_HTML_UNKNOWN_TAG.rawValue) else { return }
            let message = error.pointee.message.map { String(cString: $0) } ?? "error \(error.pointee.code)"
            collector.errors.append("line \(error.pointee.line): \(message)")
        }
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        _ = htmlCtxtUseOptions(
            context,
            Int32(
                HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                    | HTML_PARSE_PEDANTIC.rawValue))
        let status = htmlParseDocument(context)
        let wellFormed = status == 0 || (context.pointee.myDoc != nil && collector.errors.isEmpty)
        var elements: [String] = []
        var texts: [String] = []
        if let document = context.pointee.myDoc {
            walk(xmlDocGetRootElement(document), &elements, &texts)
            xmlFreeDoc(document)
        }
        return Result(wellFormed: wellFormed, errors: collector.errors, elements: elements, cellTexts: texts)
    }

    private final class ErrorCollector {
        var errors: [String] = []
    }

    private static func walk(_ node: xmlNodePtr?, _ elements: inout [String], _ texts: inout [String]) {
        var current = node
        while let node = current {
            if node.pointee.type == XML_ELEMENT_NODE {
                let name = String(cString: node.pointee.name)
                elements.append(name)
                if name == "td" || name == "li", let content = xmlNodeGetContent(node) {
                    texts.append(String(cString: content))
                    free(content)
                }
                walk(node.pointee.children, &elements, &texts)
            }
            current = node.pointee.next
        }
    }
}
