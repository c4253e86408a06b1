//! Rewriting a source file so that it is never left half-written: the new text goes to a
//! temporary file beside the original, takes its permissions, and replaces it by a rename.

use std::io::{self, Write};
use std::path::Path;

/// Replaces the file at `path` with `contents` atomically: the text goes to a temporary file
/// in the same folder (tempfile's `NamedTempFile`, removed again on failure), which takes the
/// original's permissions and is then renamed over it. A reader sees the old file or the new
/// one, never a part of either. A symbolic link is followed, so the link stays and its target
/// changes.
pub fn write_atomically(path: &Path, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let folder = target.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(&target)?.permissions();
    let mut temporary = tempfile::Builder::new().prefix(".fdlint-").tempfile_in(folder)?;
    temporary.write_all(contents.as_ref())?;
    temporary.as_file().sync_all()?;
    std::fs::set_permissions(temporary.path(), permissions)?;
    temporary.persist(&target).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_text_and_keeps_the_permissions() {
        let dir = std::env::temp_dir().join(format!("fdlint-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.c");
        std::fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomically(&path, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        assert!(write_atomically(&dir.join("missing/b.c"), "x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
