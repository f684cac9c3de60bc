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
