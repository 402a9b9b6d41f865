import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The parts of an .xlsx package (Office Open XML) that reading a sheet needs, each read with Foundation's
/// streaming `XMLParser`. Element names are compared without their namespace prefix (`x:row` is `row`).
enum ReadXML {
    /// A part that is not well-formed XML: what the parser said and where.
    struct Malformed: Error {
        var message: String
    }

    /// Runs `handler` over `data`.
    static func parse(_ data: Data, _ handler: Handler) throws(Malformed) {
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = handler
        let finished = parser.parse()
        if let problem = handler.problem {
            throw Malformed(message: "not well-formed XML at line \(problem.line), column \(problem.column) (\(problem.error.localizedDescription))")
        }
        if !finished {
            let problem = parser.parserError.map { "\($0.localizedDescription)" } ?? "unknown problem"
            throw Malformed(message: "not well-formed XML at line \(parser.lineNumber), column \(parser.columnNumber) (\(problem))")
        }
    }

    /// A delegate that sees local element names.
    class Handler: NSObject, XMLParserDelegate {
        /// The first error the parser reported (it may go on after one).
        var problem: (error: any Error, line: Int, column: Int)?

        func start(_ name: Substring, _ attributes: [String: String]) {}
        func end(_ name: Substring) {}
        func characters(_ text: String) {}

        static func local(_ name: String) -> Substring {
            if let colon = name.lastIndex(of: ":") { return name[name.index(after: colon)...] }
            return name[...]
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
            attributes attributeDict: [String: String] = [:]
        ) {
            start(Self.local(elementName), attributeDict)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            end(Self.local(elementName))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { characters(string) }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            if problem == nil { problem = (parseError, parser.lineNumber, parser.columnNumber) }
            parser.abortParsing()
        }
    }

    /// `xl/workbook.xml`: the sheets in order (name, relationship id) and the date system.
    final class Workbook: Handler {
        var sheets: [(name: String, relationship: String)] = []
        var uses1904 = false

        override func start(_ name: Substring, _ attributes: [String: String]) {
            switch name {
            case "sheet":
                let relationship = attributes.first { $0.key == "id" || $0.key.hasSuffix(":id") }?.value ?? ""
                sheets.append((attributes["name"] ?? "", relationship))
            case "workbookPr":
                if let flag = attributes["date1904"] { uses1904 = flag == "1" || flag.lowercased() == "true" }
            default: break
            }
        }
    }

    /// `xl/_rels/workbook.xml.rels`: the target part of every relationship id.
    final class Relationships: Handler {
        var targets: [String: String] = [:]

        override func start(_ name: Substring, _ attributes: [String: String]) {
            if name == "Relationship", let id = attributes["Id"], let target = attributes["Target"] { targets[id] = target }
        }
    }

    /// `xl/sharedStrings.xml`: the text of every shared string (its runs joined; phonetic runs left out).
    final class SharedStrings: Handler {
        var strings: [String] = []
        private var current = ""
        private var inText = false
        private var phonetic = 0

        override func start(_ name: Substring, _ attributes: [String: String]) {
            switch name {
            case "si": current = ""
            case "t": inText = phonetic == 0
            case "rPh": phonetic += 1
            default: break
            }
        }

        override func end(_ name: Substring) {
            switch name {
            case "si": strings.append(current)
            case "t": inText = false
            case "rPh": phonetic -= 1
            default: break
            }
        }

        override func characters(_ text: String) { if inText { current += text } }
    }

    /// `xl/styles.xml`: which cell formats (`s` of a cell) show numbers as dates.
    final class Styles: Handler {
        private var customFormats: [Int: String] = [:]
        private var formatOfStyle: [Int] = []
        private var inCellFormats = false

        override func start(_ name: Substring, _ attributes: [String: String]) {
            switch name {
            case "numFmt":
                if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"] { customFormats[id] = code }
            case "cellXfs": inCellFormats = true
            case "xf" where inCellFormats: formatOfStyle.append(attributes["numFmtId"].flatMap(Int.init) ?? 0)
            default: break
            }
        }

        override func end(_ name: Substring) { if name == "cellXfs" { inCellFormats = false } }

        /// Whether the cell style `index` shows its number as a date (or date and time).
        func isDate(style index: Int) -> Bool {
            guard index >= 0 && index < formatOfStyle.count else { return false }
            let id = formatOfStyle[index]
            if let code = customFormats[id] { return Self.isDateFormat(code) }
            return (14...22).contains(id) || (27...36).contains(id) || (45...47).contains(id) || (50...58).contains(id)
        }

