//! End-to-end test in a real browser: Debian's headless Chromium driven through chromedriver.
//!
//! One scenario walks the site as people would: the matrix, a requirement page, the language
//! switcher (Serbian Cyrillic), an editor proposing a change, a reviewer approving it, and the
//! published result. A screenshot of every step lands in `target/browser-screenshots/NN-name.png`.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian packages `chromium` and
//! `chromium-driver`; CI installs them). Without them the test prints why and passes.

use std::{
    error::Error,
    net::{TcpListener as StdListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

type Result<T = (), E = Box<dyn Error + Send + Sync>> = std::result::Result<T, E>;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const PASSWORD: &str = "correct horse battery";
/// Generous: the machine is small and shared, and debug builds render slower.
const WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(100);

macro_rules! fail {
    ($($arg:tt)*) => { return Err(format!($($arg)*).into()) };
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browse_switch_language_propose_and_approve() -> Result {
    for tool in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(tool).exists() {
            eprintln!(
                "skipping the browser test: {tool} is missing (apt-get install chromium chromium-driver; CI installs them)"
            );
            return Ok(());
        }
    }

    let dir = tempfile::tempdir()?;
    let corpus = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus"));
    let config = web::Config::new("127.0.0.1:0".parse()?, dir.path().join("data"), corpus);
    let state = web::build_state(config).await?;
    for (user, name, role) in [("ed", "Ed Itor", store::Role::Editor), ("rev", "Rhea Viewer", store::Role::Reviewer)] {
        let hash = web::auth::hash_password(PASSWORD)?;
        state.store.add_user(user, name, &hash, role).await?;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let limits = state.config.limits;
    tokio::spawn(web::serve_on(listener, web::router(state), limits, std::future::pending()));

    let driver = Chromedriver::start(dir.path())?;
    let client = driver.connect(&dir.path().join("profile")).await?;
    let shots = Shots::new()?;
    let outcome = scenario(&client, &format!("http://{addr}"), &shots).await;
    if let Err(e) = &outcome {
        // Leave evidence of where it stopped.
        let url = client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
        eprintln!("browser test failed at {url}: {e}");
        shots.take(&client, "failure").await.ok();
    }
    client.close().await.ok();
    drop(driver);
    outcome
}

async fn scenario(b: &Client, base: &str, shots: &Shots) -> Result {
    // 1. The matrix.
    b.goto(&format!("{base}/")).await?;
    let table = find(b, "table.matrix").await?;
    let cells = table.find_all(Locator::Css("td.cell")).await?;
    if cells.is_empty() {
        fail!("the matrix has no status cells");
    }
    let class = cells[0].attr("class").await?.unwrap_or_default();
    if !class.split(' ').any(|c| c.starts_with("s-")) {
        fail!("the first matrix cell has no status class: '{class}'");
    }
    let cell_text = cells[0].text().await?;
    if cell_text.trim().is_empty() {
        fail!("the first matrix cell has no status text");
    }
    shots.take(b, "matrix").await?;

    // 2. A requirement row link → the requirement page with the three countries.
    let row_link = find(b, "table.matrix tbody th[scope=row] a").await?;
    let req_href = row_link.attr("href").await?.unwrap_or_default();
    if !req_href.starts_with("/requirements/") {
        fail!("the first row link goes to '{req_href}', not a requirement");
    }
    row_link.click().await?;
    wait_path(b, |p| p == req_href).await?;
    find(b, "section.country").await?;
    let countries = b.find_all(Locator::Css("section.country")).await?;
    let mut ids = Vec::new();
    for c in &countries {
        ids.push(c.attr("id").await?.unwrap_or_default());
    }
    if countries.len() != 3 {
        fail!("the requirement page shows {} country sections ({ids:?}), not 3", countries.len());
    }
    shots.take(b, "requirement").await?;

    // 3. Language: Serbian Cyrillic through the switcher.
    let select = find(b, "#lang-select").await?;
    select.select_by_value("sr-Cyrl").await?;
    // app.js submits on change; without it (or if it is slow), press the button.
    if wait_lang(b, "sr-Cyrl", Duration::from_secs(5)).await.is_err() {
        if let Ok(button) = b.find(Locator::Css("form.lang button[type=submit]")).await {
            button.click().await.ok();
        }
        wait_lang(b, "sr-Cyrl", WAIT).await?;
    }
    wait_path(b, |p| p == req_href).await?;
    let cookie = b.get_named_cookie("tomas_lang").await?;
    if cookie.value() != "sr-Cyrl" {
        fail!("the language cookie is '{}', not sr-Cyrl", cookie.value());
    }
    let switcher = find(b, "#lang-select").await?.text().await?;
    if !has_cyrillic(&switcher) {
        fail!("the language switcher shows no Cyrillic text: '{switcher}'");
    }
    let nav = find(b, "header.site nav").await?.text().await?;
    if serbian_has("nav-matrix")? {
        if !has_cyrillic(&nav) {
            fail!("Serbian has a translation of the navigation, but it is not shown in Cyrillic: '{nav}'");
        }
    } else {
        eprintln!("note: i18n/sr-Latn.ftl has no nav-matrix yet; not checking that the navigation is Cyrillic");
    }
    shots.take(b, "requirement-sr-cyrl").await?;

    // 4. The editor proposes a change.
    log_in(b, base, "ed").await?;
    shots.take(b, "logged-in-editor").await?;
    b.goto(&format!("{base}{req_href}")).await?;
    let propose = find(b, "section.country a.button[href$='/propose']").await?;
    let propose_href = propose.attr("href").await?.unwrap_or_default();
    // /assessments/{j}/{r}/{v}/propose
    let jurisdiction = propose_href.split('/').nth(2).unwrap_or_default().to_string();
    propose.click().await?;
    wait_path(b, |p| p == propose_href).await?;
    let status = find(b, "select#status").await?;
    let current = status.prop("value").await?.unwrap_or_default();
    let new_status = ["partial", "full", "none"].into_iter().find(|s| *s != current).unwrap_or("partial");
    status.select_by_value(new_status).await?;
    let stamp = format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos());
    let rationale_text = format!("Browser test rationale {stamp}: the provision was re-read.");
    let rationale = find(b, "textarea#rationale").await?;
    rationale.clear().await?;
    rationale.send_keys(&rationale_text).await?;
    let sources = find(b, "textarea#sources").await?;
    if sources.prop("value").await?.unwrap_or_default().trim().is_empty() {
        sources.send_keys("Official Gazette, browser test reference").await?;
    }
    shots.take(b, "propose-form").await?;
    find(b, "form.stack button[type=submit]").await?.click().await?;
    // The proposal's page, or the form again with an error.
    wait_until(b, "the proposal page", async || {
        let path = b.current_url().await?.path().to_string();
        let errors = b.find_all(Locator::Css("#form-error")).await?;
        Ok((path.starts_with("/proposals/") || !errors.is_empty()) && ready(b).await?)
    })
    .await?;
    let path = b.current_url().await?.path().to_string();
    let Some(proposal_id) = path.strip_prefix("/proposals/").map(str::to_string) else {
        let error = match b.find(Locator::Css("#form-error")).await {
            Ok(e) => e.text().await?,
            Err(_) => String::from("(no error message on the page)"),
        };
        fail!("submitting the proposal went to {path}: {error}");
    };
    find(b, "#proposal-state").await?;
    shots.take(b, "proposal-submitted").await?;
    log_out(b).await?;

    // 5. The reviewer approves it.
    log_in(b, base, "rev").await?;
    b.goto(&format!("{base}/proposals")).await?;
    let link = find(b, &format!("a[href='/proposals/{proposal_id}']")).await?;
    shots.take(b, "proposals-reviewer").await?;
    link.click().await?;
    wait_path(b, |p| p == format!("/proposals/{proposal_id}")).await?;
    let approve = find(b, "#approve").await?;
    shots.take(b, "proposal-reviewer").await?;
    approve.click().await?;
    // After the decision the page comes back without the decision form.
    wait_until(b, "the approve button to go away", async || {
        let path = b.current_url().await?.path().to_string();
        let gone = b.find_all(Locator::Css("#approve")).await?.is_empty();
        Ok(path == format!("/proposals/{proposal_id}") && gone && ready(b).await?)
    })
    .await?;
    shots.take(b, "proposal-approved").await?;

    // 6. Published.
    b.goto(&format!("{base}{req_href}")).await?;
    let section = find(b, &format!("section.country#{jurisdiction}")).await?;
    let cell = section.find(Locator::Css("span.cell")).await?;
    let class = cell.attr("class").await?.unwrap_or_default();
    let want = match new_status {
        "full" => "s-full",
        "partial" => "s-partial",
        _ => "s-none",
    };
    if !class.split(' ').any(|c| c == want) {
        fail!("after approval {jurisdiction} shows class '{class}', not {want}");
    }
    let text = section.text().await?;
    if !text.contains(&rationale_text) {
        fail!("after approval the {jurisdiction} section does not show the new rationale: {text}");
    }
    b.execute("arguments[0].scrollIntoView()", vec![serde_json::to_value(&section)?]).await?;
    shots.take(b, "requirement-published").await?;
    Ok(())
}

async fn log_in(b: &Client, base: &str, user: &str) -> Result {
    b.goto(&format!("{base}/login")).await?;
    find(b, "#username").await?.send_keys(user).await?;
    find(b, "#password").await?.send_keys(PASSWORD).await?;
    find(b, "main form button[type=submit]").await?.click().await?;
    wait_until(b, "the logout button after logging in", async || {
        if let Ok(e) = b.find(Locator::Css("#login-error")).await {
            return Err(format!("logging in as {user} failed: {}", e.text().await?).into());
        }
        Ok(!b.find_all(Locator::Css("header.site form[action='/logout'] button")).await?.is_empty() && ready(b).await?)
    })
    .await
}

async fn log_out(b: &Client) -> Result {
    find(b, "header.site form[action='/logout'] button").await?.click().await?;
    wait_until(b, "the login link after logging out", async || {
        Ok(!b.find_all(Locator::Css("header.site a[href^='/login']")).await?.is_empty() && ready(b).await?)
    })
    .await
}

async fn find(b: &Client, css: &str) -> Result<Element> {
    b.wait()
        .at_most(WAIT)
        .every(POLL)
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("waiting for {css}: {e}").into())
}

async fn ready(b: &Client) -> Result<bool> {
    Ok(b.execute("return document.readyState", vec![]).await? == json!("complete"))
}

/// Polls `check` until it says yes, for at most [`WAIT`].
async fn wait_until(b: &Client, what: &str, mut check: impl AsyncFnMut() -> Result<bool>) -> Result {
    let start = Instant::now();
    loop {
        match check().await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            // A page that is being replaced answers "stale element" or "no such window" for a moment.
            Err(e) if e.downcast_ref::<fantoccini::error::CmdError>().is_some() => {}
            Err(e) => return Err(e),
        }
        if start.elapsed() > WAIT {
            let url = b.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            fail!("timed out after {WAIT:?} waiting for {what} (at {url})");
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn wait_path(b: &Client, want: impl Fn(&str) -> bool) -> Result {
    wait_until(b, "the next page", async || {
        let url = b.current_url().await?;
        Ok(want(url.path()) && ready(b).await?)
    })
    .await
}

async fn wait_lang(b: &Client, lang: &str, timeout: Duration) -> Result {
    let start = Instant::now();
    loop {
        let current = b.execute("return document.documentElement.lang", vec![]).await;
        if matches!(&current, Ok(v) if v == &json!(lang)) && ready(b).await.unwrap_or(false) {
            return Ok(());
        }
        if start.elapsed() > timeout {
            fail!("the page's lang attribute is {current:?}, not {lang}, after {timeout:?}");
        }
        tokio::time::sleep(POLL).await;
    }
}

fn has_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// Whether the Serbian (Latin) resource has a message; Cyrillic is generated from it.
fn serbian_has(id: &str) -> Result<bool> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/sr-Latn.ftl");
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(text.lines().any(|l| l.split_once('=').is_some_and(|(k, _)| k.trim() == id)))
}

/// Numbered screenshots under `<target>/browser-screenshots/`.
struct Shots {
    dir: PathBuf,
    n: std::sync::atomic::AtomicUsize,
}

impl Shots {
    fn new() -> Result<Shots> {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")));
        let dir = target.join("browser-screenshots");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // Old shots from an earlier run would be misleading next to this run's.
        for entry in std::fs::read_dir(&dir)?.flatten() {
            if entry.path().extension().is_some_and(|e| e == "png") {
                std::fs::remove_file(entry.path()).ok();
            }
        }
        Ok(Shots { dir, n: std::sync::atomic::AtomicUsize::new(1) })
    }

    async fn take(&self, b: &Client, name: &str) -> Result {
        let n = self.n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let png = b.screenshot().await?;
        let path = self.dir.join(format!("{n:02}-{name}.png"));
        std::fs::write(&path, png).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("screenshot: {}", path.display());
        Ok(())
    }
}

/// A chromedriver child process on a free loopback port, killed (with the browsers it started) on drop.
struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    fn start(dir: &Path) -> Result<Chromedriver> {
        use std::os::unix::process::CommandExt;
        let port = StdListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let log = dir.join("chromedriver.log");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that dropping it also ends the browsers it started.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("{CHROMEDRIVER}: {e}"))?;
        let mut driver = Chromedriver { child, port };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = driver.child.try_wait()? {
                fail!("{CHROMEDRIVER} exited with {status} before listening; see {}", log.display());
            }
            if start.elapsed() > WAIT {
                fail!("{CHROMEDRIVER} did not listen on port {port} within {WAIT:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    async fn connect(&self, profile: &Path) -> Result<Client> {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,1000",
        ]
        .into_iter()
        .map(String::from)
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), json!({ "binary": CHROMIUM, "args": args }));
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await?;
        Ok(client)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The negative id names the process group: chromedriver and any browser it left running.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
