# Korisnički interfejs TOMAS — srpski (latinica). Ćirilica se generiše iz ove datoteke.
# Nazivi koji ostaju latinicom i u ćirilici pišu se kao literali: { "CSV" }, { "JSON" }…
site-title = { "TOMAS" } — praćenje usklađenosti
site-tagline = Koliko su Srbija, Albanija i Severna Makedonija udaljene od pravila EU protiv seksualnog zlostavljanja dece na internetu
skip-to-content = Pređi na sadržaj
nav-main = Glavna navigacija
nav-matrix = Regionalna matrica
nav-instruments = Pravni akti
nav-diff = Verzije
nav-changes = Nedavne izmene
nav-proposals = Predlozi
nav-users = Korisnici
nav-search = Pretraga
nav-login = Prijava
nav-logout = Odjava
signed-in-as = Prijavljeni ste kao { $name }
language = Jezik
language-apply = Promeni
content-english-notice = Pravni sadržaj (rezimei, zahtevi, procene) napisan je na engleskom jeziku; prikazuje se na engleskom gde prevod ne postoji.
footer-text = { "TOMAS" } — { "Towards UnifOrMed Legislation Against CSAM" } (ka ujednačenom zakonodavstvu protiv materijala seksualnog zlostavljanja dece). Podaci označeni kao neprovereni nisu upoređeni sa zvaničnim tekstom.
footer-api = { "JSON API" }
footer-data = Preuzimanja

status-full = potpuno
status-partial = delimično
status-none = neusklađeno
status-not_applicable = nije primenljivo
status-not_assessed = nije procenjeno
status-needs-review = za ponovnu proveru
verified = provereno
unverified = neprovereno
unverified-mark = Neprovereno: još nije upoređeno sa zvaničnim tekstom
legend = Legenda

topic-definitions = Definicije
topic-criminal_offences = Krivična dela
topic-provider_obligations = Obaveze pružalaca usluga
topic-orders = Nalozi
topic-authorities_powers = Organi i ovlašćenja
topic-penalties = Kazne
topic-victims = Žrtve
topic-data_transparency = Podaci i transparentnost
topic-cooperation = Saradnja

addressee-member_state = Država
addressee-coordinating_authority = Koordinaciono telo
addressee-judicial_authority = Sudski ili nezavisni organ
addressee-hosting_provider = Pružalac usluga hostinga
addressee-interpersonal_communications_provider = Pružalac usluga razmene poruka
addressee-app_store = Prodavnica aplikacija
addressee-internet_access_provider = Pružalac pristupa internetu
addressee-search_engine = Internet pretraživač
addressee-eu_centre = Centar EU
addressee-any_provider = Svaki pružalac usluga

matrix-title = Regionalna matrica usklađenosti
matrix-intro = Svaki red je zahtev koji nacionalno zakonodavstvo mora da predvidi, a svaka kolona jedna država. Izaberite ćeliju da biste videli procenu na kojoj se zasniva.
matrix-caption = Zahtevi po oblastima i državama, sa statusom
matrix-requirement = Zahtev
matrix-filters = Filteri
filter-topic = Oblast
filter-addressee = Adresat
filter-status = Status
filter-version = Tekst EU
filter-any = Sve
filter-apply = Primeni filtere
filter-reset = Poništi
matrix-shown = { $n ->
    [one] Prikazan { $n } zahtev
    [few] Prikazana { $n } zahteva
   *[other] Prikazano { $n } zahteva
}
score = Indeks usklađenosti
coverage = Obuhvat
score-coverage = { $score } / 100, procenjeno { $coverage }%
score-none = nema dovoljno procena
download-csv = Preuzmi { "CSV" }
download-json = Preuzmi { "JSON" }
view-version = Mereno prema: { $version }

jurisdiction-title = Usklađenost: { $name }
jurisdiction-by-topic = Po oblastima
jurisdiction-gaps = Nedostaci i preporučene izmene
jurisdiction-no-gaps = Nisu evidentirani nedostaci.
jurisdiction-report = Potpun izveštaj ({ "HTML" })
jurisdiction-counts = potpuno: { $full }, delimično: { $partial }, neusklađeno: { $none }, nije primenljivo: { $na }, nije procenjeno: { $pending }

requirement-title = Zahtev { $id }
requirement-derives = Proističe iz
requirement-addressees = Adresati
requirement-deadlines = Rokovi
requirement-weight = Težina
requirement-topic = Oblast
requirement-history = Istorija verzija
requirement-countries = Uporedni prikaz država
requirement-not-in-version = Ovaj zahtev ne postoji u izabranoj verziji.

