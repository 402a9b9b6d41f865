import ArgumentParser
import Foundation
import IncentiveServer

/// The program's entry point. `serve` runs its tasks on the server's event loops (one set of threads for
/// the network and for the handlers, no hop between two thread pools per request), which must be set
/// before any task starts; every other command runs as before.
@main
enum Entry {
    static func main() {
        if CommandLine.arguments.dropFirst().first == "serve", ProcessInfo.processInfo.environment["INCENTIVES_NIO_EXECUTOR"] == "1" {
            _ = EventLoops.takeOverConcurrency()
        }
        Task {
            await Incentives.main()
            exit(0)
        }
        dispatchMain()
    }
}
