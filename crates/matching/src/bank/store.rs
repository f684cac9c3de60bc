//! Banks on disk: one file per bank, `<data dir>/banks/<NAME>.bank`, in a compact binary format
//! that reopens millions of hashes in a fraction of a second.
//!
//! Layout (little-endian):
//! ```text
//!  0  magic "TOMASBNK"           8  version u32 (1)         12  flags u32 (1 enabled, 2 negative)
//! 16  entries per kind [u64; 5] (pdq, md5, sha1, sha256, url)   56  disabled entries u64
//! 64  body length u64          72  CRC-32 of bytes 0..72 and the body    76  reserved u32
//! 80  body: name, provenance table, kinds [u8; n], enabled bits [u64; ⌈n/64⌉],
//!     provenance index [u32; n], then the values of each hash kind in entry order
//!     (32, 16, 20, 32 bytes each), then the URLs (u32 length + UTF-8 each)
//! ```
//! Strings are a u32 length and UTF-8 bytes. Files are written atomically: a temporary file in the
//! same directory, fsync, rename, fsync of the directory. A file whose checksum, version or
//! lengths disagree is refused with an error naming it; it is never half-read. So is a file whose
//! stored bank name is not its file name (a copied file would otherwise change the original's bank).
//!
//! Writers take the store's lock first ([`BankStore::lock`]: an advisory lock on `banks/.lock`,
//! released when the [`WriteLock`] is dropped or the process dies), and read, change and write a
//! bank while holding it, so two imports at once both end up in the bank: the second waits for
//! the first and applies its change on top. Readers need no lock: a rename replaces a file whole.
//! Temporary files are only written under the lock, so any found by whoever takes it were left
//! by a writer that died (`kill -9`, power loss), and are removed then.

use std::fs;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::{Bank, Entry, Kind, Provenance, Value};

const MAGIC: &[u8; 8] = b"TOMASBNK";
const VERSION: u32 = 1;
const HEADER: usize = 80;
const KIND_ORDER: [Kind; 5] = [Kind::Pdq, Kind::Md5, Kind::Sha1, Kind::Sha256, Kind::Url];
/// The lock file in the banks directory (not a bank: bank files end in `.bank`).
const LOCK_FILE: &str = ".lock";

/// Each variant's message is complete (it includes the I/O error's text), so none of them
/// reports a `source()`: printing an error chain shows every cause once.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {error}")]
    Io { path: PathBuf, error: io::Error },
    #[error("{path} is not a usable bank file: {what}")]
    Corrupt { path: PathBuf, what: String },
    #[error("no bank named '{0}' (see `tomas bank list`)")]
    NoSuchBank(String),
    #[error(transparent)]
    Name(#[from] super::BadName),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |error| StoreError::Io { path: path.to_owned(), error }
}

/// The header of a bank file: enough for `tomas bank list` without reading the entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub name: String,
    pub enabled: bool,
    pub negative: bool,
    /// Entries per kind, in the order of [`Kind::ALL`].
    pub counts: [u64; 5],
    pub disabled_entries: u64,
    pub file_bytes: u64,
    /// Why the counts above cannot be trusted: the file's length, or its checksum when it was
    /// checked ([`BankStore::summary_checked`]), disagrees with its header. `None` if it agrees.
    pub damage: Option<String>,
}

/// The banks in one data directory.
#[derive(Debug, Clone)]
pub struct BankStore {
    dir: PathBuf,
}

impl BankStore {
    /// The banks under `data_dir/banks` (created on first save).
    pub fn new(data_dir: &Path) -> BankStore {
        BankStore { dir: data_dir.join("banks") }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.bank"))
    }

    pub fn exists(&self, name: &str) -> bool {
        self.path(name).is_file()
    }

