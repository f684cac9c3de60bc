//! Official texts a user imported (e.g. from EUR-Lex), kept in their data directory beside — never
//! inside — the shipped corpus, which carries our own summaries.
//!
//! One JSON file per instrument version: `<data-dir>/overlays/<instrument>@<version>.json`.
//! [`apply`] copies the texts onto the matching provisions of a loaded corpus.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

use crate::{Corpus, eurlex::Imported};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Overlay {
    pub instrument: String,
    pub version: String,
    /// BCP 47 language tag of the texts.
    pub language: String,
    /// Where the text came from (the imported file's name).
    pub source: String,
    pub imported_at: String,
    pub provisions: Vec<Imported>,
}

/// Each message is complete (it includes the underlying error's text), so no variant reports a
/// `source()`: printing the error chain shows every cause once.
#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    #[error("{path}: {error}")]
    Io { path: PathBuf, error: io::Error },
    #[error("{path}: not a TOMAS overlay file: {error}")]
    Json { path: PathBuf, error: serde_json::Error },
}

pub fn overlay_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("overlays")
}

/// Where the overlay of one instrument version lives (one per version, whatever its language).
pub fn overlay_path(data_dir: &Path, instrument: &str, version: &str) -> PathBuf {
    overlay_dir(data_dir).join(file_name(instrument, version))
}

fn file_name(instrument: &str, version: &str) -> String {
    format!("{instrument}@{version}.json")
}

impl Overlay {
    pub fn file_name(&self) -> String {
        file_name(&self.instrument, &self.version)
    }

    /// Writes atomically (temporary file, then rename): a failed write leaves the old overlay intact.
    pub fn save(&self, data_dir: &Path) -> Result<PathBuf, OverlayError> {
        let dir = overlay_dir(data_dir);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |error| OverlayError::Io { path, error }
        };
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(self.file_name());
        let tmp = dir.join(format!(".{}.tmp", self.file_name()));
        let json = serde_json::to_vec_pretty(self).map_err(|error| OverlayError::Json { path: path.clone(), error })?;
        fs::write(&tmp, json).map_err(io(&tmp))?;
        fs::rename(&tmp, &path).map_err(io(&path))?;
        Ok(path)
    }
}

/// Every overlay in `data_dir` (none when the directory does not exist).
pub fn load_all(data_dir: &Path) -> Result<Vec<Overlay>, OverlayError> {
    let dir = overlay_dir(data_dir);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(OverlayError::Io { path: dir, error }),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    paths.sort();
    paths.iter().map(|p| load(p)).collect()
}

/// One overlay file.
pub fn load(path: &Path) -> Result<Overlay, OverlayError> {
    let bytes = fs::read(path).map_err(|error| OverlayError::Io { path: path.to_path_buf(), error })?;
    serde_json::from_slice(&bytes).map_err(|error| OverlayError::Json { path: path.to_path_buf(), error })
}

/// Puts the overlays' texts on the corpus provisions they name; returns how many were attached.
pub fn apply(corpus: &mut Corpus, overlays: &[Overlay]) -> usize {
    let mut attached = 0;
    for o in overlays {
        let Some(instrument) = corpus.instruments.iter_mut().find(|i| i.id == o.instrument && i.version == o.version)
        else {
            continue;
        };
        for p in &o.provisions {
            if let Some(target) = instrument.provisions.iter_mut().find(|t| t.eid == p.eid) {
                target.text.insert(o.language.clone(), p.text.clone());
                attached += 1;
            }
        }
    }
    attached
}
