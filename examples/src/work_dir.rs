//! Scratch directories of the example programs: created under the system's temporary directory,
//! removed after a successful run unless the user asks to keep them (`EXAMPLES_KEEP_FILES`), and
//! always kept after a failure so that what was written can be inspected.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::settings::Lookup;

/// Set this environment variable (to any non-empty value) to keep the files the examples write to
/// their temporary directories after a successful run.
pub const KEEP_FILES_VAR: &str = "EXAMPLES_KEEP_FILES";

/// A fresh directory under the system's temporary directory, owned by one run of an example.
///
/// It is removed only by [`WorkDir::finish`] (called after success) and only when it is not kept;
/// a run that fails before `finish` leaves it in place for inspection.
///
/// ```
/// let dir = examples::work_dir::WorkDir::create("work-dir-doc", false)?;
/// std::fs::write(dir.path().join("note.txt"), "scratch")?;
/// let path = dir.path().to_owned();
/// assert_eq!(dir.finish()?, None);
/// assert!(!path.exists());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct WorkDir {
    path: PathBuf,
    keep: bool,
}

impl WorkDir {
    /// Creates `{temp}/{prefix}-{pid}-{nanos}`; `keep` says whether [`WorkDir::finish`] leaves it.
    ///
    /// ```
    /// let dir = examples::work_dir::WorkDir::create("work-dir-create", true)?;
    /// assert!(dir.path().is_dir());
    /// # std::fs::remove_dir_all(dir.path())?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create(prefix: &str, keep: bool) -> Result<Self, Error> {
        Ok(Self {
            path: unique_temp_dir(prefix)?,
            keep,
        })
    }

    /// Whether the user asked to keep the files: [`KEEP_FILES_VAR`] is set to a non-empty value.
    ///
    /// ```
    /// use examples::work_dir::{KEEP_FILES_VAR, WorkDir};
    /// assert!(!WorkDir::keep_requested(&|_: &str| None));
    /// assert!(WorkDir::keep_requested(&|name: &str| (name == KEEP_FILES_VAR).then(|| "1".to_owned())));
    /// ```
    pub fn keep_requested(lookup: Lookup<'_>) -> bool {
        lookup(KEEP_FILES_VAR).is_some()
    }

    /// The directory.
    ///
    /// ```
    /// let dir = examples::work_dir::WorkDir::create("work-dir-path", false)?;
    /// assert!(dir.path().starts_with(std::env::temp_dir()));
    /// # dir.finish()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Ends a successful run: removes the directory and everything in it unless it is kept.
    /// Returns the directory's path when it was kept, `None` when it was removed.
    ///
    /// ```
    /// let dir = examples::work_dir::WorkDir::create("work-dir-finish", true)?;
    /// let kept = dir.finish()?.expect("kept on request");
    /// assert!(kept.is_dir());
    /// # std::fs::remove_dir_all(kept)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish(self) -> Result<Option<PathBuf>, Error> {
        if self.keep {
            return Ok(Some(self.path));
        }
        std::fs::remove_dir_all(&self.path).map_err(|source| Error::Io {
            action: "removing",
            path: self.path.clone(),
            source,
        })?;
        Ok(None)
    }
}

/// A new, empty directory under the system's temporary directory, named `{prefix}-{pid}-{nanos}`.
///
/// ```
/// let dir = examples::work_dir::unique_temp_dir("doc-test").unwrap();
/// assert!(dir.is_dir());
/// std::fs::remove_dir(&dir).unwrap();
/// ```
pub fn unique_temp_dir(prefix: &str) -> Result<PathBuf, Error> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let dir = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        action: "creating",
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfinished_dir_stays_and_a_finished_one_goes() {
        let dir = WorkDir::create("work-dir-test", false).unwrap();
        let path = dir.path().to_owned();
        std::fs::create_dir_all(path.join("nested")).unwrap();
        std::fs::write(path.join("nested/file.zip"), b"PK").unwrap();
        drop(dir);
        assert!(
            path.is_dir(),
            "dropping without finish keeps it (failure path)"
        );

        let dir = WorkDir {
            path: path.clone(),
            keep: false,
        };
        assert_eq!(dir.finish().unwrap(), None);
        assert!(!path.exists());
    }
}
