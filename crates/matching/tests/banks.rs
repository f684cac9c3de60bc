//! Bank imports in every format, the on-disk store, and matching with negative banks — on real
//! files in a fresh temporary directory. All hashes are synthetic.

use std::path::PathBuf;

use matching::bank::import::{self, Format, Options};
use matching::bank::store::{BankStore, StoreError};
use matching::bank::{Bank, Kind, Record, Value};
use matching::matcher::{Matcher, Query};
use matching::synth::{self, Rng};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let mut rng = Rng::new(std::process::id() as u64 ^ tag.len() as u64);
        let p = std::env::temp_dir().join(format!("tomas-banks-{tag}-{}-{:x}", std::process::id(), rng.next_u64()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn parse(text: &str, format: Format) -> Result<Vec<Record>, import::ImportError> {
    import::parse(text, Options { format, kind: None, file: "input" })
}

fn md5(i: u8) -> String {
    format!("{i:02x}").repeat(16)
}

#[test]
fn text_with_types_comments_and_kinds() {
    let pdq = synth::database(1, 1)[0].to_hex();
    let text = format!(
        "# a list\n{}\n\n{pdq}\npdq {pdq}\nurl https://example.invalid/x\nsha256 {}\n",
        md5(1),
        "ab".repeat(32)
    );
    let recs = parse(&text, Format::Text).unwrap();
    let kinds: Vec<Kind> = recs.iter().map(|r| r.value.kind()).collect();
    assert_eq!(kinds, [Kind::Md5, Kind::Pdq, Kind::Pdq, Kind::Url, Kind::Sha256]);
    // --kind sha256 reads bare 64-digit values as SHA-256.
    let recs = import::parse(&pdq, Options { format: Format::Text, kind: Some(Kind::Sha256), file: "x" }).unwrap();
    assert_eq!(recs[0].value.kind(), Kind::Sha256);
}

#[test]
fn bad_lines_are_all_reported_and_nothing_is_returned() {
    let text = format!("{}\nzz\n{}\n{}\nmd5 {}\n", md5(1), md5(2), "f".repeat(63), md5(3));
    let err = parse(&text, Format::Text).unwrap_err();
    assert_eq!(err.errors.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 4]);
    let shown = err.to_string();
    assert!(shown.contains("line 2") && shown.contains("line 4") && shown.contains("nothing was imported"), "{shown}");
    assert!(parse("# only a comment\n", Format::Text).unwrap_err().to_string().contains("no hashes"));
}

#[test]
fn csv_with_header_columns_labels_and_quotes() {
    let pdq = synth::database(2, 1)[0].to_hex();
    let text = format!(
        "MD5,SHA1,pdq,Classification,source\n{},{},{pdq},baseline,\"hotline, RS\"\n{},,,national,\n",
        md5(4),
        "cd".repeat(20),
        md5(5)
    );
    let recs = parse(&text, Format::Csv).unwrap();
    assert_eq!(recs.len(), 4);
    assert_eq!(recs[0].label, "baseline");
    assert_eq!(recs[0].source, "hotline, RS");
    assert_eq!(recs[3].label, "national");
    // Generic hash + type columns.
    let recs = parse(&format!("hash,type,label\n{},md5,not-illegal\n", md5(6)), Format::Csv).unwrap();
    assert_eq!((recs[0].value.kind(), recs[0].label.as_str()), (Kind::Md5, "not-illegal"));
    // Errors carry the line the record starts on.
    let err = parse(&format!("md5,label\n\"{}\",\"two\nlines\"\nnope,x\n", md5(7)), Format::Csv).unwrap_err();
    assert_eq!(err.errors[0].line, 4, "{err}");
    let err = parse("name,size\na,1\n", Format::Csv).unwrap_err();
    assert!(err.to_string().contains("names no hash column"));
}

#[test]
fn project_vic_vics_1_3_and_2_0() {
    let v2 = format!(
        r#"{{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media",
  "value":[
    {{"MediaID":1,"Category":1,"MD5":"{}","SHA1":"{}","IsPrecategorized":true}},
    {{"MediaID":2,"Category":null,"MD5":"{}","MediaFiles":[{{"MD5":"{}","FileName":"a.jpg"}}]}}
  ]}}"#,
        md5(8).to_uppercase(),
        "EF".repeat(20),
        md5(9),
        md5(10)
    );
    let recs = parse(&v2, Format::Vics).unwrap();
    assert_eq!(recs.len(), 4);
    assert_eq!(recs[0].label, "vics:1");
    assert_eq!(recs[0].value.to_string(), md5(8));
    assert_eq!(recs[2].label, "");
    let v13 = format!(
        r#"{{"odata.metadata":"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases",
  "value":[{{"CaseID":1,"Media":[{{"MediaID":1,"Category":2,"MD5":"{}"}}]}}]}}"#,
        md5(11)
    );
    assert_eq!(parse(&v13, Format::Vics).unwrap()[0].label, "vics:2");
    let bad = "{\"value\":[\n{\"MD5\":\"abc\"}\n]}";
    let err = parse(bad, Format::Vics).unwrap_err();
    assert_eq!(err.errors[0].line, 2, "{err}");
    assert!(parse("{\"value\": [", Format::Vics).unwrap_err().to_string().contains("not valid JSON"));
}

