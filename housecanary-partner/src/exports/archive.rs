//! Reading a downloaded export archive: its entries, what each one is, and each entry's bytes as
//! a stream. Which item each entry belongs to is `archive_items.rs`.

use std::error::Error as StdError;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use credit_valuation_core::Limit;
use zip::ZipArchive;
use zip::read::ZipFile;

use super::central_directory::first_duplicate;
use super::naming::EntryKind;
use super::safe_entry_path::unsafe_reason;

/// Longest part of an entry name quoted in an error.
const NAME_EXCERPT_CHARS: usize = 200;

/// Size of the buffer [`ExportArchive::copy_entry_to`] streams through.
const COPY_BUFFER_BYTES: usize = 64 * 1024;

/// A downloaded export archive (zip), opened for reading.
///
/// Opening reads only the archive's central directory and each entry's local header, never the
/// entries' contents; bytes are streamed out on demand with [`ExportArchive::entry_reader`] or
/// [`ExportArchive::copy_entry_to`]. Entries may sit at the root or inside a folder (the vendor's
/// layout nests them in a folder named after the archive); directory entries are not listed.
/// An archive containing an unsafe name (absolute, `..`, `\`, NUL) is refused as a whole.
///
/// # Examples
///
/// ```
/// use std::io::{Cursor, Read, Write};
///
/// use housecanary_partner::exports::{ExportArchive, naming::EntryKind};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // An archive as the vendor would send it (built here with the `zip` crate).
/// let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
/// let options = zip::write::SimpleFileOptions::default();
/// writer.start_file("HC_q1_2024-03-10/A-1_2024-03-10_ValueReport.pdf", options)?;
/// writer.write_all(b"%PDF-1.4")?;
/// let bytes = writer.finish()?.into_inner();
///
/// let mut archive = ExportArchive::new(Cursor::new(bytes))?;
/// let entry = archive.entries()[0].clone();
/// assert_eq!(entry.folder(), Some("HC_q1_2024-03-10"));
/// assert!(matches!(entry.kind(), EntryKind::Report { suffix, .. } if suffix == "ValueReport"));
///
/// let mut pdf = Vec::new();
/// archive.entry_reader(&entry)?.read_to_end(&mut pdf)?;
/// assert_eq!(pdf, b"%PDF-1.4");
/// # Ok(())
/// # }
/// ```
pub struct ExportArchive<R> {
    zip: ZipArchive<R>,
    entries: Vec<ArchiveEntry>,
}

impl<R> fmt::Debug for ExportArchive<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportArchive")
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

/// One file in an export archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveEntry {
    index: usize,
    path: String,
    kind: EntryKind,
    size: u64,
}

impl ArchiveEntry {
    /// The entry's position in the archive.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The full name in the archive (`folder/file`), checked to be a safe relative path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The last component of [`path`](Self::path).
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// The folders before the file name (`HC_q1_2024-03-10`), or `None` at the archive's root.
    pub fn folder(&self) -> Option<&str> {
        self.path.rsplit_once('/').map(|(folder, _)| folder)
    }

    /// What the entry is, from its file name.
    pub fn kind(&self) -> &EntryKind {
        &self.kind
    }

    /// The uncompressed size the archive declares for the entry.
    pub fn size(&self) -> u64 {
        self.size
    }
}

impl ExportArchive<BufReader<File>> {
    /// Opens the archive file at `path`.
    ///
    /// # Errors
    ///
    /// [`ArchiveError::Open`] when the file cannot be opened, and the errors of
    /// [`ExportArchive::new`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ArchiveError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| ArchiveError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::new(BufReader::new(file))
    }
}