    /// Names of the stored banks, sorted.
    pub fn names(&self) -> Result<Vec<String>, StoreError> {
        let rd = match fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(&self.dir)(e)),
        };
        let mut names = Vec::new();
        for entry in rd {
            let entry = entry.map_err(io_err(&self.dir))?;
            let file = entry.file_name();
            let Some(file) = file.to_str() else { continue };
            if let Some(name) = file.strip_suffix(".bank")
                && super::check_name(name).is_ok()
            {
                names.push(name.to_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    pub fn load(&self, name: &str) -> Result<Bank, StoreError> {
        super::check_name(name)?;
        let path = self.path(name);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(StoreError::NoSuchBank(name.to_owned()));
            }
            Err(e) => return Err(io_err(&path)(e)),
        };
        let bank = decode(&bytes).map_err(|what| StoreError::Corrupt { path: path.clone(), what })?;
        check_stored_name(&path, name, &bank.name)?;
        Ok(bank)
    }

    pub fn load_all(&self) -> Result<Vec<Bank>, StoreError> {
        self.names()?.iter().map(|n| self.load(n)).collect()
    }

    /// Reads only the header and the name, and compares the file's length with the one the
    /// header gives (no checksum: see [`BankStore::summary_checked`]).
    pub fn summary(&self, name: &str) -> Result<Summary, StoreError> {
        self.summary_with(name, false)
    }

    /// [`BankStore::summary`], and the checksum of the whole file, read in small pieces (memory
    /// stays flat; the time is that of reading the file once, far less than loading the bank).
    /// A damaged file is a summary with [`Summary::damage`] set, not an error.
    pub fn summary_checked(&self, name: &str) -> Result<Summary, StoreError> {
        self.summary_with(name, true)
    }

    fn summary_with(&self, name: &str, checksum: bool) -> Result<Summary, StoreError> {
        super::check_name(name)?;
        let path = self.path(name);
        let corrupt = |what| StoreError::Corrupt { path: path.clone(), what };
        let mut f = fs::File::open(&path).map_err(io_err(&path))?;
        let len = f.metadata().map_err(io_err(&path))?.len();
        // The header and the longest name (a u32 length and at most 64 bytes); a shorter file
        // is reported as truncated by the parsers, not as an I/O error.
        let mut head = Vec::with_capacity(HEADER + 4 + 64);
        (&f).take((HEADER + 4 + 64) as u64).read_to_end(&mut head).map_err(io_err(&path))?;
        let h = Header::parse(&head).map_err(corrupt)?;
        let mut r = Reader { b: &head[HEADER..], at: 0 };
        let stored = r.string().map_err(corrupt)?;
        check_stored_name(&path, name, &stored)?;
        let body = len.saturating_sub(HEADER as u64);
        let mut damage = (body != h.body_len).then(|| body_length_damage(h.body_len, body));
        if damage.is_none() && checksum && file_crc(&mut f).map_err(io_err(&path))? != h.crc {
            damage = Some(CHECKSUM_DAMAGE.to_owned());
        }
        Ok(Summary {
            name: stored,
            enabled: h.flags & 1 != 0,
            negative: h.flags & 2 != 0,
            counts: h.counts,
            disabled_entries: h.disabled,
            file_bytes: len,
            damage,
        })
    }

    /// Takes the store's write lock, waiting for whoever holds it (another `tomas`, or another
    /// thread) to release it, then removes the temporary files of writers that died. Read the
    /// bank to change through the lock, after taking it, so no other writer's change is lost.
    pub fn lock(&self) -> Result<WriteLock<'_>, StoreError> {
        let (file, path) = self.lock_file()?;
        file.lock().map_err(io_err(&path))?;
        self.locked(file)
    }

    /// [`BankStore::lock`] without waiting: `None` if another writer holds the lock.
    pub fn try_lock(&self) -> Result<Option<WriteLock<'_>>, StoreError> {
        let (file, path) = self.lock_file()?;
        match file.try_lock() {
            Ok(()) => self.locked(file).map(Some),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(io_err(&path)(e)),
        }
    }

    fn lock_file(&self) -> Result<(fs::File, PathBuf), StoreError> {
        fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        let path = self.dir.join(LOCK_FILE);
        let file =
            fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io_err(&path))?;
        Ok((file, path))
    }

    fn locked(&self, file: fs::File) -> Result<WriteLock<'_>, StoreError> {
        let lock = WriteLock { store: self, _file: file };
        lock.remove_stale_temporaries()?;
        Ok(lock)
    }

    /// Writes the bank atomically, under the lock (a shorthand for `lock()?.save(bank)`: to
    /// change a stored bank, load it through [`BankStore::lock`] instead).
    pub fn save(&self, bank: &Bank) -> Result<(), StoreError> {
        self.lock()?.save(bank)
    }

    /// Deletes a bank's file, under the lock.
    pub fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.lock()?.delete(name)
    }
}

/// The store's write lock, held until dropped. Every change to a bank file goes through one.
#[derive(Debug)]
pub struct WriteLock<'a> {
    store: &'a BankStore,
    _file: fs::File,
}