#[test]
fn ncmec_hash_sharing_xml() {
    let pdq = synth::database(3, 1)[0].to_hex();
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
    <images count="2" maxTimestamp="2017-10-24T15:10:00Z">
        <image>
            <member id="42">Example Member</member>
            <timestamp>2017-10-24T15:00:00Z</timestamp>
            <id>image1</id>
            <classification>A1</classification>
            <fingerprints>
                <md5>{}</md5>
                <sha1>{}</sha1>
                <pdna>a1a1...</pdna>
                <pdq>{pdq}</pdq>
            </fingerprints>
        </image>
        <deletedImage><member id="43">Other</member><id>image4</id></deletedImage>
    </images>
    <videos count="1"><video><member id="42">Example Member</member><id>v1</id>
        <classification>B2</classification>
        <fingerprints><md5>{}</md5><tmk-pdqf rel="self" href="/x"/></fingerprints></video></videos>
</queryResult>"#,
        md5(12),
        "a1".repeat(20),
        md5(13)
    );
    let recs = parse(&xml, Format::Ncmec).unwrap();
    let kinds: Vec<Kind> = recs.iter().map(|r| r.value.kind()).collect();
    assert_eq!(kinds, [Kind::Md5, Kind::Sha1, Kind::Pdq, Kind::Md5]);
    assert_eq!(recs[0].label, "A1");
    assert_eq!(recs[0].source, "NCMEC member 42 Example Member");
    assert_eq!(recs[3].label, "B2");
    let bad = xml.replace(&md5(13), "xyz");
    let err = parse(&bad, Format::Ncmec).unwrap_err();
    assert_eq!(err.errors[0].line, 20, "{err}");
}

#[test]
fn threatexchange_simple_files() {
    let [a, b] = [0, 1].map(|i| synth::database(4, 2)[i].to_hex());
    let cli = format!("{a},1234,2020-07-31T18:47:45+0000,media_type_photo csam\n");
    let recs =
        import::parse(&cli, Options { format: Format::ThreatExchange, kind: None, file: "d/simple.HASH_PDQ.te" })
            .unwrap();
    assert_eq!((recs[0].value.kind(), recs[0].label.as_str()), (Kind::Pdq, "media_type_photo csam"));
    let hma = format!("indicator,indicator_id,descriptor_id,added_on,labels\n{b},1,2,2021-01-01,lbl\n");
    let recs = import::parse(&hma, Options { format: Format::ThreatExchange, kind: None, file: "simple.HASH_PDQ.te" })
        .unwrap();
    assert_eq!(recs.len(), 1);
    let md5s = format!("{},1,2,\n", md5(14));
    let recs = import::parse(&md5s, Options { format: Format::ThreatExchange, kind: None, file: "simple.HASH_MD5.te" })
        .unwrap();
    assert_eq!(recs[0].value.kind(), Kind::Md5);
    assert!(
        import::parse("x,1,2\n", Options { format: Format::ThreatExchange, kind: None, file: "simple.HASH_PDQ.te" })
            .is_err()
    );
    assert_eq!(Format::from_file_name("simple.HASH_PDQ.te"), Format::ThreatExchange);
}

