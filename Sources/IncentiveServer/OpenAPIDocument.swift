/// The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.yaml`.
/// A test checks that it and the router describe exactly the same routes.
///
/// Written by hand with a fixed layout (two-space indents; paths at 2, methods at 4, `responses:` at 6,
/// status codes at 8), which `OpenAPITests` reads line by line: keep that layout when editing.
enum OpenAPIDocument {
    static let yaml = #"""
        openapi: 3.1.0
        info:
          title: incentives API
          version: 0.1.0
          summary: Vendor incentive programs (VIP rebates, Partner Provider MDF) over a workspace.
          description: |
            The JSON API of `incentives serve`, under `/api/v1`.

            - Keys are snake_case. Money is a decimal string with two decimals and no separators
              (`"57500.00"`, `"-12.50"`), as in the results CSV; percentages are exact decimal strings (`"12.5"`).
              Dates are `YYYY-MM-DD`; timestamps are ISO 8601 in UTC.
            - Every route but `/health` needs a user: send an API token (`incentives tokens create`) as
              `Authorization: Bearer <token>`. The session cookie of the pages is accepted too, but a change
              (POST, PUT, PATCH, DELETE) made with it must carry the session's CSRF token in `X-CSRF-Token` (403 otherwise).
            - A partner user sees only its own partner: any other partner's data answers 404, as if it did not
              exist. Work that changes the workspace (programs, imports, enrolments, runs) needs an admin (403 otherwise).
            - Lists are paged with `page` (1 to 1000000) and `per_page` (1 to 500, default 50); other values are 400.
            - JSON bodies are sent as `application/json` (or with no Content-Type); another type is 415.
            - A method a path does not answer gets 405 with `Allow`; `HEAD` is answered wherever `GET` is.
            - Every error answers `{"error": {"code", "message", "details"}}`; `details` lists every problem of
              rejected input with its file, line, column and value.
        servers:
          - url: /api/v1
        security:
          - bearer: []
          - session: []
        tags:
          - name: service
          - name: programs
          - name: partners
          - name: imports
          - name: enrollments
          - name: runs
        paths:
          /health:
            get:
              tags: [service]
              operationId: health
              summary: Liveness; needs no user.
              security: []
              responses:
                '200':
                  description: The server answers.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/Health'
          /openapi.yaml:
            get:
              tags: [service]
              operationId: getOpenAPI
              summary: This document.
              responses:
                '200':
                  description: The OpenAPI 3.1 document of the API.
                  content:
                    application/yaml:
                      schema:
                        type: object
                        description: An OpenAPI 3.1 document, written in YAML.
                '401':
                  $ref: '#/components/responses/Unauthorized'
          /programs:
            get:
              tags: [programs]
              operationId: listPrograms
              summary: The current version of every program, by id.
              parameters:
                - $ref: '#/components/parameters/Page'
                - $ref: '#/components/parameters/PerPage'
              responses:
                '200':
                  description: A page of programs (summaries, without the rules).
                  content:
                    application/json:
                      schema:
                        allOf:
                          - $ref: '#/components/schemas/Page'
                          - type: object
                            properties:
                              items:
                                type: array
                                items:
                                  $ref: '#/components/schemas/Program'
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
            post:
              tags: [programs]
              operationId: addProgram
              summary: Store a program definition (admin); a changed definition becomes a new version.
              parameters:
                - name: file_name
                  in: query
                  description: The name the definition is stored under (its last path component is kept).
                  schema:
                    type: string
                    default: program.yaml
              requestBody:
                required: true
                description: The program definition, as YAML (at most 1 MiB).
                content:
                  application/yaml:
                    schema:
                      type: string
              responses:
                '200':
                  description: The same definition is already stored; nothing changed.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ProgramStored'
                '201':
                  description: A new program, or a new version of one.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ProgramStored'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '403':
                  $ref: '#/components/responses/Forbidden'
                '413':
                  $ref: '#/components/responses/TooLarge'
                '422':
                  $ref: '#/components/responses/Invalid'
          /programs/{id}:
            get:
              tags: [programs]
              operationId: getProgram
              summary: The current version of a program, with its rules and the history of its versions.
              parameters:
                - $ref: '#/components/parameters/ProgramId'
              responses:
                '200':
                  description: The program.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/Program'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
          /partners:
            get:
              tags: [partners]
              operationId: listPartners
              summary: The partners, by id (a partner user gets only its own).
              parameters:
                - $ref: '#/components/parameters/Page'
                - $ref: '#/components/parameters/PerPage'
              responses:
                '200':
                  description: A page of partners.
                  content:
                    application/json:
                      schema:
                        allOf:
                          - $ref: '#/components/schemas/Page'
                          - type: object
                            properties:
                              items:
                                type: array
                                items:
                                  $ref: '#/components/schemas/Partner'
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
          /partners/{id}:
            get:
              tags: [partners]
              operationId: getPartner
              summary: A partner with its credentials, CSAT reports, services and enrolments.
              parameters:
                - $ref: '#/components/parameters/PartnerId'
              responses:
                '200':
                  description: The partner.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/PartnerDetail'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
          /partners/{id}/advice:
            get:
              tags: [partners]
              operationId: getPartnerAdvice
              summary: Advice for a partner as it stood on a day (docs/advice.md).
              description: |
                Every VIP subtrack, enrolled or not (volume so far, minimum, pace projection, what is missing, rebate),
                MDF tagging advice, and, when the server was started with a credentials catalogue, a recommendation.
              parameters:
                - $ref: '#/components/parameters/PartnerId'
                - name: as_of
                  in: query
                  required: false
                  description: The day the advice is for (default today); only data dated up to it is used.
                  schema:
                    $ref: '#/components/schemas/Day'
                - name: program
                  in: query
                  required: false
                  description: Only this program.
                  schema:
                    type: string
              responses:
                '200':
                  description: The advice.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [partner_id, as_of, programs]
                        properties:
                          partner_id:
                            type: string
                          as_of:
                            $ref: '#/components/schemas/Day'
                          programs:
                            type: array
                            items:
                              type: object
                          recommendation:
                            type: object
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
          /imports/{kind}:
            post:
              tags: [imports]
              operationId: importFile
              summary: Import one dataset file (admin), all or nothing.
              description: |
                The body is one CSV file of the dataset format, header row first. When every row is valid, each
                row is stored, replacing a stored row with the same key (rows not in the file stay); otherwise
                nothing changes and 422 lists every problem.
              parameters:
                - name: kind
                  in: path
                  required: true
                  description: The kind of data, which is also the name of the file in a dataset folder.
                  schema:
                    $ref: '#/components/schemas/DataKind'
              requestBody:
                required: true
                description: The CSV file (at most the server's --max-body-size bytes).
                content:
                  text/csv:
                    schema:
                      type: string
              responses:
                '200':
                  description: The file was imported.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ImportOutcome'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '403':
                  $ref: '#/components/responses/Forbidden'
                '404':
                  $ref: '#/components/responses/NotFound'
                '413':
                  $ref: '#/components/responses/TooLarge'
                '422':
                  $ref: '#/components/responses/Invalid'
          /enrollments:
            get:
              tags: [enrollments]
              operationId: listEnrollments
              summary: VIP enrolments (a partner user gets only its own).
              parameters:
                - name: partner
                  in: query
                  description: Only this partner's enrolments.
                  schema:
                    type: string
                  example: NL1001
                - $ref: '#/components/parameters/Page'
                - $ref: '#/components/parameters/PerPage'
              responses:
                '200':
                  description: A page of enrolments.
                  content:
                    application/json:
                      schema:
                        allOf:
                          - $ref: '#/components/schemas/Page'
                          - type: object
                            properties:
                              items:
                                type: array
                                items:
                                  $ref: '#/components/schemas/Enrollment'
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
            post:
              tags: [enrollments]
              operationId: enroll
              summary: Enrol a partner in a VIP subtrack (admin), and see what it still lacks there.
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      $ref: '#/components/schemas/EnrollmentRequest'
              responses:
                '200':
                  description: The enrolment already existed (`change` is `changed` or `unchanged`).
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/EnrollmentOutcome'
                '201':
                  description: A new enrolment (`change` is `added`).
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/EnrollmentOutcome'
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '403':
                  $ref: '#/components/responses/Forbidden'
                '413':
                  $ref: '#/components/responses/TooLarge'
                '415':
                  $ref: '#/components/responses/UnsupportedMediaType'
                '422':
                  $ref: '#/components/responses/Invalid'
            delete:
              tags: [enrollments]
              operationId: unenroll
              summary: Remove an enrolment (admin).
              parameters:
                - name: partner_id
                  in: query
                  required: true
                  schema:
                    type: string
                  example: NL1001
                - name: program
                  in: query
                  required: true
                  schema:
                    type: string
                  example: VIP25-6M
                - name: subtrack
                  in: query
                  required: true
                  description: The subtrack's path.
                  schema:
                    type: string
                  example: data-center/ucs
              responses:
                '204':
                  description: The enrolment was removed.
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '403':
                  $ref: '#/components/responses/Forbidden'
                '422':
                  $ref: '#/components/responses/Invalid'
          /runs:
            get:
              tags: [runs]
              operationId: listRuns
              summary: The stored runs, newest first (totals for admins only).
              parameters:
                - $ref: '#/components/parameters/Page'
                - $ref: '#/components/parameters/PerPage'
              responses:
                '200':
                  description: A page of runs.
                  content:
                    application/json:
                      schema:
                        allOf:
                          - $ref: '#/components/schemas/Page'
                          - type: object
                            properties:
                              items:
                                type: array
                                items:
                                  $ref: '#/components/schemas/Run'
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
            post:
              tags: [runs]
              operationId: run
              summary: Compute every program, or the ones named, over the workspace's data and store the run (admin).
              requestBody:
                required: false
                description: May be empty, which computes every program.
                content:
                  application/json:
                    schema:
                      $ref: '#/components/schemas/RunRequest'
              responses:
                '201':
                  description: The stored run, with its totals.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/Run'
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '403':
                  $ref: '#/components/responses/Forbidden'
                '413':
                  $ref: '#/components/responses/TooLarge'
                '415':
                  $ref: '#/components/responses/UnsupportedMediaType'
                '422':
                  $ref: '#/components/responses/Invalid'
          /runs/{id}:
            get:
              tags: [runs]
              operationId: getRun
              summary: A run's summary (totals for admins only).
              parameters:
                - $ref: '#/components/parameters/RunId'
              responses:
                '200':
                  description: The run.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/Run'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
          /runs/{id}/results:
            get:
              tags: [runs]
              operationId: getResults
              summary: A run's result rows (a partner user gets only its own rows).
              parameters:
                - $ref: '#/components/parameters/RunId'
                - name: program
                  in: query
                  description: Only this program's rows.
                  schema:
                    type: string
                  example: VIP25-6M
                - name: partner
                  in: query
                  description: Only this partner's rows.
                  schema:
                    type: string
                  example: NL1001
                - name: format
                  in: query
                  description: '`json` (paged) or `csv` (every row, in the results CSV format; `page` and `per_page` are ignored).'
                  schema:
                    type: string
                    enum: [json, csv]
                    default: json
                - $ref: '#/components/parameters/Page'
                - $ref: '#/components/parameters/PerPage'
              responses:
                '200':
                  description: The rows, sorted by program, partner and item.
                  content:
                    application/json:
                      schema:
                        allOf:
                          - $ref: '#/components/schemas/Page'
                          - type: object
                            properties:
                              items:
                                type: array
                                items:
                                  $ref: '#/components/schemas/Row'
                    text/csv:
                      schema:
                        type: string
                '400':
                  $ref: '#/components/responses/BadRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
          /runs/{id}/partners/{partnerId}:
            get:
              tags: [runs]
              operationId: getExplanation
              summary: A partner's standing in every program of a run, with every check explained.
              parameters:
                - $ref: '#/components/parameters/RunId'
                - name: partnerId
                  in: path
                  required: true
                  schema:
                    type: string
                  example: NL1001
              responses:
                '200':
                  description: The explanation.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/Explanation'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
        components:
          securitySchemes:
            bearer:
              type: http
              scheme: bearer
              description: An API token (`inc_...`), created with `incentives tokens create`.
            session:
              type: apiKey
              in: cookie
              name: incentives_session
              description: The session cookie of the pages, set by signing in at `/login`; changes made with it need `X-CSRF-Token`.
          parameters:
            Page:
              name: page
              in: query
              description: The page, from 1.
              schema:
                type: integer
                minimum: 1
                maximum: 1000000
                default: 1
            PerPage:
              name: per_page
              in: query
              description: Items per page.
              schema:
                type: integer
                minimum: 1
                maximum: 500
                default: 50
            ProgramId:
              name: id
              in: path
              required: true
              description: A program id.
              schema:
                type: string
              example: VIP25-6M
            PartnerId:
              name: id
              in: path
              required: true
              description: A partner id.
              schema:
                type: string
              example: NL1001
            RunId:
              name: id
              in: path
              required: true
              description: A run id.
              schema:
                type: integer
                minimum: 1
              example: 1
          responses:
            BadRequest:
              description: 'Malformed request: a query parameter out of range, a body that is not the expected JSON.'
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Error'
            Unauthorized:
              description: No user, a malformed Authorization header, or an unknown or revoked token.
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Error'
            Forbidden:
              description: This needs an admin account; or a change made with the session cookie lacks the session's `X-CSRF-Token`.
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Error'
            NotFound:
              description: No such resource, or one the user may not see.
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Error'
            UnsupportedMediaType:
              description: The body must be JSON, sent as `application/json`.
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Error'
            TooLarge:
              description: The request body is too large.
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Error'
            Invalid:
              description: |
                The input was refused and nothing changed: `invalid_input` with the problems in `details` (at most
                100; the message counts the rest; long values are cut), or `rejected` when the workspace refuses the change.
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/Error'
          schemas:
            Money:
              type: string
              description: An amount with two decimals, no separators.
              pattern: '^-?[0-9]+\.[0-9]{2}$'
              examples: ['57500.00']
            Percent:
              type: string
              description: An exact decimal percentage.
              pattern: '^-?[0-9]+(\.[0-9]+)?$'
              examples: ['12.5']
            Day:
              type: string
              format: date
              examples: ['2015-07-25']
            Timestamp:
              type: string
              format: date-time
              examples: ['2026-01-31T09:30:00.000Z']
            MinimumVolume:
              type: object
              description: The minimum qualifying volume by upper-case partner country, with `default` for the others.
              required: [default]
              properties:
                default:
                  $ref: '#/components/schemas/Money'
              additionalProperties:
                $ref: '#/components/schemas/Money'
            Tier:
              type: string
              enum: [gold, premier, select, registered]
            ProgramKind:
              type: string
              enum: [vip, mdf]
            DataKind:
              type: string
              enum: [partners, credentials, csat, services, enrollments, products, fx, bookings]
            Health:
              type: object
              required: [status, engine_version]
              properties:
                status:
                  type: string
                  const: ok
                engine_version:
                  type: string
            Page:
              type: object
              description: One page of a list; `total` counts every item of the list.
              required: [items, page, per_page, total]
              properties:
                items:
                  type: array
                  items: {}
                page:
                  type: integer
                  minimum: 1
                per_page:
                  type: integer
                  minimum: 1
                  maximum: 500
                total:
                  type: integer
                  minimum: 0
            Program:
              type: object
              description: |
                A program version. Lists give the summary fields only; `GET /programs/{id}` adds the rules
                (VIP: `eligible_tiers`, `csat_required`, `knowledge_deadline`, `subtracks`; MDF:
                `intended_use_rules`, `tiers`) and `versions`.
              required: [id, kind, name, currency, version, period, count_bookings_by]
              properties:
                id:
                  type: string
                  examples: [VIP25-6M]
                kind:
                  $ref: '#/components/schemas/ProgramKind'
                name:
                  type: string
                currency:
                  type: string
                  description: ISO 4217.
                  examples: [USD]
                version:
                  type: integer
                  minimum: 1
                period:
                  type: object
                  required: [start, end]
                  properties:
                    start:
                      $ref: '#/components/schemas/Day'
                    end:
                      $ref: '#/components/schemas/Day'
                count_bookings_by:
                  type: string
                  enum: [booked_on, shipped_on]
                eligible_tiers:
                  type: array
                  items:
                    $ref: '#/components/schemas/Tier'
                csat_required:
                  type: integer
                knowledge_deadline:
                  type: string
                  enum: [period_end, enrollment]
                subtracks:
                  type: array
                  items:
                    $ref: '#/components/schemas/Subtrack'
                intended_use_rules:
                  type: array
                  items:
                    type: object
                    properties:
                      from:
                        $ref: '#/components/schemas/Day'
                      counts:
                        type: array
                        items:
                          type: string
                tiers:
                  type: array
                  items:
                    $ref: '#/components/schemas/MDFTier'
                versions:
                  type: array
                  items:
                    $ref: '#/components/schemas/ProgramVersion'
            Subtrack:
              type: object
              required: [path, name, rebate_percent, products, requires_all, requires_any, minimum_volume]
              properties:
                path:
                  type: string
                  examples: [data-center/ucs]
                name:
                  type: string
                rebate_percent:
                  $ref: '#/components/schemas/Percent'
                products:
                  type: array
                  description: SKU patterns (`*` any run of characters, `?` one character).
                  items:
                    type: string
                requires_all:
                  type: array
                  items:
                    type: string
                requires_any:
                  type: array
                  items:
                    type: string
                minimum_volume:
                  $ref: '#/components/schemas/MinimumVolume'
            MDFTier:
              type: object
              required: [tier, accrual_percent, minimum_volume, requires_strategic_service]
              properties:
                tier:
                  $ref: '#/components/schemas/Tier'
                accrual_percent:
                  $ref: '#/components/schemas/Percent'
                minimum_volume:
                  $ref: '#/components/schemas/MinimumVolume'
                requires_strategic_service:
                  type: boolean
            ProgramVersion:
              type: object
              required: [version, added_at, digest, file_name]
              properties:
                version:
                  type: integer
                  minimum: 1
                added_at:
                  $ref: '#/components/schemas/Timestamp'
                digest:
                  type: string
                  description: SHA-256 of the definition, hex.
                file_name:
                  type: string
            ProgramStored:
              type: object
              required: [id, version, stored, changes]
              properties:
                id:
                  type: string
                version:
                  type: integer
                  minimum: 1
                stored:
                  type: boolean
                  description: Whether a new version was stored.
                changes:
                  type: array
                  description: What changed from the previous version, for people.
                  items:
                    type: string
            Partner:
              type: object
              required: [partner_id, name, country, tier, provider]
              properties:
                partner_id:
                  type: string
                  examples: [NL1001]
                name:
                  type: string
                country:
                  type: string
                  description: ISO 3166-1 alpha-2, upper case.
                tier:
                  $ref: '#/components/schemas/Tier'
                provider:
                  type: boolean
                  description: Member of the Partner Provider (managed services) program.
            PartnerDetail:
              type: object
              required: [partner, credentials, csat_reports, services, enrollments, booking_lines]
              properties:
                partner:
                  $ref: '#/components/schemas/Partner'
                credentials:
                  type: array
                  items:
                    type: object
                    required: [credential, achieved_on]
                    properties:
                      credential:
                        type: string
                      achieved_on:
                        $ref: '#/components/schemas/Day'
                      expires_on:
                        $ref: '#/components/schemas/Day'
                csat_reports:
                  type: array
                  items:
                    type: object
                    required: [survey_id, submitted_on]
                    properties:
                      survey_id:
                        type: string
                      submitted_on:
                        $ref: '#/components/schemas/Day'
                services:
                  type: array
                  items:
                    type: object
                    required: [service, strategic, active_from]
                    properties:
                      service:
                        type: string
                      strategic:
                        type: boolean
                      active_from:
                        $ref: '#/components/schemas/Day'
                      active_until:
                        $ref: '#/components/schemas/Day'
                enrollments:
                  type: array
                  items:
                    $ref: '#/components/schemas/Enrollment'
                booking_lines:
                  type: integer
                  minimum: 0
            ImportOutcome:
              type: object
              required: [kind, rows, added, changed, unchanged, digest, warnings]
              properties:
                kind:
                  $ref: '#/components/schemas/DataKind'
                rows:
                  type: integer
                added:
                  type: integer
                changed:
                  type: integer
                unchanged:
                  type: integer
                digest:
                  type: string
                  description: SHA-256 of the imported data, hex.
                warnings:
                  type: array
                  items:
                    type: string
            Enrollment:
              type: object
              required: [partner_id, program, subtrack, enrolled_on]
              properties:
                partner_id:
                  type: string
                program:
                  type: string
                subtrack:
                  type: string
                  description: The subtrack's path.
                  examples: [data-center/ucs]
                enrolled_on:
                  $ref: '#/components/schemas/Day'
            EnrollmentRequest:
              type: object
              required: [partner_id, program, subtrack]
              properties:
                partner_id:
                  type: string
                program:
                  type: string
                subtrack:
                  type: string
                enrolled_on:
                  $ref: '#/components/schemas/Day'
                  description: Defaults to today (UTC).
            EnrollmentOutcome:
              type: object
              required: [change, enrollment, lacking]
              properties:
                change:
                  type: string
                  enum: [added, changed, unchanged]
                enrollment:
                  $ref: '#/components/schemas/Enrollment'
                lacking:
                  type: array
                  description: The checks the partner does not pass yet in that subtrack.
                  items:
                    $ref: '#/components/schemas/Check'
                row:
                  $ref: '#/components/schemas/Row'
            Check:
              type: object
              required: [code, passed, explanation]
              properties:
                code:
                  type: string
                  enum: [tier, csat, credential, volume, strategic_service]
                passed:
                  type: boolean
                reason:
                  type: string
                  description: The reason code when failed (`csat:6/10`); absent when passed.
                explanation:
                  type: string
                  description: What was checked and found, for people.
            Row:
              type: object
              description: One result row; `item` is a VIP subtrack path or an MDF tier.
              required: [program, kind, partner_id, item, qualifying_volume, threshold, eligible, amount, missed_amount, reasons, checks]
              properties:
                program:
                  type: string
                kind:
                  $ref: '#/components/schemas/ProgramKind'
                partner_id:
                  type: string
                item:
                  type: string
                qualifying_volume:
                  $ref: '#/components/schemas/Money'
                threshold:
                  $ref: '#/components/schemas/Money'
                eligible:
                  type: boolean
                amount:
                  $ref: '#/components/schemas/Money'
                missed_amount:
                  $ref: '#/components/schemas/Money'
                reasons:
                  type: array
                  items:
                    type: string
                checks:
                  type: array
                  items:
                    $ref: '#/components/schemas/Check'
            RunRequest:
              type: object
              properties:
                programs:
                  type: array
                  description: The ids of the programs to compute; none or empty for every program.
                  items:
                    type: string
            Run:
              type: object
              description: A stored run. `amount` and `missed_amount` (over every partner) are given to admins only.
              required: [id, started_at, finished_at, engine_version, data_digest, inputs_digest, booking_lines, partners, programs]
              properties:
                id:
                  type: integer
                  minimum: 1
                started_at:
                  $ref: '#/components/schemas/Timestamp'
                finished_at:
                  $ref: '#/components/schemas/Timestamp'
                engine_version:
                  type: string
                data_digest:
                  type: string
                inputs_digest:
                  type: string
                booking_lines:
                  type: integer
                partners:
                  type: integer
                programs:
                  type: array
                  items:
                    type: object
                    required: [id, version]
                    properties:
                      id:
                        type: string
                      version:
                        type: integer
                amount:
                  $ref: '#/components/schemas/Money'
                missed_amount:
                  $ref: '#/components/schemas/Money'
            Explanation:
              type: object
              required: [run, partner_id, programs]
              properties:
                run:
                  type: integer
                partner_id:
                  type: string
                programs:
                  type: array
                  items:
                    type: object
                    required: [program, name, kind, currency, status, amount, missed_amount, rows]
                    properties:
                      program:
                        type: string
                      name:
                        type: string
                      kind:
                        $ref: '#/components/schemas/ProgramKind'
                      currency:
                        type: string
                      status:
                        type: string
                        enum: [eligible, partially_eligible, ineligible, not_enrolled, not_taking_part]
                      amount:
                        $ref: '#/components/schemas/Money'
                      missed_amount:
                        $ref: '#/components/schemas/Money'
                      rows:
                        type: array
                        items:
                          $ref: '#/components/schemas/Row'
            Error:
              type: object
              required: [error]
              properties:
                error:
                  type: object
                  required: [code, message, details]
                  properties:
                    code:
                      type: string
                      description: |
                        `bad_request`, `unauthorized`, `forbidden`, `not_found`, `too_large`, `invalid_input`,
                        `rejected`, `internal`, or `http_<status>` for other HTTP errors.
                    message:
                      type: string
                    details:
                      type: array
                      items:
                        $ref: '#/components/schemas/ErrorDetail'
            ErrorDetail:
              type: object
              description: One problem of rejected input; the location fields are absent when unknown.
              required: [message]
              properties:
                file:
                  type: string
                line:
                  type: integer
                column:
                  type: string
                  description: The CSV column or YAML key.
                value:
                  type: string
                message:
                  type: string

        """#
}