impl WriteLock<'_> {
    pub fn store(&self) -> &BankStore {
        self.store
    }

    /// The bank as it is now that no one else can change it.
    pub fn load(&self, name: &str) -> Result<Bank, StoreError> {
        self.store.load(name)
    }

    /// Writes the bank atomically (temporary file, fsync, rename, fsync of the directory).
    pub fn save(&self, bank: &Bank) -> Result<(), StoreError> {
        super::check_name(&bank.name)?;
        let dir = &self.store.dir;
        let path = self.store.path(&bank.name);
        let tmp = dir.join(format!(".{}{TMP_MARK}{}", bank.name, std::process::id()));
        let bytes = encode(bank);
        let result = (|| {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, &path)?;
            fs::File::open(dir)?.sync_all()
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(io_err(&path))
    }

    /// Deletes a bank's file.
    pub fn delete(&self, name: &str) -> Result<(), StoreError> {
        super::check_name(name)?;
        let path = self.store.path(name);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(StoreError::NoSuchBank(name.to_owned())),
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    /// Removes `.NAME.bank.tmp.PID` files: with the lock held, no live writer is writing one.
    fn remove_stale_temporaries(&self) -> Result<(), StoreError> {
        let dir = &self.store.dir;
        for entry in fs::read_dir(dir).map_err(io_err(dir))? {
            let entry = entry.map_err(io_err(dir))?;
            let file = entry.file_name();
            let Some(file) = file.to_str() else { continue };
            if !(file.starts_with('.') && file.contains(TMP_MARK)) {
                continue;
            }
            let path = entry.path();
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(&path)(e)),
            }
        }
        Ok(())
    }
}

/// What a temporary file's name holds between the bank's name and the writer's process id.
const TMP_MARK: &str = ".bank.tmp.";
const CHECKSUM_DAMAGE: &str = "checksum mismatch (the file is damaged)";

fn body_length_damage(promised: u64, found: u64) -> String {
    let truncated = if found < promised { "truncated: " } else { "" };
    format!("{truncated}the header says {promised} body bytes, the file has {found}")
}

/// The CRC-32 a bank file's header should hold: of bytes 0..72 and of the body, read from the
/// start of `f` in 1 MiB pieces.
fn file_crc(f: &mut fs::File) -> io::Result<u32> {
    f.rewind()?;
    let mut crc = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    f.read_exact(&mut buf[..HEADER])?;
    crc.update(&buf[..72]);
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        crc.update(&buf[..n]);
    }
    Ok(crc.finalize())
}

/// A bank file must hold the bank it is named after: `cp a.bank b.bank` followed by a change to
/// bank `b` would otherwise save bank `a` over `a.bank`.
fn check_stored_name(path: &Path, file_name: &str, stored: &str) -> Result<(), StoreError> {
    if stored == file_name {
        return Ok(());
    }
    Err(StoreError::Corrupt {
        path: path.to_owned(),
        what: format!(
            "it holds bank '{stored}', not '{file_name}' (a bank file must be named after the bank it \
             holds: keep copies outside this directory)"
        ),
    })
}

struct Header {
    flags: u32,
    counts: [u64; 5],
    disabled: u64,
    body_len: u64,
    crc: u32,
}

impl Header {
    fn parse(b: &[u8]) -> Result<Header, String> {
        if b.len() < HEADER {
            return Err(format!("truncated: {} bytes, shorter than the {HEADER}-byte header", b.len()));
        }
        if &b[..8] != MAGIC {
            return Err("it does not start with TOMASBNK".into());
        }
        let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let u64_at = |i: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[i..i + 8]);
            u64::from_le_bytes(a)
        };
        let version = u32_at(8);
        if version != VERSION {
            return Err(format!("format version {version}; this build reads version {VERSION}"));
        }
        let mut counts = [0u64; 5];
        for (i, c) in counts.iter_mut().enumerate() {
            *c = u64_at(16 + 8 * i);
        }
        Ok(Header { flags: u32_at(12), counts, disabled: u64_at(56), body_len: u64_at(64), crc: u32_at(72) })
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn encode(bank: &Bank) -> Vec<u8> {
    let n = bank.entries.len();
    let mut counts = [0u64; 5];
    for e in &bank.entries {
        counts[kind_index(e.value.kind())] += 1;
    }
    let disabled = bank.entries.iter().filter(|e| !e.enabled).count() as u64;
    let mut body = Vec::with_capacity(n * 38 + 1024);
    put_str(&mut body, &bank.name);
    body.extend_from_slice(&(bank.provenance.len() as u32).to_le_bytes());
    for p in &bank.provenance {
        put_str(&mut body, &p.source);
        body.extend_from_slice(&p.imported_at.to_le_bytes());
        put_str(&mut body, &p.label);
    }
    body.extend_from_slice(&(n as u64).to_le_bytes());
    body.extend(bank.entries.iter().map(|e| kind_index(e.value.kind()) as u8));
    for chunk in bank.entries.chunks(64) {
        let mut w = 0u64;
        for (i, e) in chunk.iter().enumerate() {
            w |= u64::from(e.enabled) << i;
        }
        body.extend_from_slice(&w.to_le_bytes());
    }
    for e in &bank.entries {
        body.extend_from_slice(&e.provenance.to_le_bytes());
    }
    for kind in &KIND_ORDER[..4] {
        for e in bank.entries.iter().filter(|e| e.value.kind() == *kind) {
            body.extend_from_slice(e.value.bytes());
        }
    }
    for e in &bank.entries {
        if let Value::Url(u) = &e.value {
            put_str(&mut body, u);
        }
    }

    let mut out = Vec::with_capacity(HEADER + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    let flags = u32::from(bank.enabled) | u32::from(bank.negative) << 1;
    out.extend_from_slice(&flags.to_le_bytes());
    for c in counts {
        out.extend_from_slice(&c.to_le_bytes());
    }
    out.extend_from_slice(&disabled.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&out);
    crc.update(&body);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&body);
    out
}