fn sample_bank(name: &str, negative: bool, n: usize, seed: u64) -> Bank {
    let mut bank = Bank::new(name, negative).unwrap();
    let mut recs: Vec<Record> = synth::database(seed, n)
        .into_iter()
        .map(|h| Record { value: Value::Pdq(h), label: String::new(), source: String::new() })
        .collect();
    recs.push(Record {
        value: Value::parse(Kind::Md5, &md5(seed as u8)).unwrap(),
        label: "A1".into(),
        source: "m".into(),
    });
    recs.push(Record {
        value: Value::Url("https://example.invalid/a b".replace(' ', "%20")),
        label: String::new(),
        source: String::new(),
    });
    bank.add(recs, "list.txt", 1_700_000_000, "baseline");
    bank
}

#[test]
fn store_round_trip_atomic_and_checked() {
    let dir = TempDir::new("store");
    let store = BankStore::new(&dir.0);
    assert!(store.names().unwrap().is_empty());
    let mut bank = sample_bank("ICCAM_baseline", false, 5_000, 5);
    bank.entries[3].enabled = false;
    store.save(&bank).unwrap();
    store.save(&sample_bank("FP", true, 10, 6)).unwrap();
    assert_eq!(store.names().unwrap(), ["FP", "ICCAM_baseline"]);
    let back = store.load("ICCAM_baseline").unwrap();
    assert_eq!(back, bank);
    let s = store.summary("ICCAM_baseline").unwrap();
    assert_eq!((s.counts, s.disabled_entries, s.negative), ([5_000, 1, 0, 0, 1], 1, false));
    assert!(store.summary("FP").unwrap().negative);
    // No temporary files are left behind (`.lock` is the writers' lock file).
    let files: Vec<_> = std::fs::read_dir(store.dir()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(files.iter().all(|f| f.to_str().is_some_and(|f| f.ends_with(".bank") || f == ".lock")), "{files:?}");

    // A damaged byte, a truncated file, a wrong version: refused with the file named.
    let path = store.path("ICCAM_baseline");
    let good = std::fs::read(&path).unwrap();
    let mut bad = good.clone();
    bad[good.len() / 2] ^= 1;
    std::fs::write(&path, &bad).unwrap();
    let err = store.load("ICCAM_baseline").unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }) && err.to_string().contains("checksum"), "{err}");
    assert!(err.to_string().contains("ICCAM_baseline.bank"));
    std::fs::write(&path, &good[..good.len() - 7]).unwrap();
    assert!(store.load("ICCAM_baseline").unwrap_err().to_string().contains("body bytes"));
    let mut v2 = good.clone();
    v2[8] = 2;
    std::fs::write(&path, &v2).unwrap();
    assert!(store.load("ICCAM_baseline").unwrap_err().to_string().contains("version 2"));
    assert!(matches!(store.load("nope"), Err(StoreError::NoSuchBank(_))));
    assert!(store.load("../x").is_err());
}

/// Rewrites a bank file's CRC after a change to its bytes, as a damaged-but-consistent file would be.
fn fix_crc(bytes: &mut [u8]) {
    let mut crc = crc32fast::Hasher::new();
    crc.update(&bytes[..72]);
    crc.update(&bytes[80..]);
    let crc = crc.finalize().to_le_bytes();
    bytes[72..76].copy_from_slice(&crc);
}

#[test]
fn damaged_counts_and_truncated_files_are_refused_with_the_file_named() {
    let dir = TempDir::new("damaged");
    let store = BankStore::new(&dir.0);
    store.save(&sample_bank("t1", false, 100, 7)).unwrap();
    let path = store.path("t1");
    let good = std::fs::read(&path).unwrap();
    // Header counts whose sum overflows, with the checksum recomputed.
    for counts in [[u64::MAX, 2, 0, 0, 0], [u64::MAX / 32 + 1, 0, 0, 0, 0], [1 << 62, 1 << 62, 1 << 62, 1 << 62, 0]] {
        let mut bad = good.clone();
        for (i, c) in counts.iter().enumerate() {
            bad[16 + 8 * i..24 + 8 * i].copy_from_slice(&c.to_le_bytes());
        }
        fix_crc(&mut bad);
        std::fs::write(&path, &bad).unwrap();
        let err = store.load("t1").unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("t1.bank"), "{err}");
    }
    // A huge entry count in the body.
    let mut bad = good.clone();
    let at = 80 + bad[80..].windows(8).position(|w| w == 102u64.to_le_bytes()).unwrap();
    bad[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    fix_crc(&mut bad);
    std::fs::write(&path, &bad).unwrap();
    assert!(matches!(store.load("t1"), Err(StoreError::Corrupt { .. })));
    // Empty and truncated files: "truncated", with the file named, from load and from summary.
    for len in [0, 5, 79, 81, 83] {
        std::fs::write(&path, &good[..len]).unwrap();
        for err in [store.load("t1").unwrap_err(), store.summary("t1").unwrap_err()] {
            let shown = err.to_string();
            assert!(matches!(err, StoreError::Corrupt { .. }), "{len}: {shown}");
            assert!(shown.contains("t1.bank") && shown.contains("truncated"), "{len}: {shown}");
        }
    }
    std::fs::write(&path, &good[..good.len() - 1]).unwrap();
    assert!(store.load("t1").unwrap_err().to_string().contains("truncated"));
}

