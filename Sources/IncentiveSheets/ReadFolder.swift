import Foundation
import IncentiveEngine

/// How a command reads spreadsheets: `--dialect` and `--sheet`.
public struct ReadOptions: Sendable, Hashable {
    public var dialect: ReadDialectChoice
    /// The sheet of every .xlsx file to read (default: each workbook's first).
    public var sheet: String?

    public init(dialect: ReadDialectChoice = .auto, sheet: String? = nil) {
        self.dialect = dialect
        self.sheet = sheet
    }
}

/// Dataset files made readable by the standard readers (formats.md §1): a standard CSV file as it is, a
/// spreadsheet's CSV dialect or an .xlsx sheet converted into a temporary folder. It knows how to give every
/// problem the readers report back its user's file name (and, for a sheet, its cell), and removes the
/// temporary folder when asked (`remove`).
public struct ReadPrepared: Sendable {
    /// One dataset file.
    public struct File: Sendable {
        /// The dataset file it is (`bookings.csv`).
        public var fileName: String
        /// The file as the user named it (`data/bookings.xlsx`).
        public var original: String
        /// The file the standard readers read: `original`, or its conversion.
        public var path: String
        /// The name messages and the import log give it: `original`, or `data/bookings.xlsx!Sheet1`.
        public var displayName: String
    }

    /// The files, in `DatasetLoader.fileNames` order.
    public var files: [File]
    /// The folder to hand the standard readers: the user's own when every file in it is standard CSV.
    public var directory: String
    /// How each file that is not standard CSV was read: `data/bookings.csv: read as Excel (nl): ...`.
    public var notes: [String]
    /// Warnings found on the way (a file of the folder that no command reads).
    public var warnings: DiagnosticCollector
    /// Whether anything was converted (then `directory`, or a file's `path`, is temporary).
    public var converted: Bool { temporary != nil }

    let temporary: String?
    /// The user's folder, for names under `temporary`.
    let userDirectory: String?
    /// By the name the readers report: the user's name, or the sheet that was read.
    let targets: [String: Target]

    enum Target: Sendable {
        case file(String)
        case sheet(String, ReadSheet)
    }

    /// Removes the converted files.
    public func remove() {
        if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
    }

    /// `diagnostic` about the user's file: a converted file's name replaced by the user's, and a line of a
    /// sheet by its cell (`data/bookings.xlsx!Sheet1 C12`, no line).
    public func relocate(_ diagnostic: Diagnostic) -> Diagnostic {
        var moved = diagnostic
        switch targets[diagnostic.file] {
        case .file(let name)?: moved.file = name
        case .sheet(let name, let sheet)?:
            if let line = diagnostic.line {
                moved.file = "\(name) \(sheet.cell(line: line, column: diagnostic.column))"
                moved.line = nil
            } else {
                moved.file = name
            }
        case nil: moved.file = rename(diagnostic.file)
        }
        return moved
    }

    /// The user's name for a file the readers report.
    public func rename(_ file: String) -> String {
        switch targets[file] {
        case .file(let name)?: return name
        case .sheet(let name, _)?: return name
        case nil:
            if let temporary, let userDirectory, file == temporary || file.hasPrefix(temporary + "/") {
                return userDirectory + file.dropFirst(temporary.count)
            }
            return file
        }
    }

    public func relocate(_ collector: DiagnosticCollector) -> DiagnosticCollector {
        converted ? collector.relocated(relocate, rename: rename) : collector
    }

    public func relocate(_ report: DiagnosticReport) -> DiagnosticReport {
        DiagnosticReport(relocate(report.collector))
    }
}

/// Finds and prepares the dataset files of a folder or of one import (issue 18 points 1 and 2).
public enum ReadFolder {
    /// The .xlsx counterpart of a dataset file name: `bookings.xlsx` for `bookings.csv`.
    public static func workbookName(_ fileName: String) -> String {
        (fileName as NSString).deletingPathExtension + ".xlsx"
    }

    /// The dataset files of `directory`, each a .csv or an .xlsx (both for one table is an error naming them).
    /// A folder that does not exist yields no files (the standard readers report it).
    public static func datasetFiles(in directory: String) throws(DiagnosticReport) -> [(fileName: String, path: String)] {
        var collector = DiagnosticCollector()
        var files: [(fileName: String, path: String)] = []
        for fileName in DatasetLoader.fileNames {
            let csv = (directory as NSString).appendingPathComponent(fileName)
            let xlsx = (directory as NSString).appendingPathComponent(workbookName(fileName))
            let hasCSV = FileManager.default.fileExists(atPath: csv), hasXLSX = FileManager.default.fileExists(atPath: xlsx)
            if hasCSV && hasXLSX {
                collector.error(
                    file: xlsx, line: nil, "\(csv) holds the same table: keep one of the two (which one to read would be a guess)")
            } else if hasCSV {
                files.append((fileName, csv))
            } else if hasXLSX {
                files.append((fileName, xlsx))
            }
        }
        if collector.hasErrors { throw DiagnosticReport(collector) }
        return files
    }