assessment-status = Status
assessment-evidence = Relevantne odredbe
assessment-no-evidence = Nema nacionalne odredbe
assessment-rationale = Obrazloženje
assessment-recommendation = Preporučena izmena
assessment-sources = Izvori
assessment-confidence = Pouzdanost
assessment-assessed = Procenjeno
assessment-history = Istorija
assessment-propose = Predloži izmenu
assessment-revision = Revizija { $n }
assessment-missing = Još nije procenjeno.
assessment-stale = Procenjeno prema verziji { $version }; zahtev je u međuvremenu izmenjen, pa je potrebna ponovna provera.

official-text = Zvanični tekst
our-summary = Rezime

instruments-title = Pravni akti
instrument-provisions = Odredbe
instrument-identifiers = Identifikatori
instrument-stage = Faza
instrument-date = Datum
instrument-source = Izvor
instrument-note = Napomena

diff-title = Šta se promenilo između verzija
diff-from = Od
diff-to = Do
diff-compare = Uporedi
diff-added = Dodato
diff-changed = Izmenjeno
diff-removed = Uklonjeno
diff-unchanged = { $n ->
    [one] { $n } nepromenjen zahtev
    [few] { $n } nepromenjena zahteva
   *[other] { $n } nepromenjenih zahteva
}
diff-before = Pre
diff-after = Posle
diff-rereview = Procene za ponovnu proveru
diff-to-assess = Dodati zahtevi za procenu

search-title = Pretraga
search-label = Pretražite odredbe, zahteve i procene
search-button = Traži
search-results = { $n ->
    [one] { $n } rezultat za „{ $q }“
    [few] { $n } rezultata za „{ $q }“
   *[other] { $n } rezultata za „{ $q }“
}
search-none = Nema rezultata za „{ $q }“.
search-hint = Latinica i ćirilica se tretiraju jednako; dijakritički znaci nisu obavezni.

changes-title = Nedavne izmene
changes-none = Još nema izmena.
event-published = objavljeno
event-proposed = predloženo
event-rejected = odbijeno
event-withdrawn = povučeno

history-title = Istorija zahteva { $requirement } ({ $jurisdiction })
history-by = autor: { $who }

login-title = Prijava
login-username = Korisničko ime
login-password = Lozinka
login-submit = Prijavi se
login-failed = Pogrešno korisničko ime ili lozinka.
login-throttled = Previše neuspelih pokušaja. Pokušajte ponovo za { $minutes } { $minutes ->
    [one] minut
   *[other] minuta
}.

propose-title = Predložite izmenu
propose-intro = Vaš predlog se razmatra pre objavljivanja. Javnost i dalje vidi važeću procenu dok je recenzent ne odobri.
propose-evidence-help = Po jedna nacionalna odredba u svakom redu, u obliku { "instrument@version#eid" } (npr. { "rs-criminal-code@sg-35-2019#art_185" }).
propose-sources-help = Po jedan izvor u svakom redu: { "URL" } adresa ili referenca na službeno glasilo.
propose-note = Napomena za recenzenta
propose-submit = Podnesi predlog
propose-done = Predlog { $id } je podnet na razmatranje.

proposals-title = Predlozi
proposal-title = Predlog { $id }
proposal-state = Stanje
proposal-by = Podnosilac: { $who }
proposal-current = Trenutno objavljeno
proposal-proposed = Predloženo
proposal-comment = Komentar
proposal-approve = Odobri i objavi
proposal-reject = Odbij
proposal-withdraw = Povuci
proposal-own = Ovaj predlog ste vi dali: mora ga odobriti drugi recenzent.
proposal-decided = { $state } — { $who }
proposals-none = Nema predloga.
state-pending = na čekanju
state-approved = odobreno
state-rejected = odbijeno
state-withdrawn = povučeno

users-title = Korisnici
users-add = Dodaj korisnika
users-display-name = Ime za prikaz
users-role = Uloga
role-viewer = čitalac
role-editor = urednik
role-reviewer = recenzent
role-admin = administrator

error-title = Došlo je do greške
error-not-found = Ova stranica ne postoji.
error-forbidden = Nemate ovlašćenje za ovu radnju.
error-login-required = Najpre se prijavite.
error-csrf = Obrazac je istekao ili je poslat sa druge lokacije. Ponovo učitajte stranicu i pokušajte još jednom.
back-home = Nazad na matricu