#[test]
fn a_bank_file_must_hold_the_bank_it_is_named_after() {
    let dir = TempDir::new("renamed");
    let store = BankStore::new(&dir.0);
    store.save(&sample_bank("t1", false, 10, 8)).unwrap();
    std::fs::copy(store.path("t1"), store.path("backup")).unwrap();
    assert_eq!(store.names().unwrap(), ["backup", "t1"]);
    for err in [store.load("backup").unwrap_err(), store.summary("backup").unwrap_err()] {
        let shown = err.to_string();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{shown}");
        assert!(shown.contains("backup.bank") && shown.contains("holds bank 't1', not 'backup'"), "{shown}");
    }
    assert!(store.load_all().is_err());
    assert_eq!(store.load("t1").unwrap().name, "t1");
}

#[test]
fn io_errors_name_the_path_and_state_the_cause_once() {
    use std::error::Error;
    let dir = TempDir::new("io");
    std::fs::write(dir.0.join("banks"), "not a directory").unwrap();
    let store = BankStore::new(&dir.0);
    let err = store.save(&sample_bank("t1", false, 1, 9)).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("banks"), "{shown}");
    let cause = err.source().map(|s| s.to_string()).unwrap_or_default();
    assert!(cause.is_empty() || !shown.contains(&cause), "the cause is both in the message and its source: {shown}");
}

#[test]
fn matcher_radius_exact_kinds_negative_and_disabled() {
    let mut pos = sample_bank("POS", false, 20_000, 7);
    let other = sample_bank("OTHER", false, 100, 8);
    let stored = pos.entries[10].value.as_pdq().unwrap();
    let mut rng = Rng::new(1);
    let near = synth::flip(&mut rng, &stored, 20);
    let far = synth::flip(&mut rng, &stored, 40);
    // The same hash in a second bank: both banks report it.
    pos.entries[11].enabled = false;
    let disabled = pos.entries[11].value.as_pdq().unwrap();
    let mut dup = Bank::new("DUP", false).unwrap();
    dup.add(
        vec![Record { value: Value::Pdq(stored), label: "national".into(), source: String::new() }],
        "dup.csv",
        5,
        "",
    );

    let matcher = Matcher::new(vec![pos.clone(), other.clone(), dup.clone()]);
    let out = matcher.lookup(&Query { pdq: vec![near], ..Query::default() }, 31);
    let mut banks: Vec<_> = out.matches.iter().map(|m| (m.bank.as_str(), m.distance)).collect();
    banks.sort();
    assert_eq!(banks, [("DUP", 20), ("POS", 20)]);
    assert_eq!(out.matches[0].provenance.source, "list.txt");
    assert!(matcher.lookup(&Query { pdq: vec![far], ..Query::default() }, 31).matches.is_empty());
    assert_eq!(matcher.lookup(&Query { pdq: vec![far], ..Query::default() }, 40).matches.len(), 2);
    assert!(matcher.lookup(&Query { pdq: vec![disabled], ..Query::default() }, 0).matches.is_empty());
    // Exact kinds.
    let q = Query { md5: Some([7; 16]), ..Query::default() };
    let out = matcher.lookup(&q, 31);
    assert_eq!(out.matches.len(), 1);
    assert_eq!((out.matches[0].bank.as_str(), out.matches[0].provenance.label.as_str()), ("POS", "A1"));
    // A negative bank suppresses everything else the query matched.
    let mut neg = Bank::new("FP", true).unwrap();
    neg.add(
        vec![Record { value: Value::Pdq(near), label: String::new(), source: String::new() }],
        "fp.txt",
        9,
        "not-illegal",
    );
    let matcher = Matcher::new(vec![pos.clone(), neg.clone()]);
    let out = matcher.lookup(&Query { pdq: vec![synth::flip(&mut rng, &near, 3)], ..Query::default() }, 31);
    assert!(out.matches.is_empty());
    assert_eq!(out.negative.len(), 1);
    assert_eq!(out.suppressed.len(), 1);
    // A disabled bank matches nothing, and a disabled negative bank suppresses nothing.
    neg.enabled = false;
    pos.enabled = true;
    let matcher = Matcher::new(vec![pos, neg]);
    assert_eq!(matcher.lookup(&Query { pdq: vec![near], ..Query::default() }, 31).matches.len(), 1);
}