impl<R: Read + Seek> ExportArchive<R> {
    /// Reads the archive's directory from any seekable reader (a file, a `Cursor` over bytes).
    ///
    /// # Errors
    ///
    /// [`ArchiveError::NotAZip`] when the data is not a readable zip archive,
    /// [`ArchiveError::UnsafeEntryName`] when an entry's name could escape an extraction folder,
    /// [`ArchiveError::Entry`] when an entry's header cannot be read.
    pub fn new(reader: R) -> Result<Self, ArchiveError> {
        let not_a_zip = |source: zip::result::ZipError| ArchiveError::NotAZip {
            source: Box::new(source),
        };
        let zip = ZipArchive::new(reader).map_err(not_a_zip)?;
        // The library keeps one entry per name: the records are read again to find a second.
        let start = zip.central_directory_start();
        let mut reader = zip.into_inner();
        let duplicate =
            first_duplicate(&mut reader, start).map_err(|source| not_a_zip(source.into()))?;
        if let Some((first_index, index, name)) = duplicate {
            return Err(ArchiveError::DuplicateEntryName {
                index,
                first_index,
                name: excerpt(&name),
            });
        }
        let mut zip = ZipArchive::new(reader).map_err(not_a_zip)?;
        let mut entries = Vec::with_capacity(zip.len());
        for index in 0..zip.len() {
            // Names come from the central directory; check them before touching anything else.
            let name = zip.name_for_index(index).unwrap_or_default().to_owned();
            if let Some(reason) = unsafe_reason(&name) {
                return Err(ArchiveError::UnsafeEntryName {
                    index,
                    name: excerpt(&name),
                    reason,
                });
            }

            // The raw view reads the local header only: no decompression, no decryption.
            let (is_dir, size) = zip
                .by_index_raw(index)
                .map(|file| (file.is_dir(), file.size()))
                .map_err(|source| ArchiveError::entry(index, &name, source))?;
            if is_dir {
                continue;
            }
            entries.push(ArchiveEntry {
                index,
                kind: EntryKind::classify(&name),
                path: name,
                size,
            });
        }
        Ok(Self { zip, entries })
    }

    /// The archive's files (directories left out), in archive order.
    pub fn entries(&self) -> &[ArchiveEntry] {
        &self.entries
    }

    /// Streams the entry's decompressed bytes (checked against the archive's CRC at the end).
    ///
    /// # Errors
    ///
    /// [`ArchiveError::UnknownEntry`] when `entry` is not from this archive,
    /// [`ArchiveError::Entry`] when it cannot be read (unsupported compression, encryption,
    /// corrupt header). Read errors during streaming come from the returned reader.
    pub fn entry_reader(&mut self, entry: &ArchiveEntry) -> Result<impl Read + '_, ArchiveError> {
        self.check_entry(entry)?;
        let file = self
            .zip
            .by_index(entry.index)
            .map_err(|source| ArchiveError::entry(entry.index, &entry.path, source))?;
        Ok(EntryReader {
            file,
            declared: entry.size,
            read: 0,
        })
    }

    /// Streams the entry's bytes into `writer` and returns how many were written.
    ///
    /// # Errors
    ///
    /// Those of [`entry_reader`](Self::entry_reader); [`ArchiveError::Entry`] when reading
    /// fails midway (corrupt data, CRC mismatch); [`ArchiveError::Write`] when `writer` fails.
    pub fn copy_entry_to(
        &mut self,
        entry: &ArchiveEntry,
        writer: &mut (impl Write + ?Sized),
    ) -> Result<u64, ArchiveError> {
        let mut reader = self.entry_reader(entry)?;
        let mut buffer = vec![0u8; COPY_BUFFER_BYTES];
        let mut copied = 0u64;
        loop {
            let read = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err)
                    if err
                        .get_ref()
                        .is_some_and(|inner| inner.is::<LargerThanDeclared>()) =>
                {
                    return Err(ArchiveError::LimitExceeded {
                        index: entry.index,
                        path: excerpt(&entry.path),
                        limit: Limit::ArchiveEntry(entry.size),
                    });
                }
                Err(source) => return Err(ArchiveError::entry(entry.index, &entry.path, source)),
            };
            let chunk = buffer.get(..read).unwrap_or_default();
            writer
                .write_all(chunk)
                .map_err(|source| ArchiveError::Write {
                    path: excerpt(&entry.path),
                    source,
                })?;
            copied += read as u64;
        }
        Ok(copied)
    }

    /// Gives back the underlying reader.
    pub fn into_inner(self) -> R {
        self.zip.into_inner()
    }

    /// Refuses entries from another archive (same index, other name).
    fn check_entry(&self, entry: &ArchiveEntry) -> Result<(), ArchiveError> {
        // `entries` is in index order (built by walking the archive), so this is a binary search.
        let own = self
            .entries
            .binary_search_by_key(&entry.index, |own| own.index)
            .ok()
            .and_then(|position| self.entries.get(position));
        match own {
            Some(own) if own.path == entry.path => Ok(()),
            _ => Err(ArchiveError::UnknownEntry {
                index: entry.index,
                path: excerpt(&entry.path),
            }),
        }
    }
}

