// The view models of the pages: what each template shows, already written in the page's language
// (money, dates, statuses). Mustache reads them through `Mirror`, so only stored properties count,
// a nil optional is a section not shown (as an absent key was), and a name a section's value lacks is
// looked up in the values around it: each model has exactly the names its template asks for.

/// The header and footer of every page: its language, texts and title, and who is signed in.
struct PageFrame: Sendable {
    struct SignedIn: Sendable {
        var name: String
        var admin: Bool
        var csrf: String
        /// A partner user's own page.
        var partnerLink: String?
    }

    var lang: String
    /// The language the switch in the header leads to.
    var otherLang: String
    /// The texts of `lang` (`Language.texts`): the frame cache keys on `lang` alone.
    var t: [String: String]
    var title: String
    var user: SignedIn?
}

struct LoginPage: Sendable {
    var t: [String: String]
    var loginCSRF: String
    var failed: Bool
    /// Why the sign-in was held back (too many attempts, busy).
    var refusal: String?
}

/// How the pages name a stored run: its number and when it started.
struct RunLabel: Sendable {
    var id: Int
    var time: String
}

/// A page with a heading and one line (the 404 page).
struct MessagePage: Sendable {
    var heading: String
    var text: String
}

/// The latest run's totals per program, for admins.
struct OverviewPage: Sendable {
    struct Program: Sendable {
        var id, name, kind, currency, period: String
        var takingPart, eligible: Int
        var paid, missed: String
        /// An SVG of paid against missed.
        var chart: String
        var partners: [Partner]
    }

    struct Partner: Sendable {
        var id, status, statusText, paid, missed: String
    }

    var t: [String: String]
    var run: RunLabel?
    var programs: [Program]
}

/// Every program version in the workspace.
struct ProgramsPage: Sendable {
    struct Program: Sendable {
        var id, name, kind, period, currency: String
        var version: Int
    }

    var t: [String: String]
    var programs: [Program]
}

/// One program's rules: the VIP subtracks or the MDF tiers.
struct ProgramPage: Sendable {
    struct Threshold: Sendable {
        var country, amount: String
    }

    struct VIP: Sendable {
        struct Subtrack: Sendable {
            var path, name, rebate, products: String
            var thresholds: [Threshold]
            var requiresAll, requiresAny: String?
        }

        var requirements: String
        var subtracks: [Subtrack]
    }

    struct MDF: Sendable {
        struct Rule: Sendable {
            var from, counts: String
        }

        struct Tier: Sendable {
            var tier, accrual: String
            /// Every country's minimum on one line.
            var thresholds: String
            var strategic: String
        }

        var rules: [Rule]
        var tiers: [Tier]
    }

    var t: [String: String]
    var id, name, kind, currency: String
    var version: Int
    var period: String
    /// How the program counts a booking line's date.
    var countBy: String
    var vip: VIP?
    var mdf: MDF?
}

/// A partner's standing computed now (the projection), next to what the latest stored run paid, and
/// the advice. Without header and footer: the body is cached per partner, language, revision and day.
struct PartnerPage: Sendable {
    struct Program: Sendable {
        /// What the stored run paid the partner in this program.
        struct Paid: Sendable {
            var id: Int
            var time, amount, missed, statusText: String
        }

        struct Row: Sendable {
            struct Check: Sendable {
                var passed: Bool
                var explanation: String
            }

            var item: String
            var eligible: Bool
            /// An SVG: the volume against the minimum (VIP), tagged against untagged (MDF).
            var bar: String
            var volume, threshold, amount, missed: String
            var checks: [Check]
        }

        /// A booking line that counted in the program.
        struct Line: Sendable {
            var order, sku, booked, item, amount: String
        }

        var id, currency, status, statusText, amount, missed: String
        var rows: [Row]
        var lines: [Line]
        var hasLines: Bool
        var paid: Paid?
        /// The stored run, when it does not have this program with this partner in it.
        var notInRun: RunLabel?
    }

    var t: [String: String]
    var partnerID, partnerName, country, tier: String
    /// "Partner Provider", for a provider.
    var provider: String?
    var storedRun: RunLabel?
    var programs: [Program]
    var advice: [String]
    var hasAdvice: Bool
}

/// The runs, newest first, and (admins) the form to compare two and the difference.
struct RunsPage: Sendable {
    struct Run: Sendable {
        var id: Int
        var started, programs: String
        var lines: Int
        var paid, missed: String
        /// Preselected in the compare form.
        var isA, isB: Bool
        var admin: Bool
    }

    var t: [String: String]
    var admin: Bool
    var canCompare: Bool
    var runs: [Run]
    var diff: String?
}

/// The import form and log; after an upload, what was imported or the problems that stopped it.
struct ImportsPage: Sendable {
    struct Entry: Sendable {
        var id: Int
        var at, kind, file: String
        var rows, added, changed, unchanged: Int
    }

    struct Problem: Sendable {
        var file, line, column, value, message: String
    }

    var t: [String: String]
    var csrf: String
    var kinds: [String]
    var log: [Entry]
    var done: String?
    var hasProblems: Bool
    var problems: [Problem]
    /// How many problems are not listed.
    var moreProblems: Int?
}

/// Every user with its status and tokens, and the forms to change them.
struct UsersPage: Sendable {
    struct User: Sendable {
        struct Token: Sendable {
            var id, created, expires, tokenStatus: String
            var live: Bool
            var revoked: String?
        }

        var name, role, status, statusText, created: String
        var active, deleted, isSelf, hasTokens: Bool
        var tokens: [Token]
        var partner: String?
        /// When the user was disabled or deleted.
        var since: String?
    }

    var t: [String: String]
    var csrf: String
    var users: [User]
    var done: String?
    var problem: String?
}
