//! The `tomas` binary as a user runs it: exit statuses, output shapes, errors that name the problem.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

fn tomas(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tomas")).args(args).env("NO_COLOR", "1").output().expect("run tomas")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("TOMAS_SHARED").map(PathBuf::from).unwrap_or_else(|| repo().join("../shared"));
    if dir.join("pdq/expected-pdq.csv").exists() {
        Some(dir)
    } else {
        eprintln!("skipping: shared reference files not found at {} (set TOMAS_SHARED)", dir.display());
        None
    }
}

#[test]
fn law_check_passes_on_the_shipped_corpus_and_fails_with_file_line_on_a_broken_one() {
    let o = tomas(&["law", "check", repo().join("corpus").to_str().unwrap()]);
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("0 error(s)"));

    let tmp = tempfile::tempdir().unwrap();
    let fixture = repo().join("crates/law/tests/fixtures/good");
    copy(&fixture, tmp.path());
    let file = tmp.path().join("assessments/aa.toml");
    let broken = std::fs::read_to_string(&file).unwrap().replace("status = \"full\"", "status = \"fully\"");
    std::fs::write(&file, broken).unwrap();
    let o = tomas(&["law", "check", tmp.path().to_str().unwrap()]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(out.contains("assessments/aa.toml:6: error: status: unknown variant `fully`"), "{out}");
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn law_outputs_are_plain_when_piped_and_machine_readable() {
    let corpus = repo().join("corpus");
    let c = corpus.to_str().unwrap();
    let o = tomas(&["law", "matrix", "--corpus", c]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(!out.contains('\x1b') && out.contains("csar-removal-execute-24h") && out.contains("Alignment index"));
    let o = tomas(&["law", "matrix", "--corpus", c, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format"], "tomas-matrix/1");
    let o = tomas(&["law", "export", "--corpus", c]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format"], "tomas-corpus/1");
    let o = tomas(&["law", "gaps", "--corpus", c, "--jurisdiction", "rs", "--topic", "orders"]);
    assert!(o.status.success() && text(&o).0.contains("recommendation:"));
    let o = tomas(&["law", "gaps", "--corpus", c, "--jurisdiction", "xx"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("no assessments for jurisdiction 'xx'"));
    let o = tomas(&["law", "diff", "--corpus", c, "--from", "eu-csar@com-2022", "--to", "eu-csar@council-2025"]);
    let (out, _) = text(&o);
    assert!(out.contains("Removed") && out.contains("Added"), "{out}");
    let o = tomas(&["law", "diff", "--corpus", c, "--from", "eu-csar@com-2022", "--to", "eu-csar@nope"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn imported_official_text_shows_in_reports() {
    let Some(shared) = shared() else { return };
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let html = shared.join("eurlex/52022PC0209.html");
    let o = tomas(&["law", "import-eurlex", html.to_str().unwrap(), "--data-dir", d]);
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("89 articles, 8 annexes"), "{err}");
    let o = tomas(&["law", "report", "--jurisdiction", "rs", "--data-dir", d]);
    assert!(text(&o).0.contains("Official text (en)"));
    let o = tomas(&["law", "gaps", "--jurisdiction", "rs", "--topic", "orders", "--data-dir", d]);
    assert!(text(&o).0.contains("official (en):"));
    let o = tomas(&["law", "import-eurlex", "/nonexistent.html", "--data-dir", d]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("/nonexistent.html"));

    // A file that looks wrong is refused, the overlay untouched, unless --force.
    let html_text = std::fs::read_to_string(&html).unwrap();
    let cut = (0..=html_text.len() * 3 / 10).rev().find(|&i| html_text.is_char_boundary(i)).unwrap();
    let truncated = data.path().join("truncated.html");
    std::fs::write(&truncated, &html_text[..cut]).unwrap();
    let t = truncated.to_str().unwrap();
    let o = tomas(&["law", "import-eurlex", t, "--data-dir", d]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("a truncated file?"), "{}", text(&o).1);
    let o = tomas(&[
        "law",
        "import-eurlex",
        html.to_str().unwrap(),
        "--instrument",
        "coe-budapest",
        "--version",
        "2001",
        "--data-dir",
        d,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("is it the text of another act?"), "{}", text(&o).1);
    let o = tomas(&["law", "import-eurlex", html.to_str().unwrap(), "--language", "xx yy!!", "--data-dir", d]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("BCP 47"));
    let o = tomas(&["law", "report", "--jurisdiction", "rs", "--data-dir", d]);
    assert!(text(&o).0.contains("Official text (en)"), "the refused imports left the overlay as it was");
    let o = tomas(&["law", "import-eurlex", t, "--force", "--data-dir", d]);
    assert!(o.status.success(), "{}", text(&o).1);
    // One overlay per version: another language would replace the English text.
    let o = tomas(&["law", "import-eurlex", html.to_str().unwrap(), "--language", "sq", "--data-dir", d]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("would replace the en text"), "{}", text(&o).1);
}

#[test]
fn hash_prints_meta_lines_and_fails_on_unreadable_files() {
    let Some(shared) = shared() else { return };
    let png = shared.join("pdq/images/pen-and-coaster.png");
    let expected = std::fs::read_to_string(shared.join("pdq/expected-pdq.csv")).unwrap();
    let want =
        expected.lines().find(|l| l.ends_with("pen-and-coaster.png")).unwrap().split(',').next().unwrap().to_string();
    let o = tomas(&["hash", png.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(out.trim(), format!("{want},100,{}", png.display()));
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("broken.jpg");
    std::fs::write(&bad, b"\xff\xd8\xff\xe0 not really a jpeg").unwrap();
    let o = tomas(&["hash", png.to_str().unwrap(), bad.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(out.contains(&want), "the readable file is still hashed");
    assert!(err.contains("broken.jpg"), "{err}");

    // In a directory: a dangling link to an "image" is reported, not skipped; a path with a comma
    // is quoted so the line still has three fields.
    let dir = tmp.path().join("dir");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(&png, dir.join("a, b.png")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("gone.png"), dir.join("dangling.png")).unwrap();
    let o = tomas(&["hash", dir.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(out.contains(&format!("{want},100,\"{}\"", dir.join("a, b.png").display())), "{out}");
    #[cfg(unix)]
    {
        assert_eq!(o.status.code(), Some(1));
        assert!(err.contains("dangling.png"), "{err}");
    }
    let o =
        tomas(&["match", png.to_str().unwrap(), "--min-quality", "101", "--data-dir", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "clap refuses an impossible quality");
}

#[test]
fn user_add_and_list() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tomas"))
        .args(["user", "add", "ana", "--role", "admin", "--password-stdin", "--data-dir", d])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = tomas(&["user", "list", "--data-dir", d]);
    assert!(text(&o).0.starts_with("ana\tadmin"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_tomas"))
        .args(["user", "add", "bob", "--role", "viewer", "--password-stdin", "--data-dir", d])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("at least 10 characters"));
}

/// `n` synthetic MD5 values, one per line.
fn md5_list(n: u8) -> String {
    (1..=n).map(|i| format!("{i:02x}").repeat(16) + "\n").collect()
}

#[test]
fn index_bench_refuses_unsupported_parts_and_reads_bom_and_bad_bytes_with_line_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db.txt");
    let q = tmp.path().join("q.txt");
    let (d, qs) = (db.to_str().unwrap(), q.to_str().unwrap());
    let o = tomas(&["index", "gen", "--n", "5000", "--queries", "20", "--db-out", d, "--queries-out", qs]);
    assert!(o.status.success(), "{}", text(&o).1);
    for parts in ["1", "10", "33", "40", "85", "86", "257", "x"] {
        let o = tomas(&["index", "bench", "--db", d, "--queries", qs, "--parts", parts]);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "--parts {parts}: {err}");
        assert!(err.contains("--parts") && !err.contains("panicked"), "--parts {parts}: {err}");
    }
    let o = tomas(&["index", "bench", "--db", d, "--queries", qs, "--parts", "40"]);
    assert!(text(&o).1.contains("use 0 (no tables: a linear scan) or 11 to 32"), "{}", text(&o).1);
    for parts in ["0", "11", "32"] {
        let o = tomas(&["index", "bench", "--db", d, "--queries", qs, "--parts", parts, "--radius", "8"]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "--parts {parts}: {err}");
        assert!(out.contains("\"updates_visible\":true"), "{out}");
    }

    // A byte order mark (as Windows editors write) is skipped, like `bank import` does.
    let hashes = std::fs::read_to_string(&q).unwrap();
    std::fs::write(&q, format!("\u{feff}{hashes}")).unwrap();
    let o = tomas(&["index", "bench", "--db", d, "--queries", qs]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("\"queries\":20"), "{out}");
    // Bytes that are not UTF-8: the line is named.
    let mut bytes = hashes.into_bytes();
    let third = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).unwrap().0 + 1;
    bytes[third + 5] = 0xff;
    std::fs::write(&q, &bytes).unwrap();
    let o = tomas(&["index", "bench", "--db", d, "--queries", qs]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains(&format!("{qs}:3: not UTF-8 text (at byte 6 of the line)")), "{err}");
}

#[test]
fn banks_are_checked_against_their_file_names_and_bad_files_do_not_hide_the_others() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let list = data.path().join("list.txt");
    std::fs::write(&list, md5_list(3)).unwrap();
    let o = tomas(&["bank", "import", "t1", list.to_str().unwrap(), "--data-dir", d]);
    assert!(o.status.success(), "{}", text(&o).1);
    let banks = data.path().join("banks");
    let t1 = std::fs::read(banks.join("t1.bank")).unwrap();

    // A copy under another name is refused, and the original is left alone.
    std::fs::write(banks.join("backup.bank"), &t1).unwrap();
    let o = tomas(&["bank", "disable", "backup", "--data-dir", d]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("backup.bank") && err.contains("holds bank 't1', not 'backup'"), "{err}");
    assert_eq!(std::fs::read(banks.join("t1.bank")).unwrap(), t1);

    // Empty and truncated files: "truncated", with the file named; the good bank is still listed.
    std::fs::write(banks.join("empty.bank"), b"").unwrap();
    std::fs::write(banks.join("short.bank"), &t1[..100]).unwrap();
    let o = tomas(&["bank", "list", "--data-dir", d]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.lines().any(|l| l.starts_with("t1 ")), "{out}");
    assert!(err.contains("backup.bank") && err.contains("empty.bank") && err.contains("short.bank"), "{err}");
    assert!(!err.contains("fill whole buffer"), "{err}");
    let o = tomas(&["bank", "list", "--json", "--data-dir", d]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o).0.lines().count(), 1);
    for name in ["empty", "short"] {
        let o = tomas(&["bank", "verify", name, "--data-dir", d]);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(1));
        assert!(err.contains(&format!("{name}.bank")) && err.contains("truncated"), "{err}");
        assert!(!err.contains("fill whole buffer") && !err.contains("panicked"), "{err}");
    }
    let o = tomas(&["bank", "verify", "t1", "--data-dir", d]);
    assert!(o.status.success(), "{}", text(&o).1);
}

#[cfg(unix)]
#[test]
fn match_does_not_follow_directory_symlinks() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let list = data.path().join("list.txt");
    std::fs::write(&list, md5_list(1)).unwrap();
    assert!(tomas(&["bank", "import", "t1", list.to_str().unwrap(), "--data-dir", d]).status.success());
    let images = data.path().join("images");
    std::fs::create_dir_all(images.join("sub")).unwrap();
    std::fs::write(images.join("sub/broken.jpg"), b"\xff\xd8\xff\xe0 not really a jpeg").unwrap();
    std::os::unix::fs::symlink("..", images.join("sub/up")).unwrap();
    std::os::unix::fs::symlink(".", images.join("loop")).unwrap();
    let o = tomas(&["match", images.to_str().unwrap(), "--data-dir", d]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("1 file(s): 0 matched, 1 failed"), "{err}");
    assert_eq!(err.matches("broken.jpg").count(), 1, "{err}");
}

#[test]
fn export_write_corpus_is_all_or_nothing() {
    let fixture = repo().join("crates/law/tests/fixtures/good");
    let out = tempfile::tempdir().unwrap();
    let assessments = out.path().join("assessments");
    std::fs::create_dir_all(&assessments).unwrap();
    std::fs::write(assessments.join("aa.toml"), "old aa\n").unwrap();
    std::fs::write(assessments.join("bb.toml"), "old bb\n").unwrap();
    // The second temporary file cannot be written: the first must not be renamed into place.
    std::fs::create_dir(assessments.join(".bb.toml.tmp")).unwrap();
    let args = ["law", "export", "--corpus", fixture.to_str().unwrap(), "--write-corpus", out.path().to_str().unwrap()];
    let o = tomas(&args);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(".bb.toml.tmp") && err.contains("nothing was written"), "{err}");
    assert_eq!(std::fs::read_to_string(assessments.join("aa.toml")).unwrap(), "old aa\n");
    assert_eq!(std::fs::read_to_string(assessments.join("bb.toml")).unwrap(), "old bb\n");
    assert!(!assessments.join(".aa.toml.tmp").exists(), "temporary file left behind");
    // A target that is a directory: refused before anything is written.
    std::fs::remove_dir(assessments.join(".bb.toml.tmp")).unwrap();
    std::fs::remove_file(assessments.join("bb.toml")).unwrap();
    std::fs::create_dir(assessments.join("bb.toml")).unwrap();
    let o = tomas(&args);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("it is a directory (nothing was written)"), "{}", text(&o).1);
    assert_eq!(std::fs::read_to_string(assessments.join("aa.toml")).unwrap(), "old aa\n");
    // Once the way is clear, both files are written and no temporary file is left.
    std::fs::remove_dir(assessments.join("bb.toml")).unwrap();
    let o = tomas(&args);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(std::fs::read_to_string(assessments.join("aa.toml")).unwrap().contains("[[assessment]]"));
    assert!(assessments.join("bb.toml").is_file());
    let names: Vec<String> = std::fs::read_dir(&assessments)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn errors_state_each_cause_once() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let o = tomas(&["law", "matrix", "--data-dir", file.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("not-a-dir/overlays: "), "{err}");
    assert_eq!(err.matches("(os error").count(), 1, "{err}");
    let list = tmp.path().join("list.txt");
    std::fs::write(&list, md5_list(1)).unwrap();
    let o = tomas(&["bank", "import", "t1", list.to_str().unwrap(), "--data-dir", file.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(err.matches("(os error").count(), 1, "{err}");
}

/// Waits for a child for at most `secs` seconds (a command that blocks fails the test instead
/// of hanging it).
fn wait_for(mut child: std::process::Child, secs: u64) -> Output {
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() >= secs {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!("still running after {secs} s; stderr: {}", String::from_utf8_lossy(&o.stderr));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn spawn_tomas(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_tomas"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tomas")
}

/// `n` distinct synthetic MD5 values starting at `from`, one per line.
fn md5_range(from: u32, n: u32) -> String {
    (from..from + n).map(|i| format!("{i:032x}\n")).collect()
}

fn md5_count(data: &str, bank: &str) -> u64 {
    let o = tomas(&["bank", "list", "--json", "--data-dir", data]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    let line = out.lines().find(|l| l.contains(&format!("\"name\":\"{bank}\""))).unwrap();
    serde_json::from_str::<serde_json::Value>(line).unwrap()["counts"]["md5"].as_u64().unwrap()
}

#[test]
fn concurrent_imports_into_one_bank_keep_every_entry() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let path = |name: &str| data.path().join(name).to_str().unwrap().to_owned();
    std::fs::write(path("base.txt"), md5_range(1, 100)).unwrap();
    std::fs::write(path("a.txt"), md5_range(1_000, 200_000)).unwrap();
    std::fs::write(path("b.txt"), md5_range(1_000_000, 200_000)).unwrap();
    assert!(tomas(&["bank", "import", "t1", &path("base.txt"), "--data-dir", d]).status.success());
    let a = spawn_tomas(&["bank", "import", "t1", &path("a.txt"), "--data-dir", d]);
    let b = spawn_tomas(&["bank", "import", "t1", &path("b.txt"), "--data-dir", d]);
    for o in [wait_for(a, 120), wait_for(b, 120)] {
        assert!(o.status.success(), "{}", text(&o).1);
    }
    assert_eq!(md5_count(d, "t1"), 400_100);
}

#[test]
fn a_writer_waits_for_the_lock_holder_and_stale_temporaries_are_removed() {
    use matching::bank::store::BankStore;
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let list = data.path().join("list.txt");
    std::fs::write(&list, md5_range(1, 10)).unwrap();
    let l = list.to_str().unwrap();
    assert!(tomas(&["bank", "import", "t1", l, "--data-dir", d]).status.success());
    let store = BankStore::new(data.path());
    let banks = store.dir().to_owned();

    // A temporary file of a writer that was killed: the next command that changes banks removes it.
    let stale = banks.join(".t1.bank.tmp.4194303");
    std::fs::write(&stale, vec![0u8; 4096]).unwrap();
    let o = tomas(&["bank", "disable", "t1", "--data-dir", d]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(!stale.exists());
    // `bank list` tidies up too, when no writer is busy.
    std::fs::write(&stale, b"x").unwrap();
    assert!(tomas(&["bank", "list", "--data-dir", d]).status.success());
    assert!(!stale.exists());

    // A live writer (this test) holds the lock and is writing its temporary file.
    let held = store.lock().unwrap();
    let live = banks.join(format!(".t1.bank.tmp.{}", std::process::id()));
    std::fs::write(&live, b"being written").unwrap();
    assert!(tomas(&["bank", "list", "--data-dir", d]).status.success());
    assert!(live.exists(), "bank list removed a live writer's temporary file");
    std::fs::write(&list, md5_range(100, 5)).unwrap();
    let mut child = spawn_tomas(&["bank", "import", "t1", l, "--data-dir", d]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "the second writer did not wait");
    assert!(live.exists(), "a waiting writer removed the live writer's temporary file");
    // The holder's own change, then it lets go: the waiting import is applied on top of it.
    let mut bank = held.load("t1").unwrap();
    let extra = vec![matching::bank::Record {
        value: matching::Value::guess(&"ab".repeat(16)).unwrap(),
        label: String::new(),
        source: String::new(),
    }];
    bank.add(extra, "test", 0, "");
    held.save(&bank).unwrap(); // writes the same temporary file and renames it into place
    assert!(!live.exists());
    drop(held);
    let o = wait_for(child, 60);
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("waiting for another tomas"), "{err}");
    assert_eq!(md5_count(d, "t1"), 16);
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_refused_not_waited_on() {
    let Some(shared) = shared() else { return };
    let png = shared.join("pdq/images/pen-and-coaster.png");
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe.png");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let (f, p) = (fifo.to_str().unwrap(), png.to_str().unwrap());
    for args in [vec!["hash", f, p], vec!["hash", "/dev/zero", p], vec!["hash", "--format", "json", f, p]] {
        let o = wait_for(spawn_tomas(&args), 60);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(out.contains("pen-and-coaster.png") && out.lines().count() == 1, "{args:?}: {out}");
        assert!(err.contains(args[args.len() - 2]) && err.contains("not a regular file"), "{args:?}: {err}");
    }
    let o = tomas(&["hash", f, p]);
    assert!(text(&o).1.contains("FIFO"), "{}", text(&o).1);

    let d = tmp.path().to_str().unwrap();
    let list = tmp.path().join("list.txt");
    std::fs::write(&list, md5_list(1)).unwrap();
    assert!(tomas(&["bank", "import", "t1", list.to_str().unwrap(), "--data-dir", d]).status.success());
    let o = wait_for(spawn_tomas(&["match", f, p, "--data-dir", d]), 60);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(out.contains("pen-and-coaster.png\tno match"), "{out}");
    assert!(err.contains("pipe.png") && err.contains("not a regular file"), "{err}");
}

#[cfg(unix)]
#[test]
fn terminal_escapes_from_file_names_and_contents_are_not_printed_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap();
    let evil = tmp.path().join("red\x1b[31m\u{202e}gpj.png");
    std::fs::write(&evil, b"\x89PNG\r\n\x1a\n broken").unwrap();
    let o = tomas(&["hash", evil.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(!err.contains('\x1b') && !err.contains('\u{202e}'), "{err:?}");
    assert!(err.contains("red\\u{1b}[31m\\u{202e}gpj.png"), "{err}");
    let o = tomas(&["match", evil.to_str().unwrap(), "--data-dir", d]);
    assert!(!text(&o).1.contains('\x1b'), "{:?}", text(&o).1);

    // A bad line of an import file, and the file's name, both quoted in the error.
    let list = tmp.path().join("list\x1b]0;title\x07.txt");
    std::fs::write(&list, format!("{}\n\x1b[2J\x1b[Hgotcha\n", "ab".repeat(16))).unwrap();
    let o = tomas(&["bank", "import", "t1", list.to_str().unwrap(), "--data-dir", d]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(!out.contains('\x1b') && !err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
    assert!(err.contains("list\\u{1b}]0;title\\u{7}.txt") && err.contains("\\u{1b}[2J\\u{1b}[Hgotcha"), "{err}");
    assert!(err.contains("line 2"), "{err}");
    let o = tomas(&["bank", "import", "t1", tmp.path().join("gone\x1b[0m").to_str().unwrap(), "--data-dir", d]);
    assert!(text(&o).1.contains("gone\\u{1b}[0m"), "{}", text(&o).1);

    // Labels and sources from an import file, shown by `match`.
    let Some(shared) = shared() else { return };
    let png = shared.join("pdq/images/pen-and-coaster.png");
    let named = tmp.path().join("tab\there\x1b[1m.png");
    std::fs::copy(&png, &named).unwrap();
    let md5 = media::Digests::of(&std::fs::read(&png).unwrap()).md5_hex();
    let csv = tmp.path().join("l.csv");
    std::fs::write(&csv, format!("md5,label,source\n{md5},\"a\x1b[5mb\",\"s\u{9b}1m\"\n")).unwrap();
    let o = tomas(&["bank", "import", "t2", csv.to_str().unwrap(), "--data-dir", d]);
    assert!(o.status.success(), "{}", text(&o).1);
    let o = tomas(&["match", named.to_str().unwrap(), "--data-dir", d]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(!out.contains('\x1b') && !out.contains('\u{9b}'), "{out:?}");
    assert!(out.contains("tab\\there\\u{1b}[1m.png\tt2\tmd5") && out.contains("label=a\\u{1b}[5mb"), "{out}");
    // Machine-readable output keeps its own quoting: JSON escapes, the CSV of a pipe is verbatim.
    let o = tomas(&["match", named.to_str().unwrap(), "--json", "--data-dir", d]);
    assert!(text(&o).0.contains("tab\\there\\u001b[1m.png"), "{}", text(&o).0);
    let o = tomas(&["hash", named.to_str().unwrap()]);
    assert!(text(&o).0.contains(&format!(",{}", named.display())), "{}", text(&o).0);
}

#[test]
fn bank_list_marks_truncated_and_damaged_banks() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let list = data.path().join("list.txt");
    std::fs::write(&list, md5_list(50)).unwrap();
    for name in ["cut", "flipped", "good"] {
        assert!(tomas(&["bank", "import", name, list.to_str().unwrap(), "--data-dir", d]).status.success());
    }
    let banks = data.path().join("banks");
    let cut = std::fs::read(banks.join("cut.bank")).unwrap();
    std::fs::write(banks.join("cut.bank"), &cut[..cut.len() - 40]).unwrap();
    let mut flipped = std::fs::read(banks.join("flipped.bank")).unwrap();
    let at = flipped.len() - 100;
    flipped[at] ^= 0x04;
    std::fs::write(banks.join("flipped.bank"), &flipped).unwrap();

    let o = tomas(&["bank", "list", "--data-dir", d]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    let row = |name: &str| out.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap().to_owned();
    for name in ["cut", "flipped"] {
        let r = row(name);
        assert!(r.contains("damaged") && !r.contains("50"), "{r}");
    }
    assert!(row("good").contains("enabled") && row("good").contains(" 50 "), "{out}");
    assert!(err.contains("cut.bank is damaged: truncated"), "{err}");
    assert!(err.contains("flipped.bank is damaged: checksum mismatch"), "{err}");
    let o = tomas(&["bank", "list", "--json", "--data-dir", d]);
    assert_eq!(o.status.code(), Some(1));
    let rows: Vec<serde_json::Value> = text(&o).0.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows[0]["damage"].as_str().unwrap().contains("truncated") && rows[0]["counts"].is_null());
    assert!(rows[1]["damage"].as_str().unwrap().contains("checksum") && rows[1]["counts"].is_null());
    assert!(rows[2]["damage"].is_null() && rows[2]["counts"]["md5"] == 50);
    let o = tomas(&["bank", "verify", "flipped", "--data-dir", d]);
    assert_eq!(o.status.code(), Some(1));
}