/// An entry's bytes, never more than the size the archive declares: a compressed entry that
/// inflates past it (a zip bomb, or a corrupt header) fails with `InvalidData` instead of
/// filling memory or disk.
struct EntryReader<'a, R: Read> {
    file: ZipFile<'a, R>,
    declared: u64,
    read: u64,
}

impl<R: Read> Read for EntryReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte past the declared size is enough to know it lied.
        let room = (self.declared + 1).saturating_sub(self.read);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let read = self.file.read(buf.get_mut(..want).unwrap_or_default())?;
        self.read += read as u64;
        if self.read > self.declared {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                LargerThanDeclared(self.declared),
            ));
        }
        Ok(read)
    }
}

/// An entry inflated past the size its archive declares.
#[derive(Debug, thiserror::Error)]
#[error("the entry inflates past its declared size of {0} bytes")]
struct LargerThanDeclared(u64);

/// What went wrong reading an export archive.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// The archive file could not be opened.
    #[error("cannot open export archive {}: {source}", path.display())]
    Open {
        /// The path given.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The data is not a zip archive this reader understands.
    #[error("not a readable zip archive: {source}")]
    NotAZip {
        /// The zip library's error.
        source: Box<dyn StdError + Send + Sync + 'static>,
    },
    /// An entry's name could escape the extraction folder (absolute, `..`, `\\`), or some file
    /// system would make it something else (`CON`, `aux.pdf`, `:hidden`, a trailing dot or space),
    /// or it disguises itself (control and bidirectional characters, look-alike dots and
    /// slashes): the archive is refused.
    #[error("archive entry {index} has an unsafe name {name:?} ({reason}); refusing the archive")]
    UnsafeEntryName {
        /// The entry's position in the archive.
        index: usize,
        /// The name (its first 200 characters, `…` marking a cut).
        name: String,
        /// What makes it unsafe.
        reason: &'static str,
    },
    /// Two entries have one name (ignoring case, as Windows and macOS do): extracting both would
    /// keep only one. The archive is refused.
    #[error(
        "archive entries {first_index} and {index} have one name {name:?} (ignoring case); \
         refusing the archive"
    )]
    DuplicateEntryName {
        /// The second entry's position in the archive.
        index: usize,
        /// The first entry's position.
        first_index: usize,
        /// The name (its first 200 characters, `…` marking a cut).
        name: String,
    },
    /// An entry could not be read (corrupt header or data, unsupported compression or
    /// encryption, CRC mismatch).
    #[error("cannot read archive entry {index} {path:?}: {source}")]
    Entry {
        /// The entry's position in the archive.
        index: usize,
        /// The entry's name (its first 200 characters, `…` marking a cut).
        path: String,
        /// The underlying error.
        source: Box<dyn StdError + Send + Sync + 'static>,
    },
    /// The entry given is not one of this archive's.
    #[error("archive has no entry {index} named {path:?}")]
    UnknownEntry {
        /// The index given.
        index: usize,
        /// The name given (its first 200 characters, `…` marking a cut).
        path: String,
    },
    /// An entry inflated past the size the archive declares for it.
    #[error("archive entry {index} {path:?} exceeded the {limit}; refusing it")]
    LimitExceeded {
        /// The entry's position in the archive.
        index: usize,
        /// The entry's name (its first 200 characters, `…` marking a cut).
        path: String,
        /// The limit: [`Limit::ArchiveEntry`] with the declared size.
        limit: Limit,
    },
    /// The destination of a copy failed.
    #[error("cannot write archive entry {path:?} out: {source}")]
    Write {
        /// The entry being copied (the first 200 characters of its name, `…` marking a cut).
        path: String,
        /// The writer's error.
        source: io::Error,
    },
}

/// The start of `name`, so a hostile multi-megabyte name cannot bloat an error.
impl ArchiveError {
    fn entry(index: usize, path: &str, source: impl StdError + Send + Sync + 'static) -> Self {
        Self::Entry {
            index,
            path: excerpt(path),
            source: Box::new(source),
        }
    }
}

fn excerpt(name: &str) -> String {
    crate::text::excerpt(name, NAME_EXCERPT_CHARS)
}
