# Кориснички интерфејс на TOMAS — македонски.
site-title = TOMAS — следење на усогласеноста
site-tagline = Колку Србија, Албанија и Северна Македонија се оддалечени од правилата на ЕУ против сексуалната злоупотреба на деца на интернет
skip-to-content = Премини на содржината
nav-main = Главна навигација
nav-matrix = Регионална матрица
nav-instruments = Правни акти
nav-diff = Верзии
nav-changes = Неодамнешни промени
nav-proposals = Предлози
nav-users = Корисници
nav-search = Пребарување
nav-login = Најава
nav-logout = Одјава
signed-in-as = Најавени сте како { $name }
language = Јазик
language-apply = Промени
content-english-notice = Правната содржина (резимеа, барања, проценки) е напишана на англиски јазик; се прикажува на англиски таму каде што нема превод.
footer-text = TOMAS — Towards UnifOrMed Legislation Against CSAM (кон уедначено законодавство против материјали со сексуална злоупотреба на деца). Податоците означени како непроверени не се споредени со официјалниот текст.
footer-api = JSON API
footer-data = Преземања

status-full = целосно
status-partial = делумно
status-none = неусогласено
status-not_applicable = не се применува
status-not_assessed = непроценето
status-needs-review = за повторна проверка
verified = проверено
unverified = непроверено
unverified-mark = Непроверено: сè уште не е споредено со официјалниот текст
legend = Легенда

topic-definitions = Дефиниции
topic-criminal_offences = Кривични дела
topic-provider_obligations = Обврски на давателите на услуги
topic-orders = Налози
topic-authorities_powers = Органи и овластувања
topic-penalties = Казни
topic-victims = Жртви
topic-data_transparency = Податоци и транспарентност
topic-cooperation = Соработка

addressee-member_state = Држава
addressee-coordinating_authority = Координативно тело
addressee-judicial_authority = Судски или независен орган
addressee-hosting_provider = Давател на услуги за хостинг
addressee-interpersonal_communications_provider = Давател на услуги за размена на пораки
addressee-app_store = Продавница за апликации
addressee-internet_access_provider = Давател на пристап до интернет
addressee-search_engine = Интернет-пребарувач
addressee-eu_centre = Центар на ЕУ
addressee-any_provider = Секој давател на услуги

matrix-title = Регионална матрица на усогласеност
matrix-intro = Секој ред е барање што националното законодавство мора да го предвиди, а секоја колона е една држава. Изберете ќелија за да ја видите проценката врз која се заснова.
matrix-caption = Барања по области и држави, со статус
matrix-requirement = Барање
matrix-filters = Филтри
filter-topic = Област
filter-addressee = Адресат
filter-status = Статус
filter-version = Текст на ЕУ
filter-any = Сите
filter-apply = Примени ги филтрите
filter-reset = Поништи
matrix-shown = { $n ->
    [one] Прикажано е { $n } барање
   *[other] Прикажани се { $n } барања
}
score = Индекс на усогласеност
coverage = Опфат
score-coverage = { $score } / 100, проценето { $coverage }%
score-none = недоволно проценки
download-csv = Преземи CSV
download-json = Преземи JSON
view-version = Мерено според: { $version }

jurisdiction-title = Усогласеност: { $name }
jurisdiction-by-topic = По области
jurisdiction-gaps = Недостатоци и препорачани измени
jurisdiction-no-gaps = Нема евидентирани недостатоци.
jurisdiction-report = Целосен извештај (HTML)
jurisdiction-counts = целосно: { $full }, делумно: { $partial }, неусогласено: { $none }, не се применува: { $na }, непроценето: { $pending }

requirement-title = Барање { $id }
requirement-derives = Произлегува од
requirement-addressees = Адресати
requirement-deadlines = Рокови
requirement-weight = Тежина
requirement-topic = Област
requirement-history = Историја на верзиите
requirement-countries = Споредба на државите
requirement-not-in-version = Ова барање не постои во избраната верзија.