#[test]
fn matcher_changes_take_effect_while_lookups_go_on() {
    use std::sync::Arc;
    let pos = sample_bank("POS", false, 30_000, 9);
    let stored = pos.entries[5].value.as_pdq().unwrap();
    let matcher = Arc::new(Matcher::new(vec![pos, Bank::new("FP", true).unwrap()]));
    let q = |h| Query { pdq: vec![h], ..Query::default() };
    let mut rng = Rng::new(3);
    let fresh = synth::balanced(&mut rng);
    std::thread::scope(|s| {
        // The reader looks up until the writer is done: every answer it sees is whole
        // (the stored hash found once or, while disabled, not at all), never torn.
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let matcher = Arc::clone(&matcher);
            let done = Arc::clone(&done);
            s.spawn(move || {
                let mut seen = std::collections::BTreeSet::new();
                while !done.load(std::sync::atomic::Ordering::Acquire) {
                    seen.insert(matcher.lookup(&q(stored), 31).matches.len());
                }
                seen
            })
        };
        // Disable and re-enable a bank and an entry; add a new hash; add a false positive.
        matcher.set_bank_enabled("POS", false).unwrap();
        assert!(matcher.lookup(&q(stored), 31).matches.is_empty());
        matcher.set_bank_enabled("POS", true).unwrap();
        assert_eq!(matcher.lookup(&q(stored), 31).matches.len(), 1);
        assert_eq!(matcher.set_entry_enabled("POS", &Value::Pdq(stored), false).unwrap(), 1);
        assert!(matcher.lookup(&q(stored), 0).matches.is_empty());
        matcher.set_entry_enabled("POS", &Value::Pdq(stored), true).unwrap();

        assert!(matcher.lookup(&q(fresh), 31).matches.is_empty());
        let rec = |v: Value| Record { value: v, label: String::new(), source: String::new() };
        let added = matcher
            .add("POS", vec![rec(Value::Pdq(fresh)), rec(Value::Sha1([9; 20]))], "new.txt", 7, "national")
            .unwrap();
        assert_eq!(added.added, 2);
        let m = matcher.lookup(&q(synth::flip(&mut rng, &fresh, 5)), 31);
        assert_eq!(
            (m.matches.len(), m.matches[0].distance, m.matches[0].provenance.label.as_str()),
            (1, 5, "national")
        );
        assert_eq!(matcher.lookup(&Query { sha1: Some([9; 20]), ..Query::default() }, 31).matches.len(), 1);

        matcher.add("FP", vec![rec(Value::Pdq(fresh))], "fp.txt", 8, "not-illegal").unwrap();
        let m = matcher.lookup(&q(fresh), 31);
        assert_eq!((m.matches.len(), m.negative.len(), m.suppressed.len()), (0, 1, 1));
        matcher.compact();
        assert_eq!(matcher.lookup(&q(fresh), 31).negative.len(), 1);
        assert!(matches!(matcher.set_bank_enabled("NOPE", true), Err(matching::matcher::MatcherError::NoSuchBank(_))));
        assert_eq!(matcher.lookup(&q(stored), 31).matches.len(), 1, "compaction keeps the stored hash");
        done.store(true, std::sync::atomic::Ordering::Release);
        let seen = reader.join().unwrap();
        assert!(seen.iter().all(|&n| n <= 1), "reader saw {seen:?}");
    });
}