    /// Prepares the dataset folder `directory` for `DatasetLoader`/`Engine.load`: the folder itself when all its
    /// files are standard CSV, else a temporary folder holding links to the standard files and conversions of
    /// the others. Call `remove()` on the result when done.
    public static func prepare(directory: String, options: ReadOptions) throws(DiagnosticReport) -> ReadPrepared {
        let found = try datasetFiles(in: directory)
        var prepared = try prepare(files: found.map { ($0.fileName, $0.path, $0.path) }, options: options, linkedFolder: true)
        prepared.directory = prepared.temporary ?? directory
        if let temporary = prepared.temporary {
            prepared = ReadPrepared(
                files: prepared.files, directory: temporary, notes: prepared.notes, warnings: prepared.warnings, temporary: temporary,
                userDirectory: directory, targets: prepared.targets)
            warnUnreadFiles(in: directory, collector: &prepared.warnings)
        }
        return prepared
    }

    /// Prepares each file of an import (`fileName` says which dataset file it is). Standard files are read
    /// where they are; the others are converted into a temporary folder. Call `remove()` on the result when done.
    public static func prepare(files: [(fileName: String, path: String)], options: ReadOptions) throws(DiagnosticReport) -> ReadPrepared {
        try prepare(files: files.map { ($0.fileName, $0.path, $0.path) }, options: options, linkedFolder: false)
    }

    /// `prepare(files:options:)` for files whose messages name them otherwise than by their path (an upload
    /// kept in a temporary file is `upload:bookings.csv`).
    public static func prepare(files: [(fileName: String, path: String, displayName: String)], options: ReadOptions) throws(DiagnosticReport)
        -> ReadPrepared
    {
        try prepare(files: files, options: options, linkedFolder: false)
    }

    /// With `linkedFolder`, the temporary folder also links every standard file, so that it is a whole dataset
    /// folder; the readers then report the temporary names, which `targets` maps back.
    static func prepare(files: [(fileName: String, path: String, displayName: String)], options: ReadOptions, linkedFolder: Bool)
        throws(DiagnosticReport) -> ReadPrepared
    {
        var collector = DiagnosticCollector()
        var conversions: [(index: Int, bytes: [UInt8], sheet: ReadSheet?)] = []
        var notes: [String] = []
        for (index, file) in files.enumerated() {
            // A missing file, or a folder, is the standard readers' to report.
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            do {
                if file.path.lowercased().hasSuffix(".xlsx") {
                    let sheet = try ReadXLSX.read(path: file.path, file: file.displayName, fileName: file.fileName, sheet: options.sheet)
                    conversions.append((index, sheet.bytes, sheet))
                    let others = sheet.sheetNames.count > 1 ? " (of \(sheet.sheetNames.count): \(sheet.sheetNames.joined(separator: ", ")))" : ""
                    notes.append("\(file.displayName): read as an Excel workbook, sheet \(sheet.name)\(others)")
                } else if let converted = try ReadDialect.read(
                    path: file.path, file: file.displayName, fileName: file.fileName, choice: options.dialect)
                {
                    conversions.append((index, converted.bytes, nil))
                    notes.append("\(file.displayName): read as \(converted.conventions)")
                }
            } catch {
                collector.merge(error.collector)
            }
        }
        if collector.hasErrors { throw DiagnosticReport(collector) }
        var result = ReadPrepared(
            files: files.map { ReadPrepared.File(fileName: $0.fileName, original: $0.path, path: $0.path, displayName: $0.displayName) },
            directory: "", notes: notes, warnings: DiagnosticCollector(), temporary: nil, userDirectory: nil, targets: [:])
        if conversions.isEmpty { return result }
        let temporary = (NSTemporaryDirectory() as NSString).appendingPathComponent("incentives-sheets-\(UUID().uuidString)")
        var targets: [String: ReadPrepared.Target] = [:]
        do {
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
            var done = Set<Int>()
            for conversion in conversions {
                let file = files[conversion.index]
                let path = (temporary as NSString).appendingPathComponent(file.fileName)
                try Data(conversion.bytes).write(to: URL(fileURLWithPath: path))
                result.files[conversion.index].path = path
                if let sheet = conversion.sheet {
                    let name = ReadXLSX.sheetFile(file.displayName, sheet: sheet.name)
                    result.files[conversion.index].displayName = name
                    // Folder readers report the temporary path; an import reports the display name.
                    targets[linkedFolder ? path : name] = .sheet(name, sheet)
                } else if linkedFolder {
                    targets[path] = .file(file.displayName)
                }
                done.insert(conversion.index)
            }
            if linkedFolder {
                for (index, file) in files.enumerated() where !done.contains(index) {
                    let link = (temporary as NSString).appendingPathComponent(file.fileName)
                    let target = URL(fileURLWithPath: file.path).standardizedFileURL.path
                    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
                    targets[link] = .file(file.displayName)
                }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw DiagnosticReport(
                Diagnostic(file: temporary, line: nil, message: "cannot write the converted spreadsheet files (\(error.localizedDescription))"))
        }
        return ReadPrepared(
            files: result.files, directory: temporary, notes: notes, warnings: DiagnosticCollector(), temporary: temporary, userDirectory: nil,
            targets: targets)
    }

    /// Warns of each file in `directory` that no command reads, like `DatasetLoader.warnUnreadFiles`, with the
    /// .xlsx counterparts of the dataset files read too.
    public static func warnUnreadFiles(in directory: String, collector: inout DiagnosticCollector) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let read = DatasetLoader.fileNames + DatasetLoader.fileNames.map(workbookName)
        for name in names.sorted() where !name.hasPrefix(".") && !read.contains(name) {
            let path = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            collector.warning(
                file: path, line: nil,
                "no command reads this file, so its rows count nowhere (a data folder's files are \(DatasetLoader.fileNames.joined(separator: ", ")), each also as .xlsx)"
            )
        }
    }
}