assessment-status = Статус
assessment-evidence = Релевантни одредби
assessment-no-evidence = Нема национална одредба
assessment-rationale = Образложение
assessment-recommendation = Препорачана измена
assessment-sources = Извори
assessment-confidence = Сигурност
assessment-assessed = Проценето
assessment-history = Историја
assessment-propose = Предложи измена
assessment-revision = Ревизија { $n }
assessment-missing = Сè уште не е проценето.
assessment-stale = Проценето според { $version }; барањето оттогаш е изменето, па е потребна повторна проверка.

official-text = Официјален текст
our-summary = Резиме

instruments-title = Правни акти
instrument-provisions = Одредби
instrument-identifiers = Идентификатори
instrument-stage = Фаза
instrument-date = Датум
instrument-source = Извор
instrument-note = Забелешка

diff-title = Што се промени меѓу верзиите
diff-from = Од
diff-to = До
diff-compare = Спореди
diff-added = Додадено
diff-changed = Изменето
diff-removed = Отстрането
diff-unchanged = { $n ->
    [one] { $n } непроменето барање
   *[other] { $n } непроменети барања
}
diff-before = Пред
diff-after = По
diff-rereview = Проценки за повторна проверка
diff-to-assess = Додадени барања за проценка

search-title = Пребарување
search-label = Пребарувајте одредби, барања и проценки
search-button = Пребарај
search-results = { $n ->
    [one] { $n } резултат за „{ $q }“
   *[other] { $n } резултати за „{ $q }“
}
search-none = Нема резултати за „{ $q }“.
search-hint = Латиницата и кирилицата се третираат еднакво; дијакритичките знаци не се задолжителни.

changes-title = Неодамнешни промени
changes-none = Сè уште нема промени.
event-published = објавено
event-proposed = предложено
event-rejected = одбиено
event-withdrawn = повлечено

history-title = Историја на барањето { $requirement } ({ $jurisdiction })
history-by = од { $who }

login-title = Најава
login-username = Корисничко име
login-password = Лозинка
login-submit = Најави се
login-failed = Погрешно корисничко име или лозинка.
login-throttled = Премногу неуспешни обиди. Обидете се повторно за { $minutes } { $minutes ->
    [one] минута
   *[other] минути
}.

propose-title = Предложете измена
propose-intro = Вашиот предлог се разгледува пред да биде објавен. Јавноста и понатаму ја гледа важечката проценка сè додека рецензент не ја одобри.
propose-evidence-help = По една национална одредба во секој ред, во форма instrument@version#eid (на пр. rs-criminal-code@sg-35-2019#art_185).
propose-sources-help = По еден извор во секој ред: URL-адреса или упатување на службен весник.
propose-note = Забелешка за рецензентот
propose-submit = Поднеси предлог
propose-done = Предлогот { $id } е поднесен на разгледување.

proposals-title = Предлози
proposal-title = Предлог { $id }
proposal-state = Состојба
proposal-by = Подносител: { $who }
proposal-current = Моментално објавено
proposal-proposed = Предложено
proposal-comment = Коментар
proposal-approve = Одобри и објави
proposal-reject = Одбиј
proposal-withdraw = Повлечи
proposal-own = Вие го дадовте овој предлог: мора да го одобри друг рецензент.
proposal-decided = { $state } од { $who }
proposals-none = Нема предлози.
state-pending = на чекање
state-approved = одобрено
state-rejected = одбиено
state-withdrawn = повлечено

users-title = Корисници
users-add = Додај корисник
users-display-name = Име за приказ
users-role = Улога
role-viewer = читател
role-editor = уредник
role-reviewer = рецензент
role-admin = администратор

error-title = Настана грешка
error-not-found = Оваа страница не постои.
error-forbidden = Немате дозвола за ова дејство.
error-login-required = Прво најавете се.
error-csrf = Формуларот истече или е испратен од друго место. Повторно вчитајте ја страницата и обидете се пак.
back-home = Назад кон матрицата
