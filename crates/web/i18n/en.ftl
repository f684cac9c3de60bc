# TOMAS user interface — English (the reference set of messages).
site-title = TOMAS alignment tracker
site-tagline = How far Serbia, Albania and North Macedonia are from the EU rules against child sexual abuse online
skip-to-content = Skip to content
nav-main = Main navigation
nav-matrix = Regional matrix
nav-instruments = Instruments
nav-diff = Versions
nav-changes = Recent changes
nav-proposals = Proposals
nav-users = Users
nav-search = Search
nav-login = Log in
nav-logout = Log out
signed-in-as = Signed in as { $name }
language = Language
language-apply = Change
content-english-notice = The legal content (summaries, requirements, assessments) is written in English; it is shown in English where no translation exists.
footer-text = TOMAS — Towards UnifOrMed Legislation Against CSAM. Facts marked unverified have not been checked against an official text.
footer-api = JSON API
footer-data = Downloads

status-full = full
status-partial = partial
status-none = none
status-not_applicable = not applicable
status-not_assessed = not assessed
status-needs-review = needs re-review
verified = verified
unverified = unverified
unverified-mark = Unverified: not yet checked against an official text
legend = Legend

topic-definitions = Definitions
topic-criminal_offences = Criminal offences
topic-provider_obligations = Provider obligations
topic-orders = Orders
topic-authorities_powers = Authorities and powers
topic-penalties = Penalties
topic-victims = Victims
topic-data_transparency = Data and transparency
topic-cooperation = Cooperation

addressee-member_state = State
addressee-coordinating_authority = Coordinating Authority
addressee-judicial_authority = Judicial or independent authority
addressee-hosting_provider = Hosting provider
addressee-interpersonal_communications_provider = Messaging provider
addressee-app_store = App store
addressee-internet_access_provider = Internet access provider
addressee-search_engine = Search engine
addressee-eu_centre = EU Centre
addressee-any_provider = Any provider

matrix-title = Regional alignment matrix
matrix-intro = Each row is a requirement national law must provide for; each column a country. Select a cell to see the assessment behind it.
matrix-caption = Requirements by topic and country, with status
matrix-requirement = Requirement
matrix-filters = Filters
filter-topic = Topic
filter-addressee = Addressee
filter-status = Status
filter-version = EU text
filter-any = All
filter-apply = Apply filters
filter-reset = Reset
matrix-shown = { $n } requirements shown
score = Alignment index
coverage = Coverage
score-coverage = { $score } / 100, { $coverage }% assessed
score-none = not enough assessed
download-csv = Download CSV
download-json = Download JSON
view-version = Measured against { $version }

jurisdiction-title = Alignment of { $name }
jurisdiction-by-topic = By topic
jurisdiction-gaps = Gaps and recommended changes
jurisdiction-no-gaps = No gaps recorded.
jurisdiction-report = Full report (HTML)
jurisdiction-counts = { $full } full, { $partial } partial, { $none } none, { $na } not applicable, { $pending } not assessed

requirement-title = Requirement { $id }
requirement-derives = Derives from
requirement-addressees = Addressed to
requirement-deadlines = Deadlines
requirement-weight = Weight
requirement-topic = Topic
requirement-history = Version history
requirement-countries = The countries side by side
requirement-not-in-version = This requirement does not exist in the chosen version.

assessment-status = Status
assessment-evidence = Evidence
assessment-no-evidence = No national provision
assessment-rationale = Rationale
assessment-recommendation = Recommended change
assessment-sources = Sources
assessment-confidence = Confidence
assessment-assessed = Assessed
assessment-history = History
assessment-propose = Propose a change
assessment-revision = Revision { $n }
assessment-missing = Not assessed yet.
assessment-stale = Assessed against { $version }; the requirement has changed since, so this needs re-review.

official-text = Official text
our-summary = Summary

instruments-title = Instruments
instrument-provisions = Provisions
instrument-identifiers = Identifiers
instrument-stage = Stage
instrument-date = Date
instrument-source = Source
instrument-note = Note

diff-title = What changed between versions
diff-from = From
diff-to = To
diff-compare = Compare
diff-added = Added
diff-changed = Changed
diff-removed = Removed
diff-unchanged = { $n } unchanged
diff-before = Before
diff-after = After
diff-rereview = Assessments to re-review
diff-to-assess = Added requirements to assess

search-title = Search
search-label = Search provisions, requirements and assessments
search-button = Search
search-results = { $n } results for “{ $q }”
search-none = Nothing found for “{ $q }”.
search-hint = Latin and Cyrillic are treated alike; accents are optional.

changes-title = Recent changes
changes-none = No changes yet.
event-published = published
event-proposed = proposed
event-rejected = rejected
event-withdrawn = withdrawn

history-title = History of { $requirement } in { $jurisdiction }
history-by = by { $who }

login-title = Log in
login-username = Username
login-password = Password
login-submit = Log in
login-failed = Wrong username or password.
login-throttled = Too many failed attempts. Try again in { $minutes } minutes.

propose-title = Propose a change
propose-intro = Your proposal is reviewed before it is published. The public keeps seeing the current assessment until a reviewer approves.
propose-evidence-help = One national provision per line, as instrument@version#eid (e.g. rs-criminal-code@sg-35-2019#art_185).
propose-sources-help = One source per line: a URL or an official gazette reference.
propose-note = Note for the reviewer
propose-submit = Submit proposal
propose-done = Proposal { $id } submitted for review.

proposals-title = Proposals
proposal-title = Proposal { $id }
proposal-state = State
proposal-by = Proposed by { $who }
proposal-current = Published now
proposal-proposed = Proposed
proposal-comment = Comment
proposal-approve = Approve and publish
proposal-reject = Reject
proposal-withdraw = Withdraw
proposal-own = You made this proposal: another reviewer must approve it.
proposal-decided = { $state } by { $who }
proposals-none = No proposals.
state-pending = pending
state-approved = approved
state-rejected = rejected
state-withdrawn = withdrawn

users-title = Users
users-add = Add a user
users-display-name = Display name
users-role = Role
role-viewer = viewer
role-editor = editor
role-reviewer = reviewer
role-admin = admin

error-title = Something went wrong
error-not-found = This page does not exist.
error-forbidden = You do not have permission to do this.
error-login-required = Please log in first.
error-csrf = The form expired or was sent from elsewhere. Reload the page and try again.
back-home = Back to the matrix
