# Ndërfaqja e përdoruesit e TOMAS — shqip.
site-title = TOMAS — monitorimi i përputhshmërisë
site-tagline = Sa larg janë Serbia, Shqipëria dhe Maqedonia e Veriut nga rregullat e BE-së kundër abuzimit seksual të fëmijëve në internet
skip-to-content = Kalo te përmbajtja
nav-main = Navigimi kryesor
nav-matrix = Matrica rajonale
nav-instruments = Aktet ligjore
nav-diff = Versionet
nav-changes = Ndryshimet e fundit
nav-proposals = Propozimet
nav-users = Përdoruesit
nav-search = Kërkim
nav-login = Hyr
nav-logout = Dil
signed-in-as = Jeni identifikuar si { $name }
language = Gjuha
language-apply = Ndrysho
content-english-notice = Përmbajtja ligjore (përmbledhjet, kërkesat, vlerësimet) është shkruar në anglisht; ajo shfaqet në anglisht aty ku nuk ka përkthim.
footer-text = TOMAS — Towards UnifOrMed Legislation Against CSAM (drejt një legjislacioni të njësuar kundër materialeve të abuzimit seksual të fëmijëve). Të dhënat e shënuara si të paverifikuara nuk janë krahasuar me tekstin zyrtar.
footer-api = JSON API
footer-data = Shkarkime

status-full = e plotë
status-partial = e pjesshme
status-none = mospërputhje
status-not_applicable = nuk zbatohet
status-not_assessed = pa vlerësim
status-needs-review = për rishqyrtim
verified = e verifikuar
unverified = e paverifikuar
unverified-mark = E paverifikuar: ende nuk është krahasuar me tekstin zyrtar
legend = Legjenda

topic-definitions = Përkufizimet
topic-criminal_offences = Veprat penale
topic-provider_obligations = Detyrimet e ofruesve të shërbimeve
topic-orders = Urdhrat
topic-authorities_powers = Autoritetet dhe kompetencat
topic-penalties = Sanksionet
topic-victims = Viktimat
topic-data_transparency = Të dhënat dhe transparenca
topic-cooperation = Bashkëpunimi

addressee-member_state = Shteti
addressee-coordinating_authority = Autoriteti Koordinues
addressee-judicial_authority = Autoriteti gjyqësor ose i pavarur
addressee-hosting_provider = Ofruesi i shërbimeve të strehimit (hosting)
addressee-interpersonal_communications_provider = Ofruesi i shërbimeve të mesazheve
addressee-app_store = Dyqani i aplikacioneve
addressee-internet_access_provider = Ofruesi i aksesit në internet
addressee-search_engine = Motori i kërkimit
addressee-eu_centre = Qendra e BE-së
addressee-any_provider = Çdo ofrues shërbimesh

matrix-title = Matrica rajonale e përputhshmërisë
matrix-intro = Çdo rresht është një kërkesë që ligji kombëtar duhet të parashikojë, ndërsa çdo kolonë është një shtet. Zgjidhni një qelizë për të parë vlerësimin mbi të cilin bazohet.
matrix-caption = Kërkesat sipas fushës dhe shtetit, me statusin përkatës
matrix-requirement = Kërkesa
matrix-filters = Filtrat
filter-topic = Fusha
filter-addressee = Adresati
filter-status = Statusi
filter-version = Teksti i BE-së
filter-any = Të gjitha
filter-apply = Zbato filtrat
filter-reset = Rivendos
matrix-shown = { $n ->
    [one] Shfaqet { $n } kërkesë
   *[other] Shfaqen { $n } kërkesa
}
score = Indeksi i përputhshmërisë
coverage = Mbulimi
score-coverage = { $score } / 100, { $coverage }% e vlerësuar
score-none = nuk ka mjaftueshëm vlerësime
download-csv = Shkarko CSV
download-json = Shkarko JSON
view-version = Matur kundrejt: { $version }

jurisdiction-title = Përputhshmëria: { $name }
jurisdiction-by-topic = Sipas fushës
jurisdiction-gaps = Mangësitë dhe ndryshimet e rekomanduara
jurisdiction-no-gaps = Nuk janë regjistruar mangësi.
jurisdiction-report = Raporti i plotë (HTML)
jurisdiction-counts = e plotë: { $full }, e pjesshme: { $partial }, mospërputhje: { $none }, nuk zbatohet: { $na }, pa vlerësim: { $pending }

requirement-title = Kërkesa { $id }
requirement-derives = Rrjedh nga
requirement-addressees = Adresatët
requirement-deadlines = Afatet
requirement-weight = Pesha
requirement-topic = Fusha
requirement-history = Historiku i versioneve
requirement-countries = Krahasimi i shteteve
requirement-not-in-version = Kjo kërkesë nuk ekziston në versionin e zgjedhur.

