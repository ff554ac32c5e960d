//! The entry names an archive's central directory lists, record by record: the zip library keeps
//! one entry per name, so two records with one name would otherwise read as one entry.

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};

use super::safe_entry_path::collision_key;

/// A central directory file header's signature, and its fixed part's length.
const SIGNATURE: u32 = 0x0201_4b50;
const FIXED_LEN: usize = 46;

/// The first record whose name another record already had (ignoring case, as Windows and macOS
/// do): `(first index, index, name)`. Reads the records from `start` until one is not a file
/// header, so at most the central directory itself.
pub(crate) fn first_duplicate<R: Read + Seek>(
    reader: &mut R,
    start: u64,
) -> io::Result<Option<(usize, usize, String)>> {
    reader.seek(SeekFrom::Start(start))?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut header = [0_u8; FIXED_LEN];
    for index in 0.. {
        if reader.read_exact(&mut header).is_err()
            || u32::from_le_bytes([header[0], header[1], header[2], header[3]]) != SIGNATURE
        {
            return Ok(None);
        }
        let length = |at: usize| usize::from(u16::from_le_bytes([header[at], header[at + 1]]));
        let mut name = vec![0_u8; length(28)];
        reader.read_exact(&mut name)?;
        let skip = length(30) + length(32);
        reader.seek(SeekFrom::Current(i64::try_from(skip).unwrap_or(i64::MAX)))?;
        let name = String::from_utf8_lossy(&name).into_owned();
        if let Some(&first) = seen.get(&collision_key(&name)) {
            return Ok(Some((first, index, name)));
        }
        seen.insert(collision_key(&name), index);
    }
    Ok(None)
}