fn kind_index(k: Kind) -> usize {
    KIND_ORDER.iter().position(|x| *x == k).unwrap_or(4)
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.b.len());
        let Some(end) = end else {
            return Err(format!("truncated: needs {n} bytes at body offset {}", self.at));
        };
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, String> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    fn string(&mut self) -> Result<String, String> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| format!("a string at body offset {} is not UTF-8", self.at - n))
    }
}

fn decode(bytes: &[u8]) -> Result<Bank, String> {
    let h = Header::parse(bytes)?;
    let body = &bytes[HEADER..];
    if body.len() as u64 != h.body_len {
        return Err(body_length_damage(h.body_len, body.len() as u64));
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(&bytes[..72]);
    crc.update(body);
    if crc.finalize() != h.crc {
        return Err(CHECKSUM_DAMAGE.into());
    }
    let mut r = Reader { b: body, at: 0 };
    let name = r.string()?;
    let nprov = r.u32()? as usize;
    let mut provenance = Vec::with_capacity(nprov.min(1 << 20));
    for _ in 0..nprov {
        let source = r.string()?;
        let imported_at = r.u64()? as i64;
        let label = r.string()?;
        provenance.push(Provenance { source, imported_at, label });
    }
    let too_large = || "entry counts too large for this file".to_string();
    let n = usize::try_from(r.u64()?).map_err(|_| too_large())?;
    let total = h.counts.iter().try_fold(0u64, |sum, c| sum.checked_add(*c));
    if total != Some(n as u64) {
        return Err("entry counts in header and body disagree".into());
    }
    let kinds = r.take(n)?;
    let enabled = r.take(n.div_ceil(64).checked_mul(8).ok_or_else(too_large)?)?;
    let provs = r.take(n.checked_mul(4).ok_or_else(too_large)?)?;
    let mut sections: [&[u8]; 4] = [&[]; 4];
    for (i, kind) in KIND_ORDER[..4].iter().enumerate() {
        let len = usize::try_from(h.counts[i]).ok().and_then(|c| c.checked_mul(kind.width()));
        sections[i] = r.take(len.ok_or_else(too_large)?)?;
    }
    let mut cursor = [0usize; 4];
    let mut entries = Vec::with_capacity(n);
    for i in 0..n {
        let k = kinds[i] as usize;
        let value = if k < 4 {
            let w = KIND_ORDER[k].width();
            let at = cursor[k];
            cursor[k] += w;
            let slice = sections[k].get(at..at + w).ok_or("more entries than values")?;
            Value::from_bytes(KIND_ORDER[k], slice).ok_or("bad value width")?
        } else if k == 4 {
            Value::Url(r.string()?)
        } else {
            return Err(format!("entry {i} has unknown kind {k}"));
        };
        let p = u32::from_le_bytes([provs[4 * i], provs[4 * i + 1], provs[4 * i + 2], provs[4 * i + 3]]);
        if p as usize >= provenance.len() {
            return Err(format!("entry {i} refers to provenance {p}, the file has {}", provenance.len()));
        }
        let on = enabled[i / 8] >> (i % 8) & 1 == 1;
        entries.push(Entry { value, provenance: p, enabled: on });
    }
    if r.at != body.len() {
        return Err(format!("{} bytes left over after the last entry", body.len() - r.at));
    }
    Ok(Bank { name, negative: h.flags & 2 != 0, enabled: h.flags & 1 != 0, provenance, entries })
}