assessment-status = Statusi
assessment-evidence = Dispozitat përkatëse
assessment-no-evidence = Nuk ka dispozitë kombëtare
assessment-rationale = Arsyetimi
assessment-recommendation = Ndryshimi i rekomanduar
assessment-sources = Burimet
assessment-confidence = Besueshmëria
assessment-assessed = Vlerësuar
assessment-history = Historiku
assessment-propose = Propozo një ndryshim
assessment-revision = Rishikimi { $n }
assessment-missing = Ende nuk është vlerësuar.
assessment-stale = Vlerësuar kundrejt { $version }; kërkesa ka ndryshuar që atëherë, prandaj duhet rishqyrtuar.

official-text = Teksti zyrtar
our-summary = Përmbledhje

instruments-title = Aktet ligjore
instrument-provisions = Dispozitat
instrument-identifiers = Identifikuesit
instrument-stage = Faza
instrument-date = Data
instrument-source = Burimi
instrument-note = Shënim

diff-title = Çfarë ndryshoi ndërmjet versioneve
diff-from = Nga
diff-to = Në
diff-compare = Krahaso
diff-added = Të shtuara
diff-changed = Të ndryshuara
diff-removed = Të hequra
diff-unchanged = { $n ->
    [one] { $n } kërkesë e pandryshuar
   *[other] { $n } kërkesa të pandryshuara
}
diff-before = Më parë
diff-after = Më pas
diff-rereview = Vlerësime për rishqyrtim
diff-to-assess = Kërkesa të shtuara për t'u vlerësuar

search-title = Kërkim
search-label = Kërkoni në dispozita, kërkesa dhe vlerësime
search-button = Kërko
search-results = { $n ->
    [one] { $n } rezultat për “{ $q }”
   *[other] { $n } rezultate për “{ $q }”
}
search-none = Nuk u gjet asgjë për “{ $q }”.
search-hint = Shkrimi latin dhe ai cirilik trajtohen njësoj; shenjat diakritike nuk janë të detyrueshme.

changes-title = Ndryshimet e fundit
changes-none = Ende nuk ka ndryshime.
event-published = publikuar
event-proposed = propozuar
event-rejected = refuzuar
event-withdrawn = tërhequr

history-title = Historiku i kërkesës { $requirement } ({ $jurisdiction })
history-by = nga { $who }

login-title = Hyrja
login-username = Emri i përdoruesit
login-password = Fjalëkalimi
login-submit = Hyr
login-failed = Emër përdoruesi ose fjalëkalim i gabuar.
login-throttled = Shumë përpjekje të dështuara. Provoni përsëri pas { $minutes } { $minutes ->
    [one] minute
   *[other] minutash
}.

propose-title = Propozoni një ndryshim
propose-intro = Propozimi juaj shqyrtohet përpara se të publikohet. Publiku vazhdon të shohë vlerësimin aktual derisa një shqyrtues ta miratojë.
propose-evidence-help = Një dispozitë kombëtare për rresht, në formatin instrument@version#eid (p.sh. rs-criminal-code@sg-35-2019#art_185).
propose-sources-help = Një burim për rresht: një URL ose një referencë në fletoren zyrtare.
propose-note = Shënim për shqyrtuesin
propose-submit = Dërgo propozimin
propose-done = Propozimi { $id } u dërgua për shqyrtim.

proposals-title = Propozimet
proposal-title = Propozimi { $id }
proposal-state = Gjendja
proposal-by = Propozuar nga { $who }
proposal-current = Publikuar aktualisht
proposal-proposed = Propozuar
proposal-comment = Koment
proposal-approve = Mirato dhe publiko
proposal-reject = Refuzo
proposal-withdraw = Tërhiq
proposal-own = Ju e bëtë këtë propozim: duhet ta miratojë një rishikues tjetër.
proposal-decided = { $state } nga { $who }
proposals-none = Nuk ka propozime.
state-pending = në pritje
state-approved = miratuar
state-rejected = refuzuar
state-withdrawn = tërhequr

users-title = Përdoruesit
users-add = Shto një përdorues
users-display-name = Emri që shfaqet
users-role = Roli
role-viewer = lexues
role-editor = redaktor
role-reviewer = shqyrtues
role-admin = administrator

error-title = Ndodhi një gabim
error-not-found = Kjo faqe nuk ekziston.
error-forbidden = Nuk keni leje për këtë veprim.
error-login-required = Ju lutemi, identifikohuni fillimisht.
error-csrf = Formulari ka skaduar ose është dërguar nga një vend tjetër. Ringarkoni faqen dhe provoni përsëri.
back-home = Kthehu te matrica