        /// Whether a number format code shows a date: a `d`, `m` or `y` outside quoted text, `[...]` parts and escapes.
        static func isDateFormat(_ code: String) -> Bool {
            var inQuotes = false, inBrackets = false, escaped = false
            for character in code.lowercased() {
                if escaped {
                    escaped = false
                    continue
                }
                switch character {
                case "\\", "_", "*": if !inQuotes { escaped = true }
                case "\"": inQuotes.toggle()
                case "[" where !inQuotes: inBrackets = true
                case "]" where !inQuotes: inBrackets = false
                case "d", "m", "y": if !inQuotes && !inBrackets { return true }
                default: break
                }
            }
            return false
        }
    }

    /// One cell as stored.
    enum Cell {
        /// A number (`v`) and the cell's style index.
        case number(String, style: Int)
        case text(String)
        case boolean(Bool)
        /// An error value such as `#N/A`.
        case error(String)
    }

    /// A worksheet's rows: for each row number (1-based), its cells by column index (0 = A).
    final class Worksheet: Handler {
        let sharedStrings: [String]
        var rows: [(number: Int, cells: [Int: Cell])] = []
        /// A shared-string index that does not exist, with the cell naming it.
        var badReference: (cell: String, index: String)?
        /// Cells holding a formula whose result was never stored (a workbook written by a program, never
        /// opened in Excel): their value is unknown.
        var formulasWithoutResult: [(cell: String, formula: String)] = []
        private var row: (number: Int, cells: [Int: Cell])?
        private var column = -1
        private var reference = ""
        private var type = "n"
        private var style = 0
        private var value = ""
        private var inline = ""
        private var formula = ""
        private var inValue = false, inInlineText = false, inCell = false, inFormula = false, hasFormula = false

        init(sharedStrings: [String]) { self.sharedStrings = sharedStrings }

        override func start(_ name: Substring, _ attributes: [String: String]) {
            switch name {
            case "row":
                let number = attributes["r"].flatMap(Int.init) ?? ((rows.last?.number ?? 0) + 1)
                row = (number, [:])
                column = -1
            case "c":
                inCell = true
                reference = attributes["r"] ?? ""
                column = ReadXML.columnIndex(reference) ?? (column + 1)
                type = attributes["t"] ?? "n"
                style = attributes["s"].flatMap(Int.init) ?? 0
                value = ""
                inline = ""
                formula = ""
                hasFormula = false
            case "v" where inCell: inValue = true
            case "t" where inCell: inInlineText = true
            case "f" where inCell:
                inFormula = true
                hasFormula = true
            default: break
            }
        }

        override func end(_ name: Substring) {
            switch name {
            case "v": inValue = false
            case "t": inInlineText = false
            case "f": inFormula = false
            case "c":
                inCell = false
                let cell: Cell?
                if hasFormula && value.isEmpty && type != "inlineStr" {
                    formulasWithoutResult.append((reference.isEmpty ? ReadXML.columnLetters(column) + "\(row?.number ?? 0)" : reference, formula))
                }
                switch type {
                case "s":
                    if let index = Int(value.trimmingCharacters(in: .whitespaces)), index >= 0, index < sharedStrings.count {
                        cell = .text(sharedStrings[index])
                    } else {
                        if badReference == nil { badReference = (reference, value) }
                        cell = nil
                    }
                case "inlineStr": cell = .text(inline)
                case "str": cell = .text(value)
                case "b": cell = .boolean(value.trimmingCharacters(in: .whitespaces) == "1")
                case "e": cell = .error(value)
                case "d": cell = .text(Self.isoDate(value))
                default: cell = value.isEmpty ? nil : .number(value.trimmingCharacters(in: .whitespaces), style: style)
                }
                if let cell { row?.cells[column] = cell }
            case "row":
                if let row { rows.append(row) }
                row = nil
            default: break
            }
        }

        override func characters(_ text: String) {
            if inValue {
                value += text
            } else if inInlineText {
                inline += text
            } else if inFormula {
                formula += text
            }
        }

        /// A cell of type `d` (an ISO 8601 date and time): its date when the time is midnight, else the whole text.
        static func isoDate(_ value: String) -> String {
            let text = value.trimmingCharacters(in: .whitespaces)
            guard text.count > 10 else { return text }
            let time = text.dropFirst(10)
            return ["T00:00:00", "T00:00:00Z", "T00:00:00.000", "T00:00:00.000Z"].contains(String(time)) ? String(text.prefix(10)) : text
        }
    }

    /// The column index (A = 0) of a cell reference such as `C12`.
    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65 && scalar.value <= 90 || scalar.value >= 97 && scalar.value <= 122 else { break }
            index = index * 26 + Int((scalar.value & ~0x20) - 64)
            letters += 1
        }
        return letters == 0 || letters > 3 ? nil : index - 1
    }

    /// The letters of column `index` (0 = A, 26 = AA).
    static func columnLetters(_ index: Int) -> String {
        var letters = ""
        var number = index + 1
        while number > 0 {
            let remainder = (number - 1) % 26
            letters = String(Character(Unicode.Scalar(UInt8(65 + remainder)))) + letters
            number = (number - 1) / 26
        }
        return letters
    }
}
