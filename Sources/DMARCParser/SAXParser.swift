import CLibXML2

/// The attributes of one start tag, as libxml2's SAX2 hands them over.
struct SAXAttributes {
    fileprivate let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    /// (qualified name, value) of attribute `index`.
    func attribute(_ index: Int) -> (name: String, value: String) {
        guard let base else { return ("", "") }
        let entry = base + index * 5
        let local = entry[0].map { String(cString: $0) } ?? ""
        let prefix = entry[1].map { String(cString: $0) }
        var value = ""
        if let start = entry[3], let end = entry[4] {
            value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
        }
        return (prefix.map { "\($0):\(local)" } ?? local, value)
    }
}

/// libxml2's SAX2 parser behind a small Swift surface: the only code in Rua that touches libxml2. Bytes
/// are either pushed to it chunk by chunk (``feed(_:)``, ``finish()``), or pulled by it from a
/// ``PullInput`` (``parseDocument()``), which spares the push parser's bookkeeping per element (about a
/// fifth of libxml2's time on a large report).
///
/// Hardened: no network (`XML_PARSE_NONET`), no DTD loading, no entity substitution and no entity
/// declarations at all (the SAX handler registers no entities, so `&name;` for anything but the five
/// predefined entities is an undefined-entity error, which defeats XXE and billion laughs alike); the
/// delegate hears of any `<!DOCTYPE>` so that it can refuse the document outright.
/// Recovery mode keeps going after well-formedness errors; the delegate hears about each one.
///
/// The callbacks reach the delegate through an unretained pointer (`_withUnsafeGuaranteedRef`): the
/// delegate owns this parser and outlives it, and a retain/release pair per SAX event cost a quarter of
/// the parse time. The delegate is the concrete ``AggregateReportParser`` for the same reason: C callbacks
/// cannot be generic, and an existential call costs another retain.
final class SAXParser {
    typealias Delegate = AggregateReportParser
    private var context: xmlParserCtxtPtr?
    /// The pulled input, kept alive while libxml2 reads from it.
    private let input: PullInput?

    /// A push parser: bytes come through ``feed(_:)``.
    init(delegate: Delegate, recover: Bool) {
        var handler = Self.handler()
        input = nil
        context = xmlCreatePushParserCtxt(&handler, Unmanaged.passUnretained(delegate).toOpaque(), nil, 0, nil)
        Self.configure(context, recover: recover)
    }

    /// A pull parser: ``parseDocument()`` reads the whole document from `input`.
    init(delegate: Delegate, recover: Bool, input: PullInput) {
        var handler = Self.handler()
        self.input = input
        let read: xmlInputReadCallback = { source, buffer, length in
            guard let source, let buffer, length > 0 else { return 0 }
            let input = Unmanaged<PullInput>.fromOpaque(source).takeUnretainedValue()
            return Int32(input.read(UnsafeMutableRawBufferPointer(start: buffer, count: Int(length))))
        }
        context = xmlCreateIOParserCtxt(
            &handler, Unmanaged.passUnretained(delegate).toOpaque(), read, nil,
            Unmanaged.passUnretained(input).toOpaque(), XML_CHAR_ENCODING_NONE)
        Self.configure(context, recover: recover)
    }

    private static func configure(_ context: xmlParserCtxtPtr?, recover: Bool) {
        var options = XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
        if recover { options |= XML_PARSE_RECOVER.rawValue }
        xmlCtxtUseOptions(context, Int32(options))
    }

    private static func handler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = { context, localName, prefix, uri, _, _, attributeCount, _, attributes in
            guard let context, let localName else { return }
            Unmanaged<Delegate>.fromOpaque(context)._withUnsafeGuaranteedRef {
                $0.startElement(
                    localName: localName, prefix: prefix, namespace: uri,
                    attributes: SAXAttributes(base: attributes, count: Int(attributeCount)))
            }
        }
        handler.endElementNs = { context, localName, prefix, _ in
            guard let context, let localName else { return }
            Unmanaged<Delegate>.fromOpaque(context)._withUnsafeGuaranteedRef {
                $0.endElement(localName: localName, prefix: prefix)
            }
        }
        let characters: charactersSAXFunc = { context, text, length in
            guard let context, let text, length > 0 else { return }
            Unmanaged<Delegate>.fromOpaque(context)._withUnsafeGuaranteedRef {
                $0.characters(UnsafeBufferPointer(start: text, count: Int(length)))
            }
        }
        handler.characters = characters
        handler.cdataBlock = characters
        handler.serror = { context, error in
            guard let context, let error else { return }
            let parser = Unmanaged<Delegate>.fromOpaque(context).takeUnretainedValue()
            let message = error.pointee.message.map { String(cString: $0) } ?? "unknown XML error"
            parser.parseError(
                Normalization.trim(message).split(whereSeparator: \.isNewline).joined(separator: " "),
                line: Int(error.pointee.line),
                fatal: error.pointee.level == XML_ERR_FATAL)
        }
        handler.internalSubset = { context, name, _, _ in
            guard let context else { return }
            let parser = Unmanaged<Delegate>.fromOpaque(context).takeUnretainedValue()
            parser.documentTypeDeclaration(name: name.map { String(cString: $0) } ?? "")
        }
        return handler
    }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
    }

    /// Parses the next chunk.
    func feed(_ bytes: UnsafeRawBufferPointer) {
        guard let context, let base = bytes.baseAddress, !bytes.isEmpty else { return }
        var offset = 0
        // xmlParseChunk takes an Int32 length.
        while offset < bytes.count {
            let length = min(bytes.count - offset, 1 << 30)
            xmlParseChunk(context, (base + offset).assumingMemoryBound(to: CChar.self), Int32(length), 0)
            offset += length
        }
    }

    /// Reads and parses the whole document from the pull parser's input.
    func parseDocument() {
        guard let context, input != nil else { return }
        xmlParseDocument(context)
    }

    /// Signals the end of the document.
    func finish() {
        guard let context else { return }
        xmlParseChunk(context, nil, 0, 1)
    }

    /// Stops parsing: no more events are delivered.
    func stop() {
        guard let context else { return }
        xmlStopParser(context)
    }

    /// The encoding named in the XML declaration, if any.
    var declaredEncoding: String? {
        // The push parser keeps it on the context; the pull parser on its input only.
        guard let encoding = context?.pointee.encoding ?? context?.pointee.input?.pointee.encoding else { return nil }
        return String(cString: encoding)
    }

    /// Whether libxml2 found the document well-formed.
    var wellFormed: Bool {
        (context?.pointee.wellFormed ?? 0) != 0
    }
}

/// Where a pull parser reads its document: `read` fills the buffer it is given and returns how many bytes
/// it put there, 0 at the end, or -1 to stop with an error.
final class PullInput {
    let read: (UnsafeMutableRawBufferPointer) -> Int

    init(read: @escaping (UnsafeMutableRawBufferPointer) -> Int) {
        self.read = read
    }
}