/// Adds `n` MD5 values (distinct per `seed`) to bank `name` as an import does: under the lock,
/// reading the bank as it is then.
fn import_md5s(store: &BankStore, name: &str, seed: u8, n: u32) {
    let lock = store.lock().unwrap();
    let mut bank = match lock.load(name) {
        Ok(b) => b,
        Err(StoreError::NoSuchBank(_)) => Bank::new(name, false).unwrap(),
        Err(e) => panic!("{e}"),
    };
    let recs = (0..n)
        .map(|i| {
            let mut v = [seed; 16];
            v[..4].copy_from_slice(&i.to_le_bytes());
            Record { value: Value::Md5(v), label: String::new(), source: String::new() }
        })
        .collect();
    bank.add(recs, "list.txt", 1, "");
    // Long enough for the other writer to be waiting when this one saves.
    std::thread::sleep(std::time::Duration::from_millis(50));
    lock.save(&bank).unwrap();
}

#[test]
fn concurrent_writers_wait_for_each_other_and_lose_nothing() {
    let dir = TempDir::new("lock");
    let store = BankStore::new(&dir.0);
    import_md5s(&store, "t1", 0, 100);
    std::thread::scope(|s| {
        for seed in 1..=4 {
            let store = store.clone();
            s.spawn(move || import_md5s(&store, "t1", seed, 2_000));
        }
    });
    assert_eq!(store.load("t1").unwrap().entries.len(), 8_100);

    // While one writer holds the lock, another cannot take it.
    let held = store.lock().unwrap();
    assert!(store.try_lock().unwrap().is_none());
    drop(held);
    assert!(store.try_lock().unwrap().is_some());
}

#[test]
fn stale_temporaries_are_removed_by_the_next_writer_only() {
    let dir = TempDir::new("stale");
    let store = BankStore::new(&dir.0);
    store.save(&sample_bank("t1", false, 10, 3)).unwrap();
    // As a writer killed between writing and renaming leaves it.
    let stale = store.dir().join(".t1.bank.tmp.4194303");
    std::fs::write(&stale, b"half a bank").unwrap();
    let held = store.lock().unwrap();
    assert!(!stale.exists(), "the lock holder removes what dead writers left");
    // One being written by the live lock holder is left alone by anyone else.
    let live = store.dir().join(format!(".t1.bank.tmp.{}", std::process::id()));
    std::fs::write(&live, b"being written").unwrap();
    assert!(store.try_lock().unwrap().is_none());
    assert!(live.exists());
    std::thread::scope(|s| {
        let waiter = s.spawn(|| store.lock().map(|_| ()));
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(live.exists() && !waiter.is_finished(), "a second writer waits, the temporary stays");
        std::fs::remove_file(&live).unwrap(); // the holder renames it into place, then unlocks
        drop(held);
        waiter.join().unwrap().unwrap();
    });
    assert_eq!(store.names().unwrap(), ["t1"]);
}

#[test]
fn summaries_mark_truncated_and_damaged_files() {
    let dir = TempDir::new("summary");
    let store = BankStore::new(&dir.0);
    store.save(&sample_bank("t1", false, 1_000, 4)).unwrap();
    assert_eq!(store.summary_checked("t1").unwrap().damage, None);
    let path = store.path("t1");
    let good = std::fs::read(&path).unwrap();
    std::fs::write(&path, &good[..good.len() - 100]).unwrap();
    for s in [store.summary("t1").unwrap(), store.summary_checked("t1").unwrap()] {
        let damage = s.damage.unwrap();
        assert!(damage.contains("truncated") && damage.contains("body bytes"), "{damage}");
    }
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x10;
    std::fs::write(&path, &flipped).unwrap();
    assert_eq!(store.summary("t1").unwrap().damage, None, "the cheap summary reads no body");
    assert!(store.summary_checked("t1").unwrap().damage.unwrap().contains("checksum"));
    // A flipped count in the header: the checksum covers the header too.
    let mut flipped = good.clone();
    flipped[16] ^= 1;
    std::fs::write(&path, &flipped).unwrap();
    assert!(store.summary_checked("t1").unwrap().damage.unwrap().contains("checksum"));
}
