import Foundation
import IncentiveEngine
import Testing

@testable import IncentiveSheets

/// Excel's CSV dialects (issue 18 point 1): detection, every conversion, and the files that are refused.
@Suite struct ReadDialectTests {
    static let bookingsHeader = "order_id;line;partner_id;booked_on;shipped_on;sku;quantity;amount;currency;intended_use\r\n"

    /// `text` (Windows-1252 when `windows1252`) converted as `fileName`.
    static func convert(
        _ text: String, fileName: String = "bookings.csv", choice: ReadDialectChoice = .auto, windows1252: Bool = false
    ) throws(DiagnosticReport) -> ReadConverted? {
        let bytes = windows1252 ? Array(text.data(using: .windowsCP1252)!) : Array(text.utf8)
        return try ReadDialect.convert(bytes: bytes, file: "data/\(fileName)", fileName: fileName, choice: choice)
    }

    /// The problems a conversion reports, as the user reads them.
    static func problems(_ text: String, fileName: String = "bookings.csv", choice: ReadDialectChoice = .auto) -> [String] {
        do {
            _ = try convert(text, fileName: fileName, choice: choice)
            return []
        } catch {
            return error.errorLines
        }
    }

    @Test func aDutchExportBecomesTheStandardDialectLineForLine() throws {
        let text =
            Self.bookingsHeader
            + "SO15-1001;1;NL1001;25-01-2015;10-2-2015;UCS-B200M4-U;3;24.000,00;USD;\r\n"
            + "SO15-1002;1;NL1001;02-03-2015;;\"CP-8865;K9\";1.500;-1.234.567,5;USD;Managed Services\r\n"
        let converted = try #require(try Self.convert(text))
        #expect(
            String(decoding: converted.bytes, as: UTF8.self)
                == "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n"
                + "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.00,USD,\n"
                + "SO15-1002,1,NL1001,2015-03-02,,\"CP-8865;K9\",1500,-1234567.5,USD,Managed Services\n")
        #expect(converted.conventions == ReadConventions(separator: UInt8(ascii: ";"), decimalMark: .comma, dateOrder: .dayFirst, encoding: .ascii))
        #expect(converted.conventions.description == "Excel (nl): ';' fields, decimal comma, dd-mm-yyyy")
    }

    @Test func theReportNamesEveryConvention() {
        let conventions = ReadConventions(separator: UInt8(ascii: ";"), decimalMark: .comma, dateOrder: .dayFirst, encoding: .windows1252)
        #expect(conventions.description == "Excel (nl): ';' fields, decimal comma, dd-mm-yyyy, Windows-1252")
        let other = ReadConventions(separator: UInt8(ascii: ";"), decimalMark: .point, dateOrder: .iso, encoding: .utf8WithBOM)
        #expect(other.description == "Excel: ';' fields, decimal point, yyyy-mm-dd, UTF-8 with BOM")
    }

    @Test func windows1252TextIsDecoded() throws {
        let text = "partner_id;name;country;tier;provider\r\nDE3001;Düsseldorf Systemhaus – Café €;DE;gold;ONWAAR\r\nNL1005;Leiden;NL;gold;waar\r\n"
        let converted = try #require(try Self.convert(text, fileName: "partners.csv", windows1252: true))
        #expect(converted.conventions.encoding == .windows1252)
        #expect(
            String(decoding: converted.bytes, as: UTF8.self)
                == "partner_id,name,country,tier,provider\nDE3001,Düsseldorf Systemhaus – Café €,DE,gold,false\nNL1005,Leiden,NL,gold,true\n")
    }

    @Test func utf8WithAndWithoutBOMIsKept() throws {
        let text = "partner_id;name;country;tier\nDE3001;Köln;DE;gold\n"
        let plain = try #require(try ReadDialect.convert(bytes: Array(text.utf8), file: "p.csv", fileName: "partners.csv", choice: .auto))
        #expect(plain.conventions.encoding == .utf8)
        #expect(String(decoding: plain.bytes, as: UTF8.self) == "partner_id,name,country,tier\nDE3001,Köln,DE,gold\n")
        let bom = try #require(
            try ReadDialect.convert(bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8), file: "p.csv", fileName: "partners.csv", choice: .auto))
        #expect(bom.conventions.encoding == .utf8WithBOM)
        #expect(bom.bytes == plain.bytes)
    }

    @Test func aStandardFileIsLeftAlone() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("read-dialect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bookings.csv").path
        try Data("order_id,line,amount\nA;B,1,1.234\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try ReadDialect.read(path: path, file: path, fileName: "bookings.csv", choice: .auto) == nil)
        #expect(try ReadDialect.read(path: path, file: path, fileName: "bookings.csv", choice: .standard) == nil)
        // The header alone decides: a ';' inside a quoted header field is no separator.
        #expect(ReadDialect.isContinental(header: Array("a,\"b;c\"\n".utf8)) == false)
        #expect(ReadDialect.isContinental(header: Array("a;b\n1,5;2\n".utf8)) == true)
        #expect(ReadDialect.isContinental(header: Array("sku\n".utf8)) == false)
    }

    @Test func quotedLineBreaksKeepEveryLineNumber() throws {
        let text = "sku;description;family\n\"A-1\";\"two\nlines; with \"\"quotes\"\"\";X\n\nB-2;plain;Y\n"
        let converted = try #require(try Self.convert(text, fileName: "products.csv"))
        let output = String(decoding: converted.bytes, as: UTF8.self)
        #expect(output == "sku,description,family\n\"A-1\",\"two\nlines; with \"\"quotes\"\"\",X\n\nB-2,plain,Y\n")
        #expect(
            output.split(separator: "\n", omittingEmptySubsequences: false).count
                == text.split(separator: "\n", omittingEmptySubsequences: false).count)
    }

    @Test func anAmbiguousFileIsAnErrorNamingTheLine() {
        let text = Self.bookingsHeader + "SO1;1;NL1;25-01-2015;;S;3;1000;USD;\nSO2;1;NL1;26-01-2015;;S;3;1.234;USD;\n"
        #expect(
            Self.problems(text) == [
                "data/bookings.csv:3: amount \"1.234\": cannot tell whether the separator is a decimal mark or separates thousands, and no other number in the file shows it: write it as 1234 or 1.234,00 (or give --dialect excel-nl, where '.' separates thousands)"
            ])
        // Another number of the file shows the convention: then 1.234 is one thousand two hundred and thirty-four.
        let shown = text + "SO3;1;NL1;27-01-2015;;S;3;12,50;USD;\n"
        #expect(Self.problems(shown) == [])
        #expect(String(decoding: try! Self.convert(shown)!.bytes, as: UTF8.self).contains("SO2,1,NL1,2015-01-26,,S,3,1234,USD,\n"))
        // So does forcing the dialect.
        let forced = try! Self.convert(text, choice: .excelNL)!
        #expect(String(decoding: forced.bytes, as: UTF8.self).contains("SO2,1,NL1,2015-01-26,,S,3,1234,USD,\n"))
    }

    @Test func mixedDecimalMarksAreAnErrorNamingBothLines() {
        let text = Self.bookingsHeader + "SO1;1;NL1;25-01-2015;;S;3;1.234,50;USD;\nSO2;1;NL1;25-01-2015;;S;3;1234.50;USD;\n"
        #expect(
            Self.problems(text) == [
                "data/bookings.csv:3: amount \"1234.50\": has a decimal point, but line 2 (amount \"1.234,50\") has a decimal comma: the file mixes conventions; write every number one way"
            ])
    }

    @Test func mixedDateOrdersAreAnErrorNamingBothLines() {
        let text = Self.bookingsHeader + "SO1;1;NL1;25-01-2015;;S;3;10;USD;\nSO2;1;NL1;2015-01-02;02-01-2015;S;3;10;USD;\n"
        #expect(
            Self.problems(text) == [
                "data/bookings.csv:3: booked_on \"2015-01-02\": a yyyy-mm-dd date, but line 2 (booked_on \"25-01-2015\") has a dd-mm-yyyy date: the file mixes conventions; write every date one way"
            ])
    }

    @Test func aForcedDialectRefusesValuesWrittenAnotherWay() {
        let text = Self.bookingsHeader + "SO1;1;NL1;2015-01-25;;S;3;1234.5;USD;\n"
        #expect(
            Self.problems(text, choice: .excelNL) == [
                "data/bookings.csv:2: booked_on \"2015-01-25\": a yyyy-mm-dd date in a file read as dd-mm-yyyy: write every date one way",
                "data/bookings.csv:2: amount \"1234.5\": expected an amount with a decimal comma and '.' between thousands (1.234,50), as the file's other numbers",
            ])
        #expect(Self.problems(text, choice: .standard) == [])
        #expect((try? Self.convert(text, choice: .standard)) == nil)
    }

    @Test func aDateThatNeverWasIsAnError() {
        let text = Self.bookingsHeader + "SO1;1;NL1;31-02-2015;;S;3;10;USD;\n"
        #expect(Self.problems(text) == ["data/bookings.csv:2: booked_on \"31-02-2015\": not a real calendar date (read as dd-mm-yyyy)"])
    }

    @Test func anUnclosedQuoteNamesItsLine() {
        let text = "sku;description\nA;\"open\nB;x\n"
        #expect(Self.problems(text, fileName: "products.csv") == ["data/products.csv:2: a quoted field opened on this line is never closed"])
    }

    @Test func ratesKeepTheirSixDecimals() throws {
        let text = "currency;valid_from;rate\nEUR;01-01-2015;1,128650\nGBP;1-4-2015;0,5\n"
        let converted = try #require(try Self.convert(text, fileName: "fx.csv"))
        #expect(String(decoding: converted.bytes, as: UTF8.self) == "currency,valid_from,rate\nEUR,2015-01-01,1.128650\nGBP,2015-04-01,0.5\n")
    }

    @Test(arguments: [
        ("1.234,50", ReadValues.DecimalEvidence.shows(.comma)),
        ("1234,5", .shows(.comma)),
        ("1.234.567", .shows(.comma)),
        ("-0,125", .shows(.comma)),
        ("1,234.50", .shows(.point)),
        ("1234.5", .shows(.point)),
        ("0.125", .shows(.point)),
        ("1,234,567", .shows(.point)),
        ("1.234", .either),
        ("-1,234", .either),
        ("1234", .nothing),
        ("12.34.5", .nothing),
        ("abc", .nothing),
        ("", .nothing),
    ])
    func decimalEvidence(value: String, expected: ReadValues.DecimalEvidence) {
        #expect(ReadValues.decimalEvidence(Array(value.utf8)[...]) == expected)
    }

    @Test(arguments: [
        ("1.234,50", ReadConventions.DecimalMark.comma, "1234.50" as String?),
        ("-12.345.678,9", .comma, "-12345678.9"),
        ("1234,5", .comma, "1234.5"),
        ("1.23,5", .comma, nil),
        ("1234.5", .comma, nil),
        ("1,234.50", .point, "1234.50"),
        ("1234", .point, "1234"),
        ("1,23", .point, nil),
        ("5,", .comma, nil),
    ])
    func standardDecimal(value: String, mark: ReadConventions.DecimalMark, expected: String?) {
        #expect(ReadValues.standardDecimal(Array(value.utf8)[...], mark: mark).map { String(decoding: $0, as: UTF8.self) } == expected)
    }
}
